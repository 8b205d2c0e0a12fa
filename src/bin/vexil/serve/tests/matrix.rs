//! Who may call what: every endpoint with no token, wrong tokens, each admin role and each
//! SDK key. A refused call stores nothing; an allowed one does its job. And which answers a
//! page on another origin may read (CORS): the SDK endpoints' always, the evaluate endpoints'
//! only a client key's (or a refused credential's), the admin endpoints' never.

use serde_json::{json, Value};

use super::endpoints::serving;
use super::flag;
use super::http::{on_both, Api, Reply};

on_both!(every_endpoint_checks_its_token);

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Needs {
    /// Any admin token with at least this role (0 viewer, 1 editor, 2 admin).
    Role(u8),
    /// Any valid token or key, each evaluating its own document (the evaluate endpoints);
    /// readable from another origin for client keys only.
    Evaluator,
    /// Any valid token or key (the SDK endpoints).
    AnyKey,
}

/// One endpoint: its method, its path and body for the caller tagged `tag`, who may call it,
/// and the status of a success.
struct Endpoint {
    method: &'static str,
    path: fn(&Setup, &str) -> String,
    body: fn(&str) -> Option<Value>,
    needs: Needs,
    success: u16,
}

/// What the endpoints act on, made before the matrix runs, one of each per caller where a
/// call consumes it.
struct Setup {
    token_ids: Vec<(String, String)>,
}

const CALLERS: [&str; 5] = ["viewer", "editor", "admin", "server", "client"];

fn none(_: &str) -> Option<Value> {
    None
}

fn endpoints() -> Vec<Endpoint> {
    use Needs::{AnyKey, Evaluator, Role};
    vec![
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/flags".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/flags".into(),
            body: |t| Some(json_flag(&format!("made-{t}"))),
            needs: Role(1),
            success: 201,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/flags/probe".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "PUT",
            path: |_, _| "/api/v1/flags/probe".into(),
            body: |t| Some(json_described("probe", t)),
            needs: Role(1),
            success: 200,
        },
        Endpoint {
            method: "DELETE",
            path: |_, t| format!("/api/v1/flags/doomed-{t}"),
            body: none,
            needs: Role(1),
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/flags/probe/toggle".into(),
            body: none,
            needs: Role(1),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/flags/probe/history".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/flags/probe/stats".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/flags/probe/quota".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/flags/probe/overrides".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/flags/probe/overrides".into(),
            body: |t| Some(json!({ "targetingKey": format!("set-{t}"), "variant": "on" })),
            needs: Role(1),
            success: 201,
        },
        Endpoint {
            method: "DELETE",
            path: |_, t| format!("/api/v1/flags/probe/overrides/kept-{t}"),
            body: none,
            needs: Role(1),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/segments".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/segments".into(),
            body: |t| Some(json!({ "key": format!("made-{t}"), "included": ["u"] })),
            needs: Role(1),
            success: 201,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/segments/group".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "PUT",
            path: |_, _| "/api/v1/segments/group".into(),
            body: |t| Some(json!({ "key": "group", "included": [t] })),
            needs: Role(1),
            success: 200,
        },
        Endpoint {
            method: "DELETE",
            path: |_, t| format!("/api/v1/segments/doomed-{t}"),
            body: none,
            needs: Role(1),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/segments/group/history".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/environments".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/environments".into(),
            body: |t| Some(json!({ "name": format!("env-{t}") })),
            needs: Role(2),
            success: 201,
        },
        Endpoint {
            method: "DELETE",
            path: |_, t| format!("/api/v1/environments/gone-{t}"),
            body: none,
            needs: Role(2),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/environments/production/snapshot".into(),
            body: none,
            needs: Role(0),
            success: 200,
        },
        Endpoint {
            method: "PUT",
            path: |_, _| "/api/v1/environments/staging/snapshot".into(),
            body: |t| Some(pushed(t)),
            needs: Role(1),
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/api/v1/tokens".into(),
            body: none,
            needs: Role(2),
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/tokens".into(),
            body: |t| Some(json!({ "kind": "server", "environment": "production", "name": t })),
            needs: Role(2),
            success: 201,
        },
        Endpoint {
            method: "DELETE",
            path: |setup, t| format!("/api/v1/tokens/{}", setup.token_id(t)),
            body: none,
            needs: Role(2),
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/evaluate".into(),
            body: |_| Some(json!({ "context": { "targetingKey": "u" } })),
            needs: Evaluator,
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/api/v1/evaluate/probe".into(),
            body: |_| Some(json!({ "context": {} })),
            needs: Evaluator,
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/sdk/v1/snapshot?environment=production".into(),
            body: none,
            needs: AnyKey,
            success: 200,
        },
        Endpoint {
            method: "GET",
            path: |_, _| "/sdk/v1/environments/production/snapshot.json".into(),
            body: none,
            needs: AnyKey,
            success: 200,
        },
        Endpoint {
            method: "POST",
            path: |_, _| "/sdk/v1/events".into(),
            body: |_| Some(json!({ "flags": [{ "flag": "probe", "variants": { "on": 1 } }] })),
            needs: AnyKey,
            success: 202,
        },
    ]
}

