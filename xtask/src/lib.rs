//! Maintainer tools for feishu-openapi.
//!
//! - [`doc`] reads a Feishu doc page (markdown) and [`import`] turns it into an OpenAPI fragment,
//!   written by [`yaml`] in the style of `openapi/*.yaml` (the `import-doc` binary);
//! - [`catalogue`] converts the Feishu API catalogue into `openapi/<service>.yaml`, facts only,
//!   with the overlays of `openapi/overlay/` on top (the `import-catalogue` binary);
//! - [`lint`] checks the conventions of every spec in `openapi/`, using the example validator in
//!   [`schema`];
//! - [`synth`] writes synthetic specs of any size for the codegen benchmark (the `synth-spec` and
//!   `codegen-bench` binaries).
//!
//! - [`coverage`] writes the coverage page `docs/coverage.md` (the `coverage` binary).
//!
//! [`cli`] holds what the binaries share on the command line. See `docs/adding-an-endpoint.md`.

pub mod catalogue;
pub mod cli;
pub mod coverage;
pub mod doc;
pub mod import;
pub mod lint;
pub mod schema;
pub mod synth;
pub mod workspace;
pub mod yaml;

/// Imports a doc page's markdown text: parses it and returns the OpenAPI fragment as YAML text.
pub fn import_page(markdown: &str, options: &import::Options) -> Result<String, doc::ImportError> {
    let page = doc::parse(markdown)?;
    let fragment = import::import(&page, options)?;
    Ok(yaml::to_string(&fragment))
}
