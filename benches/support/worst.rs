//! The costliest evaluations we know how to build: one flag per shape of work, each with the
//! context that makes it spend as much of the default `maxEvaluationCost` as it can without going
//! over (found by asking the engine itself), or, for a flag that is over the limit whatever the
//! context, the context with which it works until the limit stops it. `docs/benchmarks.md`
//! reports their times as the worst case of one evaluation.

use serde_json::{json, Value};
use vexil::{Context, Engine, Timestamp};

/// One costly flag and the context that makes it spend the most.
pub struct WorstCase {
    /// The flag's key, which says what it does.
    pub flag: &'static str,
    /// The context, as JSON.
    pub context: Value,
}

/// The snapshot holding every worst-case flag, and one context for each.
pub struct WorstCases {
    /// The snapshot as compact JSON.
    pub json: String,
    /// The flags with their contexts.
    pub cases: Vec<WorstCase>,
}

fn boolean_flag(key: &str, rules: Vec<Value>) -> Value {
    json!({"key": key, "type": "boolean", "variants": {"on": true, "off": false},
           "offVariant": "off", "rules": rules, "fallthrough": {"variant": "off"}})
}

fn rule(id: usize, conditions: Vec<Value>) -> Value {
    json!({"id": format!("r{id}"), "conditions": conditions, "serve": {"variant": "on"}})
}

fn one_rule(key: &str, condition: Value) -> Value {
    boolean_flag(key, vec![rule(0, vec![condition])])
}

fn text_of(unit: &str) -> impl Fn(usize) -> Value + '_ {
    move |size| json!({"targetingKey": "user-1", "s": unit.repeat(size)})
}

/// A flag's key and how its context grows with one number.
type Grows = Vec<(&'static str, Box<dyn Fn(usize) -> Value>)>;

/// The flags, their segments, and each flag's growing context.
fn shapes() -> (Vec<Value>, Vec<Value>, Grows) {
    let mut flags = Vec::new();
    let mut segments = Vec::new();
    let mut grows: Grows = Vec::new();

    // Every state of a looping alternation is alive at every character.
    flags.push(one_rule(
        "regex-alternation-loop",
        json!({"attribute": "s", "op": "matches", "value": "(?:a|b|c|d|e|f|g)*x"}),
    ));
    grows.push(("regex-alternation-loop", Box::new(text_of("a"))));
    // The most states a pattern may compile to, over a short text.
    flags.push(one_rule(
        "regex-most-states",
        json!({"attribute": "s", "op": "matches", "value": "(?:a?){400}a{400}"}),
    ));
    grows.push(("regex-most-states", Box::new(text_of("a"))));
    // Needles that fail at their last byte, over a text of the same byte.
    let needles: Vec<String> = (0..8).map(|i| format!("{}{i}", "a".repeat(1000))).collect();
    flags.push(one_rule(
        "contains-long-needles",
        json!({"attribute": "s", "op": "contains", "values": needles}),
    ));
    grows.push(("contains-long-needles", Box::new(text_of("a"))));
    // A thousand rules of a hundred conditions, each rule failing at its last one.
    let mut conditions: Vec<Value> = (0..99)
        .map(|_| json!({"attribute": "p", "op": "exists"}))
        .collect();
    conditions.push(json!({"attribute": "m", "op": "exists"}));
    let rules = (0..1000).map(|i| rule(i, conditions.clone())).collect();
    flags.push(boolean_flag("hundred-thousand-conditions", rules));
    grows.push((
        "hundred-thousand-conditions",
        Box::new(|size| json!({"targetingKey": "user-1", "p": "x".repeat(size)})),
    ));
    // Thousands of segments in one condition, each with a condition of its own.
    let keys: Vec<String> = (0..10_000).map(|i| format!("seg-{i}")).collect();
    for key in &keys {
        segments.push(json!({"key": key, "conditions": [{"attribute": "m", "op": "exists"}]}));
    }
    flags.push(one_rule(
        "ten-thousand-segments",
        json!({"op": "inSegment", "values": keys}),
    ));
    grows.push((
        "ten-thousand-segments",
        Box::new(|size| json!({"targetingKey": "u".repeat(size.max(1))})),
    ));
    // Thousands of prerequisites, each a flag with a rule.
    let mut gate = boolean_flag("many-prerequisites", vec![]);
    let prerequisites: Vec<Value> = (0..10_000)
        .map(|i| json!({"flag": format!("dep-{i}"), "variants": ["off"]}))
        .collect();
    gate["prerequisites"] = json!(prerequisites);
    for i in 0..10_000 {
        flags.push(one_rule(
            &format!("dep-{i}"),
            json!({"attribute": "m", "op": "exists"}),
        ));
    }
    flags.push(gate);
    grows.push((
        "many-prerequisites",
        Box::new(|size| json!({"targetingKey": "u".repeat(size.max(1))})),
    ));
    // A long list attribute against a large set.
    let members: Vec<String> = (0..10_000).map(|i| format!("member-{i}")).collect();
    flags.push(one_rule(
        "list-attribute-in-large-set",
        json!({"attribute": "l", "op": "in", "values": members}),
    ));
    grows.push((
        "list-attribute-in-large-set",
        Box::new(|size| {
            let items: Vec<String> = (0..size.min(1000)).map(|i| format!("{i:0>30}")).collect();
            json!({"targetingKey": "user-1", "l": items})
        }),
    ));
    // Versions compared with many operands.
    let versions: Vec<String> = (0..2000).map(|i| format!("1.{i}.0-rc.{i}")).collect();
    flags.push(one_rule(
        "semver-many-operands",
        json!({"attribute": "s", "op": "semverGt", "values": versions}),
    ));
    grows.push((
        "semver-many-operands",
        Box::new(|size| {
            let parts: Vec<String> = (0..size).map(|i| i.to_string()).collect();
            json!({"targetingKey": "user-1", "s": format!("1.0.0-{}", parts.join("."))})
        }),
    ));
    (flags, segments, grows)
}

/// Builds the snapshot and, for each flag, the largest context it evaluates without going over
/// the default cost limit.
pub fn worst_cases() -> WorstCases {
    let (flags, segments, grows) = shapes();
    let json = json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z",
        "segments": segments, "flags": flags,
    })
    .to_string();
    let engine = Engine::from_json(&json).expect("the worst-case snapshot loads");
    assert!(
        engine.diagnostics().is_empty(),
        "{:?}",
        engine.diagnostics()
    );
    let now = Timestamp::parse_rfc3339(super::NOW).expect("NOW is a valid instant");
    let cases = grows
        .into_iter()
        .map(|(flag, grow)| {
            let fits = |size: usize| {
                let context = Context::from_json_value(grow(size)).expect("a valid context");
                engine.evaluate(flag, &context, now).error_code.is_none()
            };
            // The largest size that fits, by bisection (cost grows with size). A flag over the
            // limit even for the smallest context does the most work it can with it: its
            // evaluation runs until the limit stops it.
            let (mut low, mut high): (usize, usize) = (0, if fits(0) { 4096 } else { 0 });
            while low < high {
                let middle = (low + high).div_ceil(2);
                if fits(middle) {
                    low = middle;
                } else {
                    high = middle - 1;
                }
            }
            WorstCase {
                flag,
                context: grow(low),
            }
        })
        .collect();
    WorstCases { json, cases }
}
