//! The `acs` service: the client generated from `openapi/acs.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    acs,
    "The `acs` client (`openapi/acs.yaml`), sharing this client's connection pool and identity."
);
