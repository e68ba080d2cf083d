//! The spec lint: conventions every file in `openapi/` must follow (see
//! `docs/adding-an-endpoint.md`).
//!
//! - operationIds are unique within a file (each service is a module of its own; the catalogue
//!   has the same `user_get` in `acs` and `contact`) and follow `<resource>_<method>` (snake_case), with
//!   exactly one tag `<service>.<resource>` (service = the file's stem), declared at the top;
//! - every operation declares `security` (its token kinds; `[]` for none) and `x-feishu-scopes`
//!   (scopes like `vc:export`; empty only when the operation takes no token);
//! - every operation has a 2xx response, and `4XX` and `5XX`; every error response (4xx, 5xx,
//!   `default`) is `$ref: "#/components/responses/FeishuError"`, the shared envelope, whose schema
//!   is replaced by `crate::FeishuErrorBody`;
//! - every example (parameter, request, response, schema and property examples, defaults)
//!   validates against its schema ([`crate::schema`]), and request examples obey the body's
//!   `x-feishu-rules`;
//! - every `enum` has `x-enum-descriptions` with a meaning for each value (and nothing else) —
//!   optional in a spec made by the catalogue importer (`info.x-feishu-catalogue`), whose
//!   operations link their doc page instead — and
//!   `x-enum-varnames`, when present, names each value;
//! - `x-feishu-errors` entries are `{http, code, msg, advice}`; every `$ref` resolves;
//! - every spec has a cargo feature of its name in the crate's `Cargo.toml` (build.rs generates a
//!   spec only when that feature is on), except the services that are always generated
//!   ([`lint_features`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::import::{looks_like_scope, FEISHU_ERROR_REF};
use crate::schema::{resolve, unsupported_keywords, validate};

/// One lint finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The spec file's name (`vc.yaml`).
    pub file: String,
    /// The operation (`operation export_meeting_list (POST /open-apis/…)`) or schema
    /// (`schema ExportMeetingListRequest.start_time`) concerned.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.location, self.message)
    }
}

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const SHARED_ERROR_SCHEMA: &str = "#/components/schemas/FeishuError";
const SHARED_ERROR_RUST_TYPE: &str = "crate::FeishuErrorBody";

use feishu_openapi_codegen as services;

/// The `*.yaml` / `*.yml` files in `dir`, sorted, with their file names.
fn spec_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, std::io::Error> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            (name.to_string(), path)
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Lints every `*.yaml` / `*.yml` file in `dir` together (operationIds must be unique across them),
/// each with the shared parts of `dir/shared/` merged in, as the generator reads it.
pub fn lint_dir(dir: &Path) -> Result<Vec<Problem>, std::io::Error> {
    let mut sources = Vec::new();
    for (name, path) in spec_files(dir)? {
        sources.push((name, std::fs::read_to_string(&path)?));
    }
    let borrowed: Vec<(&str, &str)> = sources
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    match feishu_openapi_codegen::spec::shared_parts(dir) {
        Ok(shared) => Ok(lint_with_shared(&borrowed, &shared)),
        Err(message) => Ok(vec![Problem {
            file: feishu_openapi_codegen::spec::SHARED_DIR.into(),
            location: "document".into(),
            message,
        }]),
    }
}

/// Lints specs given as `(file name, YAML text)`; the service name is the file name's stem.
pub fn lint_sources(sources: &[(&str, &str)]) -> Vec<Problem> {
    lint_with_shared(sources, &[])
}

