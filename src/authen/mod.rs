//! The `authen` service: the client generated from `openapi/authen.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    authen,
    "The `authen` client (`openapi/authen.yaml`), sharing this client's connection pool and identity."
);
