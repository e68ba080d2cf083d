//! The committed coverage page is the one the specs give.

use std::path::Path;

#[test]
fn the_coverage_page_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let services = xtask::coverage::services(&root.join("openapi")).unwrap();
    let page = xtask::coverage::page(&services);
    let committed = std::fs::read_to_string(root.join("docs/coverage.md")).unwrap_or_default();
    assert!(
        committed == page,
        "docs/coverage.md is stale: run `cargo run -p xtask --bin coverage`"
    );
}