/// Lints specs given as `(file name, YAML text)`, each with the shared parts `shared` (`(name,
/// document)`) merged in; a spec that repeats a shared part is a problem.
pub fn lint_with_shared(sources: &[(&str, &str)], shared: &[(String, Value)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut operation_ids = BTreeMap::new();
    for (file, text) in sources {
        // operationIds are unique within a service: each service is a module of its own.
        operation_ids.clear();
        for (line, scalar) in crate::yaml::yaml11_ambiguities(text) {
            problems.push(Problem {
                file: file.to_string(),
                location: format!("line {line}"),
                message: format!(
                    "`{scalar}` is a string here but a YAML 1.1 reader (PyYAML, Go's yaml.v2) \
                     reads it as a boolean or a number: quote it"
                ),
            });
        }
        let merged = yaml_serde::from_str::<Value>(text).map(|mut spec| {
            let merged = shared.iter().try_for_each(|(name, part)| {
                feishu_openapi_codegen::spec::merge(&mut spec, part, name)
            });
            (spec, merged)
        });
        match merged {
            Ok((_, Err(message))) => problems.push(Problem {
                file: file.to_string(),
                location: "document".into(),
                message,
            }),
            Ok((spec, Ok(()))) => FileLint {
                file,
                service: file.split('.').next().unwrap_or_default(),
                spec: &spec,
                problems: &mut problems,
            }
            .run(&mut operation_ids),
            Err(e) => problems.push(Problem {
                file: file.to_string(),
                location: "document".into(),
                message: format!("not valid YAML (or a key is not a string): {e}"),
            }),
        }
    }
    let mut seen = Vec::new();
    problems.retain(|p| {
        let new = !seen.contains(p);
        if new {
            seen.push(p.clone());
        }
        new
    });
    problems
}

/// Checks that every spec in `dir` has a cargo feature of its name in the `[features]` table of the
/// crate manifest at `manifest` (the crate's `Cargo.toml`), except the services build.rs always
/// generates. build.rs only sees the features that are on, so it cannot tell a spec without a
/// feature from one whose feature is off: without this check such a spec would never be built.
///
/// Also checks that the feature of a service with a file upload (a `multipart/form-data` body)
/// turns on `upload`, which the upload runtime needs ([`upload_feature_problems`]).
pub fn lint_features(dir: &Path, manifest: &Path) -> Result<Vec<Problem>, std::io::Error> {
    let files = spec_files(dir)?;
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let manifest = std::fs::read_to_string(manifest)?;
    let mut problems = feature_problems(&names, &manifest);
    let uploading: Vec<&str> = files
        .iter()
        .filter(|(_, path)| {
            feishu_openapi_codegen::spec::load(path).is_ok_and(|spec| {
                object(spec.get("paths"))
                    .flat_map(|(_, item)| object(Some(item)))
                    .any(|(_, op)| {
                        op.pointer("/requestBody/content/multipart~1form-data")
                            .is_some()
                    })
            })
        })
        .map(|(name, _)| name.as_str())
        .collect();
    problems.extend(upload_feature_problems(&uploading, &manifest));
    Ok(problems)
}

/// The specs among `uploading` (file names of specs with a file upload) whose service's feature
/// in `manifest` does not turn on `upload`.
pub fn upload_feature_problems(uploading: &[&str], manifest: &str) -> Vec<Problem> {
    let Ok(table) = manifest.parse::<toml::Table>() else {
        return Vec::new(); // `feature_problems` reports it
    };
    uploading
        .iter()
        .filter_map(|file| {
            let service = file.split('.').next().unwrap_or_default();
            let enables = table
                .get("features")
                .and_then(|f| f.get(service))
                .and_then(toml::Value::as_array)
                .is_some_and(|list| list.iter().any(|f| f.as_str() == Some("upload")));
            (!enables).then(|| Problem {
                file: file.to_string(),
                location: "cargo feature".into(),
                message: format!(
                    "the service `{service}` uploads files (multipart/form-data), so its feature \
                     must turn on the upload support: run `cargo run -p xtask --bin services`"
                ),
            })
        })
        .collect()
}

/// The specs among `files` (file names, the service being the stem) without a cargo feature of
/// their service's name in `manifest`, the text of a `Cargo.toml`, read as TOML.
pub fn feature_problems(files: &[&str], manifest: &str) -> Vec<Problem> {
    let manifest_problem = |location: &str, message: String| Problem {
        file: "Cargo.toml".into(),
        location: location.into(),
        message,
    };
    let table = match manifest.parse::<toml::Table>() {
        Ok(table) => table,
        Err(e) => {
            let message = format!("not valid TOML: {}", e.to_string().trim_end());
            return vec![manifest_problem("document", message)];
        }
    };
    let empty = toml::Table::new();
    let features = match table.get("features") {
        None => &empty,
        Some(toml::Value::Table(features)) => features,
        Some(_) => return vec![manifest_problem("[features]", "is not a table".into())],
    };
    files
        .iter()
        .filter_map(|file| {
            let service = file.split('.').next().unwrap_or_default();
            let has_feature =
                services::ALWAYS_ON.contains(&service) || features.contains_key(service);
            (!has_feature).then(|| Problem {
                file: file.to_string(),
                location: "cargo feature".into(),
                message: format!(
                    "the service `{service}` has no cargo feature, so no build has it: run \
                     `cargo run -p xtask --bin services`, which makes its crate in services/ and \
                     its feature in Cargo.toml"
                ),
            })
        })
        .collect()
}

/// `export_meeting_list`: snake_case with at least two words.
pub fn is_operation_id(id: &str) -> bool {
    let mut words = id.split('_');
    let word_ok = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    words
        .next()
        .is_some_and(|w| word_ok(w) && w.starts_with(|c: char| c.is_ascii_lowercase()))
        && id.contains('_')
        && words.all(word_ok)
}

struct FileLint<'a> {
    file: &'a str,
    service: &'a str,
    spec: &'a Value,
    problems: &'a mut Vec<Problem>,
}

