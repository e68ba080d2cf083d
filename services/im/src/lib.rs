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
//!
//! Values and fields the spec does not list: enums are open (an answer's unknown value is
//! `Other`, a request sends one as it is), an optional list is an `Option` (`Some(vec![])` is sent
//! as `[]`, `None` left out), and `extra_body_field` adds a field to a JSON body.
//!
//! ```no_run
//! use feishu_openapi::im::types::{ChatCreateRequest, ChatMembersCreateRequest, ChatMode};
//! use futures::TryStreamExt;
//! use serde_json::json;
//!
//! # async fn demo(feishu: feishu_openapi::FeishuClient) -> Result<(), feishu_openapi::Error> {
//! // A chat mode new to the client decodes as `Other`.
//! let chats: Vec<_> = feishu.im().chat_list().items().try_collect().await?;
//! for chat in &chats {
//!     if let Some(ChatMode::Other(mode)) = &chat.chat_mode {
//!         println!("{:?} has a mode this client does not know: {mode}", chat.chat_id);
//!     }
//! }
//!
//! // A value the spec does not list (member_id_type lists user_id, union_id, open_id, app_id),
//! // an integer one (succeed_type lists 0, 1, 2), and an empty list sent as `[]`.
//! feishu
//!     .im()
//!     .chat_members_create()
//!     .chat_id("oc_a0553eda9014c201e6969b478895c230")
//!     .member_id_type("new_kind")
//!     .succeed_type(3_i64)
//!     .body(ChatMembersCreateRequest::builder().id_list(Vec::<String>::new()))
//!     .send()
//!     .await?;
//!
//! // A field the spec does not list yet, beside the typed ones.
//! feishu
//!     .im()
//!     .chat_create()
//!     .body(ChatCreateRequest::builder().name(Some("team".to_string())))
//!     .extra_body_field("new_setting", json!({"enabled": true}))
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```

feishu_openapi_core::generated_service!(im);
