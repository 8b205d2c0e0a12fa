//! The evaluation algorithm (see `docs/evaluation.md`): kill switch, overrides, schedule,
//! prerequisites, rules, fallthrough. Pure: the time is an argument, and nothing here can fail.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

use serde::Serialize;
use serde_json::Value;

use crate::bucket::bucketing_text;
use crate::compile::{CompiledFlag, CompiledSegment, FlagBody, Rule, Serve};
use crate::condition::{Condition, Parsed};
use crate::context::AttrValue;
use crate::cost::{self, Meter};
use crate::fasthash::U32Map;
use crate::timestamp::Timestamp;
use crate::trace::{NoTrace, Step, Tracer};
use crate::Engine;

/// Why an evaluation returned what it did. The words are OpenFeature's, plus two documented
/// extras (`OVERRIDE`, `PREREQUISITE_FAILED`) where OpenFeature has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Reason {
    /// The flag serves one variant to everybody, always.
    Static,
    /// No rule matched; the fallthrough variant was served.
    Default,
    /// A targeting rule matched and served a fixed variant.
    TargetingMatch,
    /// A percentage split (in a rule or the fallthrough) chose the variant.
    Split,
    /// The flag is switched off or outside its schedule; the off variant (or the caller's default) was served.
    Disabled,
    /// The targeting key is listed in one of the flag's overrides.
    Override,
    /// A prerequisite flag did not serve a required variant; the off variant was served.
    PrerequisiteFailed,
    /// Evaluation failed; the caller's default was served and `error_code` says why.
    Error,
}

impl Reason {
    /// The reason as written in JSON, e.g. `TARGETING_MATCH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Static => "STATIC",
            Reason::Default => "DEFAULT",
            Reason::TargetingMatch => "TARGETING_MATCH",
            Reason::Split => "SPLIT",
            Reason::Disabled => "DISABLED",
            Reason::Override => "OVERRIDE",
            Reason::PrerequisiteFailed => "PREREQUISITE_FAILED",
            Reason::Error => "ERROR",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an evaluation failed, in OpenFeature's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// No flag has this key.
    FlagNotFound,
    /// The flag's definition has errors (see [`Engine::diagnostics`]).
    ParseError,
    /// The flag's type is not the one asked for.
    TypeMismatch,
    /// A split needs the bucketing attribute (by default the targeting key) and the context lacks it.
    TargetingKeyMissing,
    /// The context breaks a limit.
    InvalidContext,
    /// Anything else (never expected).
    General,
    /// No snapshot is loaded yet: the [`crate::client::Client`] has not fetched one. The engine
    /// itself never answers this; only the client does, and only where it exists.
    #[cfg(all(feature = "client", not(target_arch = "wasm32")))]
    ProviderNotReady,
}

impl ErrorCode {
    /// The code as written in JSON, e.g. `FLAG_NOT_FOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::FlagNotFound => "FLAG_NOT_FOUND",
            ErrorCode::ParseError => "PARSE_ERROR",
            ErrorCode::TypeMismatch => "TYPE_MISMATCH",
            ErrorCode::TargetingKeyMissing => "TARGETING_KEY_MISSING",
            ErrorCode::InvalidContext => "INVALID_CONTEXT",
            ErrorCode::General => "GENERAL",
            #[cfg(all(feature = "client", not(target_arch = "wasm32")))]
            ErrorCode::ProviderNotReady => "PROVIDER_NOT_READY",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of evaluating a flag. Borrowed from the [`Engine`], so it costs no copies.
///
/// `value` is `None` when the caller's default applies: on error, and when a disabled flag has
/// no off variant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation<'e> {
    /// The variant's value, or `None` for "use your default".
    pub value: Option<&'e Value>,
    /// The variant served.
    pub variant: Option<&'e str>,
    /// Why.
    pub reason: Reason,
    /// Set exactly when `reason` is [`Reason::Error`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<ErrorCode>,
    /// The id of the rule that decided, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<&'e str>,
}

/// A typed result: the value (the caller's default on error), with how it was reached.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Details<'e, T> {
    /// The flag's value, or the caller's default.
    pub value: T,
    /// The variant served, if any.
    pub variant: Option<&'e str>,
    /// Why.
    pub reason: Reason,
    /// Set exactly when `reason` is [`Reason::Error`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<ErrorCode>,
    /// The id of the rule that decided, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<&'e str>,
}

