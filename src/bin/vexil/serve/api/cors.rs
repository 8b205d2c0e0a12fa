//! CORS: which answers a page on another origin may read. The SDK endpoints let every page read
//! every answer; the evaluate endpoints only the answers to client keys (docs/api.md, "CORS").
//! Keys travel in `Authorization` or the URL, never in cookies, so a page can only use a key it
//! was given, and `*` hands no page anybody else's credentials.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Adds the CORS headers to every answer of the SDK endpoints, errors included (a layer on
/// their router), so pages on any origin can read them.
pub async fn with_cors(mut response: Response) -> Response {
    allow_any_origin(response.headers_mut());
    response
}

/// Lets pages on any origin read the answer, and the headers SDKs look at.
pub fn allow_any_origin(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag, X-Vexil-Revision, X-Vexil-Stream, Retry-After"),
    );
}

/// `OPTIONS` on the SDK endpoints: the CORS preflight (the layer adds the origin).
pub async fn preflight(headers: HeaderMap) -> Response {
    preflight_answer(
        &headers,
        "GET, POST, OPTIONS",
        "Authorization, Content-Type, If-None-Match, Cache-Control",
    )
}

/// `OPTIONS` on the evaluate endpoints. A preflight carries no credentials, so it is answered
/// for everyone; whether the page may read the answer to the request itself depends on the
/// key that request carries (see `evaluate.rs`).
pub async fn evaluate_preflight(headers: HeaderMap) -> Response {
    let mut response = preflight_answer(&headers, "POST, OPTIONS", "Authorization, Content-Type");
    allow_any_origin(response.headers_mut());
    response
}

/// A preflight's answer allowing `methods`, and the request headers the browser asks for when
/// they are plain header names (`usual` otherwise, so nothing odd is echoed), for a day.
fn preflight_answer(headers: &HeaderMap, methods: &'static str, usual: &'static str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(methods),
    );
    let asked = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|value| value.to_str().ok())
        .filter(|value| {
            value.len() <= 512
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-, ".contains(&b))
        });
    if let Ok(value) = HeaderValue::from_str(asked.unwrap_or(usual)) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, value);
    }
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}
