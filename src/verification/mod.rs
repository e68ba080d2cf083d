//! The `verification` service: the client generated from `openapi/verification.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    verification,
    "The `verification` client (`openapi/verification.yaml`), sharing this client's connection pool and identity."
);
