//! Property tests: whatever a snapshot or a context holds, loading fails cleanly or succeeds, and
//! evaluation never panics and keeps its documented invariants.

use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use serde_json::{json, Map, Value};
use vexil::{Context, Engine, Evaluation, FlagType, Reason, Timestamp};

/// Keys of flags that may be broken; healthy flags are keyed `f0`, `f1`, … by position, so
/// these sometimes collide with them or with each other.
const FLAG_KEYS: &[&str] = &["f0", "f1", "f2", "f0", ""];
const VARIANTS: &[&str] = &["on", "off", "blue", "v.1", ""];
const ATTRIBUTES: &[&str] = &[
    "targetingKey",
    "plan",
    "age",
    "roles",
    "email",
    "signedUpAt",
    "appVersion",
    "companyId",
    "",
];
const OPERATORS: &[&str] = &[
    "exists",
    "equals",
    "notEquals",
    "in",
    "notIn",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "lt",
    "lte",
    "gt",
    "gte",
    "semverEq",
    "semverLt",
    "semverLte",
    "semverGt",
    "semverGte",
    "before",
    "after",
    "inSegment",
    "notInSegment",
    // Unknown ones, which must become diagnostics.
    "regex",
    "Equals",
    "",
];
/// Valid instants in increasing order, then invalid ones.
const INSTANTS: &[&str] = &[
    "2026-11-01T00:00:00Z",
    "2026-11-22T12:00:00Z",
    "2026-12-01T00:00:00-05:00",
    "2027-01-01T00:00:00.5Z",
    "2026-02-30T00:00:00Z",
    "yesterday",
    "",
];
const VALID_INSTANTS: usize = 4;
const VERSIONS: &[&str] = &["1.2.3", "2.0.0-rc.1", "v5", "0.9.12", "5.2"];
const REGEXES: &[&str] = &["^user-", "vexil", "(?i)PRO", "^[0-9]+$"];
const TEXTS: &[&str] = &[
    "pro",
    "free",
    "user-1",
    "user-2",
    "42",
    "ana@vexil.dev",
    "(",
    "^a.*$",
    "1.2.3",
    "v2",
    "1.x",
    "",
    "ünï",
    "2026-11-15T08:00:00Z",
];
const USERS: &[&str] = &["user-1", "user-2", "42"];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(TEXTS).prop_map(str::to_owned),
        1 => select(VERSIONS).prop_map(str::to_owned),
        1 => "[a-z0-9@.()*^$-]{0,8}",
    ]
}

/// Any JSON scalar, weighted towards values the operators understand.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::from),
        select(INSTANTS).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        (-100i64..200).prop_map(Value::from),
        (-1e3f64..1e3).prop_map(Value::from),
        (1_700_000_000_000i64..1_900_000_000_000).prop_map(Value::from),
        Just(Value::Null),
    ]
}

/// Any JSON value, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::vec((select(VARIANTS), inner), 0..3).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(key, value)| (key.to_owned(), value))
                        .collect(),
                )
            }),
        ]
    })
}

fn optional<T: std::fmt::Debug + Clone>(
    strategy: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::weighted(0.5, strategy)
}

/// Inserts the present fields of `fields` into a JSON object.
fn object(fields: Vec<(&str, Option<Value>)>) -> Value {
    let mut map = Map::new();
    for (name, value) in fields {
        if let Some(value) = value {
            map.insert(name.to_owned(), value);
        }
    }
    Value::Object(map)
}

fn one_or_many(values: Vec<Value>) -> (&'static str, Value) {
    match <[Value; 1]>::try_from(values) {
        Ok([value]) => ("value", value),
        Err(values) => ("values", Value::from(values)),
    }
}

