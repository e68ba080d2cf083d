//! The `docx` service: the client generated from `openapi/docx.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    docx,
    "The `docx` client (`openapi/docx.yaml`), sharing this client's connection pool and identity."
);
