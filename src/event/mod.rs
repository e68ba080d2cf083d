//! The `event` service: the client generated from `openapi/event.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    event,
    "The `event` client (`openapi/event.yaml`), sharing this client's connection pool and identity."
);
