//! `vexil::client` against the real flag service (`vexil serve` as a process, seeded with the
//! example snapshot) and, for answers the service never gives (HTML, broken JSON, an older
//! revision, oversized bodies, redirects elsewhere), against a tiny HTTP server on 127.0.0.1
//! that answers what each test tells it to.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vexil::client::{Client, FetchErrorKind, Refreshed};
use vexil::{Context, ErrorCode, Reason};

use crate::support::service::Service;

/// How long anything a test waits for may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(20);

fn example() -> String {
    format!("{}/examples/snapshot.json", env!("CARGO_MANIFEST_DIR"))
}

/// The service seeded with the example snapshot.
fn service() -> Service {
    Service::start_with(&["--seed", &example()])
}

/// A client of `service`'s snapshot with its server key, with `configure` applied.
fn client_of(
    service: &Service,
    configure: impl FnOnce(vexil::client::Builder) -> vexil::client::Builder,
) -> Client {
    let builder = Client::builder(format!("{}/sdk/v1/snapshot", service.url))
        .header("authorization", format!("Bearer {}", service.server_key));
    let client = configure(builder).build().expect("a client");
    assert!(client.wait_ready(DEADLINE), "{:?}", client.status());
    client
}

/// Switches `flag` on or off through the admin API.
fn toggle(service: &Service, flag: &str, enabled: bool) {
    let (status, answer) = service.post(
        &format!("/api/v1/flags/{flag}/toggle"),
        &json!({ "enabled": enabled }),
    );
    assert_eq!(status, 200, "{answer}");
}

/// Waits until `done` holds, checking every few milliseconds; fails the test at the deadline.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !done() {
        assert!(Instant::now() < deadline, "not within {DEADLINE:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn anyone() -> Context {
    Context::with_targeting_key("user-42")
}

#[test]
fn the_client_serves_the_services_flags_and_a_toggle_after_refresh_now() {
    let service = service();
    let flags = client_of(&service, |builder| builder);
    let revision = service.revision("production");
    assert_eq!(flags.status().revision, u64::try_from(revision).ok());
    assert!(flags.status().last_success.is_some());

    // The example's flags, through every getter.
    let quebec = Context::with_targeting_key("q-1").with("jurisdiction", "quebec");
    assert!(flags.is_enabled("quebec-ontario-launch", &quebec));
    assert!(!flags.is_enabled("quebec-ontario-launch", &anyone()));
    assert!(!flags.is_enabled("maintenance-mode", &anyone()));
    assert!(!flags.is_enabled("no-such-flag", &anyone()));
    assert_eq!(
        flags.number_value("max-upload-mb", &anyone().with("plan", "pro"), 1.0),
        250.0
    );
    assert_eq!(
        flags.string_value("no-such-flag", &anyone(), "fallback"),
        "fallback"
    );
    let onboarding = flags.object_value("onboarding-config", &anyone(), Value::Null);
    assert!(onboarding["steps"].is_array(), "{onboarding}");
    let staff = flags.evaluate("new-checkout", &Context::with_targeting_key("user-1"));
    assert_eq!(staff.value, Some(json!(true)));
    assert_eq!(staff.reason, Reason::TargetingMatch);
    assert_eq!(staff.rule_id.as_deref(), Some("staff"));
    assert_eq!(staff.revision, u64::try_from(revision).ok());

    // Unchanged: a 304, and the very same engine keeps serving.
    let before = flags.engine().expect("an engine");
    assert_eq!(flags.refresh_now(), Ok(Refreshed::NotModified));
    assert!(Arc::ptr_eq(&before, &flags.engine().expect("an engine")));

    toggle(&service, "maintenance-mode", true);
    let newer = u64::try_from(service.revision("production")).expect("a revision");
    assert_eq!(
        flags.refresh_now(),
        Ok(Refreshed::Loaded { revision: newer })
    );
    assert!(flags.is_enabled("maintenance-mode", &anyone()));
    assert_eq!(flags.status().revision, Some(newer));
    flags.close();
}

