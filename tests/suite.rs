//! The integration tests that share one test binary (see `Cargo.toml`: each binary links the
//! whole crate, and a test that awaits a call compiles its decoding; one binary does both once).
//! Each file is a module here, and the support modules (`common`, `export_support`, …) are
//! declared once, below.

// The support modules, once for every test module.
mod common;
mod example_support;
mod export_support;
#[cfg(feature = "im")]
mod marketplace_support;
mod runtime_support;

// The tests, a module per file.
#[path = "answer_objects.rs"]
mod answer_objects;
#[path = "body_less_requests.rs"]
mod body_less_requests;
#[path = "client_config.rs"]
mod client_config;
#[path = "events_generated.rs"]
mod events_generated;
#[path = "example_cli.rs"]
mod example_cli;
#[path = "example_hardening.rs"]
mod example_hardening;
#[path = "export_download.rs"]
mod export_download;
#[path = "export_wire.rs"]
mod export_wire;
#[path = "export_workflow.rs"]
mod export_workflow;
#[path = "fake_feishu.rs"]
mod fake_feishu;
#[path = "generated_snapshot.rs"]
mod generated_snapshot;
#[path = "im_endpoints.rs"]
mod im_endpoints;
#[path = "marketplace_apps.rs"]
mod marketplace_apps;
#[path = "marketplace_tickets.rs"]
mod marketplace_tickets;
#[path = "meeting_list_bad_input.rs"]
mod meeting_list_bad_input;
#[path = "meeting_list_wire.rs"]
mod meeting_list_wire;
#[path = "open_values.rs"]
mod open_values;
#[path = "participant_list.rs"]
mod participant_list;
#[path = "participant_quality_list.rs"]
mod participant_quality_list;
#[path = "resource_reservation_list.rs"]
mod resource_reservation_list;
#[path = "runtime_errors.rs"]
mod runtime_errors;
#[path = "runtime_retries.rs"]
mod runtime_retries;
#[path = "runtime_tokens.rs"]
mod runtime_tokens;
#[path = "send_and_call.rs"]
mod send_and_call;
#[path = "spec_matches_doc.rs"]
mod spec_matches_doc;
