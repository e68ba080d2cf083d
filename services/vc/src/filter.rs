//! The typed layer of the filter-exclusivity rule: a [`MeetingFilter`] holds exactly one filter,
//! so a body built through it cannot carry two. (The runtime's check on every send — see
//! [`crate::rules`] — is the second layer, for bodies built any other way.)

use super::types::ExportMeetingListRequest;
use super::{MeetingNo, MeetingStatus, MeetingType, RoomId};
use crate::{UnixSeconds, UserId};

/// The one filter of an export_meeting_list request (最多一个筛选条件: at most one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeetingFilter {
    /// `meeting_no`: meetings with this 9-digit number.
    MeetingNo(MeetingNo),
    /// `user_id`: meetings this user took part in (ID kind per `user_id_type`).
    User(UserId),
    /// `room_id`: meetings this Rooms device (`omm_…`) took part in.
    Room(RoomId),
    /// `meeting_type`: meetings of this type.
    MeetingType(MeetingType),
}

impl ExportMeetingListRequest {
    /// A request for the meetings between `start` and `end` (unix seconds, [`UnixSeconds`], or
    /// anything that converts into it), with no status and no filter.
    pub fn new(start: impl Into<UnixSeconds>, end: impl Into<UnixSeconds>) -> Self {
        Self {
            start_time: start.into(),
            end_time: end.into(),
            meeting_status: None,
            meeting_no: None,
            user_id: None,
            room_id: None,
            meeting_type: None,
        }
    }

    /// Only meetings with this status (Feishu's default: ended).
    pub fn with_status(mut self, status: MeetingStatus) -> Self {
        self.meeting_status = Some(status);
        self
    }

    /// Sets the one filter, replacing any filter set before.
    pub fn with_filter(mut self, filter: MeetingFilter) -> Self {
        self.meeting_no = None;
        self.user_id = None;
        self.room_id = None;
        self.meeting_type = None;
        match filter {
            MeetingFilter::MeetingNo(no) => self.meeting_no = Some(no),
            MeetingFilter::User(id) => self.user_id = Some(id),
            MeetingFilter::Room(id) => self.room_id = Some(id),
            MeetingFilter::MeetingType(t) => self.meeting_type = Some(t),
        }
        self
    }
}
