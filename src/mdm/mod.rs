//! The `mdm` service: the client generated from `openapi/mdm.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    mdm,
    "The `mdm` client (`openapi/mdm.yaml`), sharing this client's connection pool and identity."
);