/// Where the decision came from, as indices into the compiled flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) variant: Option<u32>,
    pub(crate) reason: Reason,
    pub(crate) error: Option<ErrorCode>,
    pub(crate) rule: Option<u32>,
}

impl Outcome {
    pub(crate) fn error(code: ErrorCode) -> Outcome {
        Outcome {
            variant: None,
            reason: Reason::Error,
            error: Some(code),
            rule: None,
        }
    }

    fn served(variant: Option<u32>, reason: Reason, rule: Option<u32>) -> Outcome {
        Outcome {
            variant,
            reason,
            error: None,
            rule,
        }
    }

    /// Turns indices into borrowed names and values.
    pub(crate) fn resolve(self, flag: Option<&CompiledFlag>) -> Evaluation<'_> {
        let variant = flag.and_then(|flag| {
            self.variant
                .and_then(|index| flag.variants.get(index as usize))
        });
        let rule_id = match (flag.and_then(|flag| flag.body.as_ref()), self.rule) {
            (Some(body), Some(rule)) => body.rules.get(rule as usize).map(|rule| &*rule.id),
            _ => None,
        };
        Evaluation {
            value: variant.map(|(_, value)| value),
            variant: variant.map(|(key, _)| &**key),
            reason: self.reason,
            error_code: self.error,
            rule_id,
        }
    }
}

/// A context resolved against one engine's attribute table. Public only so a sealed trait can
/// name it; it is not reachable from outside the crate.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub(crate) attributes: &'a [(String, AttrValue)],
    /// Engine attribute id → index into `attributes` (`u32::MAX` when absent).
    pub(crate) slots: &'a [u32],
    pub(crate) problem: Option<&'a str>,
    /// Remembered test results: 0 not yet run, 1 false, 2 true.
    pub(crate) memo: &'a [AtomicU8],
    /// Values read ahead by a prepared context, by attribute id (empty for a plain context).
    pub(crate) parsed: &'a [Parsed],
}

impl<'a> View<'a> {
    #[inline]
    pub(crate) fn get(&self, attribute: u32) -> Option<&'a AttrValue> {
        let slot = *self.slots.get(attribute as usize)?;
        self.attributes.get(slot as usize).map(|(_, value)| value)
    }

    /// The targeting key (attribute 0).
    #[inline]
    pub(crate) fn targeting_key(&self) -> Option<&'a str> {
        match self.get(0) {
            Some(AttrValue::String(key)) => Some(key),
            _ => None,
        }
    }
}

/// Evaluates flag `index` of `engine`.
pub(crate) fn evaluate<T: Tracer>(
    engine: &Engine,
    index: u32,
    view: View,
    now: Timestamp,
    depth: usize,
    tracer: &mut T,
) -> Outcome {
    // Does not allocate unless a prerequisite is evaluated.
    let mut prerequisites = U32Map::default();
    let meter = Meter::new(engine.limits.max_evaluation_cost);
    let outcome = evaluate_with(
        engine,
        index,
        view,
        now,
        depth,
        tracer,
        &mut prerequisites,
        &meter,
    );
    if meter.is_over() {
        tracer.step(|| Step::CostLimit {
            limit: engine.limits.max_evaluation_cost,
        });
        return Outcome::error(ErrorCode::General);
    }
    outcome
}