/// A condition whose operands suit its operator.
fn sane_condition() -> impl Strategy<Value = Value> {
    let attribute = select(&ATTRIBUTES[..8]);
    let strings = |pool: &'static [&'static str]| {
        prop::collection::vec(select(pool).prop_map(Value::from), 1..3)
    };
    let operator_and_operands = prop_oneof![
        Just(("exists", Vec::new())),
        (
            select(&["equals", "notEquals", "in", "notIn"][..]),
            prop::collection::vec(
                prop_oneof![
                    text().prop_map(Value::from),
                    (-5i64..50).prop_map(Value::from),
                    any::<bool>().prop_map(Value::from)
                ],
                1..3
            )
        ),
        (
            select(&["contains", "startsWith", "endsWith"][..]),
            strings(TEXTS)
        ),
        (Just("matches"), strings(REGEXES)),
        (
            select(&["lt", "lte", "gt", "gte"][..]),
            prop::collection::vec((-5i64..50).prop_map(Value::from), 1..3)
        ),
        (
            select(&["semverEq", "semverLt", "semverLte", "semverGt", "semverGte"][..]),
            strings(VERSIONS)
        ),
        (
            select(&["before", "after"][..]),
            strings(&INSTANTS[..VALID_INSTANTS])
        ),
        // Segment keys are placeholders that `snapshot()` points at real segments.
        (
            select(&["inSegment", "notInSegment"][..]),
            prop::collection::vec(select(&["#s0", "#s1"][..]).prop_map(Value::from), 1..3)
        ),
    ];
    (attribute, operator_and_operands, any::<bool>()).prop_map(
        |(attribute, (op, operands), negate)| {
            let mut fields = vec![
                ("op", Some(Value::from(op))),
                ("negate", negate.then_some(Value::Bool(true))),
            ];
            if !op.ends_with("Segment") {
                fields.push(("attribute", Some(Value::from(attribute))));
            }
            if !operands.is_empty() {
                let (name, value) = one_or_many(operands);
                fields.push((name, Some(value)));
            }
            object(fields)
        },
    )
}

/// Anything that looks like a condition: unknown operators, missing or mistyped operands.
fn chaos_condition() -> impl Strategy<Value = Value> {
    (
        optional(select(ATTRIBUTES)),
        select(OPERATORS),
        prop_oneof![
            Just(None),
            scalar().prop_map(|value| Some(("value", value))),
            select(&["staff", "ghost", "#s0"][..])
                .prop_map(|key| Some(("value", Value::from(key)))),
            prop::collection::vec(scalar(), 0..4)
                .prop_map(|values| Some(("values", Value::from(values)))),
        ],
        any::<bool>(),
    )
        .prop_map(|(attribute, op, operands, negate)| {
            let mut fields = vec![
                ("attribute", attribute.map(Value::from)),
                ("op", Some(Value::from(op))),
                ("negate", negate.then_some(Value::Bool(true))),
            ];
            if let Some((name, value)) = operands {
                fields.push((name, Some(value)));
            }
            object(fields)
        })
}

fn condition() -> impl Strategy<Value = Value> {
    prop_oneof![12 => sane_condition(), 1 => chaos_condition()]
}

/// Weights that add up to 100000 most of the time, and sometimes do not.
fn weights() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        12 => prop::collection::vec(0u64..=100_000, 0..3).prop_map(|mut cuts| {
            cuts.sort_unstable();
            cuts.push(100_000);
            let mut previous = 0;
            cuts.into_iter()
                .map(|cut| {
                    let weight = cut - previous;
                    previous = cut;
                    weight
                })
                .collect()
        }),
        1 => prop::collection::vec(0u64..=100_000, 0..4),
    ]
}

fn serve(variants: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        20 => select(variants).prop_map(|variant| json!({"variant": variant})),
        20 => (weights(), prop::collection::vec(select(variants), 4), optional(select(&ATTRIBUTES[..8])))
            .prop_map(|(weights, names, bucket_by)| {
                let split: Vec<Value> = weights
                    .iter()
                    .zip(names)
                    .map(|(weight, variant)| json!({"variant": variant, "weight": weight}))
                    .collect();
                object(vec![
                    ("split", Some(Value::from(split))),
                    ("bucketBy", bucket_by.map(Value::from)),
                ])
            }),
        1 => prop_oneof![
            Just(json!({})),
            Just(json!({"variant": "on", "split": [{"variant": "on", "weight": 100000}]})),
        ],
    ]
}