#[test]
fn a_short_ttl_picks_a_toggle_up_by_polling() {
    let service = service();
    let flags = client_of(&service, |builder| {
        builder.ttl(Duration::from_millis(100)).jitter(0.0)
    });
    assert!(!flags.is_enabled("maintenance-mode", &anyone()));
    toggle(&service, "maintenance-mode", true);
    eventually("the toggle is served", || {
        flags.is_enabled("maintenance-mode", &anyone())
    });
    toggle(&service, "maintenance-mode", false);
    eventually("the second toggle is served", || {
        !flags.is_enabled("maintenance-mode", &anyone())
    });
}

#[test]
fn the_last_good_snapshot_serves_while_the_service_is_down_and_refreshing_recovers() {
    let mut service = service();
    let flags = client_of(&service, |builder| {
        builder
            .ttl(Duration::from_millis(100))
            .backoff(Duration::from_millis(20), Duration::from_millis(100))
            .timeout(Duration::from_secs(2))
    });
    let revision = flags.status().revision;
    assert!(flags.is_enabled("new-checkout", &Context::with_targeting_key("user-1")));

    service.kill();
    let refused = flags.refresh_now().expect_err("nothing listens");
    assert_eq!(refused.kind(), FetchErrorKind::Network, "{refused}");
    let status = flags.status();
    assert!(status.failing_since.is_some(), "{status:?}");
    assert!(status.failures >= 1, "{status:?}");
    assert_eq!(
        status.last_error.map(|error| error.kind()),
        Some(FetchErrorKind::Network)
    );
    assert_eq!(status.revision, revision, "the last good snapshot is kept");
    assert!(flags.is_enabled("new-checkout", &Context::with_targeting_key("user-1")));
    // The background thread keeps trying on its backoff meanwhile.
    let failed = flags.status().failures;
    eventually("the worker retries", || flags.status().failures > failed);

    service.restart();
    toggle(&service, "maintenance-mode", true);
    eventually("refreshing recovers and loads the change", || {
        flags.status().failing_since.is_none() && flags.is_enabled("maintenance-mode", &anyone())
    });
    let status = flags.status();
    assert_eq!(status.failures, 0);
    assert_eq!(status.last_error, None);
}

#[test]
fn a_wrong_key_is_a_refusal_and_nothing_is_served_until_a_snapshot_arrives() {
    let service = service();
    let flags = Client::builder(format!("{}/sdk/v1/snapshot", service.url))
        .header("authorization", "Bearer vxs_000000000000_nope")
        .build()
        .expect("a client");
    let refused = flags.refresh_now().expect_err("the key is wrong");
    assert_eq!(refused.kind(), FetchErrorKind::Status(401), "{refused}");
    assert!(refused.message().contains("refused"), "{refused}");
    assert!(!flags.wait_ready(Duration::ZERO));
    assert_eq!(flags.engine().map(|engine| engine.revision()), None);
    assert!(!flags.is_enabled("maintenance-mode", &anyone()));
    assert!(flags.bool_value("maintenance-mode", &anyone(), true));
    let result = flags.evaluate("maintenance-mode", &anyone());
    assert_eq!(result.reason, Reason::Error);
    assert_eq!(result.error_code, Some(ErrorCode::ProviderNotReady));
    assert_eq!(result.revision, None);
    assert_eq!(flags.status().revision, None);
}

/// One scripted answer of [`Scripted`].
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            body: body.into(),
        }
    }

    fn json(body: &str, etag: &str) -> Reply {
        Reply::new(
            200,
            &[("content-type", "application/json"), ("etag", etag)],
            body,
        )
    }
}

/// Picks a reply from a request's head (lower case), before the routes and the reply.
type Rule = Box<dyn Fn(&str) -> Option<Reply> + Send>;