/// [`evaluate`], remembering the outcome of every prerequisite flag evaluated on the way, and
/// charging every test to `meter`. Within one evaluation a flag's outcome never changes, and
/// without this a snapshot of a few kilobytes (layers of flags that each depend on every flag of
/// the next layer) would take exponential time. Once the meter is over, the outcome means
/// nothing and the caller answers `GENERAL`.
#[allow(clippy::too_many_arguments)]
fn evaluate_with<T: Tracer>(
    engine: &Engine,
    index: u32,
    view: View,
    now: Timestamp,
    depth: usize,
    tracer: &mut T,
    prerequisites: &mut U32Map<Outcome>,
    meter: &Meter,
) -> Outcome {
    if !meter.charge(cost::FLAG) {
        return Outcome::error(ErrorCode::General);
    }
    let Some(flag) = engine.flags.get(index as usize) else {
        tracer.step(|| Step::FlagNotFound);
        return Outcome::error(ErrorCode::FlagNotFound);
    };
    let Some(body) = &flag.body else {
        tracer.step(|| Step::FlagInvalid);
        return Outcome::error(ErrorCode::ParseError);
    };
    // The kill switch is checked before the context, so an incident responder's "off" holds
    // even for callers that send a broken context.
    tracer.step(|| Step::Enabled {
        enabled: body.enabled,
    });
    if !body.enabled {
        return Outcome::served(body.off, Reason::Disabled, None);
    }

    if let Some(problem) = view.problem {
        tracer.step(|| Step::InvalidContext {
            message: problem.to_owned(),
        });
        return Outcome::error(ErrorCode::InvalidContext);
    }

    if let Some(overrides) = &body.overrides {
        let key = view.targeting_key();
        if !meter.charge(cost::of_lookup(key.map_or(0, str::len))) {
            return Outcome::error(ErrorCode::General);
        }
        let forced = key.and_then(|key| overrides.get(key)).copied();
        tracer.step(|| Step::Override {
            targeting_key: key.map(str::to_owned),
            variant: forced.and_then(|variant| variant_name(flag, variant)),
        });
        if let Some(variant) = forced {
            return Outcome::served(Some(variant), Reason::Override, None);
        }
    }

    if let Some(window) = &body.schedule {
        let live = window.contains(now);
        tracer.step(|| Step::Schedule {
            start: window.start.map(|start| start.to_string()),
            end: window.end.map(|end| end.to_string()),
            now: now.to_string(),
            live,
        });
        if !live {
            return Outcome::served(body.off, Reason::Disabled, None);
        }
    }

    for prerequisite in &body.prerequisites {
        // The compiler bounds chains by the depth limit; this guard only keeps a bug from recursing forever.
        let outcome = if depth >= engine.limits.max_prerequisite_depth {
            Outcome::error(ErrorCode::General)
        } else if let Some(known) = prerequisites.get(prerequisite.flag) {
            known
        } else {
            let outcome = evaluate_with(
                engine,
                prerequisite.flag,
                view,
                now,
                depth + 1,
                &mut NoTrace,
                prerequisites,
                meter,
            );
            if meter.is_over() {
                return outcome;
            }
            prerequisites.insert(prerequisite.flag, outcome);
            outcome
        };
        let met = outcome.error.is_none()
            && outcome
                .variant
                .is_some_and(|variant| prerequisite.variants.contains(&variant));
        tracer.step(|| {
            let target = engine.flags.get(prerequisite.flag as usize);
            Step::Prerequisite {
                flag: target
                    .map(|target| target.key.to_string())
                    .unwrap_or_default(),
                required: prerequisite
                    .variants
                    .iter()
                    .filter_map(|&variant| target.and_then(|target| variant_name(target, variant)))
                    .collect(),
                variant: target.and_then(|target| {
                    outcome
                        .variant
                        .and_then(|variant| variant_name(target, variant))
                }),
                met,
            }
        });
        if !met {
            return Outcome::served(body.off, Reason::PrerequisiteFailed, None);
        }
    }

    for (rule_index, rule) in body.rules.iter().enumerate() {
        let matched = rule_matches(engine, rule_index, rule, view, tracer, meter);
        if meter.is_over() {
            return Outcome::error(ErrorCode::General);
        }
        if matched {
            tracer.step(|| Step::RuleMatched {
                rule: rule_index,
                rule_id: rule.id.to_string(),
            });
            let rule_number = u32::try_from(rule_index).ok();
            return serve(
                engine,
                flag,
                body,
                &rule.serve,
                Reason::TargetingMatch,
                rule_number,
                view,
                tracer,
                meter,
            );
        }
    }

    tracer.step(|| Step::Fallthrough);
    let reason = if body.is_static {
        Reason::Static
    } else {
        Reason::Default
    };
    serve(
        engine,
        flag,
        body,
        &body.fallthrough,
        reason,
        None,
        view,
        tracer,
        meter,
    )
}

