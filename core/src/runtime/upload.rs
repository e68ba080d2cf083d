//! The multipart body of an upload operation (`multipart/form-data` in its spec): built from the
//! typed form and its files by the generated `send()`, and streamed as the body of the call's one
//! request (see [`Multipart::upload`]).

use super::call::Requests;
use crate::error::Error;
use crate::upload::UploadFile;

/// A `multipart/form-data` body being put together.
pub struct Multipart(reqwest::multipart::Form);

impl Multipart {
    /// The form's fields, from a typed form: each present field as a text part (strings as they
    /// are, other values as JSON).
    pub fn form(form: &impl serde::Serialize) -> Result<Self, Error> {
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
    pub fn file(self, field: &'static str, file: UploadFile) -> Self {
        Self(self.0.part(field, file.into_part()))
    }

    /// The one request `build` makes, with this body: what an upload's `send()` hands to
    /// [`super::Sending`]. It is sent once: a stream cannot be replayed.
    pub fn upload<B>(self, build: B) -> Upload<B> {
        Upload {
            build,
            body: Some(self),
        }
    }
}

/// The one request of an upload: built by `B` from the builder's checked values (progenitor's
/// code builds it without a body), with the multipart body. A stream cannot be replayed: there
/// is no request for a further attempt.
pub struct Upload<B> {
    build: B,
    body: Option<Multipart>,
}

impl<B: Requests> Requests for Upload<B> {
    /// The request with the form as its body, streamed, with its `Content-Type` (the boundary)
    /// and, when every part's size is known (files from a path or bytes, text fields), its
    /// `Content-Length`; a part of unknown size (a reader) makes it chunked. reqwest's builder
    /// computes the length of its own framing.
    fn next(&mut self, http: &reqwest::Client) -> Result<reqwest::Request, Error> {
        let request = self.build.next(http)?;
        match self.body.take() {
            Some(Multipart(form)) => reqwest::RequestBuilder::from_parts(http.clone(), request)
                .multipart(form)
                .build()
                .map_err(Error::Transport),
            None => Ok(request),
        }
    }

    fn again(&self) -> bool {
        self.body.is_some()
    }
}
