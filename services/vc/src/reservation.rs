//! The room-level ID and the typed layer of export_resource_reservation_list: the rooms of a level
//! are chosen with [`RoomSelection`], so `is_exclude` never travels without the `room_ids` it
//! refers to.

use super::types::ExportResourceReservationListRequest;
use super::RoomId;
use crate::UnixSeconds;

feishu_openapi_core::id_string! {
    /// The ID of a room level (会议室层级, `omb_…`). Never empty.
    RoomLevelId, "room_level_id"
}

/// Which rooms of the room level an export covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RoomSelection {
    /// Every room of the level (no `room_ids`). The default.
    #[default]
    All,
    /// Only these rooms (`room_ids`, `is_exclude: false`). With no rooms, the same as
    /// [`RoomSelection::All`] (no `room_ids` is sent).
    Only(Vec<RoomId>),
    /// Every room of the level but these (`room_ids`, `is_exclude: true`). With no rooms, the
    /// same as [`RoomSelection::All`].
    AllBut(Vec<RoomId>),
}

impl ExportResourceReservationListRequest {
    /// A request for the reservations of every room under `room_level` between `start` and `end`
    /// (unix seconds, [`UnixSeconds`], or anything that converts into it), without topics.
    pub fn new(
        room_level: RoomLevelId,
        start: impl Into<UnixSeconds>,
        end: impl Into<UnixSeconds>,
    ) -> Self {
        Self {
            room_level_id: room_level,
            start_time: start.into(),
            end_time: end.into(),
            need_topic: None,
            room_ids: None,
            is_exclude: false,
        }
    }

    /// Whether to export the meetings' topics (`need_topic`).
    pub fn with_topic(mut self, need_topic: bool) -> Self {
        self.need_topic = Some(need_topic);
        self
    }

    /// Chooses the rooms, replacing any choice made before. `is_exclude: true` is sent only with
    /// the rooms it excludes.
    pub fn with_rooms(mut self, rooms: RoomSelection) -> Self {
        (self.room_ids, self.is_exclude) = match rooms {
            RoomSelection::All => (None, false),
            RoomSelection::Only(ids) if ids.is_empty() => (None, false),
            RoomSelection::Only(ids) => (Some(ids), false),
            RoomSelection::AllBut(ids) if ids.is_empty() => (None, false),
            RoomSelection::AllBut(ids) => (Some(ids), true),
        };
        self
    }
}
