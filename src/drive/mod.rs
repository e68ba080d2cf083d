//! The `drive` service: the client generated from `openapi/drive.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    drive,
    "The `drive` client (`openapi/drive.yaml`), sharing this client's connection pool and identity."
);
