//! A flag's or segment's audit trail, and a flag's evaluation statistics.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::request::{self, json};
use super::{caller, read_state_with_flag, Caller};
use crate::serve::clock::rfc3339;
use crate::serve::diff::diff;
use crate::serve::error::ApiError;
use crate::serve::service::{Shared, HOUR_MS};
use crate::serve::store::{audit, usage, AuditEntry};
use crate::serve::tokens::Role;
use serde::Serialize;
use serde_json::value::RawValue;

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
    let shown_count = usize::try_from(limit).unwrap_or(50);
    let more = entries.len() > shown_count;
    let shown: Vec<Entry<'_>> = entries.iter().take(shown_count).map(Entry::of).collect();
    let page = Page {
        subject: [(subject_type, key.as_str())].into_iter().collect(),
        environment: &environment,
        next_before: if more {
            shown.last().map(|entry| entry.revision)
        } else {
            None
        },
        entries: shown,
    };
    let text = serde_json::to_string(&page).unwrap_or_default();
    Ok(request::json_text(StatusCode::OK, text))
}

/// A page of a trail; definitions keep their text (member and variant order as written).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page<'a> {
    #[serde(flatten)]
    subject: std::collections::BTreeMap<&'a str, &'a str>,
    environment: &'a str,
    entries: Vec<Entry<'a>>,
    next_before: Option<i64>,
}

#[derive(Serialize)]
struct Entry<'a> {
    revision: i64,
    at: String,
    actor: &'a str,
    kind: &'a str,
    reason: Option<&'a str>,
    before: Option<&'a RawValue>,
    after: Option<&'a RawValue>,
    diff: Vec<Value>,
}

impl<'a> Entry<'a> {
    fn of(entry: &'a AuditEntry) -> Entry<'a> {
        let raw = |text: &'a Option<String>| {
            text.as_deref()
                .and_then(|text| serde_json::from_str::<&RawValue>(text).ok())
        };
        let value = |text: &Option<String>| {
            text.as_deref()
                .and_then(|text| serde_json::from_str::<Value>(text).ok())
        };
        Entry {
            revision: entry.revision,
            at: rfc3339(entry.at),
            actor: &entry.actor,
            kind: &entry.kind,
            reason: entry.reason.as_deref(),
            before: raw(&entry.before),
            after: raw(&entry.after),
            diff: diff(value(&entry.before).as_ref(), value(&entry.after).as_ref()),
        }
    }
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
    read_state_with_flag(&service, &environment, &key).await?;
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
