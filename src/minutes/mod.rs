//! The `minutes` service: the client generated from `openapi/minutes.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    minutes,
    "The `minutes` client (`openapi/minutes.yaml`), sharing this client's connection pool and identity."
);
