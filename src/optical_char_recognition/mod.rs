//! The `optical_char_recognition` service: the client generated from `openapi/optical_char_recognition.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    optical_char_recognition,
    "The `optical_char_recognition` client (`openapi/optical_char_recognition.yaml`), sharing this client's connection pool and identity."
);
