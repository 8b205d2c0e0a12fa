//! `/api/v1/flags/{key}/overrides`: per-user overrides, published as the flag's `overrides`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use vexil::Timestamp;

use super::request::{fields, json, read_body, string_field, MAX_BODY_BYTES};
use super::{caller, editor, read_state_with_flag, Caller};
use crate::serve::change::Edit;
use crate::serve::clock::rfc3339;
use crate::serve::error::ApiError;
use crate::serve::service::Shared;
use crate::serve::store::OverrideRow;
use crate::serve::tokens::Role;

/// The longest targeting key or note accepted.
const MAX_TARGETING_KEY_BYTES: usize = 256;
const MAX_NOTE_CHARS: usize = 1000;

/// `GET /api/v1/flags/{key}/overrides`
pub async fn list(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller { environment, .. } = caller(&service, &headers, raw, Role::Viewer).await?;
    let state = read_state_with_flag(&service, &environment, &key).await?;
    let now = service.clock.now_ms();
    let items: Vec<Value> = state
        .overrides
        .iter()
        .filter(|row| row.flag == key && row.expires_at.is_none_or(|at| at > now))
        .map(describe)
        .collect();
    Ok(json(
        StatusCode::OK,
        &json!({ "flag": key, "overrides": items }),
    ))
}

fn describe(row: &OverrideRow) -> Value {
    json!({
        "targetingKey": row.targeting_key,
        "variant": row.variant,
        "note": row.note,
        "setBy": row.set_by,
        "setAt": rfc3339(row.set_at),
        "expiresAt": row.expires_at.map(rfc3339),
    })
}

/// `POST /api/v1/flags/{key}/overrides` with `{"targetingKey", "variant", "note"?, "expiresAt"?}`.
pub async fn set(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (environment, mut author) = editor(&service, &headers, raw).await?;
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let object = fields(
        &bytes,
        &["targetingKey", "variant", "note", "expiresAt", "reason"],
    )?;
    let targeting_key = string_field(&object, "targetingKey")?
        .ok_or_else(|| ApiError::bad_request("`targetingKey` is required"))?;
    if targeting_key.is_empty() || targeting_key.len() > MAX_TARGETING_KEY_BYTES {
        return Err(ApiError::bad_request(format!(
            "`targetingKey` must be 1 to {MAX_TARGETING_KEY_BYTES} bytes"
        )));
    }
    let variant = string_field(&object, "variant")?
        .ok_or_else(|| ApiError::bad_request("`variant` is required"))?;
    let note = string_field(&object, "note")?.unwrap_or_default();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::bad_request(format!(
            "`note` is at most {MAX_NOTE_CHARS} characters"
        )));
    }
    let now = service.clock.now_ms();
    let expires_at = match string_field(&object, "expiresAt")? {
        None => None,
        Some(text) => {
            let at = Timestamp::parse_rfc3339(&text)
                .map_err(|error| {
                    ApiError::bad_request(format!(
                        "`expiresAt` is not an RFC 3339 instant: {error}"
                    ))
                })?
                .unix_millis();
            if at <= now {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "expired",
                    "`expiresAt` is in the past; the override would never apply",
                ));
            }
            Some(at)
        }
    };
    if let Some(reason) = string_field(&object, "reason")? {
        author.reason = Some(reason);
    }
    let row = OverrideRow {
        flag: key.clone(),
        targeting_key,
        variant,
        note,
        set_by: author.actor.clone(),
        set_at: now,
        expires_at,
    };
    let committed = service
        .change(&environment, Edit::SetOverride(row.clone()), &author)
        .await?;
    let mut body = describe(&row);
    body["revision"] = json!(committed.revision);
    Ok(json(StatusCode::CREATED, &body))
}

/// `DELETE /api/v1/flags/{key}/overrides/{targetingKey}`
pub async fn remove(
    State(service): State<Shared>,
    Path((key, targeting_key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (environment, author) = editor(&service, &headers, raw).await?;
    let edit = Edit::RemoveOverride {
        flag: key.clone(),
        targeting_key: targeting_key.clone(),
    };
    let committed = service.change(&environment, edit, &author).await?;
    Ok(json(
        StatusCode::OK,
        &json!({ "flag": key, "removed": targeting_key, "revision": committed.revision }),
    ))
}
