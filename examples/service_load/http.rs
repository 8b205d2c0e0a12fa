//! A minimal HTTP/1.1 client over one kept-alive `TcpStream`: enough for the service's
//! answers (`Content-Length` or chunked bodies) and for reading a server-sent event stream
//! chunk by chunk. Bodies the caller does not want are counted, never copied.

use std::io::{Error, ErrorKind};
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

/// The most a response head may take.
const BUFFER: usize = 64 * 1024;
/// The longest a request may wait for its whole answer (a change of thousands of flags
/// behind three others takes a few seconds).
const ANSWER_LIMIT: Duration = Duration::from_secs(30);

/// One connection and what has been read from it but not yet consumed.
pub struct Connection {
    stream: TcpStream,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
}

/// A response's status line and the headers the load generator looks at.
#[derive(Debug, Default)]
pub struct Head {
    /// The status code.
    pub status: u16,
    /// `ETag`.
    pub etag: Option<String>,
    /// `X-Vexil-Revision`.
    pub revision: Option<i64>,
    length: Option<usize>,
    chunked: bool,
}

/// A whole response.
#[derive(Debug)]
pub struct Reply {
    /// Its head.
    pub head: Head,
    /// The body, if it was asked for.
    pub body: Vec<u8>,
    /// The body's length, kept or not.
    pub length: usize,
}

/// A request's bytes: `method path`, the headers given, and the body with its length.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || !matches!(method, "GET" | "HEAD") {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

impl Connection {
    /// Connects to `address`.
    pub async fn open(address: SocketAddr) -> std::io::Result<Connection> {
        let stream = tokio::time::timeout(ANSWER_LIMIT, TcpStream::connect(address))
            .await
            .map_err(|_| Error::new(ErrorKind::TimedOut, "cannot connect in time"))??;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buffer: vec![0; BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
        })
    }

    /// Sends `bytes` whole.
    pub async fn send(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            self.stream.writable().await?;
            match self.stream.try_write(bytes) {
                Ok(written) => bytes = &bytes[written..],
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Sends `bytes` and reads the whole response, keeping its body if `keep`; an error if
    /// the answer takes longer than [`ANSWER_LIMIT`].
    pub async fn exchange(&mut self, bytes: &[u8], keep: bool) -> std::io::Result<Reply> {
        tokio::time::timeout(ANSWER_LIMIT, self.exchange_unbounded(bytes, keep))
            .await
            .map_err(|_| {
                Error::new(
                    ErrorKind::TimedOut,
                    format!("no answer within {} s", ANSWER_LIMIT.as_secs()),
                )
            })?
    }

    async fn exchange_unbounded(&mut self, bytes: &[u8], keep: bool) -> std::io::Result<Reply> {
        self.send(bytes).await?;
        let head = self.head().await?;
        let mut body = Vec::new();
        let length = if head.chunked {
            let mut length = 0;
            while let Some(chunk) = self.chunk().await? {
                length += chunk.len();
                if keep {
                    body.extend_from_slice(&chunk);
                }
            }
            length
        } else {
            let length = head.length.unwrap_or(0);
            self.take(length, keep.then_some(&mut body)).await?;
            length
        };
        Ok(Reply { head, body, length })
    }

    /// Reads a response's status line and headers.
    pub async fn head(&mut self) -> std::io::Result<Head> {
        let size = loop {
            if let Some(at) = find(&self.buffer[self.start..self.end], b"\r\n\r\n") {
                break at + 4;
            }
            self.fill().await?;
        };
        let text = std::str::from_utf8(&self.buffer[self.start..self.start + size])
            .map_err(|_| invalid("the response head is not UTF-8"))?;
        let head = parse_head(text)?;
        self.start += size;
        Ok(head)
    }

    /// The next chunk of a chunked body; `None` after the last.
    pub async fn chunk(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let line = self.line().await?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| invalid("a bad chunk size"))?;
        if size == 0 {
            // Trailers, if any, end with an empty line.
            while !self.line().await?.is_empty() {}
            return Ok(None);
        }
        let mut data = Vec::with_capacity(size);
        self.take(size, Some(&mut data)).await?;
        if !self.line().await?.is_empty() {
            return Err(invalid("a chunk does not end with CRLF"));
        }
        Ok(Some(data))
    }

    async fn line(&mut self) -> std::io::Result<String> {
        loop {
            if let Some(at) = find(&self.buffer[self.start..self.end], b"\r\n") {
                let line = String::from_utf8_lossy(&self.buffer[self.start..self.start + at]);
                let line = line.into_owned();
                self.start += at + 2;
                return Ok(line);
            }
            self.fill().await?;
        }
    }

    /// Consumes `length` bytes, appending them to `keep` if given.
    async fn take(
        &mut self,
        mut length: usize,
        mut keep: Option<&mut Vec<u8>>,
    ) -> std::io::Result<()> {
        while length > 0 {
            if self.start == self.end {
                self.fill().await?;
            }
            let taken = length.min(self.end - self.start);
            if let Some(keep) = keep.as_deref_mut() {
                keep.extend_from_slice(&self.buffer[self.start..self.start + taken]);
            }
            self.start += taken;
            length -= taken;
        }
        Ok(())
    }

    /// Reads more into the buffer (at least one byte, or an error at end of stream).
    async fn fill(&mut self) -> std::io::Result<()> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        } else if self.end == self.buffer.len() {
            if self.start == 0 {
                return Err(invalid("a response head or line is larger than the buffer"));
            }
            self.buffer.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        }
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(&mut self.buffer[self.end..]) {
                Ok(0) => {
                    return Err(Error::new(
                        ErrorKind::UnexpectedEof,
                        "the server closed the connection",
                    ))
                }
                Ok(read) => {
                    self.end += read;
                    return Ok(());
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
    }
}

fn parse_head(text: &str) -> std::io::Result<Head> {
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.strip_prefix("HTTP/1.1 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("not an HTTP/1.1 status line"))?;
    let mut head = Head {
        status,
        ..Head::default()
    };
    for line in lines.filter(|line| !line.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid("a bad header line"))?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => {
                head.length = Some(value.parse().map_err(|_| invalid("a bad Content-Length"))?);
            }
            "transfer-encoding" => head.chunked = value.eq_ignore_ascii_case("chunked"),
            "etag" => head.etag = Some(value.to_owned()),
            "x-vexil-revision" => head.revision = value.parse().ok(),
            _ => {}
        }
    }
    Ok(head)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorKind::InvalidData, message.to_owned())
}
