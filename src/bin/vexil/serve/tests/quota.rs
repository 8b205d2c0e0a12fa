//! The change quota: 100 changes per flag per hour, counted in the database.

use super::cluster::Cluster;
use super::{author, flag, Fixture, TempFolder, TEN_O_CLOCK};
use crate::serve::change::Edit;
use crate::serve::service::HOUR_MS;
use crate::serve::store::Store;

async fn toggle(fixture: &Fixture, key: &str) -> Result<i64, u16> {
    let edit = Edit::Toggle {
        key: key.to_owned(),
        enabled: None,
    };
    fixture
        .service
        .change("production", edit, &author())
        .await
        .map(|committed| committed.revision)
        .map_err(|error| error.status.as_u16())
}

async fn the_101st_change_waits_for_the_next_hour(fixture: Fixture) {
    let create = Edit::CreateFlag {
        definition: flag("busy", true),
    };
    fixture
        .service
        .change("production", create, &author())
        .await
        .expect("create");
    fixture
        .service
        .change(
            "production",
            Edit::CreateFlag {
                definition: flag("calm", true),
            },
            &author(),
        )
        .await
        .expect("create");
    // The creation was the first change of the hour.
    for _ in 1..100 {
        toggle(&fixture, "busy").await.expect("within the quota");
    }
    fixture.clock.set(TEN_O_CLOCK + HOUR_MS - 1);
    let refused = fixture
        .service
        .change(
            "production",
            Edit::Toggle {
                key: "busy".to_owned(),
                enabled: None,
            },
            &author(),
        )
        .await
        .expect_err("the 101st change");
    assert_eq!(refused.status.as_u16(), 429);
    assert_eq!(refused.retry_after, Some(1));
    let published = fixture.service.live.get("production").expect("published");
    assert_eq!(
        toggle(&fixture, "calm").await.map(|_| ()),
        Ok(()),
        "other flags are not held back"
    );
    let after = fixture.service.live.get("production").expect("published");
    assert_eq!(
        after.revision,
        published.revision + 1,
        "the refused change spent no revision"
    );
    fixture.clock.set(TEN_O_CLOCK + HOUR_MS);
    toggle(&fixture, "busy")
        .await
        .expect("the first change of the next hour");
}

#[tokio::test]
async fn quota_on_sqlite() {
    the_101st_change_waits_for_the_next_hour(Fixture::sqlite().await).await;
}

#[tokio::test]
async fn quota_on_postgres_is_shared_by_two_instances() {
    let cluster = Cluster::start();
    let url = cluster.database("quota");
    the_101st_change_waits_for_the_next_hour(
        Fixture::on(
            Store::open_postgres(&url).await.expect("pg"),
            TempFolder::new("pg-a"),
        )
        .await,
    )
    .await;
    // A second instance on the same database sees the same count.
    let url2 = cluster.database("shared");
    let first = Fixture::on(
        Store::open_postgres(&url2).await.expect("pg"),
        TempFolder::new("pg-b"),
    )
    .await;
    let second = Fixture::on(
        Store::open_postgres(&url2).await.expect("pg"),
        TempFolder::new("pg-c"),
    )
    .await;
    first
        .service
        .change(
            "production",
            Edit::CreateFlag {
                definition: flag("shared", true),
            },
            &author(),
        )
        .await
        .expect("create");
    for index in 1..100 {
        let which = if index % 2 == 0 { &first } else { &second };
        toggle(which, "shared").await.expect("within the quota");
    }
    assert_eq!(toggle(&second, "shared").await, Err(429));
    assert_eq!(toggle(&first, "shared").await, Err(429));
}

#[tokio::test]
async fn a_flag_without_enabled_is_on_and_the_toggle_turns_it_off() {
    let fixture = Fixture::sqlite().await;
    let definition = r#"{"key":"implicit","type":"boolean","variants":{"on":true,"off":false},"offVariant":"off","fallthrough":{"variant":"on"}}"#;
    fixture
        .service
        .change(
            "production",
            Edit::CreateFlag {
                definition: definition.to_owned(),
            },
            &author(),
        )
        .await
        .expect("create");
    let committed = fixture
        .service
        .change(
            "production",
            Edit::Toggle {
                key: "implicit".to_owned(),
                enabled: None,
            },
            &author(),
        )
        .await
        .expect("toggle");
    let flag = committed
        .state
        .flags
        .iter()
        .find(|flag| flag.key == "implicit")
        .expect("flag");
    assert!(
        flag.definition.contains(r#""enabled":false"#),
        "{}",
        flag.definition
    );
    assert_eq!(flag.version, 2);
}

#[tokio::test]
async fn an_expiry_is_not_held_back_by_a_flag_at_its_quota() {
    use crate::serve::store::OverrideRow;

    let fixture = Fixture::sqlite().await;
    let author = author();
    let change = |edit: Edit| fixture.service.change("production", edit, &author);
    change(Edit::CreateFlag {
        definition: flag("busy", true),
    })
    .await
    .expect("create");
    let half_past = TEN_O_CLOCK + HOUR_MS / 2;
    change(Edit::SetOverride(OverrideRow {
        flag: "busy".to_owned(),
        targeting_key: "u1".to_owned(),
        variant: "off".to_owned(),
        note: String::new(),
        set_by: "test".to_owned(),
        set_at: TEN_O_CLOCK,
        expires_at: Some(half_past),
    }))
    .await
    .expect("override");
    // With the creation and the override, the flag reaches its 100 changes this hour.
    for _ in 2..100 {
        toggle(&fixture, "busy").await.expect("within the quota");
    }
    assert_eq!(toggle(&fixture, "busy").await, Err(429), "at the quota");
    fixture.clock.set(half_past);
    let expired = change(Edit::ExpireOverrides)
        .await
        .expect("the service's own change counts against no quota");
    let kinds: Vec<&str> = expired.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["override.expire"]);
    assert!(expired.state.overrides.is_empty());
}
