//! The `passport` service: the client generated from `openapi/passport.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    passport,
    "The `passport` client (`openapi/passport.yaml`), sharing this client's connection pool and identity."
);
