//! A client for Rust servers (feature `client`): keeps an [`Engine`] loaded with the newest good
//! snapshot of a config endpoint, such as `vexil serve`'s `/sdk/v1/snapshot`, and answers flag
//! questions from it.
//!
//! ```no_run
//! use std::time::Duration;
//! use vexil::client::Client;
//! use vexil::Context;
//!
//! let flags = Client::builder("https://flags.example.com/sdk/v1/snapshot")
//!     .header("authorization", "Bearer vxs_…")
//!     .ttl(Duration::from_secs(60))
//!     .build()?;
//! flags.wait_ready(Duration::from_secs(5));
//!
//! let user = Context::with_targeting_key("user-42").with("plan", "pro");
//! if flags.is_enabled("new-checkout", &user) {
//!     // …
//! }
//! # Ok::<(), vexil::client::BuildError>(())
//! ```
//!
//! How it behaves, as the npm package's client does:
//!
//! - A background thread (a plain `std` thread: no async runtime is needed) fetches the snapshot
//!   at once, then every TTL (5 minutes by default, spread by ±10 % jitter). Each request after
//!   the first sends `If-None-Match` with the loaded snapshot's `ETag`, so an unchanged snapshot
//!   costs a `304` without a body. A `304` to a request that sent no such `ETag` (nothing loaded
//!   from the endpoint yet, or a bootstrap) confirms nothing: the client asks again at once, in
//!   full, without the validators among its headers and past caches.
//! - The last good snapshot keeps serving whatever goes wrong: a network error or timeout, a
//!   non-2xx answer, a redirect without a `Location`, an empty body, a body that is not JSON (an
//!   HTML error page is refused by its media type, unread), a body over the size limit, a snapshot that does not load, or one with an older
//!   revision than the loaded one. [`Client::status`] says since when refreshing has failed.
//! - After a failure the next attempt waits 1 s, then twice as long each time up to 5 minutes,
//!   or longer when the endpoint asks with `Retry-After`. A 4xx other than 408 and 429 (a wrong
//!   key or URL) waits the longest at once: asking again soon would get the same answer.
//! - Redirects are followed within the endpoint's origin only, so headers such as the key
//!   never travel elsewhere.
//! - Evaluation never blocks on the network and never fails: before the first snapshot arrives,
//!   every flag answers the caller's default with [`ErrorCode::ProviderNotReady`].
//! - Dropping the client stops its thread: no request starts after that (one in flight ends on
//!   its own, within the timeout). [`Client::close`] also waits for that one.

mod fetch;
mod schedule;

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use ureq::http::{HeaderName, HeaderValue};

use crate::engine::{Engine, EvaluationContext};
use crate::evaluate::{ErrorCode, Reason};
use crate::limits::Limits;
use crate::timestamp::Timestamp;

use fetch::{Answer, Failure, Request};
use schedule::Timing;

/// How often a snapshot is fetched when all is well, unless [`Builder::ttl`] says otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5 * 60);

/// How long one request may take, unless [`Builder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Keeps the newest good snapshot of one config endpoint; see the [module](self) documentation.
///
/// `Send + Sync`: share one client between a server's threads (in an `Arc`, or a `static`).
pub struct Client {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

/// Settings for a [`Client`], from [`Client::builder`].
#[derive(Debug)]
#[must_use = "a builder does nothing until build() is called"]
pub struct Builder {
    url: String,
    headers: Vec<(String, String)>,
    timing: Timing,
    timeout: Duration,
    max_body_bytes: Option<u64>,
    limits: Limits,
    bootstrap: Option<Engine>,
}

/// Why a [`Client`] could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

/// Why one attempt to refresh the snapshot failed. The client kept its last good snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchError {
    kind: FetchErrorKind,
    message: String,
}

impl FetchError {
    /// What kind of failure it was.
    pub fn kind(&self) -> FetchErrorKind {
        self.kind
    }