fn rule(variants: &'static [&'static str]) -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            8 => Just(None),
            1 => select(&["r1", "r2", "r1", ""][..]).prop_map(Some),
        ],
        prop::collection::vec(condition(), 0..3),
        serve(variants),
    )
        .prop_map(|(id, conditions, serve)| {
            object(vec![
                ("id", id.map(Value::from)),
                ("conditions", Some(Value::from(conditions))),
                ("serve", Some(serve)),
            ])
        })
}

/// Variant values of the flag's type (or of a mistaken type).
fn variant_value(kind: &str) -> BoxedStrategy<Value> {
    match kind {
        "boolean" => any::<bool>().prop_map(Value::from).boxed(),
        "string" => text().prop_map(Value::from).boxed(),
        "number" => (-5i64..5).prop_map(Value::from).boxed(),
        _ => json_value().boxed(),
    }
}

/// A flag that is healthy unless its random conditions or splits are not; its key `#` and its
/// prerequisites `#<n>` are placeholders that `snapshot()` replaces.
fn sane_flag() -> impl Strategy<Value = Value> {
    const NAMES: &[&str] = &["on", "off", "blue"];
    let head = select(&["boolean", "string", "number", "object"][..]).prop_flat_map(|kind| {
        (
            Just(kind),
            prop::collection::vec(variant_value(kind), 3),
            prop_oneof![6 => Just(None), 2 => Just(Some(true)), 1 => Just(Some(false))],
            optional(select(&["on", "off"][..])),
        )
    });
    let targeting = (
        prop::collection::vec(
            (
                select(&["on", "off"][..]),
                prop::collection::vec(select(USERS), 0..3),
            ),
            0..2,
        ),
        optional((0..VALID_INSTANTS, 0..VALID_INSTANTS)),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec((0usize..6, prop::collection::vec(select(&["on", "off"][..]), 1..3)), 1..3),
        ],
        prop::collection::vec(rule(&["on", "off", "blue"]), 0..4),
        serve(&["on", "off", "blue"]),
        optional(select(&["", "spring"][..])),
        optional(select(&ATTRIBUTES[..8])),
    );
    (head, targeting).prop_map(
        |((kind, values, enabled, off), (overrides, schedule, prerequisites, rules, fallthrough, salt, bucket_by))| {
            let variants: Map<String, Value> = NAMES
                .iter()
                .zip(values)
                .map(|(name, value)| ((*name).to_owned(), value))
                .collect();
            let overrides: Vec<Value> = overrides
                .into_iter()
                .map(|(variant, keys)| json!({"variant": variant, "keys": keys}))
                .collect();
            let prerequisites: Vec<Value> = prerequisites
                .into_iter()
                .map(|(target, variants)| json!({"flag": format!("#{target}"), "variants": variants}))
                .collect();
            // Open-ended, or a window with start before end.
            let schedule = schedule.map(|(first, second)| {
                let (start, end) = (first.min(second), first.max(second));
                object(vec![
                    ("start", (start > 0).then(|| Value::from(INSTANTS[start]))),
                    ("end", (end > start).then(|| Value::from(INSTANTS[end]))),
                ])
            });
            object(vec![
                ("key", Some(Value::from("#"))),
                ("type", Some(Value::from(kind))),
                ("enabled", enabled.map(Value::from)),
                ("variants", Some(Value::Object(variants))),
                ("offVariant", off.map(Value::from)),
                ("overrides", Some(Value::from(overrides))),
                ("schedule", schedule),
                ("prerequisites", Some(Value::from(prerequisites))),
                ("rules", Some(Value::from(rules))),
                ("fallthrough", Some(fallthrough)),
                ("salt", salt.map(Value::from)),
                ("bucketBy", bucket_by.map(Value::from)),
            ])
        },
    )
}

