//! The `bitable` service: the client generated from `openapi/bitable.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    bitable,
    "The `bitable` client (`openapi/bitable.yaml`), sharing this client's connection pool and identity."
);
