//! The catalogue importer: one OpenAPI file per project of the Feishu API catalogue (the
//! `lark-openapi-spec` files and `body-required-patch.json`) → `openapi/<project>.yaml` in this
//! crate's conventions, facts only, with the hand knowledge of `openapi/overlay/<project>.yaml`
//! applied on top ([`overlay`]). Every decision is in `docs/importing-the-catalogue.md`.
//!
//! - [`operation`] maps one operation (ids, tokens, scopes, errors, parameters, bodies,
//!   pagination, uploads, downloads);
//! - [`answer`] maps the 200 answer (the envelope, pagination);
//! - [`schema`] maps schemas (types, enums, the catalogue's defects, component names);
//! - [`names`] holds the naming rules;
//! - [`agree`] checks that the written spec keeps the catalogue's required flags.
//!
//! Deterministic: the output follows the catalogue's order, and the same input gives the same
//! bytes. A construct the importer cannot map is an error naming the operation and the construct.

use std::collections::BTreeMap;
use std::path::Path;

use yaml_serde::{Mapping, Value};

pub mod agree;
pub mod answer;
pub mod events;
pub mod names;
pub mod operation;
pub mod overlay;
pub mod schema;

/// Projects of the catalogue that are not imported, and why.
pub const NOT_IMPORTED: &[(&str, &str)] = &[(
    "auth",
    "hand-made and always built: the token cache depends on its exact shape (top-level token \
     fields, SecretString); see docs/importing-the-catalogue.md",
)];

/// The patch restoring request bodies' top-level `required` lists, keyed `"METHOD /path"`.
pub type Patch = BTreeMap<String, Vec<String>>;

