//! Admin writes from concurrent writers, each over its own connection and on its own flags
//! (so no writer's `If-Match` is spoiled by another): kill-switch toggles, and updates of a
//! flag's description with `If-Match`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http::{request, Connection};
use crate::stats::{micros, Figures};

/// Which write.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `POST /api/v1/flags/{key}/toggle`, flipping the flag.
    Toggle,
    /// `PUT /api/v1/flags/{key}` with `If-Match`, a new description each time.
    Update,
}

/// A write load.
#[derive(Clone)]
pub struct Writes {
    /// Where.
    pub address: SocketAddr,
    /// An editor's token.
    pub token: String,
    /// The flags written, spread over the writers.
    pub keys: Arc<Vec<String>>,
    /// Which write.
    pub kind: Kind,
    /// Concurrent writers.
    pub writers: usize,
    /// The most writes.
    pub writes: usize,
    /// The longest the measurement lasts.
    pub duration: Duration,
}

/// Runs `writes`: writes per second and the latency of each write.
pub async fn run(writes: &Writes) -> Result<Figures, String> {
    let started_count = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + writes.duration;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(writes.writers);
    for writer in 0..writes.writers {
        let keys: Vec<String> = writes
            .keys
            .iter()
            .skip(writer)
            .step_by(writes.writers)
            .cloned()
            .collect();
        let (writes, count) = (writes.clone(), started_count.clone());
        tasks.push(tokio::spawn(async move {
            writer_loop(&writes, keys, deadline, &count).await
        }));
    }
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for task in tasks {
        let (mine, refused) = task
            .await
            .map_err(|error| format!("a writer failed: {error}"))??;
        latencies.extend(mine);
        failed += refused;
    }
    Ok(Figures::of(latencies, failed, Some(started.elapsed())))
}

async fn writer_loop(
    writes: &Writes,
    keys: Vec<String>,
    deadline: Instant,
    count: &AtomicUsize,
) -> Result<(Vec<u32>, usize), String> {
    if keys.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut connection = Connection::open(writes.address)
        .await
        .map_err(|error| format!("cannot connect: {error}"))?;
    let authorization = format!("Bearer {}", writes.token);
    // The definition and version each flag had at this writer's last write.
    let mut known: HashMap<String, (Value, String)> = HashMap::new();
    let (mut latencies, mut failed) = (Vec::new(), 0);
    let mut turn = 0usize;
    while Instant::now() < deadline && count.fetch_add(1, Ordering::Relaxed) < writes.writes {
        let key = &keys[turn % keys.len()];
        turn += 1;
        let bytes = match writes.kind {
            Kind::Toggle => request(
                "POST",
                &format!("/api/v1/flags/{key}/toggle"),
                &[("Authorization", &authorization)],
                b"",
            ),
            Kind::Update => {
                if !known.contains_key(key) {
                    let current = read_flag(&mut connection, &authorization, key).await?;
                    known.insert(key.clone(), current);
                }
                let (definition, etag) = known.get_mut(key).ok_or("a flag was not read")?;
                describe(definition, turn);
                request(
                    "PUT",
                    &format!("/api/v1/flags/{key}"),
                    &[
                        ("Authorization", &authorization),
                        ("Content-Type", "application/json"),
                        ("If-Match", etag),
                    ],
                    definition.to_string().as_bytes(),
                )
            }
        };
        let sent = Instant::now();
        let reply = connection
            .exchange(&bytes, false)
            .await
            .map_err(|error| format!("a write failed: {error}"))?;
        if reply.head.status == 200 {
            latencies.push(micros(sent.elapsed()));
            if let (Some(etag), Some((_, known_etag))) = (reply.head.etag, known.get_mut(key)) {
                *known_etag = etag;
            }
        } else {
            failed += 1;
        }
    }
    Ok((latencies, failed))
}

/// A flag's definition and ETag, from `GET /api/v1/flags/{key}`.
async fn read_flag(
    connection: &mut Connection,
    authorization: &str,
    key: &str,
) -> Result<(Value, String), String> {
    let bytes = request(
        "GET",
        &format!("/api/v1/flags/{key}"),
        &[("Authorization", authorization)],
        b"",
    );
    let reply = connection
        .exchange(&bytes, true)
        .await
        .map_err(|error| format!("reading {key} failed: {error}"))?;
    if reply.head.status != 200 {
        return Err(format!("reading {key} answered {}", reply.head.status));
    }
    let definition = serde_json::from_slice(&reply.body)
        .map_err(|error| format!("{key} is not JSON: {error}"))?;
    let etag = reply
        .head
        .etag
        .ok_or_else(|| format!("{key} has no ETag"))?;
    Ok((definition, etag))
}

/// Gives the flag a new description (a change that keeps it valid).
fn describe(definition: &mut Value, turn: usize) {
    let Some(flag) = definition.as_object_mut() else {
        return;
    };
    let metadata = flag
        .entry("metadata")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Some(metadata) = metadata.as_object_mut() {
        metadata.insert(
            "description".to_owned(),
            Value::String(format!("Load test write {turn}.")),
        );
    }
}
