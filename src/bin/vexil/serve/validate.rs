//! The engine's verdict on a change: the environment's snapshot after the change must load,
//! and must hold no error the snapshot before it did not (nor any on what the change touched).

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::{json, Value};
use vexil::{Diagnostic, Engine, Severity};

use super::error::ApiError;
use super::store::AuditEntry;

/// Refuses `after` (422, with the diagnostics) unless it is as good as `before`.
pub fn check(before: &str, after: &str, changed: &[AuditEntry]) -> Result<(), ApiError> {
    let engine =
        Engine::from_slice(after.as_bytes()).map_err(|error| not_loading(after, &error))?;
    let known: HashSet<(String, Option<String>, Option<String>)> =
        Engine::from_slice(before.as_bytes())
            .map(|engine| {
                engine
                    .diagnostics()
                    .iter()
                    .filter(|d| is_error(d))
                    .map(identity)
                    .collect()
            })
            .unwrap_or_default();
    let touched = |diagnostic: &Diagnostic| {
        changed
            .iter()
            .any(|entry| match entry.subject_type.as_str() {
                "flag" => diagnostic.flag.as_deref() == Some(entry.subject.as_str()),
                "segment" => diagnostic.segment.as_deref() == Some(entry.subject.as_str()),
                _ => false,
            })
    };
    let refused: Vec<Value> = engine
        .diagnostics()
        .iter()
        .filter(|diagnostic| is_error(diagnostic))
        .filter(|diagnostic| touched(diagnostic) || !known.contains(&identity(diagnostic)))
        .map(describe)
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    let first = refused[0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-flag",
        format!("the change does not validate: {first}"),
    )
    .with_details(json!({ "diagnostics": refused })))
}

/// The error for a document that does not load at all. Where the problem lies in one flag or
/// segment (a string where a boolean belongs), it is reported like a diagnostic, with a path
/// relative to the object the caller sent and the key of that object, since the caller never
/// saw the environment's whole document; elsewhere (a limit on the whole document), as it is.
fn not_loading(document: &str, error: &vexil::LoadError) -> ApiError {
    let path = error.path().unwrap_or("$");
    let owner = owner_of(document, path);
    let Some((member, key)) = owner else {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-snapshot",
            format!("the environment would not load: {}", error.message()),
        )
        .with_details(json!({ "code": error.code(), "path": error.path() }));
    };
    let (flag, segment) = if member == "flags" {
        (Some(key), None)
    } else {
        (None, Some(key))
    };
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-flag",
        format!("the change does not validate: {}", error.message()),
    )
    .with_details(json!({ "diagnostics": [{
        "code": error.code(),
        "path": relative_path(path),
        "flag": flag,
        "segment": segment,
        "message": error.message(),
    }] }))
}

/// Which flag or segment of `document` the path `$.flags[3]…` or `$.segments[0]…` is in:
/// the array's name and the item's key.
fn owner_of(document: &str, path: &str) -> Option<(&'static str, String)> {
    let (member, rest) = [("flags", "$.flags["), ("segments", "$.segments[")]
        .into_iter()
        .find_map(|(member, prefix)| path.strip_prefix(prefix).map(|rest| (member, rest)))?;
    let index: usize = rest[..rest.find(']')?].parse().ok()?;
    let document: Value = serde_json::from_str(document).ok()?;
    let key = document.get(member)?.get(index)?.get("key")?.as_str()?;
    Some((member, key.to_owned()))
}

fn is_error(diagnostic: &Diagnostic) -> bool {
    diagnostic.severity == Severity::Error
}

fn identity(diagnostic: &Diagnostic) -> (String, Option<String>, Option<String>) {
    (
        diagnostic.code.as_str().to_owned(),
        diagnostic.flag.clone(),
        diagnostic.segment.clone(),
    )
}

/// A diagnostic for the API: its path relative to the flag or segment it is in (`$` is the
/// object the caller sent), and which one that is.
fn describe(diagnostic: &Diagnostic) -> Value {
    json!({
        "code": diagnostic.code.as_str(),
        "path": relative_path(&diagnostic.path),
        "flag": diagnostic.flag,
        "segment": diagnostic.segment,
        "message": diagnostic.message,
    })
}

