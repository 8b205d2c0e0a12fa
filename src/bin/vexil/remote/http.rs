//! The HTTP client of `vexil push` and `vexil pull`: one service, one admin token, bounded
//! time, no redirects, and errors that say what went wrong without ever showing the token.

use std::fmt;
use std::time::Duration;

use serde_json::Value;
use ureq::http::Response;

/// How long connecting may take (name lookup, TCP, TLS).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take, answer included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest token accepted from a file or the environment.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// An admin token. It never appears in a message, a debug print or a URL.
pub struct Token(String);

impl Token {
    /// Checks a token read from `source` (named in errors; the token itself never is).
    pub fn new(text: &str, source: &str) -> Result<Token, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("{source} is empty; it should hold an admin token"));
        }
        if text.len() > MAX_TOKEN_BYTES || !text.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(format!(
                "{source} does not hold a token: a token is one word of printable ASCII, \
                 such as those `vexil token` prints"
            ));
        }
        Ok(Token(text.to_owned()))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(hidden)")
    }
}

/// A running service at a base URL, and the token to present to it.
#[derive(Debug)]
pub struct Service {
    base: String,
    token: Token,
    agent: ureq::Agent,
}

/// Why a request got no usable answer.
#[derive(Debug)]
pub enum HttpError {
    /// The service answered with its own error document.
    Refused(Refusal),
    /// No answer, or one that is not from a Vexil service: the sentence to show.
    Failed(String),
}

/// An error the service answered: `{"error": {"code", "message", "details"?}}`.
#[derive(Debug)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The service's stable code, e.g. `unauthorized`.
    pub code: String,
    /// The service's sentence.
    pub message: String,
    /// Structured details, e.g. diagnostics with their paths.
    pub details: Option<Value>,
    /// For 429: the `Retry-After` the service sent, in seconds.
    pub retry_after: Option<String>,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Failed(sentence) => f.write_str(sentence),
            HttpError::Refused(refusal) => {
                write!(
                    f,
                    "{} (HTTP {}, {})",
                    refusal.message, refusal.status, refusal.code
                )?;
                if let Some(seconds) = &refusal.retry_after {
                    write!(f, "; try again in {seconds} s")?;
                }
                Ok(())
            }
        }
    }
}

impl Service {
    /// The service at `base` (`http://host:port`, perhaps with a path prefix).
    pub fn new(base: &str, token: Token) -> Result<Service, String> {
        let base = base.trim_end_matches('/');
        let rest = base
            .strip_prefix("http://")
            .or_else(|| base.strip_prefix("https://"));
        let usable = rest.is_some_and(|rest| {
            !rest.is_empty()
                && !rest.starts_with('/')
                && !rest.contains(['?', '#'])
                && rest.bytes().all(|byte| byte.is_ascii_graphic())
        });
        if !usable {
            return Err(format!(
                "`{base}` is not a service URL: give its base, such as http://127.0.0.1:8080 \
                 or https://flags.example.com"
            ));
        }
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            // A redirect is reported, not followed: the token goes to the URL given, nowhere else.
            .max_redirects(0)
            .user_agent(format!("vexil/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Service {
            base: base.to_owned(),
            token,
            agent: ureq::Agent::new_with_config(config),
        })
    }

    /// The base URL, for messages.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET path` (under the base URL): the JSON body of a 2xx answer.
    pub fn get(&self, path: &str) -> Result<Vec<u8>, HttpError> {
        let url = format!("{}{path}", self.base);
        let answer = self
            .agent
            .get(&url)
            .header("authorization", &self.bearer())
            .header("accept", "application/json")
            .call();
        self.read(&url, answer)
    }

