//! [`Engine`]: a compiled snapshot and everything that can be asked of it.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use serde_json::Value;

use crate::compile::{compile, Compiled, CompiledFlag, CompiledSegment, FlagType, Header};
use crate::condition::{Parsed, ReadAhead};
use crate::context::{AttrValue, Context};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::LoadError;
use crate::evaluate::{evaluate, Details, ErrorCode, Evaluation, Outcome, Reason, View};
use crate::fasthash::{KeyIndex, StrSet};
use crate::limits::{LimitKind, Limits};
use crate::load::parse;
use crate::metadata::MetadataStore;
use crate::read::{Packed, ReadProblem};
use crate::snapshot::{Metadata, Snapshot, Text};
use crate::stats::Stats;
use crate::timestamp::Timestamp;
use crate::trace::{NoTrace, Step};

/// Marks slots of attributes the context does not have.
const ABSENT: u32 = u32::MAX;

/// Gives every engine a distinct id, so a [`PreparedContext`] knows which engine it was made for.
static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// A compiled snapshot, ready to evaluate. Immutable apart from its statistics counters, and
/// `Send + Sync`, so one engine can serve many threads.
///
/// ```
/// use vexil::{Context, Engine, Timestamp};
///
/// let engine = Engine::from_json(r#"{
///     "schemaVersion": 1, "revision": 7, "generatedAt": "2026-11-01T00:00:00Z",
///     "flags": [{
///         "key": "new-checkout", "type": "boolean",
///         "variants": {"on": true, "off": false}, "offVariant": "off",
///         "rules": [{"id": "canada",
///                    "conditions": [{"attribute": "jurisdiction", "op": "in", "values": ["ontario", "quebec"]}],
///                    "serve": {"variant": "on"}}],
///         "fallthrough": {"variant": "off"}
///     }]
/// }"#).expect("a valid snapshot");
///
/// let now = Timestamp::parse_rfc3339("2026-11-22T12:00:00Z").expect("a valid instant");
/// let user = Context::with_targeting_key("user-42").with("jurisdiction", "quebec");
/// let result = engine.bool_value("new-checkout", &user, now, false);
/// assert!(result.value);
/// assert_eq!(result.rule_id, Some("canada"));
/// ```
pub struct Engine {
    id: u64,
    header: Header,
    pub(crate) flags: Vec<CompiledFlag>,
    flag_index: KeyIndex,
    pub(crate) metadata: MetadataStore,
    pub(crate) segments: Vec<CompiledSegment>,
    pub(crate) attribute_names: Vec<Box<str>>,
    attribute_index: StrSet,
    memo_slots: usize,
    read_ahead: Vec<ReadAhead>,
    diagnostics: Vec<Diagnostic>,
    pub(crate) limits: Limits,
    unknown_flag_evaluations: AtomicU64,
    /// Where each flag's definition is in the document it was read from, by flag position
    /// (empty for a snapshot built in code). Only the JS SDK's change detection reads it.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    flag_spans: Vec<[u32; 2]>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("revision", &self.header.revision)
            .field("flags", &self.flags.len())
            .field("diagnostics", &self.diagnostics.len())
            .finish_non_exhaustive()
    }
}

/// A flag's index in one engine, for the fastest repeated lookups (see [`Engine::flag_id`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlagId {
    engine: u64,
    index: u32,
}

/// A context resolved once against one engine, to evaluate many flags without looking its
/// attributes up again. Made by [`Engine::prepare`]. Used with another engine it still gives
/// correct results, just without the speed-up.
#[derive(Debug)]
pub struct PreparedContext {
    engine: u64,
    context: Context,
    slots: Vec<u32>,
    problem: Option<String>,
    /// Results of remembered tests (regexes) for this context; atomic so the context stays
    /// shareable across threads.
    memo: Box<[AtomicU8]>,
    /// Versions and instants that conditions read, parsed once here (by attribute id).
    parsed: Box<[Parsed]>,
}

