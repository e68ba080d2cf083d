//! The `search` service: the client generated from `openapi/search.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    search,
    "The `search` client (`openapi/search.yaml`), sharing this client's connection pool and identity."
);
