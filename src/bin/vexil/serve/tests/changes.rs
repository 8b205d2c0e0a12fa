//! What a change amounts to: a push that only reorders flags is a change of its own.

use super::{author, flag, Fixture, TEN_O_CLOCK};
use crate::serve::change::{Author, Edit};
use crate::serve::service::Committed;

#[tokio::test]
async fn a_push_that_only_reorders_flags_is_published_and_audited() {
    let fixture = Fixture::sqlite().await;
    let push = |flags: Vec<String>| Edit::Replace {
        flags,
        segments: Vec::new(),
    };
    let first = fixture
        .service
        .change(
            "production",
            push(vec![flag("a", true), flag("b", true)]),
            &author(),
        )
        .await
        .expect("push");
    let reordered = fixture
        .service
        .change(
            "production",
            push(vec![flag("b", true), flag("a", true)]),
            &author(),
        )
        .await
        .expect("reorder");
    assert_eq!(reordered.revision, first.revision + 1);
    assert_eq!(reordered.entries.len(), 1);
    let entry = &reordered.entries[0];
    assert_eq!(
        (entry.subject_type.as_str(), entry.kind.as_str()),
        ("environment", "environment.reorder")
    );
    assert_eq!(
        entry.after.as_deref(),
        Some(r#"{"flags":["b","a"],"segments":[]}"#)
    );
    let served = fixture.service.live.get("production").expect("served");
    let keys: Vec<&str> = served.engine.flag_keys().collect();
    assert_eq!(keys, ["b", "a"]);
    let again = fixture
        .service
        .change(
            "production",
            push(vec![flag("b", true), flag("a", true)]),
            &author(),
        )
        .await
        .expect("same again");
    assert!(
        again.entries.is_empty(),
        "the same order again is no change"
    );
    assert_eq!(again.revision, reordered.revision);
}

#[tokio::test]
async fn a_deleted_environment_comes_back_with_higher_revisions_and_without_its_keys() {
    use crate::serve::api::admin::issue;
    use crate::serve::auth::authenticate;
    use crate::serve::tokens::TokenKind;

    let fixture = Fixture::sqlite().await;
    let service = &fixture.service;
    assert!(service
        .create_environment("eu", "test")
        .await
        .expect("create"));
    let key = issue(
        service,
        TokenKind::Client,
        None,
        Some("eu".to_owned()),
        "web",
        "test",
    )
    .await
    .expect("key");
    let key = key["token"].as_str().expect("token").to_owned();
    authenticate(service, Some(&key))
        .await
        .expect("the key works");
    let created = service
        .change(
            "eu",
            Edit::CreateFlag {
                definition: flag("a", true),
            },
            &author(),
        )
        .await
        .expect("flag");

    let refused = service
        .delete_environment("eu", "test")
        .await
        .expect_err("holds a flag");
    assert_eq!((refused.status.as_u16(), refused.code), (409, "conflict"));
    let refused = service
        .delete_environment("production", "test")
        .await
        .expect_err("default");
    assert_eq!(refused.status.as_u16(), 409);

    service
        .change(
            "eu",
            Edit::DeleteFlag {
                key: "a".to_owned(),
                if_match: None,
            },
            &author(),
        )
        .await
        .expect("delete the flag");
    service
        .delete_environment("eu", "test")
        .await
        .expect("delete");
    assert!(service.live.get("eu").is_none(), "no longer served");
    assert!(
        authenticate(service, Some(&key)).await.is_err(),
        "its keys are revoked"
    );
    let gone = service
        .delete_environment("eu", "test")
        .await
        .expect_err("gone");
    assert_eq!(gone.status.as_u16(), 404);
    let change = service
        .change(
            "eu",
            Edit::CreateFlag {
                definition: flag("b", true),
            },
            &author(),
        )
        .await
        .expect_err("no changes to a deleted environment");
    assert_eq!(change.status.as_u16(), 404);

    assert!(service
        .create_environment("eu", "test")
        .await
        .expect("again"));
    let revived = service.live.get("eu").expect("served again");
    assert!(
        revived.revision > created.revision + 2,
        "revisions continue: {} after {}",
        revived.revision,
        created.revision
    );
    assert!(revived.engine.is_empty());
    assert!(!service
        .create_environment("eu", "test")
        .await
        .expect("exists"));
}

/// The flag keys of `environment` in the order they are stored (what listings and the next
/// change read), and in the order they are served.
async fn stored_and_served(fixture: &Fixture, environment: &str) -> (Vec<String>, Vec<String>) {
    let stored = crate::serve::store::state::read(&fixture.service.store, environment)
        .await
        .expect("read")
        .expect("the environment");
    let served = fixture.service.live.get(environment).expect("served");
    (
        stored.flags.iter().map(|row| row.key.clone()).collect(),
        served.engine.flag_keys().map(str::to_owned).collect(),
    )
}

#[tokio::test]
async fn a_flag_created_after_a_push_comes_after_the_pushed_flags() {
    let fixture = Fixture::sqlite().await;
    let author = author();
    let change = |edit: Edit| fixture.service.change("production", edit, &author);
    change(Edit::Replace {
        flags: vec![flag("b", true), flag("c", true)],
        segments: Vec::new(),
    })
    .await
    .expect("push");
    // Its key sorts first: only its position can put it last.
    change(Edit::CreateFlag {
        definition: flag("a", true),
    })
    .await
    .expect("create");
    let order = ["b", "c", "a"].map(str::to_owned).to_vec();
    assert_eq!(
        stored_and_served(&fixture, "production").await,
        (order.clone(), order.clone()),
        "created last, listed and served last"
    );
    let toggled = change(Edit::Toggle {
        key: "b".to_owned(),
        enabled: None,
    })
    .await
    .expect("toggle");
    assert_eq!(toggled.entries.len(), 1, "{:?}", toggled.entries);
    assert_eq!(
        stored_and_served(&fixture, "production").await,
        (order.clone(), order),
        "a later change keeps the order"
    );
}

/// Pushes `flags` to production as `actor` at `at`.
async fn push_as(fixture: &Fixture, flags: Vec<String>, actor: &str, at: i64) -> Committed {
    fixture.clock.set(at);
    let author = Author {
        actor: actor.to_owned(),
        reason: None,
    };
    let edit = Edit::Replace {
        flags,
        segments: Vec::new(),
    };
    fixture
        .service
        .change("production", edit, &author)
        .await
        .expect("push")
}

#[tokio::test]
async fn a_push_versions_only_what_it_changes() {
    let fixture = Fixture::sqlite().await;
    let (then, now) = (TEN_O_CLOCK, TEN_O_CLOCK + 1000);
    push_as(
        &fixture,
        vec![flag("a", true), flag("b", true)],
        "first",
        then,
    )
    .await;
    let second = push_as(
        &fixture,
        vec![flag("a", true), flag("b", false), flag("c", true)],
        "second",
        now,
    )
    .await;
    let rows: Vec<(&str, i64, &str, i64)> = second
        .state
        .flags
        .iter()
        .map(|row| {
            (
                row.key.as_str(),
                row.version,
                row.updated_by.as_str(),
                row.updated_at,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("a", 1, "first", then),
            ("b", 2, "second", now),
            ("c", 1, "second", now)
        ]
    );
    let kinds: Vec<(&str, &str)> = second
        .entries
        .iter()
        .map(|entry| (entry.subject.as_str(), entry.kind.as_str()))
        .collect();
    assert_eq!(kinds, [("b", "push"), ("c", "push")]);
    let stored = crate::serve::store::state::read(&fixture.service.store, "production")
        .await
        .expect("read")
        .expect("the environment");
    assert_eq!(stored.flags, second.state.flags, "stored as answered");
}

#[tokio::test]
async fn creating_and_deleting_a_segment_is_audited_as_such() {
    let fixture = Fixture::sqlite().await;
    let author = author();
    let change = |edit: Edit| fixture.service.change("production", edit, &author);
    let kinds = |committed: &Committed| -> Vec<(String, String, String)> {
        committed
            .entries
            .iter()
            .map(|entry| {
                (
                    entry.subject_type.clone(),
                    entry.subject.clone(),
                    entry.kind.clone(),
                )
            })
            .collect()
    };
    let created = change(Edit::CreateSegment {
        definition: r#"{"key":"staff","included":["u1"]}"#.to_owned(),
    })
    .await
    .expect("create");
    let deleted = change(Edit::DeleteSegment {
        key: "staff".to_owned(),
        if_match: Some(1),
    })
    .await
    .expect("delete");
    let entry = |kind: &str| vec![("segment".to_owned(), "staff".to_owned(), kind.to_owned())];
    assert_eq!(kinds(&created), entry("segment.create"));
    assert_eq!(kinds(&deleted), entry("segment.delete"));
    assert_eq!(deleted.entries[0].after, None);
}
