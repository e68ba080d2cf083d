//! Which services are cargo features, shared by `build.rs` and the spec lint in `xtask`, so
//! that both agree on the exceptions.

/// Services generated whatever the features: the runtime's token cache needs `auth`. Every other
/// spec in `openapi/` is generated only when the cargo feature of its name is on, and the spec
/// lint fails for a spec without such a feature.
pub const ALWAYS_ON: &[&str] = &["auth"];
