//! The `personal_settings` service: the client generated from `openapi/personal_settings.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    personal_settings,
    "The `personal_settings` client (`openapi/personal_settings.yaml`), sharing this client's connection pool and identity."
);
