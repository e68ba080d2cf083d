//! Reassembly of messages sent in fragments (`message_id`, `sum`, `seq`), bounded in count,
//! bytes and time.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// The bounds of reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FragmentLimits {
    /// Unfinished messages kept at once; past it the oldest is dropped.
    pub max_messages: usize,
    /// Bytes held by unfinished messages; past it the oldest are dropped.
    pub max_bytes: usize,
    /// The most fragments one message may have.
    pub max_fragments: u32,
    /// An unfinished message is dropped this long after its first fragment.
    pub ttl: Duration,
}

impl Default for FragmentLimits {
    fn default() -> Self {
        Self {
            max_messages: 64,
            max_bytes: 16 << 20,
            max_fragments: 256,
            ttl: Duration::from_secs(10),
        }
    }
}

/// Why a fragment was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FragmentError {
    /// `sum` is not a number from 1 to the limit.
    #[error("invalid fragment count")]
    BadSum,
    /// `seq` is not a number below `sum`.
    #[error("fragment index out of range")]
    BadSeq,
    /// `sum` differs from the message's first fragment.
    #[error("fragment count differs from the first fragment's")]
    SumChanged,
    /// The same `seq` came twice.
    #[error("fragment sent twice")]
    Duplicate,
    /// One fragment is larger than all fragments may be together.
    #[error("fragment larger than the reassembly limit")]
    TooLarge,
}

#[derive(Debug)]
struct Partial {
    parts: Vec<Option<Vec<u8>>>,
    missing: usize,
    bytes: usize,
    first: Instant,
}

/// Unfinished messages by `message_id`.
#[derive(Debug)]
pub struct Reassembler {
    limits: FragmentLimits,
    partial: HashMap<String, Partial>,
    bytes: usize,
}

impl Reassembler {
    /// An empty reassembler.
    pub fn new(limits: FragmentLimits) -> Self {
        Self {
            limits,
            partial: HashMap::new(),
            bytes: 0,
        }
    }

    /// Unfinished messages held.
    pub fn pending(&self) -> usize {
        self.partial.len()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Takes one fragment (`sum`, `seq` as the headers give them); the whole message when this
    /// fragment completes it.
    pub fn push(
        &mut self,
        message_id: &str,
        sum: &str,
        seq: &str,
        payload: Vec<u8>,
        now: Instant,
    ) -> Result<Option<Vec<u8>>, FragmentError> {
        self.expire(now);
        let sum: u32 = sum.trim().parse().map_err(|_| FragmentError::BadSum)?;
        if sum == 0 || sum > self.limits.max_fragments {
            return Err(FragmentError::BadSum);
        }
        let seq: u32 = seq.trim().parse().map_err(|_| FragmentError::BadSeq)?;
        if seq >= sum {
            return Err(FragmentError::BadSeq);
        }
        if sum == 1 {
            return Ok(Some(payload));
        }
        if payload.len() > self.limits.max_bytes {
            return Err(FragmentError::TooLarge);
        }
        let slots = usize::try_from(sum).map_err(|_| FragmentError::BadSum)?;
        let index = usize::try_from(seq).map_err(|_| FragmentError::BadSeq)?;
        if let Some(p) = self.partial.get(message_id) {
            if p.parts.len() != slots {
                return Err(FragmentError::SumChanged);
            }
            if p.parts[index].is_some() {
                return Err(FragmentError::Duplicate);
            }
        } else {
            while self.partial.len() >= self.limits.max_messages.max(1) {
                self.drop_oldest(None);
            }
            self.partial.insert(
                message_id.to_string(),
                Partial {
                    parts: vec![None; slots],
                    missing: slots,
                    bytes: 0,
                    first: now,
                },
            );
        }
        while self.bytes + payload.len() > self.limits.max_bytes {
            if !self.drop_oldest(Some(message_id)) {
                self.remove(message_id);
                return Err(FragmentError::TooLarge);
            }
        }
        let p = self.partial.get_mut(message_id).expect("inserted above");
        self.bytes += payload.len();
        p.bytes += payload.len();
        p.parts[index] = Some(payload);
        p.missing -= 1;
        if p.missing > 0 {
            return Ok(None);
        }
        let p = self.remove(message_id).expect("present");
        Ok(Some(p.parts.into_iter().flatten().flatten().collect()))
    }

    /// When the oldest unfinished message expires.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.partial
            .values()
            .map(|p| p.first + self.limits.ttl)
            .min()
    }

    /// Drops the messages unfinished for longer than the TTL.
    pub fn expire(&mut self, now: Instant) {
        let ttl = self.limits.ttl;
        let expired: Vec<String> = self
            .partial
            .iter()
            .filter(|(_, p)| now.duration_since(p.first) >= ttl)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            tracing::debug!(message_id = %crate::printable(&id), "unfinished message expired");
            self.remove(&id);
        }
    }

    fn remove(&mut self, id: &str) -> Option<Partial> {
        let p = self.partial.remove(id)?;
        self.bytes -= p.bytes;
        Some(p)
    }

    /// Drops the oldest unfinished message but `keep`; `false` when there is none.
    fn drop_oldest(&mut self, keep: Option<&str>) -> bool {
        let oldest = self
            .partial
            .iter()
            .filter(|(id, _)| Some(id.as_str()) != keep)
            .min_by_key(|(_, p)| p.first)
            .map(|(id, _)| id.clone());
        match oldest {
            Some(id) => {
                tracing::debug!(message_id = %crate::printable(&id), "unfinished message dropped (limits)");
                self.remove(&id);
                true
            }
            None => false,
        }
    }
}
