//! `/sdk/v1`: what SDKs fetch. The snapshot (ETag, 304, compressed once per revision, CORS,
//! CDN-friendly caching), the stream announcing new revisions, and the evaluation counts
//! SDKs report. The snapshot and stream answers are built here for both modes: the database
//! mode's handlers below and the read-only mode's (`serve::readonly::routes`).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use vexil::Engine;

use super::reader;
use super::request::{json, read_body, text, Query};
use crate::serve::auth::Principal;
use crate::serve::error::ApiError;
use crate::serve::live::Live;
use crate::serve::publish::{Audience, Body as Document, Published};
use crate::serve::service::{Service, Shared, HOUR_MS};

/// The largest events report read.
const MAX_EVENTS_BYTES: usize = 256 * 1024;
/// The most flags one report may carry.
const MAX_EVENT_FLAGS: usize = 10_000;
/// The largest count one report may claim for one variant.
const MAX_COUNT: i64 = 1_000_000_000;

/// `GET /sdk/v1/snapshot`: the SDK key's environment (an admin token names one with
/// `?environment=`).
pub async fn snapshot(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let (principal, environment) = reader(&service, &headers, &query).await?;
    serve(&service, &principal, &environment, &headers)
}

/// `GET /sdk/v1/environments/{name}/snapshot.json`: the same, addressed by URL (the key may
/// come as `?key=`, so a page or CDN can fetch it with no headers).
pub async fn public_snapshot(
    State(service): State<Shared>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = Query::parse(raw.as_deref());
    query.set("environment", &name);
    let (principal, environment) = reader(&service, &headers, &query).await?;
    if environment != name {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this key reads `{environment}`, not `{name}`"),
        ));
    }
    serve(&service, &principal, &environment, &headers)
}

fn serve(
    service: &Service,
    principal: &Principal,
    environment: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let published = service
        .live
        .get(environment)
        .ok_or_else(|| ApiError::not_found("environment", environment))?;
    let audience = principal.audience();
    let cache = match audience {
        Audience::Client => SHARED_CACHE,
        Audience::Full => PRIVATE_CACHE,
    };
    Ok(snapshot_response(
        &published,
        published.document_for(audience),
        cache,
        headers,
    ))
}

/// `Cache-Control` for a document anyone may read: CDNs and browsers keep it briefly and
/// revalidate it in the background.
pub const SHARED_CACHE: &str = "public, max-age=5, stale-while-revalidate=60";
/// `Cache-Control` for a document only its key holder may read: revalidated every time.
pub const PRIVATE_CACHE: &str = "private, max-age=0, must-revalidate";

/// The answer to a snapshot request for `document` (one of `published`'s): 304 when
/// `If-None-Match` names it, else the document in the best encoding accepted, with its ETag,
/// caching, revision, stream address and CORS headers.
pub fn snapshot_response(
    published: &Published,
    document: &Document,
    cache: &'static str,
    headers: &HeaderMap,
) -> Response {
    let mut response = if not_modified(headers, &document.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        encoded(document, headers, "application/json")
    };
    let out = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&document.etag) {
        out.insert(header::ETAG, etag);
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Authorization"),
    );
    out.insert("x-vexil-revision", HeaderValue::from(published.revision));
    out.insert("x-vexil-stream", HeaderValue::from_static("/sdk/v1/stream"));
    response
}

