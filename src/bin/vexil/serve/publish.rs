//! From stored rows to the published snapshot: the document every SDK fetches, in full for
//! server keys and without what is marked server-only for client keys, each compressed once.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};
use vexil::Engine;

use super::clock::rfc3339;
use super::definition::Definition;
use super::references;
use super::store::{EnvState, FlagRow, OverrideRow};
use super::tokens::hex;

/// An environment's snapshot at one revision, ready to serve.
#[derive(Debug)]
pub struct Published {
    /// The environment.
    pub environment: String,
    /// The revision.
    pub revision: i64,
    /// The whole document, for server keys and admins.
    pub full: Body,
    /// Without server-only flags and segments, for client keys.
    pub client: Body,
    /// The full document loaded, for the evaluate endpoints.
    pub engine: Arc<Engine>,
    /// The client document loaded: what a client key evaluates on the service, so that its
    /// answers are exactly those of a page evaluating the client snapshot.
    pub client_engine: Arc<Engine>,
}

/// Which of an environment's documents a reader gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Everything: admin tokens and server keys.
    Full,
    /// Without what is server-only ([`client_document`]): client keys.
    Client,
}

/// One document in the encodings a client may ask for (cloning shares the bytes).
#[derive(Clone, Debug)]
pub struct Body {
    /// The strong validator: a digest of the document.
    pub etag: String,
    /// The document.
    pub identity: Bytes,
    /// gzip.
    pub gzip: Bytes,
    /// brotli.
    pub brotli: Bytes,
}

impl Published {
    /// Prepares the document `full` (as stored at `revision`) for serving.
    pub fn prepare(environment: &str, revision: i64, full: &str) -> Result<Published, String> {
        let engine = Engine::from_slice(full.as_bytes()).map_err(|error| error.to_string())?;
        let engine = Arc::new(engine);
        let client = client_document(full)?;
        let full_body = Body::new(full.as_bytes().to_vec());
        // Usually nothing is server-only: then both readers get the same bytes, compressed and
        // loaded once.
        let (client_body, client_engine) = if client == full {
            (full_body.clone(), Arc::clone(&engine))
        } else {
            let client_engine =
                Engine::from_slice(client.as_bytes()).map_err(|error| error.to_string())?;
            (Body::new(client.into_bytes()), Arc::new(client_engine))
        };
        Ok(Published {
            environment: environment.to_owned(),
            revision,
            full: full_body,
            client: client_body,
            engine,
            client_engine,
        })
    }

    /// The document `full`, already loaded as `engine`, served whole to every reader: the
    /// read-only mode's snapshot files, which have no client/server distinction.
    pub fn whole(environment: &str, revision: i64, full: &str, engine: Engine) -> Published {
        let full = Body::new(full.as_bytes().to_vec());
        let engine = Arc::new(engine);
        Published {
            environment: environment.to_owned(),
            revision,
            client: full.clone(),
            full,
            client_engine: Arc::clone(&engine),
            engine,
        }
    }

    /// The document `audience` reads.
    pub fn document_for(&self, audience: Audience) -> &Body {
        match audience {
            Audience::Full => &self.full,
            Audience::Client => &self.client,
        }
    }

    /// The engine that evaluates for `audience`: the one loaded from its document, so a flag
    /// the document leaves out is as unknown here as it is to an SDK holding that document.
    pub fn engine_for(&self, audience: Audience) -> &Engine {
        match audience {
            Audience::Full => &self.engine,
            Audience::Client => &self.client_engine,
        }
    }
}

impl Body {
    /// `identity` with its digest and its compressed forms, made once.
    pub fn new(identity: Vec<u8>) -> Body {
        let etag = format!("\"{}\"", &hex(&Sha256::digest(&identity))[..32]);
        let gzip = gzip(&identity);
        let brotli = brotli(&identity);
        Body {
            etag,
            identity: Bytes::from(identity),
            gzip: Bytes::from(gzip),
            brotli: Bytes::from(brotli),
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        ..Default::default()
    };
    let mut input = bytes;
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    out
}

/// The snapshot document of `state` (at its revision), generated at `now`. Every stored
/// per-user override is in it: an expired one stops applying when the service removes it,
/// with an audited change of its own (`sync.rs`), not silently when some other change
/// happens to publish a new revision.
pub fn document(state: &EnvState, now: i64) -> String {
    let mut text = format!(
        "{{\"schemaVersion\":1,\"revision\":{},\"generatedAt\":{},\"environment\":{},\"segments\":[",
        state.revision,
        Value::String(rfc3339(now)),
        Value::String(state.name.clone()),
    );
    for (index, segment) in state.segments.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&segment.definition);
    }
    text.push_str("],\"flags\":[");
    for (index, flag) in state.flags.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&published_flag(flag, &state.overrides));
    }
    text.push_str("]}");
    text
}

