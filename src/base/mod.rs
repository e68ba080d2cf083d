//! The `base` service: the client generated from `openapi/base.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    base,
    "The `base` client (`openapi/base.yaml`), sharing this client's connection pool and identity."
);
