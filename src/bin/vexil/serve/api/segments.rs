//! `/api/v1/segments`: reusable audiences, in the snapshot format's segment object.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::request::{
    self, if_match, json, read_body, version_etag, with_raw_member, MAX_BODY_BYTES,
};
use super::{caller, read_state, Caller};
use crate::serve::change::{Author, Edit};
use crate::serve::clock::rfc3339;
use crate::serve::definition::Definition;
use crate::serve::error::ApiError;
use crate::serve::service::Shared;
use crate::serve::store::EnvState;
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
    let Caller {
        environment,
        query,
        actor,
    } = caller(&service, &headers, raw, Role::Editor).await?;
    let definition = object_body(body).await?;
    let author = Author {
        actor,
        reason: request::reason(&headers, &query)?,
    };
    let committed = service
        .change(&environment, Edit::CreateSegment { definition }, &author)
        .await?;
    let key = committed
        .entries
        .first()
        .map(|entry| entry.subject.clone())
        .unwrap_or_default();
    one(&committed.state, &key, StatusCode::CREATED)
}

/// `GET /api/v1/segments/{key}`
pub async fn get(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller { environment, .. } = caller(&service, &headers, raw, Role::Viewer).await?;
    let state = read_state(&service, &environment).await?;
    one(&state, &key, StatusCode::OK)
}

/// `PUT /api/v1/segments/{key}`
pub async fn put(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Caller {
        environment,
        query,
        actor,
    } = caller(&service, &headers, raw, Role::Editor).await?;
    let if_match = if_match(&headers)?;
    let definition = object_body(body).await?;
    let author = Author {
        actor,
        reason: request::reason(&headers, &query)?,
    };
    let edit = Edit::UpdateSegment {
        key: key.clone(),
        definition,
        if_match,
    };
    let committed = service.change(&environment, edit, &author).await?;
    one(&committed.state, &key, StatusCode::OK)
}

/// `DELETE /api/v1/segments/{key}`
pub async fn delete(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller {
        environment,
        query,
        actor,
    } = caller(&service, &headers, raw, Role::Editor).await?;
    let if_match = if_match(&headers)?;
    let author = Author {
        actor,
        reason: request::reason(&headers, &query)?,
    };
    let committed = service
        .change(
            &environment,
            Edit::DeleteSegment {
                key: key.clone(),
                if_match,
            },
            &author,
        )
        .await?;
    Ok(json(
        StatusCode::OK,
        &json!({ "deleted": key, "revision": committed.revision }),
    ))
}

async fn object_body(body: Body) -> Result<String, ApiError> {
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let text = request::text(&bytes)?;
    Definition::parse(text).map_err(|error| {
        ApiError::bad_request(format!("the body is not a JSON object: {error}"))
    })?;
    Ok(text.trim().to_owned())
}

fn one(state: &EnvState, key: &str, status: StatusCode) -> Result<Response, ApiError> {
    let segment = state
        .segments
        .iter()
        .find(|segment| segment.key == key)
        .ok_or_else(|| ApiError::not_found("segment", key))?;
    let mut response = request::json_text(status, segment.definition.clone());
    let headers = response.headers_mut();
    headers.insert(header::ETAG, version_etag(segment.version));
    headers.insert("x-vexil-revision", HeaderValue::from(state.revision));
    Ok(response)
}
