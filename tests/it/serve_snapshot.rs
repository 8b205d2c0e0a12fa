//! `vexil serve --snapshot FILE|DIR`, the read-only mode, run as a real process on files in a
//! temporary folder and spoken to over real TCP connections.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::http::{get, request, EventStream, Response};

/// How long a changed file may take to be served: four polls and the time to load it.
const PICKED_UP: Duration = Duration::from_secs(3);
/// How long a process may take to start, stop or say something.
const PATIENCE: Duration = Duration::from_secs(15);

/// A snapshot with one string flag serving `value`.
fn snapshot(revision: u64, environment: Option<&str>, value: &str) -> String {
    let mut document = json!({
        "schemaVersion": 1,
        "revision": revision,
        "generatedAt": "2026-12-01T00:00:00Z",
        "flags": [{
            "key": "banner",
            "type": "string",
            "variants": { "shown": value, "hidden": "" },
            "fallthrough": { "variant": "shown" }
        }]
    });
    if let Some(environment) = environment {
        document["environment"] = json!(environment);
    }
    serde_json::to_string_pretty(&document).expect("a document")
}

/// A folder of its own under the system temp dir, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "vexil-snapshot-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("can create a temp folder");
        Folder(path)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("can write a temp file");
        path
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Standard error of a process, collected by a thread as it is written.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<String>>);

impl Log {
    /// Starts collecting; the thread ends when the pipe closes.
    fn collect(mut from: impl Read + Send + 'static) -> (Log, JoinHandle<()>) {
        let log = Log::default();
        let into = log.clone();
        let thread = std::thread::spawn(move || {
            let mut buffer = [0u8; 1024];
            while let Ok(read) = from.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buffer[..read]).into_owned();
                into.0.lock().expect("log").push_str(&text);
            }
        });
        (log, thread)
    }

    fn text(&self) -> String {
        self.0.lock().expect("log").clone()
    }
}

/// `vexil serve --snapshot`, ended by its PID when dropped, even when a test fails.
struct Server {
    child: Child,
    address: String,
    log: Log,
}