fn json_flag(key: &str) -> Value {
    serde_json::from_str(&flag(key, true)).expect("a flag")
}

fn json_described(key: &str, tag: &str) -> Value {
    let extra = format!(r#","metadata":{{"description":"by {tag}"}}"#);
    serde_json::from_str(&serving(key, "on", &extra)).expect("a flag")
}

fn pushed(tag: &str) -> Value {
    json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-12-05T10:00:00Z", "environment": "staging",
        "flags": [json_flag(&format!("pushed-{tag}"))],
    })
}

impl Setup {
    fn token_id(&self, tag: &str) -> &str {
        self.token_ids
            .iter()
            .find(|(owner, _)| owner == tag)
            .map_or("", |(_, id)| id.as_str())
    }
}

/// The flags, segments, overrides and tokens the calls act on.
async fn prepare(api: &Api) -> Setup {
    let admin = &api.tokens.admin;
    let ok = |reply: Reply, what: &str| {
        assert!(
            (200..300).contains(&reply.status),
            "{what}: {}",
            reply.text()
        );
        reply
    };
    let post = |path: &str, body: Value| api.send_json("POST", path, admin, &body);
    ok(
        post("/api/v1/environments", json!({ "name": "staging" })).await,
        "staging",
    );
    ok(post("/api/v1/flags", json_flag("probe")).await, "probe");
    ok(
        post(
            "/api/v1/segments",
            json!({ "key": "group", "included": ["u"] }),
        )
        .await,
        "group",
    );
    let mut token_ids = Vec::new();
    for tag in CALLERS {
        ok(
            post(
                "/api/v1/environments",
                json!({ "name": format!("gone-{tag}") }),
            )
            .await,
            "environment",
        );
        ok(
            post("/api/v1/flags", json_flag(&format!("doomed-{tag}"))).await,
            "flag",
        );
        ok(
            post(
                "/api/v1/segments",
                json!({ "key": format!("doomed-{tag}"), "included": ["u"] }),
            )
            .await,
            "segment",
        );
        ok(
            post(
                "/api/v1/flags/probe/overrides",
                json!({ "targetingKey": format!("kept-{tag}"), "variant": "off" }),
            )
            .await,
            "override",
        );
        let token = ok(
            post(
                "/api/v1/tokens",
                json!({ "kind": "server", "environment": "production", "name": format!("doomed-{tag}") }),
            )
            .await,
            "token",
        );
        let id = token.json()["id"].as_str().expect("id").to_owned();
        token_ids.push((tag.to_owned(), id));
    }
    Setup { token_ids }
}

fn allowed(needs: Needs, caller: &str) -> bool {
    let rank = match caller {
        "viewer" => Some(0),
        "editor" => Some(1),
        "admin" => Some(2),
        _ => None,
    };
    match needs {
        Needs::Role(role) => rank.is_some_and(|rank| rank >= role),
        Needs::Evaluator | Needs::AnyKey => true,
    }
}

/// Whether a page on another origin may read the answer to `caller` (`None`: no valid token).
fn readable_elsewhere(needs: Needs, caller: Option<&str>) -> bool {
    match needs {
        Needs::Role(_) => false,
        Needs::Evaluator => caller.is_none_or(|caller| caller == "client"),
        Needs::AnyKey => true,
    }
}

/// Asserts the answer carries `Access-Control-Allow-Origin: *` exactly when it should.
fn assert_cors(reply: &Reply, readable: bool, what: &str) {
    let expected = readable.then_some("*");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        expected,
        "{what}: {}",
        reply.text()
    );
}

fn token_of<'a>(api: &'a Api, caller: &str) -> &'a str {
    match caller {
        "viewer" => &api.tokens.viewer,
        "editor" => &api.tokens.editor,
        "admin" => &api.tokens.admin,
        "server" => &api.tokens.server,
        _ => &api.tokens.client,
    }
}

/// Tokens that must be refused with 401: none, garbage, unknown, a known id with the wrong
/// secret, and a token that was revoked.
async fn bad_tokens(api: &Api) -> Vec<(&'static str, Option<String>)> {
    let mut wrong_secret = api.tokens.admin.clone();
    let last = if wrong_secret.ends_with('0') {
        "1"
    } else {
        "0"
    };
    wrong_secret.replace_range(wrong_secret.len() - 1.., last);
    let revoked = api
        .send_json(
            "POST",
            "/api/v1/tokens",
            &api.tokens.admin,
            &json!({ "kind": "admin", "role": "admin", "name": "gone" }),
        )
        .await
        .json();
    let revoked_token = revoked["token"].as_str().expect("token").to_owned();
    let gone = api
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{}", revoked["id"].as_str().expect("id")),
        )
        .token(&api.tokens.admin)
        .send()
        .await;
    assert_eq!(gone.status, 200);
    vec![
        ("no token", None),
        ("garbage", Some("hello".to_owned())),
        (
            "unknown",
            Some(format!("vxa_{}_{}", "0".repeat(12), "0".repeat(64))),
        ),
        ("wrong secret", Some(wrong_secret)),
        ("revoked", Some(revoked_token)),
    ]
}

