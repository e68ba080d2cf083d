//! The `tenant` service: the client generated from `openapi/tenant.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    tenant,
    "The `tenant` client (`openapi/tenant.yaml`), sharing this client's connection pool and identity."
);
