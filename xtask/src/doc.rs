//! Reads a Feishu doc page in its markdown form (as in `tests/fixtures/export-meeting-list.md`).
//!
//! The page is read line by line. Every heading, table and text line must be one this parser knows;
//! anything else is an [`ImportError`] naming the line, so that a page in an unexpected shape never
//! turns into a silently wrong spec. The SDK example section (`调用示例`) is recognised and skipped.

use std::fmt;

use yaml_serde::Value;

/// A problem in the page, at a 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The 1-based line of the page where the problem is.
    pub line: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl ImportError {
    /// An error at `line`.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ImportError {}

/// A value and the line it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    /// The 1-based line.
    pub line: usize,
    /// The value.
    pub value: T,
}

/// A field type as written in the doc's 类型 column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// `string`
    String,
    /// `int`, `integer`
    Integer,
    /// `float`, `number`
    Number,
    /// `boolean`, `bool`
    Boolean,
    /// `object` (without nested field rows: the importer does not read those yet)
    Object,
    /// `<type>[]`
    Array(Box<FieldType>),
}

impl FieldType {
    /// Parses the 类型 column; `None` for a type the importer does not know.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(item) = text.strip_suffix("[]") {
            return Self::parse(item).map(|t| Self::Array(Box::new(t)));
        }
        Some(match text {
            "string" => Self::String,
            "int" | "integer" => Self::Integer,
            "float" | "number" => Self::Number,
            "boolean" | "bool" => Self::Boolean,
            "object" => Self::Object,
            _ => return None,
        })
    }

    /// The JSON Schema `type` of this type.
    pub fn json_type(&self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Object => "object",
            Self::Array(_) => "array",
        }
    }

    /// Reads a value written in the doc (an example, a default, an enum value) as this type.
    pub fn value(&self, text: &str) -> Result<Value, String> {
        let bad = || format!("`{text}` is not a valid {} value", self.json_type());
        match self {
            Self::String => Ok(Value::String(text.to_string())),
            Self::Integer => text.parse::<i64>().map(Value::from).map_err(|_| bad()),
            Self::Number => text.parse::<f64>().map(Value::from).map_err(|_| bad()),
            Self::Boolean => match text {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(bad()),
            },
            Self::Object | Self::Array(_) => {
                let value: Value = serde_json::from_str(text).map_err(|_| bad())?;
                let fits = match self {
                    Self::Object => value.is_mapping(),
                    _ => value.is_sequence(),
                };
                if fits {
                    Ok(value)
                } else {
                    Err(bad())
                }
            }
        }
    }
}

/// One row of a parameter or request-body table.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The line of the row.
    pub line: usize,
    /// 参数名
    pub name: String,
    /// 类型
    pub ty: FieldType,
    /// 必填 (是 / 否)
    pub required: bool,
    /// The description text of 描述, without the markers below.
    pub description: String,
    /// `**示例**`, typed.
    pub example: Option<Value>,
    /// `**默认值**`, typed.
    pub default: Option<Value>,
    /// `**可选值**`: each value, typed, with its meaning.
    pub enum_values: Vec<(Value, String)>,
}

/// One row of the 错误码 table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorRow {
    /// The line of the row.
    pub line: usize,
    /// HTTP状态码
    pub http: u16,
    /// 错误码
    pub code: i64,
    /// 描述 (Feishu's `msg`)
    pub msg: String,
    /// 排查建议
    pub advice: String,
}

/// Everything the importer reads from a page.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The `## …` title.
    pub title: Located<String>,
    /// The text under the title.
    pub description: String,
    /// The `HTTP URL` row (the full URL).
    pub url: Located<String>,
    /// The `HTTP Method` row, upper case.
    pub method: Located<String>,
    /// The `支持的访问令牌` row.
    pub access_tokens: Located<Vec<String>>,
    /// The `支持的应用类型` row.
    pub app_types: Vec<String>,
    /// The items of the `权限要求` rows: scopes (`vc:export`) and permission names alike.
    pub permissions: Vec<Located<String>>,
    /// `### 路径参数`
    pub path_params: Vec<Field>,
    /// `### 查询参数`
    pub query_params: Vec<Field>,
    /// `### 请求体`, if the page has that section.
    pub body: Option<Located<Vec<Field>>>,
    /// `**请求体示例**`
    pub request_example: Option<Located<Value>>,
    /// `**响应示例**`
    pub response_example: Option<Located<Value>>,
    /// `### 错误码`
    pub errors: Vec<ErrorRow>,
}

