//! Turns a parsed doc page ([`crate::doc::Page`]) into an OpenAPI fragment: the path item and
//! the component schemas it uses, ready to merge into `openapi/<service>.yaml`.
//!
//! ## Naming
//!
//! From the path `/open-apis/<service>/<version>/<segments…>`:
//! - the **resource** is the first segment, made singular (`exports` → `export`,
//!   `categories` → `category`; a name ending in `ss` stays as it is);
//! - the **method** is the other literal segments joined by `_` (path parameters are left out),
//!   or, when there are none, a verb from the HTTP method: `GET …/{id}` → `get`, `GET` → `list`,
//!   `POST` → `create`, `PUT` → `update`, `PATCH` → `patch`, `DELETE` → `delete`;
//! - the **operationId** is `<resource>_<method>` and the **tag** `<service>.<resource>`:
//!   `POST /open-apis/vc/v1/exports/meeting_list` → `export_meeting_list`, tag `vc.export`;
//!   `GET /open-apis/vc/v1/exports/{task_id}` → `export_get`;
//! - schemas are named after the operationId in UpperCamelCase: `<Op>Request` (the body),
//!   `<Op>Response` (the success envelope) and `<Op>ResponseData` (its `data`).
//!
//! Nested resources (`/chats/{chat_id}/members`) give names like `chat_members`; pass
//! [`Options::operation_id`] and [`Options::tag`] where the rule reads badly.

use yaml_serde::{Mapping, Value};

use crate::doc::{Field, FieldType, ImportError, Page};

/// The shared `user_id_type` query parameter of every spec.
pub const USER_ID_TYPE_REF: &str = "#/components/parameters/user_id_type";
/// The shared error response of every spec.
pub const FEISHU_ERROR_REF: &str = "#/components/responses/FeishuError";

/// Choices the page does not make.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overrides the derived operationId.
    pub operation_id: Option<String>,
    /// Overrides the derived tag.
    pub tag: Option<String>,
}

/// The names derived from a path and method (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Naming {
    /// The path as OpenAPI writes it (`{param}`), without the host.
    pub path: String,
    /// `vc`
    pub service: String,
    /// `export`
    pub resource: String,
    /// `export_meeting_list`
    pub operation_id: String,
    /// `vc.export`
    pub tag: String,
}

impl Naming {
    /// Derives the names from a full doc URL (`https://open.feishu.cn/open-apis/…`, path
    /// parameters written `:name` or `{name}`) and an HTTP method.
    pub fn derive(url: &str, method: &str) -> Result<Self, String> {
        let path = ["https://open.feishu.cn", "https://open.larksuite.com"]
            .iter()
            .find_map(|host| url.strip_prefix(host))
            .ok_or_else(|| {
                format!(
                    "URL `{url}` is not on https://open.feishu.cn or https://open.larksuite.com"
                )
            })?;
        let rest = path
            .strip_prefix("/open-apis/")
            .ok_or_else(|| format!("path `{path}` does not start with /open-apis/"))?;
        let segments: Vec<&str> = rest.split('/').collect();
        let [service, version, first, more @ ..] = segments.as_slice() else {
            return Err(format!(
                "path `{path}` is not /open-apis/<service>/<version>/<resource>…"
            ));
        };
        let is_name = |s: &str| {
            s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if !is_name(service) {
            return Err(format!(
                "service `{service}` in `{path}` is not a lower-case name"
            ));
        }
        if !(version.starts_with('v')
            && version.len() > 1
            && version[1..].chars().all(|c| c.is_ascii_digit()))
        {
            return Err(format!("`{version}` in `{path}` is not a version like v1"));
        }
        let mut openapi_path = format!("/open-apis/{service}/{version}");
        let mut literals = Vec::new();
        let mut ends_with_param = false;
        for (i, segment) in std::iter::once(first).chain(more).enumerate() {
            let param = segment
                .strip_prefix(':')
                .or_else(|| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')));
            match param {
                Some(_) if i == 0 => {
                    return Err(format!(
                        "`{path}` has a path parameter where the resource should be"
                    ))
                }
                Some(name) if is_name(name) => {
                    openapi_path.push_str(&format!("/{{{name}}}"));
                    ends_with_param = true;
                }
                Some(name) => {
                    return Err(format!("path parameter `{name}` is not a snake_case name"))
                }
                None if is_name(segment) => {
                    openapi_path.push('/');
                    openapi_path.push_str(segment);
                    literals.push(*segment);
                    ends_with_param = false;
                }
                None => {
                    return Err(format!(
                        "segment `{segment}` of `{path}` is not a snake_case name"
                    ))
                }
            }
        }
        let resource = singular(literals[0]);
        let method_name = if literals.len() > 1 {
            literals[1..].join("_")
        } else {
            match (method, ends_with_param) {
                ("GET", true) => "get",
                ("GET", false) => "list",
                ("POST", _) => "create",
                ("PUT", _) => "update",
                ("PATCH", _) => "patch",
                ("DELETE", _) => "delete",
                (other, _) => return Err(format!("HTTP method `{other}` is not supported")),
            }
            .to_string()
        };
        Ok(Self {
            path: openapi_path,
            service: service.to_string(),
            operation_id: format!("{resource}_{method_name}"),
            tag: format!("{service}.{resource}"),
            resource,
        })
    }
}

/// `exports` → `export`, `categories` → `category`, `access` → `access`.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") {
        word.to_string()
    } else {
        word.strip_suffix('s').unwrap_or(word).to_string()
    }
}

