//! The one integration-test binary: every module here tests the public API from outside.

mod bucketing;
mod built;
#[cfg(feature = "cli")]
mod cli;
mod cost;
mod engine;
mod properties;
#[cfg(feature = "server")]
mod serve_crash;
mod support;
mod vectors;
