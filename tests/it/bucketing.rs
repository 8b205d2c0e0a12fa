//! Bucketing: the published vectors (`tests/vectors/bucketing.json`, computed from
//! `docs/bucketing.md` with Python's `xxhash`, not with this crate) and the properties the
//! document promises, checked both on `vexil::bucket` and through a real [`Engine`].

use proptest::prelude::*;
use serde_json::{json, Value};
use vexil::bucket::{bucket, bucketing_text, hash, BUCKETS};
use vexil::{AttrValue, Context, Engine, ErrorCode, Limits, Reason, Step, Timestamp};

use crate::support::read_vectors;

/// 2^53: the largest integer magnitude that is bucketed.
const MAX_EXACT_INTEGER: i64 = 9_007_199_254_740_992;

/// Chi-square critical values for p = 0.001, computed from the regularized incomplete gamma
/// function (81 = 9 × 9 degrees of freedom for a 10 × 10 table, 99 for 100 bins).
const CHI_SQUARE_0_001_DF_81: f64 = 126.08;
const CHI_SQUARE_0_001_DF_99: f64 = 148.23;

const HALVES: [(&str, u64); 2] = [("low", 50_000), ("high", 50_000)];

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-22T09:30:00Z").expect("a valid instant")
}

/// The vectors include 1000+ byte flag keys and salts, beyond the default limits.
fn roomy_limits() -> Limits {
    Limits {
        max_key_bytes: 65_536,
        max_string_bytes: 65_536,
        max_context_string_bytes: 65_536,
        ..Limits::default()
    }
}

/// An engine with one string flag whose fallthrough is `weights`; each variant's value is its name.
fn split_engine(
    salt: Option<&str>,
    flag_key: &str,
    weights: &[(&str, u64)],
    bucket_by: Option<&str>,
) -> Engine {
    let variants: serde_json::Map<String, Value> = weights
        .iter()
        .map(|(name, _)| ((*name).to_owned(), json!(name)))
        .collect();
    let split: Vec<Value> = weights
        .iter()
        .map(|(variant, weight)| json!({"variant": variant, "weight": weight}))
        .collect();
    let mut flag = json!({
        "key": flag_key, "type": "string", "variants": variants,
        "fallthrough": {"split": split},
    });
    if let Some(salt) = salt {
        flag["salt"] = json!(salt);
    }
    if let Some(attribute) = bucket_by {
        flag["bucketBy"] = json!(attribute);
    }
    let snapshot = json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z",
        "flags": [flag],
    });
    let engine = Engine::from_slice_with_limits(snapshot.to_string().as_bytes(), roomy_limits())
        .expect("the test snapshot loads");
    assert!(
        engine.diagnostics().is_empty(),
        "unexpected diagnostics: {:?}",
        engine.diagnostics()
    );
    engine
}

fn rollout_engine(flag_key: &str, on: u64) -> Engine {
    split_engine(
        None,
        flag_key,
        &[("on", on), ("off", u64::from(BUCKETS) - on)],
        None,
    )
}

/// What an evaluation did, as [`Engine::evaluate`] and [`Engine::explain`] report it.
#[derive(Debug, PartialEq)]
struct Placement {
    variant: Option<String>,
    reason: Reason,
    error: Option<ErrorCode>,
    /// The text and bucket of the split step, if a split was reached.
    text: Option<String>,
    bucket: Option<u32>,
}

fn place(engine: &Engine, flag_key: &str, context: &Context) -> Placement {
    let evaluation = engine.evaluate(flag_key, context, now());
    let explanation = engine.explain(flag_key, context, now());
    assert_eq!(
        explanation.evaluation, evaluation,
        "explain must agree with evaluate"
    );
    let (text, bucket) = explanation
        .steps
        .iter()
        .find_map(|step| match step {
            Step::Split { value, bucket, .. } => Some((value.clone(), *bucket)),
            _ => None,
        })
        .unwrap_or((None, None));
    Placement {
        variant: evaluation.variant.map(str::to_owned),
        reason: evaluation.reason,
        error: evaluation.error_code,
        text,
        bucket,
    }
}

