//! The service over real HTTP: the router on 127.0.0.1 in the test's runtime, a small client
//! on `ureq` (blocking, so each call runs on tokio's blocking pool), and the tokens of every
//! kind and role. Scenarios are written once and run on SQLite and on PostgreSQL.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use ureq::http;

use super::cluster::{self, Cluster};
use super::{Fixture, TempFolder};
use crate::serve::api;
use crate::serve::console::{self, Console};
use crate::serve::store::Store;
use crate::serve::tokens::TokenKind;

/// A service instance listening on 127.0.0.1, with tokens of every kind.
pub struct Api {
    pub fixture: Fixture,
    pub base: String,
    pub tokens: Tokens,
    agent: ureq::Agent,
    server: tokio::task::JoinHandle<()>,
    /// Keeps a PostgreSQL cluster running while this instance uses it.
    cluster: Option<Arc<Cluster>>,
}

/// One token of each kind and role, made through the service's own issuing code.
#[derive(Clone)]
pub struct Tokens {
    pub admin: String,
    pub editor: String,
    pub viewer: String,
    pub server: String,
    pub client: String,
}

impl Api {
    /// An instance on a fresh SQLite file.
    pub async fn sqlite() -> Api {
        Api::serve(Fixture::sqlite().await, None, None).await
    }

    /// An instance on a fresh SQLite file, serving `console` at `/` as `vexil serve` does.
    pub async fn sqlite_with_console(console: Option<Console>) -> Api {
        Api::listen(Fixture::sqlite().await, None, None, console).await
    }

    /// An instance on a fresh database of a (shared) throwaway PostgreSQL cluster.
    pub async fn postgres() -> Api {
        let cluster = cluster::shared();
        let url = cluster::fresh_database(&cluster);
        let store = Store::open_postgres(&url).await.expect("open PostgreSQL");
        let fixture = Fixture::on(store, TempFolder::new("pg")).await;
        Api::serve(fixture, None, Some(cluster)).await
    }

    /// A second instance on the same database (PostgreSQL), sharing the first one's tokens.
    pub async fn another_instance(&self) -> Api {
        let store = Store::open_postgres(&self.fixture.service.store.url)
            .await
            .expect("open PostgreSQL");
        let fixture = Fixture::joining(store, self.fixture.clock.clone()).await;
        Api::serve(fixture, Some(self.tokens.clone()), self.cluster.clone()).await
    }

    async fn serve(fixture: Fixture, tokens: Option<Tokens>, cluster: Option<Arc<Cluster>>) -> Api {
        Api::listen(fixture, tokens, cluster, None).await
    }

    async fn listen(
        fixture: Fixture,
        tokens: Option<Tokens>,
        cluster: Option<Arc<Cluster>>,
        console: Option<Console>,
    ) -> Api {
        let tokens = match tokens {
            Some(tokens) => tokens,
            None => Tokens::issue(&fixture).await,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        // What `vexil serve` runs beside the router: override expiry, usage, change listener.
        crate::serve::sync::start(&fixture.service);
        let app = console::serve(api::router(fixture.service.clone()), console);
        let mut stop = fixture.service.shutdown.subscribe();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.changed().await;
                })
                .await;
        });
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // A fresh connection per call: the server closes a connection whose request body
            // it did not read (a refused token), and a pooled one could be reused just then.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build();
        Api {
            fixture,
            base,
            tokens,
            agent: ureq::Agent::new_with_config(config),
            server,
            cluster,
        }
    }

    /// A request to `path` (under the server's address).
    pub fn call(&self, method: &str, path: &str) -> Call {
        Call {
            agent: self.agent.clone(),
            method: method.to_owned(),
            url: format!("{}{path}", self.base),
            headers: Vec::new(),
            body: None,
        }
    }

    /// `GET path` with a token.
    pub fn get(&self, path: &str, token: &str) -> impl Future<Output = Reply> + 'static {
        self.call("GET", path).token(token).send()
    }

    /// A request with a JSON body and a token.
    pub fn send_json(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: &Value,
    ) -> impl Future<Output = Reply> + 'static {
        self.call(method, path).token(token).json(body).send()
    }

    /// The environment's revision as the database has it.
    pub async fn stored_revision(&self, environment: &str) -> i64 {
        crate::serve::store::environments::get(&self.fixture.service.store.pool, environment)
            .await
            .expect("read the environment")
            .expect("the environment exists")
            .0
    }

    /// How many audit rows the environment has.
    pub async fn audit_rows(&self, environment: &str) -> i64 {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit WHERE environment = $1")
            .bind(environment)
            .fetch_one(&self.fixture.service.store.pool)
            .await
            .expect("count audit rows");
        count
    }

    /// Polls `check` every 50 ms until it answers `Some`, for at most `seconds`.
    pub async fn eventually<T, F, Fut>(&self, seconds: u64, what: &str, check: F) -> T
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            if let Some(found) = check().await {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited {seconds} s for {what}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        // Ends open streams and the background tasks; the server task goes with the runtime.
        let _ = self.fixture.service.shutdown.send(true);
        self.server.abort();
    }
}

