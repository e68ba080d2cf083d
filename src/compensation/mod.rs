//! The `compensation` service: the client generated from `openapi/compensation.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    compensation,
    "The `compensation` client (`openapi/compensation.yaml`), sharing this client's connection pool and identity."
);
