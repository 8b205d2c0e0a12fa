//! Arbitrary bytes as a snapshot. Loading must either fail with a `LoadError` or give an engine
//! whose every flag evaluates without panicking, for contexts built to satisfy the snapshot's own
//! conditions as well as for bare and empty ones.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use vexil::{Context, Engine, Evaluation, EvaluationContext, Reason, Timestamp};

fuzz_target!(|data: &[u8]| {
    let Ok(engine) = Engine::from_slice(data) else {
        return;
    };
    let contexts = contexts(data);
    let times = [
        engine.generated_at(),
        Timestamp::from_unix_millis(tail_number(data)),
    ];
    let mut counted: u64 = 0;
    let keys: Vec<String> = engine.flag_keys().map(str::to_owned).collect();
    for context in contexts {
        let prepared = engine.prepare(context.clone());
        for &now in &times {
            for key in &keys {
                let plain = engine.evaluate(key, &context, now);
                let fast = engine.evaluate(key, &prepared, now);
                counted += 2;
                check(&plain);
                assert_eq!(plain, fast, "a prepared context must not change {key}");
                let explained = engine.explain(key, &prepared, now);
                assert_eq!(explained.evaluation, plain, "explain must agree on {key}");
                counted += typed(&engine, key, &prepared, now);
            }
            let all = engine.evaluate_all(&prepared, now);
            counted += all.len() as u64;
            assert_eq!(all.len(), engine.len());
            for (_, evaluation) in &all {
                check(evaluation);
            }
        }
    }
    // Explanations are not counted; everything else is, exactly once.
    assert_eq!(engine.stats().evaluations(), counted);
    engine.reset_stats();
    assert_eq!(engine.stats().evaluations(), 0);
});

fn check(evaluation: &Evaluation<'_>) {
    assert_eq!(
        evaluation.reason == Reason::Error,
        evaluation.error_code.is_some(),
        "an error code comes exactly with the ERROR reason: {evaluation:?}"
    );
    if evaluation.value.is_some() {
        assert!(
            evaluation.variant.is_some(),
            "a value comes from a variant: {evaluation:?}"
        );
    }
}

/// Runs the typed accessors; returns how many evaluations they counted.
fn typed(engine: &Engine, key: &str, context: &impl EvaluationContext, now: Timestamp) -> u64 {
    let default = Value::Null;
    let _ = engine.bool_value(key, context, now, false);
    let _ = engine.string_value(key, context, now, "default");
    let _ = engine.number_value(key, context, now, 0.0);
    let _ = engine.object_value(key, context, now, &default);
    4
}

/// The last bytes of the input as a targeting key.
fn tail_key(data: &[u8]) -> String {
    String::from_utf8_lossy(&data[data.len().saturating_sub(12)..]).into_owned()
}

fn tail_number(data: &[u8]) -> i64 {
    let mut bytes = [0u8; 8];
    let tail = &data[data.len().saturating_sub(8)..];
    bytes[..tail.len()].copy_from_slice(tail);
    // Keep the instant within the range dates can represent.
    i64::from_le_bytes(bytes) % 8_000_000_000_000_000
}

/// An empty context, one with only a targeting key, and one whose attributes take the first
/// operand of every condition naming them, so rules can match.
fn contexts(data: &[u8]) -> Vec<Context> {
    let mut contexts = vec![Context::new(), Context::with_targeting_key(tail_key(data))];
    if let Ok(document) = serde_json::from_slice::<Value>(data) {
        let mut attributes = Map::new();
        collect_operands(&document, &mut attributes);
        attributes.insert("targetingKey".to_owned(), Value::from(tail_key(data)));
        if let Ok(context) = Context::from_json_value(Value::Object(attributes.clone())) {
            contexts.push(context);
        }
        // The same values as a list attribute, to reach the "any item" paths.
        let listed = attributes
            .into_iter()
            .map(|(name, value)| match value {
                Value::String(_) | Value::Number(_) | Value::Bool(_) if name != "targetingKey" => {
                    (name, Value::Array(vec![Value::from("other"), value]))
                }
                other => (name, other),
            })
            .collect();
        if let Ok(context) = Context::from_json_value(Value::Object(listed)) {
            contexts.push(context);
        }
    }
    contexts
}

fn collect_operands(value: &Value, attributes: &mut Map<String, Value>) {
    match value {
        Value::Object(fields) => {
            if let Some(Value::String(name)) = fields.get("attribute") {
                let operand = match (fields.get("value"), fields.get("values")) {
                    (Some(value), _) => Some(value.clone()),
                    (None, Some(Value::Array(values))) => values.first().cloned(),
                    _ => None,
                };
                if let Some(operand) = operand {
                    attributes.entry(name.clone()).or_insert(operand);
                }
            }
            for field in fields.values() {
                collect_operands(field, attributes);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_operands(item, attributes);
            }
        }
        _ => {}
    }
}