    /// `PUT path` with a JSON body and, if given, the reason for the change.
    pub fn put(&self, path: &str, body: &[u8], reason: Option<&str>) -> Result<Vec<u8>, HttpError> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .agent
            .put(&url)
            .header("authorization", &self.bearer())
            .header("accept", "application/json")
            .header("content-type", "application/json");
        if let Some(reason) = reason {
            request = request.header("x-vexil-reason", reason);
        }
        self.read(&url, request.send(body))
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token.0)
    }

    fn read(
        &self,
        url: &str,
        answer: Result<Response<ureq::Body>, ureq::Error>,
    ) -> Result<Vec<u8>, HttpError> {
        let mut response = answer.map_err(|error| HttpError::Failed(self.unreachable(error)))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        if (300..400).contains(&status) {
            let location = header("location").unwrap_or_else(|| "nowhere".to_owned());
            return Err(HttpError::Failed(format!(
                "{url} answered with a redirect (HTTP {status}) to {location}; redirects are not \
                 followed, so the token goes nowhere else: give the service's own base URL"
            )));
        }
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after");
        let limit = u64::try_from(vexil::Limits::default().max_document_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(1 << 20);
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|error| {
                HttpError::Failed(format!("cannot read the answer from {url}: {error}"))
            })?;
        let is_json = content_type.starts_with("application/json")
            && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok();
        if !is_json {
            let shown = if content_type.is_empty() {
                "no content type"
            } else {
                content_type.as_str()
            };
            return Err(HttpError::Failed(format!(
                "the answer from {url} is not JSON (HTTP {status}, {shown}); is {} a Vexil \
                 service?",
                self.base
            )));
        }
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(refusal(url, status, &body, retry_after))
    }

    fn unreachable(&self, error: ureq::Error) -> String {
        let base = &self.base;
        match error {
            ureq::Error::Timeout(ureq::Timeout::Connect) => format!(
                "cannot reach the service at {base}: no connection within {} s",
                CONNECT_TIMEOUT.as_secs()
            ),
            ureq::Error::Timeout(_) => format!(
                "the service at {base} did not answer within {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
            ureq::Error::HostNotFound => {
                format!("cannot reach the service at {base}: the host name is not known")
            }
            ureq::Error::Io(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!(
                    "cannot reach the service at {base}: the connection was refused (is `vexil \
                     serve` running there?)"
                )
            }
            ureq::Error::Io(error) => format!("cannot reach the service at {base}: {error}"),
            ureq::Error::ConnectionFailed => {
                format!("cannot reach the service at {base}: the connection failed")
            }
            ureq::Error::BadUri(_) => format!("`{base}` is not a usable URL"),
            other => format!("the request to {base} failed: {other}"),
        }
    }
}

/// Reads the service's error document.
fn refusal(url: &str, status: u16, body: &[u8], retry_after: Option<String>) -> HttpError {
    let error = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|mut document| document.get_mut("error").map(Value::take));
    let text =
        |error: &Value, name: &str| error.get(name).and_then(Value::as_str).map(str::to_owned);
    match error {
        Some(error) => match (text(&error, "code"), text(&error, "message")) {
            (Some(code), Some(message)) => HttpError::Refused(Refusal {
                status,
                code,
                message,
                details: error.get("details").cloned(),
                retry_after: retry_after.filter(|_| status == 429),
            }),
            _ => unexpected(url, status),
        },
        None => unexpected(url, status),
    }
}

fn unexpected(url: &str, status: u16) -> HttpError {
    HttpError::Failed(format!(
        "{url} answered HTTP {status} without a Vexil error document; is it a Vexil service?"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Token {
        Token::new("vxa_0123456789ab_secret", "the test").expect("a token")
    }

    #[test]
    fn only_http_base_urls_are_taken() {
        for good in [
            "http://127.0.0.1:8080",
            "https://flags.example.com/",
            "http://h/prefix",
        ] {
            assert!(Service::new(good, token()).is_ok(), "{good}");
        }
        for bad in [
            "",
            "127.0.0.1:8080",
            "ftp://h",
            "http://",
            "http:///x",
            "http://h?x=1",
            "http://a b",
        ] {
            assert!(Service::new(bad, token()).is_err(), "{bad}");
        }
        let service = Service::new("http://h:1///", token()).expect("usable");
        assert_eq!(service.base(), "http://h:1");
    }

    #[test]
    fn a_token_is_one_printable_word_and_never_shown() {
        let token = Token::new(" vxa_abc\n", "the file").expect("trimmed");
        assert_eq!(format!("{token:?}"), "Token(hidden)");
        assert!(Token::new(" \n", "the file").is_err());
        let error = Token::new("vxa_a b", "the file").expect_err("a space");
        assert!(
            error.contains("the file") && !error.contains("vxa_a"),
            "{error}"
        );
    }

    #[test]
    fn an_error_document_becomes_a_refusal_with_its_details() {
        let body =
            br#"{"error":{"code":"invalid-flag","message":"no","details":{"diagnostics":[]}}}"#;
        match refusal("u", 422, body, Some("30".to_owned())) {
            HttpError::Refused(refusal) => {
                assert_eq!(
                    (refusal.status, refusal.code.as_str()),
                    (422, "invalid-flag")
                );
                assert_eq!(
                    refusal.details,
                    Some(serde_json::json!({"diagnostics": []}))
                );
                assert_eq!(refusal.retry_after, None, "only a 429 says when to retry");
            }
            other => panic!("{other:?}"),
        }
        let quota = refusal(
            "u",
            429,
            br#"{"error":{"code":"quota","message":"slow down"}}"#,
            Some("30".to_owned()),
        );
        assert_eq!(
            quota.to_string(),
            "slow down (HTTP 429, quota); try again in 30 s"
        );
        assert!(matches!(
            refusal("u", 500, b"{}", None),
            HttpError::Failed(_)
        ));
    }
}
