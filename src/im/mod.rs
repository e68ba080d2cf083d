//! IM (instant messaging): the client generated from `openapi/im.yaml` — send a message, upload
//! and download images, list chats.
//!
//! ```no_run
//! use feishu_openapi::im::types::{MessageCreateRequest, ReceiveIdType};
//! use feishu_openapi::FeishuClient;
//!
//! # async fn run(feishu: FeishuClient) -> Result<(), feishu_openapi::Error> {
//! let body = MessageCreateRequest::builder()
//!     .receive_id("ou_7d8a6e6df7621556ce0d21922b676706ccs")
//!     .msg_type("text")
//!     .content(r#"{"text":"hello"}"#);
//! let sent = feishu
//!     .im()
//!     .message_create()
//!     .receive_id_type(ReceiveIdType::OpenId)
//!     .body(body)
//!     .call()
//!     .await?;
//! println!("message {:?}", sent.message_id);
//! # Ok(()) }
//! ```

generated_service!(
    im,
    "The IM client (`openapi/im.yaml`), sharing this client's connection pool and identity."
);