/// A flag with anything in it: unknown types, mistyped or missing variants, cycles, bad dates.
fn chaos_flag() -> impl Strategy<Value = Value> {
    let head = (
        select(FLAG_KEYS),
        select(&["boolean", "string", "number", "object", "integer"][..]),
        optional(any::<bool>()),
        optional(select(VARIANTS)),
        prop::collection::vec((select(VARIANTS), json_value()), 0..4),
    );
    let targeting = (
        prop::collection::vec(
            (select(VARIANTS), prop::collection::vec(select(USERS), 0..3)),
            0..3,
        ),
        optional((optional(select(INSTANTS)), optional(select(INSTANTS)))),
        prop::collection::vec(
            (
                select(FLAG_KEYS),
                prop::collection::vec(select(VARIANTS), 0..3),
            ),
            0..3,
        ),
        prop::collection::vec(rule(VARIANTS), 0..3),
        serve(VARIANTS),
        optional(select(&["", "spring", "a\u{0}b"][..])),
        optional(select(ATTRIBUTES)),
    );
    (head, targeting).prop_map(
        |(
            (key, kind, enabled, off, variants),
            (overrides, schedule, prerequisites, rules, fallthrough, salt, bucket_by),
        )| {
            let variants: Map<String, Value> = variants
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect();
            let overrides: Vec<Value> = overrides
                .into_iter()
                .map(|(variant, keys)| json!({"variant": variant, "keys": keys}))
                .collect();
            let prerequisites: Vec<Value> = prerequisites
                .into_iter()
                .map(|(flag, variants)| json!({"flag": flag, "variants": variants}))
                .collect();
            let schedule = schedule.map(|(start, end)| {
                object(vec![
                    ("start", start.map(Value::from)),
                    ("end", end.map(Value::from)),
                ])
            });
            object(vec![
                ("key", Some(Value::from(key))),
                ("type", Some(Value::from(kind))),
                ("enabled", enabled.map(Value::from)),
                ("variants", Some(Value::Object(variants))),
                ("offVariant", off.map(Value::from)),
                ("overrides", Some(Value::from(overrides))),
                ("schedule", schedule),
                ("prerequisites", Some(Value::from(prerequisites))),
                ("rules", Some(Value::from(rules))),
                ("fallthrough", Some(fallthrough)),
                ("salt", salt.map(Value::from)),
                ("bucketBy", bucket_by.map(Value::from)),
            ])
        },
    )
}

fn segment() -> impl Strategy<Value = Value> {
    (
        prop_oneof![6 => Just("#"), 1 => select(&["s0", "staff", ""][..])],
        prop::collection::vec(select(USERS), 0..2),
        prop::collection::vec(select(USERS), 0..2),
        prop::collection::vec(condition(), 0..2),
    )
        .prop_map(|(key, included, excluded, conditions)| {
            json!({"key": key, "included": included, "excluded": excluded, "conditions": conditions})
        })
}

/// Replaces the placeholders of healthy flags and segments: `#` keys become `f<i>` / `s<i>`,
/// `#<n>` prerequisites point at a later flag (so they mostly form no cycle, but sometimes do,
/// through broken flags' keys), and `#s<n>` segment references at an existing segment.
fn resolve_placeholders(value: &mut Value, flag_count: usize, segment_count: usize, index: usize) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("flag") {
                if let Some(n) = reference
                    .strip_prefix('#')
                    .and_then(|n| n.parse::<usize>().ok())
                {
                    let later = flag_count.saturating_sub(index + 1);
                    *reference = if later > 0 {
                        format!("f{}", index + 1 + n % later)
                    } else if n == 0 {
                        // The last flag sometimes closes a cycle through the first.
                        "f0".to_owned()
                    } else {
                        "#drop".to_owned()
                    };
                }
            }
            for child in map.values_mut() {
                resolve_placeholders(child, flag_count, segment_count, index);
            }
        }
        Value::Array(items) => {
            for item in items {
                resolve_placeholders(item, flag_count, segment_count, index);
            }
        }
        Value::String(text) => {
            if let Some(n) = text
                .strip_prefix("#s")
                .and_then(|n| n.parse::<usize>().ok())
            {
                *text = format!("s{}", n % segment_count.max(1));
            }
        }
        _ => {}
    }
}

