//! A small HTTP/1.1 client over `std::net::TcpStream`, enough to talk to `vexil serve` the way
//! an SDK or a browser does: one request per connection, the whole answer read until the
//! server closes it, and server-sent events read as they arrive.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long one request may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(10);

/// An answer.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The header fields, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body as sent (still compressed if a `Content-Encoding` says so).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header field named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body read as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "the body is not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends `method path` with `headers` (and no body) to `address` and reads the whole answer.
pub fn request(address: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = send(address, method, path, headers);
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|error| panic!("{method} {path}: cannot read the answer: {error}"));
    let Head {
        status,
        headers,
        body_at,
    } = head(&raw).unwrap_or_else(|| panic!("{method} {path}: the answer has no complete head"));
    let raw_body = &raw[body_at..];
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    let body = if chunked {
        let (body, complete) = dechunk(raw_body);
        assert!(complete, "{method} {path}: the chunked body ends early");
        body
    } else {
        raw_body.to_vec()
    };
    if let Some((_, length)) = headers.iter().find(|(name, _)| name == "content-length") {
        assert_eq!(
            length.parse::<usize>().ok(),
            Some(body.len()),
            "{method} {path}: Content-Length does not match the body"
        );
    }
    Response {
        status,
        headers,
        body,
    }
}

/// `GET path`.
pub fn get(address: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    request(address, "GET", path, headers)
}

fn send(address: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> TcpStream {
    let mut stream = TcpStream::connect(address)
        .unwrap_or_else(|error| panic!("cannot connect to {address}: {error}"));
    stream
        .set_read_timeout(Some(TIMEOUT))
        .expect("a read timeout can be set");
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "POST" || method == "PUT" {
        text.push_str("Content-Length: 0\r\n");
    }
    text.push_str("\r\n");
    stream
        .write_all(text.as_bytes())
        .unwrap_or_else(|error| panic!("{method} {path}: cannot send: {error}"));
    stream
}

/// An answer's status line and header fields.
struct Head {
    status: u16,
    headers: Vec<(String, String)>,
    /// Where the body starts.
    body_at: usize,
}

/// The head of an answer, once it is complete.
fn head(raw: &[u8]) -> Option<Head> {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n")?;
    let text = std::str::from_utf8(&raw[..end]).expect("the head is text");
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP status line: {status_line}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Some(Head {
        status,
        headers,
        body_at: end + 4,
    })
}

/// The data of the complete chunks at the start of `raw`, and whether the last chunk was seen.
fn dechunk(raw: &[u8]) -> (Vec<u8>, bool) {
    let mut data = Vec::new();
    let mut at = 0;
    loop {
        let Some(line_end) = raw[at..].windows(2).position(|window| window == b"\r\n") else {
            return (data, false);
        };
        let size_text = std::str::from_utf8(&raw[at..at + line_end]).expect("a chunk size");
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .unwrap_or_else(|_| panic!("not a chunk size: {size_text:?}"));
        let start = at + line_end + 2;
        if size == 0 {
            return (data, true);
        }
        if raw.len() < start + size + 2 {
            return (data, false);
        }
        data.extend_from_slice(&raw[start..start + size]);
        at = start + size + 2;
    }
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its `event:` field.
    pub event: String,
    /// Its `data:` field.
    pub data: String,
}

/// An open `text/event-stream`, read as events arrive.
pub struct EventStream {
    stream: TcpStream,
    raw: Vec<u8>,
    /// How many events were handed out already.
    taken: usize,
    /// The answer's status code.
    pub status: u16,
    /// The answer's header fields.
    pub headers: Vec<(String, String)>,
}

impl EventStream {
    /// Opens `GET path` and reads the answer's head.
    pub fn open(address: &str, path: &str) -> EventStream {
        let stream = send(address, "GET", path, &[("Accept", "text/event-stream")]);
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("a read timeout can be set");
        let mut events = EventStream {
            stream,
            raw: Vec::new(),
            taken: 0,
            status: 0,
            headers: Vec::new(),
        };
        let deadline = Instant::now() + TIMEOUT;
        while head(&events.raw).is_none() {
            assert!(Instant::now() < deadline, "GET {path}: no answer");
            events.read_some();
        }
        let Head {
            status, headers, ..
        } = head(&events.raw).expect("the head is complete");
        events.status = status;
        events.headers = headers;
        events
    }

    /// The next event (comments skipped), or `None` if none comes within `wait`.
    pub fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = Instant::now() + wait;
        loop {
            let events = self.events();
            if let Some(event) = events.into_iter().nth(self.taken) {
                self.taken += 1;
                return Some(event);
            }
            if Instant::now() >= deadline {
                return None;
            }
            if !self.read_some() {
                return None;
            }
        }
    }

    /// Every complete event received so far.
    fn events(&self) -> Vec<Event> {
        let Some(Head { body_at, .. }) = head(&self.raw) else {
            return Vec::new();
        };
        let (body, _) = dechunk(&self.raw[body_at..]);
        let text = String::from_utf8(body).expect("events are text");
        let mut events = Vec::new();
        // The last piece is an event still arriving.
        let mut blocks: Vec<&str> = text.split("\n\n").collect();
        blocks.pop();
        for block in blocks {
            let (mut event, mut data) = (None, Vec::new());
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    event = Some(value.trim_start().to_owned());
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push(value.trim_start().to_owned());
                }
            }
            if event.is_some() || !data.is_empty() {
                events.push(Event {
                    event: event.unwrap_or_else(|| "message".to_owned()),
                    data: data.join("\n"),
                });
            }
        }
        events
    }

    /// Reads what has arrived; false once the server closed the stream.
    fn read_some(&mut self) -> bool {
        let mut buffer = [0u8; 4096];
        match self.stream.read(&mut buffer) {
            Ok(0) => false,
            Ok(read) => {
                self.raw.extend_from_slice(&buffer[..read]);
                true
            }
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                true
            }
            Err(error) => panic!("the event stream broke: {error}"),
        }
    }
}