impl Clone for PreparedContext {
    fn clone(&self) -> Self {
        PreparedContext {
            engine: self.engine,
            context: self.context.clone(),
            slots: self.slots.clone(),
            problem: self.problem.clone(),
            memo: self
                .memo
                .iter()
                .map(|slot| AtomicU8::new(slot.load(Ordering::Relaxed)))
                .collect(),
            parsed: self.parsed.clone(),
        }
    }
}

fn fresh_memo(slots: usize) -> Box<[AtomicU8]> {
    (0..slots).map(|_| AtomicU8::new(0)).collect()
}

impl PreparedContext {
    /// The context it was prepared from.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Which of the engine's context limits the context goes over, if it does, e.g.
    /// `… is 257, over the limit of 256 (LIMIT_CONTEXT_ATTRIBUTES)`. Every evaluation with
    /// such a context answers the caller's default with `INVALID_CONTEXT`; a service can
    /// refuse the context up front with this sentence instead.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

mod sealed {
    use super::{Engine, View};

    /// Keeps the set of evaluation contexts closed, and the view machinery private.
    pub trait Sealed {
        fn with_view<R>(&self, engine: &Engine, run: impl FnOnce(View) -> R) -> R;
    }
}

use sealed::Sealed;

/// Something to evaluate against: a [`Context`] or a [`PreparedContext`].
pub trait EvaluationContext: Sealed {}

impl EvaluationContext for Context {}
impl EvaluationContext for PreparedContext {}

impl Sealed for Context {
    fn with_view<R>(&self, engine: &Engine, run: impl FnOnce(View) -> R) -> R {
        let (slots, problem) = engine.resolve(self);
        let memo = fresh_memo(engine.memo_slots);
        run(View {
            attributes: self.attribute_list(),
            slots: &slots,
            problem: problem.as_deref(),
            memo: &memo,
            parsed: &[],
        })
    }
}

impl Sealed for PreparedContext {
    fn with_view<R>(&self, engine: &Engine, run: impl FnOnce(View) -> R) -> R {
        if self.engine == engine.id {
            run(View {
                attributes: self.context.attribute_list(),
                slots: &self.slots,
                problem: self.problem.as_deref(),
                memo: &self.memo,
                parsed: &self.parsed,
            })
        } else {
            self.context.with_view(engine, run)
        }
    }
}

/// What is known about a flag, for listings and previews.
#[derive(Clone, Copy)]
pub struct FlagInfo<'e> {
    flag: &'e CompiledFlag,
    metadata: &'e MetadataStore,
    position: usize,
}

impl std::fmt::Debug for FlagInfo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlagInfo")
            .field("key", &self.key())
            .field("type", &self.flag_type())
            .field("valid", &self.is_valid())
            .finish_non_exhaustive()
    }
}

impl<'e> FlagInfo<'e> {
    /// The flag key.
    pub fn key(&self) -> &'e str {
        &self.flag.key
    }
    /// Its type, if the snapshot gave a known one.
    pub fn flag_type(&self) -> Option<FlagType> {
        self.flag.kind
    }
    /// Its variants, in order.
    pub fn variants(&self) -> impl Iterator<Item = (&'e str, &'e Value)> {
        self.flag
            .variants
            .iter()
            .map(|(key, value)| (&**key, value))
    }
    /// Description, owner, tags, version and when it changed, borrowed from the engine.
    pub fn metadata(&self) -> Metadata<&'e str> {
        self.metadata.get(self.position)
    }
    /// Whether it can be evaluated (it has no error diagnostics).
    pub fn is_valid(&self) -> bool {
        self.flag.body.is_some()
    }
    /// Whether its kill switch is on (false for an invalid flag).
    pub fn is_enabled(&self) -> bool {
        self.flag.body.as_ref().is_some_and(|body| body.enabled)
    }
}

