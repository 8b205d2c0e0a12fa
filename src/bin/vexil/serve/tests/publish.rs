//! Preparing a snapshot for serving: every encoding decodes to its document, and the client
//! document is compressed once when it is the full one.

use std::io::Read;

use super::flag;
use crate::serve::publish::{Body, Published};

fn snapshot(flags: &[&str]) -> String {
    format!(
        r#"{{"schemaVersion":1,"revision":3,"generatedAt":"2026-12-05T10:00:00Z","environment":"production","segments":[],"flags":[{}]}}"#,
        flags.join(",")
    )
}

/// The gzip and brotli bodies, decompressed.
fn decoded(body: &Body) -> (String, String) {
    let mut gzip = String::new();
    flate2::read::GzDecoder::new(&body.gzip[..])
        .read_to_string(&mut gzip)
        .expect("gzip");
    let mut brotli = String::new();
    brotli::Decompressor::new(&body.brotli[..], 4096)
        .read_to_string(&mut brotli)
        .expect("brotli");
    (gzip, brotli)
}

#[test]
fn without_server_only_flags_both_documents_share_their_bodies() {
    let document = snapshot(&[&flag("a", true), &flag("b", false)]);
    let published = Published::prepare("production", 3, &document).expect("loads");
    let (full, client) = (&published.full, &published.client);
    assert_eq!(&full.identity[..], document.as_bytes());
    assert_eq!(decoded(full), (document.clone(), document.clone()));
    assert_eq!(client.etag, full.etag);
    // Compressed once: the client's bodies are the same bytes, not copies.
    assert_eq!(client.identity.as_ptr(), full.identity.as_ptr());
    assert_eq!(client.gzip.as_ptr(), full.gzip.as_ptr());
    assert_eq!(client.brotli.as_ptr(), full.brotli.as_ptr());
}

#[test]
fn a_server_only_flag_gives_the_client_its_own_bodies() {
    let secret = r#"{"key":"secret","type":"boolean","enabled":true,"variants":{"on":true,"off":false},"offVariant":"off","fallthrough":{"variant":"on"},"metadata":{"serverOnly":true}}"#;
    let document = snapshot(&[&flag("a", true), secret]);
    let published = Published::prepare("production", 3, &document).expect("loads");
    let (full, client) = (&published.full, &published.client);
    assert_eq!(decoded(full), (document.clone(), document.clone()));
    let text = String::from_utf8(client.identity.to_vec()).expect("UTF-8");
    assert!(text.contains(r#""key":"a""#), "{text}");
    assert!(!text.contains("secret"), "{text}");
    assert_eq!(decoded(client), (text.clone(), text));
    assert_ne!(client.etag, full.etag);
}
