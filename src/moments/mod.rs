//! The `moments` service: the client generated from `openapi/moments.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    moments,
    "The `moments` client (`openapi/moments.yaml`), sharing this client's connection pool and identity."
);
