//! Bounded cost: snapshots built to make one evaluation slow or one load huge, and what the
//! engine does with them. Time is never measured here (the machines are shared); what is checked
//! is that the expensive work is refused, reported and the same whichever way it is reached.

use serde_json::{json, Value};
use vexil::{Context, Engine, ErrorCode, Limits, Reason, Step, Timestamp};

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-22T12:00:00Z").expect("a valid instant")
}

fn snapshot(flags: Vec<Value>, segments: Vec<Value>) -> String {
    json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z",
        "segments": segments, "flags": flags,
    })
    .to_string()
}

/// A boolean flag that serves `on` when every condition of one of its rules holds.
fn flag(key: &str, rules: Vec<Vec<Value>>) -> Value {
    let rules: Vec<Value> = rules
        .into_iter()
        .enumerate()
        .map(|(index, conditions)| {
            json!({"id": format!("r{index}"), "conditions": conditions, "serve": {"variant": "on"}})
        })
        .collect();
    json!({"key": key, "type": "boolean", "variants": {"on": true, "off": false},
           "offVariant": "off", "rules": rules, "fallthrough": {"variant": "off"}})
}

fn matches(attribute: &str, pattern: &str) -> Value {
    json!({"attribute": attribute, "op": "matches", "value": pattern})
}

fn user(attribute: &str, value: &str) -> Context {
    Context::with_targeting_key("user-1").with(attribute, value)
}

fn regex_diagnostics(engine: &Engine) -> Vec<String> {
    engine
        .diagnostics()
        .iter()
        .filter(|diagnostic| diagnostic.code.as_str() == "invalid-regex")
        .map(|diagnostic| diagnostic.message.clone())
        .collect()
}

#[test]
fn a_short_pattern_that_compiles_to_ten_thousand_states_is_refused_and_only_its_flag_fails() {
    // 50 such patterns made a 3.3 KB snapshot take over a second per evaluation.
    let mut flags: Vec<Value> = (0..50)
        .map(|index| {
            let pattern = format!("(?:a{{1000}}){{1{index}}}");
            flag(
                &format!("heavy-{index}"),
                vec![vec![matches("name", &pattern)]],
            )
        })
        .collect();
    flags.push(flag("light", vec![vec![matches("name", "^a+$")]]));
    let engine = Engine::from_json(&snapshot(flags, vec![])).expect("the snapshot loads");
    let messages = regex_diagnostics(&engine);
    assert_eq!(messages.len(), 50);
    assert!(
        messages[0].contains("maxRegexProgramBytes"),
        "{}",
        messages[0]
    );
    let context = user("name", &"a".repeat(4096));
    let heavy = engine.evaluate("heavy-7", &context, now());
    assert_eq!(heavy.error_code, Some(ErrorCode::ParseError));
    let light = engine.evaluate("light", &context, now());
    assert_eq!(
        (light.variant, light.reason),
        (Some("on"), Reason::TargetingMatch)
    );
}

#[test]
fn compiled_patterns_stop_at_the_snapshot_budget_and_the_rest_of_the_snapshot_works() {
    // Each pattern fits the per-pattern limit; together they would take hundreds of megabytes.
    let flags: Vec<Value> = (0..400)
        .map(|index| {
            let pattern = format!("a{{800}}b{index}");
            flag(&format!("f{index}"), vec![vec![matches("name", &pattern)]])
        })
        .collect();
    let engine = Engine::from_json(&snapshot(flags, vec![])).expect("the snapshot loads");
    let messages = regex_diagnostics(&engine);
    let over_total = messages
        .iter()
        .filter(|message| message.contains("maxRegexTotalBytes"))
        .count();
    assert_eq!(over_total, messages.len(), "{messages:?}");
    // About 803 instructions of 24 bytes each: the 4 MiB budget holds 217 of them.
    let accepted = 400 - messages.len();
    assert!((210..=218).contains(&accepted), "{accepted} accepted");
    let first = engine.evaluate("f0", &user("name", "b0"), now());
    assert_eq!((first.variant, first.error_code), (Some("off"), None));
    let last = engine.evaluate("f399", &user("name", "a"), now());
    assert_eq!(last.error_code, Some(ErrorCode::ParseError));
}

