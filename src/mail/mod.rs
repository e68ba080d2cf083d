//! The `mail` service: the client generated from `openapi/mail.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    mail,
    "The `mail` client (`openapi/mail.yaml`), sharing this client's connection pool and identity."
);
