//! Crash safety of `vexil serve` on SQLite: the real binary is killed with SIGKILL in the middle
//! of a stream of writes from several threads and started again on the same data folder. The
//! database, the audit trail and the published snapshot must agree, and every write answered
//! before the kill must be there.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

/// A fixed admin token of the right shape (`vxa_<12 hex>_<64 hex>`): the test needs to know it
/// before the server starts.
fn admin_token() -> String {
    format!("vxa_{:012x}_{}", std::process::id(), "5e".repeat(32))
}

/// A data folder under the system temp dir, removed when dropped.
struct DataFolder(PathBuf);

impl DataFolder {
    fn new() -> DataFolder {
        let path = std::env::temp_dir().join(format!("vexil-crash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("data folder");
        DataFolder(path)
    }
}

impl Drop for DataFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `vexil serve`, killed by its PID when dropped (also when a check fails).
struct Server {
    child: Child,
    base: String,
    output: Arc<Mutex<String>>,
}

impl Server {
    fn start(data: &DataFolder, token: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vexil"))
            .arg("serve")
            .arg("--data")
            .arg(&data.0)
            .args(["--listen", "127.0.0.1:0", "--changes-per-hour", "1000000"])
            .env("VEXIL_ADMIN_TOKEN", token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start vexil serve");
        let output = Arc::new(Mutex::new(String::new()));
        let (address_tx, address_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let collected = output.clone();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listening on ") {
                    let _ = address_tx.send(address.to_owned());
                }
                collected.lock().expect("output").push_str(&line);
            }
        });
        let collected = output.clone();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                collected.lock().expect("output").push_str(&line);
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            output,
        };
        match address_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => server.base = address,
            Err(_) => panic!(
                "no `listening on` line: {}",
                server.output.lock().expect("output")
            ),
        }
        server
    }

    /// SIGKILL by PID: no clean shutdown, no flush, as in a power cut of the process.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn output(&self) -> String {
        self.output.lock().expect("output").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl Client {
    fn new(base: &str, token: &str) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            base: base.to_owned(),
            token: token.to_owned(),
        }
    }

    fn get(&self, path: &str) -> (u16, Option<String>, String) {
        let response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()
            .expect("GET");
        read(response)
    }

    /// A write; `None` when the connection failed (the server is gone).
    fn send(&self, method: &str, path: &str, body: &str) -> Option<u16> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "POST" => self.agent.post(url),
            _ => self.agent.put(url),
        };
        let response = request
            .header("Authorization", format!("Bearer {}", self.token))
            .send(body)
            .ok()?;
        Some(response.status().as_u16())
    }

    fn json(&self, path: &str) -> Value {
        let (status, _, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }
}

fn read(response: ureq::http::Response<ureq::Body>) -> (u16, Option<String>, String) {
    let status = response.status().as_u16();
    let revision = response
        .headers()
        .get("x-vexil-revision")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .into_body()
        .read_to_string()
        .expect("read the body");
    (status, revision, body)
}

fn flag(key: &str, count: u64) -> String {
    format!(
        r#"{{"key":"{key}","type":"boolean","variants":{{"on":true,"off":false}},"offVariant":"off","fallthrough":{{"variant":"on"}},"metadata":{{"count":{count}}}}}"#
    )
}

/// What one writer was told before the kill.
#[derive(Default)]
struct Written {
    /// Flags it created and was answered 201 for, with the text sent.
    created: Vec<(String, String)>,
    /// The last count of its counter flag answered 200, and the last one sent.
    counter_accepted: u64,
    counter_sent: u64,
}

/// Creates flags and updates its counter flag until the server stops answering.
fn writer(base: String, token: String, index: usize, stop: Arc<AtomicBool>) -> Written {
    let client = Client::new(&base, &token);
    let counter = format!("counter-{index}");
    let mut written = Written::default();
    for step in 1u64.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let outcome = if step % 2 == 0 {
            let key = format!("w{index}-{step}");
            let text = flag(&key, step);
            let status = client.send("POST", "/api/v1/flags", &text);
            if status == Some(201) {
                written.created.push((key, text));
            }
            status
        } else {
            written.counter_sent = step;
            let status = client.send(
                "PUT",
                &format!("/api/v1/flags/{counter}"),
                &flag(&counter, step),
            );
            if status == Some(200) {
                written.counter_accepted = step;
            }
            status
        };
        match outcome {
            Some(200 | 201) => {}
            Some(status) => panic!("writer {index}: unexpected {status}"),
            None => break,
        }
    }
    written
}

const WRITERS: usize = 4;