/// `$.flags[3].rules[0].op` → `$.rules[0].op`; other paths unchanged.
pub fn relative_path(path: &str) -> String {
    for prefix in ["$.flags[", "$.segments["] {
        if let Some(rest) = path.strip_prefix(prefix) {
            if let Some(close) = rest.find(']') {
                if rest[..close].bytes().all(|byte| byte.is_ascii_digit()) {
                    return format!("${}", &rest[close + 1..]);
                }
            }
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flag serving `variant` to everyone, with `extra` members: an unknown variant is an
    /// error the engine reports without refusing to load.
    fn flag(key: &str, variant: &str, extra: &str) -> String {
        format!(
            r#"{{"key":"{key}","type":"boolean","variants":{{"on":true,"off":false}},"offVariant":"off","fallthrough":{{"variant":"{variant}"}}{extra}}}"#
        )
    }

    fn snapshot(flags: &[String], segments: &[&str]) -> String {
        format!(
            r#"{{"schemaVersion":1,"revision":1,"generatedAt":"2026-12-05T10:00:00Z","environment":"production","segments":[{}],"flags":[{}]}}"#,
            segments.join(","),
            flags.join(",")
        )
    }

    fn changed(subject_type: &str, subject: &str) -> AuditEntry {
        AuditEntry {
            revision: 2,
            subject_type: subject_type.to_owned(),
            subject: subject.to_owned(),
            at: 0,
            actor: "test".to_owned(),
            kind: "flag.update".to_owned(),
            before: None,
            after: None,
            reason: None,
        }
    }

    fn refused_flags(result: Result<(), ApiError>) -> Vec<Value> {
        let error = result.expect_err("refused");
        assert_eq!((error.status.as_u16(), error.code), (422, "invalid-flag"));
        let details = error.details.expect("details");
        details["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| json!([d["flag"], d["segment"], d["path"]]))
            .collect()
    }

    #[test]
    fn an_error_the_environment_had_stops_only_a_change_to_its_flag() {
        let broken = flag("old", "maybe", "");
        let before = snapshot(std::slice::from_ref(&broken), &[]);
        let after = snapshot(&[broken.clone(), flag("new", "on", "")], &[]);
        assert!(check(&before, &after, &[changed("flag", "new")]).is_ok());
        assert!(check(&before, &after, &[changed("environment", "old")]).is_ok());
        assert_eq!(
            refused_flags(check(&before, &after, &[changed("flag", "old")])),
            [json!(["old", null, "$.fallthrough.variant"])]
        );
        // A new error is refused even where the change did not touch, also beside old ones.
        let fine = snapshot(&[flag("old", "on", "")], &[]);
        assert_eq!(
            refused_flags(check(&fine, &after, &[changed("flag", "new")])),
            [json!(["old", null, "$.fallthrough.variant"])]
        );
        let worse = snapshot(&[broken.clone(), flag("new", "maybe", "")], &[]);
        assert_eq!(
            refused_flags(check(&before, &worse, &[changed("flag", "other")])),
            [json!(["new", null, "$.fallthrough.variant"])]
        );
    }

    #[test]
    fn an_error_a_segment_had_stops_only_a_change_to_that_segment() {
        let broken = r#"{"key":"old","conditions":[{"attribute":"a","op":"nope","value":1}]}"#;
        let before = snapshot(&[], &[broken]);
        let after = snapshot(&[], &[broken, r#"{"key":"new","included":["u1"]}"#]);
        assert!(check(&before, &after, &[changed("segment", "new")]).is_ok());
        assert!(check(&before, &after, &[changed("flag", "old")]).is_ok());
        assert_eq!(
            refused_flags(check(&before, &after, &[changed("segment", "old")])),
            [json!([null, "old", "$.conditions[0].op"])]
        );
    }

    #[test]
    fn warnings_do_not_refuse_a_change() {
        let dated = flag("dated", "on", r#","metadata":{"changedAt":"last week"}"#);
        let before = snapshot(&[], &[]);
        let after = snapshot(&[dated], &[]);
        let engine = Engine::from_slice(after.as_bytes()).expect("loads");
        let severities: Vec<Severity> = engine.diagnostics().iter().map(|d| d.severity).collect();
        assert_eq!(
            severities,
            [Severity::Warning],
            "the engine warns about the date"
        );
        assert!(check(&before, &after, &[changed("flag", "dated")]).is_ok());
    }

    #[test]
    fn a_document_that_does_not_load_is_refused_with_where() {
        let before = snapshot(&[], &[]);
        let typed = flag("typed", "on", r#","enabled":"yes""#);
        let after = snapshot(&[flag("fine", "on", ""), typed], &[]);
        assert_eq!(
            refused_flags(check(&before, &after, &[changed("flag", "typed")])),
            [json!(["typed", null, "$.enabled"])]
        );
        let error =
            check(&before, r#"{"schemaVersion":1,"flags":7}"#, &[]).expect_err("no snapshot");
        assert_eq!(
            (error.status.as_u16(), error.code),
            (422, "invalid-snapshot")
        );
    }

    #[test]
    fn a_load_error_names_the_flag_it_is_in() {
        let document =
            r#"{"flags":[{"key":"a"},{"key":"b","enabled":"yes"}],"segments":[{"key":"s"}]}"#;
        assert_eq!(
            owner_of(document, "$.flags[1].enabled"),
            Some(("flags", "b".to_owned()))
        );
        assert_eq!(
            owner_of(document, "$.segments[0].included"),
            Some(("segments", "s".to_owned()))
        );
        assert_eq!(owner_of(document, "$.flags[2]"), None);
        assert_eq!(owner_of(document, "$.flags"), None);
        assert_eq!(owner_of(document, "$.revision"), None);
    }

    #[test]
    fn paths_become_relative_to_the_definition() {
        assert_eq!(
            relative_path("$.flags[12].rules[0].conditions[1].op"),
            "$.rules[0].conditions[1].op"
        );
        assert_eq!(relative_path("$.segments[0]"), "$");
        assert_eq!(relative_path("$.flags"), "$.flags");
        assert_eq!(relative_path("$.flags[x].a"), "$.flags[x].a");
    }
}
