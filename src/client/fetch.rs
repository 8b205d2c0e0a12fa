//! One attempt at the config endpoint: a `GET` with the client's headers (and `If-None-Match`
//! when a snapshot is loaded), redirects followed only within the endpoint's origin, and the
//! answer read only when it can be a snapshot: a JSON-ish media type, within the body limit.

use std::time::{Duration, SystemTime};

use ureq::http::{header, StatusCode, Uri};
use ureq::Agent;

use super::{FetchError, FetchErrorKind};
use crate::Timestamp;

/// Redirects followed within one attempt.
const MAX_REDIRECTS: u32 = 5;

/// Media types read as a snapshot: JSON's, and the generic ones static file hosts give files
/// they do not recognise (plus any `+json`). Anything else, such as an HTML login page from a
/// proxy, is refused unread.
const READABLE_TYPES: [&str; 5] = [
    "application/json",
    "text/json",
    "text/plain",
    "application/octet-stream",
    "binary/octet-stream",
];

/// What one attempt asks for.
pub(super) struct Request<'a> {
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    /// The loaded snapshot's ETag, sent as `If-None-Match`.
    pub etag: Option<&'a str>,
    /// Asks for the whole document past any cache: without the validators among `headers`
    /// (`If-None-Match`, `If-Modified-Since`) and with `Cache-Control: no-cache`.
    pub in_full: bool,
    pub max_body_bytes: u64,
}

/// Request headers that make a `304` possible, left out of a request [in full](Request::in_full).
const VALIDATORS: [header::HeaderName; 2] = [header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE];

/// What the endpoint answered, when it answered with something usable.
pub(super) enum Answer {
    /// 304: the loaded snapshot is still current.
    NotModified,
    /// A document to load, and its ETag.
    Document {
        bytes: Vec<u8>,
        etag: Option<String>,
    },
}

/// Why an attempt failed, and what that says about when to try again.
#[derive(Debug)]
pub(super) struct Failure {
    pub error: FetchError,
    /// The endpoint's `Retry-After`, if it sent one that can be read.
    pub retry_after: Option<Duration>,
    /// A 4xx other than 408 and 429: the configuration's fault (key, headers, URL), and asking
    /// again soon would get the same answer.
    pub refused: bool,
}

impl Failure {
    pub(super) fn new(kind: FetchErrorKind, message: String) -> Failure {
        Failure {
            error: FetchError { kind, message },
            retry_after: None,
            refused: false,
        }
    }
}

/// The agent every attempt of one client goes through: statuses are answers, not errors, and
/// redirects are followed here (see [`fetch`]) so that each one's origin is checked.
pub(super) fn agent(timeout: Duration) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .user_agent(concat!("vexil-rust/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// One attempt: the answer, or why there is none.
pub(super) fn fetch(agent: &Agent, request: &Request<'_>) -> Result<Answer, Failure> {
    let origin = origin(request.url).ok_or_else(|| {
        Failure::new(
            FetchErrorKind::Network,
            format!("{} is not an http(s) URL", request.url),
        )
    })?;
    let mut target = request.url.to_owned();
    let mut redirects = 0;
    loop {
        let mut call = agent
            .get(&target)
            .header(header::ACCEPT, "application/json");
        for (name, value) in request.headers {
            if request.in_full
                && VALIDATORS
                    .iter()
                    .any(|v| v.as_str().eq_ignore_ascii_case(name))
            {
                continue;
            }
            call = call.header(name, value);
        }
        if request.in_full {
            call = call.header(header::CACHE_CONTROL, "no-cache");
        } else if let Some(etag) = request.etag {
            call = call.header(header::IF_NONE_MATCH, etag);
        }
        let mut response = call.call().map_err(transport)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Answer::NotModified);
        }
        if status.is_success() {
            return read(&mut response, status, request.max_body_bytes);
        }
        if status.is_redirection() {
            if let Some(location) = text_header(&response, header::LOCATION) {
                if redirects == MAX_REDIRECTS {
                    return Err(Failure::new(
                        FetchErrorKind::Redirect,
                        format!("more than {MAX_REDIRECTS} redirects"),
                    ));
                }
                target = follow(&origin, &target, location)?;
                redirects += 1;
                continue;
            }
        }
        return Err(refusal(status, &response));
    }
}

