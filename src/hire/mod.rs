//! The `hire` service: the client generated from `openapi/hire.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    hire,
    "The `hire` client (`openapi/hire.yaml`), sharing this client's connection pool and identity."
);
