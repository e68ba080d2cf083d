//! The `workplace` service: the client generated from `openapi/workplace.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    workplace,
    "The `workplace` client (`openapi/workplace.yaml`), sharing this client's connection pool and identity."
);
