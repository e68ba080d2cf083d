//! The `contact` service: the client generated from `openapi/contact.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    contact,
    "The `contact` client (`openapi/contact.yaml`), sharing this client's connection pool and identity."
);
