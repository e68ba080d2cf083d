//! The `board` service: the client generated from `openapi/board.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    board,
    "The `board` client (`openapi/board.yaml`), sharing this client's connection pool and identity."
);
