//! Snapshots built in code (`Engine::from_snapshot`) must behave exactly like the same snapshots
//! loaded from JSON: the loader hands the compiler some parts (condition operands, segment keys,
//! metadata) outside the wire types, so the two ways in share the compiler but not every path
//! through it. Every vector snapshot that the wire types can express is built in code here and
//! held to the same results and diagnostics.

use serde_json::{Map, Value};
use vexil::snapshot::{
    Condition, Entries, Flag, Metadata, Override, Prerequisite, Rule, Schedule, Segment, Serve,
    Snapshot, WeightedVariant,
};
use vexil::{Diagnostic, Engine, Limits, Severity};

use crate::support::read_vectors;
use crate::vectors::{check_expect, limits_from, run_case};

/// The members of `value` if it is an object whose member names are all in `known`.
fn members<'v>(value: &'v Value, known: &[&str]) -> Option<&'v Map<String, Value>> {
    let object = value.as_object()?;
    object
        .keys()
        .all(|name| known.contains(&name.as_str()))
        .then_some(object)
}

/// An optional member: absent and `null` are both `None`; `Err` if present but unreadable.
fn optional<T>(
    object: &Map<String, Value>,
    name: &str,
    read: impl FnOnce(&Value) -> Option<T>,
) -> Result<Option<T>, ()> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => read(value).map(Some).ok_or(()),
    }
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

fn texts(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(text).collect()
}

fn list<T>(value: &Value, item: impl Fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    value.as_array()?.iter().map(item).collect()
}

fn serve(value: &Value) -> Option<Serve> {
    let object = members(value, &["variant", "split", "bucketBy"])?;
    let split = optional(object, "split", |split| {
        list(split, |item| {
            let item = members(item, &["variant", "weight"])?;
            Some(WeightedVariant {
                variant: text(item.get("variant")?)?,
                weight: item.get("weight")?.as_u64()?,
            })
        })
    });
    Some(Serve {
        variant: optional(object, "variant", text).ok()?,
        split: split.ok()?,
        bucket_by: optional(object, "bucketBy", text).ok()?,
    })
}

fn condition(value: &Value) -> Option<Condition> {
    let object = members(value, &["attribute", "op", "value", "values", "negate"])?;
    Some(Condition {
        attribute: optional(object, "attribute", text).ok()?,
        op: text(object.get("op")?)?,
        value: optional(object, "value", |value| Some(value.clone())).ok()?,
        values: optional(object, "values", |values| values.as_array().cloned()).ok()?,
        negate: optional(object, "negate", Value::as_bool)
            .ok()?
            .unwrap_or(false),
    })
}

fn conditions(object: &Map<String, Value>) -> Option<Vec<Condition>> {
    Some(
        optional(object, "conditions", |value| list(value, condition))
            .ok()?
            .unwrap_or_default(),
    )
}

fn rule(value: &Value) -> Option<Rule> {
    let object = members(value, &["id", "conditions", "serve", "description"])?;
    Some(Rule {
        id: optional(object, "id", text).ok()?,
        conditions: conditions(object)?,
        serve: serve(object.get("serve")?)?,
    })
}

fn metadata(value: &Value) -> Option<Metadata> {
    let object = members(
        value,
        &["description", "owner", "tags", "version", "changedAt"],
    )?;
    Some(Metadata {
        description: optional(object, "description", text).ok()?,
        owner: optional(object, "owner", text).ok()?,
        tags: optional(object, "tags", texts).ok()?.unwrap_or_default(),
        version: optional(object, "version", Value::as_u64).ok()?,
        changed_at: optional(object, "changedAt", text).ok()?,
    })
}

fn flag(value: &Value) -> Option<Flag> {
    let object = members(
        value,
        &[
            "key",
            "type",
            "enabled",
            "variants",
            "offVariant",
            "fallthrough",
            "overrides",
            "schedule",
            "prerequisites",
            "rules",
            "salt",
            "bucketBy",
            "metadata",
        ],
    )?;
    let variants = object
        .get("variants")?
        .as_object()?
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let overrides = optional(object, "overrides", |value| {
        list(value, |entry| {
            let entry = members(entry, &["variant", "keys"])?;
            Some(Override {
                variant: text(entry.get("variant")?)?,
                keys: texts(entry.get("keys")?)?,
            })
        })
    });
    let schedule = optional(object, "schedule", |value| {
        let window = members(value, &["start", "end"])?;
        Some(Schedule {
            start: optional(window, "start", text).ok()?,
            end: optional(window, "end", text).ok()?,
        })
    });
    let prerequisites = optional(object, "prerequisites", |value| {
        list(value, |entry| {
            let entry = members(entry, &["flag", "variants"])?;
            Some(Prerequisite {
                flag: text(entry.get("flag")?)?,
                variants: texts(entry.get("variants")?)?,
            })
        })
    });
    Some(Flag {
        key: text(object.get("key")?)?,
        kind: text(object.get("type")?)?,
        enabled: optional(object, "enabled", Value::as_bool)
            .ok()?
            .unwrap_or(true),
        variants: Entries(variants),
        off_variant: optional(object, "offVariant", text).ok()?,
        fallthrough: serve(object.get("fallthrough")?)?,
        overrides: overrides.ok()?.unwrap_or_default(),
        schedule: schedule.ok()?,
        prerequisites: prerequisites.ok()?.unwrap_or_default(),
        rules: optional(object, "rules", |value| list(value, rule))
            .ok()?
            .unwrap_or_default(),
        salt: optional(object, "salt", text).ok()?,
        bucket_by: optional(object, "bucketBy", text).ok()?,
        metadata: optional(object, "metadata", metadata).ok()?,
    })
}

