//! The `trust_party` service: the client generated from `openapi/trust_party.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    trust_party,
    "The `trust_party` client (`openapi/trust_party.yaml`), sharing this client's connection pool and identity."
);
