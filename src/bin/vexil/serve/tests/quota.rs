//! The change quota: 100 changes per flag per hour, counted in the database.

use serde_json::{json, Value};

use super::cluster;
use super::http::{on_both, Api};
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
    let cluster = cluster::start();
    let url = cluster::database(&cluster, "quota");
    the_101st_change_waits_for_the_next_hour(
        Fixture::on(
            Store::open_postgres(&url).await.expect("pg"),
            TempFolder::new("pg-a"),
        )
        .await,
    )
    .await;
    // A second instance on the same database sees the same count.
    let url2 = cluster::database(&cluster, "shared");
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

on_both!(the_quota_endpoint_reads_the_counter_changes_spend);

async fn quota_of(api: &Api, key: &str) -> Value {
    let reply = api
        .get(&format!("/api/v1/flags/{key}/quota"), &api.tokens.viewer)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

async fn the_quota_endpoint_reads_the_counter_changes_spend(api: Api) {
    let created = api
        .call("POST", "/api/v1/flags")
        .token(&api.tokens.editor)
        .body(flag("metered", true))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        quota_of(&api, "metered").await,
        json!({"flag": "metered", "environment": "production", "limit": 100, "used": 1,
               "remaining": 99, "resetAt": "2026-12-05T11:00:00Z"}),
        "the creation was the hour's first change"
    );
    let set = api
        .send_json(
            "POST",
            "/api/v1/flags/metered/overrides",
            &api.tokens.editor,
            &json!({ "targetingKey": "u1", "variant": "off" }),
        )
        .await;
    assert_eq!(set.status, 201, "{}", set.text());
    let after = quota_of(&api, "metered").await;
    assert_eq!(
        (after["used"].clone(), after["remaining"].clone()),
        (json!(2), json!(98))
    );
    // Reading the quota spends none of it.
    assert_eq!(quota_of(&api, "metered").await["used"], 2);
    for _ in 2..100 {
        toggle(&api.fixture, "metered")
            .await
            .expect("within the quota");
    }
    api.fixture.clock.set(TEN_O_CLOCK + HOUR_MS - 1);
    let full = quota_of(&api, "metered").await;
    assert_eq!(
        (full["used"].clone(), full["remaining"].clone()),
        (json!(100), json!(0))
    );
    assert_eq!(full["resetAt"], "2026-12-05T11:00:00Z");
    let refused = api
        .call("POST", "/api/v1/flags/metered/toggle")
        .token(&api.tokens.editor)
        .send()
        .await;
    let error = refused.error(429, "quota-exceeded");
    assert_eq!(error["details"]["resetAt"], full["resetAt"]);
    assert_eq!(
        quota_of(&api, "metered").await["used"],
        100,
        "a refused change is not counted"
    );
    api.fixture.clock.set(TEN_O_CLOCK + HOUR_MS);
    let next = quota_of(&api, "metered").await;
    assert_eq!(
        (next["used"].clone(), next["remaining"].clone()),
        (json!(0), json!(100))
    );
    assert_eq!(
        next["resetAt"], "2026-12-05T12:00:00Z",
        "the hour after the next"
    );
    let missing = api
        .get("/api/v1/flags/nope/quota", &api.tokens.viewer)
        .await;
    missing.error(404, "not-found");
}
