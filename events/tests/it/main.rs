//! The crate's tests against real servers on 127.0.0.1: one binary, one module per subject.

mod app_ticket;
mod common;
mod long_connection;
mod reassembly;
mod vectors;
mod webhook;