    /// A sentence saying what happened, e.g. `the config endpoint answered 503`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FetchError {}

/// The kinds of [`FetchError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// No answer: the connection failed or broke.
    Network,
    /// No answer within the timeout.
    Timeout,
    /// An answer with this status, neither 2xx, 304 nor a redirect to follow.
    Status(u16),
    /// A redirect to another origin, or too many redirects.
    Redirect,
    /// A 2xx answer whose media type cannot be a snapshot (e.g. `text/html`), or whose body is
    /// encoded (`Content-Encoding`) although no encoding was asked for; not read.
    ContentType,
    /// A body over [`Builder::max_body_bytes`].
    TooLarge,
    /// A body that is not a snapshot the engine loads (not JSON, or not a valid snapshot).
    Invalid,
    /// A snapshot with an older revision than the loaded one.
    OlderRevision,
    /// `304 Not Modified` to a request that sent no loaded snapshot's ETag (a validator among
    /// the configured headers, or a cache on the way answering for another client), and again
    /// when asked at once in full, without validators and with `Cache-Control: no-cache`.
    NotModifiedWithoutSnapshot,
}

/// What a successful [`Client::refresh_now`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refreshed {
    /// A new snapshot, now serving.
    Loaded {
        /// Its revision.
        revision: u64,
    },
    /// `304 Not Modified`: the loaded snapshot is current.
    NotModified,
    /// The same document again (under another ETag, or none): nothing to load.
    Unchanged,
}

/// Facts about the loaded snapshot and the refreshing, from [`Client::status`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// The loaded snapshot's revision; `None` before the first one.
    pub revision: Option<u64>,
    /// When an attempt last succeeded (a snapshot loaded, or confirmed current).
    pub last_success: Option<SystemTime>,
    /// When the first of the failed attempts since the last success ended; `None` while
    /// refreshing works.
    pub failing_since: Option<SystemTime>,
    /// Failed attempts in a row.
    pub failures: u32,
    /// Why the last attempt failed, while failing.
    pub last_error: Option<FetchError>,
}

/// One flag's result, owned (the client may replace its engine at any moment): what
/// [`Engine::evaluate`] answered, and from which revision.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Resolved {
    /// The variant's value, or `None` for "use your default".
    pub value: Option<Value>,
    /// The variant served.
    pub variant: Option<String>,
    /// Why.
    pub reason: Reason,
    /// Set exactly when `reason` is [`Reason::Error`].
    pub error_code: Option<ErrorCode>,
    /// The id of the rule that decided, if one did.
    pub rule_id: Option<String>,
    /// The revision of the snapshot that answered; `None` before the first one.
    pub revision: Option<u64>,
}

/// What every thread of one client shares.
struct Shared {
    url: String,
    headers: Vec<(String, String)>,
    timing: Timing,
    max_body_bytes: u64,
    limits: Limits,
    agent: ureq::Agent,
    /// The engine evaluations read; replaced whole, never changed in place.
    engine: RwLock<Option<Arc<Engine>>>,
    /// Held for the whole of an attempt, so there is one at a time.
    loaded: Mutex<Loaded>,
    state: Mutex<State>,
    /// Wakes the worker (a new due time, or stop) and [`Client::wait_ready`].
    changed: Condvar,
}

/// What is known of the loaded document, to revalidate it and to recognise it again.
#[derive(Default)]
struct Loaded {
    etag: Option<String>,
    /// A hash of its bytes, so the same document under another ETag is not loaded again.
    hash: Option<u64>,
}

struct State {
    last_success: Option<SystemTime>,
    failing_since: Option<SystemTime>,
    failures: u32,
    last_error: Option<FetchError>,
    /// When the worker makes its next attempt.
    due: Instant,
    stopped: bool,
}

