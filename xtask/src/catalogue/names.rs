//! Names: the catalogue's operationIds and tags in this crate's convention, and the Rust-facing
//! names of the component schemas the importer makes (from the operation and the property path,
//! never the catalogue's `Schema`/`Data2`).

/// `vc_export_meeting_list` of project `vc` → `export_meeting_list`: the catalogue's
/// `<project>_<resource>_<method>` without the project, camelCase words made snake_case
/// (`report_detail_row_batchDelete` → `report_detail_row_batch_delete`). `None` when the id
/// does not start with the project or is not a `<resource>_<method>` identifier afterwards.
pub fn operation_id(project: &str, catalogue_id: &str) -> Option<String> {
    let rest = catalogue_id.strip_prefix(project)?.strip_prefix('_')?;
    let id = snake(rest);
    crate::lint::is_operation_id(&id).then_some(id)
}

/// camelCase → snake_case (`batchDelete` → `batch_delete`); snake_case stays as it is.
pub fn snake(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for (i, c) in text.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The catalogue's tag (`export`, `meeting.recording`) as `<service>.<resource>`
/// (`vc.export`, `vc.meeting_recording`).
pub fn tag(service: &str, catalogue_tag: &str) -> String {
    format!(
        "{service}.{}",
        snake(&catalogue_tag.replace(['.', '-'], "_"))
    )
}

/// PascalCase of an identifier in any of the catalogue's spellings: `export_meeting_list`,
/// `textRun`, `i18n_name` → `ExportMeetingList`, `TextRun`, `I18nName`. Characters other than
/// ASCII letters and digits separate words; a leading digit gets a `N` before it.
pub fn pascal(text: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    out
}

/// The name of one element of an array property: `items` → `item`, `users` → `user`,
/// `categories` → `category`, `addresses` → `address`; a name that is not a plural gets `_item`
/// (`data` → `data_item`).
pub fn singular(name: &str) -> String {
    let irregular = [
        ("children", "child"),
        ("people", "person"),
        ("data", "data_item"),
    ];
    if let Some((_, one)) = irregular.iter().find(|(many, _)| *many == name) {
        return (*one).to_string();
    }
    if let Some(stem) = name.strip_suffix("ies").filter(|s| !s.is_empty()) {
        return format!("{stem}y");
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if name.ends_with(suffix) {
            return name[..name.len() - 2].to_string();
        }
    }
    if let Some(stem) = name
        .strip_suffix('s')
        .filter(|s| !s.is_empty() && !s.ends_with('s') && !name.ends_with("us"))
    {
        return stem.to_string();
    }
    format!("{name}_item")
}

/// `name` as typify spells a schema name in Rust (heck's PascalCase: words split at case
/// changes, each word capitalised and the rest lowercased). For most names it is `name`; after
/// digits it may differ (`…V1I18nNames` → `…V1i18nNames`). Event schemas are named this way so
/// that a schema's name is its Rust type's.
pub fn rust_spelling(name: &str) -> String {
    #[derive(PartialEq, Clone, Copy)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    let mut words: Vec<&str> = Vec::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let (mut init, mut mode) = (0, Mode::Boundary);
        for (k, &(i, c)) in chars.iter().enumerate() {
            let Some(&(next_i, next)) = chars.get(k + 1) else {
                words.push(&word[init..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                words.push(&word[init..next_i]);
                (init, mode) = (next_i, Mode::Boundary);
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                words.push(&word[init..i]);
                (init, mode) = (i, Mode::Boundary);
            } else {
                mode = next_mode;
            }
        }
    }
    words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first
                .into_iter()
                .chain(chars.map(|c| c.to_ascii_lowercase()))
                .collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_become_ours() {
        assert_eq!(
            operation_id("vc", "vc_export_meeting_list").as_deref(),
            Some("export_meeting_list")
        );
        assert_eq!(
            operation_id("im", "im_message_create").as_deref(),
            Some("message_create")
        );
        assert_eq!(
            operation_id("corehr", "corehr_report_detail_row_batchDelete").as_deref(),
            Some("report_detail_row_batch_delete")
        );
        assert_eq!(operation_id("vc", "im_message_create"), None);
        assert_eq!(operation_id("vc", "vc_export"), None);
    }

    #[test]
    fn tags_and_type_names() {
        assert_eq!(tag("vc", "meeting.recording"), "vc.meeting_recording");
        assert_eq!(pascal("export_meeting_list"), "ExportMeetingList");
        assert_eq!(pascal("textRun"), "TextRun");
        assert_eq!(pascal("i18n_name"), "I18nName");
        assert_eq!(pascal("1st"), "N1st");
        assert_eq!(singular("items"), "item");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("status"), "status_item");
        assert_eq!(singular("data"), "data_item");
        assert_eq!(
            rust_spelling("MessageReceiveV1Message"),
            "MessageReceiveV1Message"
        );
        assert_eq!(
            rust_spelling("ChatMemberUserDeletedV1I18nNames"),
            "ChatMemberUserDeletedV1i18nNames"
        );
        assert_eq!(rust_spelling("TagInfoI18nName"), "TagInfoI18nName");
        assert_eq!(rust_spelling("P2pChatCreateEvent"), "P2pChatCreateEvent");
        assert_eq!(rust_spelling("HTTPServer"), "HttpServer");
    }
}
