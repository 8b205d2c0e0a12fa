//! What a change amounts to: a push that only reorders flags is a change of its own.

use super::{author, flag, Fixture};
use crate::serve::change::Edit;

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
