//! The Syncro-compatible demo server (axum) and its deterministic data generator.
