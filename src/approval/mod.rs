//! The `approval` service: the client generated from `openapi/approval.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    approval,
    "The `approval` client (`openapi/approval.yaml`), sharing this client's connection pool and identity."
);
