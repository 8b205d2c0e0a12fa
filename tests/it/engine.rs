//! Engine-level behaviour that the language-neutral vectors cannot express: flag information,
//! prepared contexts reused across flags and engines, and the remembered (memoised) regex tests
//! behind them.

use vexil::{Context, Engine, Reason, Timestamp};

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-22T12:00:00Z").expect("a valid instant")
}

/// Three flags share one email regex (negated in one of them), and a fourth tests the same
/// pattern on another attribute, so a memo keyed too loosely would give a wrong answer.
const SHARED_REGEX: &str = r#"{
  "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z",
  "flags": [
    {"key": "staff-a", "type": "boolean", "variants": {"on": true, "off": false},
     "rules": [{"id": "staff", "conditions": [{"attribute": "email", "op": "matches", "value": "@vexil\\.dev$"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "staff-b", "type": "boolean", "variants": {"on": true, "off": false},
     "rules": [{"id": "staff", "conditions": [{"attribute": "email", "op": "matches", "value": "@vexil\\.dev$"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "not-staff", "type": "boolean", "variants": {"on": true, "off": false},
     "rules": [{"id": "outsiders", "conditions": [{"attribute": "email", "op": "matches", "value": "@vexil\\.dev$", "negate": true}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "backup-staff", "type": "boolean", "variants": {"on": true, "off": false},
     "rules": [{"id": "backup", "conditions": [{"attribute": "backupEmail", "op": "matches", "value": "@vexil\\.dev$"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}}
  ]
}"#;

fn variants(
    engine: &Engine,
    context: &impl vexil::EvaluationContext,
) -> Vec<(String, Option<String>)> {
    engine
        .evaluate_all(context, now())
        .into_iter()
        .map(|(key, evaluation)| (key.to_owned(), evaluation.variant.map(str::to_owned)))
        .collect()
}

#[test]
fn a_shared_regex_gives_each_flag_its_own_correct_answer_from_one_prepared_context() {
    let engine = Engine::from_json(SHARED_REGEX).expect("loads");
    let staff = Context::with_targeting_key("u1")
        .with("email", "ana@vexil.dev")
        .with("backupEmail", "ana@example.com");
    let prepared = engine.prepare(staff.clone());
    let expected = vec![
        ("staff-a".to_owned(), Some("on".to_owned())),
        ("staff-b".to_owned(), Some("on".to_owned())),
        ("not-staff".to_owned(), Some("off".to_owned())),
        ("backup-staff".to_owned(), Some("off".to_owned())),
    ];
    // Twice with the same prepared context: the second pass answers from remembered results.
    assert_eq!(variants(&engine, &prepared), expected);
    assert_eq!(variants(&engine, &prepared), expected);
    assert_eq!(variants(&engine, &staff), expected);
    // One flag at a time, in another order, agrees too.
    for key in ["not-staff", "backup-staff", "staff-b", "staff-a"] {
        let one = engine.evaluate(key, &prepared, now());
        let all = expected
            .iter()
            .find(|(flag, _)| flag == key)
            .map(|(_, variant)| variant.as_deref());
        assert_eq!(Some(one.variant), all, "{key}");
    }
}

#[test]
fn remembered_results_belong_to_one_context_only() {
    let engine = Engine::from_json(SHARED_REGEX).expect("loads");
    let outsider =
        engine.prepare(Context::with_targeting_key("u2").with("email", "bo@example.com"));
    let insider = engine.prepare(Context::with_targeting_key("u3").with("email", "cy@vexil.dev"));
    for _ in 0..2 {
        assert_eq!(
            engine.evaluate("staff-a", &outsider, now()).variant,
            Some("off")
        );
        assert_eq!(
            engine.evaluate("not-staff", &outsider, now()).variant,
            Some("on")
        );
        assert_eq!(
            engine.evaluate("staff-a", &insider, now()).variant,
            Some("on")
        );
        assert_eq!(
            engine.evaluate("not-staff", &insider, now()).variant,
            Some("off")
        );
    }
    // A clone carries the answers it already has and stays correct.
    let copy = insider.clone();
    assert_eq!(engine.evaluate("staff-b", &copy, now()).variant, Some("on"));
}

#[test]
fn a_context_prepared_for_one_engine_gives_correct_results_with_another() {
    let first = Engine::from_json(SHARED_REGEX).expect("loads");
    // The second engine interns attributes in another order, so reusing the first engine's
    // attribute slots would read the wrong attribute.
    let second =
        Engine::from_json(&SHARED_REGEX.replace("\"email\"", "\"workEmail\"")).expect("loads");
    let prepared = first.prepare(
        Context::with_targeting_key("u4")
            .with("email", "dee@vexil.dev")
            .with("workEmail", "dee@example.com"),
    );
    assert_eq!(
        first.evaluate("staff-a", &prepared, now()).variant,
        Some("on")
    );
    let elsewhere = second.evaluate("staff-a", &prepared, now());
    assert_eq!(elsewhere.variant, Some("off"));
    assert_eq!(elsewhere.reason, Reason::Default);
}

#[test]
fn a_list_attribute_matches_a_shared_regex_when_any_item_does() {
    let engine = Engine::from_json(SHARED_REGEX).expect("loads");
    let context = engine.prepare(
        Context::with_targeting_key("u5").with("email", vec!["x@example.com", "y@vexil.dev"]),
    );
    assert_eq!(
        engine.evaluate("staff-a", &context, now()).variant,
        Some("on")
    );
    assert_eq!(
        engine.evaluate("not-staff", &context, now()).variant,
        Some("off")
    );
}

#[test]
fn flag_information_gives_each_flag_its_own_metadata_and_variants() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/snapshot.json"
    ))
    .expect("the example snapshot is readable");
    let engine = Engine::from_json(&text).expect("the example snapshot loads");

    let launch = engine
        .flag("quebec-ontario-launch")
        .expect("a flag of the example");
    let metadata = launch.metadata();
    assert_eq!(
        metadata.description,
        Some("Launch in Ontario and Quebec first.")
    );
    assert_eq!(metadata.owner, Some("growth"));
    assert_eq!(metadata.tags, vec!["launch"]);
    assert_eq!(metadata.version, Some(3));
    assert_eq!(metadata.changed_at, Some("2026-11-18T14:00:00Z"));

    let checkout = engine.flag("new-checkout").expect("a flag of the example");
    let metadata = checkout.metadata();
    assert_eq!(metadata.owner, Some("payments"));
    assert!(metadata.tags.is_empty());
    assert_eq!(metadata.version, None);
    assert_eq!(metadata.changed_at, None);
    let variants: Vec<&str> = checkout.variants().map(|(key, _)| key).collect();
    assert_eq!(variants, vec!["on", "off"]);

    // Every flag gets its own description and owner, as the document gives them.
    let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let flags = document["flags"].as_array().expect("a flags array");
    assert_eq!(flags.len(), engine.len());
    for flag in flags {
        let key = flag["key"].as_str().expect("a key");
        let metadata = engine.flag(key).expect("every flag loads").metadata();
        assert_eq!(
            metadata.description,
            flag["metadata"]["description"].as_str(),
            "{key}"
        );
        assert_eq!(metadata.owner, flag["metadata"]["owner"].as_str(), "{key}");
    }
}

#[test]
fn metadata_is_read_whatever_the_order_of_its_members_and_flags_without_it_have_none() {
    let text = r#"{
      "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z",
      "flags": [
        {"key": "a", "type": "boolean", "variants": {"on": true}, "fallthrough": {"variant": "on"},
         "metadata": {"tags": ["web", "", "m\u00f6bile \"2\""], "changedAt": "2026-11-02T00:00:00Z",
                      "notes": {"free": ["form"]}, "version": 4, "owner": "team\\a", "description": null}},
        {"key": "b", "type": "boolean", "variants": {"on": true}, "fallthrough": {"variant": "on"}},
        {"key": "c", "type": "boolean", "variants": {"on": true}, "fallthrough": {"variant": "on"},
         "metadata": null},
        {"metadata": {"description": "Described before its key", "tags": []},
         "key": "d", "type": "boolean", "variants": {"on": true}, "fallthrough": {"variant": "on"}}
      ]
    }"#;
    let engine = Engine::from_json(text).expect("the document loads");
    let a = engine.flag("a").expect("flag a").metadata();
    assert_eq!(a.description, None);
    assert_eq!(a.owner, Some("team\\a"));
    assert_eq!(a.tags, vec!["web", "", "möbile \"2\""]);
    assert_eq!(a.version, Some(4));
    assert_eq!(a.changed_at, Some("2026-11-02T00:00:00Z"));
    for key in ["b", "c"] {
        let none = engine.flag(key).expect("the flag").metadata();
        assert_eq!(
            (
                none.description,
                none.owner,
                none.tags.len(),
                none.version,
                none.changed_at
            ),
            (None, None, 0, None, None),
            "{key}"
        );
    }
    let d = engine.flag("d").expect("flag d").metadata();
    assert_eq!(d.description, Some("Described before its key"));
    assert!(d.tags.is_empty());
    assert!(
        engine.diagnostics().is_empty(),
        "{:?}",
        engine.diagnostics()
    );
}

/// The worked examples of docs/evaluation.md, step by step: each step names the variants of the
/// flag it is about (a prerequisite's steps name the prerequisite's variants, not the dependent
/// flag's, which has others in another order).
#[test]
fn explanation_steps_name_the_variants_of_the_flag_they_are_about() {
    let snapshot = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/snapshot.json"
    ))
    .expect("the example snapshot");
    let engine = Engine::from_json(&snapshot).expect("the example snapshot loads");
    let at = Timestamp::parse_rfc3339("2026-11-28T12:00:00Z").expect("an instant");
    let steps = |key: &str, context: &str| {
        let context = Context::from_json(context).expect("a valid context");
        serde_json::to_value(engine.explain(key, &context, at).steps).expect("serializable")
    };
    assert_eq!(
        steps(
            "checkout-button-color",
            r#"{"targetingKey": "user-7", "email": "ana@vexil.dev", "jurisdiction": "california"}"#
        ),
        serde_json::json!([
            { "step": "enabled", "enabled": true },
            { "step": "prerequisite", "flag": "new-checkout", "required": ["on"], "variant": "on", "met": true },
            { "step": "fallthrough" },
            { "step": "split", "bucketBy": "targetingKey", "value": "user-7", "bucket": 79757,
              "rangeStart": 66667, "rangeEnd": 100000, "variant": "orange" }
        ])
    );
    assert_eq!(
        steps("new-checkout", r#"{"targetingKey": "user-13"}"#),
        serde_json::json!([
            { "step": "enabled", "enabled": true },
            { "step": "override", "targetingKey": "user-13", "variant": "off" }
        ])
    );
    let prerequisite_failed = steps("checkout-button-color", r#"{"targetingKey": "user-13"}"#);
    assert_eq!(
        prerequisite_failed.get(1),
        Some(
            &serde_json::json!({ "step": "prerequisite", "flag": "new-checkout",
                                  "required": ["on"], "variant": "off", "met": false })
        )
    );
}

/// Diagnostics about what JSON allows but a value cannot hold say what was found, so the
/// producer can be fixed without guessing.
#[test]
fn diagnostics_about_unreadable_values_quote_what_was_found() {
    let snapshot = r#"{"schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z",
      "flags": [
        {"key": "huge", "type": "number", "variants": {"n": -1e400}, "fallthrough": {"variant": "n"}},
        {"key": "twice", "type": "object", "variants": {"o": {"id": 1, "id": 2}}, "fallthrough": {"variant": "o"}},
        {"key": "operand", "type": "boolean", "variants": {"on": true},
         "rules": [{"conditions": [{"attribute": "n", "op": "lt", "value": 2e308}], "serve": {"variant": "on"}}],
         "fallthrough": {"variant": "on"}},
        {"key": "weight", "type": "boolean", "variants": {"on": true},
         "fallthrough": {"split": [{"variant": "on", "weight": 99999.5}, {"variant": "on", "weight": 0.5}]}}
      ]}"#;
    let engine = Engine::from_json(snapshot).expect("loads with diagnostics");
    let messages: Vec<(&str, &str, &str)> = engine
        .diagnostics()
        .iter()
        .map(|d| (d.code.as_str(), d.path.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "invalid-variant-value",
                "$.flags[0].variants.n",
                "the value cannot be served as written: the number -1e400 is beyond the range of a double"
            ),
            (
                "invalid-variant-value",
                "$.flags[1].variants.o",
                "the value cannot be served as written: member \"id\" is given twice"
            ),
            (
                "invalid-condition",
                "$.flags[2].rules[0].conditions[0].value",
                "the number 2e308 is beyond the range of a double; operands must be finite numbers"
            ),
            (
                "weights-sum",
                "$.flags[3].fallthrough.split[0].weight",
                "weight 99999.5 is not a whole number from 0 to 100000"
            ),
            (
                "weights-sum",
                "$.flags[3].fallthrough.split[1].weight",
                "weight 0.5 is not a whole number from 0 to 100000"
            ),
            (
                "weights-sum",
                "$.flags[3].fallthrough.split",
                "weights add up to 99999, not 100000 (100 %)"
            ),
        ]
    );
}
