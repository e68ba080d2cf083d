//! The `sheets` service: the client generated from `openapi/sheets.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    sheets,
    "The `sheets` client (`openapi/sheets.yaml`), sharing this client's connection pool and identity."
);