/// The access-token kinds a page may name.
pub const TOKEN_KINDS: &[&str] = &[
    "tenant_access_token",
    "user_access_token",
    "app_access_token",
];
/// The app types a page may name.
pub const APP_TYPES: &[&str] = &["custom", "isv"];
/// The HTTP methods a page may name.
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

const PARAM_HEADER: &[&str] = &["参数名", "类型", "必填", "描述"];
const ERROR_HEADER: &[&str] = &["HTTP状态码", "错误码", "描述", "排查建议"];
const BASIC_HEADER: &[&str] = &["基本", ""];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Intro,
    Request,
    PathParams,
    Query,
    Body,
    Response,
    Errors,
    SdkExamples,
}

impl Section {
    fn from_heading(level: usize, name: &str) -> Option<Self> {
        Some(match (level, name) {
            (2, "请求") => Self::Request,
            (3, "路径参数") => Self::PathParams,
            (3, "查询参数") => Self::Query,
            (3, "请求体") => Self::Body,
            (2 | 3, "响应") => Self::Response,
            (2 | 3, "错误码") => Self::Errors,
            (2 | 3, "调用示例") => Self::SdkExamples,
            _ => return None,
        })
    }

    /// The section as the page writes it, for messages.
    fn name(self) -> &'static str {
        match self {
            Self::Intro => "the text under the title",
            Self::Request => "`## 请求`",
            Self::PathParams => "`### 路径参数`",
            Self::Query => "`### 查询参数`",
            Self::Body => "`### 请求体`",
            Self::Response => "`### 响应`",
            Self::Errors => "`### 错误码`",
            Self::SdkExamples => "`### 调用示例`",
        }
    }

    fn table_header(self) -> Option<&'static [&'static str]> {
        match self {
            Self::Request => Some(BASIC_HEADER),
            Self::PathParams | Self::Query | Self::Body => Some(PARAM_HEADER),
            Self::Errors => Some(ERROR_HEADER),
            Self::Intro | Self::Response | Self::SdkExamples => None,
        }
    }
}

const KNOWN_SECTIONS: &str =
    "## 请求, ### 路径参数, ### 查询参数, ### 请求体, ### 响应, ### 错误码, ### 调用示例";

/// A markdown table being read: its header and whether the `| --- |` line was seen.
struct Table {
    columns: usize,
    separator_seen: bool,
}

#[derive(Default)]
struct Basic {
    url: Option<Located<String>>,
    method: Option<Located<String>>,
    tokens: Option<Located<Vec<String>>>,
    app_types: Option<Vec<String>>,
    permissions: Vec<Located<String>>,
}

