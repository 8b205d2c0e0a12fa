//! The one integration-test binary: every module here tests the public API from outside.

mod bucketing;
mod built;
#[cfg(feature = "cli")]
mod cli;
mod cost;
mod engine;
mod properties;
mod support;
mod vectors;