/// A tiny HTTP server on 127.0.0.1 answering every request with the reply it is set to, and
/// keeping each request's head. Its thread ends with the test process.
struct Scripted {
    url: String,
    reply: Arc<Mutex<Reply>>,
    /// Replies for particular paths, before `reply`.
    routes: Arc<Mutex<Vec<(String, Reply)>>>,
    rule: Arc<Mutex<Option<Rule>>>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    fn start(first: Reply) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let reply = Arc::new(Mutex::new(first));
        let routes: Arc<Mutex<Vec<(String, Reply)>>> = Arc::new(Mutex::new(Vec::new()));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let rule: Arc<Mutex<Option<Rule>>> = Arc::new(Mutex::new(None));
        let (answer, routed, seen) = (reply.clone(), routes.clone(), heads.clone());
        let ruled = rule.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
                let ruled = ruled
                    .lock()
                    .expect("rule")
                    .as_ref()
                    .and_then(|rule| rule(&head.to_ascii_lowercase()));
                seen.lock().expect("heads").push(head);
                // The rule's reply, else the first route for the path, else the reply of the
                // moment.
                let route = routed
                    .lock()
                    .expect("routes")
                    .iter()
                    .find(|(at, _)| *at == path)
                    .map(|(_, reply)| reply.clone());
                let reply = ruled
                    .or(route)
                    .unwrap_or_else(|| answer.lock().expect("reply").clone());
                let mut out = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", reply.status);
                for (name, value) in &reply.headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str("\r\n");
                let _ = stream.write_all(out.as_bytes());
                let _ = stream.write_all(&reply.body);
            }
        });
        Scripted {
            url,
            reply,
            routes,
            rule,
            heads,
        }
    }

    /// Answers what `rule` picks from a request's head (lower case), when it picks one.
    fn rule(&self, rule: impl Fn(&str) -> Option<Reply> + Send + 'static) {
        *self.rule.lock().expect("rule") = Some(Box::new(rule));
    }

    fn heads(&self) -> Vec<String> {
        self.heads
            .lock()
            .expect("heads")
            .iter()
            .map(|head| head.to_ascii_lowercase())
            .collect()
    }

    /// Answers `reply` at `path` from now on.
    fn route(&self, path: &str, reply: Reply) {
        self.routes
            .lock()
            .expect("routes")
            .push((path.to_owned(), reply));
    }

    fn answer(&self, reply: Reply) {
        *self.reply.lock().expect("reply") = reply;
    }

    fn last_head(&self) -> String {
        self.heads
            .lock()
            .expect("heads")
            .last()
            .cloned()
            .unwrap_or_default()
    }
}

fn snapshot(revision: u64, enabled: bool) -> String {
    json!({
        "schemaVersion": 1, "revision": revision, "generatedAt": "2026-11-01T00:00:00Z",
        "flags": [{"key": "beta", "type": "boolean", "enabled": enabled,
                   "variants": {"on": true, "off": false}, "offVariant": "off",
                   "fallthrough": {"variant": "on"}}]
    })
    .to_string()
}

/// A client of `server` that only fetches when asked after its first fetch (its TTL and backoff
/// are an hour), with `configure` applied; not waited for.
fn hourly(
    server: &Scripted,
    configure: impl FnOnce(vexil::client::Builder) -> vexil::client::Builder,
) -> Client {
    let hour = Duration::from_secs(3600);
    let builder = Client::builder(format!("{}/flags.json", server.url))
        .ttl(hour)
        .backoff(hour, hour);
    configure(builder).build().expect("a client")
}

/// [`hourly`], once its first snapshot is loaded.
fn manual(
    server: &Scripted,
    configure: impl FnOnce(vexil::client::Builder) -> vexil::client::Builder,
) -> Client {
    let client = hourly(server, configure);
    assert!(client.wait_ready(DEADLINE), "{:?}", client.status());
    client
}

