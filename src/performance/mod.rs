//! The `performance` service: the client generated from `openapi/performance.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    performance,
    "The `performance` client (`openapi/performance.yaml`), sharing this client's connection pool and identity."
);
