//! `/api/v1/evaluate`: the engine's answer for one context, computed by the service (for
//! callers that do not embed an SDK). Counted in the flag's statistics.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};
use vexil::{Context, Engine, Evaluation, PreparedContext, Timestamp};

use super::reader;
use super::request::{json, read_body, text, Query, MAX_BODY_BYTES};
use crate::serve::auth::Principal;
use crate::serve::definition::Definition;
use crate::serve::error::ApiError;
use crate::serve::publish::Published;
use crate::serve::service::{Service, Shared, HOUR_MS};
use crate::serve::tokens::{Role, TokenKind};

/// `POST /api/v1/evaluate/{key}` with `{"context": {...}, "now"?: "RFC 3339"}`.
pub async fn one(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (published, request) = prepare(&service, raw, &headers, body, &["context", "now"]).await?;
    let evaluation = published
        .engine
        .evaluate(&key, &request.context, request.now);
    count(&service, &published, &key, &evaluation);
    let mut answer = result(&key, &evaluation);
    answer["revision"] = json!(published.revision);
    Ok(json(StatusCode::OK, &answer))
}

/// `POST /api/v1/evaluate` with `{"context": {...}, "flags"?: [...], "now"?: "…"}`: the
/// flags named, or all.
pub async fn many(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (published, request) =
        prepare(&service, raw, &headers, body, &["context", "now", "flags"]).await?;
    let engine = &published.engine;
    let prepared = &request.context;
    let mut results = Map::new();
    match request.flags {
        Some(keys) => {
            for key in keys {
                let evaluation = engine.evaluate(&key, prepared, request.now);
                count(&service, &published, &key, &evaluation);
                results.insert(key.clone(), result(&key, &evaluation));
            }
        }
        None => {
            for (key, evaluation) in engine.evaluate_all(prepared, request.now) {
                count(&service, &published, key, &evaluation);
                results.insert(key.to_owned(), result(key, &evaluation));
            }
        }
    }
    Ok(json(
        StatusCode::OK,
        &json!({ "environment": published.environment, "revision": published.revision, "flags": results }),
    ))
}

struct EvaluateRequest {
    /// Checked against the engine's context limits.
    context: PreparedContext,
    now: Timestamp,
    flags: Option<Vec<String>>,
}

async fn prepare(
    service: &Service,
    raw: Option<String>,
    headers: &HeaderMap,
    body: Body,
    allowed: &[&str],
) -> Result<(std::sync::Arc<Published>, EvaluateRequest), ApiError> {
    let query = Query::parse(raw.as_deref());
    let (principal, environment) = reader(service, headers, &query).await?;
    match principal {
        Principal::Admin { .. } => {
            crate::serve::auth::require_role(&principal, Role::Viewer)?;
        }
        Principal::Sdk {
            kind: TokenKind::Server,
            ..
        } => {}
        Principal::Sdk { .. } => return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "client keys cannot evaluate on the service; use a server key or evaluate in the page",
        )),
    }
    let published = service
        .live
        .get(&environment)
        .ok_or_else(|| ApiError::not_found("environment", &environment))?;
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let request = parse(
        &published.engine,
        text(&bytes)?,
        allowed,
        service.clock.now_ms(),
    )?;
    Ok((published, request))
}

fn parse(
    engine: &Engine,
    body: &str,
    allowed: &[&str],
    now_ms: i64,
) -> Result<EvaluateRequest, ApiError> {
    let object = Definition::parse(body).map_err(|error| {
        ApiError::bad_request(format!("the body is not a JSON object: {error}"))
    })?;
    let names = super::request::fields(
        &axum::body::Bytes::copy_from_slice(body.as_bytes()),
        allowed,
    )?;
    let invalid = |why: String| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-context",
            format!("the context cannot be used: {why}"),
        )
    };
    let context = match object.raw("context") {
        Some(raw) => {
            let context = Context::from_json(raw).map_err(|error| invalid(error.to_string()))?;
            // Over a limit, every flag would answer INVALID_CONTEXT: say which limit once,
            // and count no evaluation.
            let prepared = engine.prepare(context);
            if let Some(problem) = prepared.problem() {
                return Err(invalid(problem.to_owned()));
            }
            prepared
        }
        None => {
            return Err(ApiError::bad_request(
                "`context` is required (an object; `{}` for none)",
            ))
        }
    };
    let now = match names.get("now") {
        None | Some(Value::Null) => Timestamp::from_unix_millis(now_ms),
        Some(Value::String(text)) => Timestamp::parse_rfc3339(text).map_err(|error| {
            ApiError::bad_request(format!("`now` is not an RFC 3339 instant: {error}"))
        })?,
        Some(_) => return Err(ApiError::bad_request("`now` must be an RFC 3339 string")),
    };
    let flags = match names.get("flags") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.len() <= 10_000 => Some(
            items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(|| ApiError::bad_request("`flags` must list flag keys (strings)"))?,
        ),
        Some(_) => {
            return Err(ApiError::bad_request(
                "`flags` must be an array of at most 10000 keys",
            ))
        }
    };
    Ok(EvaluateRequest {
        context,
        now,
        flags,
    })
}

fn result(key: &str, evaluation: &Evaluation<'_>) -> Value {
    let mut value = serde_json::to_value(evaluation).unwrap_or(Value::Null);
    value["key"] = json!(key);
    value
}

fn count(service: &Service, published: &Published, key: &str, evaluation: &Evaluation<'_>) {
    if published.engine.flag(key).is_none() {
        return;
    }
    let hour = service.clock.now_ms().div_euclid(HOUR_MS);
    let variant = if evaluation.error_code.is_some() {
        None
    } else {
        evaluation.variant.or(Some("(default)"))
    };
    service
        .usage
        .add(&published.environment, key, variant, hour, 1);
}
