//! The console (`www/`): its built files, embedded in the binary at build time (`build.rs`)
//! or read from `--console DIR`, served at `/` under a strict Content-Security-Policy.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::api::sdk::{encoded, not_modified};
use super::publish::Body as Encoded;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/console_files.rs"));
}

/// What the page may do: its own scripts, styles and WebAssembly, requests to this service,
/// nothing inline, nothing from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Where the console's files come from.
pub enum Console {
    /// The files built into the binary, each compressed once, on first request.
    Embedded(HashMap<&'static str, (&'static [u8], OnceLock<Encoded>)>),
    /// A folder (`--console DIR`), for a console built separately: read on every request (so a
    /// rebuilt console is served at once), compressed again only when a file's bytes changed.
    Folder(PathBuf, Mutex<HashMap<PathBuf, Arc<Encoded>>>),
}

impl Console {
    /// The console built into this binary, if it was built with one.
    pub fn embedded() -> Option<Console> {
        if embedded::FILES.is_empty() {
            return None;
        }
        Some(Console::Embedded(
            embedded::FILES
                .iter()
                .map(|(name, bytes)| (*name, (*bytes, OnceLock::new())))
                .collect(),
        ))
    }

    /// Answers a request the API does not take: a console file, or a 404.
    async fn answer(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
        let path = uri.path();
        if path.starts_with("/api/") || path.starts_with("/sdk/") {
            return super::api::not_found().await.into_response();
        }
        if method != Method::GET && method != Method::HEAD {
            return super::api::method_not_allowed().await.into_response();
        }
        let name = match path.trim_start_matches('/') {
            "" => "index.html",
            other => other,
        };
        let Some(relative) = safe_relative(name) else {
            return missing();
        };
        match self {
            Console::Embedded(files) => match files.get(name) {
                Some((bytes, encoded_once)) => {
                    let body = encoded_once.get_or_init(|| Encoded::new(bytes.to_vec()));
                    respond(name, body, headers)
                }
                None => missing(),
            },
            Console::Folder(root, cache) => match tokio::fs::read(root.join(&relative)).await {
                Ok(bytes) => respond(name, &cached(cache, relative, bytes), headers),
                Err(_) => missing(),
            },
        }
    }
}

/// A folder's file, compressed once per content.
fn cached(
    cache: &Mutex<HashMap<PathBuf, Arc<Encoded>>>,
    path: PathBuf,
    bytes: Vec<u8>,
) -> Arc<Encoded> {
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match cache.get(&path) {
        Some(known) if known.identity.as_ref() == bytes.as_slice() => known.clone(),
        _ => {
            let fresh = Arc::new(Encoded::new(bytes));
            cache.insert(path, fresh.clone());
            fresh
        }
    }
}

impl Console {
    /// The console in `folder` (`--console DIR`).
    pub fn folder(folder: PathBuf) -> Console {
        Console::Folder(folder, Mutex::new(HashMap::new()))
    }
}

/// `name` as a path inside the console's folder, or `None` if it would leave it.
fn safe_relative(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    let inside = path
        .components()
        .all(|part| matches!(part, Component::Normal(_)));
    (inside && !name.contains('\\')).then(|| path.to_path_buf())
}

/// A console file, revalidated on every load (its ETag is a digest, so a new build is picked
/// up at once and an unchanged one costs a 304).
fn respond(name: &str, body: &Encoded, headers: &HeaderMap) -> Response {
    let mut response = if not_modified(headers, &body.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        encoded(body, headers, content_type(name))
    };
    let out = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&body.etag) {
        out.insert(header::ETAG, etag);
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    protect(out);
    response
}

/// The headers every console answer carries.
fn protect(out: &mut HeaderMap) {
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

fn missing() -> Response {
    let mut response = (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found\n",
    )
        .into_response();
    protect(response.headers_mut());
    response
}

/// What `/` says when this binary has no console and none was given.
const WITHOUT_CONSOLE: &str = "This vexil was built without the console.\n\n\
Build it from the repository with `make console` and then `cargo build --features server`, \
or start the service with `--console DIR` naming a built console (www/dist).\n\
The API is at /api/v1 (docs/api.md).\n";

fn without_console(uri: &Uri) -> Response {
    let mut response = if uri.path() == "/" {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            WITHOUT_CONSOLE,
        )
            .into_response()
    } else {
        missing()
    };
    protect(response.headers_mut());
    response
}

/// `routes` with the console answering every path they do not take (API paths still get the
/// API's JSON 404).
pub fn serve(routes: Router, console: Option<Console>) -> Router {
    let console = console.map(Arc::new);
    routes.fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
        let console = console.clone();
        async move {
            match console {
                Some(console) => console.answer(&method, &uri, &headers).await,
                None if uri.path().starts_with("/api/") || uri.path().starts_with("/sdk/") => {
                    super::api::not_found().await.into_response()
                }
                None => without_console(&uri),
            }
        }
    })
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