/// A flag as published: its definition with its stored per-user overrides merged into its
/// `overrides` (a per-user override wins over a key the definition lists itself).
pub fn published_flag(flag: &FlagRow, overrides: &[OverrideRow]) -> String {
    let live: Vec<&OverrideRow> = overrides
        .iter()
        .filter(|row| row.flag == flag.key)
        .collect();
    if live.is_empty() {
        return flag.definition.clone();
    }
    let Ok(mut definition) = Definition::parse(&flag.definition) else {
        return flag.definition.clone();
    };
    let mut lists: Vec<(String, Vec<Value>)> = Vec::new();
    if let Some(Value::Array(existing)) = definition.value("overrides") {
        for entry in existing {
            let variant = entry
                .get("variant")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let keys = entry.get("keys").and_then(Value::as_array).cloned();
            let (Some(variant), Some(keys)) = (variant, keys) else {
                return flag.definition.clone();
            };
            let keys = keys
                .into_iter()
                .filter(|key| {
                    !live
                        .iter()
                        .any(|row| key.as_str() == Some(&row.targeting_key))
                })
                .collect();
            lists.push((variant, keys));
        }
    }
    for row in live {
        let key = Value::String(row.targeting_key.clone());
        match lists
            .iter_mut()
            .find(|(variant, _)| *variant == row.variant)
        {
            Some((_, keys)) => keys.push(key),
            None => lists.push((row.variant.clone(), vec![key])),
        }
    }
    let merged: Vec<Value> = lists
        .into_iter()
        .filter(|(_, keys)| !keys.is_empty())
        .map(|(variant, keys)| serde_json::json!({ "variant": variant, "keys": keys }))
        .collect();
    if definition.set("overrides", &Value::Array(merged)).is_err() {
        return flag.definition.clone();
    }
    definition.to_text()
}

/// The document without what client keys must not see: flags and segments marked
/// `metadata.serverOnly`, and, so that no client evaluates a flag half-known, every flag or
/// segment that uses one of those (through `inSegment` or a prerequisite), transitively. What
/// is kept keeps its text.
pub fn client_document(full: &str) -> Result<String, String> {
    let mut document = Definition::parse(full)?;
    let segments = raw_items(&document, "segments")?;
    let flags = raw_items(&document, "flags")?;
    let mut hidden_segments: HashSet<String> = HashSet::new();
    let mut hidden_flags: HashSet<String> = HashSet::new();
    loop {
        let before = hidden_segments.len() + hidden_flags.len();
        for (key, segment) in &segments {
            if hides(segment, &hidden_segments, &hidden_flags) {
                hidden_segments.insert(key.clone());
            }
        }
        for (key, flag) in &flags {
            if hides(flag, &hidden_segments, &hidden_flags) {
                hidden_flags.insert(key.clone());
            }
        }
        if hidden_segments.len() + hidden_flags.len() == before {
            break;
        }
    }
    if hidden_segments.is_empty() && hidden_flags.is_empty() {
        return Ok(full.to_owned());
    }
    document.set_raw(
        "segments",
        &kept(&segments, &hidden_segments, &document, "segments"),
    )?;
    document.set_raw("flags", &kept(&flags, &hidden_flags, &document, "flags"))?;
    Ok(document.to_text())
}

/// The items of an array member, each with its key and read as a value.
fn raw_items(document: &Definition, name: &str) -> Result<Vec<(String, Value)>, String> {
    let Some(text) = document.raw(name) else {
        return Ok(Vec::new());
    };
    let items: Vec<&serde_json::value::RawValue> =
        serde_json::from_str(text).map_err(|error| error.to_string())?;
    Ok(items
        .into_iter()
        .map(|item| {
            let value: Value = serde_json::from_str(item.get()).unwrap_or(Value::Null);
            (key_of(&value), value)
        })
        .collect())
}

/// The array member `name` as text, without the hidden items, each kept item as written.
fn kept(
    items: &[(String, Value)],
    hidden: &HashSet<String>,
    document: &Definition,
    name: &str,
) -> String {
    let texts: Vec<&serde_json::value::RawValue> = document
        .raw(name)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let kept: Vec<&str> = texts
        .iter()
        .zip(items)
        .filter(|(_, (key, _))| !hidden.contains(key))
        .map(|(text, _)| text.get())
        .collect();
    format!("[{}]", kept.join(","))
}

