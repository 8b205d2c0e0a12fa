//! Reads of an environment's state while more requests than the pool has connections read at
//! once: each holds one connection at a time, so none waits on the pool for long.

use std::time::Duration;

use super::cluster;
use super::{author, flag, Fixture, TempFolder};
use crate::serve::api::read_state;
use crate::serve::change::Edit;
use crate::serve::store::Store;

/// More than either pool's connections (4 on SQLite, 8 on PostgreSQL).
const AT_ONCE: usize = 24;

async fn reads_at_once_all_answer(fixture: Fixture) {
    let create = Edit::CreateFlag {
        definition: flag("busy", true),
    };
    let revision = fixture
        .service
        .change("production", create, &author())
        .await
        .expect("create")
        .revision;
    let reads = (0..AT_ONCE).map(|_| read_state(&fixture.service, "production"));
    // The pool's own wait is 10 s: a read stuck on it shows as a timeout here.
    let states = tokio::time::timeout(
        Duration::from_secs(5),
        futures_util::future::join_all(reads),
    )
    .await
    .expect("no read waits on the pool");
    for state in states {
        let state = state.expect("read");
        assert_eq!(state.revision, revision);
        assert_eq!(state.flags.len(), 1);
    }
    let missing = read_state(&fixture.service, "nowhere")
        .await
        .expect_err("no such environment");
    assert_eq!(missing.status.as_u16(), 404);
}

#[tokio::test]
async fn reads_at_once_on_sqlite() {
    reads_at_once_all_answer(Fixture::sqlite().await).await;
}

#[tokio::test]
async fn reads_at_once_on_postgres() {
    let cluster = cluster::start();
    let url = cluster::database(&cluster, "reads");
    let store = Store::open_postgres(&url).await.expect("open PostgreSQL");
    reads_at_once_all_answer(Fixture::on(store, TempFolder::new("reads")).await).await;
}
