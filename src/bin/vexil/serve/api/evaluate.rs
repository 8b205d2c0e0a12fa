//! `/api/v1/evaluate`: the engine's answer for one context, computed by the service (for
//! callers that do not embed an SDK, pages with a client key among them). Counted in the
//! flag's statistics.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use vexil::{Context, Engine, Evaluation, PreparedContext, Timestamp};

use super::request::{json, read_body, text, Query, MAX_BODY_BYTES};
use super::{cors, reader};
use crate::serve::definition::Definition;
use crate::serve::error::ApiError;
use crate::serve::publish::{Audience, Published};
use crate::serve::service::{Service, Shared, HOUR_MS};

/// `POST /api/v1/evaluate/{key}` with `{"context": {...}, "now"?: "RFC 3339"}`.
pub async fn one(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let allowed = &["context", "now"];
    answer(&service, raw, &headers, body, allowed, |call| {
        let evaluation = call.engine().evaluate(&key, &call.context, call.now);
        count(&service, call, &key, &evaluation);
        let mut answer = result(&key, &evaluation);
        answer["revision"] = json!(call.published.revision);
        answer
    })
    .await
}

/// `POST /api/v1/evaluate` with `{"context": {...}, "flags"?: [...], "now"?: "…"}`: the
/// flags named, or all.
pub async fn many(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let allowed = &["context", "now", "flags"];
    answer(&service, raw, &headers, body, allowed, |call| {
        let engine = call.engine();
        let mut results = Map::new();
        match &call.flags {
            Some(keys) => {
                for key in keys {
                    let evaluation = engine.evaluate(key, &call.context, call.now);
                    count(&service, call, key, &evaluation);
                    results.insert(key.clone(), result(key, &evaluation));
                }
            }
            None => {
                for (key, evaluation) in engine.evaluate_all(&call.context, call.now) {
                    count(&service, call, key, &evaluation);
                    results.insert(key.to_owned(), result(key, &evaluation));
                }
            }
        }
        json!({ "environment": call.published.environment, "revision": call.published.revision, "flags": results })
    })
    .await
}

/// An evaluate call whose caller and body are checked: what to evaluate, against what.
struct Evaluating {
    published: Arc<Published>,
    /// Whose document the flags come from.
    audience: Audience,
    /// Checked against the engine's context limits.
    context: PreparedContext,
    now: Timestamp,
    flags: Option<Vec<String>>,
}

impl Evaluating {
    /// The engine of the caller's document: a client key evaluates exactly the client
    /// snapshot, where a server-only flag (and whatever uses one) does not exist.
    fn engine(&self) -> &Engine {
        self.published.engine_for(self.audience)
    }
}

/// Checks the caller and the body, then answers 200 with what `evaluate` makes of them, or
/// the error. Every token may evaluate; each sees its own document. A page on another origin
/// may read the answer only when no admin token or server key was accepted: those are
/// secrets for servers, and the service does not help a page that holds one to use it.
async fn answer(
    service: &Service,
    raw: Option<String>,
    headers: &HeaderMap,
    body: Body,
    allowed: &[&str],
    evaluate: impl FnOnce(&Evaluating) -> Value,
) -> Response {
    let query = Query::parse(raw.as_deref());
    let caller = reader(service, headers, &query).await;
    let readable_elsewhere = caller.as_ref().map_or(true, |(principal, _)| {
        principal.audience() == Audience::Client
    });
    let checked = match caller {
        Ok((principal, environment)) => {
            prepare(service, principal.audience(), &environment, body, allowed).await
        }
        Err(error) => Err(error),
    };
    let mut response = match checked {
        Ok(call) => json(StatusCode::OK, &evaluate(&call)),
        Err(error) => error.into_response(),
    };
    if readable_elsewhere {
        cors::allow_any_origin(response.headers_mut());
    }
    response
}

/// Reads and checks the body of a call from `audience`, against `environment`'s current
/// revision.
async fn prepare(
    service: &Service,
    audience: Audience,
    environment: &str,
    body: Body,
    allowed: &[&str],
) -> Result<Evaluating, ApiError> {
    let published = service
        .live
        .get(environment)
        .ok_or_else(|| ApiError::not_found("environment", environment))?;
    let bytes = read_body(body, MAX_BODY_BYTES).await?;
    let engine = published.engine_for(audience);
    let (context, now, flags) = parse(engine, text(&bytes)?, allowed, service.clock.now_ms())?;
    Ok(Evaluating {
        published,
        audience,
        context,
        now,
        flags,
    })
}

fn parse(
    engine: &Engine,
    body: &str,
    allowed: &[&str],
    now_ms: i64,
) -> Result<(PreparedContext, Timestamp, Option<Vec<String>>), ApiError> {
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
    Ok((context, now, flags))
}

fn result(key: &str, evaluation: &Evaluation<'_>) -> Value {
    let mut value = serde_json::to_value(evaluation).unwrap_or(Value::Null);
    value["key"] = json!(key);
    value
}

fn count(service: &Service, call: &Evaluating, key: &str, evaluation: &Evaluation<'_>) {
    // A flag the caller's document lacks is not evaluated, whatever the full document holds.
    if call.engine().flag(key).is_none() {
        return;
    }
    let published = &call.published;
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