/// Parses a doc page.
pub fn parse(text: &str) -> Result<Page, ImportError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    let title = match lines.get(i).and_then(|l| heading(l.trim())) {
        Some((2, name)) if !name.is_empty() => Located {
            line: i + 1,
            value: name.to_string(),
        },
        _ => {
            return Err(ImportError::new(
                i + 1,
                "expected the page title `## <title>`",
            ))
        }
    };
    i += 1;

    let mut section = Section::Intro;
    let mut seen: Vec<Section> = Vec::new();
    let mut table: Option<Table> = None;
    let mut tables_in_section = 0;
    let mut description: Vec<String> = Vec::new();
    let mut basic = Basic::default();
    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    let mut body: Option<Located<Vec<Field>>> = None;
    let mut request_example = None;
    let mut response_example = None;
    let mut errors = Vec::new();

    while i < lines.len() {
        let n = i + 1;
        let line = lines[i].trim();
        i += 1;

        if section == Section::SdkExamples {
            if line.starts_with("```") {
                // Skip the code block whole: its lines may look like headings.
                while i < lines.len() && !lines[i].trim().starts_with("```") {
                    i += 1;
                }
                if i == lines.len() {
                    return Err(ImportError::new(n, "code block is never closed"));
                }
                i += 1;
                continue;
            }
            match heading(line) {
                Some((level, _)) if level >= 4 => continue,
                None => continue,
                Some(_) => {}
            }
        }

        if line.is_empty() {
            table = None;
            continue;
        }

        if let Some((level, name)) = heading(line) {
            table = None;
            tables_in_section = 0;
            let next = Section::from_heading(level, name).ok_or_else(|| {
                ImportError::new(
                    n,
                    format!("unknown section `{line}` (known: {KNOWN_SECTIONS})"),
                )
            })?;
            if seen.contains(&next) {
                return Err(ImportError::new(
                    n,
                    format!("section `{line}` appears twice"),
                ));
            }
            if matches!(next, Section::PathParams | Section::Query | Section::Body)
                && !seen.contains(&Section::Request)
            {
                return Err(ImportError::new(
                    n,
                    format!("`{line}` must come after `## 请求`"),
                ));
            }
            if next == Section::Body {
                body = Some(Located {
                    line: n,
                    value: Vec::new(),
                });
            }
            seen.push(next);
            section = next;
            continue;
        }

        if line.starts_with('|') {
            let Some(expected) = section.table_header() else {
                return Err(ImportError::new(
                    n,
                    format!("unexpected table in {}", section.name()),
                ));
            };
            let cells = split_row(line)
                .ok_or_else(|| ImportError::new(n, "a table row must start and end with `|`"))?;
            match &mut table {
                None => {
                    tables_in_section += 1;
                    if tables_in_section > 1 {
                        return Err(ImportError::new(n, "a second table in the same section"));
                    }
                    if cells != expected {
                        return Err(ImportError::new(
                            n,
                            format!(
                                "table header is `{}`, expected `{}`",
                                cells.join(" | "),
                                expected.join(" | ")
                            ),
                        ));
                    }
                    table = Some(Table {
                        columns: expected.len(),
                        separator_seen: false,
                    });
                }
                Some(t) if !t.separator_seen => {
                    let is_separator = cells.len() == t.columns
                        && cells
                            .iter()
                            .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')));
                    if !is_separator {
                        return Err(ImportError::new(
                            n,
                            "expected the table's `| --- |` separator line",
                        ));
                    }
                    t.separator_seen = true;
                }
                Some(t) => {
                    if cells.len() != t.columns {
                        return Err(ImportError::new(
                            n,
                            format!(
                                "table row has {} columns, the header has {}",
                                cells.len(),
                                t.columns
                            ),
                        ));
                    }
                    match section {
                        Section::Request => basic_row(&mut basic, n, &cells)?,
                        Section::PathParams => path_params.push(field_row(n, &cells)?),
                        Section::Query => query_params.push(field_row(n, &cells)?),
                        Section::Body => body
                            .as_mut()
                            .expect("set on entering the section")
                            .value
                            .push(field_row(n, &cells)?),
                        Section::Errors => errors.push(error_row(n, &cells)?),
                        _ => unreachable!("sections without tables were refused above"),
                    }
                }
            }
            continue;
        }
        table = None;

        match (section, example_marker(line)) {
            (Section::Intro, None) if !line.starts_with("```") && !line.starts_with("**") => {
                description.push(line.to_string());
            }
            (Section::Body, Some("请求体示例")) => {
                if request_example.is_some() {
                    return Err(ImportError::new(n, "a second request example"));
                }
                let (example, next) = json_block(&lines, i, n)?;
                request_example = Some(example);
                i = next;
            }
            (Section::Response, Some("响应示例")) => {
                if response_example.is_some() {
                    return Err(ImportError::new(n, "a second response example"));
                }
                let (example, next) = json_block(&lines, i, n)?;
                response_example = Some(example);
                i = next;
            }
            _ => {
                return Err(ImportError::new(
                    n,
                    format!("unexpected text in {}: `{line}`", section.name()),
                ))
            }
        }
    }

    let end = lines.len().max(1);
    let request_line =
        |what: &str| ImportError::new(end, format!("the `## 请求` table has no `{what}` row"));
    Ok(Page {
        title,
        description: description.join("\n"),
        url: basic.url.ok_or_else(|| request_line("HTTP URL"))?,
        method: basic.method.ok_or_else(|| request_line("HTTP Method"))?,
        access_tokens: basic.tokens.ok_or_else(|| request_line("支持的访问令牌"))?,
        app_types: basic.app_types.unwrap_or_default(),
        permissions: basic.permissions,
        path_params,
        query_params,
        body,
        request_example,
        response_example,
        errors,
    })
}

/// `## name` → `(2, "name")`.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    if level == 0 {
        return None;
    }
    let rest = &line[level..];
    if rest.is_empty() {
        return Some((level, ""));
    }
    rest.strip_prefix(' ').map(|name| (level, name.trim()))
}

/// `**请求体示例**:` → `Some("请求体示例")`.
fn example_marker(line: &str) -> Option<&str> {
    let inner = line.strip_prefix("**")?;
    let (name, rest) = inner.split_once("**")?;
    matches!(rest.trim(), ":" | "：").then_some(name)
}

