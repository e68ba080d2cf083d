//! The `spark` service: the client generated from `openapi/spark.yaml` (imported from the Feishu API
//! catalogue; each operation links its doc page, `x-feishu-doc`).

generated_service!(
    spark,
    "The `spark` client (`openapi/spark.yaml`), sharing this client's connection pool and identity."
);