#[test]
fn answers_that_are_not_a_newer_snapshot_keep_the_last_good_one() {
    let server = Scripted::start(Reply::json(&snapshot(5, true), "\"five\""));
    let flags = manual(&server, |builder| builder.max_body_bytes(4096));
    assert!(flags.is_enabled("beta", &anyone()));
    let kept = flags.engine().expect("an engine");

    let big = " ".repeat(5000);
    let cases = [
        (
            Reply::new(
                200,
                &[("content-type", "text/html")],
                "<html>sign in</html>",
            ),
            FetchErrorKind::ContentType,
        ),
        (
            Reply::json("{\"schemaVersion\": 1, \"revis", "\"x\""),
            FetchErrorKind::Invalid,
        ),
        (
            Reply::json("not json at all", "\"y\""),
            FetchErrorKind::Invalid,
        ),
        (
            Reply::json(&snapshot(4, false), "\"four\""),
            FetchErrorKind::OlderRevision,
        ),
        (
            Reply::new(200, &[("content-length", "5000")], big.clone()),
            FetchErrorKind::TooLarge,
        ),
        // No Content-Length: refused while reading.
        (Reply::new(200, &[], big), FetchErrorKind::TooLarge),
        (
            Reply::new(503, &[("retry-after", "1")], ""),
            FetchErrorKind::Status(503),
        ),
        (
            Reply::new(302, &[("location", "http://127.0.0.2:1/elsewhere")], ""),
            FetchErrorKind::Redirect,
        ),
    ];
    for (reply, kind) in cases {
        let declared = reply
            .headers
            .iter()
            .any(|(name, _)| name == "content-length");
        server.answer(reply);
        let failed = flags.refresh_now().expect_err("not a usable snapshot");
        assert_eq!(failed.kind(), kind, "{failed}");
        assert_eq!(failed.to_string(), failed.message());
        if kind == FetchErrorKind::TooLarge {
            // Refused from Content-Length before reading, else while reading.
            let size = if declared {
                "is 5000 bytes"
            } else {
                "is more than 4096 bytes"
            };
            assert!(failed.message().contains(size), "{failed}");
        }
        assert!(
            Arc::ptr_eq(&kept, &flags.engine().expect("an engine")),
            "{failed}"
        );
        assert!(flags.is_enabled("beta", &anyone()));
        let status = flags.status();
        assert_eq!(status.revision, Some(5));
        assert_eq!(status.last_error.as_ref(), Some(&failed));
    }
    assert_eq!(flags.status().failures, 8);

    // The same document under another ETag is no change; the loaded ETag is revalidated.
    server.answer(Reply::json(&snapshot(5, true), "\"five-again\""));
    assert_eq!(flags.refresh_now(), Ok(Refreshed::Unchanged));
    assert!(Arc::ptr_eq(&kept, &flags.engine().expect("an engine")));
    assert_eq!(flags.status().failures, 0);
    assert_eq!(flags.status().failing_since, None);
    server.answer(Reply::new(304, &[], ""));
    assert_eq!(flags.refresh_now(), Ok(Refreshed::NotModified));
    assert!(
        server
            .last_head()
            .to_ascii_lowercase()
            .contains("if-none-match: \"five-again\""),
        "{}",
        server.last_head()
    );

    // A same-origin redirect to a newer revision is followed.
    server.answer(Reply::new(307, &[("location", "/moved.json")], ""));
    let redirected = flags.refresh_now();
    assert_eq!(
        redirected.map_err(|error| error.kind()),
        Err(FetchErrorKind::Redirect),
        "a redirect to itself, again and again, ends"
    );
    server.answer(Reply::json(&snapshot(6, false), "\"six\""));
    assert_eq!(flags.refresh_now(), Ok(Refreshed::Loaded { revision: 6 }));
    assert!(!flags.is_enabled("beta", &anyone()));
}

#[test]
fn a_304_to_a_configured_validator_is_asked_again_in_full_and_the_snapshot_loads() {
    // The client was started with an ETag of a snapshot it does not have (say, from a bootstrap
    // that failed), and the endpoint honours it.
    let server = Scripted::start(Reply::json(&snapshot(1, true), "\"one\""));
    server.rule(|head| {
        head.contains("if-none-match")
            .then(|| Reply::new(304, &[], ""))
    });
    let flags = hourly(&server, |builder| {
        builder.header("If-None-Match", "\"from-a-bootstrap\"")
    });
    assert!(
        flags.wait_ready(Duration::from_secs(5)),
        "not loaded at once: {:?}",
        flags.status()
    );
    assert!(flags.is_enabled("beta", &anyone()));
    let status = flags.status();
    assert_eq!((status.failures, status.last_error), (0, None));
    let heads = server.heads();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(
        heads[0].contains("if-none-match: \"from-a-bootstrap\""),
        "{heads:?}"
    );
    assert!(!heads[1].contains("if-none-match"), "{heads:?}");
    assert!(heads[1].contains("cache-control: no-cache"), "{heads:?}");
}

