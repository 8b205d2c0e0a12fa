//! Closed-loop load: a number of kept-alive connections, each sending the same request again
//! as soon as the previous answer is read, until a request count or a deadline is reached.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::Connection;
use crate::stats::{micros, Figures};

/// One load to apply.
#[derive(Clone)]
pub struct Load {
    /// Where.
    pub address: SocketAddr,
    /// The request's bytes.
    pub request: Arc<Vec<u8>>,
    /// The status every answer must have.
    pub expect: u16,
    /// How many connections send at once.
    pub connections: usize,
    /// The most requests sent (the warm-up not counted).
    pub requests: usize,
    /// The longest the measurement lasts.
    pub duration: Duration,
    /// Unmeasured load first, so connections are open and caches warm.
    pub warm_up: Duration,
}

/// Applies `load`: its rate, and the latencies of its answers.
pub async fn run(load: &Load) -> Result<Figures, String> {
    let mut connections = Vec::with_capacity(load.connections);
    for _ in 0..load.connections {
        let connection = Connection::open(load.address)
            .await
            .map_err(|error| format!("cannot connect to {}: {error}", load.address))?;
        connections.push(connection);
    }
    let (connections, _) = phase(load, connections, load.warm_up, usize::MAX).await?;
    let started = Instant::now();
    let (_, outcome) = phase(load, connections, load.duration, load.requests).await?;
    let elapsed = started.elapsed();
    let (latencies, failed) = outcome;
    Ok(Figures::of(latencies, failed, Some(elapsed)))
}

type Outcome = (Vec<u32>, usize);

/// Every connection sends until `limit` requests were started or `duration` is over.
async fn phase(
    load: &Load,
    connections: Vec<Connection>,
    duration: Duration,
    limit: usize,
) -> Result<(Vec<Connection>, Outcome), String> {
    let deadline = Instant::now() + duration;
    let started = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(connections.len());
    for connection in connections {
        let (request, expect, started) = (load.request.clone(), load.expect, started.clone());
        tasks.push(tokio::spawn(async move {
            drive(connection, &request, expect, deadline, &started, limit).await
        }));
    }
    let mut kept = Vec::with_capacity(tasks.len());
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for task in tasks {
        let (connection, outcome) = task
            .await
            .map_err(|error| format!("a load task failed: {error}"))??;
        kept.push(connection);
        latencies.extend(outcome.0);
        failed += outcome.1;
    }
    Ok((kept, (latencies, failed)))
}

async fn drive(
    mut connection: Connection,
    request: &[u8],
    expect: u16,
    deadline: Instant,
    started: &AtomicUsize,
    limit: usize,
) -> Result<(Connection, Outcome), String> {
    let (mut latencies, mut failed) = (Vec::new(), 0);
    while Instant::now() < deadline && started.fetch_add(1, Ordering::Relaxed) < limit {
        let sent = Instant::now();
        let reply = connection
            .exchange(request, false)
            .await
            .map_err(|error| format!("a request failed: {error}"))?;
        if reply.head.status == expect {
            latencies.push(micros(sent.elapsed()));
        } else {
            failed += 1;
        }
    }
    Ok((connection, (latencies, failed)))
}
