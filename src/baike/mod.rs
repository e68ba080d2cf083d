//! The `baike` service: the client generated from `openapi/baike.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    baike,
    "The `baike` client (`openapi/baike.yaml`), sharing this client's connection pool and identity."
);