#[test]
fn a_304_to_a_client_serving_its_bootstrap_confirms_nothing() {
    // A cache on the way answers 304 to anyone who does not insist: the bootstrap was never
    // confirmed by the endpoint, so the client asks again in full and loads what it has.
    let server = Scripted::start(Reply::json(&snapshot(2, true), "\"two\""));
    server
        .rule(|head| (!head.contains("cache-control: no-cache")).then(|| Reply::new(304, &[], "")));
    let bootstrap = vexil::Engine::from_json(&snapshot(1, false)).expect("a snapshot");
    let flags = hourly(&server, |builder| builder.bootstrap(bootstrap));
    eventually("the endpoint's snapshot replaces the bootstrap", || {
        flags.status().revision == Some(2)
    });
    assert!(flags.is_enabled("beta", &anyone()));
    // Now the loaded snapshot's ETag is sent, and a 304 to it is the confirmation it is.
    assert_eq!(flags.refresh_now(), Ok(Refreshed::NotModified));
    assert!(server
        .heads()
        .last()
        .is_some_and(|head| head.contains("if-none-match: \"two\"")));
}

#[test]
fn a_304_to_a_client_with_nothing_loaded_twice_is_a_failure_and_headers_are_sent() {
    let server = Scripted::start(Reply::new(304, &[], ""));
    let flags = hourly(&server, |builder| builder.header("x-api-key", "secret"));
    let failed = flags.refresh_now().expect_err("nothing to keep");
    assert_eq!(failed.kind(), FetchErrorKind::NotModifiedWithoutSnapshot);
    assert!(failed.message().contains("asked in full"), "{failed}");
    // The attempt asked twice: as usual, then in full.
    let heads = server.heads();
    let [.., usual, in_full] = heads.as_slice() else {
        panic!("two requests: {heads:?}");
    };
    for head in [usual, in_full] {
        assert!(head.contains("x-api-key: secret"), "{head}");
        assert!(head.contains("accept: application/json"), "{head}");
        assert!(!head.contains("if-none-match"), "{head}");
    }
    assert!(!usual.contains("cache-control"), "{usual}");
    assert!(in_full.contains("cache-control: no-cache"), "{in_full}");
    assert_eq!(flags.status().revision, None);
    server.answer(Reply::json(&snapshot(1, true), "\"one\""));
    assert_eq!(flags.refresh_now(), Ok(Refreshed::Loaded { revision: 1 }));
}

#[test]
fn odd_answers_say_what_is_wrong_with_them_and_keep_the_last_good_snapshot() {
    let server = Scripted::start(Reply::json(&snapshot(5, true), "\"five\""));
    let flags = manual(&server, |builder| builder);
    let kept = flags.engine().expect("an engine");
    let cases = [
        (
            Reply::json("", "\"empty\""),
            FetchErrorKind::Invalid,
            "the config endpoint answered 200 with an empty body",
        ),
        (
            Reply::new(204, &[], ""),
            FetchErrorKind::Invalid,
            "the config endpoint answered 204 with an empty body",
        ),
        (
            Reply::json("[]", "\"list\""),
            FetchErrorKind::Invalid,
            "the snapshot does not load: SHAPE at $: expected an object, found an array",
        ),
        (
            Reply::json("null", "\"null\""),
            FetchErrorKind::Invalid,
            "the snapshot does not load: SHAPE at $: expected an object, found null",
        ),
        (
            Reply::new(200, &[("content-type", "application/xml")], "<flags/>"),
            FetchErrorKind::ContentType,
            "the config endpoint answered with application/xml, not JSON; not read",
        ),
        (
            Reply::new(
                200,
                &[("content-type", "application/json"), ("content-encoding", "gzip")],
                b"\x1f\x8b\x08\x00".to_vec(),
            ),
            FetchErrorKind::ContentType,
            "the config endpoint answered with Content-Encoding gzip, which was not asked for and is not decoded; not read",
        ),
        (
            Reply::new(302, &[], ""),
            FetchErrorKind::Status(302),
            "the config endpoint answered 302, a redirect without a Location to follow",
        ),
        (
            Reply::new(301, &[("location", "ftp://127.0.0.1/flags.json")], ""),
            FetchErrorKind::Redirect,
            "the config endpoint redirected to another origin (ftp://127.0.0.1/flags.json); not followed",
        ),
    ];
    for (reply, kind, message) in cases {
        server.answer(reply);
        let failed = flags.refresh_now().expect_err("not a usable snapshot");
        assert_eq!((failed.kind(), failed.message()), (kind, message));
        assert!(Arc::ptr_eq(&kept, &flags.engine().expect("an engine")));
        assert!(flags.is_enabled("beta", &anyone()));
        assert_eq!(flags.status().last_error.as_ref(), Some(&failed));
    }
}

