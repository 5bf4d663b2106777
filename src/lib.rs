//! syncro-tui: a keyboard-driven terminal client for Syncro MSP customers and contacts.
//!
//! The crate is split as in `design.md`: `api` (HTTP client), `app` (pure state and logic),
//! `ui` (drawing), `worker` (runs effects), `tui` (terminal), `demo` (the Syncro-compatible server).

pub mod api;
pub mod app;
pub mod audit;
pub mod changelog;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod drafts;
pub mod export;
pub mod files;
pub mod filter;
pub mod flows;
pub mod followup;
pub mod house;
pub mod logging;
pub mod lookup;
pub mod man;
pub mod memory;
pub mod mirror;
pub mod parallel;
pub mod roles;
pub mod sanitize;
pub mod text;
pub mod tui;
pub mod ui;
pub mod worker;