fn segment(value: &Value) -> Option<Segment> {
    let object = members(
        value,
        &["key", "included", "excluded", "conditions", "metadata"],
    )?;
    Some(Segment {
        key: text(object.get("key")?)?,
        included: optional(object, "included", texts)
            .ok()?
            .unwrap_or_default(),
        excluded: optional(object, "excluded", texts)
            .ok()?
            .unwrap_or_default(),
        conditions: conditions(object)?,
    })
}

/// The snapshot a program would build for the document `value`, or `None` where the wire types
/// cannot say the same (unknown members, members of the wrong type, raw text documents).
fn built(value: &Value) -> Option<Snapshot> {
    let object = members(
        value,
        &[
            "schemaVersion",
            "revision",
            "generatedAt",
            "environment",
            "segments",
            "flags",
        ],
    )?;
    Some(Snapshot {
        schema_version: object.get("schemaVersion")?.as_u64()?,
        revision: object.get("revision")?.as_u64()?,
        generated_at: text(object.get("generatedAt")?)?,
        environment: optional(object, "environment", text).ok()?,
        segments: optional(object, "segments", |value| list(value, segment))
            .ok()?
            .unwrap_or_default(),
        flags: list(object.get("flags")?, flag)?,
    })
}

/// A diagnostic in full, messages included.
fn described(diagnostic: &Diagnostic) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!(
        "{severity} {} at {} (flag {:?}, segment {:?}): {}",
        diagnostic.code.as_str(),
        diagnostic.path,
        diagnostic.flag,
        diagnostic.segment,
        diagnostic.message
    )
}

fn diagnostics_of(engine: &Engine) -> Vec<String> {
    engine.diagnostics().iter().map(described).collect()
}

/// Holds the engine built in code to the diagnostics of the one loaded from text and to the
/// expected results of vector `cases`, adding each mismatch to `failures`.
fn compare(name: &str, code: &Engine, text: &Engine, cases: &[Value], failures: &mut Vec<String>) {
    if diagnostics_of(code) != diagnostics_of(text) {
        failures.push(format!(
            "{name}: diagnostics differ\n    built {:?}\n    text  {:?}",
            diagnostics_of(code),
            diagnostics_of(text)
        ));
    }
    for case in cases {
        if let Err(error) =
            run_case(code, case).and_then(|actual| check_expect(&actual, &case["expect"]))
        {
            let label = case["name"].as_str().unwrap_or("?");
            failures.push(format!("{name} / {label}: {error}"));
        }
    }
}

#[test]
fn snapshots_built_in_code_evaluate_like_their_documents() {
    let file = read_vectors("evaluation.json");
    let suites = file["suites"].as_array().expect("suites");
    let (mut checked, mut failures) = (0, Vec::new());
    for suite in suites {
        let name = suite["name"].as_str().unwrap_or("?");
        // Every evaluation suite is a document the wire types can express.
        let snapshot = built(&suite["snapshot"])
            .unwrap_or_else(|| panic!("suite {name:?}: its snapshot could not be built in code"));
        let limits = limits_from(suite.get("limits")).unwrap_or_else(|error| panic!("{error}"));
        let from_code = Engine::from_snapshot_with_limits(snapshot, limits.clone())
            .unwrap_or_else(|error| panic!("suite {name:?}: built in code, it fails: {error}"));
        let text = suite["snapshot"].to_string();
        let from_text = Engine::from_slice_with_limits(text.as_bytes(), limits)
            .unwrap_or_else(|error| panic!("suite {name:?}: as text, it fails: {error}"));
        let cases = suite["cases"].as_array().expect("cases");
        checked += cases.len();
        compare(name, &from_code, &from_text, cases, &mut failures);
    }
    assert!(checked > 0, "the suites have no cases");
    assert!(
        failures.is_empty(),
        "{} cases differ when built in code:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn snapshots_built_in_code_report_what_their_documents_report() {
    let file = read_vectors("diagnostics.json");
    let cases = file["cases"].as_array().expect("cases");
    let (mut compared, mut failures) = (0, Vec::new());
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        // Unknown members and raw text (kept for what a parsed object cannot hold, such as a
        // repeated member) cannot be built in code; those cases are the loader's alone.
        let Some(snapshot) = built(&case["snapshot"]) else {
            assert!(
                case["code"] == "unknown-field" || case["snapshot"].is_string(),
                "{name}: only unknown fields and raw text may be beyond the wire types"
            );
            continue;
        };
        compared += 1;
        let from_code = Engine::from_snapshot_with_limits(snapshot, Limits::default());
        let from_text = Engine::from_json(&case["snapshot"].to_string());
        match (from_code, from_text) {
            (Ok(code), Ok(text)) => {
                let evaluations = case["evaluations"].as_array().expect("evaluations");
                compare(name, &code, &text, evaluations, &mut failures);
            }
            (code, text) => failures.push(format!(
                "{name}: built in code {:?}, as text {:?}",
                code.err().map(|error| error.to_string()),
                text.err().map(|error| error.to_string())
            )),
        }
    }
    assert!(
        compared * 10 >= cases.len() * 8,
        "only {compared} of {} cases could be built in code",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases differ when built in code:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
