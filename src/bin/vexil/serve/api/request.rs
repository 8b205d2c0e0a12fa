//! Reading requests: the query, bounded bodies, the API's own JSON bodies (unknown fields
//! refused), `If-Match`, and the reason a change gives.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::serve::definition;
use crate::serve::error::{json_body, ApiError};

/// The largest body the API reads for one flag, segment or override.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The query parameters (the last of each name wins).
#[derive(Debug, Default)]
pub struct Query(HashMap<String, String>);

impl Query {
    /// Reads a raw query string.
    pub fn parse(raw: Option<&str>) -> Query {
        let pairs = form_urlencoded::parse(raw.unwrap_or_default().as_bytes());
        Query(
            pairs
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    /// Sets parameter `name`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }

    /// Parameter `name`, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// Parameter `name` as a whole number in `range`, or `default`.
    pub fn number(&self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(text) => match text.parse::<i64>() {
                Ok(number) if (min..=max).contains(&number) => Ok(number),
                _ => Err(ApiError::bad_request(format!(
                    "`{name}` must be a whole number from {min} to {max}"
                ))),
            },
        }
    }
}

/// Reads a body of at most `limit` bytes (413 beyond).
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!("the body is larger than {limit} bytes, or could not be read"),
        )
    })
}

/// The body as UTF-8 text.
pub fn text(bytes: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|_| ApiError::bad_request("the body is not UTF-8 text"))
}

/// An API body: one JSON object whose fields are all among `allowed`.
pub fn fields(bytes: &Bytes, allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let text = text(bytes)?;
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let object = definition::object(text).map_err(|error| {
        ApiError::bad_request(format!("the body is not a JSON object: {error}"))
    })?;
    if let Some(unknown) = object.keys().find(|name| !allowed.contains(&name.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown field `{unknown}`; the fields are {}",
            allowed.join(", ")
        )));
    }
    Ok(object)
}

/// Field `name` of a body as an optional string.
pub fn string_field(object: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::bad_request(format!("`{name}` must be a string"))),
    }
}

/// The version an `If-Match` header names: `"3"` (or `3`); `*` and no header mean any.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::bad_request("If-Match must be the ETag a GET answered, e.g. \"3\""))
}

/// The reason given for a change: the `X-Vexil-Reason` header or the `reason` parameter.
pub fn reason(headers: &HeaderMap, query: &Query) -> Result<Option<String>, ApiError> {
    let header = headers
        .get("x-vexil-reason")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let reason = header.or_else(|| query.get("reason").map(str::to_owned));
    match reason {
        Some(reason) if reason.chars().count() > 1000 => {
            Err(ApiError::bad_request("a reason is at most 1000 characters"))
        }
        other => Ok(other.filter(|reason| !reason.trim().is_empty())),
    }
}

/// A JSON response.
pub fn json(status: StatusCode, value: &Value) -> Response {
    json_text(status, json_body(value))
}

/// `object` as JSON text with one more member, `name`, whose value is the JSON text `raw`
/// kept as it is: definitions keep their member and variant order in listings.
pub fn with_raw_member(object: &Value, name: &str, raw: &str) -> String {
    let text = json_body(object);
    let Some(open) = text.strip_suffix('}') else {
        return text;
    };
    let separator = if open.len() > 1 { "," } else { "" };
    format!(
        "{open}{separator}{}:{raw}}}",
        Value::String(name.to_owned())
    )
}

/// A JSON response from text already serialized.
pub fn json_text(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A flag's or segment's version as its ETag.
pub fn version_etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_member_is_appended_as_written() {
        let object = serde_json::json!({ "key": "a" });
        assert_eq!(
            with_raw_member(&object, "flag", r#"{"z":1,"a":2}"#),
            r#"{"key":"a","flag":{"z":1,"a":2}}"#
        );
        assert_eq!(
            with_raw_member(&serde_json::json!({}), "x", "[]"),
            r#"{"x":[]}"#
        );
    }
}
