//! The `okr` service: the client generated from `openapi/okr.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    okr,
    "The `okr` client (`openapi/okr.yaml`), sharing this client's connection pool and identity."
);
