//! Runs the app's effects on tokio tasks with the API client and sends actions back.
