//! The one integration-test binary: every module here tests the public API from outside.

mod bucketing;
mod built;
#[cfg(feature = "cli")]
mod cli;
#[cfg(all(feature = "client", feature = "server"))]
mod client;
mod cost;
mod engine;
mod properties;
#[cfg(feature = "server")]
mod serve_crash;
#[cfg(feature = "server")]
mod serve_push;
#[cfg(feature = "server")]
mod serve_snapshot;
#[cfg(feature = "server")]
mod serve_start;
mod support;
mod vectors;