async fn every_endpoint_checks_its_token(api: Api) {
    let setup = prepare(&api).await;
    let bad = bad_tokens(&api).await;
    for endpoint in endpoints() {
        let path = |tag: &str| (endpoint.path)(&setup, tag);
        let send = |path: String, token: Option<&str>, body: Option<Value>| {
            let mut call = api.call(endpoint.method, &path);
            if let Some(token) = token {
                call = call.token(token);
            }
            if let Some(body) = body {
                call = call.json(&body);
            }
            call.send()
        };
        let revision = api.stored_revision("production").await;
        let audit = api.audit_rows("production").await;
        let name = format!("{} {}", endpoint.method, path("x"));
        for (label, token) in &bad {
            let reply = send(path("viewer"), token.as_deref(), (endpoint.body)("viewer")).await;
            let error = reply.error(401, "unauthorized");
            assert!(error.get("details").is_none(), "{name} {label}");
            let readable = readable_elsewhere(endpoint.needs, None);
            assert_cors(&reply, readable, &format!("{name} {label}"));
            reply.assert_discreet(&[&api.tokens.admin]);
        }
        for caller in CALLERS.iter().filter(|c| !allowed(endpoint.needs, c)) {
            let reply = send(
                path(caller),
                Some(token_of(&api, caller)),
                (endpoint.body)(caller),
            )
            .await;
            assert_eq!(reply.status, 403, "{name} as {caller}: {}", reply.text());
            reply.error(403, "forbidden");
            let readable = readable_elsewhere(endpoint.needs, Some(caller));
            assert_cors(&reply, readable, &format!("{name} as {caller}"));
        }
        assert_eq!(
            api.stored_revision("production").await,
            revision,
            "{name}: refused calls store nothing"
        );
        assert_eq!(api.audit_rows("production").await, audit, "{name}");
        for caller in CALLERS.iter().filter(|c| allowed(endpoint.needs, c)) {
            let reply = send(
                path(caller),
                Some(token_of(&api, caller)),
                (endpoint.body)(caller),
            )
            .await;
            assert_eq!(
                reply.status,
                endpoint.success,
                "{name} as {caller}: {}",
                reply.text()
            );
            let readable = readable_elsewhere(endpoint.needs, Some(caller));
            assert_cors(&reply, readable, &format!("{name} as {caller}"));
        }
    }
    // The stream and the preflight: the stream like the other SDK endpoints; the preflight
    // needs no token (browsers send none).
    for (label, token) in &bad {
        let mut call = api.call("GET", "/sdk/v1/stream");
        if let Some(token) = token {
            call = call.token(token);
        }
        assert_eq!(call.send().await.status, 401, "stream with {label}");
    }
    for caller in CALLERS {
        let (status, mut events) = api
            .call("GET", "/sdk/v1/stream")
            .token(token_of(&api, caller))
            .stream()
            .await;
        assert_eq!(status, 200, "stream as {caller}");
        let first = events.recv().await.expect("the current revision");
        assert_eq!(first["environment"], "production");
    }
    let preflight = api.call("OPTIONS", "/sdk/v1/snapshot").send().await;
    assert_eq!(preflight.status, 204);
    // The evaluate endpoints answer a preflight too (it carries no key); the admin endpoints
    // do not, so a browser never sends a page's admin call to another origin.
    for path in ["/api/v1/evaluate", "/api/v1/evaluate/probe"] {
        let preflight = api
            .call("OPTIONS", path)
            .header("Origin", "https://app.example")
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
            .await;
        assert_eq!(preflight.status, 204, "{path}");
        assert_cors(&preflight, true, path);
        assert_eq!(
            preflight.header("access-control-allow-methods"),
            Some("POST, OPTIONS")
        );
        assert_eq!(
            preflight.header("access-control-allow-headers"),
            Some("authorization, content-type")
        );
        assert_eq!(preflight.header("access-control-max-age"), Some("86400"));
    }
    for path in ["/api/v1/flags", "/api/v1/tokens", "/api/v1/flags/probe"] {
        let preflight = api
            .call("OPTIONS", path)
            .header("Origin", "https://app.example")
            .header("Access-Control-Request-Method", "POST")
            .send()
            .await;
        preflight.error(405, "method-not-allowed");
        assert_cors(&preflight, false, path);
    }
    let health = api.call("GET", "/api/v1/health").send().await;
    assert_eq!(health.json()["status"], "ok");
}
