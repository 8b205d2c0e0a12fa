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
    let engine = Engine::from_slice(after.as_bytes()).map_err(|error| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-snapshot",
            format!("the environment would not load: {}", error.message()),
        )
        .with_details(json!({
            "code": error.code(),
            "path": error.path(),
        }))
    })?;
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
