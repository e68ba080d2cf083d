//! The `speech_to_text` service: the client generated from `openapi/speech_to_text.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    speech_to_text,
    "The `speech_to_text` client (`openapi/speech_to_text.yaml`), sharing this client's connection pool and identity."
);