#[test]
fn a_body_declared_as_identity_or_with_an_empty_encoding_is_read() {
    let server = Scripted::start(Reply::json(&snapshot(5, true), "\"five\""));
    let flags = manual(&server, |builder| builder);
    for (revision, coding) in [(6, "identity"), (7, " IDENTITY "), (8, "")] {
        server.answer(Reply::new(
            200,
            &[
                ("content-type", "application/json"),
                ("content-encoding", coding),
            ],
            snapshot(revision, revision % 2 == 0).into_bytes(),
        ));
        flags.refresh_now().expect("an unencoded body is read");
        assert_eq!(
            flags.status().revision,
            Some(revision),
            "Content-Encoding {coding:?}"
        );
        assert_eq!(flags.is_enabled("beta", &anyone()), revision % 2 == 0);
    }
}

#[test]
fn settings_that_cannot_work_are_refused_when_building() {
    for url in ["ftp://example.com/x", "not a url", ""] {
        let refused = Client::start(url).expect_err(url);
        assert!(refused.to_string().contains("not an http"), "{refused}");
    }
    let refused = Client::builder("http://127.0.0.1:1/x")
        .header("bad name", "x")
        .build()
        .expect_err("a header name with a space");
    assert!(refused.to_string().contains("header name"), "{refused}");
    let refused = Client::builder("http://127.0.0.1:1/x")
        .header("x-key", "line\nbreak")
        .build()
        .expect_err("a header value with a line break");
    assert!(refused.to_string().contains("cannot be sent"), "{refused}");
}

#[test]
fn a_bootstrap_engine_serves_until_a_snapshot_as_new_arrives() {
    let server = Scripted::start(Reply::json(&snapshot(4, true), "\"four\""));
    let bootstrap = vexil::Engine::from_json(&snapshot(5, false)).expect("a snapshot");
    let flags = hourly(&server, |builder| builder.bootstrap(bootstrap));
    assert!(
        flags.wait_ready(Duration::ZERO),
        "the bootstrap is ready at once"
    );
    let described = format!("{flags:?}");
    assert!(described.contains(&server.url), "{described}");
    assert!(described.contains("revision: Some(5)"), "{described}");
    assert!(!flags.is_enabled("beta", &anyone()));
    let older = flags.refresh_now().expect_err("revision 4 is older");
    assert_eq!(older.kind(), FetchErrorKind::OlderRevision);
    assert_eq!(flags.status().revision, Some(5));
    server.answer(Reply::json(&snapshot(5, true), "\"five\""));
    assert_eq!(flags.refresh_now(), Ok(Refreshed::Loaded { revision: 5 }));
    assert!(flags.is_enabled("beta", &anyone()));
}

#[test]
fn close_and_drop_stop_the_polling() {
    let server = Scripted::start(Reply::json(&snapshot(1, true), "\"one\""));
    let requests = || server.heads.lock().expect("heads").len();
    for close in [true, false] {
        let flags = Client::builder(format!("{}/flags.json", server.url))
            .ttl(Duration::from_millis(5))
            .build()
            .expect("a client");
        let start = requests();
        eventually("a few polls", || requests() >= start + 3);
        if close {
            flags.close();
        } else {
            drop(flags);
        }
        // After drop, one request may still be on its way; after that, none.
        std::thread::sleep(Duration::from_millis(50));
        let stopped = requests();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(requests(), stopped, "polling went on (close: {close})");
    }
}