/// `export_meeting_list` → `ExportMeetingList`.
pub fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether a 权限要求 item is a scope (`vc:export`, `contact:user.employee_id:readonly`)
/// rather than a permission's display name.
pub fn looks_like_scope(item: &str) -> bool {
    let mut parts = item.split(':');
    let first_ok = parts.next().is_some_and(|p| {
        p.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    });
    let mut rest = parts.peekable();
    first_ok
        && rest.peek().is_some()
        && rest.all(|p| {
            !p.is_empty()
                && p.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-')
                })
        })
}

/// A YAML mapping from `(key, value)` pairs, in order.
fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Mapping(
        entries
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect(),
    )
}

fn strings<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
    Value::Sequence(items.into_iter().map(|s| Value::String(s.into())).collect())
}

fn push(m: &mut Mapping, key: &str, value: Value) {
    m.insert(Value::from(key), value);
}

/// Imports a doc page: returns the YAML fragment `{paths: {<path>: {<method>: …}},
/// components: {schemas: …}}`.
pub fn import(page: &Page, options: &Options) -> Result<Value, ImportError> {
    let url_line = page.url.line;
    let naming = Naming::derive(&page.url.value, &page.method.value)
        .map_err(|e| ImportError::new(url_line, e))?;
    let op_id = options
        .operation_id
        .clone()
        .unwrap_or(naming.operation_id.clone());
    let tag = options.tag.clone().unwrap_or(naming.tag.clone());
    let type_prefix = upper_camel(&op_id);
    let mut schemas = Mapping::new();

    let mut op = Mapping::new();
    push(&mut op, "operationId", Value::from(op_id.as_str()));
    push(&mut op, "tags", strings([tag]));
    push(&mut op, "summary", Value::from(page.title.value.as_str()));
    if !page.description.is_empty() {
        push(
            &mut op,
            "description",
            Value::from(page.description.as_str()),
        );
    }
    let security = page
        .access_tokens
        .value
        .iter()
        .map(|kind| map([(kind.as_str(), Value::Sequence(vec![]))]))
        .collect();
    push(&mut op, "security", Value::Sequence(security));
    let (scopes, permissions): (Vec<_>, Vec<_>) = page
        .permissions
        .iter()
        .map(|p| p.value.as_str())
        .partition(|p| looks_like_scope(p));
    push(&mut op, "x-feishu-scopes", strings(scopes));
    if !permissions.is_empty() {
        push(&mut op, "x-feishu-permissions", strings(permissions));
    }
    if !page.app_types.is_empty() {
        push(
            &mut op,
            "x-feishu-app-types",
            strings(page.app_types.iter().cloned()),
        );
    }
    if !page.errors.is_empty() {
        let errors = page
            .errors
            .iter()
            .map(|e| {
                map([
                    ("http", Value::from(e.http)),
                    ("code", Value::from(e.code)),
                    ("msg", Value::from(e.msg.as_str())),
                    ("advice", Value::from(e.advice.as_str())),
                ])
            })
            .collect();
        push(&mut op, "x-feishu-errors", Value::Sequence(errors));
    }

    let mut parameters = Vec::new();
    let declared: Vec<&str> = naming
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    for field in &page.path_params {
        if !declared.contains(&field.name.as_str()) {
            return Err(ImportError::new(
                field.line,
                format!("path parameter `{}` is not in the URL", field.name),
            ));
        }
        if !field.required {
            return Err(ImportError::new(
                field.line,
                "a path parameter is always required (是)",
            ));
        }
        parameters.push(parameter(field, "path")?);
    }
    if let Some(missing) = declared
        .iter()
        .find(|d| !page.path_params.iter().any(|f| f.name == **d))
    {
        return Err(ImportError::new(
            url_line,
            format!("the URL's path parameter `{missing}` has no row under `### 路径参数`"),
        ));
    }
    for field in &page.query_params {
        if field.name == "user_id_type" {
            if field.ty != FieldType::String || field.required {
                return Err(ImportError::new(
                    field.line,
                    "user_id_type is expected to be an optional string (the shared parameter)",
                ));
            }
            parameters.push(map([("$ref", Value::from(USER_ID_TYPE_REF))]));
        } else {
            parameters.push(parameter(field, "query")?);
        }
    }
    if !parameters.is_empty() {
        push(&mut op, "parameters", Value::Sequence(parameters));
    }

    match (&page.body, &page.request_example) {
        (Some(body), example) => {
            if body.value.is_empty() {
                return Err(ImportError::new(
                    body.line,
                    "`### 请求体` has no field rows",
                ));
            }
            let name = format!("{type_prefix}Request");
            schemas.insert(Value::from(name.as_str()), object_schema(&body.value)?);
            let mut media = Mapping::new();
            push(&mut media, "schema", schema_ref(&name));
            if let Some(example) = example {
                push(&mut media, "example", example.value.clone());
            }
            push(
                &mut op,
                "requestBody",
                map([
                    ("required", Value::Bool(true)),
                    (
                        "content",
                        map([("application/json", Value::Mapping(media))]),
                    ),
                ]),
            );
        }
        (None, Some(example)) => {
            return Err(ImportError::new(
                example.line,
                "a request example without `### 请求体`",
            ));
        }
        (None, None) => {}
    }

    let example = page.response_example.as_ref().ok_or_else(|| {
        ImportError::new(
            page.title.line,
            "the page has no `**响应示例**` to type the response from",
        )
    })?;
    let envelope = response_schemas(&example.value, &type_prefix, &mut schemas)
        .map_err(|e| ImportError::new(example.line, format!("response example: {e}")))?;
    let error = || map([("$ref", Value::from(FEISHU_ERROR_REF))]);
    push(
        &mut op,
        "responses",
        map([
            (
                "200",
                map([
                    ("description", Value::from("Success (code 0).")),
                    (
                        "content",
                        map([(
                            "application/json",
                            map([
                                ("schema", schema_ref(&envelope)),
                                ("example", example.value.clone()),
                            ]),
                        )]),
                    ),
                ]),
            ),
            ("4XX", error()),
            ("5XX", error()),
        ]),
    );

    let method = page.method.value.to_ascii_lowercase();
    let mut path_item = Mapping::new();
    path_item.insert(Value::from(method), Value::Mapping(op));
    let mut paths = Mapping::new();
    paths.insert(Value::from(naming.path.as_str()), Value::Mapping(path_item));
    Ok(map([
        ("paths", Value::Mapping(paths)),
        ("components", map([("schemas", Value::Mapping(schemas))])),
    ]))
}