/// A failure for an answer that is neither a snapshot, a 304 nor a redirect.
fn refusal(status: StatusCode, response: &ureq::http::Response<ureq::Body>) -> Failure {
    let code = status.as_u16();
    let refused = status.is_client_error() && code != 408 && code != 429;
    let why = match code {
        401 | 403 => ": the key or headers sent are refused",
        404 | 410 => ": there is no snapshot at this URL",
        _ if refused => ": the request is refused",
        _ if status.is_redirection() => ", a redirect without a Location to follow",
        _ => "",
    };
    let mut failure = Failure::new(
        FetchErrorKind::Status(code),
        format!("the config endpoint answered {code}{why}"),
    );
    failure.refused = refused;
    failure.retry_after = text_header(response, header::RETRY_AFTER)
        .and_then(|value| retry_after(value, SystemTime::now()));
    failure
}

/// Reads a 2xx answer: refused unread unless its media type can be a snapshot, and refused as
/// soon as it is known to be over the limit (from `Content-Length`, else while reading).
fn read(
    response: &mut ureq::http::Response<ureq::Body>,
    status: StatusCode,
    limit: u64,
) -> Result<Answer, Failure> {
    if let Some(kind) = text_header(response, header::CONTENT_TYPE) {
        if !readable(kind) {
            return Err(Failure::new(
                FetchErrorKind::ContentType,
                format!("the config endpoint answered with {kind}, not JSON; not read"),
            ));
        }
    }
    // No Accept-Encoding is sent, so nothing is decoded: a body a server or CDN encoded anyway
    // would read as broken JSON.
    if let Some(coding) = text_header(response, header::CONTENT_ENCODING)
        .map(str::trim)
        .filter(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case("identity"))
    {
        return Err(Failure::new(
            FetchErrorKind::ContentType,
            format!(
                "the config endpoint answered with Content-Encoding {coding}, which was not asked \
                 for and is not decoded; not read"
            ),
        ));
    }
    let declared = text_header(response, header::CONTENT_LENGTH)
        .and_then(|length| length.trim().parse::<u64>().ok());
    if let Some(size) = declared.filter(|&size| size > limit) {
        return Err(too_large(&size.to_string(), limit));
    }
    let etag = text_header(response, header::ETAG).map(str::to_owned);
    let bytes = response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|error| match error {
            ureq::Error::BodyExceedsLimit(_) => too_large(&format!("more than {limit}"), limit),
            other => transport(other),
        })?;
    if bytes.is_empty() {
        // Said plainly: the engine would call it JSON that ends at its first byte.
        return Err(Failure::new(
            FetchErrorKind::Invalid,
            format!(
                "the config endpoint answered {} with an empty body",
                status.as_u16()
            ),
        ));
    }
    Ok(Answer::Document { bytes, etag })
}

fn too_large(size: &str, limit: u64) -> Failure {
    Failure::new(
        FetchErrorKind::TooLarge,
        format!("the response body is {size} bytes, over the limit of {limit} (max_body_bytes)"),
    )
}

/// A failure of the connection itself (nothing or not all of an answer arrived).
fn transport(error: ureq::Error) -> Failure {
    let kind = match error {
        ureq::Error::Timeout(_) => FetchErrorKind::Timeout,
        _ => FetchErrorKind::Network,
    };
    Failure::new(kind, error.to_string())
}

fn text_header(
    response: &ureq::http::Response<ureq::Body>,
    name: header::HeaderName,
) -> Option<&str> {
    response.headers().get(name)?.to_str().ok()
}

fn readable(content_type: &str) -> bool {
    let kind = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    READABLE_TYPES.contains(&kind.as_str()) || kind.ends_with("+json")
}

/// `scheme://authority` of an http(s) URL, lower case; `None` for anything else.
pub(super) fn origin(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = uri.authority()?.as_str().to_ascii_lowercase();
    Some(format!("{scheme}://{authority}"))
}

