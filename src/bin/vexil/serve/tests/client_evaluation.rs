//! Client keys evaluating on the service: exactly the answers of the client snapshot, where a
//! server-only flag, and a flag that uses one, do not exist; readable by pages on any origin.

use serde_json::{json, Map, Value};
use vexil::{Context, Engine, Timestamp};

use super::endpoints::{create, serving};
use super::flag;
use super::http::{on_both, Api, Reply};

on_both!(
    a_client_key_evaluates_exactly_the_client_snapshot,
    a_server_only_flag_is_a_missing_flag_to_a_client_key,
);

const CONTEXTS: [&str; 3] = [
    r#"{"targetingKey":"u1"}"#,
    r#"{"targetingKey":"u2","plan":"pro"}"#,
    r#"{}"#,
];

/// `public`, a `pro` flag with a rule, `secret` (server-only) and `needs-secret` (whose
/// prerequisite is `secret`).
async fn create_flags(api: &Api) {
    let rule = r#","rules":[{"id":"pro","conditions":[{"attribute":"plan","op":"equals","value":"pro"}],"serve":{"variant":"on"}}]"#;
    for definition in [
        flag("public", true),
        serving("pro", "off", rule),
        serving("secret", "on", r#","metadata":{"serverOnly":true}"#),
        serving(
            "needs-secret",
            "on",
            r#","prerequisites":[{"flag":"secret","variants":["on"]}]"#,
        ),
    ] {
        create(api, &definition).await;
    }
}

async fn evaluate_all(api: &Api, token: &str, body: Value) -> Reply {
    api.send_json("POST", "/api/v1/evaluate", token, &body)
        .await
}

/// The flags of an answer, sorted.
fn flag_keys(answer: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = answer["flags"]
        .as_object()
        .expect("flags")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// What an SDK holding `snapshot` answers for `context`, in the service's answer shape.
fn evaluated_locally(snapshot: &[u8], context: &str) -> Map<String, Value> {
    let engine = Engine::from_slice(snapshot).expect("the client snapshot loads");
    let context = engine.prepare(Context::from_json(context).expect("a context"));
    let now = Timestamp::parse_rfc3339("2026-12-05T10:00:00Z").expect("an instant");
    engine
        .evaluate_all(&context, now)
        .into_iter()
        .map(|(key, evaluation)| {
            let mut value = serde_json::to_value(evaluation).expect("JSON");
            value["key"] = json!(key);
            (key.to_owned(), value)
        })
        .collect()
}

async fn a_client_key_evaluates_exactly_the_client_snapshot(api: Api) {
    create_flags(&api).await;
    let snapshot = api.get("/sdk/v1/snapshot", &api.tokens.client).await;
    assert_eq!(snapshot.status, 200);
    for context in CONTEXTS {
        let body = json!({ "context": serde_json::from_str::<Value>(context).expect("JSON") });
        let client = evaluate_all(&api, &api.tokens.client, body.clone()).await;
        assert_eq!(client.status, 200, "{}", client.text());
        assert_eq!(client.header("access-control-allow-origin"), Some("*"));
        let answer = client.json();
        assert_eq!(answer["revision"], snapshot.revision());
        assert_eq!(flag_keys(&answer), ["pro", "public"]);
        let answer = answer["flags"].as_object().expect("flags").clone();
        assert_eq!(
            answer,
            evaluated_locally(&snapshot.body, context),
            "{context}"
        );

        let server = evaluate_all(&api, &api.tokens.server, body).await;
        assert_eq!(server.status, 200, "{}", server.text());
        assert_eq!(server.header("access-control-allow-origin"), None);
        let everything = ["needs-secret", "pro", "public", "secret"];
        assert_eq!(flag_keys(&server.json()), everything);
    }
    let pro = evaluate_all(
        &api,
        &api.tokens.client,
        json!({ "context": { "targetingKey": "u2", "plan": "pro" }, "flags": ["pro"] }),
    )
    .await
    .json();
    assert_eq!(pro["flags"]["pro"]["variant"], "on");
    assert_eq!(pro["flags"]["pro"]["reason"], "TARGETING_MATCH");

    // No longer server-only: the next revision's client snapshot has both, and so has the
    // client key's evaluation at once.
    let current = api.get("/api/v1/flags/secret", &api.tokens.viewer).await;
    let reply = api
        .call("PUT", "/api/v1/flags/secret")
        .token(&api.tokens.editor)
        .header("If-Match", current.header("etag").expect("an ETag"))
        .body(serving("secret", "on", ""))
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answer = evaluate_all(&api, &api.tokens.client, json!({ "context": {} }))
        .await
        .json();
    assert_eq!(
        flag_keys(&answer),
        ["needs-secret", "pro", "public", "secret"]
    );
    assert_eq!(answer["flags"]["needs-secret"]["variant"], "on");
}

async fn a_server_only_flag_is_a_missing_flag_to_a_client_key(api: Api) {
    create_flags(&api).await;
    let one = |key: &str, token: &str| {
        api.send_json(
            "POST",
            &format!("/api/v1/evaluate/{key}"),
            token,
            &json!({ "context": { "targetingKey": "u1" } }),
        )
    };
    let without_key = |mut answer: Value| {
        answer.as_object_mut().expect("an object").remove("key");
        answer
    };
    let ghost = one("ghost", &api.tokens.client).await;
    assert_eq!(ghost.header("access-control-allow-origin"), Some("*"));
    let ghost = without_key(ghost.json());
    assert_eq!(ghost["errorCode"], "FLAG_NOT_FOUND", "{ghost}");
    for hidden in ["secret", "needs-secret"] {
        let reply = one(hidden, &api.tokens.client).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(without_key(reply.json()), ghost, "{hidden}");
        let server = one(hidden, &api.tokens.server).await.json();
        assert_eq!(server["variant"], "on", "{hidden}: {server}");
    }
    let named = evaluate_all(
        &api,
        &api.tokens.client,
        json!({ "context": {}, "flags": ["secret", "ghost", "needs-secret", "public"] }),
    )
    .await
    .json();
    let ghost = without_key(named["flags"]["ghost"].clone());
    for hidden in ["secret", "needs-secret"] {
        assert_eq!(
            without_key(named["flags"][hidden].clone()),
            ghost,
            "{named}"
        );
    }
    assert_eq!(named["flags"]["public"]["variant"], "on");

    // Not counted as evaluations of the hidden flags, and a report of them is ignored as one
    // of a flag that does not exist (so `ignored` tells a client key nothing either).
    let stats = |key: &'static str| {
        let path = format!("/api/v1/flags/{key}/stats");
        let get = api.get(&path, &api.tokens.viewer);
        async move { get.await.json()["evaluations"].clone() }
    };
    assert_eq!(stats("secret").await, 1, "the server key's evaluation only");
    assert_eq!(stats("public").await, 1);
    let report = json!({ "flags": [
        { "flag": "secret", "variants": { "on": 2 } },
        { "flag": "ghost", "errors": 1 },
    ] });
    let client = api
        .send_json("POST", "/sdk/v1/events", &api.tokens.client, &report)
        .await;
    assert_eq!(client.json(), json!({ "accepted": 0, "ignored": 3 }));
    let server = api
        .send_json("POST", "/sdk/v1/events", &api.tokens.server, &report)
        .await;
    assert_eq!(server.json(), json!({ "accepted": 2, "ignored": 1 }));
}
