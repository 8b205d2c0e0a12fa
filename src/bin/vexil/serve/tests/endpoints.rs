//! Every endpoint doing its job over HTTP: flags, history, overrides and their expiry,
//! segments, statistics, client snapshots, environments, pushes and tokens.

use serde_json::{json, Value};

use super::http::{on_both, Api};
use super::{flag, TEN_O_CLOCK};

on_both!(
    a_flag_lives_and_leaves_its_history,
    a_prerequisite_cannot_be_deleted_while_a_flag_needs_it,
    segments_are_shared_audiences,
    an_expired_override_is_removed_by_an_audited_change,
    statistics_are_counted_per_hour,
    client_keys_see_no_server_only_flag,
    environments_pushes_and_tokens,
    the_kill_switch_reads_a_missing_enabled_as_on,
    the_quota_answers_429_and_refused_changes_do_not_count,
);

/// A boolean flag serving `variant` to everyone, with `extra` members appended.
pub fn serving(key: &str, variant: &str, extra: &str) -> String {
    format!(
        r#"{{"key":"{key}","type":"boolean","variants":{{"on":true,"off":false}},"offVariant":"off","fallthrough":{{"variant":"{variant}"}}{extra}}}"#
    )
}

fn flag_value(text: &str) -> Value {
    serde_json::from_str(text).expect("a flag object")
}

fn keys(document: &Value, member: &str) -> Vec<String> {
    document[member]
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| item["key"].as_str().expect("a key").to_owned())
        .collect()
}

/// Creates a flag through the API as an editor.
pub async fn create(api: &Api, definition: &str) {
    let reply = api
        .call("POST", "/api/v1/flags")
        .token(&api.tokens.editor)
        .body(definition)
        .send()
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
}

