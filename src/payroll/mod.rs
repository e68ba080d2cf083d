//! The `payroll` service: the client generated from `openapi/payroll.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    payroll,
    "The `payroll` client (`openapi/payroll.yaml`), sharing this client's connection pool and identity."
);
