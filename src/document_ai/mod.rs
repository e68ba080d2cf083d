//! The `document_ai` service: the client generated from `openapi/document_ai.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    document_ai,
    "The `document_ai` client (`openapi/document_ai.yaml`), sharing this client's connection pool and identity."
);
