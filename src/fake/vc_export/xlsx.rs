//! The file an export downloads: a real `.xlsx` workbook (a minimal Office Open XML package, a
//! ZIP archive with stored entries, written by the `zip` crate) with one row per meeting.

use std::io::{Cursor, Write};

use bytes::Bytes;
use zip::result::ZipResult;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::task::ExportTask;
use crate::vc::{MeetingStatus, MeetingType};

/// The workbook's content type, as a spreadsheet download is labelled.
pub(super) const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The columns of the meeting list, as Feishu's export names them.
const COLUMNS: [&str; 8] = [
    "会议主题",
    "会议号",
    "会议类型",
    "会议状态",
    "组织者",
    "开始时间",
    "结束时间",
    "参会人数",
];

/// How many meetings the fake's export lists.
pub(super) const MEETING_ROWS: usize = 3;

/// The meeting-list workbook of `task`: a header row and [`MEETING_ROWS`] meetings inside the
/// task's time range, following its filter.
pub(super) fn meeting_list(task: &ExportTask) -> Bytes {
    let request = &task.request;
    let (start, end) = (request.start_time.as_secs(), request.end_time.as_secs());
    let meeting_type = match request.meeting_type {
        Some(MeetingType::ScreenCast) => "本地投屏",
        _ => "视频会议",
    };
    let status = match request.meeting_status {
        Some(MeetingStatus::Ongoing) => "进行中",
        Some(MeetingStatus::Upcoming) => "待召开",
        _ => "已结束",
    };
    let mut rows = vec![COLUMNS.iter().map(|c| Cell::Text(c.to_string())).collect()];
    for i in 0..MEETING_ROWS as u64 {
        let begins = start + (end - start) * i / MEETING_ROWS as u64;
        let ends = (begins + 1800).min(end.max(begins));
        let meeting_no = match &request.meeting_no {
            Some(no) => no.to_string(),
            None => format!("{}", 700_000_001 + i * 111_111),
        };
        let organizer = match &request.user_id {
            Some(user) => user.to_string(),
            None => format!("ou_fake{:025}", i + 1),
        };
        let topic = match &request.room_id {
            Some(room) => format!("会议 {} ({room})", i + 1),
            None => format!("会议 {}", i + 1),
        };
        rows.push(vec![
            Cell::Text(topic),
            Cell::Text(meeting_no),
            Cell::Text(meeting_type.into()),
            Cell::Text(status.into()),
            Cell::Text(organizer),
            Cell::Text(china_time(begins)),
            Cell::Text(china_time(ends)),
            Cell::Number(2 + i),
        ]);
    }
    Bytes::from(workbook("会议明细", &rows))
}

/// One cell of a row.
enum Cell {
    Text(String),
    Number(u64),
}

/// A workbook with one sheet of `rows`.
fn workbook(sheet_name: &str, rows: &[Vec<Cell>]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

    let content_types = format!(
        r#"{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#
    );
    let root_rels = format!(
        r#"{DECL}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let workbook = format!(
        r#"{DECL}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        escape(sheet_name)
    );
    let workbook_rels = format!(
        r#"{DECL}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#
    );
    let styles = format!(
        r#"{DECL}<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#
    );
    let mut sheet = format!(r#"{DECL}<worksheet xmlns="{MAIN}"><sheetData>"#);
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", column(c), r + 1);
            match cell {
                Cell::Text(text) => sheet.push_str(&format!(
                    r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#,
                    escape(text)
                )),
                Cell::Number(n) => sheet.push_str(&format!(r#"<c r="{at}"><v>{n}</v></c>"#)),
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");

    stored_zip(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/styles.xml", styles.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

/// `A`, `B`, … `Z`, `AA`, …: the letters of column `index` (0-based).
fn column(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` in China Standard Time (UTC+8), as Feishu shows times.
pub(super) fn china_time(secs: u64) -> String {
    let local = secs + 8 * 3600;
    let (days, rest) = (local / 86_400, local % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `YYYYMMDD` in China Standard Time.
pub(super) fn china_date(secs: u64) -> String {
    let (y, m, d) = civil_from_days(((secs + 8 * 3600) / 86_400) as i64);
    format!("{y:04}{m:02}{d:02}")
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A ZIP archive whose entries are stored (not compressed), as the format allows, dated
/// 1980-01-01 00:00:00 (the earliest DOS time) so that the same rows give the same bytes.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    // Only the writer could fail, and one in memory does not (nor do a few small entries reach a
    // limit of the format).
    write_stored(entries).expect("a small archive is written to memory")
}

fn write_stored(entries: &[(&str, &[u8])]) -> ZipResult<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default());
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        zip.start_file(*name, options)?;
        zip.write_all(data)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_dates() {
        assert_eq!(column(0), "A");
        assert_eq!(column(25), "Z");
        assert_eq!(column(26), "AA");
        assert_eq!(column(27), "AB");
        assert_eq!(china_time(1_655_276_858), "2022-06-15 15:07:38");
        assert_eq!(china_time(0), "1970-01-01 08:00:00");
        assert_eq!(china_date(1_709_222_400), "20240301");
    }

    #[test]
    fn the_archive_has_its_entries_and_ends_with_the_directory() {
        let zip = stored_zip(&[("a.txt", b"hello"), ("b/c.xml", b"<x/>")]);
        assert_eq!(&zip[..4], b"PK\x03\x04");
        let end = &zip[zip.len() - 22..];
        assert_eq!(&end[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 2);
        let cd_offset = u32::from_le_bytes([end[16], end[17], end[18], end[19]]) as usize;
        assert_eq!(&zip[cd_offset..cd_offset + 4], b"PK\x01\x02");
        // The first entry: stored (method 0), dated 1980-01-01 00:00, CRC-32 of "hello".
        assert_eq!(u16::from_le_bytes([zip[8], zip[9]]), 0);
        assert_eq!(u16::from_le_bytes([zip[10], zip[11]]), 0);
        assert_eq!(u16::from_le_bytes([zip[12], zip[13]]), (1 << 5) | 1);
        assert_eq!(
            u32::from_le_bytes([zip[14], zip[15], zip[16], zip[17]]),
            0x3610_A686
        );
        assert_eq!(
            stored_zip(&[("a.txt", b"hello")]),
            stored_zip(&[("a.txt", b"hello")])
        );
    }
}
