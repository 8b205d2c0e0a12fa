//! The config endpoint: ETag and 304, caching headers, CORS and its preflight, compression,
//! and server-sent events announcing a change (on PostgreSQL, a change made on another
//! instance).

use std::io::Read;
use std::time::Duration;

use serde_json::{json, Value};

use super::flag;
use super::http::{on_both, Api, Reply};

on_both!(
    snapshots_revalidate_compress_and_allow_any_origin,
    a_change_reaches_the_stream,
    an_events_report_is_read_up_to_its_limits,
);

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("brotli");
    out
}

async fn snapshot(api: &Api, headers: &[(&str, &str)]) -> Reply {
    let mut call = api
        .call("GET", "/sdk/v1/snapshot")
        .token(&api.tokens.client);
    for (name, value) in headers {
        call = call.header(name, value);
    }
    call.send().await
}

async fn snapshots_revalidate_compress_and_allow_any_origin(api: Api) {
    // A snapshot large enough that compression shows.
    for index in 0..20 {
        let created = api
            .call("POST", "/api/v1/flags")
            .token(&api.tokens.editor)
            .body(flag(&format!("flag-{index}"), true))
            .send()
            .await;
        assert_eq!(created.status, 201);
    }
    let plain = snapshot(&api, &[]).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        plain.header("cache-control"),
        Some("public, max-age=5, stale-while-revalidate=60")
    );
    assert_eq!(plain.header("vary"), Some("Accept-Encoding, Authorization"));
    assert_eq!(plain.revision(), 21);
    assert_eq!(plain.json()["revision"], 21);
    let server = api.get("/sdk/v1/snapshot", &api.tokens.server).await;
    assert_eq!(
        server.header("cache-control"),
        Some("private, max-age=0, must-revalidate")
    );
    let etag = plain.header("etag").expect("etag").to_owned();

    for (accept, encoding) in [
        ("br", Some("br")),
        ("gzip, deflate, br", Some("br")),
        ("gzip", Some("gzip")),
        ("br;q=0, gzip;q=0.5", Some("gzip")),
        ("deflate", None),
        ("identity", None),
    ] {
        let reply = snapshot(&api, &[("Accept-Encoding", accept)]).await;
        assert_eq!(reply.header("content-encoding"), encoding, "{accept}");
        assert_eq!(reply.header("etag"), Some(etag.as_str()), "{accept}");
        let body = match encoding {
            Some("br") => unbrotli(&reply.body),
            Some(_) => gunzip(&reply.body),
            None => reply.body.clone(),
        };
        assert_eq!(body, plain.body, "{accept}");
        if encoding.is_some() {
            assert!(
                reply.body.len() * 2 < plain.body.len(),
                "{accept} compresses"
            );
        }
    }

    for validator in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"x\", {etag}"),
        "*".to_owned(),
    ] {
        let cached = snapshot(&api, &[("If-None-Match", &validator)]).await;
        assert_eq!(cached.status, 304, "{validator}");
        assert!(cached.body.is_empty());
        assert_eq!(cached.header("etag"), Some(etag.as_str()));
        assert_eq!(cached.header("access-control-allow-origin"), Some("*"));
    }
    let stale = snapshot(&api, &[("If-None-Match", "\"not-it\"")]).await;
    assert_eq!(stale.status, 200);

    let toggled = api
        .call("POST", "/api/v1/flags/flag-3/toggle")
        .token(&api.tokens.editor)
        .send()
        .await;
    assert_eq!(toggled.status, 200);
    let changed = snapshot(&api, &[("If-None-Match", &etag)]).await;
    assert_eq!(changed.status, 200, "a new revision is a new ETag");
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    assert_eq!(changed.revision(), 22);
    assert_eq!(changed.json()["flags"][3]["enabled"], false);

    let preflight = api
        .call("OPTIONS", "/sdk/v1/snapshot")
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "GET")
        .header(
            "Access-Control-Request-Headers",
            "authorization, if-none-match",
        )
        .send()
        .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET, POST, OPTIONS")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("authorization, if-none-match")
    );
    assert_eq!(preflight.header("access-control-max-age"), Some("86400"));
    let odd = api
        .call("OPTIONS", "/sdk/v1/events")
        .header("Access-Control-Request-Headers", "x-evil<script>")
        .send()
        .await;
    assert_eq!(
        odd.header("access-control-allow-headers"),
        Some("Authorization, Content-Type, If-None-Match, Cache-Control"),
        "an odd request is answered with the usual list, not echoed"
    );
    let exposed = plain
        .header("access-control-expose-headers")
        .unwrap_or_default();
    for name in ["ETag", "X-Vexil-Revision"] {
        assert!(exposed.contains(name), "{exposed}");
    }
    // Every error of the SDK endpoints is readable by a page on another origin.
    let admin = &api.tokens.admin;
    let errors = [
        (
            api.call("GET", "/sdk/v1/snapshot").send().await,
            401,
            "unauthorized",
        ),
        (
            api.call("POST", "/sdk/v1/events")
                .token(&api.tokens.client)
                .body(vec![0xff, 0xfe])
                .send()
                .await,
            400,
            "bad-request",
        ),
        (
            api.call("POST", "/sdk/v1/events")
                .token(&api.tokens.client)
                .body(vec![b' '; 256 * 1024 + 1])
                .send()
                .await,
            413,
            "body-too-large",
        ),
        (
            api.get("/sdk/v1/snapshot?environment=mars", admin).await,
            404,
            "not-found",
        ),
        (
            api.get("/sdk/v1/stream?environment=mars", admin).await,
            404,
            "not-found",
        ),
        (
            api.call("POST", "/sdk/v1/events?environment=mars")
                .token(admin)
                .body("{}")
                .send()
                .await,
            404,
            "not-found",
        ),
    ];
    for (reply, status, code) in errors {
        reply.error(status, code);
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("*"),
            "{status} {code}"
        );
    }
}

