//! The multipart body of an upload operation (`multipart/form-data` in its spec): built from the
//! typed form and its files by the generated `send()`, handed to the call through a task-local
//! (progenitor's code builds the request without a body), and streamed as the request's body.

use std::cell::RefCell;
use std::future::Future;

use progenitor_client::ResponseValue;

use crate::error::{Error, FeishuErrorBody};
use crate::upload::UploadFile;

/// A `multipart/form-data` body being put together.
pub(crate) struct Multipart(reqwest::multipart::Form);

impl Multipart {
    /// The form's fields, from a typed form: each present field as a text part (strings as they
    /// are, other values as JSON).
    pub(crate) fn form(form: &impl serde::Serialize) -> Result<Self, Error> {
        let value = serde_json::to_value(form)
            .map_err(|e| Error::Validation(format!("the upload's form does not serialise: {e}")))?;
        let mut multipart = reqwest::multipart::Form::new();
        for (name, value) in value.as_object().into_iter().flatten() {
            let text = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            multipart = multipart.text(name.clone(), text);
        }
        Ok(Self(multipart))
    }

    /// Adds a file part named `field`.
    pub(crate) fn file(self, field: &'static str, file: UploadFile) -> Self {
        Self(self.0.part(field, file.into_part()))
    }
}

tokio::task_local! {
    static OUTGOING: RefCell<Option<Multipart>>;
}

/// Sends an upload: progenitor's `send` of the operation, with `body` as its request body.
pub(crate) async fn send_upload<T, F>(body: Multipart, send: F) -> Result<ResponseValue<T>, Error>
where
    T: 'static,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<FeishuErrorBody>>>,
{
    OUTGOING
        .scope(RefCell::new(Some(body)), super::answer::send(send))
        .await
}

/// Puts the current upload's body (if this call is one) into `request`, with its content type.
pub(crate) fn attach(request: &mut reqwest::Request) {
    let Ok(Some(Multipart(form))) = OUTGOING.try_with(|body| body.borrow_mut().take()) else {
        return;
    };
    let content_type = format!("multipart/form-data; boundary={}", form.boundary());
    if let Ok(value) = http::HeaderValue::from_str(&content_type) {
        request
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    *request.body_mut() = Some(reqwest::Body::wrap_stream(form.into_stream()));
}
