//! Every writer against serde's output for the same value, over the shared test vectors.

use proptest::prelude::*;
use serde_json::Value;

use super::{Quoted, ToJson};
use crate::{Context, Engine, Timestamp};

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// `value` with every number as an integer below 2^53 or else as a float: serde writes `42.0`
/// where these writers write `42`, and a reader takes `2.5e18` written out in digits for an
/// integer; both are the same number to every JSON reader (and to JavaScript).
fn normalized(value: Value) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(number) => match number.as_f64() {
            Some(float)
                if float.fract() == 0.0
                    && float.abs() < EXACT
                    && !(float == 0.0 && float.is_sign_negative()) =>
            {
                #[allow(clippy::cast_possible_truncation)]
                Value::from(float as i64)
            }
            Some(float) => Value::from(float),
            None => Value::Number(number),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalized).collect()),
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(key, value)| (key, normalized(value)))
                .collect(),
        ),
        other => other,
    }
}

fn same_as_serde(ours: &impl ToJson, theirs: &impl serde::Serialize) {
    let text = ours.to_json();
    let expected = serde_json::to_value(theirs).unwrap_or(Value::Null);
    assert_eq!(normalized(parsed(&text)), normalized(expected), "{text}");
}

/// An evaluation of a vector: flag key, context and instant.
type Run = (String, Value, String);

/// Every snapshot in the vectors, with the evaluations run against it.
fn vector_snapshots() -> Vec<(Value, Vec<Run>)> {
    let mut all = Vec::new();
    let evaluation = parsed(include_str!("../../tests/vectors/evaluation.json"));
    let diagnostics = parsed(include_str!("../../tests/vectors/diagnostics.json"));
    let suites = evaluation["suites"].as_array().cloned().unwrap_or_default();
    let cases = diagnostics["cases"].as_array().cloned().unwrap_or_default();
    for suite in suites.iter().chain(&cases) {
        let runs = suite["cases"]
            .as_array()
            .or_else(|| suite["evaluations"].as_array())
            .cloned()
            .unwrap_or_default();
        let runs = runs
            .iter()
            .map(|run| {
                let text = |key: &str| run[key].as_str().unwrap_or_default().to_owned();
                (text("flag"), run["context"].clone(), text("now"))
            })
            .collect();
        all.push((suite["snapshot"].clone(), runs));
    }
    assert!(all.len() > 20, "the vectors were not found");
    all
}

#[test]
fn diagnostics_explanations_stats_and_metadata_write_as_serde_does() {
    let mut explained = 0;
    for (snapshot, runs) in vector_snapshots() {
        let Ok(engine) = Engine::from_json(&snapshot.to_string()) else {
            continue;
        };
        same_as_serde(&engine.diagnostics().to_vec(), &engine.diagnostics());
        for (key, context, now) in runs {
            let Ok(context) = Context::from_json_value(context) else {
                continue;
            };
            let now = Timestamp::parse_rfc3339(&now).unwrap_or(Timestamp::UNIX_EPOCH);
            let prepared = engine.prepare(context);
            same_as_serde(
                &engine.explain(&key, &prepared, now),
                &engine.explain(&key, &prepared, now),
            );
            engine.evaluate(&key, &prepared, now);
            explained += 1;
        }
        same_as_serde(&engine.stats(), &engine.stats());
        for position in 0..engine.flags.len() {
            same_as_serde(
                &engine.metadata.get(position),
                &engine.metadata.get(position),
            );
        }
    }
    assert!(explained > 100);
}

proptest! {
    #[test]
    fn any_value_writes_as_serde_writes_it(value in crate::json::tests::value()) {
        let text = value.to_json();
        prop_assert_eq!(normalized(parsed(&text)), normalized(value));
    }

    #[test]
    fn integers_are_written_exactly(unsigned in any::<u64>(), signed in any::<i64>()) {
        prop_assert_eq!(Value::from(unsigned).to_json(), unsigned.to_string());
        prop_assert_eq!(Value::from(signed).to_json(), signed.to_string());
    }

    #[test]
    fn quoted_text_is_the_json_string(text in "\\PC{0,12}|[\u{0}-\u{1f}\"\\\\]{0,6}") {
        prop_assert_eq!(Quoted(&text).to_string(), serde_json::to_string(&text).unwrap_or_default());
    }
}