impl<'a> FileLint<'a> {
    fn problem(&mut self, location: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            location: location.to_string(),
            message: message.into(),
        });
    }

    fn run(&mut self, operation_ids: &mut BTreeMap<String, String>) {
        let spec = self.spec;
        self.check_refs(spec, "#");
        for (path, item) in spec
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for parameter in item
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.check_parameter(&format!("path {path}"), parameter);
            }
            for (method, op) in item.as_object().into_iter().flatten() {
                if HTTP_METHODS.contains(&method.as_str()) {
                    self.check_operation(path, method, op, operation_ids);
                }
            }
        }
        for (name, parameter) in object(spec.pointer("/components/parameters")) {
            self.check_parameter(&format!("parameter {name}"), parameter);
        }
        for (name, schema) in object(spec.pointer("/components/schemas")) {
            self.walk_schema(schema, &format!("schema {name}"), 0);
        }
        self.check_events();
        self.check_pagination();
    }

    /// `x-feishu-pagination`: what the pager needs is there (the generator's own check: the
    /// request's `page_token`, a required `data` with the token field, the items' array), and
    /// `x-feishu-unpaged` says why in words.
    fn check_pagination(&mut self) {
        if let Err(message) = feishu_openapi_codegen::pages::paginations(self.spec) {
            // `operation <id>: x-feishu-pagination: <problem>`.
            match message.split_once(": ") {
                Some((at, problem)) => self.problem(at, problem),
                None => self.problem("x-feishu-pagination", message),
            }
        }
        for op in self
            .spec
            .pointer("/paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
        {
            let Some(why) = op.get("x-feishu-unpaged") else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if why.as_str().is_none_or(|w| w.trim().is_empty()) {
                self.problem(
                    &format!("operation {id}"),
                    "x-feishu-unpaged is the reason the operation is not paged, in words",
                );
            }
            if op.get("x-feishu-pagination").is_some() {
                self.problem(
                    &format!("operation {id}"),
                    "both x-feishu-pagination and x-feishu-unpaged",
                );
            }
        }
    }

    /// `x-feishu-events`: well-formed entries (the generator's own check: a `schema` of "2.0"
    /// or "1.0", a payload `$ref` that resolves to an object schema, unique types and payloads),
    /// and each 2.0 type naming this service first (`im.message.receive_v1` in `im.yaml`).
    fn check_events(&mut self) {
        match feishu_openapi_codegen::events::declared(self.spec) {
            // The message names the entry first: `x-feishu-events <type>: <problem>`.
            Err(message) => match message.split_once(": ") {
                Some((at, problem)) => self.problem(at, problem),
                None => self.problem("x-feishu-events", message),
            },
            Ok(events) => {
                for event in events.iter().filter(|e| !e.v1) {
                    if !event.event_type.starts_with(&format!("{}.", self.service)) {
                        self.problem(
                            &format!("x-feishu-events {}", event.event_type),
                            format!(
                                "a schema 2.0 event type starts with its service, `{}.`",
                                self.service
                            ),
                        );
                    }
                }
            }
        }
    }

    /// Every `$ref` in the document resolves.
    fn check_refs(&mut self, node: &Value, at: &str) {
        match node {
            Value::Object(m) => {
                if let Some(reference) = m.get("$ref") {
                    let ok = reference
                        .as_str()
                        .and_then(|r| resolve(self.spec, r))
                        .is_some();
                    if !ok {
                        self.problem(at, format!("$ref {reference} does not resolve"));
                    }
                }
                for (key, value) in m {
                    self.check_refs(
                        value,
                        &format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    );
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_refs(item, &format!("{at}/{i}"));
                }
            }
            _ => {}
        }
    }

    fn check_operation(
        &mut self,
        path: &str,
        method: &str,
        op: &Value,
        operation_ids: &mut BTreeMap<String, String>,
    ) {
        let op_id = op.get("operationId").and_then(Value::as_str);
        let at = format!(
            "operation {} ({} {path})",
            op_id.unwrap_or("?"),
            method.to_uppercase()
        );
        let at = at.as_str();

        match op_id {
            None => self.problem(at, "no operationId"),
            Some(id) => {
                if !is_operation_id(id) {
                    self.problem(
                        at,
                        format!("operationId `{id}` is not snake_case `<resource>_<method>`"),
                    );
                }
                let here = format!("{}: {at}", self.file);
                if let Some(other) = operation_ids.insert(id.to_string(), here) {
                    self.problem(at, format!("operationId `{id}` is also used by {other}"));
                }
            }
        }
        self.check_tag(at, op_id.unwrap_or_default(), op);
        self.check_security(at, op);
        self.check_errors_table(at, op);

        for parameter in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if parameter.get("$ref").is_none() {
                self.check_parameter(at, parameter); // a shared one is checked where it is defined
            }
        }
        if let Some(body) = op.get("requestBody") {
            let body = self.follow(body);
            for (media_type, media) in object(body.get("content")) {
                let where_ = format!("request body {media_type}");
                self.check_media(at, &where_, media);
                if let (Some(schema), Some(example)) = (media.get("schema"), media.get("example")) {
                    self.check_rules(at, schema, example);
                }
            }
        }
        self.check_responses(at, op);
    }

    /// Follows a `$ref` (to a parameter, request body or response) to its target.
    fn follow<'v>(&self, node: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        node.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve(self.spec, r))
            .unwrap_or(node)
    }

    fn check_tag(&mut self, at: &str, op_id: &str, op: &Value) {
        let tags: Vec<&str> = op
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let [tag] = tags.as_slice() else {
            self.problem(
                at,
                format!(
                    "has tags {tags:?}; expected exactly one, `{}.<resource>`",
                    self.service
                ),
            );
            return;
        };
        match tag.split_once('.') {
            Some((service, resource)) if service == self.service && is_snake(resource) => {
                if !op_id
                    .strip_prefix(resource)
                    .is_some_and(|rest| rest.len() > 1 && rest.starts_with('_'))
                {
                    self.problem(
                        at,
                        format!("operationId `{op_id}` does not start with its tag's resource: `{resource}_<method>`"),
                    );
                }
            }
            _ => self.problem(
                at,
                format!("tag `{tag}` is not `{}.<resource>`", self.service),
            ),
        }
        let declared = self
            .spec
            .get("tags")
            .and_then(Value::as_array)
            .is_some_and(|t| {
                t.iter()
                    .any(|d| d.get("name").and_then(Value::as_str) == Some(tag))
            });
        if !declared {
            self.problem(
                at,
                format!("tag `{tag}` is not declared in the top-level `tags`"),
            );
        }
    }

    fn check_security(&mut self, at: &str, op: &Value) {
        let spec = self.spec;
        let schemes: Vec<&String> = object(spec.pointer("/components/securitySchemes"))
            .map(|(k, _)| k)
            .collect();
        let takes_token = match op.get("security") {
            None => {
                self.problem(
                    at,
                    "declares no `security` (its token kinds, e.g. `- tenant_access_token: []`; `[]` for none)",
                );
                true
            }
            Some(Value::Array(requirements)) => {
                for requirement in requirements {
                    let Some(kinds) = requirement.as_object() else {
                        self.problem(at, format!("security entry {requirement} is not a map"));
                        continue;
                    };
                    for kind in kinds.keys() {
                        if !schemes.contains(&kind) {
                            self.problem(at, format!("security names `{kind}`, which is not in components.securitySchemes"));
                        }
                    }
                }
                !requirements.is_empty()
            }
            Some(other) => {
                self.problem(at, format!("security is {other}, not a list"));
                true
            }
        };
        match op.get("x-feishu-scopes") {
            None => self.problem(
                at,
                "declares no `x-feishu-scopes` (the scopes, like vc:export)",
            ),
            Some(Value::Array(scopes)) => {
                for scope in scopes {
                    if !scope.as_str().is_some_and(looks_like_scope) {
                        self.problem(
                            at,
                            format!("x-feishu-scopes: {scope} is not a scope like `vc:export`"),
                        );
                    }
                }
                let none_needed = op.get("x-feishu-no-scope-needed") == Some(&Value::Bool(true));
                if scopes.is_empty() && takes_token && !none_needed {
                    self.problem(
                        at,
                        "x-feishu-scopes is empty, but the operation takes a token (if the doc says it needs none, say `x-feishu-no-scope-needed: true`)",
                    );
                }
            }
            Some(other) => self.problem(at, format!("x-feishu-scopes is {other}, not a list")),
        }
    }

    fn check_errors_table(&mut self, at: &str, op: &Value) {
        let Some(errors) = op.get("x-feishu-errors") else {
            return;
        };
        let Some(errors) = errors.as_array() else {
            self.problem(at, "x-feishu-errors is not a list");
            return;
        };
        const KEYS: &[&str] = &["http", "code", "msg", "advice", "retryable"];
        for entry in errors {
            let ok = entry.as_object().is_some_and(|e| {
                e.keys().all(|k| KEYS.contains(&k.as_str()))
                    && e.get("http")
                        .and_then(Value::as_u64)
                        .is_some_and(|s| s == 200 || s == 202 || (400..600).contains(&s))
                    && e.get("code").is_some_and(Value::is_i64)
                    && e.get("msg").is_some_and(Value::is_string)
                    && e.get("advice").is_none_or(Value::is_string)
                    && e.get("retryable").is_none_or(Value::is_boolean)
            });
            if !ok {
                self.problem(at, format!("x-feishu-errors entry {entry} is not {{http: 4xx/5xx (or 200/202: Feishu sends some error codes in a success status), code: integer, msg, advice?: text, retryable?: bool}}"));
            }
        }
    }

    fn check_parameter(&mut self, at: &str, parameter: &Value) {
        let parameter = self.follow(parameter);
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
        let where_ = format!("parameter {name}");
        let Some(schema) = parameter.get("schema") else {
            self.problem(at, format!("{where_} has no schema"));
            return;
        };
        self.walk_schema(schema, &format!("{at}, {where_} schema"), 0);
        self.check_examples(at, &where_, schema, parameter);
    }

    /// `example` and `examples.*.value` of a parameter or media type, against `schema`.
    fn check_examples(&mut self, at: &str, where_: &str, schema: &Value, holder: &Value) {
        if let Some(example) = holder.get("example") {
            self.check_value(at, &format!("{where_} example"), schema, example);
        }
        for (name, example) in object(holder.get("examples")) {
            if let Some(value) = self.follow(example).get("value") {
                self.check_value(at, &format!("{where_} example `{name}`"), schema, value);
            }
        }
    }

    fn check_value(&mut self, at: &str, what: &str, schema: &Value, value: &Value) {
        for message in validate(self.spec, schema, value) {
            self.problem(at, format!("{what}: {message}"));
        }
    }

    fn check_media(&mut self, at: &str, where_: &str, media: &Value) {
        let Some(schema) = media.get("schema") else {
            self.problem(at, format!("{where_} has no schema"));
            return;
        };
        self.walk_schema(schema, &format!("{at}, {where_} schema"), 0);
        self.check_examples(at, where_, schema, media);
    }

    fn check_responses(&mut self, at: &str, op: &Value) {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            self.problem(at, "no responses");
            return;
        };
        if !responses.keys().any(|k| k.starts_with('2')) {
            self.problem(at, "no 2xx response");
        }
        for key in ["4XX", "5XX"] {
            if !responses.contains_key(key) {
                self.problem(
                    at,
                    format!("no {key} response: add `{key}: {{$ref: \"{FEISHU_ERROR_REF}\"}}`"),
                );
            }
        }
        let mut uses_shared = false;
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') || status == "default" {
                let shared = response.as_object().is_some_and(|r| {
                    r.len() == 1 && r.get("$ref").and_then(Value::as_str) == Some(FEISHU_ERROR_REF)
                });
                if shared {
                    uses_shared = true;
                } else {
                    self.problem(
                        at,
                        format!("{status} response does not use the shared envelope (`$ref: \"{FEISHU_ERROR_REF}\"`)"),
                    );
                }
            } else {
                let response = self.follow(response);
                for (media_type, media) in object(response.get("content")) {
                    self.check_media(at, &format!("{status} response {media_type}"), media);
                }
            }
        }
        if uses_shared {
            self.check_shared_error_response();
        }
    }

    /// The shared error response is the `FeishuError` schema, replaced by `crate::FeishuErrorBody`.
    fn check_shared_error_response(&mut self) {
        let at = "response FeishuError";
        let schema = resolve(self.spec, FEISHU_ERROR_REF)
            .and_then(|r| r.pointer("/content/application~1json/schema/$ref"))
            .and_then(Value::as_str);
        if schema != Some(SHARED_ERROR_SCHEMA) {
            self.problem(
                at,
                format!("its application/json schema must be `$ref: \"{SHARED_ERROR_SCHEMA}\"`"),
            );
            return;
        }
        let error = resolve(self.spec, SHARED_ERROR_SCHEMA);
        if error
            .and_then(|s| s.get("x-rust-type"))
            .and_then(Value::as_str)
            != Some(SHARED_ERROR_RUST_TYPE)
        {
            self.problem(
                "schema FeishuError",
                format!("must be replaced by the shared Rust type: `x-rust-type: {SHARED_ERROR_RUST_TYPE}`"),
            );
        }
        let required: Vec<&str> = error
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !(required.contains(&"code") && required.contains(&"msg")) {
            self.problem("schema FeishuError", "must require `code` and `msg`");
        }
    }

    /// A request example obeys the body schema's `x-feishu-rules`.
    fn check_rules(&mut self, at: &str, schema: &Value, example: &Value) {
        let schema = self.follow(schema);
        let Some(body) = example.as_object() else {
            return;
        };
        for rule in schema
            .get("x-feishu-rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some((kind, fields)) = rule.as_object().and_then(|r| r.iter().next()) else {
                self.problem(
                    at,
                    format!("x-feishu-rules entry {rule} is not a one-key map"),
                );
                continue;
            };
            let fields: Vec<&str> = fields
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let present: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| body.get(*f).is_some_and(|v| !v.is_null()))
                .collect();
            let broken = match kind.as_str() {
                "at-most-one-of" => present.len() > 1,
                "exactly-one-of" => present.len() != 1,
                "ordered-times" => {
                    let time = |f: Option<&&str>| {
                        f.and_then(|f| body.get(*f))
                            .and_then(Value::as_str)
                            .and_then(|t| t.parse::<u64>().ok())
                    };
                    matches!((time(fields.first()), time(fields.get(1))), (Some(s), Some(e)) if s > e)
                }
                other => {
                    self.problem(at, format!("x-feishu-rules: unknown rule `{other}`"));
                    continue;
                }
            };
            if broken {
                self.problem(
                    at,
                    format!(
                        "request body example breaks x-feishu-rules `{kind}: [{}]` (it sets {}); the client would refuse it",
                        fields.join(", "),
                        if present.is_empty() { "none".to_string() } else { present.join(", ") }
                    ),
                );
            }
        }
    }

    /// Checks a schema node and everything under it: keywords, `example`, `default`, enums.
    fn walk_schema(&mut self, node: &Value, at: &str, depth: usize) {
        if depth > 32 {
            self.problem(at, "schema nesting too deep");
            return;
        }
        let Some(s) = node.as_object() else {
            self.problem(at, "the schema is not a map");
            return;
        };
        if s.contains_key("$ref") {
            return; // the target is checked where it is defined
        }
        for keyword in unsupported_keywords(node) {
            self.problem(
                at,
                format!("keyword `{keyword}` is not supported by the spec lint"),
            );
        }
        for key in ["example", "default"] {
            if let Some(value) = s.get(key) {
                self.check_value(at, key, node, value);
            }
        }
        if let Some(values) = s.get("enum") {
            self.check_enum(at, s, values);
        }
        for (name, property) in object(s.get("properties")) {
            self.walk_schema(property, &format!("{at}.{name}"), depth + 1);
        }
        if let Some(items) = s.get("items") {
            self.walk_schema(items, &format!("{at}[]"), depth + 1);
        }
        for (i, part) in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.walk_schema(part, &format!("{at}.allOf[{i}]"), depth + 1);
        }
        if let Some(extra @ Value::Object(_)) = s.get("additionalProperties") {
            self.walk_schema(extra, &format!("{at}.additionalProperties"), depth + 1);
        }
    }

    fn check_enum(&mut self, at: &str, s: &Map<String, Value>, values: &Value) {
        let Some(values) = values.as_array().filter(|v| !v.is_empty()) else {
            self.problem(at, "enum is not a non-empty list");
            return;
        };
        let keys: Vec<String> = values.iter().map(enum_key).collect();
        let imported = self.spec.pointer("/info/x-feishu-catalogue").is_some();
        match s.get("x-enum-descriptions").map(Value::as_object) {
            // The catalogue's meanings are prose; an imported spec links each operation's doc.
            None if imported => {}
            None => self.problem(
                at,
                "enum has no x-enum-descriptions: write down the meaning of each value",
            ),
            Some(None) => {
                self.problem(at, "x-enum-descriptions is not a map from value to meaning")
            }
            Some(Some(meanings)) => {
                for key in &keys {
                    let ok = meanings
                        .get(key)
                        .and_then(Value::as_str)
                        .is_some_and(|m| !m.trim().is_empty());
                    if !ok {
                        self.problem(
                            at,
                            format!("enum value {key} has no meaning in x-enum-descriptions"),
                        );
                    }
                }
                for key in meanings.keys().filter(|k| !keys.contains(k)) {
                    self.problem(
                        at,
                        format!("x-enum-descriptions names {key}, which is not an enum value"),
                    );
                }
            }
        }
        if let Some(names) = s.get("x-enum-varnames") {
            if names
                .as_array()
                .is_none_or(|n| n.len() != values.len() || !n.iter().all(Value::is_string))
            {
                self.problem(at, "x-enum-varnames must name each enum value, in order");
            }
        }
    }
}

/// The key of an enum value in `x-enum-descriptions`: a string as it is, anything else as JSON.
fn enum_key(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn object(node: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    node.and_then(Value::as_object).into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_id_convention() {
        assert!(is_operation_id("export_meeting_list"));
        assert!(is_operation_id("export_get"));
        assert!(is_operation_id("tenant_access_token_internal"));
        assert!(!is_operation_id("export"));
        assert!(!is_operation_id("exportMeetingList"));
        assert!(!is_operation_id("export__list"));
        assert!(!is_operation_id("_export_list"));
        assert!(!is_operation_id("1export_list"));
    }
}