#[test]
fn a_pattern_repeated_across_flags_is_compiled_and_counted_once() {
    let flags: Vec<Value> = (0..2000)
        .map(|index| flag(&format!("f{index}"), vec![vec![matches("name", "a{800}")]]))
        .collect();
    let engine = Engine::from_json(&snapshot(flags, vec![])).expect("the snapshot loads");
    assert_eq!(regex_diagnostics(&engine), Vec::<String>::new());
}

#[test]
fn a_test_that_would_cost_more_than_the_limit_answers_general_before_it_runs() {
    let engine = Engine::from_json(&snapshot(
        vec![flag("long-match", vec![vec![matches("name", "a{200}")]])],
        vec![],
    ))
    .expect("loads");
    // 201 states: 201 × 201 units for a 200-byte name, 201 × 4097 for a 4 KiB one.
    let short = engine.evaluate("long-match", &user("name", &"a".repeat(200)), now());
    assert_eq!(
        (short.variant, short.reason),
        (Some("on"), Reason::TargetingMatch)
    );
    let long = engine.evaluate("long-match", &user("name", &"a".repeat(4096)), now());
    assert_eq!(
        (long.reason, long.error_code),
        (Reason::Error, Some(ErrorCode::General))
    );
    assert_eq!(long.variant, None);
    // The explanation says why, and ends there.
    let explanation = engine.explain("long-match", &user("name", &"a".repeat(4096)), now());
    assert_eq!(
        explanation.steps.last(),
        Some(&Step::CostLimit {
            limit: Limits::default().max_evaluation_cost
        })
    );
    assert!(!explanation
        .steps
        .iter()
        .any(|step| matches!(step, Step::Condition { .. })));
}

#[test]
fn the_cost_limit_can_be_raised_or_lowered() {
    let text = snapshot(
        vec![flag("long-match", vec![vec![matches("name", "a{200}")]])],
        vec![],
    );
    let raised = Limits {
        max_evaluation_cost: 1_000_000,
        ..Limits::default()
    };
    let engine = Engine::from_slice_with_limits(text.as_bytes(), raised).expect("loads");
    let long = engine.evaluate("long-match", &user("name", &"a".repeat(4096)), now());
    assert_eq!(long.reason, Reason::TargetingMatch);
    let lowered = Limits {
        max_evaluation_cost: 100,
        ..Limits::default()
    };
    let engine = Engine::from_slice_with_limits(text.as_bytes(), lowered).expect("loads");
    let short = engine.evaluate("long-match", &user("name", "a"), now());
    assert_eq!(short.error_code, Some(ErrorCode::General));
}

#[test]
fn a_costly_segment_named_by_many_rules_is_charged_every_time() {
    let segment = json!({"key": "heavy", "conditions": [matches("name", "(?:x|y|z){10}q")]});
    let rules: Vec<Vec<Value>> = (0..100)
        .map(|_| vec![json!({"op": "inSegment", "value": "heavy"})])
        .collect();
    let engine =
        Engine::from_json(&snapshot(vec![flag("many", rules)], vec![segment])).expect("loads");
    // One test of the segment is cheap; a hundred of them on a long name are not.
    let short = engine.evaluate("many", &user("name", "xyz"), now());
    assert_eq!((short.variant, short.error_code), (Some("off"), None));
    let long = engine.evaluate("many", &user("name", &"x".repeat(100)), now());
    assert_eq!(long.error_code, Some(ErrorCode::General));
}

