//! The console's files at `/`: served from a folder (`--console DIR`) under the
//! Content-Security-Policy, revalidated by ETag, compressed when asked, never outside the folder;
//! API paths keep the API's JSON errors; a binary without a console says how to get one.

use std::path::PathBuf;

use super::http::Api;
use super::TempFolder;
use crate::serve::console::{Console, CONTENT_SECURITY_POLICY};

const PAGE: &str =
    "<!doctype html><title>console</title><script type=module src=src/main.js></script>";

/// A console folder with a secret file beside it, both inside a temporary folder, so that
/// dropping the returned guard removes the secret too, even when the test fails.
fn console_folder() -> (TempFolder, PathBuf) {
    let outer = TempFolder::new("console");
    let folder = outer.0.join("console");
    std::fs::create_dir_all(folder.join("src")).expect("src folder");
    std::fs::write(folder.join("index.html"), PAGE).expect("index.html");
    std::fs::write(
        folder.join("src/main.js"),
        "export const answer = 42;\n".repeat(50),
    )
    .expect("main.js");
    std::fs::write(folder.join("engine.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    // Beside the console, not in it: must never be served.
    std::fs::write(folder.with_extension("secret"), "token").expect("secret");
    (outer, folder)
}

#[tokio::test]
async fn the_page_and_its_files_come_with_their_types_and_the_policy() {
    let (_outer, folder) = console_folder();
    let api = Api::sqlite_with_console(Some(Console::folder(folder.clone()))).await;
    let page = api.call("GET", "/").send().await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text(), PAGE);
    let header = |reply: &super::http::Reply, name: &str| {
        reply
            .headers
            .get(name)
            .map(|value| value.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(
        header(&page, "content-security-policy"),
        CONTENT_SECURITY_POLICY
    );
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
    assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-eval'"));
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let script = api.call("GET", "/src/main.js").send().await;
    assert_eq!(
        header(&script, "content-type"),
        "text/javascript; charset=utf-8"
    );
    let wasm = api.call("GET", "/engine.wasm").send().await;
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    assert_eq!(wasm.body, b"\0asm\x01\0\0\0");

    let etag = header(&page, "etag");
    let again = api
        .call("GET", "/")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(again.status, 304);
    let zipped = api
        .call("GET", "/src/main.js")
        .header("accept-encoding", "gzip")
        .send()
        .await;
    assert_eq!(header(&zipped, "content-encoding"), "gzip");
    assert!(zipped.body.len() < script.body.len());
}

#[tokio::test]
async fn nothing_outside_the_folder_and_no_api_path_is_served_as_a_file() {
    let (_outer, folder) = console_folder();
    let api = Api::sqlite_with_console(Some(Console::folder(folder.clone()))).await;
    let secret = folder.with_extension("secret");
    let secret_name = secret
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    for path in [
        format!("/../{secret_name}"),
        format!("/%2e%2e/{secret_name}"),
        "/src/../../etc/passwd".to_owned(),
        "/missing.js".to_owned(),
        "/src".to_owned(),
    ] {
        let reply = api.call("GET", &path).send().await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.text().contains("token"), "{path}");
    }
    let unknown = api.call("GET", "/api/v1/nothing-here").send().await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["code"], "not-found");
    let posted = api.call("POST", "/").body("x").send().await;
    assert_eq!(posted.status, 405);
}

#[tokio::test]
async fn without_a_console_the_root_says_how_to_get_one() {
    let api = Api::sqlite_with_console(None).await;
    let root = api.call("GET", "/").send().await;
    assert_eq!(root.status, 404);
    assert!(root.text().contains("make console"), "{}", root.text());
    assert!(root.text().contains("--console DIR"));
    let unknown = api.call("GET", "/sdk/v1/nothing").send().await;
    assert_eq!(unknown.json()["error"]["code"], "not-found");
}

#[tokio::test]
async fn each_kind_of_file_gets_its_type() {
    let (_outer, folder) = console_folder();
    let kinds = [
        ("page.html", "text/html; charset=utf-8"),
        ("module.mjs", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("schema.json", "application/json"),
        ("icon.svg", "image/svg+xml"),
        ("shot.png", "image/png"),
        ("favicon.ico", "image/x-icon"),
        ("notes.txt", "text/plain; charset=utf-8"),
        ("blob.bin", "application/octet-stream"),
        ("no-extension", "application/octet-stream"),
    ];
    for (name, _) in kinds {
        std::fs::write(folder.join(name), name).expect("write");
    }
    let api = Api::sqlite_with_console(Some(Console::folder(folder.clone()))).await;
    for (name, expected) in kinds {
        let reply = api.call("GET", &format!("/{name}")).send().await;
        assert_eq!(reply.status, 200, "{name}");
        let got = reply
            .headers
            .get("content-type")
            .and_then(|value| value.to_str().ok());
        assert_eq!(got, Some(expected), "{name}");
        assert_eq!(reply.text(), name);
    }
    // A file that changes is served as it is now (the cache is per content).
    std::fs::write(folder.join("notes.txt"), "changed").expect("write");
    assert_eq!(api.call("GET", "/notes.txt").send().await.text(), "changed");
    let head = api.call("HEAD", "/notes.txt").send().await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}
