//! The HTTP API under `/api/v1` and the config endpoint under `/sdk/v1` (docs/api.md).

pub mod admin;
pub mod evaluate;
pub mod flags;
pub mod history;
pub mod overrides;
pub mod request;
pub mod sdk;
pub mod segments;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::auth::{authenticate, presented, require_role, Principal};
use super::error::ApiError;
use super::keys::check_environment;
use super::service::{Service, Shared};
use super::store::{state, EnvState, StoreError};
use super::tokens::Role;
use request::Query;

/// Every route.
pub fn router(service: Shared) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/evaluate", post(evaluate::many))
        .route("/evaluate/{key}", post(evaluate::one))
        .route("/flags", get(flags::list).post(flags::create))
        .route(
            "/flags/{key}",
            get(flags::get).put(flags::put).delete(flags::delete),
        )
        .route("/flags/{key}/toggle", post(flags::toggle))
        .route("/flags/{key}/history", get(history::flag_history))
        .route("/flags/{key}/stats", get(history::stats))
        .route(
            "/flags/{key}/overrides",
            get(overrides::list).post(overrides::set),
        )
        .route(
            "/flags/{key}/overrides/{targeting_key}",
            axum::routing::delete(overrides::remove),
        )
        .route("/segments", get(segments::list).post(segments::create))
        .route(
            "/segments/{key}",
            get(segments::get)
                .put(segments::put)
                .delete(segments::delete),
        )
        .route("/segments/{key}/history", get(history::segment_history))
        .route(
            "/environments",
            get(admin::environments).post(admin::create_environment),
        )
        .route(
            "/environments/{name}/snapshot",
            get(admin::pull).put(admin::push),
        )
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}", axum::routing::delete(admin::revoke_token));
    let sdk = Router::new()
        .route("/snapshot", get(sdk::snapshot).options(sdk::preflight))
        .route(
            "/environments/{name}/snapshot.json",
            get(sdk::public_snapshot).options(sdk::preflight),
        )
        .route("/stream", get(sdk::stream).options(sdk::preflight))
        .route("/events", post(sdk::events).options(sdk::preflight));
    Router::new()
        .nest("/api/v1", api)
        .nest("/sdk/v1", sdk)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(service)
}

async fn health(axum::extract::State(service): axum::extract::State<Shared>) -> Response {
    let revisions: serde_json::Map<String, serde_json::Value> = service
        .live
        .revisions()
        .into_iter()
        .map(|(name, revision)| (name, json!(revision)))
        .collect();
    request::json(
        StatusCode::OK,
        &json!({ "status": "ok", "revisions": revisions }),
    )
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "there is no such endpoint (see docs/api.md)",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this endpoint does not take that method",
    )
}

/// Who is calling an admin endpoint, for which environment.
pub struct Caller {
    /// The environment named by `?environment=`, or the default.
    pub environment: String,
    /// The query.
    pub query: Query,
    /// The token's name.
    pub actor: String,
}

/// Checks an admin endpoint's token (at least `role`) and reads its environment.
pub async fn caller(
    service: &Service,
    headers: &HeaderMap,
    raw_query: Option<String>,
    role: Role,
) -> Result<Caller, ApiError> {
    let query = Query::parse(raw_query.as_deref());
    let principal = authenticate(service, presented(headers, None)).await?;
    let actor = require_role(&principal, role)?;
    let environment = service
        .environment_or_default(query.get("environment"))
        .to_owned();
    check_environment(&environment).map_err(ApiError::bad_request)?;
    Ok(Caller {
        environment,
        query,
        actor,
    })
}

/// The principal of an endpoint SDK keys may also call, and its environment.
pub async fn reader(
    service: &Service,
    headers: &HeaderMap,
    query: &Query,
) -> Result<(Principal, String), ApiError> {
    let principal = authenticate(service, presented(headers, query.get("key"))).await?;
    let environment = match &principal {
        Principal::Sdk { environment, .. } => environment.clone(),
        Principal::Admin { .. } => service
            .environment_or_default(query.get("environment"))
            .to_owned(),
    };
    check_environment(&environment).map_err(ApiError::bad_request)?;
    Ok((principal, environment))
}

/// The environment's stored state (404 if there is no such environment).
pub async fn read_state(service: &Service, environment: &str) -> Result<EnvState, ApiError> {
    // One connection for the whole read: a request that held one while waiting for another
    // could wait for ever once as many requests as the pool has connections did the same.
    let mut conn = service
        .store
        .pool
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let Some(revision) = state::revision(&mut conn, environment).await? else {
        return Err(ApiError::not_found("environment", environment));
    };
    Ok(state::load(&mut conn, environment, revision).await?)
}
