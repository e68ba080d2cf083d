//! The `ehr` service: the client generated from `openapi/ehr.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    ehr,
    "The `ehr` client (`openapi/ehr.yaml`), sharing this client's connection pool and identity."
);