#[allow(clippy::too_many_arguments)]
fn serve<T: Tracer>(
    engine: &Engine,
    flag: &CompiledFlag,
    body: &FlagBody,
    serve: &Serve,
    fixed_reason: Reason,
    rule: Option<u32>,
    view: View,
    tracer: &mut T,
    meter: &Meter,
) -> Outcome {
    match serve {
        Serve::Variant(variant) => Outcome::served(Some(*variant), fixed_reason, rule),
        Serve::Split { bucket_by, ranges } => {
            let text = view.get(*bucket_by).and_then(bucketing_text);
            if !meter.charge(cost::of_lookup(text.as_deref().map_or(0, str::len))) {
                return Outcome::error(ErrorCode::General);
            }
            let placed = text
                .as_deref()
                .zip(body.hasher.as_ref())
                .map(|(text, hasher)| {
                    let bucket = hasher.bucket(text);
                    (bucket, ranges.pick(bucket))
                });
            tracer.step(|| Step::Split {
                bucket_by: engine
                    .attribute_names
                    .get(*bucket_by as usize)
                    .map(|name| name.to_string())
                    .unwrap_or_default(),
                value: text.as_deref().map(str::to_owned),
                bucket: placed.map(|(bucket, _)| bucket),
                range_start: placed.and_then(|(_, pick)| pick.map(|(_, start, _)| start)),
                range_end: placed.and_then(|(_, pick)| pick.map(|(_, _, end)| end)),
                variant: placed.and_then(|(_, pick)| {
                    pick.and_then(|(variant, _, _)| variant_name(flag, variant))
                }),
            });
            match placed {
                None => Outcome::error(ErrorCode::TargetingKeyMissing),
                Some((_, Some((variant, _, _)))) => {
                    Outcome::served(Some(variant), Reason::Split, rule)
                }
                // Unreachable: ranges cover every bucket. Reported rather than assumed.
                Some((_, None)) => Outcome::error(ErrorCode::General),
            }
        }
    }
}

/// Whether every condition of `rule` holds. False also when the meter ran out, which the caller
/// checks.
fn rule_matches<T: Tracer>(
    engine: &Engine,
    rule_index: usize,
    rule: &Rule,
    view: View,
    tracer: &mut T,
    meter: &Meter,
) -> bool {
    for (condition_index, condition) in rule.conditions.iter().enumerate() {
        let result = condition_holds(engine, condition, view, meter);
        if meter.is_over() {
            return false;
        }
        tracer.step(|| Step::Condition {
            rule: rule_index,
            rule_id: rule.id.to_string(),
            condition: condition_index,
            attribute: condition
                .attribute
                .and_then(|attribute| engine.attribute_names.get(attribute as usize))
                .map(|name| name.to_string()),
            op: condition.op_name.to_owned(),
            negate: condition.negate,
            value: condition
                .attribute
                .and_then(|attribute| view.get(attribute))
                .map(AttrValue::to_json),
            result,
        });
        if !result {
            return false;
        }
    }
    true
}

/// Whether `condition` holds, once its cost is charged to `meter`. The charge comes first and
/// does not depend on what a prepared context remembers, so every runtime and every order of
/// evaluation runs out at the same test.
#[inline]
fn condition_holds(engine: &Engine, condition: &Condition, view: View, meter: &Meter) -> bool {
    let value = condition
        .attribute
        .and_then(|attribute| view.get(attribute));
    if !meter.charge(cost::of_test(&condition.operator, condition.weight, value)) {
        return false;
    }
    let in_segment = |segment: u32| {
        engine
            .segments
            .get(segment as usize)
            .is_some_and(|segment| segment_contains(engine, segment, view, meter))
    };
    let parsed = condition
        .attribute
        .and_then(|attribute| view.parsed.get(attribute as usize));
    let holds = || condition.operator.holds(value, parsed, &in_segment);
    let positive = match condition.memo.and_then(|slot| view.memo.get(slot as usize)) {
        Some(memo) => match memo.load(Ordering::Relaxed) {
            1 => false,
            2 => true,
            _ => {
                let result = holds();
                memo.store(1 + u8::from(result), Ordering::Relaxed);
                result
            }
        },
        None => holds(),
    };
    positive != condition.negate
}

fn segment_contains(engine: &Engine, segment: &CompiledSegment, view: View, meter: &Meter) -> bool {
    let key = view.targeting_key();
    // Both key lists may be looked up.
    if !meter.charge(cost::of_lookup(key.map_or(0, str::len)).saturating_mul(2)) {
        return false;
    }
    if key.is_some_and(|key| segment.included.contains(key)) {
        return true;
    }
    if key.is_some_and(|key| segment.excluded.contains(key)) {
        return false;
    }
    !segment.conditions.is_empty()
        && segment
            .conditions
            .iter()
            .all(|condition| condition_holds(engine, condition, view, meter))
}

fn variant_name(flag: &CompiledFlag, variant: u32) -> Option<String> {
    flag.variants
        .get(variant as usize)
        .map(|(key, _)| key.to_string())
}
