//! What the marketplace-app tests share: a call made as the client's tenant.

use feishu_openapi::im::types::{MessageCreateRequest, ReceiveIdType};
use feishu_openapi::{Error, FeishuClient};

/// Sends a text message as the client's tenant: the message id, or the error.
pub async fn send(feishu: &FeishuClient) -> Result<String, Error> {
    let message = feishu
        .im()
        .message_create()
        .receive_id_type(ReceiveIdType::OpenId)
        .body(
            MessageCreateRequest::builder()
                .receive_id("ou_7d8a6e6df7621556ce0d21922b676706ccs")
                .msg_type("text")
                .content("{\"text\":\"hi\"}"),
        )
        .call()
        .await?;
    Ok(message.message_id.unwrap_or_default())
}