fn snapshot() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(segment(), 0..3),
        prop::collection::vec(prop_oneof![5 => sane_flag(), 1 => chaos_flag()], 0..6),
    )
        .prop_map(|(mut segments, mut flags)| {
            let (flag_count, segment_count) = (flags.len(), segments.len());
            for (index, segment) in segments.iter_mut().enumerate() {
                if segment["key"] == "#" {
                    segment["key"] = Value::from(format!("s{index}"));
                }
                resolve_placeholders(&mut segment["conditions"], flag_count, segment_count, 0);
            }
            for (index, flag) in flags.iter_mut().enumerate() {
                if flag["key"] == "#" {
                    flag["key"] = Value::from(format!("f{index}"));
                }
                resolve_placeholders(flag, flag_count, segment_count, index);
                if let Some(Value::Array(prerequisites)) = flag.get_mut("prerequisites") {
                    prerequisites.retain(|prerequisite| prerequisite["flag"] != "#drop");
                }
            }
            json!({
                "schemaVersion": 1,
                "revision": 1,
                "generatedAt": "2026-11-01T00:00:00Z",
                "segments": segments,
                "flags": flags,
            })
        })
}

/// A context as JSON: scalars and lists of scalars, and a string or integer targeting key.
fn context() -> impl Strategy<Value = Value> {
    let attribute_value = prop_oneof![
        4 => scalar(),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Value::from),
    ];
    (
        optional(prop_oneof![
            select(&["user-1", "user-2", "42", ""][..]).prop_map(Value::from),
            (-5i64..50).prop_map(Value::from),
        ]),
        prop::collection::vec((select(&ATTRIBUTES[1..]), attribute_value), 0..6),
    )
        .prop_map(|(key, attributes)| {
            let mut map: Map<String, Value> = attributes
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect();
            if let Some(key) = key {
                map.insert("targetingKey".to_owned(), key);
            }
            Value::Object(map)
        })
}

fn now() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        select(&INSTANTS[..VALID_INSTANTS]).prop_map(|text| {
            Timestamp::parse_rfc3339(text).expect("the first instants of the pool are valid")
        }),
        (1_700_000_000_000i64..1_900_000_000_000).prop_map(Timestamp::from_unix_millis),
    ]
}

/// Checks the invariants every evaluation keeps, whatever the snapshot and context.
fn check_evaluation(
    engine: &Engine,
    key: &str,
    evaluation: &Evaluation<'_>,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        evaluation.error_code.is_some(),
        evaluation.reason == Reason::Error,
        "error code iff ERROR: {:?}",
        evaluation
    );
    prop_assert_eq!(
        evaluation.value.is_some(),
        evaluation.variant.is_some(),
        "a value iff a variant: {:?}",
        evaluation
    );
    match engine.flag(key) {
        None => prop_assert_eq!(
            evaluation.error_code.map(|code| code.as_str()),
            Some("FLAG_NOT_FOUND")
        ),
        Some(info) => {
            if let Some(variant) = evaluation.variant {
                let served = info.variants().find(|(name, _)| *name == variant);
                prop_assert!(served.is_some(), "{variant:?} is not a variant of {key:?}");
                prop_assert_eq!(served.map(|(_, value)| value), evaluation.value);
            }
            let parse_error =
                evaluation.error_code.map(|code| code.as_str()) == Some("PARSE_ERROR");
            prop_assert_eq!(parse_error, !info.is_valid(), "{:?}: {:?}", key, evaluation);
            if info.is_valid() && !info.is_enabled() {
                prop_assert_eq!(evaluation.reason, Reason::Disabled);
            }
            if evaluation.reason == Reason::Static {
                prop_assert!(evaluation.rule_id.is_none());
            }
        }
    }
    Ok(())
}

