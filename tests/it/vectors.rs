//! Runs the language-neutral vectors in `tests/vectors/` (`evaluation.json`, `load-errors.json`,
//! `diagnostics.json`) through the public API. Every failing case is collected and reported by
//! name, so one run shows everything that is wrong, not just the first mismatch.

use serde_json::{json, Map, Value};
use vexil::{Context, Diagnostic, Engine, Evaluation, Limits, Severity, Timestamp};

use crate::support::read_vectors;

/// Every diagnostic code the engine defines; `diagnostics.json` must have a case for each.
const DIAGNOSTIC_CODES: &[&str] = &[
    "duplicate-flag-key",
    "duplicate-segment-key",
    "duplicate-variant-key",
    "duplicate-rule-id",
    "duplicate-override-key",
    "invalid-key",
    "unknown-flag-type",
    "variant-type-mismatch",
    "invalid-variant-value",
    "no-variants",
    "unknown-variant",
    "unknown-operator",
    "invalid-condition",
    "invalid-regex",
    "invalid-date",
    "invalid-semver",
    "unknown-segment",
    "invalid-segment",
    "unknown-prerequisite",
    "prerequisite-cycle",
    "invalid-serve",
    "weights-sum",
    "empty-schedule",
    "broken-prerequisite",
    "unknown-field",
];

/// Failures collected over a whole file, reported together at the end.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn add(&mut self, case: &str, message: impl std::fmt::Display) {
        self.0.push(format!("{case}: {message}"));
    }

    fn assert_none(self, file: &str, cases: usize) {
        assert!(
            self.0.is_empty(),
            "{} of {cases} cases in {file} failed:\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

fn str_field<'v>(value: &'v Value, field: &str) -> &'v str {
    value
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("vector without a string {field:?}: {value}"))
}

fn array_field<'v>(value: &'v Value, field: &str) -> &'v [Value] {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("vector without an array {field:?}: {value}"))
}

/// Builds `Limits` from the defaults and a vector's camelCase overrides. An unknown name is a
/// mistake in the vector file, not something to skip.
pub(crate) fn limits_from(overrides: Option<&Value>) -> Result<Limits, String> {
    // `Limits` reads camelCase names and refuses unknown ones, so a misspelt limit in a vector
    // fails loudly instead of silently keeping a default.
    match overrides {
        None => Ok(Limits::default()),
        Some(overrides) => serde_json::from_value(overrides.clone())
            .map_err(|error| format!("invalid limits {overrides}: {error}")),
    }
}

/// Loads a vector's snapshot: a JSON object, or raw text for documents a parsed object cannot hold.
fn load_snapshot(snapshot: &Value, limits: Limits) -> Result<Engine, String> {
    let text = match snapshot {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    Engine::from_slice_with_limits(text.as_bytes(), limits)
        .map_err(|error| format!("the snapshot does not load: {error}"))
}

/// JSON equality where numbers compare by value, so `250` equals `250.0`.
fn same_json(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, a)| b.get(key).is_some_and(|b| same_json(a, b)))
        }
        _ => left == right,
    }
}

/// An evaluation in the vectors' JSON shape: `errorCode` and `ruleId` only when set.
fn evaluation_json(evaluation: &Evaluation<'_>) -> Value {
    serde_json::to_value(evaluation).expect("an evaluation serializes")
}

/// Evaluates one case the way its vector asks (plain or through a typed accessor) and returns the
/// result in JSON, or why it could not be run.
pub(crate) fn run_case(engine: &Engine, case: &Value) -> Result<Value, String> {
    let flag = str_field(case, "flag");
    // A context given as text is read as text (for what a parsed object cannot hold); one that
    // cannot be read gives INVALID_CONTEXT, as the JavaScript engine reports it.
    let context = match case.get("context").cloned().unwrap_or_else(|| json!({})) {
        Value::String(text) => match Context::from_json(&text) {
            Ok(context) => context,
            Err(_) => {
                return Ok(json!({"value": null, "variant": null, "reason": "ERROR",
                                 "errorCode": "INVALID_CONTEXT"}))
            }
        },
        value => Context::from_json_value(value)
            .map_err(|error| format!("the context is not valid: {error}"))?,
    };
    let now_text = str_field(case, "now");
    let now = Timestamp::parse_rfc3339(now_text)
        .map_err(|error| format!("now {now_text:?} is not an instant: {error}"))?;

    let Some(kind) = case.get("as") else {
        let plain = engine.evaluate(flag, &context, now);
        // The same answer must come from every way of asking.
        let prepared = engine.prepare(context.clone());
        let via_prepared = engine.evaluate(flag, &prepared, now);
        if via_prepared != plain {
            return Err(format!(
                "a PreparedContext gives {via_prepared:?}, a Context gives {plain:?}"
            ));
        }
        let explained = engine.explain(flag, &context, now).evaluation;
        if explained != plain {
            return Err(format!(
                "explain gives {explained:?}, evaluate gives {plain:?}"
            ));
        }
        if let Some((_, listed)) = engine
            .evaluate_all(&context, now)
            .into_iter()
            .find(|(key, _)| *key == flag)
        {
            if listed != plain {
                return Err(format!(
                    "evaluate_all gives {listed:?}, evaluate gives {plain:?}"
                ));
            }
        }
        return Ok(evaluation_json(&plain));
    };

    let default = case.get("default").ok_or("a typed case needs a default")?;
    let details = match kind.as_str() {
        Some("boolean") => {
            let default = default.as_bool().ok_or("default is not a boolean")?;
            serde_json::to_value(engine.bool_value(flag, &context, now, default))
        }
        Some("string") => {
            let default = default.as_str().ok_or("default is not a string")?;
            serde_json::to_value(engine.string_value(flag, &context, now, default))
        }
        Some("number") => {
            let default = default.as_f64().ok_or("default is not a number")?;
            serde_json::to_value(engine.number_value(flag, &context, now, default))
        }
        Some("object") => serde_json::to_value(engine.object_value(flag, &context, now, default)),
        _ => return Err(format!("unknown accessor {kind}")),
    };
    details.map_err(|error| format!("details do not serialize: {error}"))
}

