//! Files to upload, for the operations that take one (`multipart/form-data` in their spec, such
//! as `feishu.im().image_create()`).

use std::path::Path;

use crate::Error;

/// A file to upload: its name, its bytes as a stream, and (when known) its length and content
/// type. Streamed as the request goes out, never read whole into memory.
pub struct UploadFile {
    name: String,
    content_type: Option<String>,
    length: Option<u64>,
    body: reqwest::Body,
}

impl UploadFile {
    /// The file at `path`, named by its file name, with its length.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let read_error = |source| Error::ReadFile {
            path: Some(path.to_path_buf()),
            source,
        };
        let file = tokio::fs::File::open(path).await.map_err(read_error)?;
        let length = file.metadata().await.map_err(read_error)?.len();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        Ok(Self {
            name,
            content_type: None,
            length: Some(length),
            body: reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file)),
        })
    }

    /// Whatever `reader` gives until its end, named `name` (its length unknown: sent chunked).
    pub fn from_reader(
        name: impl Into<String>,
        reader: impl tokio::io::AsyncRead + Send + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            content_type: None,
            length: None,
            body: reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(reader)),
        }
    }

    /// Bytes in memory, named `name`.
    pub fn from_bytes(name: impl Into<String>, bytes: impl Into<bytes::Bytes>) -> Self {
        let bytes = bytes.into();
        Self {
            name: name.into(),
            content_type: None,
            length: Some(bytes.len() as u64),
            body: reqwest::Body::from(bytes),
        }
    }

    /// The part's content type (default `application/octet-stream`); one that is not a media
    /// type (`type/subtype`) is refused.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Result<Self, Error> {
        let content_type = content_type.into();
        if reqwest::multipart::Part::text("")
            .mime_str(&content_type)
            .is_err()
        {
            return Err(Error::Validation(format!(
                "{content_type:?} is not a media type such as image/png"
            )));
        }
        self.content_type = Some(content_type);
        Ok(self)
    }

    /// The file's name, as sent.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn into_part(self) -> reqwest::multipart::Part {
        let part = match self.length {
            Some(length) => reqwest::multipart::Part::stream_with_length(self.body, length),
            None => reqwest::multipart::Part::stream(self.body),
        };
        let part = part.file_name(self.name);
        let content_type = self
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        part.mime_str(content_type)
            .expect("checked by UploadFile::content_type")
    }
}

impl std::fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadFile")
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}