/// The placement the specification predicts for a value with this text and bucket.
fn expected_placement(text: Option<&str>, bucket: Option<u32>, variant: Option<&str>) -> Placement {
    match (text, bucket, variant) {
        (Some(text), Some(bucket), Some(variant)) => Placement {
            variant: Some(variant.to_owned()),
            reason: Reason::Split,
            error: None,
            text: Some(text.to_owned()),
            bucket: Some(bucket),
        },
        _ => Placement {
            variant: None,
            reason: Reason::Error,
            error: Some(ErrorCode::TargetingKeyMissing),
            text: None,
            bucket: None,
        },
    }
}

fn attr_from_json(value: &Value) -> AttrValue {
    match value {
        Value::String(text) => AttrValue::String(text.clone()),
        Value::Number(number) => {
            AttrValue::Number(number.as_f64().expect("vector numbers fit a double"))
        }
        Value::Bool(flag) => AttrValue::Bool(*flag),
        other => panic!("vector values are strings, numbers or booleans, not {other}"),
    }
}

fn field<'v>(item: &'v Value, name: &str) -> &'v str {
    item[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} must be a string in {item}"))
}

fn hex_decode(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd-length hex {text:?}");
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex digits"))
        .collect()
}

fn items<'d>(document: &'d Value, section: &str) -> &'d Vec<Value> {
    document[section]
        .as_array()
        .unwrap_or_else(|| panic!("{section} must be an array"))
}

/// Evaluates `value` both as a custom bucketing attribute and, where the context accepts it, as
/// the targeting key, and returns every way the result differs from `expected`.
fn engine_mismatches(
    salt: &str,
    flag_key: &str,
    weights: &[(&str, u64)],
    value: &Value,
    expected: &Placement,
) -> Vec<String> {
    let mut problems = Vec::new();
    // An empty salt is written both ways: absent (the default) and explicitly "".
    let default_salt = if salt.is_empty() { None } else { Some(salt) };
    let by_attribute = split_engine(Some(salt), flag_key, weights, Some("account"));
    let context = Context::from_json_value(json!({ "account": value }))
        .expect("any scalar is a valid attribute");
    let placed = place(&by_attribute, flag_key, &context);
    if placed != *expected {
        problems.push(format!(
            "bucketBy account: got {placed:?}, expected {expected:?}"
        ));
    }

    let by_key = split_engine(default_salt, flag_key, weights, None);
    let accepted = value.is_string() || (value.is_number() && expected.text.is_some());
    match Context::from_json_value(json!({ "targetingKey": value })) {
        Ok(context) if accepted => {
            let placed = place(&by_key, flag_key, &context);
            if placed != *expected {
                problems.push(format!(
                    "targetingKey: got {placed:?}, expected {expected:?}"
                ));
            }
        }
        Ok(_) => problems.push(
            "a targeting key that is neither a string nor an integer was accepted".to_owned(),
        ),
        Err(error) if accepted => problems.push(format!("targeting key rejected: {error}")),
        Err(_) => {}
    }
    problems
}

