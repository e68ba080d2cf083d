//! The `human_authentication` service: the client generated from `openapi/human_authentication.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    human_authentication,
    "The `human_authentication` client (`openapi/human_authentication.yaml`), sharing this client's connection pool and identity."
);
