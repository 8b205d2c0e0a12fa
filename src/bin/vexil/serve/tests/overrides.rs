//! Per-user overrides through the edits that touch them: setting one replaces only that
//! user's override of that flag, removing one removes only it, and deleting or pushing flags
//! keeps the overrides of the flags that remain.

use super::{author, flag, Fixture, TEN_O_CLOCK};
use crate::serve::change::Edit;
use crate::serve::service::Committed;
use crate::serve::store::OverrideRow;

fn forcing(flag: &str, targeting_key: &str, variant: &str) -> OverrideRow {
    OverrideRow {
        flag: flag.to_owned(),
        targeting_key: targeting_key.to_owned(),
        variant: variant.to_owned(),
        note: String::new(),
        set_by: "test".to_owned(),
        set_at: TEN_O_CLOCK,
        expires_at: None,
    }
}

/// The overrides stored, as (flag, user, variant), in the store's order.
async fn overrides(fixture: &Fixture) -> Vec<(String, String, String)> {
    let stored = crate::serve::store::state::read(&fixture.service.store, "production")
        .await
        .expect("read")
        .expect("the environment");
    stored
        .overrides
        .into_iter()
        .map(|row| (row.flag, row.targeting_key, row.variant))
        .collect()
}

fn rows(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(flag, user, variant)| {
            (
                (*flag).to_owned(),
                (*user).to_owned(),
                (*variant).to_owned(),
            )
        })
        .collect()
}

async fn with_flags(keys: &[&str]) -> Fixture {
    let fixture = Fixture::sqlite().await;
    for key in keys {
        change(
            &fixture,
            Edit::CreateFlag {
                definition: flag(key, true),
            },
        )
        .await;
    }
    fixture
}

async fn change(fixture: &Fixture, edit: Edit) -> Committed {
    fixture
        .service
        .change("production", edit, &author())
        .await
        .expect("change")
}

#[tokio::test]
async fn setting_an_override_replaces_only_that_users_override_of_that_flag() {
    let fixture = with_flags(&["a", "b"]).await;
    for (flag, user, variant) in [("a", "u1", "on"), ("a", "u2", "on"), ("b", "u1", "off")] {
        change(&fixture, Edit::SetOverride(forcing(flag, user, variant))).await;
    }
    let replaced = change(&fixture, Edit::SetOverride(forcing("a", "u1", "off"))).await;
    assert_eq!(
        overrides(&fixture).await,
        rows(&[("a", "u1", "off"), ("a", "u2", "on"), ("b", "u1", "off")])
    );
    let kinds: Vec<(&str, &str)> = replaced
        .entries
        .iter()
        .map(|entry| (entry.subject.as_str(), entry.kind.as_str()))
        .collect();
    assert_eq!(kinds, [("a", "override.set")]);
}

#[tokio::test]
async fn removing_an_override_removes_only_that_one() {
    let fixture = with_flags(&["a", "b"]).await;
    for (flag, user) in [("a", "u1"), ("a", "u2"), ("b", "u1")] {
        change(&fixture, Edit::SetOverride(forcing(flag, user, "off"))).await;
    }
    change(
        &fixture,
        Edit::RemoveOverride {
            flag: "a".to_owned(),
            targeting_key: "u1".to_owned(),
        },
    )
    .await;
    assert_eq!(
        overrides(&fixture).await,
        rows(&[("a", "u2", "off"), ("b", "u1", "off")])
    );
}

#[tokio::test]
async fn deleting_a_flag_removes_its_overrides_and_no_others() {
    let fixture = with_flags(&["a", "b"]).await;
    for flag in ["a", "b"] {
        change(&fixture, Edit::SetOverride(forcing(flag, "u1", "off"))).await;
    }
    change(
        &fixture,
        Edit::DeleteFlag {
            key: "b".to_owned(),
            if_match: None,
        },
    )
    .await;
    assert_eq!(overrides(&fixture).await, rows(&[("a", "u1", "off")]));
    // Created again, the flag starts without the old overrides.
    change(
        &fixture,
        Edit::CreateFlag {
            definition: flag("b", true),
        },
    )
    .await;
    assert_eq!(overrides(&fixture).await, rows(&[("a", "u1", "off")]));
}

#[tokio::test]
async fn a_push_keeps_the_overrides_of_the_flags_it_keeps() {
    let fixture = with_flags(&["a", "b"]).await;
    for flag in ["a", "b"] {
        change(&fixture, Edit::SetOverride(forcing(flag, "u1", "off"))).await;
    }
    change(
        &fixture,
        Edit::Replace {
            flags: vec![flag("a", true), flag("c", true)],
            segments: Vec::new(),
        },
    )
    .await;
    assert_eq!(overrides(&fixture).await, rows(&[("a", "u1", "off")]));
}

#[tokio::test]
async fn an_expiry_removes_the_overrides_due_and_only_those() {
    let fixture = with_flags(&["a"]).await;
    let half_past = TEN_O_CLOCK + 30 * 60 * 1000;
    for (user, expires_at) in [
        ("due", Some(half_past)),
        ("later", Some(half_past + 1)),
        ("never", None),
    ] {
        let row = OverrideRow {
            expires_at,
            ..forcing("a", user, "off")
        };
        change(&fixture, Edit::SetOverride(row)).await;
    }
    fixture.clock.set(half_past);
    let expired = change(&fixture, Edit::ExpireOverrides).await;
    assert_eq!(expired.entries.len(), 1);
    assert_eq!(
        overrides(&fixture).await,
        rows(&[("a", "later", "off"), ("a", "never", "off")])
    );
}
