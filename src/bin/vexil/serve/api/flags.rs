//! `/api/v1/flags`: list, create, read, replace, delete, and the kill switch.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::definitions::{self, Kind};
use super::request::{self, fields, read_body, with_raw_member, Query, MAX_BODY_BYTES};
use super::{caller, editor, read_state, Caller};
use crate::serve::change::Edit;
use crate::serve::clock::rfc3339;
use crate::serve::definition::Definition;
use crate::serve::error::ApiError;
use crate::serve::publish::published_flag;
use crate::serve::service::Shared;
use crate::serve::store::{audit, FlagRow};
use crate::serve::tokens::Role;

/// `GET /api/v1/flags?environment=&tag=&owner=&q=&limit=&cursor=`
pub async fn list(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller {
        environment, query, ..
    } = caller(&service, &headers, raw, Role::Viewer).await?;
    let limit = query.number("limit", 50, 1, 500)?;
    let offset = query.number("cursor", 0, 0, i64::MAX)?;
    let state = read_state(&service, &environment).await?;
    let last = audit::last_changes(&service.store.pool, &environment, state.revision).await?;
    let matching: Vec<&FlagRow> = state
        .flags
        .iter()
        .filter(|flag| matches(flag, &query))
        .collect();
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(matching.len());
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(50))
        .min(matching.len());
    let items: Vec<String> = matching[start..end]
        .iter()
        .map(|flag| {
            let change = last.iter().find(|entry| entry.subject == flag.key);
            let overrides = state
                .overrides
                .iter()
                .filter(|row| row.flag == flag.key)
                .count();
            summary(
                flag,
                published_flag(flag, &state.overrides),
                overrides,
                change,
            )
        })
        .collect();
    let next = (end < matching.len()).then(|| end.to_string());
    let page = json!({
        "environment": environment,
        "revision": state.revision,
        "total": matching.len(),
        "nextCursor": next,
    });
    let text = with_raw_member(&page, "flags", &format!("[{}]", items.join(",")));
    Ok(request::json_text(StatusCode::OK, text))
}

fn matches(flag: &FlagRow, query: &Query) -> bool {
    let definition = Definition::parse(&flag.definition).ok();
    let metadata = |field: &str| definition.as_ref().and_then(|d| d.metadata(field));
    if let Some(tag) = query.get("tag") {
        let tags = metadata("tags");
        let has = tags
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(tag)));
        if !has {
            return false;
        }
    }
    if let Some(owner) = query.get("owner") {
        if metadata("owner").as_ref().and_then(Value::as_str) != Some(owner) {
            return false;
        }
    }
    if let Some(text) = query.get("q") {
        let needle = text.to_lowercase();
        let description = metadata("description");
        let description = description
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !flag.key.to_lowercase().contains(&needle)
            && !description.to_lowercase().contains(&needle)
        {
            return false;
        }
    }
    true
}

fn summary(
    flag: &FlagRow,
    published: String,
    overrides: usize,
    change: Option<&crate::serve::store::AuditEntry>,
) -> String {
    let definition: Value = serde_json::from_str(&published).unwrap_or(Value::Null);
    let summary = json!({
        "key": flag.key,
        "version": flag.version,
        // Absent means on, as the engine reads it.
        "enabled": definition.get("enabled") != Some(&Value::Bool(false)),
        "type": definition.get("type").cloned(),
        "overrides": overrides,
        "updatedAt": rfc3339(flag.updated_at),
        "updatedBy": flag.updated_by,
        "lastChange": change.map(|entry| json!({
            "revision": entry.revision,
            "kind": entry.kind,
            "at": rfc3339(entry.at),
            "actor": entry.actor,
        })),
    });
    with_raw_member(&summary, "flag", &published)
}

/// `POST /api/v1/flags`
pub async fn create(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    definitions::create(Kind::Flag, &service, raw, &headers, body).await
}

/// `GET /api/v1/flags/{key}`: the flag object as written, its version as the ETag.
pub async fn get(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    definitions::get(Kind::Flag, &service, &key, raw, &headers).await
}

/// `PUT /api/v1/flags/{key}` with the new flag object; `If-Match` guards against lost updates.
pub async fn put(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    definitions::put(Kind::Flag, &service, key, raw, &headers, body).await
}

/// `DELETE /api/v1/flags/{key}`.
pub async fn delete(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    definitions::delete(Kind::Flag, &service, key, raw, &headers).await
}

/// `POST /api/v1/flags/{key}/toggle` with `{"enabled": bool}`, or no body to flip.
pub async fn toggle(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (environment, mut author) = editor(&service, &headers, raw).await?;
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let object = fields(&bytes, &["enabled", "reason"])?;
    let enabled = match object.get("enabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(enabled)) => Some(*enabled),
        Some(_) => return Err(ApiError::bad_request("`enabled` must be true or false")),
    };
    if let Some(reason) = request::string_field(&object, "reason")? {
        author.reason = Some(reason);
    }
    let committed = service
        .change(
            &environment,
            Edit::Toggle {
                key: key.clone(),
                enabled,
            },
            &author,
        )
        .await?;
    definitions::one(Kind::Flag, &committed.state, &key, StatusCode::OK)
}
