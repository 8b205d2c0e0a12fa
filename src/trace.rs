//! Explanations: the steps an evaluation took, for previews and the CLI.

use serde::Serialize;
use serde_json::Value;

/// One step of an evaluation, in the order the engine took them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(
    tag = "step",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Step {
    /// The key is not in the snapshot.
    FlagNotFound,
    /// The flag has error diagnostics and cannot be evaluated.
    FlagInvalid,
    /// The context breaks a limit or a rule of its own.
    InvalidContext {
        /// What is wrong with it.
        message: String,
    },
    /// The kill switch.
    Enabled {
        /// Whether the flag is on.
        enabled: bool,
    },
    /// The override lists were checked.
    Override {
        /// The targeting key looked up.
        targeting_key: Option<String>,
        /// The variant it is forced to, if it is listed.
        variant: Option<String>,
    },
    /// The schedule was checked.
    Schedule {
        /// Start of the window, if any.
        start: Option<String>,
        /// End of the window, if any.
        end: Option<String>,
        /// The evaluation time.
        now: String,
        /// Whether `now` is inside the window.
        live: bool,
    },
    /// A prerequisite was evaluated.
    Prerequisite {
        /// The flag depended on.
        flag: String,
        /// The variants that satisfy it.
        required: Vec<String>,
        /// The variant it served (none on error or without a variant).
        variant: Option<String>,
        /// Whether it is satisfied.
        met: bool,
    },
    /// A condition of a rule was tested.
    Condition {
        /// Index of the rule.
        rule: usize,
        /// Id of the rule.
        rule_id: String,
        /// Index of the condition in the rule.
        condition: usize,
        /// The attribute tested (none for segment conditions).
        attribute: Option<String>,
        /// The operator.
        op: String,
        /// Whether the result was inverted.
        negate: bool,
        /// The attribute's value in the context (none if absent).
        value: Option<Value>,
        /// Whether the condition holds.
        result: bool,
    },
    /// The evaluation would have spent more than `Limits::max_evaluation_cost`; it stopped and
    /// answers `GENERAL` (the trace ends).
    CostLimit {
        /// The limit, in cost units.
        limit: usize,
    },
    /// A rule matched and decides the result.
    RuleMatched {
        /// Index of the rule.
        rule: usize,
        /// Id of the rule.
        rule_id: String,
    },
    /// No rule matched; the fallthrough decides.
    Fallthrough,
    /// A split placed the context in a bucket.
    Split {
        /// The attribute bucketed by.
        bucket_by: String,
        /// Its value as hashed (none when missing or not bucketable).
        value: Option<String>,
        /// The bucket, `0..100000`.
        bucket: Option<u32>,
        /// Start of the chosen variant's range (inclusive).
        range_start: Option<u32>,
        /// End of the chosen variant's range (exclusive).
        range_end: Option<u32>,
        /// The chosen variant.
        variant: Option<String>,
    },
}

/// Receives steps during evaluation. The no-op implementation compiles away, so explaining costs
/// nothing unless asked for.
pub(crate) trait Tracer {
    fn step(&mut self, make: impl FnOnce() -> Step);
}

/// Records nothing.
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn step(&mut self, _make: impl FnOnce() -> Step) {}
}

impl Tracer for Vec<Step> {
    fn step(&mut self, make: impl FnOnce() -> Step) {
        self.push(make());
    }
}