/// Reads the ```json block that follows an example marker at `marker_line`, starting at index `i`.
/// Returns the parsed example and the index after the closing fence.
fn json_block(
    lines: &[&str],
    mut i: usize,
    marker_line: usize,
) -> Result<(Located<Value>, usize), ImportError> {
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    let fence = i + 1;
    match lines.get(i).map(|l| l.trim()) {
        Some("```json" | "```") => {}
        _ => {
            return Err(ImportError::new(
                marker_line,
                "an example marker must be followed by a ```json code block",
            ))
        }
    }
    i += 1;
    let start = i;
    while i < lines.len() && lines[i].trim() != "```" {
        i += 1;
    }
    if i == lines.len() {
        return Err(ImportError::new(fence, "code block is never closed"));
    }
    let text = lines[start..i].join("\n");
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        ImportError::new(
            fence + e.line(),
            format!("the example is not valid JSON: {e}"),
        )
    })?;
    Ok((Located { line: fence, value }, i + 1))
}

/// `| a | b |` → `["a", "b"]`; `\|` is a literal bar.
fn split_row(line: &str) -> Option<Vec<String>> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?;
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    cells.push(cell.trim().to_string());
    Some(cells)
}

/// Splits a cell at `<br>` (also `<br/>`, `<br />`), trimming each part.
fn split_br(cell: &str) -> Vec<String> {
    cell.replace("<br />", "<br>")
        .replace("<br/>", "<br>")
        .split("<br>")
        .map(|p| p.trim().to_string())
        .collect()
}

/// Splits a list written with commas and/or spaces.
fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn basic_row(basic: &mut Basic, n: usize, cells: &[String]) -> Result<(), ImportError> {
    let (key, value) = (cells[0].as_str(), cells[1].as_str());
    let twice = || ImportError::new(n, format!("`{key}` appears twice"));
    match key {
        "HTTP URL" => {
            if basic.url.is_some() {
                return Err(twice());
            }
            let url = value.trim_matches('`').trim();
            basic.url = Some(Located {
                line: n,
                value: url.to_string(),
            });
        }
        "HTTP Method" => {
            if basic.method.is_some() {
                return Err(twice());
            }
            if !METHODS.contains(&value) {
                return Err(ImportError::new(
                    n,
                    format!("HTTP method `{value}` is not one of {}", METHODS.join(", ")),
                ));
            }
            basic.method = Some(Located {
                line: n,
                value: value.to_string(),
            });
        }
        "支持的访问令牌" => {
            if basic.tokens.is_some() {
                return Err(twice());
            }
            let kinds = split_list(value);
            if let Some(bad) = kinds.iter().find(|k| !TOKEN_KINDS.contains(&k.as_str())) {
                return Err(ImportError::new(
                    n,
                    format!("unknown access token kind `{bad}` (known: {})", TOKEN_KINDS.join(", ")),
                ));
            }
            if kinds.is_empty() {
                return Err(ImportError::new(n, "no access token kind"));
            }
            basic.tokens = Some(Located { line: n, value: kinds });
        }
        "支持的应用类型" => {
            if basic.app_types.is_some() {
                return Err(twice());
            }
            let types = split_list(value);
            if let Some(bad) = types.iter().find(|t| !APP_TYPES.contains(&t.as_str())) {
                return Err(ImportError::new(
                    n,
                    format!("unknown app type `{bad}` (known: {})", APP_TYPES.join(", ")),
                ));
            }
            basic.app_types = Some(types);
        }
        "权限要求" => {
            for item in split_br(value).into_iter().filter(|p| !p.is_empty()) {
                basic.permissions.push(Located { line: n, value: item });
            }
        }
        _ => {
            return Err(ImportError::new(
                n,
                format!(
                    "unknown row `{key}` in the `## 请求` table (known: HTTP URL, HTTP Method, 支持的访问令牌, 支持的应用类型, 权限要求)"
                ),
            ))
        }
    }
    Ok(())
}

