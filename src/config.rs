//! Settings (confy, TOML), profiles and API-key resolution.
