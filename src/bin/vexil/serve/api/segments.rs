//! `/api/v1/segments`: reusable audiences, in the snapshot format's segment object.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::definitions::{self, Kind};
use super::request::{self, with_raw_member};
use super::{caller, read_state, Caller};
use crate::serve::clock::rfc3339;
use crate::serve::error::ApiError;
use crate::serve::service::Shared;
use crate::serve::tokens::Role;

/// `GET /api/v1/segments`
pub async fn list(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller { environment, .. } = caller(&service, &headers, raw, Role::Viewer).await?;
    let state = read_state(&service, &environment).await?;
    let items: Vec<String> = state
        .segments
        .iter()
        .map(|segment| {
            let summary = json!({
                "key": segment.key,
                "version": segment.version,
                "updatedAt": rfc3339(segment.updated_at),
                "updatedBy": segment.updated_by,
            });
            with_raw_member(&summary, "segment", &segment.definition)
        })
        .collect();
    let page = json!({ "environment": environment });
    let text = with_raw_member(&page, "segments", &format!("[{}]", items.join(",")));
    Ok(request::json_text(StatusCode::OK, text))
}

/// `POST /api/v1/segments`
pub async fn create(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    definitions::create(Kind::Segment, &service, raw, &headers, body).await
}

/// `GET /api/v1/segments/{key}`: the segment object as written, its version as the ETag.
pub async fn get(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    definitions::get(Kind::Segment, &service, &key, raw, &headers).await
}

/// `PUT /api/v1/segments/{key}` with the new segment object; `If-Match` guards against lost updates.
pub async fn put(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    definitions::put(Kind::Segment, &service, key, raw, &headers, body).await
}

/// `DELETE /api/v1/segments/{key}`.
pub async fn delete(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    definitions::delete(Kind::Segment, &service, key, raw, &headers).await
}
