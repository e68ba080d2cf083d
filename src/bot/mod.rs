//! The `bot` service: the client generated from `openapi/bot.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    bot,
    "The `bot` client (`openapi/bot.yaml`), sharing this client's connection pool and identity."
);
