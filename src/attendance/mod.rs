//! The `attendance` service: the client generated from `openapi/attendance.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    attendance,
    "The `attendance` client (`openapi/attendance.yaml`), sharing this client's connection pool and identity."
);