/// Whether `If-None-Match` names `etag` (or is `*`).
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// The document in the best encoding the client accepts: brotli, gzip, or none.
pub fn encoded(document: &Document, headers: &HeaderMap, content_type: &'static str) -> Response {
    let accepted = |name: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim();
                let refused = parts.any(|part| {
                    let part = part.trim();
                    part.strip_prefix("q=")
                        .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
    };
    let (bytes, encoding) = if accepted("br") {
        (document.brotli.clone(), Some("br"))
    } else if accepted("gzip") {
        (document.gzip.clone(), Some("gzip"))
    } else {
        (document.identity.clone(), None)
    };
    let mut response = Response::new(Body::from(bytes));
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(encoding) = encoding {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// `GET /sdk/v1/stream`: server-sent events. `revision` events carry
/// `{"environment", "revision"}`: the current one at once, then each new one; a comment
/// every 15 s keeps proxies from closing the connection.
pub async fn stream(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let (_, environment) = reader(&service, &headers, &query).await?;
    let current = service
        .live
        .get(&environment)
        .ok_or_else(|| ApiError::not_found("environment", &environment))?;
    Ok(stream_response(service, environment, &current))
}

/// What the stream follows: the snapshots served, and the signal that the server stops.
pub trait Serving: Send + Sync + 'static {
    /// The snapshots served, whose announcements the stream forwards.
    fn live(&self) -> &Live;
    /// Changes to `true` when the server stops: open streams end then.
    fn stopping(&self) -> watch::Receiver<bool>;
}

impl Serving for Service {
    fn live(&self) -> &Live {
        &self.live
    }

    fn stopping(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}

/// The stream of `environment`'s revisions, starting with `current`'s, as server-sent events.
pub fn stream_response<S: Serving>(
    source: Arc<S>,
    environment: String,
    current: &Published,
) -> Response {
    let events = revisions(source, environment, current.revision);
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    let out = response.headers_mut();
    out.insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}

fn revisions<S: Serving>(
    source: Arc<S>,
    environment: String,
    current: i64,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let receiver = source.live().subscribe();
    // Read again after subscribing: a revision published in between is then either in this
    // reading or among the announcements received, never in neither.
    let now_served = source
        .live()
        .get(&environment)
        .map(|published| published.revision);
    let shutdown = source.stopping();
    let first = Some(now_served.map_or(current, |served| served.max(current)));
    stream::unfold(
        (source, environment, receiver, shutdown, first, 0i64),
        |(source, environment, mut receiver, mut shutdown, first, sent)| async move {
            if let Some(revision) = first {
                let event = revision_event(&environment, revision);
                return Some((
                    Ok(event),
                    (source, environment, receiver, shutdown, None, revision),
                ));
            }
            loop {
                tokio::select! {
                    _ = shutdown.changed() => return None,
                    received = receiver.recv() => match received {
                        Ok(announcement) if announcement.environment == environment && announcement.revision > sent => {
                            let event = revision_event(&environment, announcement.revision);
                            return Some((Ok(event), (source, environment, receiver, shutdown, None, announcement.revision)));
                        }
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => {
                            // Announcements were missed: send where the environment is now.
                            let revision = source.live().get(&environment).map_or(sent, |p| p.revision);
                            if revision > sent {
                                let event = revision_event(&environment, revision);
                                return Some((Ok(event), (source, environment, receiver, shutdown, None, revision)));
                            }
                        }
                        Err(RecvError::Closed) => return None,
                    },
                }
            }
        },
    )
}

fn revision_event(environment: &str, revision: i64) -> Event {
    Event::default()
        .event("revision")
        .id(revision.to_string())
        .data(json!({ "environment": environment, "revision": revision }).to_string())
}

/// `POST /sdk/v1/events`: the npm client's `flush` report,
/// `{"flags": [{"flag", "variants": {variant: count}, "errors"}], "sentAt"?}`. Counts of
/// flags or variants the environment does not have are ignored (and counted as such).
pub async fn events(
    State(service): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let (principal, environment) = reader(&service, &headers, &query).await?;
    let published = service
        .live
        .get(&environment)
        .ok_or_else(|| ApiError::not_found("environment", &environment))?;
    let bytes = read_body(body, MAX_EVENTS_BYTES).await?;
    let report: Value = serde_json::from_str(text(&bytes)?)
        .map_err(|error| ApiError::bad_request(format!("the report is not JSON: {error}")))?;
    // Against the caller's own document: a client key's counts of a server-only flag are
    // ignored, as counts of a flag that does not exist are, so `ignored` cannot tell them apart.
    let engine = published.engine_for(principal.audience());
    let (counts, ignored) = read_report(&report, engine)?;
    let hour = service.clock.now_ms().div_euclid(HOUR_MS);
    let mut accepted = 0i64;
    for (flag, variant, count) in counts {
        accepted = accepted.saturating_add(count);
        service
            .usage
            .add(&environment, &flag, variant.as_deref(), hour, count);
    }
    let response = json(
        StatusCode::ACCEPTED,
        &json!({ "accepted": accepted, "ignored": ignored }),
    );
    Ok(response)
}

type Counts = Vec<(String, Option<String>, i64)>;

fn read_report(report: &Value, engine: &Engine) -> Result<(Counts, i64), ApiError> {
    let bad = |message: &str| ApiError::bad_request(format!("the report {message}"));
    let object = report.as_object().ok_or_else(|| bad("must be an object"))?;
    if let Some(unknown) = object
        .keys()
        .find(|name| !["flags", "sentAt"].contains(&name.as_str()))
    {
        return Err(bad(&format!("has an unknown field `{unknown}`")));
    }
    let flags = object
        .get("flags")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("needs a `flags` array"))?;
    if flags.len() > MAX_EVENT_FLAGS {
        return Err(bad(&format!("has more than {MAX_EVENT_FLAGS} flags")));
    }
    let count_of = |value: &Value| -> Result<i64, ApiError> {
        value
            .as_i64()
            .filter(|count| (0..=MAX_COUNT).contains(count))
            .ok_or_else(|| {
                bad(&format!(
                    "has a count that is not a whole number from 0 to {MAX_COUNT}"
                ))
            })
    };
    let (mut counts, mut ignored) = (Vec::new(), 0i64);
    for entry in flags {
        let key = entry
            .get("flag")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("has an entry without a `flag` string"))?;
        let info = engine.flag(key);
        let known_variant = |variant: &str| {
            info.as_ref()
                .is_some_and(|info| info.variants().any(|(name, _)| name == variant))
        };
        if let Some(variants) = entry.get("variants") {
            let variants = variants
                .as_object()
                .ok_or_else(|| bad("has `variants` that is not an object"))?;
            for (variant, count) in variants {
                let count = count_of(count)?;
                if known_variant(variant) {
                    counts.push((key.to_owned(), Some(variant.clone()), count));
                } else {
                    ignored = ignored.saturating_add(count);
                }
            }
        }
        if let Some(errors) = entry.get("errors") {
            let errors = count_of(errors)?;
            if info.is_some() {
                counts.push((key.to_owned(), None, errors));
            } else {
                ignored = ignored.saturating_add(errors);
            }
        }
    }
    Ok((counts, ignored))
}