fn field_row(n: usize, cells: &[String]) -> Result<Field, ImportError> {
    let err = |message: String| ImportError::new(n, message);
    let name = cells[0].as_str();
    let name_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !name_ok {
        return Err(err(format!(
            "field name `{name}` is not a plain identifier (nested `∟` rows are not supported)"
        )));
    }
    let ty = FieldType::parse(&cells[1]).ok_or_else(|| {
        err(format!(
            "unknown type `{}` (known: string, int, integer, float, number, boolean, bool, object, and <type>[])",
            cells[1]
        ))
    })?;
    let required = match cells[2].as_str() {
        "是" => true,
        "否" => false,
        other => return Err(err(format!("required flag `{other}` is neither 是 nor 否"))),
    };

    let mut description = Vec::new();
    let mut example = None;
    let mut default = None;
    let mut enum_values = Vec::new();
    let mut in_enum = false;
    let mut after_marker = false;
    for part in split_br(&cells[3]) {
        if part.is_empty() {
            continue;
        }
        if let Some(rest) = part.strip_prefix("**") {
            let (marker, value) = rest
                .split_once("**")
                .ok_or_else(|| err(format!("unclosed `**` in `{part}`")))?;
            let value = value.trim_start_matches([':', '：']).trim();
            after_marker = true;
            in_enum = false;
            let typed = |what: &str| {
                ty.value(value)
                    .map_err(|e| err(format!("{name}: {what}: {e}")))
            };
            match marker {
                "示例" if example.is_none() => example = Some(typed("示例")?),
                "默认值" if default.is_none() => default = Some(typed("默认值")?),
                "可选值" if enum_values.is_empty() => {
                    if !value.is_empty() {
                        return Err(err(format!("{name}: put each 可选值 after a `<br>- `")));
                    }
                    in_enum = true;
                }
                "示例" | "默认值" | "可选值" => {
                    return Err(err(format!("{name}: `**{marker}**` appears twice")))
                }
                other => {
                    return Err(err(format!(
                        "{name}: unknown marker `**{other}**` (known: 示例, 默认值, 可选值)"
                    )))
                }
            }
        } else if let Some(item) = part.strip_prefix("- ").filter(|_| in_enum) {
            let (value, meaning) = item
                .split_once(':')
                .or_else(|| item.split_once('：'))
                .ok_or_else(|| {
                    err(format!(
                        "{name}: enum item `{item}` is not `<value>: <meaning>`"
                    ))
                })?;
            let (value, meaning) = (value.trim(), meaning.trim());
            if meaning.is_empty() {
                return Err(err(format!("{name}: enum value `{value}` has no meaning")));
            }
            let typed = ty
                .value(value)
                .map_err(|e| err(format!("{name}: 可选值: {e}")))?;
            if enum_values.iter().any(|(v, _)| *v == typed) {
                return Err(err(format!("{name}: enum value `{value}` appears twice")));
            }
            enum_values.push((typed, meaning.to_string()));
        } else if after_marker {
            return Err(err(format!(
                "{name}: unexpected text `{part}` after a `**…**` marker"
            )));
        } else {
            description.push(part);
        }
    }
    if in_enum && enum_values.is_empty() {
        return Err(err(format!("{name}: `**可选值**` lists no value")));
    }
    Ok(Field {
        line: n,
        name: name.to_string(),
        ty,
        required,
        description: description.join("\n"),
        example,
        default,
        enum_values,
    })
}

fn error_row(n: usize, cells: &[String]) -> Result<ErrorRow, ImportError> {
    let http = cells[0]
        .parse::<u16>()
        .ok()
        .filter(|s| (400..600).contains(s))
        .ok_or_else(|| {
            ImportError::new(
                n,
                format!("HTTP status `{}` is not a 4xx/5xx number", cells[0]),
            )
        })?;
    let code = cells[1]
        .parse::<i64>()
        .map_err(|_| ImportError::new(n, format!("error code `{}` is not a number", cells[1])))?;
    if cells[2].is_empty() {
        return Err(ImportError::new(n, "error row without 描述"));
    }
    Ok(ErrorRow {
        line: n,
        http,
        code,
        msg: cells[2].clone(),
        advice: cells[3].clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_split_on_unescaped_bars() {
        assert_eq!(split_row("| a | b \\| c |").unwrap(), vec!["a", "b | c"]);
        assert_eq!(split_row("| 基本 | |").unwrap(), vec!["基本", ""]);
        assert!(split_row("a | b").is_none());
    }

    #[test]
    fn types_parse() {
        assert_eq!(FieldType::parse("int"), Some(FieldType::Integer));
        assert_eq!(
            FieldType::parse("string[]"),
            Some(FieldType::Array(Box::new(FieldType::String)))
        );
        assert_eq!(FieldType::parse("strin"), None);
        assert_eq!(FieldType::Integer.value("2").unwrap(), Value::from(2));
        assert!(FieldType::Integer.value("two").is_err());
    }

    #[test]
    fn markers_are_recognised() {
        assert_eq!(example_marker("**请求体示例**:"), Some("请求体示例"));
        assert_eq!(example_marker("**响应示例**："), Some("响应示例"));
        assert_eq!(example_marker("**bold** text"), None);
    }
}
