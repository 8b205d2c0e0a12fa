//! Several instances on one PostgreSQL database: a change made on one is served by the
//! others within a second, and so is a revoked token.

use std::time::Duration;

use super::cluster;
use super::{author, flag, Fixture, TempFolder};
use crate::serve::api::admin::issue;
use crate::serve::auth::authenticate;
use crate::serve::change::Edit;
use crate::serve::store::{tokens, Store};
use crate::serve::sync;
use crate::serve::tokens::TokenKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_instance_reaches_the_others_subscribers_within_a_second() {
    let cluster = cluster::start();
    let url = cluster::database(&cluster, "instances");
    let writer = Fixture::on(
        Store::open_postgres(&url).await.expect("pg"),
        TempFolder::new("pg-w"),
    )
    .await;
    let reader = Fixture::on(
        Store::open_postgres(&url).await.expect("pg"),
        TempFolder::new("pg-r"),
    )
    .await;
    reader.service.reload().await.expect("reload");
    sync::start(&reader.service);
    let mut announcements = reader.service.live.subscribe();
    // The listener connects in the background; give it a moment before the change it must see.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let committed = writer
        .service
        .change(
            "production",
            Edit::CreateFlag {
                definition: flag("remote", true),
            },
            &author(),
        )
        .await
        .expect("change");
    let started = std::time::Instant::now();
    let announcement = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            match announcements.recv().await {
                Ok(announcement) if announcement.revision == committed.revision => {
                    return announcement
                }
                Ok(_) => {}
                Err(error) => panic!("announcements ended: {error}"),
            }
        }
    })
    .await
    .expect("the other instance serves the change within a second");
    assert_eq!(announcement.environment, "production");
    let served = reader.service.live.get("production").expect("served");
    assert_eq!(served.revision, committed.revision);
    assert!(
        served.engine.flag("remote").is_some(),
        "the other instance serves the new document"
    );
    assert!(started.elapsed() < Duration::from_secs(1));

    // A token the reader has seen (and cached) stops working there once revoked on the writer.
    let made = issue(
        &writer.service,
        TokenKind::Admin,
        Some("viewer".to_owned()),
        None,
        "temp",
        "test",
    )
    .await
    .expect("issue");
    let token = made["token"].as_str().expect("token").to_owned();
    authenticate(&reader.service, Some(&token))
        .await
        .expect("valid at first");
    let id = made["id"].as_str().expect("id");
    assert!(tokens::revoke(&writer.service.store.pool, id, 0)
        .await
        .expect("revoke"));
    writer.service.tokens_changed().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while authenticate(&reader.service, Some(&token)).await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the revocation reached the reader within a second"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = reader.service.shutdown.send(true);
}
