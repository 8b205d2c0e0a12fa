//! What flags and segments share over HTTP: create, read, replace and delete a definition
//! (the snapshot format's object as written), with its version as the `ETag`.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::request::{self, if_match, json, read_body, version_etag, MAX_BODY_BYTES};
use super::{caller, editor, read_state, Caller};
use crate::serve::change::Edit;
use crate::serve::definition::Definition;
use crate::serve::error::ApiError;
use crate::serve::service::Service;
use crate::serve::store::{EnvState, FlagRow};
use crate::serve::tokens::Role;

/// Which kind of definition an endpoint serves.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `/api/v1/flags`
    Flag,
    /// `/api/v1/segments`
    Segment,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Flag => "flag",
            Kind::Segment => "segment",
        }
    }

    fn rows(self, state: &EnvState) -> &[FlagRow] {
        match self {
            Kind::Flag => &state.flags,
            Kind::Segment => &state.segments,
        }
    }

    fn create(self, definition: String) -> Edit {
        match self {
            Kind::Flag => Edit::CreateFlag { definition },
            Kind::Segment => Edit::CreateSegment { definition },
        }
    }

    fn update(self, key: String, definition: String, if_match: Option<i64>) -> Edit {
        match self {
            Kind::Flag => Edit::UpdateFlag {
                key,
                definition,
                if_match,
            },
            Kind::Segment => Edit::UpdateSegment {
                key,
                definition,
                if_match,
            },
        }
    }

    fn delete(self, key: String, if_match: Option<i64>) -> Edit {
        match self {
            Kind::Flag => Edit::DeleteFlag { key, if_match },
            Kind::Segment => Edit::DeleteSegment { key, if_match },
        }
    }
}

/// `POST`: creates from the body; 201 with `Location`.
pub async fn create(
    kind: Kind,
    service: &Service,
    raw: Option<String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (environment, author) = editor(service, headers, raw).await?;
    let definition = definition_body(body).await?;
    let committed = service
        .change(&environment, kind.create(definition), &author)
        .await?;
    let key = committed
        .entries
        .first()
        .map(|entry| entry.subject.clone())
        .unwrap_or_default();
    let mut response = one(kind, &committed.state, &key, StatusCode::CREATED)?;
    let location = format!("/api/v1/{}s/{key}?environment={environment}", kind.name());
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET`: the definition as stored.
pub async fn get(
    kind: Kind,
    service: &Service,
    key: &str,
    raw: Option<String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let Caller { environment, .. } = caller(service, headers, raw, Role::Viewer).await?;
    let state = read_state(service, &environment).await?;
    one(kind, &state, key, StatusCode::OK)
}

/// `PUT`: replaces the definition; `If-Match` guards against lost updates.
pub async fn put(
    kind: Kind,
    service: &Service,
    key: String,
    raw: Option<String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (environment, author) = editor(service, headers, raw).await?;
    let if_match = if_match(headers)?;
    let definition = definition_body(body).await?;
    let edit = kind.update(key.clone(), definition, if_match);
    let committed = service.change(&environment, edit, &author).await?;
    one(kind, &committed.state, &key, StatusCode::OK)
}

/// `DELETE` (refused while something depends on it).
pub async fn delete(
    kind: Kind,
    service: &Service,
    key: String,
    raw: Option<String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let (environment, author) = editor(service, headers, raw).await?;
    let if_match = if_match(headers)?;
    let edit = kind.delete(key.clone(), if_match);
    let committed = service.change(&environment, edit, &author).await?;
    Ok(json(
        StatusCode::OK,
        &json!({ "deleted": key, "revision": committed.revision }),
    ))
}

/// A body that must be one JSON object, read whole (its meaning is checked by the engine,
/// in the change).
pub async fn definition_body(body: Body) -> Result<String, ApiError> {
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let text = request::text(&bytes)?;
    Definition::parse(text).map_err(|error| {
        ApiError::bad_request(format!("the body is not a JSON object: {error}"))
    })?;
    Ok(text.trim().to_owned())
}

/// A definition as stored, its version as the `ETag` and the revision of `state` in
/// `X-Vexil-Revision`.
pub fn one(
    kind: Kind,
    state: &EnvState,
    key: &str,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let row = kind
        .rows(state)
        .iter()
        .find(|row| row.key == key)
        .ok_or_else(|| ApiError::not_found(kind.name(), key))?;
    let mut response = request::json_text(status, row.definition.clone());
    let headers = response.headers_mut();
    headers.insert(header::ETAG, version_etag(row.version));
    headers.insert("x-vexil-revision", HeaderValue::from(state.revision));
    Ok(response)
}
