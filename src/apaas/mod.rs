//! The `apaas` service: the client generated from `openapi/apaas.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    apaas,
    "The `apaas` client (`openapi/apaas.yaml`), sharing this client's connection pool and identity."
);
