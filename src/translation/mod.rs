//! The `translation` service: the client generated from `openapi/translation.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    translation,
    "The `translation` client (`openapi/translation.yaml`), sharing this client's connection pool and identity."
);
