//! The `directory` service: the client generated from `openapi/directory.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    directory,
    "The `directory` client (`openapi/directory.yaml`), sharing this client's connection pool and identity."
);