/// A lock whose holder panicked is still usable: every write here leaves the data consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Client {
    /// Settings for a client of the config endpoint at `url` (http or https).
    pub fn builder(url: impl Into<String>) -> Builder {
        Builder {
            url: url.into(),
            headers: Vec::new(),
            timing: Timing {
                ttl: DEFAULT_TTL,
                jitter: 0.1,
                backoff_initial: Duration::from_secs(1),
                backoff_max: Duration::from_secs(5 * 60),
            },
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: None,
            limits: Limits::default(),
            bootstrap: None,
        }
    }

    /// A client of `url` with the default settings; the same as `Client::builder(url).build()`.
    ///
    /// # Errors
    ///
    /// As [`Builder::build`].
    pub fn start(url: impl Into<String>) -> Result<Client, BuildError> {
        Client::builder(url).build()
    }

    /// Waits until a snapshot is loaded, at most `timeout`; whether one is.
    pub fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = lock(&self.shared.state);
        loop {
            if self.engine().is_some() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || state.stopped {
                return false;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The loaded engine, for everything else it can do ([`Engine::explain`],
    /// [`Engine::evaluate_all`], typed details…); `None` before the first snapshot. It stays
    /// valid (and unchanged) for as long as it is held, whatever the client loads meanwhile.
    pub fn engine(&self) -> Option<Arc<Engine>> {
        self.shared
            .engine
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether a boolean flag is on for `context`: its value, or `false` when it cannot be
    /// evaluated (unknown flag, not boolean, no snapshot yet).
    pub fn is_enabled(&self, key: &str, context: &impl EvaluationContext) -> bool {
        self.bool_value(key, context, false)
    }

    /// A boolean flag's value, or `default`.
    pub fn bool_value(&self, key: &str, context: &impl EvaluationContext, default: bool) -> bool {
        self.engine().map_or(default, |engine| {
            engine
                .bool_value(key, context, Timestamp::now(), default)
                .value
        })
    }

    /// A string flag's value, or `default`.
    pub fn string_value(
        &self,
        key: &str,
        context: &impl EvaluationContext,
        default: &str,
    ) -> String {
        self.engine().map_or_else(
            || default.to_owned(),
            |engine| {
                engine
                    .string_value(key, context, Timestamp::now(), default)
                    .value
                    .to_owned()
            },
        )
    }

    /// A number flag's value, or `default`.
    pub fn number_value(&self, key: &str, context: &impl EvaluationContext, default: f64) -> f64 {
        self.engine().map_or(default, |engine| {
            engine
                .number_value(key, context, Timestamp::now(), default)
                .value
        })
    }

    /// An object flag's value (any JSON), or `default`.
    pub fn object_value(
        &self,
        key: &str,
        context: &impl EvaluationContext,
        default: Value,
    ) -> Value {
        match self.engine() {
            Some(engine) => engine
                .object_value(key, context, Timestamp::now(), &default)
                .value
                .clone(),
            None => default,
        }
    }

    /// Evaluates one flag now, with the reason and the revision that answered.
    pub fn evaluate(&self, key: &str, context: &impl EvaluationContext) -> Resolved {
        let Some(engine) = self.engine() else {
            return Resolved {
                value: None,
                variant: None,
                reason: Reason::Error,
                error_code: Some(ErrorCode::ProviderNotReady),
                rule_id: None,
                revision: None,
            };
        };
        let result = engine.evaluate(key, context, Timestamp::now());
        Resolved {
            value: result.value.cloned(),
            variant: result.variant.map(str::to_owned),
            reason: result.reason,
            error_code: result.error_code,
            rule_id: result.rule_id.map(str::to_owned),
            revision: Some(engine.revision()),
        }
    }

    /// Facts about the loaded snapshot and the last attempts.
    pub fn status(&self) -> Status {
        let revision = self.engine().map(|engine| engine.revision());
        let state = lock(&self.shared.state);
        Status {
            revision,
            last_success: state.last_success,
            failing_since: state.failing_since,
            failures: state.failures,
            last_error: state.last_error.clone(),
        }
    }

    /// Fetches now, on the calling thread (after any attempt in flight), and moves the next
    /// scheduled attempt to one TTL (or backoff) from now.
    ///
    /// # Errors
    ///
    /// Why the attempt failed; the last good snapshot keeps serving either way.
    pub fn refresh_now(&self) -> Result<Refreshed, FetchError> {
        self.shared.attempt(lock(&self.shared.loaded))
    }

    /// Stops the background thread and waits for it to end (after the request in flight, if
    /// any, which ends within the timeout). Evaluation keeps answering from the last snapshot.
    pub fn close(mut self) {
        self.stop();
        if let Some(worker) = self.worker.take() {
            // The worker catches nothing that can panic; if it did, there is nothing to stop.
            let _ = worker.join();
        }
    }

    fn stop(&self) {
        lock(&self.shared.state).stopped = true;
        self.shared.changed.notify_all();
    }
}

impl Drop for Client {
    /// Stops the background thread without waiting for a request in flight.
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.shared.url)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Adds a header to every request, e.g. `("authorization", "Bearer vxs_…")`.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Builder {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How often to fetch when all is well (default 5 minutes).
    pub fn ttl(mut self, ttl: Duration) -> Builder {
        self.timing.ttl = ttl;
        self
    }

    /// How much each wait is spread, as a fraction of it (default 0.1: ±10 %); clamped to 0..=1.
    pub fn jitter(mut self, jitter: f64) -> Builder {
        self.timing.jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        self
    }

    /// The wait after the first failure, doubled after each further one up to `max`
    /// (defaults: 1 second, 5 minutes).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Builder {
        self.timing.backoff_initial = initial;
        self.timing.backoff_max = max;
        self
    }

    /// How long one request may take, from connecting to the last byte (default 10 seconds).
    pub fn timeout(mut self, timeout: Duration) -> Builder {
        self.timeout = timeout;
        self
    }

    /// The largest body read (default: the limits' `max_document_bytes`, 16 MiB by default).
    pub fn max_body_bytes(mut self, bytes: u64) -> Builder {
        self.max_body_bytes = Some(bytes);
        self
    }

    /// The limits snapshots are loaded with (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Builder {
        self.limits = limits;
        self
    }

    /// An engine to serve until the first fetch succeeds (e.g. from a snapshot file shipped
    /// with the server). Only a snapshot of the same or a newer revision replaces it.
    pub fn bootstrap(mut self, engine: Engine) -> Builder {
        self.bootstrap = Some(engine);
        self
    }

    /// Makes the client and starts its background thread, which fetches at once. Returns
    /// without waiting for that: see [`Client::wait_ready`].
    ///
    /// # Errors
    ///
    /// When the URL is not an http(s) URL, a header's name or value cannot be sent, or the
    /// thread cannot be started.
    pub fn build(self) -> Result<Client, BuildError> {
        let fail = |message: String| Err(BuildError { message });
        if fetch::origin(&self.url).is_none() {
            return fail(format!("{:?} is not an http:// or https:// URL", self.url));
        }
        for (name, value) in &self.headers {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                return fail(format!("{name:?} is not a header name"));
            }
            if HeaderValue::from_str(value).is_err() {
                return fail(format!("the value of the {name} header cannot be sent"));
            }
        }
        let max_body_bytes = self
            .max_body_bytes
            .unwrap_or_else(|| u64::try_from(self.limits.max_document_bytes).unwrap_or(u64::MAX));
        let shared = Arc::new(Shared {
            agent: fetch::agent(self.timeout),
            url: self.url,
            headers: self.headers,
            timing: self.timing,
            max_body_bytes,
            limits: self.limits,
            engine: RwLock::new(self.bootstrap.map(Arc::new)),
            loaded: Mutex::new(Loaded::default()),
            state: Mutex::new(State {
                last_success: None,
                failing_since: None,
                failures: 0,
                last_error: None,
                due: Instant::now(),
                stopped: false,
            }),
            changed: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("vexil-client".to_owned())
            .spawn(move || worker.run())
            .map_err(|error| BuildError {
                message: format!("cannot start the client's thread: {error}"),
            })?;
        Ok(Client {
            shared,
            worker: Some(handle),
        })
    }
}

impl Shared {
    /// The worker: an attempt whenever one is due, until stopped.
    fn run(&self) {
        loop {
            {
                let mut state = lock(&self.state);
                loop {
                    if state.stopped {
                        return;
                    }
                    let left = state.due.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    state = self
                        .changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
            let loaded = lock(&self.loaded);
            // A `refresh_now` may have made this attempt while the worker waited for the lock,
            // and moved the due time on.
            if lock(&self.state).due <= Instant::now() {
                // Failures are in the status; nobody waits for this result.
                let _ = self.attempt(loaded);
            }
        }
    }

    /// One attempt, holding `loaded` (so there is one at a time), and the next one scheduled.
    fn attempt(&self, mut loaded: MutexGuard<'_, Loaded>) -> Result<Refreshed, FetchError> {
        let current = self
            .engine
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let request = Request {
            url: &self.url,
            headers: &self.headers,
            etag: current.as_ref().and(loaded.etag.as_deref()),
            in_full: false,
            max_body_bytes: self.max_body_bytes,
        };
        let mut answer = fetch::fetch(&self.agent, &request);
        // A 304 confirms only the document whose ETag was sent. Any other (to a validator
        // among the configured headers, from a cache on the way answering for another client,
        // or to a client serving its bootstrap) says nothing of what is loaded: asked again at
        // once, in full, rather than taken as current or waited out as a failure.
        if matches!(answer, Ok(Answer::NotModified)) && request.etag.is_none() {
            let in_full = Request {
                in_full: true,
                ..request
            };
            answer = fetch::fetch(&self.agent, &in_full);
        }
        let outcome = match answer {
            Ok(Answer::NotModified) if request.etag.is_some() => Ok(Refreshed::NotModified),
            Ok(Answer::NotModified) => Err(Failure::new(
                FetchErrorKind::NotModifiedWithoutSnapshot,
                "304 Not Modified without a loaded snapshot's ETag sent, and again when asked \
                 in full (without validators, with Cache-Control: no-cache)"
                    .to_owned(),
            )),
            Ok(Answer::Document { bytes, etag }) => {
                self.load(&mut loaded, current.as_deref(), &bytes, etag)
            }
            Err(failure) => Err(failure),
        };
        // Recorded before `loaded` is let go, so that the worker, waiting for it, sees the new
        // due time and does not make the same attempt again.
        self.record(outcome)
    }

    /// Loads a fetched document unless it is the loaded one again, unusable, or older.
    fn load(
        &self,
        loaded: &mut Loaded,
        current: Option<&Engine>,
        bytes: &[u8],
        etag: Option<String>,
    ) -> Result<Refreshed, Failure> {
        let hash = xxhash_rust::xxh64::xxh64(bytes, 0);
        if current.is_some() && loaded.hash == Some(hash) {
            loaded.etag = etag;
            return Ok(Refreshed::Unchanged);
        }
        let engine =
            Engine::from_slice_with_limits(bytes, self.limits.clone()).map_err(|error| {
                Failure::new(
                    FetchErrorKind::Invalid,
                    format!("the snapshot does not load: {error}"),
                )
            })?;
        if let Some(current) = current {
            if engine.revision() < current.revision() {
                return Err(Failure::new(
                    FetchErrorKind::OlderRevision,
                    format!(
                        "revision {} is older than the loaded {}; kept the loaded one",
                        engine.revision(),
                        current.revision()
                    ),
                ));
            }
        }
        let revision = engine.revision();
        *self.engine.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(engine));
        loaded.etag = etag;
        loaded.hash = Some(hash);
        Ok(Refreshed::Loaded { revision })
    }

    /// Notes how an attempt went and when the next is due; wakes whoever waits.
    fn record(&self, outcome: Result<Refreshed, Failure>) -> Result<Refreshed, FetchError> {
        let now = SystemTime::now();
        let mut state = lock(&self.state);
        let (delay, result) = match outcome {
            Ok(refreshed) => {
                state.last_success = Some(now);
                state.failing_since = None;
                state.failures = 0;
                state.last_error = None;
                (self.timing.after_success(schedule::random()), Ok(refreshed))
            }
            Err(failure) => {
                state.failures = state.failures.saturating_add(1);
                state.failing_since.get_or_insert(now);
                state.last_error = Some(failure.error.clone());
                let delay = self.timing.after_failure(
                    state.failures,
                    failure.refused,
                    failure.retry_after,
                    schedule::random(),
                );
                (delay, Err(failure.error))
            }
        };
        let due = Instant::now().checked_add(delay);
        // A wait too long for the clock (a huge TTL) means never: a year is as good.
        state.due = due.unwrap_or_else(|| Instant::now() + Duration::from_secs(365 * 86_400));
        drop(state);
        self.changed.notify_all();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let builder = Client::builder("http://127.0.0.1:1/");
        assert_eq!(builder.timing.ttl, Duration::from_secs(300));
        assert_eq!(DEFAULT_TTL, Duration::from_secs(300));
        assert_eq!(builder.timing.jitter, 0.1);
        assert_eq!(builder.timing.backoff_initial, Duration::from_secs(1));
        assert_eq!(builder.timing.backoff_max, Duration::from_secs(300));
        assert_eq!(builder.timeout, Duration::from_secs(10));
        assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(10));
        assert_eq!(builder.max_body_bytes, None);
    }

    #[test]
    fn jitter_is_kept_within_zero_and_one() {
        let jitter = |value: f64| {
            Client::builder("http://127.0.0.1:1/")
                .jitter(value)
                .timing
                .jitter
        };
        assert_eq!(jitter(0.25), 0.25);
        assert_eq!(jitter(-1.0), 0.0);
        assert_eq!(jitter(7.0), 1.0);
        assert_eq!(jitter(f64::NAN), 0.0);
    }
}