#[test]
fn a_killed_server_restarts_with_database_audit_and_snapshot_in_agreement() {
    let data = DataFolder::new();
    let token = admin_token();
    let mut server = Server::start(&data, &token);
    let client = Client::new(&server.base, &token);
    for index in 0..WRITERS {
        let key = format!("counter-{index}");
        assert_eq!(
            client.send("POST", "/api/v1/flags", &flag(&key, 0)),
            Some(201)
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|index| {
            let (base, token, stop) = (server.base.clone(), token.clone(), stop.clone());
            thread::spawn(move || writer(base, token, index, stop))
        })
        .collect();
    // Kill once the writes are well under way, in the middle of the stream.
    let started = std::time::Instant::now();
    loop {
        thread::sleep(Duration::from_millis(50));
        let revision = client.json("/api/v1/flags?limit=1")["revision"]
            .as_i64()
            .unwrap_or(0);
        if revision > 60 || started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    server.kill();
    stop.store(true, Ordering::SeqCst);
    let written: Vec<Written> = writers
        .into_iter()
        .map(|writer| writer.join().expect("a writer"))
        .collect();
    let first_output = server.output();
    let accepted: usize = written.iter().map(|w| w.created.len()).sum();
    assert!(
        accepted >= 10,
        "the stream was under way: {accepted} creations"
    );

    let server = Server::start(&data, &token);
    let client = Client::new(&server.base, &token);
    check_agreement(&client, &written);
    // The restarted server takes writes again.
    assert_eq!(
        client.send("POST", "/api/v1/flags", &flag("after-restart", 0)),
        Some(201)
    );
    let second_output = server.output();
    drop(server);
    for output in [first_output, second_output] {
        assert!(!output.contains(&token), "the admin token in the log");
        assert!(!output.contains("panicked"), "{output}");
    }
    let (counted, audited) = quota_and_audit(&data);
    assert!(audited > 10, "{audited} flag changes audited");
    assert_eq!(
        counted, audited,
        "each flag change was counted against the quota in its own transaction"
    );
}

/// The changes the quota counted and the flag changes audited, read from the database file
/// once the server is gone.
fn quota_and_audit(data: &DataFolder) -> (i64, i64) {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}?mode=ro", data.0.join("vexil.db").display());
        let mut conn = sqlx::AnyConnection::connect(&url)
            .await
            .expect("open the database");
        let counted: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(changes), 0) FROM change_counts WHERE environment = 'production'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("read the counts");
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit WHERE environment = 'production' AND subject_type = 'flag'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("read the audit trail");
        (counted, audited)
    })
}

fn check_agreement(client: &Client, written: &[Written]) {
    let (status, header, body) = client.get("/sdk/v1/snapshot?environment=production");
    assert_eq!(status, 200, "{body}");
    let snapshot: Value = serde_json::from_str(&body).expect("the snapshot");
    let revision = snapshot["revision"].as_i64().expect("revision");
    assert_eq!(header, Some(revision.to_string()));
    let environments = client.json("/api/v1/environments");
    let stored = environments["environments"]
        .as_array()
        .expect("environments")
        .iter()
        .find(|env| env["name"] == "production")
        .and_then(|env| env["revision"].as_i64());
    assert_eq!(
        stored,
        Some(revision),
        "the snapshot is the stored revision's"
    );

    let published: BTreeMap<String, Value> = snapshot["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|flag| (flag["key"].as_str().expect("key").to_owned(), flag.clone()))
        .collect();
    let listed = client.json("/api/v1/flags?limit=500");
    assert_eq!(listed["revision"], revision);
    assert_eq!(listed["total"], json!(published.len()));
    let mut revisions: Vec<i64> = Vec::new();
    for key in published.keys() {
        let stored: Value = client.json(&format!("/api/v1/flags/{key}"));
        assert_eq!(
            &stored, &published[key],
            "{key}: stored and published agree"
        );
        let history = client.json(&format!("/api/v1/flags/{key}/history?limit=500"));
        revisions.extend(
            history["entries"]
                .as_array()
                .expect("entries")
                .iter()
                .filter_map(|entry| entry["revision"].as_i64()),
        );
    }
    // Revision 1 created the environment; each later one is one flag's change.
    revisions.sort_unstable();
    let expected: Vec<i64> = (2..=revision).collect();
    assert_eq!(
        revisions, expected,
        "one audit row per revision, no gap, no repeat"
    );

    for (index, written) in written.iter().enumerate() {
        for (key, text) in &written.created {
            let (status, _, body) = client.get(&format!("/api/v1/flags/{key}"));
            assert_eq!(
                (status, body.as_str()),
                (200, text.as_str()),
                "{key} was accepted"
            );
        }
        let counter = &published[&format!("counter-{index}")];
        let count = counter["metadata"]["count"].as_u64().expect("count");
        assert!(
            (written.counter_accepted..=written.counter_sent).contains(&count),
            "counter-{index} at {count}: accepted {}, sent {}",
            written.counter_accepted,
            written.counter_sent
        );
    }
    let unique: BTreeSet<&String> = published.keys().collect();
    assert_eq!(unique.len(), published.len());
}