/// Compares a result with a vector's `expect`; absent `errorCode`/`ruleId` must be absent.
pub(crate) fn check_expect(actual: &Value, expect: &Value) -> Result<(), String> {
    let field = |value: &Value, name: &str| value.get(name).cloned().unwrap_or(Value::Null);
    for name in ["value", "variant", "reason", "errorCode", "ruleId"] {
        let (got, want) = (field(actual, name), field(expect, name));
        if !same_json(&got, &want) {
            return Err(format!("expected {expect}, got {actual} ({name} differs)"));
        }
    }
    Ok(())
}

#[test]
fn evaluation_vectors_give_the_documented_results() {
    let file = read_vectors("evaluation.json");
    assert_eq!(file.get("version"), Some(&json!(1)));
    let suites = array_field(&file, "suites");
    let mut failures = Failures::default();
    let mut total = 0;
    let mut reasons = std::collections::BTreeSet::new();
    for suite in suites {
        let suite_name = str_field(suite, "name");
        let cases = array_field(suite, "cases");
        assert!(!cases.is_empty(), "suite {suite_name:?} has no cases");
        total += cases.len();
        let engine = match limits_from(suite.get("limits"))
            .and_then(|limits| load_snapshot(&suite["snapshot"], limits))
        {
            Ok(engine) => engine,
            Err(error) => {
                failures.add(suite_name, error);
                continue;
            }
        };
        for case in cases {
            let name = format!("{suite_name} / {}", str_field(case, "name"));
            let expect = case.get("expect").unwrap_or(&Value::Null);
            if let Some(reason) = expect.get("reason").and_then(Value::as_str) {
                reasons.insert(reason.to_owned());
            }
            match run_case(&engine, case).and_then(|actual| check_expect(&actual, expect)) {
                Ok(()) => {}
                Err(error) => failures.add(&name, error),
            }
        }
    }
    // An emptied or truncated file must not pass quietly.
    assert!(total >= 200, "evaluation.json has only {total} cases");
    let all_reasons = [
        "STATIC",
        "DEFAULT",
        "TARGETING_MATCH",
        "SPLIT",
        "DISABLED",
        "OVERRIDE",
        "PREREQUISITE_FAILED",
        "ERROR",
    ];
    for reason in all_reasons {
        assert!(
            reasons.contains(reason),
            "no case in evaluation.json expects {reason}"
        );
    }
    failures.assert_none("evaluation.json", total);
}

