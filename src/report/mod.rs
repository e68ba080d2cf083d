//! The `report` service: the client generated from `openapi/report.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    report,
    "The `report` client (`openapi/report.yaml`), sharing this client's connection pool and identity."
);
