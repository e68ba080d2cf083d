//! Downloading a file from Feishu — an export, an image, any operation whose answer is a file:
//! streamed in constant memory to a writer, or to a file that appears
//! at its destination only once it is whole.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};

use std::future::Future;
use std::pin::Pin;

use progenitor_client::{ByteStream, ResponseValue};

mod disposition;

use crate::error::{Error, FeishuErrorBody};
use crate::runtime::file::not_a_file;
#[doc(hidden)]
pub use disposition::fallback;

/// A body that starts with `{` is held back up to this many bytes to see whether it is a Feishu
/// error envelope instead of a file (the runtime refuses one that is not an `.xlsx` before that;
/// this also covers a download of an undeclared kind).
const SNIFF_LIMIT: usize = crate::runtime::file::SNIFF_LIMIT;

/// Writes to a file go through a buffer of this size.
const WRITE_BUFFER: usize = 256 * 1024;

/// How far a download has come, as given to the callback of [`Download::on_progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadProgress {
    /// Bytes received so far.
    pub bytes: u64,
    /// The file's size, when the response says it (`Content-Length`).
    pub total: Option<u64>,
}

/// A download saved to a file: [`Download::save_in`] and [`Download::save_as`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedFile {
    /// Where the file is now.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The name Feishu offered in `Content-Disposition`, decoded, as offered (before it was made
    /// safe); `None` when there was none.
    pub offered_name: Option<String>,
}

/// A download written to a writer: [`Download::write_to`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Bytes written.
    pub bytes: u64,
    /// The name Feishu offered, made safe to use as a file name in any folder; `None` when there
    /// was none or it could not be made safe.
    pub file_name: Option<String>,
}

type ProgressFn<'a> = Box<dyn FnMut(DownloadProgress) + Send + 'a>;

/// One download: choose a callback, then where the bytes go. Made by the `download()` of every
/// generated operation whose answer is a file (e.g. `feishu.vc().export_download()
/// .file_token(t).download()`), and by the VC export's `ExportFile::download`.
///
/// The body is streamed: memory use does not grow with the file. The client's
/// [`timeout`](crate::ClientBuilder::timeout) bounds the wait for the response and every
/// pause between two reads, not the whole transfer, so a large file is not cut off.
#[must_use = "a download does nothing until save_in, save_as or write_to is awaited"]
pub struct Download<'a> {
    request: SendFuture<'a>,
    /// The name used when Feishu offers none that is safe.
    fallback_name: String,
    progress: Option<ProgressFn<'a>>,
}

/// The sending of a download operation.
type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ResponseValue<ByteStream>, Error>> + Send + 'a>>;

impl<'a> Download<'a> {
    /// A download of what `request` answers; `fallback_name` is the file name used when Feishu
    /// offers none that is safe.
    #[doc(hidden)]
    pub fn new(
        request: impl Future<Output = Result<ResponseValue<ByteStream>, Error>> + Send + 'a,
        fallback_name: String,
    ) -> Self {
        Self {
            request: Box::pin(request),
            fallback_name,
            progress: None,
        }
    }

    async fn request(&mut self) -> Result<FileResponse, Error> {
        let response = (&mut self.request).await?;
        FileResponse::new(response).await
    }

