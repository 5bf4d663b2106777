//! Integration tests: one binary, one module per area (keeps link time down).
mod client;
mod pty;
mod tui;
