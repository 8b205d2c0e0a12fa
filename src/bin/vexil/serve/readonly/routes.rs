//! The read-only server's routes: the config endpoint under `/sdk/v1`, answered without keys
//! by the same response code as the database mode, and `/api/v1/health`. Everything else the
//! database mode offers answers that this server is read-only.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::ReadOnly;
use crate::serve::api::cors::{preflight, with_cors};
use crate::serve::api::request::{json, Query};
use crate::serve::api::sdk::{snapshot_response, stream_response, SHARED_CACHE};
use crate::serve::api::{method_not_allowed, not_found};
use crate::serve::error::ApiError;
use crate::serve::keys::check_environment;
use crate::serve::publish::Published;

type Shared = Arc<ReadOnly>;

/// Every route.
pub fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .fallback(read_only);
    let sdk = Router::new()
        .route("/snapshot", get(snapshot).options(preflight))
        .route(
            "/environments/{name}/snapshot.json",
            get(public_snapshot).options(preflight),
        )
        .route("/stream", get(stream).options(preflight))
        .route("/events", post(events).options(preflight))
        .layer(axum::middleware::map_response(with_cors));
    Router::new()
        .nest("/api/v1", api)
        .nest("/sdk/v1", sdk)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn health(State(state): State<Shared>) -> Response {
    let revisions: serde_json::Map<String, serde_json::Value> = state
        .live
        .revisions()
        .into_iter()
        .map(|(name, revision)| (name, json!(revision)))
        .collect();
    json(
        StatusCode::OK,
        &json!({ "status": "ok", "mode": "read-only", "revisions": revisions }),
    )
}

async fn read_only() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "read-only",
        "this server serves snapshot files read-only (`vexil serve --snapshot`): it has no \
         admin API; change the files to change the flags. /api/v1/health and the config \
         endpoint under /sdk/v1 answer",
    )
}

/// `POST /sdk/v1/events`: there is nowhere to store evaluation counts.
async fn events() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "read-only",
        "this server serves snapshot files read-only (`vexil serve --snapshot`): it stores no \
         evaluation counts",
    )
}

/// `GET /sdk/v1/snapshot`: the environment named by `?environment=` (may be left out when
/// one environment is served).
async fn snapshot(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let published = served(&state, query.get("environment"))?;
    Ok(snapshot_response(
        &published,
        &published.full,
        SHARED_CACHE,
        &headers,
    ))
}

/// `GET /sdk/v1/environments/{name}/snapshot.json`.
async fn public_snapshot(
    State(state): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_environment(&name).map_err(ApiError::bad_request)?;
    let published = served(&state, Some(&name))?;
    Ok(snapshot_response(
        &published,
        &published.full,
        SHARED_CACHE,
        &headers,
    ))
}

/// `GET /sdk/v1/stream`: the environment's revisions as server-sent events.
async fn stream(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let published = served(&state, query.get("environment"))?;
    let environment = published.environment.clone();
    Ok(stream_response(state, environment, &published))
}

/// The snapshot served for the environment a request means.
fn served(state: &ReadOnly, named: Option<&str>) -> Result<Arc<Published>, ApiError> {
    let environment = state.environment(named)?;
    state
        .live
        .get(&environment)
        .ok_or_else(|| ApiError::not_found("environment", &environment))
}
