//! The `admin` service: the client generated from `openapi/admin.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    admin,
    "The `admin` client (`openapi/admin.yaml`), sharing this client's connection pool and identity."
);
