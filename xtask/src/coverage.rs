//! The coverage page (`docs/coverage.md`): per service spec in `openapi/`, how many operations
//! it binds and of which shapes — paginated, file upload, file download — and which access
//! tokens they take. Generated from the specs (as every tool reads them, shared parts merged), so
//! it cannot drift: `xtask/tests/coverage.rs` fails when the committed page is not the one the
//! specs give.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The token kinds a page column is kept for, in order: the security scheme's name, its label.
const TOKENS: &[(&str, &str)] = &[
    ("tenant_access_token", "tenant"),
    ("user_access_token", "user"),
    ("app_access_token", "app"),
];

/// What one service spec binds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service (the spec's file name, and its cargo feature).
    pub name: String,
    /// Its operations.
    pub operations: usize,
    /// Operations with `x-feishu-pagination` (`pages()`).
    pub paginated: usize,
    /// Of those, the ones that also have `items()` (their pages have one list).
    pub with_items: usize,
    /// Operations flagged paginated that cannot page (`x-feishu-unpaged`, with the reason).
    pub unpaged: usize,
    /// Operations whose JSON answer is typed: its `data` is a named schema (`call()` returns
    /// it), or its fields sit beside `code` and `msg` (`auth`'s tokens).
    pub typed: usize,
    /// Operations whose JSON answer has no typed `data`: empty by the documentation (no
    /// properties, or none at all).
    pub untyped: usize,
    /// Operations with a `multipart/form-data` body (a file upload).
    pub uploads: usize,
    /// Operations whose 200 answer is not JSON (a file download).
    pub downloads: usize,
    /// Per token kind (security scheme name, or `none`): the operations accepting it.
    pub tokens: BTreeMap<String, usize>,
}

/// Counts what the spec `spec` (loaded, shared parts merged) of service `name` binds.
pub fn service(name: &str, spec: &Value) -> Service {
    let mut service = Service {
        name: name.to_string(),
        ..Service::default()
    };
    let operations = spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| METHODS.iter().filter_map(move |method| item.get(*method)));
    for op in operations {
        service.operations += 1;
        service.paginated += usize::from(op.get("x-feishu-pagination").is_some());
        service.with_items += usize::from(op.pointer("/x-feishu-pagination/items").is_some());
        service.unpaged += usize::from(op.get("x-feishu-unpaged").is_some());
        if let Some(envelope) = op.pointer("/responses/200/content/application~1json/schema") {
            let envelope = resolve(spec, envelope);
            let data = envelope.pointer("/properties/data");
            // `auth`'s answers type their fields beside `code` and `msg`, with no `data`.
            let beside = envelope
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| {
                    p.keys()
                        .any(|k| !["code", "msg", "data"].contains(&k.as_str()))
                });
            if beside || data.is_some_and(|d| d.get("$ref").is_some()) {
                service.typed += 1;
            } else {
                service.untyped += 1;
            }
        }
        let body_types = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object);
        service.uploads +=
            usize::from(body_types.is_some_and(|c| c.contains_key("multipart/form-data")));
        let answer_types = op
            .pointer("/responses/200/content")
            .and_then(Value::as_object);
        service.downloads += usize::from(
            answer_types.is_some_and(|c| c.keys().any(|media| !media.contains("json"))),
        );
        let schemes: Vec<&str> = op
            .get("security")
            .or_else(|| spec.get("security"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|requirement| requirement.keys().map(String::as_str))
            .collect();
        if schemes.is_empty() {
            *service.tokens.entry("none".into()).or_default() += 1;
        }
        for scheme in schemes {
            *service.tokens.entry(scheme.to_string()).or_default() += 1;
        }
    }
    service
}

/// `node`, or the component schema its `$ref` names.
fn resolve<'v>(spec: &'v Value, node: &'v Value) -> &'v Value {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .and_then(|name| spec.pointer(&format!("/components/schemas/{name}")))
        .unwrap_or(node)
}

