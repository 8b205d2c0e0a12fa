//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// Path of a file under `tests/vectors/`.
pub fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors")
        .join(name)
}

/// Reads a vectors file as JSON.
pub fn read_vectors(name: &str) -> serde_json::Value {
    let path = vector_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

#[cfg(feature = "server")]
pub mod http;
#[cfg(feature = "server")]
pub mod service;