/// An evaluation with the steps that led to it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Explanation<'e> {
    /// The result, exactly as [`Engine::evaluate`] gives it.
    pub evaluation: Evaluation<'e>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Engine {
    /// Loads a snapshot from JSON text with the default [`Limits`].
    pub fn from_json(text: &str) -> Result<Engine, LoadError> {
        Engine::from_slice_with_limits(text.as_bytes(), Limits::default())
    }

    /// Loads a snapshot from JSON bytes (which must be UTF-8) with the default [`Limits`].
    pub fn from_slice(bytes: &[u8]) -> Result<Engine, LoadError> {
        Engine::from_slice_with_limits(bytes, Limits::default())
    }

    /// Loads a snapshot from JSON bytes with custom limits.
    pub fn from_slice_with_limits(bytes: &[u8], limits: Limits) -> Result<Engine, LoadError> {
        let parsed = parse(bytes, &limits)?;
        Engine::build(
            parsed.snapshot,
            &parsed.read_problems,
            parsed.packed,
            limits,
        )
    }

    /// Compiles an already parsed snapshot (e.g. one built in code) with the default [`Limits`].
    pub fn from_snapshot(snapshot: Snapshot) -> Result<Engine, LoadError> {
        Engine::from_snapshot_with_limits(snapshot, Limits::default())
    }

    /// Compiles an already parsed snapshot with custom limits.
    pub fn from_snapshot_with_limits(
        snapshot: Snapshot,
        limits: Limits,
    ) -> Result<Engine, LoadError> {
        Engine::build(snapshot, &[], Packed::default(), limits)
    }

    fn build<S: Text>(
        snapshot: Snapshot<S>,
        read_problems: &[ReadProblem],
        mut packed: Packed,
        limits: Limits,
    ) -> Result<Engine, LoadError> {
        let flag_spans = std::mem::take(&mut packed.flag_spans);
        if snapshot.schema_version != crate::snapshot::SCHEMA_VERSION {
            return Err(LoadError::unsupported_schema_version(
                snapshot.schema_version,
            ));
        }
        let Compiled {
            header,
            flags,
            flag_index,
            metadata,
            segments,
            attribute_names,
            attribute_index,
            memo_slots,
            read_ahead,
            diagnostics,
        } = compile(snapshot, read_problems, packed, &limits)?;
        Ok(Engine {
            id: NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed),
            header,
            flags,
            flag_index,
            metadata,
            segments,
            attribute_names,
            attribute_index,
            memo_slots,
            read_ahead,
            diagnostics,
            limits,
            unknown_flag_evaluations: AtomicU64::new(0),
            flag_spans,
        })
    }

    /// A hash of each flag's definition as written in `document`, which must be the document
    /// this engine was read from, in flag order; empty for a snapshot built in code. Two
    /// engines' hashes for a key differ when the flag's text changed (formatting included), so
    /// the SDK tells which flags a new snapshot changed without parsing either in JavaScript.
    /// Given other bytes, the hashes are meaningless but the call is still safe.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn definition_hashes(&self, document: &[u8]) -> Vec<u64> {
        // Offsets count from after a byte-order mark, as the loader read them.
        let text = document.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(document);
        self.flag_spans
            .iter()
            .map(|&[start, end]| {
                let definition = text.get(start as usize..end as usize).unwrap_or_default();
                // The streaming hasher bucketing already links in: the one-shot function would
                // add its own code to the download.
                let mut hasher = xxhash_rust::xxh64::Xxh64::new(0);
                hasher.update(definition);
                hasher.digest()
            })
            .collect()
    }

    /// The snapshot's revision.
    pub fn revision(&self) -> u64 {
        self.header.revision
    }

    /// The snapshot's `schemaVersion`.
    pub fn schema_version(&self) -> u64 {
        self.header.schema_version
    }

    /// When the snapshot was produced.
    pub fn generated_at(&self) -> Timestamp {
        self.header.generated_at
    }

    /// The environment the snapshot is for, if it says.
    pub fn environment(&self) -> Option<&str> {
        self.header.environment.as_deref()
    }

    /// The limits this engine was loaded with (also applied to contexts).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Problems found while loading, in document order. Flags named by an error diagnostic
    /// evaluate to `PARSE_ERROR`; everything else works.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|diagnostic| diagnostic.severity == Severity::Error)
    }

    /// Number of flags (including unusable ones).
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    /// Whether the snapshot has no flags.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    /// The position of the flag with this key in `flags`.
    #[inline]
    pub(crate) fn position(&self, key: &str) -> Option<u32> {
        self.flag_index.get(key, |position| {
            self.flags.get(position as usize).map(|flag| &*flag.key)
        })
    }

    /// All flag keys, in snapshot order.
    pub fn flag_keys(&self) -> impl Iterator<Item = &str> {
        self.flags.iter().map(|flag| &*flag.key)
    }

    /// What is known about one flag.
    pub fn flag(&self, key: &str) -> Option<FlagInfo<'_>> {
        let index = self.position(key)?;
        let position = index as usize;
        self.flags.get(position).map(|flag| FlagInfo {
            flag,
            metadata: &self.metadata,
            position,
        })
    }

    /// The id of a flag, to evaluate it with [`Engine::evaluate_id`] without a key lookup.
    pub fn flag_id(&self, key: &str) -> Option<FlagId> {
        self.position(key).map(|index| FlagId {
            engine: self.id,
            index,
        })
    }

    /// Resolves a context once for many evaluations.
    pub fn prepare(&self, context: Context) -> PreparedContext {
        let (slots, problem) = self.resolve(&context);
        let parsed = self.read_ahead(&context, &slots);
        PreparedContext {
            engine: self.id,
            context,
            slots,
            problem,
            memo: fresh_memo(self.memo_slots),
            parsed,
        }
    }

    /// Parses, once, the context values that version and date conditions read.
    fn read_ahead(&self, context: &Context, slots: &[u32]) -> Box<[Parsed]> {
        if self.read_ahead.is_empty() {
            return Box::default();
        }
        let attributes = context.attribute_list();
        self.read_ahead
            .iter()
            .zip(slots)
            .map(|(&kind, &slot)| match attributes.get(slot as usize) {
                Some((_, value)) => Parsed::read(kind, value),
                None => Parsed::Unread,
            })
            .collect()
    }

    /// Evaluates one flag. Never fails: problems come back as [`Reason::Error`] with an
    /// [`ErrorCode`], and `value: None` meaning "use your default".
    pub fn evaluate(
        &self,
        key: &str,
        context: &impl EvaluationContext,
        now: Timestamp,
    ) -> Evaluation<'_> {
        match self.position(key) {
            Some(index) => self.evaluate_index(index, context, now),
            None => self.unknown_flag(),
        }
    }

    /// Evaluates a flag by id. An id from another engine gives `FLAG_NOT_FOUND`.
    pub fn evaluate_id(
        &self,
        id: FlagId,
        context: &impl EvaluationContext,
        now: Timestamp,
    ) -> Evaluation<'_> {
        if id.engine != self.id {
            return self.unknown_flag();
        }
        self.evaluate_index(id.index, context, now)
    }

    /// Evaluates every flag for one context, in snapshot order.
    pub fn evaluate_all(
        &self,
        context: &impl EvaluationContext,
        now: Timestamp,
    ) -> Vec<(&str, Evaluation<'_>)> {
        self.all_outcomes(context, now)
            .into_iter()
            .zip(&self.flags)
            .map(|(outcome, flag)| (&*flag.key, outcome.resolve(Some(flag))))
            .collect()
    }

    /// Every flag's outcome, in snapshot order, counted in the statistics. Each flag is
    /// evaluated exactly as it would be alone, prerequisites included, so that its cost, and
    /// whether it stays within [`Limits::max_evaluation_cost`], never depends on which flags
    /// were evaluated before it.
    pub(crate) fn all_outcomes(
        &self,
        context: &impl EvaluationContext,
        now: Timestamp,
    ) -> Vec<Outcome> {
        context.with_view(self, |view| self.all_outcomes_in(view, now))
    }

    fn all_outcomes_in(&self, view: View, now: Timestamp) -> Vec<Outcome> {
        let mut outcomes = Vec::with_capacity(self.flags.len());
        for (position, flag) in self.flags.iter().enumerate() {
            let index = u32::try_from(position).unwrap_or(u32::MAX);
            let outcome = evaluate(self, index, view, now, 0, &mut NoTrace);
            self.record(Some(flag), outcome);
            outcomes.push(outcome);
        }
        outcomes
    }

    /// Evaluates one flag and records every step taken. Not counted in [`Engine::stats`], so
    /// previews do not skew them.
    pub fn explain(
        &self,
        key: &str,
        context: &impl EvaluationContext,
        now: Timestamp,
    ) -> Explanation<'_> {
        let mut steps = Vec::new();
        let index = self.position(key).unwrap_or(u32::MAX);
        let outcome =
            context.with_view(self, |view| evaluate(self, index, view, now, 0, &mut steps));
        Explanation {
            evaluation: outcome.resolve(self.flags.get(index as usize)),
            steps,
        }
    }

    /// A boolean flag's value, or `default` (with `TYPE_MISMATCH` if the flag is not boolean).
    pub fn bool_value(
        &self,
        key: &str,
        context: &impl EvaluationContext,
        now: Timestamp,
        default: bool,
    ) -> Details<'_, bool> {
        self.typed(
            key,
            context,
            now,
            FlagType::Boolean,
            default,
            Value::as_bool,
        )
    }

    /// A string flag's value, or `default`.
    pub fn string_value<'e>(
        &'e self,
        key: &str,
        context: &impl EvaluationContext,
        now: Timestamp,
        default: &'e str,
    ) -> Details<'e, &'e str> {
        self.typed(key, context, now, FlagType::String, default, Value::as_str)
    }

    /// A number flag's value, or `default`.
    pub fn number_value(
        &self,
        key: &str,
        context: &impl EvaluationContext,
        now: Timestamp,
        default: f64,
    ) -> Details<'_, f64> {
        self.typed(key, context, now, FlagType::Number, default, Value::as_f64)
    }

    /// An object flag's value (any JSON), or `default`.
    pub fn object_value<'e>(
        &'e self,
        key: &str,
        context: &impl EvaluationContext,
        now: Timestamp,
        default: &'e Value,
    ) -> Details<'e, &'e Value> {
        self.typed(key, context, now, FlagType::Object, default, Some)
    }

    /// Counts of evaluations per flag and variant, and of errors.
    pub fn stats(&self) -> Stats {
        Stats {
            flags: self
                .flags
                .iter()
                .map(|flag| {
                    let variants: Vec<&str> = flag.variants.iter().map(|(key, _)| &**key).collect();
                    flag.counters.read(&flag.key, &variants)
                })
                .collect(),
            unknown_flag_evaluations: self.unknown_flag_evaluations.load(Ordering::Relaxed),
        }
    }

    /// Sets every statistics counter back to zero.
    pub fn reset_stats(&self) {
        for flag in &self.flags {
            flag.counters.reset();
        }
        self.unknown_flag_evaluations.store(0, Ordering::Relaxed);
    }

    fn typed<'e, T>(
        &'e self,
        key: &str,
        context: &impl EvaluationContext,
        now: Timestamp,
        expected: FlagType,
        default: T,
        read: impl FnOnce(&'e Value) -> Option<T>,
    ) -> Details<'e, T> {
        let Some(index) = self.position(key) else {
            self.unknown_flag_evaluations
                .fetch_add(1, Ordering::Relaxed);
            return failed(default, ErrorCode::FlagNotFound);
        };
        let flag = self.flags.get(index as usize);
        let outcome = self.counted_outcome(index, context, now, Some(expected));
        let evaluation = outcome.resolve(flag);
        match evaluation.value.map(read) {
            Some(Some(value)) => Details {
                value,
                variant: evaluation.variant,
                reason: evaluation.reason,
                error_code: evaluation.error_code,
                rule_id: evaluation.rule_id,
            },
            // Disabled without an off variant: the caller's default, no error.
            None => Details {
                value: default,
                variant: None,
                reason: evaluation.reason,
                error_code: evaluation.error_code,
                rule_id: evaluation.rule_id,
            },
            // Unreachable: variants are type-checked when loading.
            Some(None) => failed(default, ErrorCode::TypeMismatch),
        }
    }

    /// Evaluates flag `index`, turns a result of the wrong type into `TYPE_MISMATCH` when a type
    /// is expected, and counts it in the statistics. The compact form the bindings hand across
    /// the WebAssembly boundary.
    pub(crate) fn counted_outcome(
        &self,
        index: u32,
        context: &impl EvaluationContext,
        now: Timestamp,
        expected: Option<FlagType>,
    ) -> Outcome {
        let Some(flag) = self.flags.get(index as usize) else {
            self.unknown_flag_evaluations
                .fetch_add(1, Ordering::Relaxed);
            return Outcome::error(ErrorCode::FlagNotFound);
        };
        let outcome = context.with_view(self, |view| self.run(index, view, now));
        let outcome = match expected {
            Some(expected) if outcome.error.is_none() && flag.kind != Some(expected) => {
                Outcome::error(ErrorCode::TypeMismatch)
            }
            _ => outcome,
        };
        self.record(Some(flag), outcome);
        outcome
    }

    fn evaluate_index(
        &self,
        index: u32,
        context: &impl EvaluationContext,
        now: Timestamp,
    ) -> Evaluation<'_> {
        let flag = self.flags.get(index as usize);
        if flag.is_none() {
            return self.unknown_flag();
        }
        let outcome = context.with_view(self, |view| self.run(index, view, now));
        self.record(flag, outcome);
        outcome.resolve(flag)
    }

    #[inline]
    fn run(&self, index: u32, view: View, now: Timestamp) -> Outcome {
        evaluate(self, index, view, now, 0, &mut NoTrace)
    }

    fn record(&self, flag: Option<&CompiledFlag>, outcome: Outcome) {
        if let Some(flag) = flag {
            flag.counters
                .record(outcome.variant, outcome.error.is_some());
        }
    }

    fn unknown_flag(&self) -> Evaluation<'_> {
        self.unknown_flag_evaluations
            .fetch_add(1, Ordering::Relaxed);
        Outcome::error(ErrorCode::FlagNotFound).resolve(None)
    }

    /// Maps the context's attributes onto this engine's attribute ids and checks its limits.
    fn resolve(&self, context: &Context) -> (Vec<u32>, Option<String>) {
        let mut slots = vec![ABSENT; self.attribute_names.len()];
        let problem = self.context_problem(context);
        for (position, (name, _)) in context.attribute_list().iter().enumerate() {
            if let (Some(id), Ok(position)) = (
                self.attribute_index.find(name.as_str()),
                u32::try_from(position),
            ) {
                if let Some(slot) = slots.get_mut(id) {
                    *slot = position;
                }
            }
        }
        (slots, problem)
    }

    fn context_problem(&self, context: &Context) -> Option<String> {
        let limits = &self.limits;
        let over = |limit: LimitKind, actual: usize| {
            Some(format!(
                "{} is {actual}, over the limit of {} ({})",
                limit.what(),
                limit.value_in(limits),
                limit.code()
            ))
        };
        if context.len() > limits.max_context_attributes {
            return over(LimitKind::ContextAttributes, context.len());
        }
        for (name, value) in context.attribute_list() {
            if name.len() > limits.max_context_string_bytes {
                return over(LimitKind::ContextStringBytes, name.len());
            }
            match value {
                AttrValue::String(text) if text.len() > limits.max_context_string_bytes => {
                    return over(LimitKind::ContextStringBytes, text.len());
                }
                AttrValue::List(items) => {
                    if items.len() > limits.max_context_list_items {
                        return over(LimitKind::ContextListItems, items.len());
                    }
                    for item in items {
                        if let AttrValue::String(text) = item {
                            if text.len() > limits.max_context_string_bytes {
                                return over(LimitKind::ContextStringBytes, text.len());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }
}

fn failed<T>(default: T, code: ErrorCode) -> Details<'static, T> {
    Details {
        value: default,
        variant: None,
        reason: Reason::Error,
        error_code: Some(code),
        rule_id: None,
    }
}
