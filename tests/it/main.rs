//! The one integration-test binary: every module here tests the public API from outside.

mod bucketing;
#[cfg(feature = "cli")]
mod cli;
mod properties;
mod support;
mod vectors;
