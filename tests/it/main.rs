// Test set-up may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Integration tests: one binary, one module per area (keeps link time down).

mod arch;
mod bulk;
mod client;
mod config;
mod demo;
mod demo_mode;
mod export;
mod fault;
mod flows;
mod followup;
mod forms;
mod hardening;
mod house;
mod house_ui;
mod links;
mod lookup;
mod merge_ui;
mod mirror;
mod mirror_ui;
mod onboard;
mod palette;
mod pty;
mod stack;
mod tui;
