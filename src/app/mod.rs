//! The model: pure state and logic. No terminal, no network, no clock reads.
pub mod form;
