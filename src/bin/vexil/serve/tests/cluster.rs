//! The throwaway PostgreSQL cluster of `throwaway.rs`, for tests: any error fails the test
//! with what went wrong. PostgreSQL missing fails too: `make test` installs it, so a missing
//! server is a broken setup, not a reason to skip.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

pub use super::throwaway::Cluster;

/// Starts a cluster of this test's own.
pub fn start() -> Cluster {
    Cluster::start()
        .unwrap_or_else(|error| panic!("cannot start a throwaway PostgreSQL cluster: {error}"))
}

/// The cluster the running tests share: started by the first test that asks, stopped when the
/// last one holding it ends (a later test starts a new one). A static would never be dropped,
/// and the cluster would outlive the test binary.
pub fn shared() -> Arc<Cluster> {
    static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(|poison| poison.into_inner());
    if let Some(cluster) = shared.upgrade() {
        return cluster;
    }
    let cluster = Arc::new(start());
    *shared = Arc::downgrade(&cluster);
    cluster
}

/// A new, empty database named `name` in `cluster`; its URL.
pub fn database(cluster: &Cluster, name: &str) -> String {
    cluster.database(name).unwrap_or_else(|error| {
        panic!("cannot create the database {name} in the test cluster: {error}")
    })
}

/// A new, empty database with a name no other test of this process uses.
pub fn fresh_database(cluster: &Cluster) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    database(
        cluster,
        &format!("e2e_{}", NEXT.fetch_add(1, Ordering::SeqCst)),
    )
}