    /// Calls `progress` as bytes arrive (for every chunk received), with the bytes so far and
    /// the total when known.
    pub fn on_progress(mut self, progress: impl FnMut(DownloadProgress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Saves the file in the folder `dir` (which must exist) under the name Feishu gives in
    /// `Content-Disposition`, made safe: a name that would leave the folder (`../x`, an absolute
    /// path, separators of either kind), or is empty, only dots, hidden or a device name, is
    /// replaced by a name of the operation (`meeting_list_<task_id>.xlsx` for an export). An
    /// existing file of that name is kept: the new one
    /// is saved as `name (1).xlsx`, `name (2).xlsx`, …
    ///
    /// The bytes go to a hidden temporary file in `dir`, which is flushed, synced and renamed to
    /// its name only when the download is whole. On any failure — a refused download, a
    /// connection cut midway, a full disk, the future dropped — the temporary file is removed:
    /// nothing is left in `dir`.
    pub async fn save_in(self, dir: impl AsRef<Path>) -> Result<SavedFile, Error> {
        let dir = dir.as_ref();
        check_folder(dir).await?;
        self.save(dir, None).await
    }

    /// Saves the file at `path`, replacing a file already there (atomically: readers see the
    /// old file or the new one, never a part). Like [`save_in`](Self::save_in), nothing is left
    /// at `path` or beside it on any failure.
    pub async fn save_as(self, path: impl AsRef<Path>) -> Result<SavedFile, Error> {
        let path = path.as_ref();
        let name = match path.file_name() {
            Some(name) if !path.as_os_str().is_empty() => name.to_owned(),
            _ => {
                return Err(Error::Io {
                    path: Some(path.to_path_buf()),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "the path does not name a file",
                    ),
                })
            }
        };
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        check_folder(dir).await?;
        self.save(dir, Some(dir.join(name))).await
    }

    /// Streams the file into `writer` (flushed at the end), for a destination that is not a
    /// file: a hash, an upload, a pipe. A failure midway leaves what was written so far in the
    /// writer: the caller decides what to do with it.
    pub async fn write_to<W>(mut self, writer: &mut W) -> Result<Downloaded, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let response = self.request().await?;
        let file_name = response.offered.as_deref().and_then(disposition::sanitize);
        let bytes = copy(response, writer, None, &mut self.progress).await?;
        Ok(Downloaded { bytes, file_name })
    }

    async fn save(mut self, dir: &Path, target: Option<PathBuf>) -> Result<SavedFile, Error> {
        let response = self.request().await?;
        let offered_name = response.offered.clone();
        let mut temp = TempFile::create(dir).await?;
        let mut writer = BufWriter::with_capacity(WRITE_BUFFER, temp.file()?);
        let bytes = copy(response, &mut writer, Some(dir), &mut self.progress).await?;
        let file = writer.into_inner();
        file.sync_all().await.map_err(|e| io(dir, e))?;
        drop(file);
        let path = match target {
            Some(path) => path,
            None => {
                let name = offered_name
                    .as_deref()
                    .and_then(disposition::sanitize)
                    .unwrap_or_else(|| self.fallback_name.clone());
                free_name(dir, &name).await
            }
        };
        temp.persist(&path).await?;
        sync_folder(dir).await;
        Ok(SavedFile {
            path,
            bytes,
            offered_name,
        })
    }
}

impl std::fmt::Debug for Download<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("fallback_name", &self.fallback_name)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// A download's response, checked to be a file.
struct FileResponse {
    stream: progenitor_client::ByteStream,
    total: Option<u64>,
    status: u16,
    log_id: Option<String>,
    /// The decoded `Content-Disposition` name, not yet made safe.
    offered: Option<String>,
}

impl FileResponse {
    /// A 2xx response of the download operation. The runtime has already turned a JSON body
    /// with `code != 0` into an error; a JSON body with code 0 is not a file either.
    async fn new(
        response: progenitor_client::ResponseValue<progenitor_client::ByteStream>,
    ) -> Result<Self, Error> {
        let status = response.status().as_u16();
        let headers = response.headers();
        let log_id = crate::log_id(headers, None);
        let offered = headers
            .get(CONTENT_DISPOSITION)
            .and_then(|v| disposition::offered_name(v.as_bytes()));
        let total = response.content_length();
        let is_json = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        let mut stream = response.into_inner();
        if is_json {
            let mut body = Vec::new();
            while let Some(chunk) = stream.next().await {
                body.extend_from_slice(&chunk.map_err(Error::from)?);
                if body.len() > SNIFF_LIMIT {
                    break;
                }
            }
            return Err(not_a_file(
                status,
                &body,
                log_id,
                crate::runtime::ErrorTable::NONE,
            ));
        }
        Ok(Self {
            stream,
            total,
            status,
            log_id,
            offered,
        })
    }
}