fn key_of(definition: &Value) -> String {
    definition
        .get("key")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Whether a flag or segment is server-only or uses something hidden.
fn hides(definition: &Value, segments: &HashSet<String>, flags: &HashSet<String>) -> bool {
    let marked = definition
        .get("metadata")
        .and_then(|metadata| metadata.get("serverOnly"))
        == Some(&Value::Bool(true));
    marked
        || references::segments(definition)
            .iter()
            .any(|key| segments.contains(*key))
        || references::prerequisites(definition)
            .iter()
            .any(|key| flags.contains(*key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, definition: &str) -> FlagRow {
        FlagRow {
            key: key.to_owned(),
            version: 1,
            definition: definition.to_owned(),
            position: 0,
            updated_at: 0,
            updated_by: "test".to_owned(),
        }
    }

    fn forcing(user: &str, variant: &str) -> OverrideRow {
        OverrideRow {
            flag: "a".to_owned(),
            targeting_key: user.to_owned(),
            variant: variant.to_owned(),
            note: String::new(),
            set_by: "test".to_owned(),
            set_at: 0,
            expires_at: None,
        }
    }

    #[test]
    fn the_document_lists_every_segment_and_flag_in_order() {
        let state = EnvState {
            name: "production".to_owned(),
            revision: 7,
            flags: vec![row("f1", r#"{"key":"f1"}"#), row("f2", r#"{"key":"f2"}"#)],
            segments: vec![row("s1", r#"{"key":"s1"}"#), row("s2", r#"{"key":"s2"}"#)],
            overrides: Vec::new(),
        };
        let text = document(&state, 0);
        let value: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(
            value,
            serde_json::json!({
                "schemaVersion": 1, "revision": 7, "generatedAt": "1970-01-01T00:00:00Z",
                "environment": "production",
                "segments": [{"key": "s1"}, {"key": "s2"}],
                "flags": [{"key": "f1"}, {"key": "f2"}],
            })
        );
    }

    #[test]
    fn a_per_user_override_takes_the_user_out_of_the_definitions_own_list() {
        let flag = row(
            "a",
            r#"{"key":"a","overrides":[{"variant":"on","keys":["u1","u2"]},{"variant":"off","keys":["u3"]}],"enabled":true}"#,
        );
        let published = published_flag(&flag, &[forcing("u1", "off"), forcing("u4", "beta")]);
        assert_eq!(
            published,
            r#"{"key":"a","overrides":[{"keys":["u2"],"variant":"on"},{"keys":["u3","u1"],"variant":"off"},{"keys":["u4"],"variant":"beta"}],"enabled":true}"#
        );
        // A list the per-user overrides empty is left out.
        let published = published_flag(&flag, &[forcing("u3", "on")]);
        assert_eq!(
            published,
            r#"{"key":"a","overrides":[{"keys":["u1","u2","u3"],"variant":"on"}],"enabled":true}"#
        );
        let other = OverrideRow {
            flag: "b".to_owned(),
            ..forcing("u1", "off")
        };
        assert_eq!(published_flag(&flag, &[other]), flag.definition);
    }

    #[test]
    fn what_uses_a_hidden_definition_is_hidden_too_whatever_the_order() {
        // Each user comes before what it uses, so hiding takes more than one pass.
        let flags = r#"{"segments":[],"flags":[{"key":"a","prerequisites":[{"flag":"b"}]},{"key":"b","metadata":{"serverOnly":true}},{"key":"c"}]}"#;
        assert_eq!(
            client_document(flags).expect("client document"),
            r#"{"segments":[],"flags":[{"key":"c"}]}"#
        );
        let segments = r#"{"segments":[{"key":"s","conditions":[{"op":"inSegment","value":"t"}]},{"key":"t","metadata":{"serverOnly":true}},{"key":"u"}],"flags":[{"key":"d","rules":[{"conditions":[{"op":"inSegment","value":"s"}]}]},{"key":"c"}]}"#;
        assert_eq!(
            client_document(segments).expect("client document"),
            r#"{"segments":[{"key":"u"}],"flags":[{"key":"c"}]}"#
        );
        let nothing_hidden = r#"{"segments":[{"key":"u"}], "flags":[]}"#;
        assert_eq!(
            client_document(nothing_hidden).expect("client document"),
            nothing_hidden,
            "kept as it is"
        );
    }
}