#[test]
fn every_published_vector_matches_the_bucketing_functions() {
    let document = read_vectors("bucketing.json");
    assert_eq!(document["version"], 1);
    let vectors = items(&document, "vectors");
    assert!(vectors.len() >= 400, "only {} vectors", vectors.len());
    let mut failures = Vec::new();
    for (index, vector) in vectors.iter().enumerate() {
        let salt = field(vector, "salt");
        let flag_key = field(vector, "flagKey");
        let value = attr_from_json(&vector["value"]);
        let text = bucketing_text(&value);
        if text.as_deref() != vector["text"].as_str() {
            failures.push(format!(
                "vector {index}: text {text:?}, published {}",
                vector["text"]
            ));
            continue;
        }
        let Some(text) = text else {
            if !(vector["bytes"].is_null()
                && vector["hash"].is_null()
                && vector["bucket"].is_null())
            {
                failures.push(format!("vector {index}: unbucketable value with a bucket"));
            }
            continue;
        };
        let published_bytes = hex_decode(field(vector, "bytes"));
        let layout = [
            salt.as_bytes(),
            b"\0",
            flag_key.as_bytes(),
            b"\0",
            text.as_bytes(),
        ]
        .concat();
        let published_hash: u64 = field(vector, "hash").parse().expect("a u64 in decimal");
        let published_bucket = vector["bucket"].as_u64().expect("an integer bucket");
        if layout != published_bytes {
            failures.push(format!(
                "vector {index}: bytes differ from the documented layout"
            ));
        }
        // The hash of exactly the published bytes, so the layout is what the library hashes.
        if xxhash_rust::xxh64::xxh64(&published_bytes, 0) != published_hash {
            failures.push(format!(
                "vector {index}: XXH64 of the published bytes differs"
            ));
        }
        if hash(salt, flag_key, &text) != published_hash {
            failures.push(format!(
                "vector {index}: hash {} != {published_hash}",
                hash(salt, flag_key, &text)
            ));
        }
        if u64::from(bucket(salt, flag_key, &text)) != published_bucket {
            failures.push(format!(
                "vector {index}: bucket {} != {published_bucket}",
                bucket(salt, flag_key, &text)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_published_vector_buckets_the_same_through_the_engine() {
    let document = read_vectors("bucketing.json");
    let mut failures = Vec::new();
    for (index, vector) in items(&document, "vectors").iter().enumerate() {
        let bucket = vector["bucket"]
            .as_u64()
            .map(|bucket| u32::try_from(bucket).expect("a bucket fits u32"));
        let variant = bucket.map(|bucket| if bucket < 50_000 { "low" } else { "high" });
        let expected = expected_placement(vector["text"].as_str(), bucket, variant);
        for problem in engine_mismatches(
            field(vector, "salt"),
            field(vector, "flagKey"),
            &HALVES,
            &vector["value"],
            &expected,
        ) {
            failures.push(format!("vector {index} ({}): {problem}", vector["value"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_published_split_vector_serves_its_variant_through_the_engine() {
    let document = read_vectors("bucketing.json");
    let splits = items(&document, "splits");
    assert!(!splits.is_empty());
    let mut failures = Vec::new();
    for (index, split) in splits.iter().enumerate() {
        let weights: Vec<(&str, u64)> = split["weights"]
            .as_array()
            .expect("weights is an array")
            .iter()
            .map(|slice| {
                (
                    field(slice, "variant"),
                    slice["weight"].as_u64().expect("integer weight"),
                )
            })
            .collect();
        let value = &split["value"];
        let attr = attr_from_json(value);
        let text = bucketing_text(&attr).expect("split values can be bucketed");
        let bucket = split["bucket"]
            .as_u64()
            .and_then(|bucket| u32::try_from(bucket).ok())
            .expect("a bucket");
        let expected = expected_placement(Some(&text), Some(bucket), split["variant"].as_str());
        for problem in engine_mismatches(
            field(split, "salt"),
            field(split, "flagKey"),
            &weights,
            value,
            &expected,
        ) {
            failures.push(format!("split {index} ({value}): {problem}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn targeting_key_with_a_lone_surrogate_is_rejected_not_hashed() {
    let document = read_vectors("bucketing.json");
    let rejected = items(&document, "rejected");
    assert!(!rejected.is_empty());
    for item in rejected {
        let json = field(item, "contextJson");
        assert!(
            Context::from_json(json).is_err(),
            "{json} has no UTF-8 encoding and must be rejected"
        );
    }
}

#[test]
fn published_vectors_cover_the_documented_cases() {
    let document = read_vectors("bucketing.json");
    let vectors = items(&document, "vectors");
    let values: Vec<&Value> = vectors.iter().map(|vector| &vector["value"]).collect();
    let has_text = |wanted: &str| values.iter().any(|value| value.as_str() == Some(wanted));
    assert!(
        has_text("caf\u{e9}") && has_text("cafe\u{301}"),
        "both Unicode forms"
    );
    assert!(
        has_text("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"),
        "ZWJ emoji"
    );
    assert!(has_text("") && has_text("42") && has_text("007"));
    assert!(values
        .iter()
        .any(|value| value.as_str().is_some_and(|text| text.len() >= 1000)));
    for number in [
        json!(42),
        json!(42.0),
        json!(-0.0),
        json!(0.5),
        json!(9_007_199_254_740_992_u64),
        json!(9_007_199_254_740_994_u64),
    ] {
        assert!(values.contains(&&number), "number {number}");
    }
    assert!(values.contains(&&json!(true)) && values.contains(&&json!(false)));
    assert!(
        vectors.iter().any(|vector| vector["salt"] == "")
            && vectors.iter().any(|vector| vector["salt"] != "")
    );
    assert!(vectors
        .iter()
        .any(|vector| field(vector, "flagKey").len() >= 1000));

    let splits = items(&document, "splits");
    let has_bucket = |bucket: u64| splits.iter().any(|split| split["bucket"] == bucket);
    for boundary in [0, 24_999, 25_000, 99_999] {
        assert!(has_bucket(boundary), "a split vector at bucket {boundary}");
    }
    assert!(splits.iter().any(|split| split["weights"]
        .as_array()
        .is_some_and(|weights| weights.iter().any(|slice| slice["weight"] == 0))));
}

#[test]
fn user_42_float_42_and_string_42_are_one_user() {
    let forms = [json!(42), json!(42.0), json!("42")];
    for form in &forms {
        assert_eq!(bucketing_text(&attr_from_json(form)).as_deref(), Some("42"));
    }
    let engine = split_engine(Some("s"), "new-checkout", &HALVES, Some("account"));
    let placements: Vec<Placement> = forms
        .iter()
        .map(|form| {
            let context = Context::from_json_value(json!({ "account": form })).expect("valid");
            place(&engine, "new-checkout", &context)
        })
        .collect();
    assert_eq!(
        placements[0].bucket,
        Some(bucket("s", "new-checkout", "42"))
    );
    assert!(
        placements.iter().all(|placed| *placed == placements[0]),
        "{placements:?}"
    );
}

#[test]
fn negative_zero_and_zero_are_one_user() {
    for form in [json!(0), json!(-0.0), json!(0.0)] {
        assert_eq!(bucketing_text(&attr_from_json(&form)).as_deref(), Some("0"));
    }
}

#[test]
fn missing_list_or_fractional_bucketing_values_give_targeting_key_missing() {
    let by_key = rollout_engine("new-checkout", 50_000);
    let by_attribute = split_engine(None, "new-checkout", &HALVES, Some("account"));
    let missing = expected_placement(None, None, None);
    assert_eq!(place(&by_key, "new-checkout", &Context::new()), missing);
    assert_eq!(
        place(
            &by_attribute,
            "new-checkout",
            &Context::with_targeting_key("user-42")
        ),
        missing,
        "bucketing by account does not fall back to the targeting key"
    );
    for value in [
        json!(["user-42"]),
        json!(0.5),
        json!(9_007_199_254_740_994_u64),
        json!(1e300),
    ] {
        let context = Context::from_json_value(json!({ "account": value })).expect("valid");
        assert_eq!(
            place(&by_attribute, "new-checkout", &context),
            missing,
            "{value}"
        );
    }
}

#[test]
fn zero_percent_serves_nobody_and_hundred_percent_serves_everybody() {
    let nobody = rollout_engine("full-rollout", 0);
    let everybody = rollout_engine("full-rollout", 100_000);
    // 0-weight slices around the only real one, so both range ends are exercised.
    let sandwiched = split_engine(
        None,
        "full-rollout",
        &[("a", 0), ("on", 100_000), ("b", 0)],
        None,
    );
    let mut seen_top = false;
    let mut seen_bottom = false;
    for number in 0..20_000 {
        let context = Context::with_targeting_key(format!("user-{number}"));
        assert_eq!(
            place(&nobody, "full-rollout", &context).variant.as_deref(),
            Some("off")
        );
        let placed = place(&everybody, "full-rollout", &context);
        assert_eq!(placed.variant.as_deref(), Some("on"));
        assert_eq!(
            place(&sandwiched, "full-rollout", &context)
                .variant
                .as_deref(),
            Some("on")
        );
        seen_top |= placed.bucket.is_some_and(|bucket| bucket >= 99_990);
        seen_bottom |= placed.bucket.is_some_and(|bucket| bucket < 10);
    }
    assert!(
        seen_top && seen_bottom,
        "the keys reach both ends of the bucket range"
    );
}

#[test]
fn user_stays_in_rollout_raised_from_10_to_20_percent() {
    let ten = rollout_engine("new-checkout", 10_000);
    let twenty = rollout_engine("new-checkout", 20_000);
    let mut in_at_ten = 0;
    for number in 0..10_000 {
        let context = Context::with_targeting_key(format!("user-{number}"));
        if place(&ten, "new-checkout", &context).variant.as_deref() == Some("on") {
            in_at_ten += 1;
            assert_eq!(
                place(&twenty, "new-checkout", &context).variant.as_deref(),
                Some("on"),
                "user-{number} left the rollout when it was raised"
            );
        }
    }
    assert!(in_at_ten > 0);
}

/// Pearson's chi-square statistic of independence for a contingency table.
fn chi_square_independence(table: &[[u32; 10]; 10]) -> f64 {
    let total: f64 = table.iter().flatten().map(|&count| f64::from(count)).sum();
    let rows: Vec<f64> = table
        .iter()
        .map(|row| row.iter().map(|&count| f64::from(count)).sum())
        .collect();
    let columns: Vec<f64> = (0..10)
        .map(|column| table.iter().map(|row| f64::from(row[column])).sum())
        .collect();
    let mut statistic = 0.0;
    for (row, row_total) in table.iter().zip(&rows) {
        for (&count, column_total) in row.iter().zip(&columns) {
            let expected = row_total * column_total / total;
            statistic += (f64::from(count) - expected).powi(2) / expected;
        }
    }
    statistic
}

/// Deciles of 20,000 users' buckets under two (salt, flag key) pairs, cross-tabulated.
fn decile_table(first: (&str, &str), second: (&str, &str)) -> [[u32; 10]; 10] {
    let mut table = [[0_u32; 10]; 10];
    for number in 0..20_000 {
        let user = format!("user-{number}");
        let row = bucket(first.0, first.1, &user) / 10_000;
        let column = bucket(second.0, second.1, &user) / 10_000;
        table[row as usize][column as usize] += 1;
    }
    table
}

#[test]
fn a_users_buckets_for_two_flags_are_independent() {
    let statistic = chi_square_independence(&decile_table(("", "new-checkout"), ("", "dark-mode")));
    assert!(
        statistic < CHI_SQUARE_0_001_DF_81,
        "chi-square {statistic} ≥ {CHI_SQUARE_0_001_DF_81}: buckets of two flags are related"
    );
}

#[test]
fn changing_the_salt_reshuffles_users() {
    let statistic = chi_square_independence(&decile_table(
        ("", "new-checkout"),
        ("2026-q4", "new-checkout"),
    ));
    assert!(
        statistic < CHI_SQUARE_0_001_DF_81,
        "chi-square {statistic} ≥ {CHI_SQUARE_0_001_DF_81}: a new salt kept users where they were"
    );
}

#[test]
fn buckets_of_100000_users_are_uniform() {
    let mut bins = [0_u32; 100];
    for number in 0..100_000 {
        bins[(bucket("", "new-checkout", &format!("user-{number}")) / 1_000) as usize] += 1;
    }
    let expected = 1_000.0;
    let statistic: f64 = bins
        .iter()
        .map(|&count| (f64::from(count) - expected).powi(2) / expected)
        .sum();
    assert!(
        statistic < CHI_SQUARE_0_001_DF_99,
        "chi-square {statistic} ≥ {CHI_SQUARE_0_001_DF_99} over 100 bins"
    );
}

#[test]
fn integer_targeting_key_overrides_like_its_string() {
    let snapshot = json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z",
        "flags": [{
            "key": "new-checkout", "type": "boolean", "variants": {"on": true, "off": false},
            "overrides": [{"variant": "on", "keys": ["42"]}],
            "fallthrough": {"variant": "off"},
        }],
    });
    let engine = Engine::from_json(&snapshot.to_string()).expect("loads");
    for text in [
        r#"{"targetingKey": 42}"#,
        r#"{"targetingKey": 42.0}"#,
        r#"{"targetingKey": "42"}"#,
    ] {
        let context = Context::from_json(text).expect("an integer targeting key is valid");
        assert_eq!(
            place(&engine, "new-checkout", &context).reason,
            Reason::Override,
            "{text}"
        );
    }
}

/// Values a context can carry that cannot be bucketed.
fn unbucketable() -> impl Strategy<Value = AttrValue> {
    let limit = MAX_EXACT_INTEGER as f64;
    prop_oneof![
        any::<f64>()
            .prop_filter("not an exact integer", move |x| {
                !x.is_finite() || x.fract() != 0.0 || x.abs() > limit
            })
            .prop_map(AttrValue::Number),
        (MAX_EXACT_INTEGER + 2..i64::MAX).prop_map(|x| AttrValue::Number(x as f64)),
        prop::collection::vec("[a-z0-9]{0,8}", 0..4).prop_map(AttrValue::from),
    ]
}

proptest! {
    #[test]
    fn same_inputs_always_give_the_same_bucket(
        salt in "[^\\x00]{0,12}",
        flag_key in "[^\\x00]{1,12}",
        value in "(?s).{0,24}",
    ) {
        let first = bucket(&salt, &flag_key, &value);
        prop_assert_eq!(first, bucket(&salt, &flag_key, &value));
        prop_assert_eq!(u64::from(first), hash(&salt, &flag_key, &value) % u64::from(BUCKETS));
        prop_assert!(first < BUCKETS);
        let engine = split_engine(Some(&salt), &flag_key, &HALVES, None);
        let context = Context::with_targeting_key(value.clone());
        let placed = place(&engine, &flag_key, &context);
        prop_assert_eq!(placed.bucket, Some(first));
        prop_assert_eq!(place(&engine, &flag_key, &context), placed);
    }

    #[test]
    fn raising_a_rollout_never_removes_a_user(
        user in "(?s).{0,16}",
        (from, to) in (0..=100_000_u64).prop_flat_map(|from| (Just(from), from..=100_000_u64)),
    ) {
        let context = Context::with_targeting_key(user.clone());
        let before = place(&rollout_engine("new-checkout", from), "new-checkout", &context);
        let after = place(&rollout_engine("new-checkout", to), "new-checkout", &context);
        let bucket = u64::from(bucket("", "new-checkout", &user));
        prop_assert_eq!(before.variant.as_deref() == Some("on"), bucket < from);
        prop_assert_eq!(after.variant.as_deref() == Some("on"), bucket < to);
        if before.variant.as_deref() == Some("on") {
            prop_assert_eq!(after.variant.as_deref(), Some("on"));
        }
    }

    #[test]
    fn zero_weight_variants_are_never_chosen(
        user in "(?s).{0,16}",
        first in 0..=100_000_u64,
    ) {
        let engine = split_engine(
            None,
            "zero-weights",
            &[("a", 0), ("b", first), ("c", 0), ("d", 100_000 - first), ("e", 0)],
            None,
        );
        let placed = place(&engine, "zero-weights", &Context::with_targeting_key(user));
        let variant = placed.variant.as_deref();
        prop_assert!(variant == Some("b") || variant == Some("d"), "{:?}", placed);
        prop_assert_eq!(variant == Some("b"), placed.bucket.is_some_and(|b| u64::from(b) < first));
    }

    #[test]
    fn value_that_cannot_be_bucketed_gives_targeting_key_missing(value in unbucketable()) {
        prop_assert_eq!(bucketing_text(&value), None);
        let engine = split_engine(None, "new-checkout", &HALVES, Some("account"));
        let context = Context::new().with("account", value);
        prop_assert_eq!(place(&engine, "new-checkout", &context), expected_placement(None, None, None));
    }

    #[test]
    fn integer_number_and_float_and_decimal_string_share_a_bucket(
        integer in -MAX_EXACT_INTEGER..=MAX_EXACT_INTEGER,
    ) {
        let decimal = integer.to_string();
        let as_number = AttrValue::Number(integer as f64);
        let text = bucketing_text(&as_number).map(|text| text.into_owned());
        prop_assert_eq!(text, Some(decimal.clone()));
        let engine = split_engine(None, "new-checkout", &HALVES, Some("account"));
        let number = place(&engine, "new-checkout", &Context::new().with("account", as_number));
        let string = place(&engine, "new-checkout", &Context::new().with("account", decimal.clone()));
        prop_assert_eq!(number.bucket, Some(bucket("", "new-checkout", &decimal)));
        prop_assert_eq!(number, string);
    }

    #[test]
    fn integer_targeting_key_is_the_same_user_as_its_string(
        integer in -MAX_EXACT_INTEGER..=MAX_EXACT_INTEGER,
    ) {
        let engine = rollout_engine("new-checkout", 50_000);
        let from_number = Context::from_json(&format!(r#"{{"targetingKey": {integer}}}"#))
            .expect("an integer targeting key is valid");
        let from_string = Context::from_json(&format!(r#"{{"targetingKey": "{integer}"}}"#))
            .expect("a string targeting key is valid");
        let decimal = integer.to_string();
        prop_assert_eq!(from_number.targeting_key(), Some(decimal.as_str()));
        let placed = place(&engine, "new-checkout", &from_number);
        prop_assert_eq!(placed.bucket, Some(bucket("", "new-checkout", &integer.to_string())));
        prop_assert_eq!(placed, place(&engine, "new-checkout", &from_string));
    }
}
