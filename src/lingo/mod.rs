//! The `lingo` service: the client generated from `openapi/lingo.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    lingo,
    "The `lingo` client (`openapi/lingo.yaml`), sharing this client's connection pool and identity."
);
