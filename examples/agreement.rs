//! Writes the native half of the native-versus-WebAssembly agreement check: the 200-flag
//! benchmark snapshot, 500 generated contexts (non-ASCII, integer-like and numeric targeting
//! keys, and every attribute the snapshot tests), and what this native build answers for every
//! (flag, context) pair: 100,000 of them. The npm package's `test/agreement.test.js` evaluates
//! the same pairs in WebAssembly and requires identical answers.
//!
//! ```sh
//! cargo run --example agreement -- target/agreement
//! ```

#[path = "../benches/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{json, Value};
use vexil::{Context, Engine, Timestamp};

const CONTEXTS: usize = 500;

/// A small deterministic generator (xorshift), so every run writes the same pairs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        // Bounds are small; the modulo bias is irrelevant for test data.
        (self.next() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Targeting keys of every kind the bucketing must agree on; `listed` are keys the snapshot names
/// in overrides and segments, so those paths are taken too.
fn targeting_key(rng: &mut Rng, index: usize, listed: &[String]) -> Value {
    match index % 10 {
        9 if !listed.is_empty() => json!(listed[rng.below(listed.len())]),
        0 => json!(format!("user-{}", rng.below(1_000_000))),
        1 => json!(format!("{}", rng.below(100_000))),
        2 => json!(format!("00{}", rng.below(1000))),
        3 => json!(rng.below(1_000_000)),
        4 => json!(
            ["é", "日本", "😀", "Zoë", "ß", "a\u{301}", "Ωμέγα"][rng.below(7)].to_owned()
                + &rng.below(1000).to_string()
        ),
        5 => json!(format!("user-48213-{}", rng.below(10))),
        6 => json!(format!("{}e3", rng.below(10))),
        7 => json!(format!("-{}", rng.below(1000))),
        8 => json!(format!("{:x}", rng.next())),
        _ => json!(format!("user-{}", 100_000 + rng.below(900_000))),
    }
}

fn context(rng: &mut Rng, index: usize, listed: &[String]) -> Value {
    let domains = ["example.com", "vexil.dev", "acme.example", "exämple.org"];
    json!({
        "targetingKey": targeting_key(rng, index, listed),
        "email": format!("{}@{}", rng.below(10_000), rng.pick(&domains)),
        "jurisdiction": rng.pick(&["quebec", "ontario", "california", "texas", "bavaria", "québec"]),
        "country": rng.pick(&["CA", "US", "DE", "FR", "JP"]),
        "role": [rng.pick(&["editor", "admin", "owner", "viewer"]), rng.pick(&["billing", "support"])],
        "environment": rng.pick(&["production", "staging", "development"]),
        "plan": rng.pick(&["free", "pro", "enterprise"]),
        "appVersion": rng.pick(&["5.3.1", "3.2.0", "3.1.9", "10.0.0-beta.1", "2.9.0"]),
        "platform": rng.pick(&["ios", "android", "web"]),
        "signedUpAt": rng.pick(&["2026-10-12T16:04:00Z", "2025-01-01T00:00:00Z", "2026-11-21T23:59:59.999+01:00"]),
        "seats": rng.below(200),
        "beta": rng.below(2) == 1,
    })
}

/// The targeting keys the snapshot lists in overrides and segments.
fn listed_keys(snapshot: &str) -> Vec<String> {
    let Ok(document) = serde_json::from_str::<Value>(snapshot) else {
        return Vec::new();
    };
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut keys = Vec::new();
    for flag in document["flags"].as_array().into_iter().flatten() {
        for entry in flag["overrides"].as_array().into_iter().flatten() {
            keys.extend(strings(&entry["keys"]));
        }
    }
    for segment in document["segments"].as_array().into_iter().flatten() {
        keys.extend(strings(&segment["included"]));
        keys.extend(strings(&segment["excluded"]));
    }
    keys
}

fn main() -> ExitCode {
    let directory = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/agreement".to_owned()),
    );
    let generated = support::snapshot(200);
    let engine = match Engine::from_json(&generated.json) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("agreement: the generated snapshot does not load: {error}");
            return ExitCode::FAILURE;
        }
    };
    let now = match Timestamp::parse_rfc3339(support::NOW) {
        Ok(now) => now,
        Err(error) => {
            eprintln!("agreement: {error}");
            return ExitCode::FAILURE;
        }
    };
    let listed = listed_keys(&generated.json);
    let mut rng = Rng(0x0a11_ce5e_ed00_0001);
    let mut contexts = String::new();
    let mut expected = String::new();
    for index in 0..CONTEXTS {
        let value = context(&mut rng, index, &listed);
        contexts.push_str(&value.to_string());
        contexts.push('\n');
        let answers: Vec<Value> = match Context::from_json_value(value) {
            Ok(context) => engine
                .evaluate_all(&engine.prepare(context), now)
                .into_iter()
                .map(|(_, evaluation)| {
                    json!([
                        evaluation.variant,
                        evaluation.reason.to_string(),
                        evaluation.error_code.map(|code| code.to_string()),
                        evaluation.rule_id
                    ])
                })
                .collect(),
            Err(error) => vec![json!({ "invalidContext": error.to_string() })],
        };
        expected.push_str(&Value::from(answers).to_string());
        expected.push('\n');
    }
    let files = [
        ("snapshot.json", generated.json.as_str()),
        ("contexts.jsonl", contexts.as_str()),
        ("expected.jsonl", expected.as_str()),
    ];
    if !support::write_files("agreement", &directory, &files) {
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {} contexts x {} flags to {}",
        CONTEXTS,
        generated.flags,
        directory.display()
    );
    ExitCode::SUCCESS
}
