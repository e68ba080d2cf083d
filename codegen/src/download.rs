//! Downloads: every operation whose 200 answer is not JSON gets `download()` (see
//! `crate::download` of the client crate); the name a file gets when Feishu offers none.

use std::collections::BTreeMap;

use super::tokens::pascal;

/// For each operation whose answer is a file, keyed by its builder's name (the operationId in
/// PascalCase, as progenitor names it): the name a download gets when Feishu offers none,
/// `<operationId>.<extension of the declared media type>`.
pub fn download_names(
    operations: &[(String, Option<String>)],
) -> BTreeMap<String, (String, &'static str)> {
    operations
        .iter()
        .filter_map(|(id, media_type)| {
            let ext = extension(media_type.as_deref()?);
            Some((pascal(id), (id.clone(), ext)))
        })
        .collect()
}

/// The usual file extension of a media type; `bin` for one without.
fn extension(media_type: &str) -> &'static str {
    match media_type.split(';').next().unwrap_or_default().trim() {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "text/csv" => "csv",
        _ => "bin",
    }
}