#[test]
fn load_error_vectors_are_rejected_with_their_code_and_path() {
    let file = read_vectors("load-errors.json");
    assert_eq!(file.get("version"), Some(&json!(1)));
    let cases = array_field(&file, "cases");
    let mut failures = Failures::default();
    let mut codes = std::collections::BTreeSet::new();
    for case in cases {
        let name = str_field(case, "name");
        let document = str_field(case, "document");
        let expect = &case["expect"];
        let code = str_field(expect, "code");
        codes.insert(code.to_owned());
        let path = expect.get("path").and_then(Value::as_str);
        let limits = match limits_from(case.get("limits")) {
            Ok(limits) => limits,
            Err(error) => {
                failures.add(name, error);
                continue;
            }
        };
        match Engine::from_slice_with_limits(document.as_bytes(), limits) {
            Ok(engine) => failures.add(
                name,
                format!(
                    "loaded (with {} diagnostics) instead of failing with {code}",
                    engine.diagnostics().len()
                ),
            ),
            Err(error) => {
                if error.code() != code || error.path() != path {
                    failures.add(
                        name,
                        format!(
                            "expected {code} at {path:?}, got {} at {:?} ({error})",
                            error.code(),
                            error.path()
                        ),
                    );
                } else if error.message().is_empty() {
                    failures.add(name, "the error has no message");
                }
            }
        }
    }
    assert!(
        cases.len() >= 60,
        "load-errors.json has only {} cases",
        cases.len()
    );
    // Every limit that applies to documents, and each other kind, has a case.
    for code in [
        "NOT_JSON",
        "SHAPE",
        "UNSUPPORTED_SCHEMA_VERSION",
        "LIMIT_DOCUMENT_BYTES",
        "LIMIT_JSON_DEPTH",
        "LIMIT_FLAGS",
        "LIMIT_SEGMENTS",
        "LIMIT_VARIANTS",
        "LIMIT_RULES",
        "LIMIT_CONDITIONS",
        "LIMIT_LIST_VALUES",
        "LIMIT_KEY_BYTES",
        "LIMIT_STRING_BYTES",
        "LIMIT_REGEX_BYTES",
        "LIMIT_PREREQUISITE_DEPTH",
    ] {
        assert!(
            codes.contains(code),
            "no case in load-errors.json for {code}"
        );
    }
    failures.assert_none("load-errors.json", cases.len());
}

/// A diagnostic reduced to what the vectors pin (the message is for people and may change).
fn diagnostic_key(diagnostic: &Diagnostic) -> Value {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut map = Map::new();
    map.insert("code".into(), json!(diagnostic.code.as_str()));
    map.insert("severity".into(), json!(severity));
    map.insert("path".into(), json!(diagnostic.path));
    map.insert("flag".into(), json!(diagnostic.flag));
    map.insert("segment".into(), json!(diagnostic.segment));
    Value::Object(map)
}

fn expected_diagnostic_key(expected: &Value) -> Value {
    let mut map = Map::new();
    for field in ["code", "severity", "path", "flag", "segment"] {
        map.insert(
            field.into(),
            expected.get(field).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(map)
}

fn sorted(mut values: Vec<Value>) -> Vec<Value> {
    values.sort_by_key(Value::to_string);
    values
}

#[test]
fn diagnostics_vectors_report_each_problem_and_spare_healthy_flags() {
    let file = read_vectors("diagnostics.json");
    assert_eq!(file.get("version"), Some(&json!(1)));
    let cases = array_field(&file, "cases");
    let mut failures = Failures::default();
    let mut covered = std::collections::BTreeSet::new();
    let now = Timestamp::parse_rfc3339("2026-11-22T12:00:00Z").expect("a valid instant");
    for case in cases {
        let name = str_field(case, "name");
        covered.insert(str_field(case, "code").to_owned());
        let engine = match load_snapshot(&case["snapshot"], Limits::default()) {
            Ok(engine) => engine,
            Err(error) => {
                failures.add(name, error);
                continue;
            }
        };

        let actual = sorted(engine.diagnostics().iter().map(diagnostic_key).collect());
        let expected = sorted(
            array_field(&case["expect"], "diagnostics")
                .iter()
                .map(expected_diagnostic_key)
                .collect(),
        );
        if actual != expected {
            failures.add(
                name,
                format!(
                    "diagnostics differ\n    expected {}\n    got      {}",
                    Value::Array(expected),
                    Value::Array(actual)
                ),
            );
        }

        // Exactly the flags named by an error diagnostic are unusable.
        let broken: std::collections::BTreeSet<&str> = engine
            .diagnostics()
            .iter()
            .filter(|diagnostic| diagnostic.severity == Severity::Error)
            .filter_map(|diagnostic| diagnostic.flag.as_deref())
            .collect();
        for (key, evaluation) in engine.evaluate_all(&Context::new(), now) {
            let parse_error =
                evaluation.error_code.map(|code| code.as_str()) == Some("PARSE_ERROR");
            if parse_error != broken.contains(key) {
                failures.add(
                    name,
                    format!(
                        "flag {key:?} gives {evaluation:?}, but it is {}named by an error diagnostic",
                        if broken.contains(key) { "" } else { "not " }
                    ),
                );
            }
        }

        let evaluations = array_field(case, "evaluations");
        if evaluations.is_empty() {
            failures.add(name, "the case has no evaluations");
        }
        for evaluation in evaluations {
            let label = format!("{name} / {}", str_field(evaluation, "name"));
            if let Err(error) = run_case(&engine, evaluation)
                .and_then(|actual| check_expect(&actual, &evaluation["expect"]))
            {
                failures.add(&label, error);
            }
        }
    }
    for code in DIAGNOSTIC_CODES {
        assert!(
            covered.contains(*code),
            "diagnostics.json has no case for {code}"
        );
    }
    failures.assert_none("diagnostics.json", cases.len());
}
