//! Server-sent event subscribers on `/sdk/v1/stream`, and how long a change takes to reach
//! every one of them: from the moment the change is sent to the admin API until each
//! subscriber has read the `revision` event announcing it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::http::{request, Connection};
use crate::stats::micros;

/// Connections opened at once while subscribing (the listener's backlog is finite).
const CONNECTING_AT_ONCE: usize = 64;
/// How long a change may take to reach every subscriber before it counts as lost.
const DELIVERY_LIMIT: Duration = Duration::from_secs(10);

/// What every subscriber has seen: the newest revision, and when it arrived (nanoseconds
/// after `base`). Written by each subscriber's task, read by the measurer.
struct Seen {
    base: Instant,
    revision: Vec<AtomicI64>,
    arrived: Vec<AtomicU64>,
}

/// Open subscriptions; closed when dropped.
pub struct Subscribers {
    seen: Arc<Seen>,
    tasks: Vec<JoinHandle<Result<(), String>>>,
    /// How long subscribing all of them took.
    pub connecting: Duration,
}

impl Drop for Subscribers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Subscribes `count` clients with `key` and waits until each has its first event.
pub async fn subscribe(
    address: SocketAddr,
    key: &str,
    count: usize,
) -> Result<Subscribers, String> {
    let seen = Arc::new(Seen {
        base: Instant::now(),
        revision: (0..count).map(|_| AtomicI64::new(0)).collect(),
        arrived: (0..count).map(|_| AtomicU64::new(0)).collect(),
    });
    let bytes = Arc::new(request(
        "GET",
        "/sdk/v1/stream",
        &[
            ("Authorization", &format!("Bearer {key}")),
            ("Accept", "text/event-stream"),
        ],
        b"",
    ));
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let tasks = (0..count)
        .map(|index| {
            let (seen, bytes, gate) = (seen.clone(), bytes.clone(), gate.clone());
            tokio::spawn(async move { listen(address, &bytes, &gate, &seen, index).await })
        })
        .collect();
    let mut subscribers = Subscribers {
        seen,
        tasks,
        connecting: Duration::ZERO,
    };
    subscribers.await_revision(1, started).await?;
    subscribers.connecting = started.elapsed();
    Ok(subscribers)
}

impl Subscribers {
    /// Waits until every subscriber has seen `revision` or a newer one; the latency of each
    /// from `since`.
    async fn await_revision(&mut self, revision: i64, since: Instant) -> Result<Vec<u32>, String> {
        let deadline = Instant::now() + DELIVERY_LIMIT;
        loop {
            let waiting = self
                .seen
                .revision
                .iter()
                .filter(|seen| seen.load(Ordering::Acquire) < revision)
                .count();
            if waiting == 0 {
                break;
            }
            if let Some(failure) = self.failure().await {
                return Err(failure);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{waiting} of {} subscribers did not see revision {revision} within {} s",
                    self.seen.revision.len(),
                    DELIVERY_LIMIT.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let since = since.duration_since(self.seen.base);
        Ok(self
            .seen
            .arrived
            .iter()
            .map(|arrived| {
                let arrived = Duration::from_nanos(arrived.load(Ordering::Acquire));
                micros(arrived.saturating_sub(since))
            })
            .collect())
    }

    /// The first subscriber failure, if one has ended.
    async fn failure(&mut self) -> Option<String> {
        let ended = self.tasks.iter().position(JoinHandle::is_finished)?;
        let task = self.tasks.swap_remove(ended);
        Some(match task.await {
            Ok(Err(error)) => format!("a subscriber failed: {error}"),
            Ok(Ok(())) => "a subscriber's stream ended".to_owned(),
            Err(error) => format!("a subscriber's task failed: {error}"),
        })
    }

    /// Makes `change` (which answers the new revision); the time from sending it until each
    /// subscriber had read its announcement, in microseconds.
    pub async fn deliver<F>(&mut self, change: F) -> Result<Vec<u32>, String>
    where
        F: std::future::Future<Output = Result<i64, String>>,
    {
        let sent = Instant::now();
        let revision = change.await?;
        self.await_revision(revision, sent).await
    }
}

/// One subscriber: reads the stream and records each `revision` event as it arrives.
async fn listen(
    address: SocketAddr,
    bytes: &[u8],
    gate: &Semaphore,
    seen: &Seen,
    index: usize,
) -> Result<(), String> {
    let mut connection = {
        let _turn = gate.acquire().await.map_err(|error| error.to_string())?;
        let mut connection = Connection::open(address)
            .await
            .map_err(|error| format!("cannot connect: {error}"))?;
        connection
            .send(bytes)
            .await
            .map_err(|error| error.to_string())?;
        let head = connection.head().await.map_err(|error| error.to_string())?;
        if head.status != 200 {
            return Err(format!("the stream answered {}", head.status));
        }
        connection
    };
    let mut pending = String::new();
    while let Some(chunk) = connection
        .chunk()
        .await
        .map_err(|error| error.to_string())?
    {
        let arrived = seen.base.elapsed();
        pending.push_str(&String::from_utf8_lossy(&chunk));
        // Events end with a blank line; a chunk may hold several, or part of one.
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            if let Some(revision) = revision_of(&event) {
                let nanos = u64::try_from(arrived.as_nanos()).unwrap_or(u64::MAX);
                seen.arrived[index].store(nanos, Ordering::Release);
                seen.revision[index].fetch_max(revision, Ordering::AcqRel);
            }
        }
    }
    Ok(())
}

/// The revision a `revision` event announces.
fn revision_of(event: &str) -> Option<i64> {
    let mut kind = "message";
    let mut data = String::new();
    for line in event.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            kind = value.trim();
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.trim());
        }
    }
    if kind != "revision" {
        return None;
    }
    let data: serde_json::Value = serde_json::from_str(&data).ok()?;
    data.get("revision")?.as_i64()
}