/// Where a redirect from `current` to `location` leads, if that is within the origin `home`.
fn follow(home: &str, current: &str, location: &str) -> Result<String, Failure> {
    let next = if location.starts_with("//") {
        let scheme = home.split("://").next().unwrap_or("http");
        format!("{scheme}:{location}")
    } else if location.starts_with('/') {
        format!("{home}{location}")
    } else if has_scheme(location) {
        location.to_owned()
    } else {
        // A relative path: beside the current document, as a browser resolves it.
        let uri: Option<Uri> = current.parse().ok();
        let path = uri.as_ref().map_or("/", Uri::path);
        let folder = path.rfind('/').map_or("/", |end| &path[..=end]);
        format!("{home}{folder}{location}")
    };
    match origin(&next) {
        Some(found) if found == home => Ok(next),
        found => Err(Failure::new(
            FetchErrorKind::Redirect,
            format!(
                "the config endpoint redirected to another origin ({}); not followed",
                found.unwrap_or_else(|| location.to_owned())
            ),
        )),
    }
}

/// Whether `location` starts with a scheme, as an absolute URL does.
fn has_scheme(location: &str) -> bool {
    location.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"+-.".contains(&byte))
    })
}

/// A `Retry-After` value (seconds, or an HTTP date) as a wait from `now`; `None` when it cannot
/// be read.
pub(super) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date(value)?.to_system_time()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// An HTTP date in its one current form (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), read by
/// rewriting it as RFC 3339 for [`Timestamp::parse_rfc3339`] to check.
fn http_date(text: &str) -> Option<Timestamp> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (_, rest) = text.split_once(", ")?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let month = MONTHS.iter().position(|name| name == month)? + 1;
    Timestamp::parse_rfc3339(&format!("{year}-{month:02}-{day}T{time}Z")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past is no wait"
        );
        for unreadable in [
            "",
            "-5",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sunday, 06-Nov-94 08:49:37 GMT",
        ] {
            assert_eq!(retry_after(unreadable, now), None, "{unreadable:?}");
        }
    }

    #[test]
    fn only_json_like_media_types_are_read() {
        for kind in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "text/json",
            "text/plain",
            "application/octet-stream",
            "binary/octet-stream",
            "application/vnd.vexil+json",
        ] {
            assert!(readable(kind), "{kind}");
        }
        for kind in ["text/html", "application/xml", "", "application/jsonx"] {
            assert!(!readable(kind), "{kind}");
        }
    }

    #[test]
    fn redirects_are_resolved_and_kept_within_the_origin() {
        let home = "http://127.0.0.1:8080";
        let here = "http://127.0.0.1:8080/sdk/v1/snapshot?x=1";
        let follows = |location| follow(home, here, location).map_err(|f| f.error.message);
        assert_eq!(
            follows("/other").as_deref(),
            Ok("http://127.0.0.1:8080/other")
        );
        assert_eq!(
            follows("next.json").as_deref(),
            Ok("http://127.0.0.1:8080/sdk/v1/next.json")
        );
        assert_eq!(
            follows("http://127.0.0.1:8080/a").as_deref(),
            Ok("http://127.0.0.1:8080/a")
        );
        assert_eq!(
            follows("//127.0.0.1:8080/b").as_deref(),
            Ok("http://127.0.0.1:8080/b")
        );
        // Not a scheme (`_` cannot be in one): a relative path with a colon in it.
        assert_eq!(
            follows("a_b:c").as_deref(),
            Ok("http://127.0.0.1:8080/sdk/v1/a_b:c")
        );
        for elsewhere in [
            "http://evil.example/x",
            "https://127.0.0.1:8080/x",
            "//evil.example/x",
            "http://127.0.0.1:8081/",
        ] {
            let refused = follows(elsewhere).expect_err(elsewhere);
            assert!(refused.contains("another origin"), "{refused}");
        }
        assert_eq!(origin("ftp://127.0.0.1/x"), None);
        assert_eq!(
            origin("HTTP://Example.COM/x").as_deref(),
            Some("http://example.com")
        );
    }
}