/// Reads `body-required-patch.json`: `{"POST /open-apis/…": {"required": [field, …], …}}`.
pub fn read_patch(text: &str) -> Result<Patch, String> {
    let raw: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("body-required-patch.json: {e}"))?;
    raw.into_iter()
        .map(|(key, entry)| {
            let fields = entry
                .get("required")
                .and_then(serde_json::Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|f| f.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .and_then(|f| f)
                .ok_or_else(|| {
                    format!("body-required-patch.json: {key}: `required` is not a list of names")
                })?;
            Ok((key, fields))
        })
        .collect()
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// Imports one catalogue file (`project` is its stem) into a spec in this crate's conventions,
/// before any overlay.
pub fn import_project(project: &str, doc: &Value, patch: &Patch) -> Result<Mapping, String> {
    let catalogue = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping);
    let mut components = schema::Components::new(catalogue);
    let mut paths = Mapping::new();
    let mut tags: Vec<String> = Vec::new();
    let mut ids = BTreeMap::new();
    let Some(items) = doc.get("paths").and_then(Value::as_mapping) else {
        return Err(format!("{project}: no paths"));
    };
    for (path, item) in items {
        let path = path.as_str().ok_or("a path that is not a string")?;
        let mut out_item = Mapping::new();
        for (method, op) in item.as_mapping().into_iter().flatten() {
            let method = method.as_str().unwrap_or_default();
            let imported = operation::import(project, path, method, op, patch, &mut components)?;
            if let Some(other) = ids.insert(
                imported.id.clone(),
                format!("{} {path}", method.to_uppercase()),
            ) {
                return Err(format!(
                    "operation {} ({} {path}): operationId `{}` is also {other}",
                    imported.id,
                    method.to_uppercase(),
                    imported.id
                ));
            }
            if !tags.contains(&imported.tag) {
                tags.push(imported.tag.clone());
            }
            out_item.insert(text(method), Value::Mapping(imported.operation));
        }
        paths.insert(text(path), Value::Mapping(out_item));
    }
    let version = doc
        .get("info")
        .and_then(|i| i.get("version"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut spec = Mapping::new();
    spec.insert(text("openapi"), text("3.0.3"));
    let mut info = Mapping::new();
    info.insert(text("title"), text(&format!("Feishu {project}")));
    info.insert(text("version"), text(version));
    // Marks a spec made by this importer: the lint accepts its enums without meanings (the
    // catalogue's are prose; the operation's doc page has them).
    info.insert(text("x-feishu-catalogue"), text(version));
    spec.insert(text("info"), Value::Mapping(info));
    let tags = tags
        .into_iter()
        .map(|t| {
            let mut m = Mapping::new();
            m.insert(text("name"), text(&t));
            Value::Mapping(m)
        })
        .collect();
    spec.insert(text("tags"), Value::Sequence(tags));
    spec.insert(text("paths"), Value::Mapping(paths));
    let mut schemas = Mapping::new();
    schemas.insert(text("schemas"), Value::Mapping(components.schemas));
    spec.insert(text("components"), Value::Mapping(schemas));
    Ok(spec)
}

/// The first lines of every imported spec.
pub fn header(project: &str) -> String {
    format!(
        "# Feishu / Lark Open Platform — {project}. Written by the catalogue importer (`import-catalogue`,\n\
         # docs/importing-the-catalogue.md) from the facts of the Feishu API catalogue, with\n\
         # openapi/overlay/{project}.yaml applied if it exists. Do not edit: edit the overlay and re-import.\n"
    )
}

/// Imports the catalogue document `doc` of `project`, applies `overlay` if given, drops the
/// schemas nothing refers to, and returns the spec's text (without events: see
/// [`render_with_events`]).
pub fn render(
    project: &str,
    doc: &Value,
    patch: &Patch,
    overlay: Option<&Value>,
) -> Result<String, String> {
    render_with_events(project, doc, patch, &[], overlay)
}

/// [`render`] with the project's events (entries of the event catalogue, [`events`]) declared
/// as `x-feishu-events`, their payloads among the component schemas.
pub fn render_with_events(
    project: &str,
    doc: &Value,
    patch: &Patch,
    project_events: &[&serde_json::Value],
    overlay: Option<&Value>,
) -> Result<String, String> {
    let mut spec =
        import_project(project, doc, patch).map_err(|e| format!("{project}.yaml: {e}"))?;
    if !project_events.is_empty() {
        let mut components = spec
            .remove("components")
            .unwrap_or(Value::Mapping(Mapping::new()));
        let schemas = components
            .get_mut("schemas")
            .and_then(Value::as_mapping_mut)
            .ok_or_else(|| format!("{project}.yaml: no components.schemas"))?;
        let declared = events::import(project, project_events, schemas)
            .map_err(|e| format!("events.json: {project}: {e}"))?;
        spec.insert(text(events::KEY), Value::Sequence(declared));
        spec.insert(text("components"), components);
    }
    if let Some(layer) = overlay {
        overlay::apply(&mut spec, layer).map_err(|e| format!("overlay/{project}.yaml: {e}"))?;
    }
    agree::parameters_required(doc, &spec).map_err(|e| format!("{project}.yaml: {e}"))?;
    overlay::prune(&mut spec);
    overlay::events_last(&mut spec);
    Ok(header(project) + &crate::yaml::to_string(&Value::Mapping(spec)))
}

/// Imports the catalogue file of `project` (read from `catalogue_dir`) with its events, applies
/// the overlay in `out_dir/overlay/` if there is one, and returns the spec's text.
pub fn import_file(
    catalogue_dir: &Path,
    project: &str,
    patch: &Patch,
    project_events: &[&serde_json::Value],
    out_dir: &Path,
) -> Result<String, String> {
    let file = catalogue_dir.join(format!("{project}.yaml"));
    let source =
        std::fs::read_to_string(&file).map_err(|e| format!("{project}.yaml: cannot read: {e}"))?;
    let doc: Value = yaml_serde::from_str(&source).map_err(|e| format!("{project}.yaml: {e}"))?;
    let overlay_file = out_dir.join("overlay").join(format!("{project}.yaml"));
    let overlay = if overlay_file.is_file() {
        let text = std::fs::read_to_string(&overlay_file)
            .map_err(|e| format!("overlay/{project}.yaml: cannot read: {e}"))?;
        Some(yaml_serde::from_str(&text).map_err(|e| format!("overlay/{project}.yaml: {e}"))?)
    } else {
        None
    };
    render_with_events(project, &doc, patch, project_events, overlay.as_ref())
}

/// The projects of a catalogue folder: the stems of its `*.yaml` files, sorted.
pub fn projects(catalogue_dir: &Path) -> Result<Vec<String>, String> {
    let files = feishu_openapi_codegen::spec::yaml_files(catalogue_dir)
        .map_err(|e| format!("{}: {e}", catalogue_dir.display()))?;
    Ok(files
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect())
}

/// What an import wrote.
#[derive(Debug, Default)]
pub struct Imported {
    /// Each written project, its number of operations and of events.
    pub written: Vec<(String, usize, usize)>,
    /// The services of the event catalogue that get no events, with how many each has: no
    /// project of that name, or a project not imported (`auth`).
    pub events_left_out: Vec<(String, usize)>,
}

/// The event catalogue beside the catalogue folder: `<dir>/events/events.json`, or one folder up
/// (the catalogue's README layout).
pub fn events_file(catalogue_dir: &Path) -> Option<std::path::PathBuf> {
    [
        catalogue_dir.join("events").join("events.json"),
        catalogue_dir.join("..").join("events").join("events.json"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Imports the projects of `catalogue_dir` (all, or those in `only`) into `out_dir`, each with
/// its events (from [`events_file`]) and its overlay; writes nothing unless every project
/// imports.
pub fn import_dir(
    catalogue_dir: &Path,
    only: Option<&[String]>,
    out_dir: &Path,
) -> Result<Imported, String> {
    let patch_file = catalogue_dir.join("body-required-patch.json");
    let patch_dir = if patch_file.is_file() {
        patch_file
    } else {
        // The catalogue's README layout: the OpenAPI files one folder down.
        catalogue_dir.join("..").join("body-required-patch.json")
    };
    let patch = read_patch(
        &std::fs::read_to_string(&patch_dir)
            .map_err(|e| format!("{}: cannot read: {e}", patch_dir.display()))?,
    )?;
    let events_path = events_file(catalogue_dir).ok_or_else(|| {
        format!(
            "{}: no events/events.json here or one folder up (the event catalogue)",
            catalogue_dir.display()
        )
    })?;
    let event_catalogue = events::read(
        &std::fs::read_to_string(&events_path)
            .map_err(|e| format!("{}: cannot read: {e}", events_path.display()))?,
    )?;
    let all = projects(catalogue_dir)?;
    if let Some(unknown) = only.into_iter().flatten().find(|p| !all.contains(p)) {
        return Err(format!("--only: the catalogue has no project `{unknown}`"));
    }
    if let Some((project, why)) = NOT_IMPORTED
        .iter()
        .find(|(p, _)| only.is_some_and(|o| o.iter().any(|x| x == p)))
    {
        return Err(format!("--only: `{project}` is not imported: {why}"));
    }
    let imported =
        |p: &str| all.iter().any(|a| a == p) && !NOT_IMPORTED.iter().any(|(n, _)| *n == p);
    let mut out = Imported::default();
    for event in &event_catalogue.events {
        let service = events::Catalogue::service(event);
        if !imported(service) {
            match out.events_left_out.iter_mut().find(|(s, _)| s == service) {
                Some((_, n)) => *n += 1,
                None => out.events_left_out.push((service.to_string(), 1)),
            }
        }
    }
    let mut texts = Vec::new();
    for project in all.iter().filter(|p| imported(p)) {
        if only.is_some_and(|o| !o.contains(project)) {
            continue;
        }
        let project_events: Vec<&serde_json::Value> = event_catalogue.of(project).collect();
        let spec = import_file(catalogue_dir, project, &patch, &project_events, out_dir)?;
        texts.push((project.clone(), spec, project_events.len()));
    }
    for (project, spec, events) in texts {
        let operations = spec.matches("\n      operationId: ").count();
        std::fs::write(out_dir.join(format!("{project}.yaml")), spec)
            .map_err(|e| format!("{project}.yaml: cannot write: {e}"))?;
        out.written.push((project, operations, events));
    }
    Ok(out)
}
