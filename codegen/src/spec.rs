//! Reading a service spec: its own file, with the platform's shared parts merged in.
//!
//! What every Feishu service has in common — the servers of both brands, the security schemes of
//! the access tokens, the error envelope and its response, shared parameters (`user_id_type`)
//! and value types (`UnixSeconds`, `UserIdType`, `UserId`) — is written once, in the YAML files
//! of `openapi/shared/` ([`SHARED_DIR`] beside the service specs). [`load`] merges them into a
//! service spec before anything else reads it: the generator, the spec lint, the tests. A
//! service spec that repeats a shared part is an error naming it, so the parts are never copied.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The folder, beside the service specs, whose YAML files hold the parts every spec shares.
pub const SHARED_DIR: &str = "shared";

/// The sections of `components` that shared files may fill.
const COMPONENT_SECTIONS: &[&str] = &["securitySchemes", "parameters", "responses", "schemas"];

/// A service spec as every tool sees it: the YAML file at `path`, with the shared parts of the
/// [`SHARED_DIR`] folder beside it merged in (none when there is no such folder).
pub fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut spec = parse(&text)?;
    for (name, shared) in shared_parts(path.parent().unwrap_or(Path::new(".")))? {
        merge(&mut spec, &shared, &name)?;
    }
    Ok(spec)
}

/// The shared parts beside the specs in `dir`: each YAML file of `dir/shared/`, parsed, with its
/// path as given (for messages), sorted by name.
pub fn shared_parts(dir: &Path) -> Result<Vec<(String, Value)>, String> {
    let shared = dir.join(SHARED_DIR);
    if !shared.is_dir() {
        return Ok(Vec::new());
    }
    let mut parts = Vec::new();
    for path in yaml_files(&shared)? {
        let name = format!("{SHARED_DIR}/{}", file_name(&path));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{name}: cannot read: {e}"))?;
        parts.push((
            name.clone(),
            parse(&text).map_err(|e| format!("{name}: {e}"))?,
        ));
    }
    Ok(parts)
}

/// The `*.yaml` / `*.yml` files directly in `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder: {e}"))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.is_file()
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml")
                )
        })
        .collect();
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string()
}

/// A YAML document as JSON values.
pub fn parse(text: &str) -> Result<Value, String> {
    yaml_serde::from_str(text).map_err(|e| format!("not valid YAML: {e}"))
}

/// Merges the shared document `shared` (named `name` in messages) into `spec`: its `servers`
/// where the spec has none, and each entry of its `components` sections. The spec repeating one
/// of them is an error: shared parts are written once.
pub fn merge(spec: &mut Value, shared: &Value, name: &str) -> Result<(), String> {
    let spec_map = spec
        .as_object_mut()
        .ok_or("the document is not a mapping")?;
    if let Some(servers) = shared.get("servers") {
        if spec_map.contains_key("servers") {
            return Err(format!(
                "servers: the servers of both brands come from {name}; remove them here"
            ));
        }
        spec_map.insert("servers".into(), servers.clone());
    }
    let Some(shared_components) = shared.get("components").and_then(Value::as_object) else {
        return Ok(());
    };
    for (section, entries) in shared_components {
        if !COMPONENT_SECTIONS.contains(&section.as_str()) {
            return Err(format!(
                "{name}: components.{section} cannot be shared (only {})",
                COMPONENT_SECTIONS.join(", ")
            ));
        }
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let components = spec_map
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or("components is not a mapping")?;
        let target = components
            .entry(section.clone())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(|| format!("components.{section} is not a mapping"))?;
        for (key, value) in entries {
            if target.contains_key(key) {
                return Err(format!(
                    "components.{section}.{key}: repeats the shared one of {name}; remove it here"
                ));
            }
            target.insert(key.clone(), value.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        parse(text).unwrap()
    }

    #[test]
    fn shared_parts_are_merged_and_never_repeated() {
        let shared = yaml(
            "servers: [{url: https://open.feishu.cn}]\n\
             components: {schemas: {UserIdType: {type: string}}, responses: {FeishuError: {description: e}}}",
        );
        let mut spec = yaml("openapi: 3.0.3\ncomponents: {schemas: {Thing: {type: object}}}");
        merge(&mut spec, &shared, "shared/platform.yaml").unwrap();
        assert_eq!(spec["servers"][0]["url"], "https://open.feishu.cn");
        assert_eq!(
            spec["components"]["schemas"]["UserIdType"]["type"],
            "string"
        );
        assert_eq!(spec["components"]["schemas"]["Thing"]["type"], "object");
        assert_eq!(
            spec["components"]["responses"]["FeishuError"]["description"],
            "e"
        );

        let mut repeats = yaml("components: {schemas: {UserIdType: {type: string}}}");
        let error = merge(&mut repeats, &shared, "shared/platform.yaml").unwrap_err();
        assert!(error.contains("components.schemas.UserIdType"), "{error}");
        assert!(error.contains("shared/platform.yaml"), "{error}");

        let mut own_servers = yaml("servers: [{url: https://example.com}]");
        let error = merge(&mut own_servers, &shared, "shared/platform.yaml").unwrap_err();
        assert!(error.starts_with("servers"), "{error}");
    }
}
