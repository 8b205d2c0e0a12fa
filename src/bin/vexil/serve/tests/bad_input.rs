//! Bad input of every kind gets a clear error of the service's shape, and stores nothing.

use serde_json::{json, Value};

use super::endpoints::serving;
use super::flag;
use super::http::{on_both, Api, Reply};

on_both!(bad_input_is_refused_and_stores_nothing);

/// One bad request and the error it must get.
struct Case {
    what: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
    /// The JSON paths the diagnostics must name, relative to the object sent.
    paths: &'static [&'static str],
}

fn case(what: &'static str, method: &'static str, path: &str, body: impl Into<Vec<u8>>) -> Case {
    Case {
        what,
        method,
        path: path.to_owned(),
        headers: Vec::new(),
        body: body.into(),
        status: 400,
        code: "bad-request",
        paths: &[],
    }
}

impl Case {
    fn is(mut self, status: u16, code: &'static str) -> Case {
        self.status = status;
        self.code = code;
        self
    }

    fn at(mut self, paths: &'static [&'static str]) -> Case {
        self.paths = paths;
        self
    }

    fn header(mut self, name: &'static str, value: &str) -> Case {
        self.headers.push((name, value.to_owned()));
        self
    }
}

fn many_attributes(count: usize) -> Value {
    let mut context = serde_json::Map::new();
    for index in 0..count {
        context.insert(format!("a{index}"), json!(index));
    }
    Value::Object(context)
}

