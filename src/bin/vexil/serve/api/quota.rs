//! `GET /api/v1/flags/{key}/quota`: how many of this hour's changes a flag has left, so a
//! person sees the limit before a change is refused with 429.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::request::json;
use super::{caller, read_state_with_flag, Caller};
use crate::serve::clock::rfc3339;
use crate::serve::error::ApiError;
use crate::serve::service::{Shared, HOUR_MS};
use crate::serve::store::state;
use crate::serve::tokens::Role;

/// `GET /api/v1/flags/{key}/quota?environment=`: `{flag, environment, limit, used, remaining,
/// resetAt}` for the current hour, read from the counter the change path counts with.
pub async fn quota(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller { environment, .. } = caller(&service, &headers, raw, Role::Viewer).await?;
    read_state_with_flag(&service, &environment, &key).await?;
    let hour = service.clock.now_ms().div_euclid(HOUR_MS);
    let used = state::changes_in_hour(&service.store.pool, &environment, &key, hour).await?;
    let limit = service.settings.changes_per_hour;
    Ok(json(
        StatusCode::OK,
        &json!({
            "flag": key,
            "environment": environment,
            "limit": limit,
            "used": used,
            // A limit lowered at a restart may leave a flag past it this hour.
            "remaining": (limit - used).max(0),
            "resetAt": rfc3339((hour + 1) * HOUR_MS),
        }),
    ))
}
