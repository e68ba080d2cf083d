//! The `aily` service: the client generated from `openapi/aily.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    aily,
    "The `aily` client (`openapi/aily.yaml`), sharing this client's connection pool and identity."
);
