//! The `application` service: the client generated from `openapi/application.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    application,
    "The `application` client (`openapi/application.yaml`), sharing this client's connection pool and identity."
);
