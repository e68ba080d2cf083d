//! The `docs` service: the client generated from `openapi/docs.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    docs,
    "The `docs` client (`openapi/docs.yaml`), sharing this client's connection pool and identity."
);