/// Loads a generated snapshot, then evaluates every flag (and an unknown one) every way there is,
/// checking the invariants and that the statistics count exactly the counted calls.
fn exercise(snapshot: &Value, contexts: &[Value], now: Timestamp) -> Result<(), TestCaseError> {
    let text = snapshot.to_string();
    let engine = match Engine::from_json(&text) {
        Ok(engine) => engine,
        Err(error) => {
            // Generated documents are well-formed JSON of the right shape, so only limits (never
            // reached with these sizes) could reject them.
            return Err(TestCaseError::fail(format!("rejected: {error}")));
        }
    };
    for diagnostic in engine.diagnostics() {
        prop_assert!(diagnostic.path.starts_with('$'), "{diagnostic}");
        prop_assert!(!diagnostic.message.is_empty());
    }
    let mut keys: Vec<String> = engine.flag_keys().map(str::to_owned).collect();
    keys.push("no-such-flag".to_owned());
    engine.reset_stats();
    let mut counted: u64 = 0;
    for context_json in contexts {
        let Ok(context) = Context::from_json_value(context_json.clone()) else {
            continue;
        };
        let prepared = engine.prepare(context.clone());
        let all = engine.evaluate_all(&context, now);
        counted += all.len() as u64;
        prop_assert_eq!(all.len(), engine.len());
        for key in &keys {
            let plain = engine.evaluate(key, &context, now);
            let via_prepared = engine.evaluate(key, &prepared, now);
            counted += 2;
            check_evaluation(&engine, key, &plain)?;
            prop_assert_eq!(
                plain,
                via_prepared,
                "prepared context differs for {:?}",
                key
            );
            let explained = engine.explain(key, &context, now);
            prop_assert_eq!(explained.evaluation, plain, "explain differs for {:?}", key);
            if let Some(id) = engine.flag_id(key) {
                prop_assert_eq!(engine.evaluate_id(id, &context, now), plain);
                counted += 1;
            }
            // evaluate_all lists flags under their keys; with duplicated keys, the first is the one
            // found by key.
            if let Some((_, listed)) = all.iter().find(|(listed_key, _)| listed_key == key) {
                prop_assert_eq!(*listed, plain, "evaluate_all differs for {:?}", key);
            }

            let kind = engine.flag(key).and_then(|info| info.flag_type());
            let default = json!("caller's default");
            let typed = [
                (
                    FlagType::Boolean,
                    engine.bool_value(key, &context, now, true).error_code,
                ),
                (
                    FlagType::String,
                    engine.string_value(key, &context, now, "d").error_code,
                ),
                (
                    FlagType::Number,
                    engine.number_value(key, &context, now, 1.5).error_code,
                ),
                (
                    FlagType::Object,
                    engine.object_value(key, &context, now, &default).error_code,
                ),
            ];
            counted += 4;
            for (asked, error) in typed {
                let expected = match plain.error_code {
                    Some(code) => Some(code.as_str()),
                    None if kind != Some(asked) => Some("TYPE_MISMATCH"),
                    None => None,
                };
                prop_assert_eq!(
                    error.map(|code| code.as_str()),
                    expected,
                    "{:?} read as {:?}",
                    key,
                    asked
                );
            }
        }
    }
    let stats = engine.stats();
    prop_assert_eq!(stats.evaluations(), counted, "stats: {:?}", stats);
    for flag in &stats.flags {
        let by_variant: u64 = flag.variants.iter().map(|entry| entry.count).sum();
        prop_assert_eq!(
            flag.evaluations,
            by_variant + flag.errors + flag.without_variant
        );
    }
    Ok(())
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A valid snapshot whose bytes the mutation test damages.
const SEED_SNAPSHOT: &str = r#"{"schemaVersion":1,"revision":3,"generatedAt":"2026-11-01T00:00:00Z",
"segments":[{"key":"staff","included":["user-1"],"conditions":[{"attribute":"email","op":"endsWith","value":"@vexil.dev"}]}],
"flags":[{"key":"a","type":"boolean","variants":{"on":true,"off":false},"offVariant":"off",
"overrides":[{"variant":"off","keys":["user-13"]}],"schedule":{"start":"2026-11-01T00:00:00Z"},
"rules":[{"id":"r","conditions":[{"op":"inSegment","value":"staff"},{"attribute":"age","op":"gte","value":18}],"serve":{"variant":"on"}}],
"fallthrough":{"split":[{"variant":"on","weight":25000},{"variant":"off","weight":75000}]}},
{"key":"b","type":"string","variants":{"x":"X","y":"Y"},"prerequisites":[{"flag":"a","variants":["on"]}],"fallthrough":{"variant":"x"}}]}"#;

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn arbitrary_bytes_never_panic_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Err(error) = Engine::from_slice(&bytes) {
            prop_assert!(!error.code().is_empty());
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn damaged_snapshots_load_or_fail_cleanly(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        context in context(),
        now in now(),
    ) {
        let mut bytes = SEED_SNAPSHOT.as_bytes().to_vec();
        for (at, byte, kind) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = at.index(bytes.len());
            match kind {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        match Engine::from_slice(&bytes) {
            Ok(engine) => {
                if let Ok(context) = Context::from_json_value(context) {
                    for (key, evaluation) in engine.evaluate_all(&context, now) {
                        check_evaluation(&engine, key, &evaluation)?;
                    }
                }
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn generated_snapshots_evaluate_totally_and_consistently(
        snapshot in snapshot(),
        contexts in prop::collection::vec(context(), 1..4),
        now in now(),
    ) {
        exercise(&snapshot, &contexts, now)?;
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn arbitrary_contexts_never_panic_evaluation(context in json_value(), now in now()) {
        let engine = Engine::from_json(SEED_SNAPSHOT).expect("the seed snapshot loads");
        // Contexts that cannot be built are refused when building, never by evaluation.
        if let Ok(context) = Context::from_json_value(context) {
            for (key, evaluation) in engine.evaluate_all(&context, now) {
                check_evaluation(&engine, key, &evaluation)?;
            }
        }
    }
}

#[test]
fn layered_prerequisites_evaluate_in_linear_time() {
    // Sixteen layers (the default depth limit) of four flags, each depending on every flag of the
    // next layer: a snapshot of a few kilobytes that, evaluated naively, needs 4^16 (over four
    // billion) evaluations of the bottom layer for one call.
    let (width, layers) = (4, 16);
    let mut flags = Vec::new();
    for layer in 0..=layers {
        for column in 0..width {
            let prerequisites: Vec<Value> = if layer < layers {
                (0..width)
                    .map(|next| json!({"flag": format!("l{}-{next}", layer + 1), "variants": ["on"]}))
                    .collect()
            } else {
                Vec::new()
            };
            flags.push(json!({
                "key": format!("l{layer}-{column}"), "type": "boolean",
                "variants": {"on": true, "off": false}, "offVariant": "off",
                "prerequisites": prerequisites, "fallthrough": {"variant": "on"}
            }));
        }
    }
    let snapshot = json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z", "flags": flags
    });
    let engine = Engine::from_json(&snapshot.to_string()).expect("the layered snapshot loads");
    let now = Timestamp::parse_rfc3339("2026-11-22T12:00:00Z").expect("a valid instant");
    // On a thread, so that a regression fails this test instead of hanging the suite.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = engine.evaluate("l0-0", &Context::new(), now);
        // The receiver is gone only if the test already failed.
        let _ = sender.send((result.variant.map(str::to_owned), result.reason));
    });
    let (variant, reason) = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("one evaluation must not take exponential time in the prerequisite layers");
    assert_eq!(variant.as_deref(), Some("on"));
    assert_eq!(reason, Reason::Default);
}
