//! IM (instant messaging): the client generated from `openapi/im.yaml` — send a message, upload
//! and download images, list chats.
//!
//! ```no_run
//! use feishu_openapi::im::types::{
//!     ImageCreateForm, ImageCreateFormImageType, MessageCreateRequest, ReceiveIdType,
//! };
//! use feishu_openapi::upload::UploadFile;
//! use futures::TryStreamExt;
//!
//! # async fn demo(feishu: feishu_openapi::FeishuClient) -> Result<(), feishu_openapi::Error> {
//! // Send a message: `call()` returns the answer's `data`.
//! let body = MessageCreateRequest::builder()
//!     .receive_id("ou_7d8a6e6df7621556ce0d21922b676706ccs")
//!     .msg_type("text")
//!     .content(r#"{"text":"hello"}"#);
//! let message = feishu
//!     .im()
//!     .message_create()
//!     .receive_id_type(ReceiveIdType::OpenId)
//!     .body(body)
//!     .call()
//!     .await?;
//! println!("message {:?}", message.message_id);
//!
//! // Upload an image: a typed form, and the file streamed from disk.
//! let form = ImageCreateForm::builder().image_type(ImageCreateFormImageType::Message);
//! let file = UploadFile::from_path("logo.png").await?;
//! let image = feishu.im().image_create().call(form, file).await?;
//!
//! // Every chat, all pages.
//! let chats: Vec<_> = feishu.im().chat_list().page_size(50).items().try_collect().await?;
//!
//! // Download an image into a folder.
//! if let Some(key) = image.image_key {
//!     feishu.im().image_get().image_key(key).download().save_in("downloads").await?;
//! }
//! # let _ = chats;
//! # Ok(()) }
//! ```

feishu_openapi_core::generated_service!(im);