fn schema_ref(name: &str) -> Value {
    map([("$ref", Value::from(format!("#/components/schemas/{name}")))])
}

fn parameter(field: &Field, location: &str) -> Result<Value, ImportError> {
    let mut m = Mapping::new();
    push(&mut m, "name", Value::from(field.name.as_str()));
    push(&mut m, "in", Value::from(location));
    push(&mut m, "required", Value::Bool(field.required));
    if !field.description.is_empty() {
        push(
            &mut m,
            "description",
            Value::from(field.description.as_str()),
        );
    }
    // The description and example belong to the parameter, the rest to its schema.
    let mut schema = field_schema(field)?;
    if let Value::Mapping(s) = &mut schema {
        s.remove("description");
        s.remove("example");
    }
    push(&mut m, "schema", schema);
    if let Some(example) = &field.example {
        push(&mut m, "example", example.clone());
    }
    Ok(Value::Mapping(m))
}

/// The schema of a table of fields: an object with `required` and `properties`.
fn object_schema(fields: &[Field]) -> Result<Value, ImportError> {
    let mut properties = Mapping::new();
    for field in fields {
        if properties.contains_key(field.name.as_str()) {
            return Err(ImportError::new(
                field.line,
                format!("field `{}` appears twice", field.name),
            ));
        }
        properties.insert(Value::from(field.name.as_str()), field_schema(field)?);
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name.as_str())
        .collect();
    let mut m = Mapping::new();
    push(&mut m, "type", Value::from("object"));
    if !required.is_empty() {
        push(&mut m, "required", strings(required));
    }
    push(&mut m, "properties", Value::Mapping(properties));
    Ok(Value::Mapping(m))
}