async fn next_event(events: &mut tokio::sync::mpsc::UnboundedReceiver<Value>) -> Value {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event within 10 s")
        .expect("the stream is open")
}

async fn a_change_reaches_the_stream(api: Api) {
    let created = api
        .call("POST", "/api/v1/flags")
        .token(&api.tokens.editor)
        .body(flag("live", true))
        .send()
        .await;
    let revision = created.revision();
    let postgres = api.fixture.service.store.backend == crate::serve::store::Backend::Postgres;
    let other = if postgres {
        Some(api.another_instance().await)
    } else {
        None
    };
    // The stream is read where the change is not made, when there are two instances.
    let watched = other.as_ref().unwrap_or(&api);
    let (status, mut events) = watched
        .call("GET", &format!("/sdk/v1/stream?key={}", api.tokens.client))
        .stream()
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        next_event(&mut events).await,
        json!({ "environment": "production", "revision": revision })
    );
    for step in 1..=2 {
        let toggled = api
            .call("POST", "/api/v1/flags/live/toggle")
            .token(&api.tokens.editor)
            .send()
            .await;
        assert_eq!(toggled.revision(), revision + step);
        assert_eq!(
            next_event(&mut events).await,
            json!({ "environment": "production", "revision": revision + step })
        );
        let fetched = watched.get("/sdk/v1/snapshot", &api.tokens.client).await;
        assert_eq!(
            fetched.revision(),
            revision + step,
            "the announced revision is served"
        );
    }
    // Streams opened during a burst of changes all end up announcing the last revision.
    let mut opened = Vec::new();
    let mut last = revision + 2;
    for _ in 0..5 {
        let stream = watched
            .call("GET", &format!("/sdk/v1/stream?key={}", api.tokens.client))
            .stream();
        let toggle = api
            .call("POST", "/api/v1/flags/live/toggle")
            .token(&api.tokens.editor)
            .send();
        let (stream, toggled) = tokio::join!(stream, toggle);
        last = last.max(toggled.revision());
        opened.push(stream.1);
    }
    for stream in opened.iter_mut().chain([&mut events]) {
        let mut seen = 0;
        while seen < last {
            seen = next_event(stream).await["revision"]
                .as_i64()
                .expect("revision");
        }
        assert_eq!(seen, last);
    }
    // A change elsewhere is not announced on this environment's stream.
    let made = api
        .send_json(
            "POST",
            "/api/v1/environments",
            &api.tokens.admin,
            &json!({ "name": "qa" }),
        )
        .await;
    assert_eq!(made.status, 201);
    assert!(
        tokio::time::timeout(Duration::from_millis(500), events.recv())
            .await
            .is_err(),
        "nothing for another environment"
    );
}

/// An events report of `entries` flag entries, each `entry`.
fn report(entries: usize, entry: &str) -> String {
    format!(r#"{{"flags":[{}]}}"#, vec![entry; entries].join(","))
}

async fn an_events_report_is_read_up_to_its_limits(api: Api) {
    let created = api
        .call("POST", "/api/v1/flags")
        .token(&api.tokens.editor)
        .body(flag("c", true))
        .send()
        .await;
    assert_eq!(created.status, 201);
    let send = |body: String| {
        api.call("POST", "/sdk/v1/events")
            .token(&api.tokens.server)
            .body(body)
            .send()
    };
    // 10,000 flag entries in 240 kB: the most a report may carry, under 256 KiB.
    let largest = report(10_000, r#"{"flag":"c","errors":1}"#);
    assert!(largest.len() > 200_000 && largest.len() <= 256 * 1024);
    let accepted = send(largest).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    assert_eq!(accepted.json(), json!({ "accepted": 10_000, "ignored": 0 }));
    let error = send(report(10_001, r#"{"flag":"c"}"#))
        .await
        .error(400, "bad-request");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| message.contains("10000 flags")),
        "{error}"
    );
}
