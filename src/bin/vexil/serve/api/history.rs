//! A flag's or segment's audit trail, and a flag's evaluation statistics.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::request::json;
use super::{caller, read_state, Caller};
use crate::serve::clock::rfc3339;
use crate::serve::diff::diff;
use crate::serve::error::ApiError;
use crate::serve::service::{Shared, HOUR_MS};
use crate::serve::store::{audit, usage, AuditEntry};
use crate::serve::tokens::Role;

/// `GET /api/v1/flags/{key}/history?limit=&before=`: newest first.
pub async fn flag_history(
    state: State<Shared>,
    path: Path<String>,
    raw: RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    history("flag", state, path, raw, headers).await
}

/// `GET /api/v1/segments/{key}/history`
pub async fn segment_history(
    state: State<Shared>,
    path: Path<String>,
    raw: RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    history("segment", state, path, raw, headers).await
}

async fn history(
    subject_type: &str,
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller {
        environment, query, ..
    } = caller(&service, &headers, raw, Role::Viewer).await?;
    let limit = query.number("limit", 50, 1, 500)?;
    let before = query.number("before", i64::MAX, 1, i64::MAX)?;
    let entries = audit::history(
        &service.store.pool,
        &environment,
        subject_type,
        &key,
        before,
        limit + 1,
    )
    .await?;
    if entries.is_empty() && before == i64::MAX {
        return Err(ApiError::not_found(subject_type, &key));
    }
    let more = entries.len() > usize::try_from(limit).unwrap_or(50);
    let shown: Vec<Value> = entries
        .iter()
        .take(usize::try_from(limit).unwrap_or(50))
        .map(describe)
        .collect();
    let next = if more {
        shown.last().and_then(|entry| entry["revision"].as_i64())
    } else {
        None
    };
    Ok(json(
        StatusCode::OK,
        &json!({ subject_type: key, "environment": environment, "entries": shown, "nextBefore": next }),
    ))
}

fn describe(entry: &AuditEntry) -> Value {
    let parse = |text: &Option<String>| {
        text.as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
    };
    let (before, after) = (parse(&entry.before), parse(&entry.after));
    json!({
        "revision": entry.revision,
        "at": rfc3339(entry.at),
        "actor": entry.actor,
        "kind": entry.kind,
        "reason": entry.reason,
        "before": before,
        "after": after,
        "diff": diff(before.as_ref(), after.as_ref()),
    })
}

/// `GET /api/v1/flags/{key}/stats?hours=24`: evaluations per variant and errors per hour.
pub async fn stats(
    State(service): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Caller {
        environment, query, ..
    } = caller(&service, &headers, raw, Role::Viewer).await?;
    let hours = query.number("hours", 24, 1, 24 * 90)?;
    let state = read_state(&service, &environment).await?;
    if !state.flags.iter().any(|flag| flag.key == key) {
        return Err(ApiError::not_found("flag", &key));
    }
    // What the evaluate endpoints counted is stored first, so the answer includes it.
    service.usage.flush(&service.store).await?;
    let now_hour = service.clock.now_ms().div_euclid(HOUR_MS);
    let rows = usage::counts(
        &service.store.pool,
        &environment,
        &key,
        now_hour - hours + 1,
    )
    .await?;
    let mut buckets: Vec<(i64, Map<String, Value>, i64)> = Vec::new();
    let (mut total, mut errors) = (0i64, 0i64);
    for (hour, variant, evaluations) in rows {
        if buckets.last().is_none_or(|(last, _, _)| *last != hour) {
            buckets.push((hour, Map::new(), 0));
        }
        let Some((_, variants, bucket_errors)) = buckets.last_mut() else {
            continue;
        };
        total = total.saturating_add(evaluations);
        if variant.is_empty() {
            *bucket_errors += evaluations;
            errors = errors.saturating_add(evaluations);
        } else {
            variants.insert(variant, json!(evaluations));
        }
    }
    let hours_out: Vec<Value> = buckets
        .into_iter()
        .map(|(hour, variants, errors)| {
            let sum: i64 = variants.values().filter_map(Value::as_i64).sum::<i64>() + errors;
            json!({
                "hour": rfc3339(hour * HOUR_MS),
                "evaluations": sum,
                "variants": variants,
                "errors": errors,
                "successRate": rate(sum - errors, sum),
            })
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &json!({
            "flag": key,
            "environment": environment,
            "evaluations": total,
            "errors": errors,
            "successRate": rate(total - errors, total),
            "hours": hours_out,
        }),
    ))
}

/// Successes over all, or null when there were none.
fn rate(successes: i64, all: i64) -> Value {
    if all == 0 {
        Value::Null
    } else {
        // Counts stay far below 2^53, where f64 is exact.
        #[allow(clippy::cast_precision_loss)]
        let rate = successes as f64 / all as f64;
        json!(rate)
    }
}