async fn evaluate(api: &Api, key: &str, targeting_key: &str) -> Value {
    let reply = api
        .send_json(
            "POST",
            &format!("/api/v1/evaluate/{key}"),
            &api.tokens.server,
            &json!({ "context": { "targetingKey": targeting_key } }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

async fn history(api: &Api, path: &str) -> Vec<Value> {
    let reply = api.get(path, &api.tokens.viewer).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["entries"].as_array().expect("entries").clone()
}

async fn a_flag_lives_and_leaves_its_history(api: Api) {
    let editor = &api.tokens.editor;
    let written = flag("checkout", true);
    let created = api
        .call("POST", "/api/v1/flags")
        .token(editor)
        .header("X-Vexil-Reason", "launch")
        .body(written.clone())
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.text(), written, "the definition is kept as written");
    assert_eq!((created.version(), created.revision()), (1, 2));
    assert_eq!(
        created.header("location"),
        Some("/api/v1/flags/checkout?environment=production")
    );
    let read = api.get("/api/v1/flags/checkout", &api.tokens.viewer).await;
    assert_eq!((read.status, read.text()), (200, written.clone()));

    let described = serving(
        "checkout",
        "on",
        r#","enabled":true,"metadata":{"description":"The New Checkout","owner":"payments","tags":["launch"]}"#,
    );
    let put = |version: &str| {
        api.call("PUT", "/api/v1/flags/checkout")
            .token(editor)
            .header("If-Match", version)
            .body(described.clone())
    };
    let updated = put("\"1\"").send().await;
    assert_eq!(updated.status, 200, "{}", updated.text());
    assert_eq!((updated.version(), updated.revision()), (2, 3));
    let stale = put("\"1\"").send().await;
    let error = stale.error(412, "version-mismatch");
    assert_eq!(error["details"]["currentVersion"], 2);
    assert_eq!(api.stored_revision("production").await, 3, "nothing stored");

    let toggle = |body: Value| {
        api.call("POST", "/api/v1/flags/checkout/toggle")
            .token(editor)
            .json(&body)
    };
    let off = toggle(json!({ "enabled": false, "reason": "incident" }))
        .send()
        .await;
    assert_eq!(off.json()["enabled"], false);
    assert_eq!((off.version(), off.revision()), (3, 4));
    // Switching off what is off answers the flag as it is: no new version, no revision, no
    // audit row, no count against the quota (so a retried kill switch is harmless).
    let audit_before = api.audit_rows("production").await;
    let again = toggle(json!({ "enabled": false })).send().await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!((again.version(), again.revision()), (3, 4));
    assert_eq!(api.stored_revision("production").await, 4);
    assert_eq!(api.audit_rows("production").await, audit_before);
    let flipped = api
        .call("POST", "/api/v1/flags/checkout/toggle")
        .token(editor)
        .send()
        .await;
    assert_eq!(flipped.json()["enabled"], true, "no body flips");
    assert_eq!((flipped.version(), flipped.revision()), (4, 5));

    api.call("POST", "/api/v1/flags")
        .token(editor)
        .body(written.clone())
        .send()
        .await
        .error(409, "conflict");

    for (query, total) in [
        ("q=check", 1),
        ("q=new%20checkout", 1),
        ("q=nothing", 0),
        ("tag=launch", 1),
        ("tag=other", 0),
        ("owner=payments", 1),
        ("owner=growth", 0),
    ] {
        let listed = api
            .get(&format!("/api/v1/flags?{query}"), &api.tokens.viewer)
            .await
            .json();
        assert_eq!(listed["total"], total, "{query}: {listed}");
        assert_eq!(listed["revision"], 5);
    }
    let listed = api.get("/api/v1/flags", &api.tokens.viewer).await.json();
    let summary = &listed["flags"][0];
    assert_eq!(summary["key"], "checkout");
    assert_eq!(summary["version"], 4);
    assert_eq!(summary["enabled"], true);
    assert_eq!(summary["updatedBy"], "editor");
    assert_eq!(summary["lastChange"]["kind"], "flag.toggle");
    assert_eq!(summary["lastChange"]["revision"], 5);

    let entries = history(&api, "/api/v1/flags/checkout/history").await;
    let trail = api
        .get("/api/v1/flags/checkout/history", &api.tokens.viewer)
        .await
        .text();
    assert!(
        trail.contains(&format!(r#""after":{written}"#)),
        "the trail holds definitions as written, variant order included: {trail}"
    );
    let revisions: Vec<i64> = entries
        .iter()
        .filter_map(|e| e["revision"].as_i64())
        .collect();
    let kinds: Vec<&str> = entries.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(revisions, [5, 4, 3, 2], "newest first");
    assert_eq!(
        kinds,
        ["flag.toggle", "flag.toggle", "flag.update", "flag.create"]
    );
    assert_eq!(entries[3]["reason"], "launch");
    assert_eq!(entries[3]["before"], Value::Null);
    assert_eq!(entries[3]["after"], flag_value(&written));
    assert_eq!(entries[1]["reason"], "incident");
    assert_eq!(entries[1]["actor"], "editor");
    assert_eq!(
        entries[1]["diff"],
        json!([{ "op": "changed", "path": "$.enabled", "before": true, "after": false }])
    );
    let first_page = api
        .get("/api/v1/flags/checkout/history?limit=2", &api.tokens.viewer)
        .await
        .json();
    assert_eq!(first_page["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(first_page["nextBefore"], 4);
    let second_page = api
        .get(
            "/api/v1/flags/checkout/history?limit=2&before=4",
            &api.tokens.viewer,
        )
        .await
        .json();
    assert_eq!(second_page["entries"][0]["revision"], 3);
    assert_eq!(second_page["entries"][1]["revision"], 2);
    assert_eq!(second_page["nextBefore"], Value::Null);

    let snapshot = api.get("/sdk/v1/snapshot", &api.tokens.server).await;
    assert_eq!(snapshot.revision(), 5);
    let current = api.get("/api/v1/flags/checkout", &api.tokens.viewer).await;
    assert_eq!(snapshot.json()["flags"][0], current.json());

    let delete = |version: &str| {
        api.call("DELETE", "/api/v1/flags/checkout")
            .token(editor)
            .header("If-Match", version)
    };
    delete("\"1\"").send().await.error(412, "version-mismatch");
    let deleted = delete("\"4\"").send().await;
    assert_eq!(
        deleted.json(),
        json!({ "deleted": "checkout", "revision": 6 })
    );
    api.get("/api/v1/flags/checkout", &api.tokens.viewer)
        .await
        .error(404, "not-found");
    let entries = history(&api, "/api/v1/flags/checkout/history").await;
    assert_eq!(entries[0]["kind"], "flag.delete");
    assert_eq!(entries[0]["after"], Value::Null);
    api.get("/api/v1/flags/never/history", &api.tokens.viewer)
        .await
        .error(404, "not-found");
}

async fn a_prerequisite_cannot_be_deleted_while_a_flag_needs_it(api: Api) {
    let needs_base = r#","prerequisites":[{"flag":"base","variants":["on"]}]"#;
    create(&api, &flag("base", true)).await;
    create(&api, &serving("a", "on", needs_base)).await;
    create(&api, &serving("b", "on", needs_base)).await;
    create(&api, &flag("unrelated", true)).await;
    let page = |query: &str| api.get(&format!("/api/v1/flags?{query}"), &api.tokens.viewer);
    let first = page("limit=3").await.json();
    assert_eq!(keys(&first, "flags"), ["base", "a", "b"]);
    assert_eq!(
        (&first["total"], &first["nextCursor"]),
        (&json!(4), &json!("3"))
    );
    let rest = page("limit=3&cursor=3").await.json();
    assert_eq!(keys(&rest, "flags"), ["unrelated"]);
    assert_eq!(rest["nextCursor"], Value::Null);
    let revision = api.stored_revision("production").await;
    let delete = |key: &str| {
        api.call("DELETE", &format!("/api/v1/flags/{key}"))
            .token(&api.tokens.editor)
            .send()
    };
    let refused = delete("base").await;
    let error = refused.error(409, "conflict");
    assert_eq!(error["details"]["dependants"], json!(["a", "b"]));
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("a, b"), "{message}");
    assert_eq!(api.stored_revision("production").await, revision);
    assert_eq!(
        api.get("/api/v1/flags/base", &api.tokens.viewer)
            .await
            .status,
        200
    );
    assert_eq!(delete("a").await.status, 200);
    let error = delete("base").await.error(409, "conflict");
    assert_eq!(error["details"]["dependants"], json!(["b"]));
    assert_eq!(delete("b").await.status, 200);
    assert_eq!(delete("base").await.status, 200);
}

async fn segments_are_shared_audiences(api: Api) {
    let editor = &api.tokens.editor;
    let staff = r#"{"key":"staff","included":["u1"]}"#;
    let created = api
        .call("POST", "/api/v1/segments")
        .token(editor)
        .body(staff)
        .send()
        .await;
    assert_eq!((created.status, created.version()), (201, 1));
    assert_eq!(created.text(), staff);
    let rule = r#","rules":[{"id":"staff","conditions":[{"op":"inSegment","value":"staff"}],"serve":{"variant":"on"}}]"#;
    create(&api, &serving("staff-only", "off", rule)).await;
    assert_eq!(evaluate(&api, "staff-only", "u1").await["variant"], "on");
    assert_eq!(evaluate(&api, "staff-only", "u2").await["variant"], "off");

    let refused = api
        .call("DELETE", "/api/v1/segments/staff")
        .token(editor)
        .send()
        .await;
    let error = refused.error(409, "conflict");
    assert_eq!(error["details"]["dependants"], json!(["flag `staff-only`"]));

    let widened = api
        .call("PUT", "/api/v1/segments/staff")
        .token(editor)
        .header("If-Match", "\"1\"")
        .body(r#"{"key":"staff","included":["u1","u2"]}"#)
        .send()
        .await;
    assert_eq!((widened.status, widened.version()), (200, 2));
    assert_eq!(evaluate(&api, "staff-only", "u2").await["variant"], "on");
    let listed = api.get("/api/v1/segments", &api.tokens.viewer).await.json();
    assert_eq!(listed["segments"][0]["version"], 2);
    assert_eq!(
        listed["segments"][0]["segment"]["included"],
        json!(["u1", "u2"])
    );
    let entries = history(&api, "/api/v1/segments/staff/history").await;
    let kinds: Vec<&str> = entries.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["segment.update", "segment.create"]);
    assert_eq!(
        entries[0]["diff"],
        json!([{ "op": "added", "path": "$.included[1]", "before": null, "after": "u2" }])
    );
}

async fn an_expired_override_is_removed_by_an_audited_change(api: Api) {
    let editor = &api.tokens.editor;
    create(&api, &serving("beta", "off", "")).await;
    let set = |body: Value| {
        api.call("POST", "/api/v1/flags/beta/overrides")
            .token(editor)
            .json(&body)
            .send()
    };
    let until_half_past = "2026-12-05T10:30:00Z";
    let temporary = set(json!({
        "targetingKey": "user-1", "variant": "on", "note": "demo", "expiresAt": until_half_past
    }))
    .await;
    assert_eq!(temporary.status, 201, "{}", temporary.text());
    assert_eq!(temporary.json()["setBy"], "editor");
    assert_eq!(
        set(json!({ "targetingKey": "user-2", "variant": "on" }))
            .await
            .status,
        201
    );
    assert_eq!(evaluate(&api, "beta", "user-1").await["variant"], "on");
    assert_eq!(evaluate(&api, "beta", "user-2").await["variant"], "on");
    assert_eq!(evaluate(&api, "beta", "user-3").await["variant"], "off");
    let listed = api
        .get("/api/v1/flags/beta/overrides", &api.tokens.viewer)
        .await
        .json();
    assert_eq!(listed["overrides"].as_array().map(Vec::len), Some(2));
    let published = api.get("/sdk/v1/snapshot", &api.tokens.server).await.json();
    assert_eq!(
        published["flags"][0]["overrides"],
        json!([{ "variant": "on", "keys": ["user-1", "user-2"] }])
    );
    let as_written = api.get("/api/v1/flags/beta", &api.tokens.viewer).await;
    assert_eq!(
        as_written.json()["overrides"],
        Value::Null,
        "kept apart from the definition"
    );

    let revision = api.stored_revision("production").await;
    // The expiry task reads the fixed clock: at 10:30 the override has expired.
    api.fixture.clock.set(TEN_O_CLOCK + 30 * 60 * 1000);
    let entries = api
        .eventually(5, "the override's expiry", || async {
            let entries = history(&api, "/api/v1/flags/beta/history").await;
            (entries[0]["kind"] == "override.expire").then_some(entries)
        })
        .await;
    assert_eq!(entries[0]["actor"], "vexil (override expiry)");
    assert_eq!(entries[0]["revision"], revision + 1);
    assert_eq!(
        entries[0]["after"]["overrides"],
        json!([{ "variant": "on", "keys": ["user-2"] }])
    );
    assert_eq!(api.stored_revision("production").await, revision + 1);
    assert_eq!(evaluate(&api, "beta", "user-1").await["variant"], "off");
    assert_eq!(evaluate(&api, "beta", "user-2").await["variant"], "on");
    let published = api.get("/sdk/v1/snapshot", &api.tokens.server).await;
    assert_eq!(published.revision(), revision + 1);
    assert_eq!(
        published.json()["flags"][0]["overrides"],
        json!([{ "variant": "on", "keys": ["user-2"] }])
    );
    let listed = api
        .get("/api/v1/flags/beta/overrides", &api.tokens.viewer)
        .await
        .json();
    assert_eq!(listed["overrides"][0]["targetingKey"], "user-2");
    assert_eq!(listed["overrides"].as_array().map(Vec::len), Some(1));

    // Removed once: the task finds nothing more to do.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(api.stored_revision("production").await, revision + 1);
    let remove = || {
        api.call("DELETE", "/api/v1/flags/beta/overrides/user-2")
            .token(editor)
            .send()
    };
    assert_eq!(remove().await.status, 200);
    remove().await.error(404, "not-found");
    assert_eq!(evaluate(&api, "beta", "user-2").await["variant"], "off");
}

async fn statistics_are_counted_per_hour(api: Api) {
    create(&api, &serving("counted", "on", "")).await;
    let report = |body: Value| api.send_json("POST", "/sdk/v1/events", &api.tokens.server, &body);
    for _ in 0..3 {
        assert_eq!(evaluate(&api, "counted", "u").await["variant"], "on");
    }
    evaluate(&api, "not-a-flag", "u").await;
    let accepted = report(json!({
        "flags": [{ "flag": "counted", "variants": { "on": 2, "off": 1, "nope": 4 }, "errors": 2 }],
        "sentAt": "2026-12-05T10:10:00Z"
    }))
    .await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    assert_eq!(accepted.json(), json!({ "accepted": 5, "ignored": 4 }));

    api.fixture.clock.set(TEN_O_CLOCK + 75 * 60 * 1000);
    evaluate(&api, "counted", "u").await;
    report(json!({ "flags": [{ "flag": "counted", "errors": 1 }] })).await;

    let stats = api
        .get("/api/v1/flags/counted/stats", &api.tokens.viewer)
        .await
        .json();
    assert_eq!(stats["evaluations"], 10, "{stats}");
    assert_eq!(stats["errors"], 3);
    assert_eq!(stats["successRate"], 0.7);
    assert_eq!(
        stats["hours"],
        json!([
            { "hour": "2026-12-05T10:00:00Z", "evaluations": 8, "variants": { "on": 5, "off": 1 }, "errors": 2, "successRate": 0.75 },
            { "hour": "2026-12-05T11:00:00Z", "evaluations": 2, "variants": { "on": 1 }, "errors": 1, "successRate": 0.5 },
        ])
    );
    let last_hour = api
        .get("/api/v1/flags/counted/stats?hours=1", &api.tokens.viewer)
        .await
        .json();
    assert_eq!(last_hour["evaluations"], 2);
    assert_eq!(last_hour["hours"].as_array().map(Vec::len), Some(1));
    api.get("/api/v1/flags/not-a-flag/stats", &api.tokens.viewer)
        .await
        .error(404, "not-found");
}

async fn client_keys_see_no_server_only_flag(api: Api) {
    create(&api, &flag("public", true)).await;
    create(
        &api,
        &serving("secret", "on", r#","metadata":{"serverOnly":true}"#),
    )
    .await;
    create(
        &api,
        &serving(
            "needs-secret",
            "on",
            r#","prerequisites":[{"flag":"secret","variants":["on"]}]"#,
        ),
    )
    .await;
    let server = api.get("/sdk/v1/snapshot", &api.tokens.server).await;
    assert_eq!(
        keys(&server.json(), "flags"),
        ["public", "secret", "needs-secret"]
    );
    let client = api.get("/sdk/v1/snapshot", &api.tokens.client).await;
    assert_eq!(client.status, 200);
    assert_eq!(keys(&client.json(), "flags"), ["public"]);
    assert!(!client.text().contains("secret"), "{}", client.text());
    assert_ne!(client.header("etag"), server.header("etag"));
    assert_eq!(client.revision(), server.revision());
    let by_url = api
        .call(
            "GET",
            &format!(
                "/sdk/v1/environments/production/snapshot.json?key={}",
                api.tokens.client
            ),
        )
        .send()
        .await;
    assert_eq!(by_url.text(), client.text());
    let elsewhere = api
        .call(
            "GET",
            &format!(
                "/sdk/v1/environments/staging/snapshot.json?key={}",
                api.tokens.client
            ),
        )
        .send()
        .await;
    elsewhere.error(403, "forbidden");
    assert_eq!(elsewhere.header("access-control-allow-origin"), Some("*"));
    // Evaluating on the service with a client key: client_evaluation.rs.
}

async fn environments_pushes_and_tokens(api: Api) {
    let admin = &api.tokens.admin;
    let listed = api
        .get("/api/v1/environments", &api.tokens.viewer)
        .await
        .json();
    assert_eq!(
        listed["environments"],
        json!([{ "name": "production", "revision": 1, "default": true }])
    );
    let made = api
        .send_json(
            "POST",
            "/api/v1/environments",
            admin,
            &json!({ "name": "eu" }),
        )
        .await;
    assert_eq!(made.json(), json!({ "name": "eu", "revision": 1 }));
    api.send_json(
        "POST",
        "/api/v1/environments",
        admin,
        &json!({ "name": "eu" }),
    )
    .await
    .error(409, "conflict");

    let document = json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-12-05T10:00:00Z", "environment": "eu",
        "segments": [{ "key": "staff", "included": ["u1"] }],
        "flags": [flag_value(&flag("one", true)), flag_value(&flag("two", false))],
    });
    let push = || {
        api.send_json(
            "PUT",
            "/api/v1/environments/eu/snapshot",
            &api.tokens.editor,
            &document,
        )
    };
    let pushed = push().await;
    assert_eq!(pushed.status, 200, "{}", pushed.text());
    assert_eq!(
        pushed.json(),
        json!({ "environment": "eu", "revision": 2, "changed": [
            { "type": "flag", "key": "one", "kind": "created" },
            { "type": "flag", "key": "two", "kind": "created" },
            { "type": "segment", "key": "staff", "kind": "created" },
        ] })
    );
    let again = push().await.json();
    assert_eq!(again["revision"], 2, "the same snapshot changes nothing");
    assert_eq!(again["changed"], json!([]));
    let pulled = api
        .get("/api/v1/environments/eu/snapshot", &api.tokens.viewer)
        .await;
    assert_eq!(pulled.revision(), 2);
    let pulled = pulled.json();
    assert_eq!(pulled["flags"], document["flags"]);
    assert_eq!(pulled["segments"], document["segments"]);

    let token = api
        .send_json(
            "POST",
            "/api/v1/tokens",
            admin,
            &json!({ "kind": "client", "environment": "eu", "name": "web" }),
        )
        .await;
    assert_eq!(token.status, 201, "{}", token.text());
    let token = token.json();
    let secret = token["token"].as_str().expect("the token, once").to_owned();
    assert!(secret.starts_with("vxc_"));
    let read = api.get("/sdk/v1/snapshot", &secret).await;
    assert_eq!((read.status, read.revision()), (200, 2));
    assert_eq!(read.json()["environment"], "eu");
    let tokens = api.get("/api/v1/tokens", admin).await;
    tokens.assert_discreet(&[&secret, &api.tokens.admin, &api.tokens.client]);
    assert!(!tokens.text().contains("digest"));
    let id = token["id"].as_str().expect("id");
    let revoked = api
        .call("DELETE", &format!("/api/v1/tokens/{id}"))
        .token(admin)
        .send()
        .await;
    assert_eq!(revoked.json(), json!({ "revoked": id }));
    api.get("/sdk/v1/snapshot", &secret)
        .await
        .error(401, "unauthorized");
    // An admin token made through the API acts with the role it was given.
    let made = api
        .send_json(
            "POST",
            "/api/v1/tokens",
            admin,
            &json!({ "kind": "admin", "role": "editor", "name": "ci" }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text());
    let editor = made.json()["token"].as_str().expect("token").to_owned();
    let created = api
        .call("POST", "/api/v1/flags")
        .token(&editor)
        .body(flag("by-ci", true))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let refused = api
        .send_json(
            "POST",
            "/api/v1/tokens",
            &editor,
            &json!({ "kind": "client", "environment": "eu" }),
        )
        .await;
    let error = refused.error(403, "forbidden");
    assert_eq!(
        error["message"],
        "this needs the admin role; the token has editor"
    );
    let admin_id = &api.tokens.admin[4..16];
    api.call("DELETE", &format!("/api/v1/tokens/{admin_id}"))
        .token(admin)
        .send()
        .await
        .error(409, "last-admin");
    api.send_json(
        "POST",
        "/api/v1/tokens",
        admin,
        &json!({ "kind": "admin", "role": "owner" }),
    )
    .await
    .error(400, "bad-request");
    api.send_json(
        "POST",
        "/api/v1/tokens",
        admin,
        &json!({ "kind": "server", "environment": "mars" }),
    )
    .await
    .error(404, "not-found");
}

async fn the_kill_switch_reads_a_missing_enabled_as_on(api: Api) {
    // No `enabled` member: the snapshot format's default, on.
    create(&api, &serving("implicit", "on", "")).await;
    assert_eq!(evaluate(&api, "implicit", "u").await["variant"], "on");
    let listed = api.get("/api/v1/flags", &api.tokens.viewer).await.json();
    assert_eq!(listed["flags"][0]["enabled"], true, "{listed}");
    let toggle = |body: Option<Value>| {
        let call = api
            .call("POST", "/api/v1/flags/implicit/toggle")
            .token(&api.tokens.editor);
        match body {
            Some(body) => call.json(&body).send(),
            None => call.send(),
        }
    };
    let revision = api.stored_revision("production").await;
    let same = toggle(Some(json!({ "enabled": true }))).await;
    assert_eq!((same.status, same.version()), (200, 1), "on is already on");
    assert_eq!(
        same.json()["enabled"],
        Value::Null,
        "the definition is left as written"
    );
    assert_eq!(api.stored_revision("production").await, revision);
    let killed = toggle(None).await;
    assert_eq!(
        killed.json()["enabled"],
        false,
        "the kill switch turns it off"
    );
    assert_eq!(killed.version(), 2);
    let evaluation = evaluate(&api, "implicit", "u").await;
    assert_eq!(evaluation["variant"], "off");
    assert_eq!(evaluation["reason"], "DISABLED");
}

async fn the_quota_answers_429_and_refused_changes_do_not_count(api: Api) {
    create(&api, &flag("busy", true)).await;
    let toggle = || {
        api.call("POST", "/api/v1/flags/busy/toggle")
            .token(&api.tokens.editor)
            .send()
    };
    let invalid = || {
        api.call("PUT", "/api/v1/flags/busy")
            .token(&api.tokens.editor)
            .body(serving("busy", "maybe", ""))
            .send()
    };
    // The creation was the first change of the hour; 422s in between spend nothing.
    for index in 1..100 {
        assert_eq!(toggle().await.status, 200, "change {index}");
        if index % 25 == 0 {
            invalid().await.error(422, "invalid-flag");
        }
    }
    api.fixture.clock.set(TEN_O_CLOCK + 59 * 60 * 1000 + 30_000);
    let revision = api.stored_revision("production").await;
    let refused = toggle().await;
    let error = refused.error(429, "quota-exceeded");
    assert_eq!(refused.header("retry-after"), Some("30"));
    assert_eq!(error["details"]["flag"], "busy");
    assert_eq!(error["details"]["limit"], 100);
    assert_eq!(error["details"]["resetAt"], "2026-12-05T11:00:00Z");
    assert_eq!(
        api.stored_revision("production").await,
        revision,
        "nothing stored"
    );
    api.fixture.clock.set(TEN_O_CLOCK + 60 * 60 * 1000);
    assert_eq!(toggle().await.status, 200, "a new hour");
}