fn type_schema(ty: &FieldType) -> Mapping {
    let mut m = Mapping::new();
    push(&mut m, "type", Value::from(ty.json_type()));
    if let FieldType::Array(item) = ty {
        push(&mut m, "items", Value::Mapping(type_schema(item)));
    }
    m
}

fn field_schema(field: &Field) -> Result<Value, ImportError> {
    let mut m = Mapping::new();
    if !field.description.is_empty() {
        push(
            &mut m,
            "description",
            Value::from(field.description.as_str()),
        );
    }
    m.extend(type_schema(&field.ty));
    if !field.enum_values.is_empty() {
        if matches!(field.ty, FieldType::Object | FieldType::Array(_)) {
            return Err(ImportError::new(
                field.line,
                "可选值 on an object or array field",
            ));
        }
        push(
            &mut m,
            "enum",
            Value::Sequence(field.enum_values.iter().map(|(v, _)| v.clone()).collect()),
        );
    }
    if let Some(default) = &field.default {
        push(&mut m, "default", default.clone());
    }
    if let Some(example) = &field.example {
        push(&mut m, "example", example.clone());
    }
    if !field.enum_values.is_empty() {
        let meanings = field
            .enum_values
            .iter()
            .map(|(v, meaning)| (Value::from(scalar_text(v)), Value::from(meaning.as_str())))
            .collect();
        push(&mut m, "x-enum-descriptions", Value::Mapping(meanings));
    }
    Ok(Value::Mapping(m))
}

/// The text of a scalar value, as used for `x-enum-descriptions` keys.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// Adds `<prefix>Response` (and `<prefix>ResponseData`) typed from the response example to
/// `schemas`; returns the envelope's name.
fn response_schemas(
    example: &Value,
    prefix: &str,
    schemas: &mut Mapping,
) -> Result<String, String> {
    let Value::Mapping(fields) = example else {
        return Err("not a JSON object".into());
    };
    for key in ["code", "msg"] {
        if !fields.contains_key(key) {
            return Err(format!("no `{key}`: not a Feishu envelope"));
        }
    }
    if fields.get("code") != Some(&Value::from(0)) {
        return Err("`code` is not 0: not a success example".into());
    }
    let mut properties = Mapping::new();
    let mut required = Vec::new();
    let mut data = None;
    for (key, value) in fields {
        let key = key.as_str().ok_or("a non-string key")?;
        required.push(key.to_string());
        let schema = match key {
            "code" => map([
                ("description", Value::from("0 on success.")),
                ("type", Value::from("integer")),
                ("format", Value::from("int64")),
            ]),
            "msg" => map([("type", Value::from("string"))]),
            "data" if value.is_mapping() => {
                let name = format!("{prefix}ResponseData");
                data = Some((name.clone(), schema_from_example(value, "data")?));
                schema_ref(&name)
            }
            _ => schema_from_example(value, key)?,
        };
        properties.insert(Value::from(key), schema);
    }
    let name = format!("{prefix}Response");
    schemas.insert(
        Value::from(name.as_str()),
        map([
            ("type", Value::from("object")),
            ("required", strings(required)),
            ("properties", Value::Mapping(properties)),
        ]),
    );
    if let Some((data_name, schema)) = data {
        schemas.insert(Value::from(data_name), schema);
    }
    Ok(name)
}

