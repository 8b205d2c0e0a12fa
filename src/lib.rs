//! Vexil evaluates feature flags from a snapshot: one JSON document holding every flag, its
//! variants and its targeting rules. The same snapshot and the same context give the same
//! answer in every runtime, because bucketing is one byte-exact algorithm
//! (`docs/bucketing.md`) and evaluation is this one engine, compiled natively and to
//! WebAssembly.
//!
//! ```
//! use vexil::{Context, Engine, Reason, Timestamp};
//!
//! let snapshot = r#"{
//!   "schemaVersion": 1, "revision": 12, "generatedAt": "2026-11-01T00:00:00Z",
//!   "flags": [{
//!     "key": "dark-mode", "type": "boolean",
//!     "variants": {"on": true, "off": false}, "offVariant": "off",
//!     "overrides": [{"variant": "off", "keys": ["user-13"]}],
//!     "fallthrough": {"split": [{"variant": "on", "weight": 25000},
//!                               {"variant": "off", "weight": 75000}]}
//!   }]
//! }"#;
//! let engine = Engine::from_json(snapshot)?;
//! let now = Timestamp::parse_rfc3339("2026-11-22T09:30:00Z")?;
//!
//! // user-13 is forced off, whatever their bucket.
//! let forced = engine.evaluate("dark-mode", &Context::with_targeting_key("user-13"), now);
//! assert_eq!(forced.reason, Reason::Override);
//! assert_eq!(forced.variant, Some("off"));
//!
//! // Everyone else lands in a stable bucket of the 25 % rollout.
//! let user = engine.bool_value("dark-mode", &Context::with_targeting_key("user-42"), now, false);
//! assert_eq!(user.reason, Reason::Split);
//!
//! // Evaluation never fails: an unknown flag gives the caller's default and an error code.
//! let missing = engine.bool_value("no-such-flag", &Context::new(), now, true);
//! assert!(missing.value);
//! assert_eq!(missing.error_code.map(|code| code.as_str()), Some("FLAG_NOT_FOUND"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Loading compiles the snapshot once ([`Engine::from_json`]); a document that cannot be used is
//! a [`LoadError`], while a problem confined to one flag is a [`Diagnostic`] and only that flag
//! serves `PARSE_ERROR`. To evaluate many flags for one user, [`Engine::prepare`] the context once.
//! [`Engine::explain`] shows every step of an evaluation, and [`Engine::stats`] counts them.
//!
//! For Rust servers, the `client` feature adds `vexil::client`: a client that keeps the newest
//! good snapshot of a config endpoint (such as `vexil serve`'s) loaded on a background thread,
//! with `flags.is_enabled("key", &context)` and typed getters.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bucket;
#[cfg(all(feature = "client", not(target_arch = "wasm32")))]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
mod compile;
mod condition;
mod context;
mod cost;
mod decimal;
mod diagnostic;
mod engine;
mod error;
mod evaluate;
mod fasthash;
mod json;
mod limits;
mod load;
mod metadata;
mod operand;
mod path;
mod read;
mod regex;
pub mod semver;
pub mod snapshot;
mod stats;
mod timestamp;
mod trace;
#[cfg(target_arch = "wasm32")]
mod wasm;
mod write;

pub use compile::FlagType;
pub use context::{AttrValue, Context, ContextError, TARGETING_KEY};
pub use diagnostic::{Diagnostic, DiagnosticCode, Severity};
pub use engine::{Engine, EvaluationContext, Explanation, FlagId, FlagInfo, PreparedContext};
pub use error::{LoadError, LoadErrorKind};
pub use evaluate::{Details, ErrorCode, Evaluation, Reason};
pub use limits::{LimitKind, Limits};
pub use stats::{FlagStats, Stats, VariantCount};
pub use timestamp::{Timestamp, TimestampError};
pub use trace::Step;

/// The README's examples, compiled and run as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