#[test]
fn thousands_of_long_substrings_cost_their_length_and_stop_at_the_limit() {
    // Each needle fails only at its last byte: a window-by-window search would compare
    // needle × text bytes; the linear one reads the text once per needle, and is charged for it:
    // 10 × (2,000 + 2,001) fits the limit, 10 × (4,096 + 2,001) does not.
    let needles: Vec<String> = (0..10)
        .map(|index| format!("{}{index}", "a".repeat(2000)))
        .collect();
    let condition = json!({"attribute": "name", "op": "contains", "values": needles});
    let engine = Engine::from_json(&snapshot(
        vec![flag("needles", vec![vec![condition]])],
        vec![],
    ))
    .expect("loads");
    let fits = engine.evaluate("needles", &user("name", &"a".repeat(2000)), now());
    assert_eq!((fits.variant, fits.error_code), (Some("off"), None));
    let over = engine.evaluate("needles", &user("name", &"a".repeat(4096)), now());
    assert_eq!(over.error_code, Some(ErrorCode::General));
    let found = engine.evaluate(
        "needles",
        &user("name", &format!("b{}9", "a".repeat(2000))),
        now(),
    );
    assert_eq!(found.variant, Some("on"));
}

/// `gate` costs about 80 % of the limit for a 200-byte name, and `main` another 80 % on top of
/// its prerequisite: `main` is over whatever was evaluated before it.
fn prerequisite_snapshot() -> String {
    let costly = || matches("name", "(?:p|q){50}");
    let gate = flag("gate", vec![vec![costly()]]);
    let mut main = flag("main", vec![vec![costly()]]);
    main["prerequisites"] = json!([{"flag": "gate", "variants": ["off"]}]);
    snapshot(vec![gate, main], vec![])
}

#[test]
fn a_prerequisite_is_charged_to_the_flag_that_needs_it_however_the_flags_are_asked_for() {
    let engine = Engine::from_json(&prerequisite_snapshot()).expect("loads");
    let context = user("name", &"a".repeat(200));
    let gate = engine.evaluate("gate", &context, now());
    assert_eq!((gate.variant, gate.error_code), (Some("off"), None));
    let main = engine.evaluate("main", &context, now());
    assert_eq!(main.error_code, Some(ErrorCode::General));
    // In bulk, `gate` is evaluated first; `main` must not reuse its outcome for free.
    let all = engine.evaluate_all(&context, now());
    let codes: Vec<_> = all.iter().map(|(key, e)| (*key, e.error_code)).collect();
    assert_eq!(
        codes,
        vec![("gate", None), ("main", Some(ErrorCode::General))]
    );
    // A prepared context remembers regex results, but is charged for them all the same.
    let prepared = engine.prepare(context);
    assert_eq!(engine.evaluate("gate", &prepared, now()).error_code, None);
    assert_eq!(
        engine.evaluate("main", &prepared, now()).error_code,
        Some(ErrorCode::General)
    );
}

#[test]
fn an_explanation_of_a_huge_list_attribute_is_bounded_by_the_cost_limit() {
    // Each `exists` test copies the attribute into the explanation: a thousand of them on a
    // 1,000-item list would be gigabytes without the charge for the value's size.
    let conditions: Vec<Value> = (0..100)
        .map(|_| json!({"attribute": "roles", "op": "exists"}))
        .collect();
    let rules: Vec<Vec<Value>> = (0..10).map(|_| conditions.clone()).collect();
    let engine = Engine::from_json(&snapshot(vec![flag("copies", rules)], vec![])).expect("loads");
    let roles: Vec<Value> = (0..1000).map(|_| json!("r".repeat(100))).collect();
    let context = Context::from_json_value(json!({"targetingKey": "u", "roles": roles}))
        .expect("a valid context");
    let explanation = engine.explain("copies", &context, now());
    assert_eq!(explanation.evaluation.error_code, Some(ErrorCode::General));
    let copies = explanation
        .steps
        .iter()
        .filter(|step| matches!(step, Step::Condition { .. }))
        .count();
    assert!(copies < 2, "{copies} copies of a 100 KB list");
}