fn cases() -> Vec<Case> {
    let flags = "/api/v1/flags";
    let existing = "/api/v1/flags/existing";
    let evaluate = "/api/v1/evaluate/existing";
    let over_limit = vec![b' '; (1 << 20) + 1];
    let mut big_flag = flag("big", true).into_bytes();
    big_flag.splice(
        1..1,
        format!(r#""pad":"{}","#, "x".repeat(1 << 20)).into_bytes(),
    );
    vec![
        case("truncated JSON", "POST", flags, r#"{"key":"#),
        case("an array", "POST", flags, "[]"),
        case("a string", "POST", flags, r#""flag""#),
        case("no body", "POST", flags, ""),
        case("not UTF-8", "POST", flags, vec![b'{', 0xff, 0xfe, b'}']),
        case("a member twice", "POST", flags, r#"{"key":"a","key":"b"}"#),
        case("two documents", "POST", flags, format!("{} {{}}", flag("two", true))),
        case("a body over the limit", "POST", flags, over_limit.clone()).is(413, "body-too-large"),
        case("a flag over the limit", "POST", flags, big_flag).is(413, "body-too-large"),
        case("a push over the limit", "PUT", "/api/v1/environments/production/snapshot", vec![b' '; (16 << 20) + 1])
            .is(413, "body-too-large"),
        case("no key", "POST", flags, r#"{"type":"boolean"}"#).is(422, "invalid-key"),
        case("a number as key", "POST", flags, r#"{"key":5}"#).is(422, "invalid-key"),
        case("a path as key", "POST", flags, flag("../etc/passwd", true)).is(422, "invalid-key"),
        case("a slash in the key", "POST", flags, flag("a/b", true)).is(422, "invalid-key"),
        case("a backslash in the key", "POST", flags, flag("a\\\\b", true)).is(422, "invalid-key"),
        case("SQL as key", "POST", flags, flag("x'; DROP TABLE flags; --", true)).is(422, "invalid-key"),
        case("an encoded slash in the URL", "PUT", "/api/v1/flags/a%2Fb", flag("a/b", true)).is(422, "invalid-key"),
        case("another key than the URL's", "PUT", existing, flag("other", true)),
        case("a string for a boolean", "POST", flags, serving("typed", "on", r#","enabled":"yes""#))
            .is(422, "invalid-flag")
            .at(&["$.enabled"]),
        case("an unknown field", "POST", flags, serving("typo", "on", r#","rulez":[]"#))
            .is(422, "invalid-flag")
            .at(&["$.rulez"]),
        case("an unknown variant", "POST", flags, serving("dangling", "maybe", ""))
            .is(422, "invalid-flag")
            .at(&["$.fallthrough.variant"]),
        case("an unknown prerequisite", "POST", flags, serving("lonely", "on", r#","prerequisites":[{"flag":"ghost","variants":["on"]}]"#))
            .is(422, "invalid-flag")
            .at(&["$.prerequisites[0].flag"]),
        case("an invalid update", "PUT", existing, serving("existing", "on", r#","rules":[{"conditions":[{"attribute":"a","op":"nope","value":1}],"serve":{"variant":"on"}}]"#))
            .is(422, "invalid-flag")
            .at(&["$.rules[0].conditions[0].op"]),
        case("a segment with a string for a list", "POST", "/api/v1/segments", r#"{"key":"s","included":"u1"}"#)
            .is(422, "invalid-flag")
            .at(&["$.included"]),
        case("an override of no variant", "POST", "/api/v1/flags/existing/overrides", r#"{"targetingKey":"u","variant":"maybe"}"#)
            .is(422, "invalid-flag"),
        case("an override without a user", "POST", "/api/v1/flags/existing/overrides", r#"{"variant":"on"}"#),
        case("an override with an unknown field", "POST", "/api/v1/flags/existing/overrides", r#"{"targetingKey":"u","variant":"on","until":"tomorrow"}"#),
        case("an override expired already", "POST", "/api/v1/flags/existing/overrides", r#"{"targetingKey":"u","variant":"on","expiresAt":"2020-01-01T00:00:00Z"}"#)
            .is(422, "expired"),
        case("an override expiring on no date", "POST", "/api/v1/flags/existing/overrides", r#"{"targetingKey":"u","variant":"on","expiresAt":"soon"}"#),
        case("an override of a missing flag", "POST", "/api/v1/flags/ghost/overrides", r#"{"targetingKey":"u","variant":"on"}"#)
            .is(404, "not-found"),
        case("a toggle of a string", "POST", "/api/v1/flags/existing/toggle", r#"{"enabled":"yes"}"#),
        case("a toggle with an unknown field", "POST", "/api/v1/flags/existing/toggle", r#"{"enabled":true,"force":true}"#),
        case("a toggle of a missing flag", "POST", "/api/v1/flags/ghost/toggle", "").is(404, "not-found"),
        case("an If-Match that is no version", "PUT", existing, flag("existing", false)).header("If-Match", "yesterday"),
        case("a reason too long", "PUT", existing, flag("existing", false)).header("X-Vexil-Reason", &"r".repeat(1001)),
        case("a path as flag in the URL", "GET", "/api/v1/flags/..%2F..%2Fetc%2Fpasswd", "").is(404, "not-found"),
        case("SQL as flag in the URL", "DELETE", "/api/v1/flags/x'%3B%20DROP%20TABLE%20flags%3B%20--", "").is(404, "not-found"),
        case("a bad environment name", "GET", "/api/v1/flags?environment=..%2Fprod", ""),
        case("a missing environment", "POST", "/api/v1/flags?environment=mars", flag("lost", true)).is(404, "not-found"),
        case("a limit that is no number", "GET", "/api/v1/flags?limit=many", ""),
        case("a limit out of range", "GET", "/api/v1/flags/existing/history?limit=0", ""),
        case("an environment with a slash", "POST", "/api/v1/environments", r#"{"name":"a/b"}"#),
        case("an environment with SQL", "POST", "/api/v1/environments", r#"{"name":"x'; DROP TABLE environments; --"}"#),
        case("a push that is not a snapshot", "PUT", "/api/v1/environments/production/snapshot", r#"{"flags":7}"#)
            .is(422, "invalid-snapshot"),
        case("an unknown method", "PATCH", flags, "{}").is(405, "method-not-allowed"),
        case("an unknown endpoint", "GET", "/api/v1/flagz", "").is(404, "not-found"),
        case("an evaluation that is not JSON", "POST", "/api/v1/evaluate", r#"{"context":"#),
        case("an evaluation that is an array", "POST", "/api/v1/evaluate", r#"[{"context":{}}]"#),
        case("an evaluation over the limit", "POST", "/api/v1/evaluate", over_limit.clone()).is(413, "body-too-large"),
        case("a context that is not an object", "POST", evaluate, r#"{"context":[1]}"#).is(400, "invalid-context"),
        case("a nested context", "POST", evaluate, r#"{"context":{"a":{"b":1}}}"#).is(400, "invalid-context"),
        case("no context", "POST", evaluate, r#"{"now":"2026-12-05T10:00:00Z"}"#),
        case("an unknown evaluate field", "POST", evaluate, r#"{"context":{},"user":1}"#),
        case("a `now` that is no instant", "POST", evaluate, r#"{"context":{},"now":"noon"}"#),
        case("flags that are not keys", "POST", "/api/v1/evaluate", r#"{"context":{},"flags":[1]}"#),
        case("a context over the attribute limit", "POST", evaluate, json!({ "context": many_attributes(257) }).to_string())
            .is(400, "invalid-context"),
        case("a context string over the limit", "POST", evaluate, json!({ "context": { "targetingKey": "x".repeat(4097) } }).to_string())
            .is(400, "invalid-context"),
        case("a context list over the limit", "POST", "/api/v1/evaluate", json!({ "context": { "groups": vec!["g"; 1001] } }).to_string())
            .is(400, "invalid-context"),
        case("a report that is not JSON", "POST", "/sdk/v1/events", "flags"),
        case("a report with a negative count", "POST", "/sdk/v1/events", r#"{"flags":[{"flag":"existing","variants":{"on":-1}}]}"#),
        case("a report with an unknown field", "POST", "/sdk/v1/events", r#"{"flags":[],"extra":1}"#),
    ]
}

/// A client key gets the admin's error for an evaluation, readable by a page elsewhere.
async fn same_for_a_client_key(api: &Api, case: &Case, admins: &Reply) {
    let reply = api
        .call(case.method, &case.path)
        .token(&api.tokens.client)
        .body(case.body.clone())
        .send()
        .await;
    reply.error(case.status, case.code);
    assert_eq!(reply.json(), admins.json(), "{}", case.what);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("*"),
        "{}",
        case.what
    );
    assert_eq!(
        admins.header("access-control-allow-origin"),
        None,
        "{}",
        case.what
    );
}

async fn bad_input_is_refused_and_stores_nothing(api: Api) {
    let created = api
        .call("POST", "/api/v1/flags")
        .token(&api.tokens.editor)
        .body(flag("existing", true))
        .send()
        .await;
    assert_eq!(created.status, 201);
    let revision = api.stored_revision("production").await;
    let audit = api.audit_rows("production").await;
    let listing = api.get("/api/v1/flags", &api.tokens.viewer).await.text();
    let snapshot = api.get("/sdk/v1/snapshot", &api.tokens.server).await.text();
    for case in cases() {
        let mut call = api
            .call(case.method, &case.path)
            .token(&api.tokens.admin)
            .body(case.body.clone());
        for (name, value) in &case.headers {
            call = call.header(name, value);
        }
        let reply = call.send().await;
        assert_eq!(reply.status, case.status, "{}: {}", case.what, reply.text());
        let error = reply.error(case.status, case.code);
        reply.assert_discreet(&[&api.tokens.admin]);
        if case.path.starts_with("/api/v1/evaluate") {
            same_for_a_client_key(&api, &case, &reply).await;
        }
        if !case.paths.is_empty() {
            let paths: Vec<&str> = error["details"]["diagnostics"]
                .as_array()
                .unwrap_or_else(|| panic!("{}: no diagnostics: {error}", case.what))
                .iter()
                .filter_map(|diagnostic| diagnostic["path"].as_str())
                .collect();
            assert_eq!(paths, case.paths, "{}: {error}", case.what);
        }
        assert_eq!(
            api.stored_revision("production").await,
            revision,
            "{}",
            case.what
        );
        assert_eq!(api.audit_rows("production").await, audit, "{}", case.what);
    }
    let usage: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evaluation_counts")
        .fetch_one(&api.fixture.service.store.pool)
        .await
        .expect("count");
    assert_eq!(usage, 0, "refused evaluations and reports count nothing");
    api.fixture
        .service
        .usage
        .flush(&api.fixture.service.store)
        .await
        .expect("flush");
    let stats = api
        .get("/api/v1/flags/existing/stats", &api.tokens.viewer)
        .await
        .json();
    assert_eq!(stats["evaluations"], 0, "{stats}");
    assert_eq!(
        api.get("/api/v1/flags", &api.tokens.viewer).await.text(),
        listing
    );
    assert_eq!(
        api.get("/sdk/v1/snapshot", &api.tokens.server).await.text(),
        snapshot
    );
    assert_eq!(
        api.get("/api/v1/environments", &api.tokens.viewer)
            .await
            .json()["environments"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
