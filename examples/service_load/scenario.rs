//! What is measured, in which order, against which service: with the example snapshot and a
//! generated 200-flag one, the read path, the stream (200 flags) and the admin writes on
//! SQLite; with a 5,000-flag one, writes and what they do to reads; then the writes on
//! PostgreSQL.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::{request, Connection};
use crate::load::{self, Load};
use crate::options::Options;
use crate::process::{Cluster, Database, Service, TempFolder};
use crate::report::Report;
use crate::stats::{micros, Figures};
use crate::stream;
use crate::writes::{self, Kind, Writes};

/// Changes allowed per flag per hour: far above what a run makes, so the quota never answers.
const CHANGES_PER_HOUR: u32 = 1_000_000;
/// A pause between two changes delivered to the subscribers.
const BETWEEN_CHANGES: Duration = Duration::from_millis(200);

/// A snapshot the service is seeded with.
struct Snapshot {
    label: &'static str,
    path: PathBuf,
    keys: Arc<Vec<String>>,
    /// Too large to time reads of whole documents or every kind of write with it in minutes:
    /// only toggles, alone and during revalidations.
    large: bool,
}

impl Snapshot {
    fn read(label: &'static str, path: PathBuf) -> Result<Snapshot, String> {
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let document: serde_json::Value = serde_json::from_str(&text)
            .map_err(|error| format!("{} is not JSON: {error}", path.display()))?;
        let keys: Vec<String> = document["flags"]
            .as_array()
            .map(|flags| {
                flags
                    .iter()
                    .filter_map(|flag| flag["key"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if keys.is_empty() {
            return Err(format!("{} has no flags", path.display()));
        }
        Ok(Snapshot {
            label,
            path,
            large: keys.len() > 1000,
            keys: Arc::new(keys),
        })
    }

    fn generated(label: &'static str, flags: usize, folder: &Path) -> Result<Snapshot, String> {
        let path = folder.join(format!("snapshot-{flags}.json"));
        std::fs::write(&path, crate::support::snapshot(flags).json)
            .map_err(|error| format!("cannot write the {flags}-flag snapshot: {error}"))?;
        Snapshot::read(label, path)
    }
}

/// Runs every measurement `options` asks for; the report as Markdown.
pub async fn measure(options: &Options) -> Result<String, String> {
    let seeds = TempFolder::create("seeds")?;
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/snapshot.json");
    let snapshots = [
        Snapshot::read("example snapshot", example)?,
        Snapshot::generated("200 flags", 200, &seeds.0)?,
        Snapshot::generated("5,000 flags", 5000, &seeds.0)?,
    ];
    let mut report = Report::default();
    report.note(format!("code: commit {}", commit()));
    report.note(format!("load average at the start: {}", load_average()));
    report.note(format!(
        "{} runs of each; throughput over {} connections for {} s (at most {} requests); {} writers",
        options.runs,
        options.connections,
        options.duration.as_secs(),
        options.requests,
        options.writers
    ));
    for snapshot in &snapshots {
        let reads = options.runs_group("read") && !snapshot.large;
        let stream = options.runs_group("stream") && snapshot.label == "200 flags";
        let write = options.runs_group("write");
        if !(reads || stream || write) {
            continue;
        }
        let service = start(options, Database::Sqlite, snapshot, "SQLite")?;
        if reads {
            read_path(options, &service, snapshot, &mut report).await?;
        }
        if stream {
            fan_out(options, &service, snapshot, &mut report).await?;
        }
        if write {
            write_path(options, &service, snapshot, "SQLite", &mut report).await?;
        }
    }
    if options.runs_group("postgres") {
        let cluster = Cluster::start()?;
        for (index, snapshot) in snapshots.iter().enumerate().filter(|(_, s)| !s.large) {
            let url = cluster.database(&format!("bench_{index}"))?;
            let service = start(options, Database::Postgres(&url), snapshot, "PostgreSQL")?;
            write_path(options, &service, snapshot, "PostgreSQL", &mut report).await?;
        }
    }
    report.note(format!("load average at the end: {}", load_average()));
    Ok(report.render())
}

fn start(
    options: &Options,
    database: Database,
    snapshot: &Snapshot,
    name: &str,
) -> Result<Service, String> {
    let service = Service::start(&options.vexil, database, &snapshot.path, CHANGES_PER_HOUR)?;
    eprintln!(
        "{} on {name}: vexil serve pid {} at {}",
        snapshot.label,
        service.pid(),
        service.address
    );
    Ok(service)
}

/// The config endpoint's request with the server key and `extra` headers.
fn snapshot_request(service: &Service, extra: &[(&str, &str)]) -> Vec<u8> {
    let authorization = format!("Bearer {}", service.server_key);
    let mut headers = vec![("Authorization", authorization.as_str())];
    headers.extend_from_slice(extra);
    request("GET", "/sdk/v1/snapshot", &headers, b"")
}

/// The current ETag of the snapshot, and the sizes of its identity and brotli bodies.
async fn probe(service: &Service) -> Result<(String, usize, usize), String> {
    let mut connection = Connection::open(service.address)
        .await
        .map_err(|error| format!("cannot connect: {error}"))?;
    let failed = |error: std::io::Error| format!("the probe failed: {error}");
    let plain = connection
        .exchange(&snapshot_request(service, &[]), false)
        .await
        .map_err(failed)?;
    let brotli = connection
        .exchange(
            &snapshot_request(service, &[("Accept-Encoding", "br")]),
            false,
        )
        .await
        .map_err(failed)?;
    let etag = plain.head.etag.ok_or("the snapshot has no ETag")?;
    Ok((etag, plain.length, brotli.length))
}

fn load_of(options: &Options, service: &Service, request: Vec<u8>, expect: u16) -> Load {
    Load {
        address: service.address,
        request: Arc::new(request),
        expect,
        connections: options.connections,
        requests: options.requests,
        duration: options.duration,
        warm_up: Duration::from_millis(500),
    }
}

async fn read_path(
    options: &Options,
    service: &Service,
    snapshot: &Snapshot,
    report: &mut Report,
) -> Result<(), String> {
    let (etag, identity, brotli) = probe(service).await?;
    report.note(format!(
        "{}: the snapshot is {identity} bytes, {brotli} with brotli",
        snapshot.label
    ));
    let revalidate = snapshot_request(service, &[("If-None-Match", &etag)]);
    let brotli = snapshot_request(service, &[("Accept-Encoding", "br")]);
    let identity = snapshot_request(service, &[]);
    let label = snapshot.label;
    for _ in 0..options.runs {
        let figures = load::run(&load_of(options, service, revalidate.clone(), 304)).await?;
        report.record(format!("{label}: revalidation (304)"), figures);
        let figures = load::run(&load_of(options, service, brotli.clone(), 200)).await?;
        report.record(format!("{label}: full GET, brotli"), figures);
        let figures = load::run(&load_of(options, service, identity.clone(), 200)).await?;
        report.record(format!("{label}: full GET, identity"), figures);
    }
    Ok(())
}

async fn fan_out(
    options: &Options,
    service: &Service,
    snapshot: &Snapshot,
    report: &mut Report,
) -> Result<(), String> {
    let label = snapshot.label;
    let count = options.subscribers;
    let mut admin = Connection::open(service.address)
        .await
        .map_err(|error| format!("cannot connect: {error}"))?;
    for run in 0..options.runs {
        let mut subscribers =
            stream::subscribe(service.address, &service.server_key, count).await?;
        report.note(format!(
            "{label}, run {}: {count} subscribers connected and had their first event in {:.0} ms",
            run + 1,
            subscribers.connecting.as_secs_f64() * 1000.0
        ));
        let (etag, _, _) = probe(service).await?;
        let revalidate = snapshot_request(service, &[("If-None-Match", &etag)]);
        let figures = load::run(&load_of(options, service, revalidate, 304)).await?;
        report.record(
            format!("{label}: revalidation (304), {count} subscribers connected"),
            figures,
        );
        let (mut delivered, mut changes) = (Vec::new(), Vec::new());
        for change in 0..options.changes {
            let key = &snapshot.keys[change % snapshot.keys.len()];
            let toggle = async {
                let sent = Instant::now();
                let revision = toggle(&mut admin, &service.admin_token, key).await;
                changes.push(micros(sent.elapsed()));
                revision
            };
            delivered.extend(subscribers.deliver(toggle).await?);
            tokio::time::sleep(BETWEEN_CHANGES).await;
        }
        report.record(
            format!("{label}: a change reaching each of {count} subscribers"),
            Figures::of(delivered, 0, None),
        );
        report.record(
            format!("{label}: the change itself (toggle answered), {count} subscribers"),
            Figures::of(changes, 0, None),
        );
    }
    Ok(())
}

/// Flips `key`'s kill switch; the new revision.
async fn toggle(connection: &mut Connection, token: &str, key: &str) -> Result<i64, String> {
    let bytes = request(
        "POST",
        &format!("/api/v1/flags/{key}/toggle"),
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    let reply = connection
        .exchange(&bytes, false)
        .await
        .map_err(|error| format!("the toggle failed: {error}"))?;
    match (reply.head.status, reply.head.revision) {
        (200, Some(revision)) => Ok(revision),
        (status, _) => Err(format!("the toggle answered {status}")),
    }
}

async fn write_path(
    options: &Options,
    service: &Service,
    snapshot: &Snapshot,
    database: &str,
    report: &mut Report,
) -> Result<(), String> {
    let label = snapshot.label;
    let writers = options.writers;
    let writes_of = |kind, duration| Writes {
        address: service.address,
        token: service.admin_token.clone(),
        keys: snapshot.keys.clone(),
        kind,
        writers,
        writes: options.writes,
        duration,
    };
    let kinds: &[(Kind, &str)] = if snapshot.large {
        &[(Kind::Toggle, "toggles")]
    } else {
        &[
            (Kind::Toggle, "toggles"),
            (Kind::Update, "updates with If-Match"),
        ]
    };
    for _ in 0..options.runs {
        for (kind, what) in kinds {
            let figures = writes::run(&writes_of(*kind, options.write_duration)).await?;
            report.record(
                format!("{label}: {what} on {database}, {writers} writers"),
                figures,
            );
        }
        if database == "SQLite" {
            // `If-None-Match: *` is answered 304 whatever the revision, so every answer stays
            // a revalidation while the writes change the snapshot.
            let revalidate = snapshot_request(service, &[("If-None-Match", "*")]);
            let reads = load_of(options, service, revalidate, 304);
            let toggles = writes_of(Kind::Toggle, options.duration);
            let (reads, toggles) = tokio::join!(load::run(&reads), writes::run(&toggles));
            report.record(
                format!("{label}: revalidation (304) during toggles by {writers} writers"),
                reads?,
            );
            report.record(
                format!("{label}: toggles by {writers} writers during revalidations"),
                toggles?,
            );
        }
    }
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The checked-out commit, marked when the work tree differs from it.
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    let Some(commit) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".to_owned();
    };
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if changes.is_empty() => commit,
        _ => format!("{commit} with uncommitted changes"),
    }
}