/// A schema typed from an example value. Every key of an object in the example is taken as
/// required; scalars keep the example.
fn schema_from_example(value: &Value, at: &str) -> Result<Value, String> {
    Ok(match value {
        Value::String(_) => map([("type", Value::from("string")), ("example", value.clone())]),
        Value::Bool(_) => map([("type", Value::from("boolean")), ("example", value.clone())]),
        Value::Number(n) if n.is_f64() => {
            map([("type", Value::from("number")), ("example", value.clone())])
        }
        Value::Number(_) => map([("type", Value::from("integer")), ("example", value.clone())]),
        Value::Mapping(fields) => {
            let mut properties = Mapping::new();
            let mut required = Vec::new();
            for (key, item) in fields {
                let key = key
                    .as_str()
                    .ok_or_else(|| format!("{at}: a non-string key"))?;
                required.push(key.to_string());
                properties.insert(
                    Value::from(key),
                    schema_from_example(item, &format!("{at}.{key}"))?,
                );
            }
            let mut m = Mapping::new();
            push(&mut m, "type", Value::from("object"));
            if !required.is_empty() {
                push(&mut m, "required", strings(required));
            }
            push(&mut m, "properties", Value::Mapping(properties));
            Value::Mapping(m)
        }
        Value::Sequence(items) => {
            let first = items.first().ok_or_else(|| {
                format!("{at}: an empty array cannot be typed; give one element in the example")
            })?;
            let item = schema_from_example(first, &format!("{at}[0]"))?;
            for (i, other) in items.iter().enumerate().skip(1) {
                if std::mem::discriminant(other) != std::mem::discriminant(first) {
                    return Err(format!("{at}[{i}]: array elements of different types"));
                }
            }
            map([("type", Value::from("array")), ("items", item)])
        }
        Value::Null => {
            return Err(format!(
                "{at}: null cannot be typed; give a value in the example"
            ))
        }
        Value::Tagged(_) => return Err(format!("{at}: a tagged value")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_follows_the_rule() {
        let n = Naming::derive(
            "https://open.feishu.cn/open-apis/vc/v1/exports/meeting_list",
            "POST",
        )
        .unwrap();
        assert_eq!(
            (n.path.as_str(), n.operation_id.as_str(), n.tag.as_str()),
            (
                "/open-apis/vc/v1/exports/meeting_list",
                "export_meeting_list",
                "vc.export"
            )
        );
        let n = Naming::derive(
            "https://open.feishu.cn/open-apis/vc/v1/exports/:task_id",
            "GET",
        )
        .unwrap();
        assert_eq!(
            (n.path.as_str(), n.operation_id.as_str()),
            ("/open-apis/vc/v1/exports/{task_id}", "export_get")
        );
        let n = Naming::derive(
            "https://open.feishu.cn/open-apis/vc/v1/exports/download",
            "GET",
        )
        .unwrap();
        assert_eq!(n.operation_id, "export_download");
        let n = Naming::derive(
            "https://open.larksuite.com/open-apis/vc/v1/reserves",
            "POST",
        )
        .unwrap();
        assert_eq!(n.operation_id, "reserve_create");
        let n = Naming::derive(
            "https://open.feishu.cn/open-apis/auth/v3/tenant_access_token/internal",
            "POST",
        )
        .unwrap();
        assert_eq!(
            (n.operation_id.as_str(), n.tag.as_str()),
            ("tenant_access_token_internal", "auth.tenant_access_token")
        );
        assert!(Naming::derive("https://example.com/open-apis/vc/v1/exports", "GET").is_err());
        assert!(Naming::derive("https://open.feishu.cn/open-apis/vc/exports", "GET").is_err());
    }

    #[test]
    fn singular_and_camel() {
        assert_eq!(singular("exports"), "export");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("access"), "access");
        assert_eq!(singular("tenant_access_token"), "tenant_access_token");
        assert_eq!(upper_camel("export_meeting_list"), "ExportMeetingList");
    }

    #[test]
    fn scopes_are_told_from_permission_names() {
        assert!(looks_like_scope("vc:export"));
        assert!(looks_like_scope("contact:user.employee_id:readonly"));
        assert!(!looks_like_scope("导出视频会议信息"));
        assert!(!looks_like_scope("获取用户 user ID"));
        assert!(!looks_like_scope("vc"));
        assert!(!looks_like_scope("vc:"));
    }
}
