//! The `wiki` service: the client generated from `openapi/wiki.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    wiki,
    "The `wiki` client (`openapi/wiki.yaml`), sharing this client's connection pool and identity."
);