#[test]
fn a_ttl_too_long_for_the_clock_means_no_more_polling() {
    let server = Scripted::start(Reply::json(&snapshot(1, true), "\"one\""));
    let flags = Client::builder(format!("{}/flags.json", server.url))
        .ttl(Duration::MAX)
        .build()
        .expect("a client");
    assert!(flags.wait_ready(DEADLINE));
    let requests = || server.heads.lock().expect("heads").len();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(requests(), 1);
    // The same document again: nothing to load.
    assert_eq!(flags.refresh_now(), Ok(Refreshed::Unchanged));
    assert_eq!(requests(), 2);
}

#[test]
fn redirects_within_the_origin_are_followed_up_to_five() {
    let server = Scripted::start(Reply::json(&snapshot(1, true), "\"one\""));
    let hour = Duration::from_secs(3600);
    let flags = manual(&server, |builder| builder.backoff(hour, hour));
    let hop = |to: &str| Reply::new(307, &[("location", to)], "");
    // /flags.json → /r1 → … → /r4 → /final: five redirects.
    server.answer(hop("/r1"));
    for index in 1..4 {
        server.route(&format!("/r{index}"), hop(&format!("r{}", index + 1)));
    }
    server.route("/r4", hop(&format!("{}/final", server.url)));
    server.route("/final", Reply::json(&snapshot(2, true), "\"two\""));
    assert_eq!(flags.refresh_now(), Ok(Refreshed::Loaded { revision: 2 }));
    // One more is one too many: /flags.json → /r0 → /r1 → … → /final.
    server.answer(hop("/r0"));
    server.route("/r0", hop("/r1"));
    let failed = flags.refresh_now().expect_err("six redirects");
    assert_eq!(failed.kind(), FetchErrorKind::Redirect);
    assert_eq!(failed.message(), "more than 5 redirects");
}

#[test]
fn each_status_says_whether_the_request_itself_is_refused() {
    let server = Scripted::start(Reply::json(&snapshot(1, true), "\"one\""));
    let hour = Duration::from_secs(3600);
    let flags = manual(&server, |builder| builder.backoff(hour, hour));
    let cases = [
        (401, ": the key or headers sent are refused"),
        (403, ": the key or headers sent are refused"),
        (404, ": there is no snapshot at this URL"),
        (410, ": there is no snapshot at this URL"),
        (418, ": the request is refused"),
        (408, ""),
        (429, ""),
        (500, ""),
        (503, ""),
    ];
    for (status, why) in cases {
        server.answer(Reply::new(status, &[], ""));
        let failed = flags.refresh_now().expect_err("not a snapshot");
        assert_eq!(failed.kind(), FetchErrorKind::Status(status));
        assert_eq!(
            failed.message(),
            format!("the config endpoint answered {status}{why}")
        );
    }
}

#[test]
fn an_endpoint_that_never_answers_is_a_timeout() {
    // Connections complete in the kernel's backlog; nobody ever reads or answers them.
    let silent = TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!(
        "http://{}/flags.json",
        silent.local_addr().expect("an address")
    );
    let hour = Duration::from_secs(3600);
    let flags = Client::builder(url)
        .timeout(Duration::from_millis(200))
        .ttl(hour)
        .backoff(hour, hour)
        .build()
        .expect("a client");
    let failed = flags.refresh_now().expect_err("no answer");
    assert_eq!(failed.kind(), FetchErrorKind::Timeout, "{failed}");
    drop(silent);
}

#[test]
fn a_body_exactly_at_the_limit_is_read() {
    let text = snapshot(1, true);
    let length = text.len().to_string();
    let server = Scripted::start(Reply::new(
        200,
        &[
            ("content-type", "application/json"),
            ("content-length", &length),
        ],
        text.clone(),
    ));
    let bytes = u64::try_from(text.len()).expect("a length");
    let flags = manual(&server, |builder| builder.max_body_bytes(bytes));
    assert_eq!(flags.status().revision, Some(1));
}