/// Copies the body into `writer`, holding back a start that may be a Feishu error envelope.
async fn copy<W>(
    mut response: FileResponse,
    writer: &mut W,
    dir: Option<&Path>,
    progress: &mut Option<ProgressFn<'_>>,
) -> Result<u64, Error>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let write_error = |e| match dir {
        Some(dir) => io(dir, e),
        None => Error::Io {
            path: None,
            source: e,
        },
    };
    let mut bytes = 0u64;
    let mut held: Option<Vec<u8>> = Some(Vec::new());
    while let Some(chunk) = response.stream.next().await {
        let chunk = chunk.map_err(Error::from)?;
        bytes += chunk.len() as u64;
        match held.as_mut() {
            Some(start) => {
                start.extend_from_slice(&chunk);
                if !may_be_json(start) || start.len() > SNIFF_LIMIT {
                    writer.write_all(start).await.map_err(write_error)?;
                    held = None;
                }
            }
            None => writer.write_all(&chunk).await.map_err(write_error)?,
        }
        if let Some(progress) = progress.as_mut() {
            progress(DownloadProgress {
                bytes,
                total: response.total,
            });
        }
    }
    if let Some(start) = held {
        // The whole body is small and empty or JSON-looking: an error, unless it is neither.
        if start.is_empty() || is_error_envelope(&start) {
            return Err(not_a_file(
                response.status,
                &start,
                response.log_id,
                crate::runtime::ErrorTable::NONE,
            ));
        }
        writer.write_all(&start).await.map_err(write_error)?;
    }
    writer.flush().await.map_err(write_error)?;
    Ok(bytes)
}

/// Whether the start of a body could still be a JSON object.
fn may_be_json(start: &[u8]) -> bool {
    match start.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b) => *b == b'{',
        None => true,
    }
}

fn is_error_envelope(body: &[u8]) -> bool {
    serde_json::from_slice::<FeishuErrorBody>(body).is_ok_and(|e| e.code != 0)
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: Some(path.to_path_buf()),
        source,
    }
}

async fn check_folder(dir: &Path) -> Result<(), Error> {
    match tokio::fs::metadata(dir).await {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        )),
        Err(e) => Err(io(dir, e)),
    }
}

/// `name` in `dir`, or `name (n)` for the first n that is free. (Another process may take the
/// name between this check and the rename; it would then be replaced.)
async fn free_name(dir: &Path, name: &str) -> PathBuf {
    let mut path = dir.join(name);
    let mut n = 0;
    while n < 10_000 && tokio::fs::symlink_metadata(&path).await.is_ok() {
        n += 1;
        path = dir.join(disposition::numbered(name, n));
    }
    path
}

/// Makes a rename durable (the folder's entry), where the platform can.
async fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = tokio::fs::File::open(dir).await {
        let _ = folder.sync_all().await;
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// A hidden temporary file in the destination folder, removed when dropped unless persisted.
struct TempFile {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    persisted: bool,
}

impl TempFile {
    async fn create(dir: &Path) -> Result<Self, Error> {
        let mut last = None;
        for _ in 0..16 {
            let path = dir.join(format!(".feishu-download-{:016x}.part", fastrand::u64(..)));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file: Some(file),
                        persisted: false,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(io(dir, e)),
            }
        }
        Err(io(
            dir,
            last.unwrap_or_else(|| std::io::Error::other("no free temporary name")),
        ))
    }

    fn file(&mut self) -> Result<tokio::fs::File, Error> {
        self.file.take().ok_or_else(|| {
            io(
                &self.path,
                std::io::Error::other("the temporary file was already handed out"),
            )
        })
    }

    async fn persist(mut self, to: &Path) -> Result<(), Error> {
        tokio::fs::rename(&self.path, to)
            .await
            .map_err(|e| io(to, e))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.persisted {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