/// Every service spec in `dir`, counted.
pub fn services(dir: &Path) -> Result<Vec<Service>, String> {
    feishu_openapi_codegen::list_specs(dir)?
        .iter()
        .map(|path| {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or_else(|| format!("{}: not a UTF-8 file name", path.display()))?;
            let spec = feishu_openapi_codegen::spec::load(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(service(name, &spec))
        })
        .collect()
}

/// The coverage page for `services`, in markdown.
pub fn page(services: &[Service]) -> String {
    let mut out = String::new();
    let total = |f: fn(&Service) -> usize| services.iter().map(f).sum::<usize>();
    let tokens = |s: &Service, scheme: &str| s.tokens.get(scheme).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "# Coverage\n\n\
         Generated from the specs in `openapi/` by `cargo run -p xtask --bin coverage`; do not\n\
         edit (a test fails when it is stale). Each service is a cargo feature of its name\n\
         (`auth` is always on); `full` enables them all.\n\n\
         {} operations in {} services: {} paginated (`pages()`; {} of them with `items()`, and\n\
         {} flagged by the catalogue that cannot page, each with `x-feishu-unpaged` saying why),\n\
         {} file uploads, {} file downloads. Answers: {} are typed (`call()` returns their\n\
         `data`; `auth`'s token fields sit beside `code`), {} have no `data` to type (empty by\n\
         the documentation), and the downloads are files. Token columns count the operations that accept each kind of access token (an\n\
         operation may accept several); `none` is an operation that takes none.\n",
        total(|s| s.operations),
        services.len(),
        total(|s| s.paginated),
        total(|s| s.with_items),
        total(|s| s.unpaged),
        total(|s| s.uploads),
        total(|s| s.downloads),
        total(|s| s.typed),
        total(|s| s.untyped),
    );
    let _ = writeln!(
        out,
        "| service | operations | typed data | paginated | with items | upload | download | tenant | user | app | none |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for s in services {
        let _ = write!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            s.name, s.operations, s.typed, s.paginated, s.with_items, s.uploads, s.downloads
        );
        for (scheme, _) in TOKENS {
            let _ = write!(out, " {} |", tokens(s, scheme));
        }
        let _ = writeln!(out, " {} |", tokens(s, "none"));
    }
    let _ = write!(
        out,
        "| **total** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** |",
        total(|s| s.operations),
        total(|s| s.typed),
        total(|s| s.paginated),
        total(|s| s.with_items),
        total(|s| s.uploads),
        total(|s| s.downloads),
    );
    for (scheme, _) in TOKENS {
        let _ = write!(
            out,
            " **{}** |",
            services.iter().map(|s| tokens(s, scheme)).sum::<usize>()
        );
    }
    let _ = writeln!(
        out,
        " **{}** |",
        services.iter().map(|s| tokens(s, "none")).sum::<usize>()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_tokens_are_counted() {
        let spec = serde_json::json!({
            "paths": {
                "/a": {
                    "get": {"x-feishu-pagination": {"items": "items"},
                            "responses": {"200": {"content": {"application/json": {"schema":
                                {"$ref": "#/components/schemas/AResponse"}}}}},
                            "security": [{"tenant_access_token": []}, {"user_access_token": []}]},
                    "post": {"requestBody": {"content": {"multipart/form-data": {}}},
                             "security": [{"tenant_access_token": []}]}
                },
                "/b": {"get": {"responses": {"200": {"content": {"application/octet-stream": {}}}},
                               "security": []}}
            },
            "components": {"schemas": {"AResponse": {"properties": {
                "data": {"$ref": "#/components/schemas/AResponseData"}}}}}
        });
        let s = service("x", &spec);
        assert_eq!(
            (
                s.operations,
                s.paginated,
                s.with_items,
                s.uploads,
                s.downloads
            ),
            (3, 1, 1, 1, 1)
        );
        assert_eq!((s.typed, s.untyped), (1, 0));
        assert_eq!(s.tokens["tenant_access_token"], 2);
        assert_eq!(s.tokens["user_access_token"], 1);
        assert_eq!(s.tokens["none"], 1);
        let page = page(&[s]);
        assert!(
            page.contains("| `x` | 3 | 1 | 1 | 1 | 1 | 1 | 2 | 1 | 0 | 1 |"),
            "{page}"
        );
    }
}
