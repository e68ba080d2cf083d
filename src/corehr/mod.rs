//! The `corehr` service: the client generated from `openapi/corehr.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    corehr,
    "The `corehr` client (`openapi/corehr.yaml`), sharing this client's connection pool and identity."
);
