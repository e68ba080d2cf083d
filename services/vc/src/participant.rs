//! The typed layer of the participant exports' filter rules: a [`ParticipantFilter`] holds exactly
//! one of `user_id` / `room_id`, so a body built through it cannot carry both — and
//! [`ExportParticipantQualityListRequest::new`] takes one, so it cannot carry neither. (The
//! runtime's check on every send — see [`crate::rules`] — is the second layer, for bodies built
//! any other way.)

use super::types::{ExportParticipantListRequest, ExportParticipantQualityListRequest};
use super::{MeetingNo, MeetingStatus, RoomId};
use crate::{UnixSeconds, UserId};

/// The participant of a participant export: a user or a Rooms device.
///
/// export_participant_list takes at most one ([`ExportParticipantListRequest::with_filter`]);
/// export_participant_quality_list exactly one ([`ExportParticipantQualityListRequest::new`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParticipantFilter {
    /// `user_id`: a user (ID kind per `user_id_type`).
    User(UserId),
    /// `room_id`: a Rooms device (`omm_…`).
    Room(RoomId),
}

impl ParticipantFilter {
    fn split(self) -> (Option<UserId>, Option<RoomId>) {
        match self {
            Self::User(id) => (Some(id), None),
            Self::Room(id) => (None, Some(id)),
        }
    }
}

impl From<UserId> for ParticipantFilter {
    fn from(id: UserId) -> Self {
        Self::User(id)
    }
}

impl From<RoomId> for ParticipantFilter {
    fn from(id: RoomId) -> Self {
        Self::Room(id)
    }
}

impl ExportParticipantListRequest {
    /// A request for the participants of the meeting `meeting_no` that ran from `start` to `end`
    /// (unix seconds, [`UnixSeconds`], or anything that converts into it; for an ongoing meeting
    /// `end` is the current time, [`UnixSeconds::now`]), with no status and no filter.
    pub fn new(
        start: impl Into<UnixSeconds>,
        end: impl Into<UnixSeconds>,
        meeting_no: MeetingNo,
    ) -> Self {
        Self {
            meeting_start_time: start.into(),
            meeting_end_time: end.into(),
            meeting_no,
            meeting_status: None,
            user_id: None,
            room_id: None,
        }
    }

    /// Only meetings with this status (Feishu's default: ended).
    pub fn with_status(mut self, status: MeetingStatus) -> Self {
        self.meeting_status = Some(status);
        self
    }

    /// Sets the one filter, replacing any filter set before.
    pub fn with_filter(mut self, filter: impl Into<ParticipantFilter>) -> Self {
        (self.user_id, self.room_id) = filter.into().split();
        self
    }
}

impl ExportParticipantQualityListRequest {
    /// A request for the meeting-quality data of `participant`, who joined at `join_time` the
    /// ended meeting `meeting_no` that ran from `start` (accurate to the minute) to `end`.
    pub fn new(
        start: impl Into<UnixSeconds>,
        end: impl Into<UnixSeconds>,
        meeting_no: MeetingNo,
        join_time: impl Into<UnixSeconds>,
        participant: impl Into<ParticipantFilter>,
    ) -> Self {
        let (user_id, room_id) = participant.into().split();
        Self {
            meeting_start_time: start.into(),
            meeting_end_time: end.into(),
            meeting_no,
            join_time: join_time.into(),
            user_id,
            room_id,
        }
    }

    /// Replaces the participant.
    pub fn with_participant(mut self, participant: impl Into<ParticipantFilter>) -> Self {
        (self.user_id, self.room_id) = participant.into().split();
        self
    }
}
