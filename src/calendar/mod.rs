//! The `calendar` service: the client generated from `openapi/calendar.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    calendar,
    "The `calendar` client (`openapi/calendar.yaml`), sharing this client's connection pool and identity."
);
