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
