//! An error code as an operation's spec documents it.

/// One row of an operation's error table (`x-feishu-errors` in its spec), generated into the
/// client: what Feishu's code means for this operation. Attached to an
/// [`ApiError`](crate::ApiError) whose code the operation documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentedError {
    /// The code, e.g. 121003.
    pub code: i64,
    /// The HTTP status the doc gives it (Feishu also sends some inside an HTTP 200).
    pub http_status: u16,
    /// The doc's short message, e.g. `param error`.
    pub msg: &'static str,
    /// What to do about it, when the spec says.
    pub advice: Option<&'static str>,
    /// Whether the same request may succeed when sent again (the runtime retries it).
    pub retryable: bool,
}

impl DocumentedError {
    /// A row, as the generated tables write it (the struct is `non_exhaustive` for everybody
    /// else). Not part of the API.
    #[doc(hidden)]
    pub const fn __row(
        code: i64,
        http_status: u16,
        msg: &'static str,
        advice: Option<&'static str>,
        retryable: bool,
    ) -> Self {
        Self {
            code,
            http_status,
            msg,
            advice,
            retryable,
        }
    }
}