impl Tokens {
    async fn issue(fixture: &Fixture) -> Tokens {
        let service = &fixture.service;
        let admin = |role: &str| {
            let role = role.to_owned();
            async move {
                let made = api::admin::issue(
                    service,
                    TokenKind::Admin,
                    Some(role.clone()),
                    None,
                    &role,
                    "test",
                )
                .await
                .expect("issue a token");
                made["token"].as_str().expect("token").to_owned()
            }
        };
        let sdk = |kind: TokenKind| async move {
            let made = api::admin::issue(
                service,
                kind,
                None,
                Some("production".to_owned()),
                kind.as_str(),
                "test",
            )
            .await
            .expect("issue a key");
            made["token"].as_str().expect("token").to_owned()
        };
        Tokens {
            admin: admin("admin").await,
            editor: admin("editor").await,
            viewer: admin("viewer").await,
            server: sdk(TokenKind::Server).await,
            client: sdk(TokenKind::Client).await,
        }
    }
}

/// A request being built.
pub struct Call {
    agent: ureq::Agent,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Call {
    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn token(self, token: &str) -> Call {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn json(self, body: &Value) -> Call {
        self.body(body.to_string().into_bytes())
            .header("Content-Type", "application/json")
    }

    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Call {
        self.body = Some(bytes.into());
        self
    }

    /// Sends the request and reads the whole answer.
    pub async fn send(self) -> Reply {
        tokio::task::spawn_blocking(move || self.send_blocking())
            .await
            .expect("the request task")
    }

    fn request(&self) -> http::request::Builder {
        let mut request = http::Request::builder()
            .method(self.method.as_str())
            .uri(&self.url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request
    }

    fn send_blocking(self) -> Reply {
        let request = self.request();
        let response = match self.body {
            Some(body) => self.agent.run(request.body(body).expect("a request")),
            None => self.agent.run(request.body(()).expect("a request")),
        };
        let response =
            response.unwrap_or_else(|error| panic!("{} {}: {error}", self.method, self.url));
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("read the body");
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: bytes,
        }
    }

    /// Opens a server-sent events stream; each event's `data` arrives on the channel (the
    /// reading thread ends when the server closes the stream).
    pub async fn stream(self) -> (u16, tokio::sync::mpsc::UnboundedReceiver<Value>) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let (status_tx, status_rx) = tokio::sync::oneshot::channel();
        tokio::task::spawn_blocking(move || {
            use std::io::BufRead;
            let request = self.request().body(()).expect("a request");
            let response = self.agent.run(request).expect("open the stream");
            let _ = status_tx.send(response.status().as_u16());
            let reader = std::io::BufReader::new(response.into_body().into_reader());
            for line in reader.lines() {
                let Ok(line) = line else { return };
                if let Some(data) = line.strip_prefix("data:") {
                    let value = serde_json::from_str(data.trim()).unwrap_or(Value::Null);
                    if sender.send(value).is_err() {
                        return;
                    }
                }
            }
        });
        (status_rx.await.expect("the stream's status"), receiver)
    }
}

/// A whole answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON (panics, failing the test, when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "status {}: the body is not JSON ({error}): {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The `X-Vexil-Revision` header.
    pub fn revision(&self) -> i64 {
        self.header("x-vexil-revision")
            .and_then(|text| text.parse().ok())
            .unwrap_or_else(|| panic!("no revision header: {self:?}"))
    }

    /// The ETag as a version number (`"3"` → 3).
    pub fn version(&self) -> i64 {
        self.header("etag")
            .and_then(|text| text.trim_matches('"').parse().ok())
            .unwrap_or_else(|| panic!("no version ETag: {self:?}"))
    }

    /// Asserts the answer is an error of the service's shape with `status` and `code`, and
    /// that it gives away nothing (no SQL, no stack trace, no token); answers the error object.
    pub fn error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "{body}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{body}"
        );
        self.assert_discreet(&[]);
        error.clone()
    }

    /// Asserts the body holds no SQL, stack trace, or any of `secrets`.
    pub fn assert_discreet(&self, secrets: &[&str]) {
        let text = self.text();
        let lower = text.to_lowercase();
        for leak in [
            "select ",
            "insert into",
            "update environments",
            "delete from",
            "panicked",
            "stack backtrace",
            "src/",
            ".rs:",
            "sqlx",
        ] {
            assert!(!lower.contains(leak), "`{leak}` in an answer: {text}");
        }
        for secret in secrets {
            assert!(!text.contains(secret), "a token in an answer: {text}");
        }
    }
}

/// Runs a scenario, an `async fn(Api)`, on SQLite and on PostgreSQL, as two tests.
macro_rules! on_both {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$scenario($crate::serve::tests::http::Api::sqlite().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$scenario($crate::serve::tests::http::Api::postgres().await).await;
                }
            }
        )*
    };
}
pub(crate) use on_both;
