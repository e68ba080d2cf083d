//! VC (video conferencing): the client generated from `openapi/vc.yaml`, and its extensions.
//!
//! ```no_run
//! use feishu_openapi::vc::{types::ExportMeetingListRequest, MeetingFilter, MeetingStatus};
//! use feishu_openapi::{AccessToken, FeishuClient, UserIdType};
//!
//! # async fn run() -> Result<(), feishu_openapi::Error> {
//! let feishu = FeishuClient::builder().access_token(AccessToken::tenant("t-…")).build()?;
//! let body = ExportMeetingListRequest::new(1_655_276_858, 1_655_363_258)
//!     .with_status(MeetingStatus::Ended)
//!     .with_filter(MeetingFilter::MeetingNo("123456789".parse()?));
//! let created = feishu
//!     .vc()
//!     .export_meeting_list()
//!     .user_id_type(UserIdType::OpenId)
//!     .body(body)
//!     .call()
//!     .await?;
//! println!("task {}", created.task_id);
//! # Ok(()) }
//! ```

pub mod export;
mod filter;
mod meeting;
mod participant;
mod reservation;

feishu_openapi_core::generated_service!(vc);

pub use export::ExportStatus;
pub use filter::MeetingFilter;
pub use meeting::{InvalidMeetingNo, MeetingNo, MeetingStatus, MeetingType, RoomId};
pub use participant::ParticipantFilter;
pub use reservation::{RoomLevelId, RoomSelection};