#[test]
fn a_long_list_attribute_against_a_large_set_is_charged_per_item() {
    let members: Vec<String> = (0..100_000)
        .map(|index| format!("member-{index}"))
        .collect();
    let condition = json!({"attribute": "groups", "op": "in", "values": members});
    let engine = Engine::from_json(&snapshot(
        vec![flag("groups", vec![vec![condition]])],
        vec![],
    ))
    .expect("loads");
    let groups = |count: usize, width: usize| {
        let items: Vec<Value> = (0..count)
            .map(|index| json!(format!("{index:0>width$}")))
            .collect();
        Context::from_json_value(json!({"targetingKey": "u", "groups": items}))
            .expect("a valid context")
    };
    // 1,000 items of 10 bytes, each charged its length, twice more for hashing it, and one:
    // about 31,000 units.
    let fits = engine.evaluate("groups", &groups(1000, 10), now());
    assert_eq!((fits.variant, fits.error_code), (Some("off"), None));
    // The same items at 20 bytes: about 61,000 units, over the limit.
    let over = engine.evaluate("groups", &groups(1000, 20), now());
    assert_eq!(over.error_code, Some(ErrorCode::General));
    let member =
        Context::from_json_value(json!({"targetingKey": "u", "groups": ["x", "member-99999"]}))
            .expect("a valid context");
    assert_eq!(
        engine.evaluate("groups", &member, now()).variant,
        Some("on")
    );
}

#[test]
fn versions_compared_with_thousands_of_operands_stop_at_the_limit() {
    let versions: Vec<String> = (0..5000).map(|index| format!("1.{index}.0")).collect();
    let condition = json!({"attribute": "version", "op": "semverGt", "values": versions});
    let engine = Engine::from_json(&snapshot(
        vec![flag("versions", vec![vec![condition]])],
        vec![],
    ))
    .expect("loads");
    // Five bytes against 5,000 operands: 5 × 5,001 units fits (and 1.0.1 is above 1.0.0); a
    // 20-byte version does not.
    let short = engine.evaluate("versions", &user("version", "1.0.1"), now());
    assert_eq!((short.variant, short.error_code), (Some("on"), None));
    let long = engine.evaluate("versions", &user("version", "1.0.1-rc.1.2.3.4.5.6"), now());
    assert_eq!(long.error_code, Some(ErrorCode::General));
}

/// The message of each `invalid-regex` diagnostic of a snapshot with one flag per pattern.
fn regex_messages(patterns: &[&str], limits: Limits) -> Vec<String> {
    let flags = patterns
        .iter()
        .enumerate()
        .map(|(index, pattern)| flag(&format!("f{index}"), vec![vec![matches("name", pattern)]]))
        .collect();
    let text = snapshot(flags, vec![]);
    let engine = Engine::from_slice_with_limits(text.as_bytes(), limits).expect("loads");
    regex_diagnostics(&engine)
}

#[test]
fn a_regex_diagnostic_names_the_limit_that_refused_the_pattern_or_its_syntax() {
    // 101 instructions of 24 bytes: over a per-pattern limit of 1 KiB, whatever the budget.
    let small = Limits {
        max_regex_program_bytes: 1024,
        max_regex_total_bytes: 1024,
        ..Limits::default()
    };
    let messages = regex_messages(&["a{100}"], small.clone());
    assert!(messages[0].contains("maxRegexProgramBytes"), "{messages:?}");
    // 31 instructions fit, leaving 280 bytes: the next pattern is over the budget, but a
    // pattern that does not parse is still reported for its syntax.
    let messages = regex_messages(&["a{30}", "a{20}", "("], small);
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("maxRegexTotalBytes"), "{messages:?}");
    assert!(
        messages[1].starts_with("invalid regular expression"),
        "{messages:?}"
    );
}
