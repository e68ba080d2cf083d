//! The `security_and_compliance` service: the client generated from `openapi/security_and_compliance.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    security_and_compliance,
    "The `security_and_compliance` client (`openapi/security_and_compliance.yaml`), sharing this client's connection pool and identity."
);
