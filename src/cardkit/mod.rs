//! The `cardkit` service: the client generated from `openapi/cardkit.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    cardkit,
    "The `cardkit` client (`openapi/cardkit.yaml`), sharing this client's connection pool and identity."
);
