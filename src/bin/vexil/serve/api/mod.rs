//! The HTTP API under `/api/v1` and the config endpoint under `/sdk/v1` (docs/api.md).

pub mod admin;
pub mod cors;
pub mod definitions;
pub mod evaluate;
pub mod flags;
pub mod history;
pub mod overrides;
pub mod quota;
pub mod request;
pub mod sdk;
pub mod segments;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::auth::{authenticate, presented, require_role, Principal};
use super::change::Author;
use super::error::ApiError;
use super::keys::check_environment;
use super::service::{Service, Shared};
use super::store::{state, EnvState};
use super::tokens::Role;
use request::Query;

/// Every route.
pub fn router(service: Shared) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route(
            "/evaluate",
            post(evaluate::many).options(cors::evaluate_preflight),
        )
        .route(
            "/evaluate/{key}",
            post(evaluate::one).options(cors::evaluate_preflight),
        )
        .route("/flags", get(flags::list).post(flags::create))
        .route(
            "/flags/{key}",
            get(flags::get).put(flags::put).delete(flags::delete),
        )
        .route("/flags/{key}/toggle", post(flags::toggle))
        .route("/flags/{key}/history", get(history::flag_history))
        .route("/flags/{key}/stats", get(history::stats))
        .route("/flags/{key}/quota", get(quota::quota))
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
            "/environments/{name}",
            axum::routing::delete(admin::delete_environment),
        )
        .route(
            "/environments/{name}/snapshot",
            get(admin::pull).put(admin::push),
        )
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}", axum::routing::delete(admin::revoke_token));
    let sdk = Router::new()
        .route("/snapshot", get(sdk::snapshot).options(cors::preflight))
        .route(
            "/environments/{name}/snapshot.json",
            get(sdk::public_snapshot).options(cors::preflight),
        )
        .route("/stream", get(sdk::stream).options(cors::preflight))
        .route("/events", post(sdk::events).options(cors::preflight))
        .layer(axum::middleware::map_response(cors::with_cors));
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

/// Any path no route takes.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "there is no such endpoint (see docs/api.md)",
    )
}

/// A route asked with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
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

/// Who changes what, and why (`X-Vexil-Reason` or `?reason=`), for an editor's call.
pub async fn editor(
    service: &Service,
    headers: &HeaderMap,
    raw: Option<String>,
) -> Result<(String, Author), ApiError> {
    let Caller {
        environment,
        query,
        actor,
    } = caller(service, headers, raw, Role::Editor).await?;
    let reason = request::reason(headers, &query)?;
    Ok((environment, Author { actor, reason }))
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

/// The environment's stored state (404 if there is no such environment): its revision and
/// its rows as one consistent read, never rows of a later revision under an earlier number.
pub async fn read_state(service: &Service, environment: &str) -> Result<EnvState, ApiError> {
    state::read(&service.store, environment)
        .await?
        .ok_or_else(|| ApiError::not_found("environment", environment))
}

/// [`read_state`], for an endpoint about flag `key`: 404 if the environment has no such flag.
pub async fn read_state_with_flag(
    service: &Service,
    environment: &str,
    key: &str,
) -> Result<EnvState, ApiError> {
    let state = read_state(service, environment).await?;
    if !state.flags.iter().any(|flag| flag.key == key) {
        return Err(ApiError::not_found("flag", key));
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    /// Every route the router serves is in docs/openapi.json, and nothing else is.
    #[test]
    fn the_openapi_document_lists_exactly_the_routes() {
        let source = include_str!("mod.rs");
        let mut routes = Vec::new();
        for (prefix, marker) in [
            ("/api/v1", "let api = Router::new()"),
            ("/sdk/v1", "let sdk = Router::new()"),
        ] {
            let start = source.find(marker).expect("router section");
            let section = &source[start..];
            let end = section.find(';').expect("end of the section");
            for piece in section[..end].split(".route(").skip(1) {
                let piece = piece.trim_start().trim_start_matches('"');
                let path = piece.split('"').next().expect("a path");
                routes.push(format!("{prefix}{path}").replace("{targeting_key}", "{targetingKey}"));
            }
        }
        let document: serde_json::Value =
            serde_json::from_str(include_str!("../../../../../docs/openapi.json")).expect("JSON");
        let mut documented: Vec<String> = document["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .cloned()
            .collect();
        routes.sort();
        documented.sort();
        assert_eq!(routes, documented);
    }
}