impl Server {
    fn start(snapshot: &Path, options: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vexil"))
            .arg("serve")
            .arg("--snapshot")
            .arg(snapshot)
            .args(["--listen", "127.0.0.1:0"])
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vexil starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (log, _) = Log::collect(child.stderr.take().expect("stderr is piped"));
        let mut server = Server {
            child,
            address: String::new(),
            log,
        };
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // Reads every line, so the server never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    let _ = sender.send(address.to_owned());
                }
            }
        });
        server.address = receiver.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            panic!(
                "the server did not say where it listens; standard error:\n{}",
                server.log.text()
            )
        });
        server
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        get(&self.address, path, headers)
    }

    /// The revision `GET path` answers.
    fn revision(&self, path: &str) -> Option<i64> {
        let response = self.get(path, &[]);
        assert_eq!(response.status, 200, "{path}: {response:?}");
        response
            .header("x-vexil-revision")
            .and_then(|revision| revision.parse().ok())
    }

    /// Waits for a line of standard error holding every one of `parts`, and answers it.
    fn logged(&self, parts: &[&str]) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.log.text();
            if let Some(line) = text
                .lines()
                .find(|line| parts.iter().all(|part| line.contains(part)))
            {
                return line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no line with {parts:?} on standard error:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `GET path` answers `revision` (an environment not yet served answers
    /// 404 until then); fails after `within`.
    fn serves(&self, path: &str, revision: i64, within: Duration) {
        let deadline = Instant::now() + within;
        let revision = revision.to_string();
        while self.get(path, &[]).header("x-vexil-revision") != Some(revision.as_str()) {
            assert!(
                Instant::now() < deadline,
                "{path} was not at revision {revision} within {within:?}; standard error:\n{}",
                self.log.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `vexil serve ARGS` to its end (killed after `PATIENCE`): the exit code and standard
/// error.
fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vexil"))
        .arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vexil starts");
    let (log, collecting) = Log::collect(child.stderr.take().expect("stderr is piped"));
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vexil serve {args:?} kept running:\n{}", log.text());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    collecting.join().expect("standard error is collected");
    (status.code(), log.text())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

#[test]
fn a_file_is_served_without_keys_with_its_etag_and_304_when_unchanged() {
    let folder = Folder::new("file");
    let text = snapshot(7, Some("production"), "hello");
    let path = folder.write("flags.json", &text);
    let server = Server::start(&path, &[]);

    let first = server.get("/sdk/v1/snapshot", &[]);
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body, text.as_bytes(), "the file, byte for byte");
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("x-vexil-revision"), Some("7"));
    assert_eq!(first.header("x-vexil-stream"), Some("/sdk/v1/stream"));
    assert_eq!(first.header("access-control-allow-origin"), Some("*"));
    assert!(first
        .header("cache-control")
        .is_some_and(|cache| cache.starts_with("public")));
    let etag = first.header("etag").expect("an ETag").to_owned();

    let again = server.get("/sdk/v1/snapshot", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let stale = server.get("/sdk/v1/snapshot", &[("If-None-Match", "\"other\"")]);
    assert_eq!(stale.status, 200);

    // Named by the document's `environment`, not by the file name; keys are not looked at.
    for path in [
        "/sdk/v1/snapshot?environment=production",
        "/sdk/v1/environments/production/snapshot.json",
        "/sdk/v1/environments/production/snapshot.json?key=anything",
    ] {
        let response = server.get(path, &[("Authorization", "Bearer not-a-key")]);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.body, text.as_bytes(), "{path}");
        assert_eq!(response.header("etag"), Some(etag.as_str()), "{path}");
    }
    let other = server.get("/sdk/v1/snapshot?environment=flags", &[]);
    assert_eq!(other.status, 404);
    assert_eq!(other.json()["error"]["code"], "not-found");
    let bad = server.get("/sdk/v1/environments/Flags/snapshot.json", &[]);
    assert_eq!(bad.status, 400);
}

#[test]
fn a_file_whose_document_names_no_environment_is_named_by_its_file_name() {
    let folder = Folder::new("stem");
    let text = snapshot(3, None, "hello");
    let server = Server::start(&folder.write("eu-west.json", &text), &[]);
    let response = server.get("/sdk/v1/environments/eu-west/snapshot.json", &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, text.as_bytes());
}

#[test]
fn gzip_and_brotli_are_served_to_clients_that_ask() {
    let folder = Folder::new("encodings");
    let text = snapshot(2, Some("production"), &"compressible ".repeat(200));
    let server = Server::start(&folder.write("production.json", &text), &[]);

    let gzipped = server.get("/sdk/v1/snapshot", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert!(gzipped.body.len() < text.len());
    assert_eq!(gunzip(&gzipped.body), text.as_bytes());

    let brotli = server.get("/sdk/v1/snapshot", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert_eq!(unbrotli(&brotli.body), text.as_bytes());

    let refused = server.get("/sdk/v1/snapshot", &[("Accept-Encoding", "br;q=0, gzip")]);
    assert_eq!(refused.header("content-encoding"), Some("gzip"));

    let plain = server.get("/sdk/v1/snapshot", &[]);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, text.as_bytes());
    // One document, one validator, whatever the encoding.
    assert_eq!(plain.header("etag"), gzipped.header("etag"));
    assert_eq!(plain.header("etag"), brotli.header("etag"));
}

#[test]
fn a_folder_serves_each_json_file_as_the_environment_of_its_name() {
    let folder = Folder::new("folder");
    let production = snapshot(10, Some("production"), "prod");
    // The file name wins over what the document says.
    let staging = snapshot(4, Some("somewhere-else"), "stage");
    folder.write("production.json", &production);
    folder.write("staging.json", &staging);
    folder.write("Not A Name.json", &snapshot(1, None, "x"));
    folder.write("notes.txt", "not a snapshot");
    let server = Server::start(&folder.0, &[]);

    let line = server.logged(&["skipped", "Not A Name.json"]);
    assert!(line.contains("environment name"), "{line}");
    for (environment, text, revision) in [
        ("production", &production, "10"),
        ("staging", &staging, "4"),
    ] {
        let response = server.get(&format!("/sdk/v1/snapshot?environment={environment}"), &[]);
        assert_eq!(response.status, 200, "{environment}");
        assert_eq!(response.body, text.as_bytes(), "{environment}");
        assert_eq!(response.header("x-vexil-revision"), Some(revision));
    }
    let unnamed = server.get("/sdk/v1/snapshot", &[]);
    assert_eq!(unnamed.status, 400);
    let message = unnamed.json()["error"]["message"].to_string();
    assert!(
        message.contains("production") && message.contains("staging"),
        "{message}"
    );
    let health = server.get("/api/v1/health", &[]).json();
    assert_eq!(
        health["revisions"],
        json!({ "production": 10, "staging": 4 })
    );

    // A new file is a new environment; a removed one stays served, and that is said.
    let qa = snapshot(1, None, "qa");
    folder.write("qa.json", &qa);
    server.serves("/sdk/v1/snapshot?environment=qa", 1, PICKED_UP);
    std::fs::remove_file(folder.0.join("staging.json")).expect("remove");
    server.logged(&[
        "staging.json",
        "is gone",
        "still serving `staging` at revision 4",
    ]);
    let kept = server.get("/sdk/v1/environments/staging/snapshot.json", &[]);
    assert_eq!(kept.body, staging.as_bytes());
}

#[test]
fn a_default_environment_serves_requests_that_name_none() {
    let folder = Folder::new("default");
    folder.write("production.json", &snapshot(5, None, "prod"));
    folder.write("staging.json", &snapshot(6, None, "stage"));
    let server = Server::start(&folder.0, &["--environment", "staging"]);
    assert_eq!(server.revision("/sdk/v1/snapshot"), Some(6));
    let (code, stderr) = run_to_exit(&[
        "--snapshot",
        folder.0.to_str().expect("UTF-8"),
        "--environment",
        "qa",
    ]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no snapshot file serves `qa`"), "{stderr}");
}

#[test]
fn a_higher_revision_written_to_the_file_is_served_and_announced_on_the_stream() {
    let folder = Folder::new("rewrite");
    let path = folder.write("production.json", &snapshot(1, None, "first"));
    let server = Server::start(&path, &[]);
    let mut stream = EventStream::open(&server.address, "/sdk/v1/stream?environment=production");
    assert_eq!(stream.status, 200);
    let content_type = stream
        .headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map(|(_, value)| value.as_str());
    assert_eq!(content_type, Some("text/event-stream"));
    let first = stream.next(PATIENCE).expect("the current revision at once");
    assert_eq!(first.event, "revision");
    let data: Value = serde_json::from_str(&first.data).expect("JSON data");
    assert_eq!(data, json!({ "environment": "production", "revision": 1 }));

    let second = snapshot(2, None, "second");
    let written = Instant::now();
    std::fs::write(&path, &second).expect("rewrite");
    let announced = stream.next(PICKED_UP).unwrap_or_else(|| {
        panic!(
            "no announcement within {PICKED_UP:?}; standard error:\n{}",
            server.log.text()
        )
    });
    assert!(written.elapsed() < PICKED_UP);
    let data: Value = serde_json::from_str(&announced.data).expect("JSON data");
    assert_eq!(data, json!({ "environment": "production", "revision": 2 }));
    let served = server.get("/sdk/v1/snapshot", &[]);
    assert_eq!(served.body, second.as_bytes());
    server.logged(&["serving", "production.json", "at revision 2"]);
}

#[test]
fn a_file_changed_at_the_same_revision_is_served_under_a_new_etag() {
    let folder = Folder::new("same-revision");
    let path = folder.write("production.json", &snapshot(3, None, "before"));
    let server = Server::start(&path, &[]);
    let before = server.get("/sdk/v1/snapshot", &[]);
    let after = snapshot(3, None, "after, edited by hand");
    std::fs::write(&path, &after).expect("rewrite");
    server.logged(&["serving", "at revision 3", "same revision"]);
    let served = server.get("/sdk/v1/snapshot", &[]);
    assert_eq!(served.body, after.as_bytes());
    assert_ne!(served.header("etag"), before.header("etag"));
}

#[test]
fn a_broken_file_is_refused_and_the_last_good_one_stays_served() {
    let folder = Folder::new("broken");
    let good = snapshot(5, None, "good");
    let path = folder.write("production.json", &good);
    let server = Server::start(&path, &[]);
    let mut stream = EventStream::open(&server.address, "/sdk/v1/stream");
    assert_eq!(
        stream.next(PATIENCE).map(|event| event.data),
        Some(json!({ "environment": "production", "revision": 5 }).to_string())
    );
    let still = "still serving `production` at revision 5";
    let file = path.to_str().expect("UTF-8");

    // Half written: not JSON yet.
    let next = snapshot(6, None, "next");
    std::fs::write(&path, &next[..next.len() / 2]).expect("write");
    let line = server.logged(&["refused", file, "NOT_JSON", still]);
    assert!(line.contains("does not load"), "{line}");
    assert_eq!(server.get("/sdk/v1/snapshot", &[]).body, good.as_bytes());

    // JSON of the wrong shape.
    let mut shape: Value = serde_json::from_str(&next).expect("JSON");
    shape["flags"][0]["variants"] = json!("yes");
    std::fs::write(&path, shape.to_string()).expect("write");
    server.logged(&["refused", file, "SHAPE at $.flags[0].variants", still]);
    assert_eq!(server.get("/sdk/v1/snapshot", &[]).body, good.as_bytes());

    // Good, but older than what is served.
    std::fs::write(&path, snapshot(4, None, "older")).expect("write");
    server.logged(&[
        "refused",
        file,
        "revision 4 is lower than the one served",
        still,
    ]);
    assert_eq!(server.get("/sdk/v1/snapshot", &[]).body, good.as_bytes());

    // Complete at last: served, and the stream announces only it.
    std::fs::write(&path, &next).expect("write");
    server.serves("/sdk/v1/snapshot", 6, PICKED_UP);
    let announced = stream.next(PICKED_UP).expect("an announcement");
    assert_eq!(
        announced.data,
        json!({ "environment": "production", "revision": 6 }).to_string()
    );
}

#[test]
fn a_file_that_does_not_load_at_start_stops_the_server_with_exit_code_2() {
    let folder = Folder::new("start");
    let broken = folder.write("production.json", "{\"schemaVersion\": 1, \"flags\": [");
    let (code, stderr) = run_to_exit(&["--snapshot", broken.to_str().expect("UTF-8")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("production.json cannot be served"),
        "{stderr}"
    );
    assert!(stderr.contains("NOT_JSON"), "{stderr}");

    // In a folder, one bad file is enough.
    folder.write("staging.json", &snapshot(1, None, "fine"));
    let (code, stderr) = run_to_exit(&["--snapshot", folder.0.to_str().expect("UTF-8")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("production.json cannot be served"),
        "{stderr}"
    );

    let empty = Folder::new("empty");
    let (code, stderr) = run_to_exit(&["--snapshot", empty.0.to_str().expect("UTF-8")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("holds no snapshot to serve"), "{stderr}");

    let named = folder.write("Production.json", &snapshot(1, None, "x"));
    let (code, stderr) = run_to_exit(&["--snapshot", named.to_str().expect("UTF-8")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("environment name"), "{stderr}");

    let missing = folder.0.join("missing.json");
    let (code, stderr) = run_to_exit(&["--snapshot", missing.to_str().expect("UTF-8")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot read --snapshot"), "{stderr}");
}

#[test]
fn the_snapshot_option_refuses_the_options_of_the_database() {
    let folder = Folder::new("conflicts");
    let path = folder.write("production.json", &snapshot(1, None, "x"));
    let path = path.to_str().expect("UTF-8");
    for option in [
        ["--database", "postgres://vexil@127.0.0.1:1/postgres"],
        ["--data", "somewhere"],
        ["--seed", path],
        ["--admin-token-file", path],
        ["--changes-per-hour", "5"],
    ] {
        let (code, stderr) = run_to_exit(&["--snapshot", path, option[0], option[1]]);
        assert_eq!(code, Some(2), "{option:?}: {stderr}");
        assert!(
            stderr.contains(&format!("cannot be combined with `{}`", option[0])),
            "{stderr}"
        );
        assert!(stderr.contains("vexil serve --help"), "{stderr}");
    }
}

#[test]
fn the_admin_api_and_the_events_endpoint_answer_that_the_server_is_read_only() {
    let folder = Folder::new("read-only");
    let path = folder.write("production.json", &snapshot(8, None, "x"));
    let server = Server::start(&path, &[]);
    for (method, path) in [
        ("GET", "/api/v1/flags"),
        ("POST", "/api/v1/flags"),
        ("PUT", "/api/v1/flags/banner"),
        ("GET", "/api/v1/environments"),
        ("GET", "/api/v1/tokens"),
    ] {
        let response = request(&server.address, method, path, &[]);
        assert_eq!(response.status, 404, "{method} {path}");
        let error = &response.json()["error"];
        assert_eq!(error["code"], "read-only", "{method} {path}");
        assert!(error["message"]
            .as_str()
            .is_some_and(|m| m.contains("--snapshot")));
    }
    let events = request(&server.address, "POST", "/sdk/v1/events", &[]);
    assert_eq!(events.status, 404);
    assert_eq!(events.json()["error"]["code"], "read-only");
    assert_eq!(events.header("access-control-allow-origin"), Some("*"));

    let health = server.get("/api/v1/health", &[]);
    assert_eq!(health.status, 200);
    assert_eq!(
        health.json(),
        json!({ "status": "ok", "mode": "read-only", "revisions": { "production": 8 } })
    );
    let elsewhere = server.get("/nothing-here", &[]);
    assert_eq!(elsewhere.status, 404);
    assert_eq!(elsewhere.json()["error"]["code"], "not-found");
}

#[test]
fn pages_on_other_origins_pass_the_cors_preflight() {
    let folder = Folder::new("cors");
    let path = folder.write("production.json", &snapshot(1, None, "x"));
    let server = Server::start(&path, &[]);
    for path in [
        "/sdk/v1/snapshot",
        "/sdk/v1/environments/production/snapshot.json",
        "/sdk/v1/stream",
    ] {
        let response = request(
            &server.address,
            "OPTIONS",
            path,
            &[
                ("Origin", "https://app.example"),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "if-none-match"),
            ],
        );
        assert_eq!(response.status, 204, "{path}");
        assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        assert!(response
            .header("access-control-allow-methods")
            .is_some_and(|methods| methods.contains("GET")));
        assert_eq!(
            response.header("access-control-allow-headers"),
            Some("if-none-match")
        );
    }
    let answer = server.get("/sdk/v1/snapshot", &[("Origin", "https://app.example")]);
    assert!(answer
        .header("access-control-expose-headers")
        .is_some_and(|exposed| exposed.contains("ETag") && exposed.contains("X-Vexil-Revision")));
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    let folder = Folder::new("stop");
    let path = folder.write("production.json", &snapshot(1, None, "x"));
    let mut server = Server::start(&path, &[]);
    let mut stream = EventStream::open(&server.address, "/sdk/v1/stream");
    assert!(stream.next(PATIENCE).is_some());
    let sent = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    server.logged(&["stopped"]);
}
