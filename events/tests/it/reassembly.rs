//! Fragment reassembly: any order gives the message back; hostile input stays bounded.

use std::time::Duration;

use feishu_openapi_events::ws::{FragmentError, FragmentLimits, Reassembler};
use proptest::prelude::*;
use tokio::time::Instant;

fn split(payload: &[u8], sum: usize) -> Vec<Vec<u8>> {
    let size = payload.len().div_ceil(sum).max(1);
    (0..sum)
        .map(|i| {
            payload
                .get((i * size).min(payload.len())..((i + 1) * size).min(payload.len()))
                .unwrap_or(&[])
                .to_vec()
        })
        .collect()
}

proptest! {
    #[test]
    fn any_order_gives_the_message_back(
        payload in proptest::collection::vec(any::<u8>(), 0..2000),
        sum in 1usize..20,
        seed in any::<u64>(),
    ) {
        let parts = split(&payload, sum);
        let mut order: Vec<usize> = (0..sum).collect();
        fastrand::Rng::with_seed(seed).shuffle(&mut order);
        let mut r = Reassembler::new(FragmentLimits::default());
        let now = Instant::now();
        let mut out = None;
        for (n, &i) in order.iter().enumerate() {
            let got = r.push("m", &sum.to_string(), &i.to_string(), parts[i].clone(), now).unwrap();
            if n + 1 < sum {
                prop_assert!(got.is_none());
                // A fragment sent twice is refused, and changes nothing.
                prop_assert_eq!(r.push("m", &sum.to_string(), &i.to_string(), vec![1], now), Err(FragmentError::Duplicate));
            } else {
                out = got;
            }
        }
        prop_assert_eq!(out, Some(payload));
        prop_assert_eq!((r.pending(), r.bytes()), (0, 0));
    }

    #[test]
    fn hostile_fragments_never_exceed_the_bounds(
        frames in proptest::collection::vec((0u8..50, "[0-9a-z-]{0,4}", "[0-9-]{0,3}", 0usize..5000), 0..300),
    ) {
        let mut limits = FragmentLimits::default();
        (limits.max_messages, limits.max_bytes, limits.max_fragments) = (8, 20_000, 16);
        let mut r = Reassembler::new(limits);
        let now = Instant::now();
        for (id, sum, seq, len) in frames {
            let _ = r.push(&id.to_string(), &sum, &seq, vec![0; len], now);
            prop_assert!(r.pending() <= 8);
            prop_assert!(r.bytes() <= 20_000);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn unfinished_messages_expire() {
    let mut r = Reassembler::new(FragmentLimits::default());
    assert_eq!(r.push("m", "2", "0", vec![1; 10], Instant::now()), Ok(None));
    assert_eq!(
        r.push("m", "3", "1", vec![1], Instant::now()),
        Err(FragmentError::SumChanged)
    );
    assert_eq!(
        r.push("m", "0", "0", vec![1], Instant::now()),
        Err(FragmentError::BadSum)
    );
    assert_eq!(
        r.push("m", "2", "2", vec![1], Instant::now()),
        Err(FragmentError::BadSeq)
    );
    tokio::time::advance(Duration::from_secs(11)).await;
    r.expire(Instant::now());
    assert_eq!((r.pending(), r.bytes()), (0, 0));
    assert_eq!(
        r.push("m", "2", "1", vec![2], Instant::now()),
        Ok(None),
        "a fresh start"
    );
}

#[test]
fn a_flood_of_distinct_messages_keeps_only_the_newest() {
    let mut r = Reassembler::new(FragmentLimits::default());
    let now = Instant::now();
    for i in 0..10_000 {
        let _ = r.push(&format!("m{i}"), "2", "0", vec![0; 4096], now);
    }
    let limits = FragmentLimits::default();
    assert!(r.pending() <= limits.max_messages && r.bytes() <= limits.max_bytes);
}
