//! The `helpdesk` service: the client generated from `openapi/helpdesk.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    helpdesk,
    "The `helpdesk` client (`openapi/helpdesk.yaml`), sharing this client's connection pool and identity."
);
