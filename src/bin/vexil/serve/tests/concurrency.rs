//! Many writers on one flag with `If-Match`: no update is lost, each accepted change has its
//! audit row, revisions strictly increase, and readers never see a flag from one revision
//! labelled with another. On PostgreSQL the writers are spread over two instances.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};

use super::endpoints::serving;
use super::http::{on_both, Api};

on_both!(writers_with_if_match_lose_no_update);

const WRITERS: usize = 6;
const UPDATES_EACH: usize = 6;

fn counting(count: u64, writer: &str) -> String {
    serving(
        "contended",
        "on",
        &format!(r#","metadata":{{"count":{count},"lastWriter":"{writer}"}}"#),
    )
}

/// Reads the flag, adds one to its count, writes it back with `If-Match`; retries on 412.
/// Answers the revision of each accepted write.
async fn writer(api: Arc<Api>, token: String, name: String) -> Vec<i64> {
    let mut revisions = Vec::new();
    let mut conflicts = 0;
    while revisions.len() < UPDATES_EACH {
        let read = api.get("/api/v1/flags/contended", &token).await;
        assert_eq!(read.status, 200, "{}", read.text());
        let count = read.json()["metadata"]["count"].as_u64().expect("count");
        let written = api
            .call("PUT", "/api/v1/flags/contended")
            .token(&token)
            .header("If-Match", read.header("etag").expect("etag"))
            .body(counting(count + 1, &name))
            .send()
            .await;
        match written.status {
            200 => {
                assert_eq!(written.version(), read.version() + 1);
                revisions.push(written.revision());
            }
            412 => {
                written.error(412, "version-mismatch");
                conflicts += 1;
                assert!(conflicts < 1000, "{name} never got a turn");
            }
            other => panic!("{name}: {other} {}", written.text()),
        }
    }
    assert!(
        revisions.windows(2).all(|pair| pair[0] < pair[1]),
        "one writer's revisions increase: {revisions:?}"
    );
    revisions
}

/// Reads the flag until told to stop: the revision a read reports and the flag's version
/// move together (only this flag changes), so a read mixing two revisions shows up.
async fn reader(
    api: Arc<Api>,
    token: String,
    offset: i64,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> usize {
    let mut reads = 0;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let read = api.get("/api/v1/flags/contended", &token).await;
        assert_eq!(read.status, 200);
        assert_eq!(
            read.revision() - read.version(),
            offset,
            "a flag read at one revision and labelled with another"
        );
        let listed = api.get("/api/v1/flags", &token).await.json();
        let version = listed["flags"][0]["version"].as_i64().expect("version");
        assert_eq!(
            listed["revision"].as_i64().expect("revision") - version,
            offset,
            "{listed}"
        );
        reads += 1;
    }
    reads
}

async fn writers_with_if_match_lose_no_update(api: Api) {
    let created = api
        .call("POST", "/api/v1/flags")
        .token(&api.tokens.editor)
        .body(counting(0, "creator"))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let offset = created.revision() - created.version();
    let postgres = api.fixture.service.store.backend == crate::serve::store::Backend::Postgres;
    let first = Arc::new(api);
    let second = if postgres {
        Arc::new(first.another_instance().await)
    } else {
        first.clone()
    };
    let token = first.tokens.editor.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = [first.clone(), second.clone()]
        .into_iter()
        .map(|api| {
            tokio::spawn(reader(
                api,
                first.tokens.viewer.clone(),
                offset,
                stop.clone(),
            ))
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|index| {
            let api = if index % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(writer(api, token.clone(), format!("w{index}")))
        })
        .collect();
    let mut accepted = Vec::new();
    for writer in writers {
        accepted.extend(writer.await.expect("a writer"));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for reader in readers {
        assert!(reader.await.expect("a reader") > 0);
    }
    let total = WRITERS * UPDATES_EACH;
    let unique: BTreeSet<i64> = accepted.iter().copied().collect();
    assert_eq!(
        unique.len(),
        total,
        "each accepted write has its own revision"
    );

    let current = first.get("/api/v1/flags/contended", &token).await;
    assert_eq!(
        current.json()["metadata"]["count"],
        json!(total),
        "no update is lost"
    );
    assert_eq!(current.version(), i64::try_from(total).expect("small") + 1);
    let last = *unique.last().expect("writes");
    assert_eq!(current.revision(), last);
    assert_eq!(first.stored_revision("production").await, last);

    let history = first
        .get("/api/v1/flags/contended/history?limit=500", &token)
        .await
        .json();
    let entries = history["entries"].as_array().expect("entries");
    assert_eq!(
        entries.len(),
        total + 1,
        "one audit row per accepted change"
    );
    let revisions: Vec<i64> = entries
        .iter()
        .filter_map(|e| e["revision"].as_i64())
        .collect();
    assert!(
        revisions.windows(2).all(|pair| pair[0] > pair[1]),
        "{revisions:?}"
    );
    let updated: BTreeSet<i64> = revisions[..total].iter().copied().collect();
    assert_eq!(updated, unique, "the audit rows are the accepted writes");
    // Each row's before is the previous row's after: the changes form one chain.
    for pair in entries.windows(2) {
        assert_eq!(pair[0]["before"], pair[1]["after"]);
        let count = |entry: &Value| entry["after"]["metadata"]["count"].as_u64();
        assert_eq!(count(&pair[0]), count(&pair[1]).map(|c| c + 1));
    }
    // Both instances serve the last revision (the second learns it from the database).
    for api in [&first, &second] {
        api.eventually(10, "the last revision published", || async {
            let snapshot = api.get("/sdk/v1/snapshot", &api.tokens.server).await;
            (snapshot.revision() == last).then_some(())
        })
        .await;
    }
}
