//! The `task` service: the client generated from `openapi/task.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    task,
    "The `task` client (`openapi/task.yaml`), sharing this client's connection pool and identity."
);
