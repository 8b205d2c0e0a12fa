//! Reproduces what the `hostile` fuzz target found: a snapshot whose string lists are made of
//! keys that all hash alike under the engine's set hash (`src/fasthash.rs`, unseeded) loads in
//! time quadratic in the list and makes every lookup walk the whole list, so one evaluation
//! takes far longer than the cost limit is meant to allow (docs/snapshot-format.md, "Cost and
//! memory": about 0.22 ms at most natively).
//!
//!     cd fuzz && cargo run --release --example colliding_keys [KEYS]
//!
//! It builds two snapshots of the same shape, one with ordinary keys and one with colliding
//! keys (KEYS of them, default 100,000: a document of about 2.7 MB, far under the 16 MiB limit),
//! times loading each and evaluating its flags (fastest of five runs), and exits with status 1
//! if an evaluation takes more than 2 ms, ten times the documented worst case.

use std::process::ExitCode;
use std::time::{Duration, Instant};

#[path = "../shared/colliding.rs"]
mod colliding;

use colliding::colliding_keys as colliding;
use serde_json::{json, Value};
use vexil::{Context, Engine};

fn ordinary(count: usize) -> Vec<String> {
    (0..count)
        .map(|index| format!("user-{index:011}"))
        .collect()
}

/// A flag testing a list attribute with `in` against `listed`, and a flag using a segment that
/// includes `listed`.
fn snapshot(listed: &[String]) -> String {
    json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-20T08:00:00Z",
        "segments": [{"key": "listed", "included": listed}],
        "flags": [
            {"key": "in-list", "type": "boolean", "variants": {"on": true, "off": false},
             "offVariant": "off",
             "rules": [{"id": "listed", "conditions": [{"attribute": "ids", "op": "in", "values": listed}],
                        "serve": {"variant": "on"}}],
             "fallthrough": {"variant": "off"}},
            {"key": "in-segment", "type": "boolean", "variants": {"on": true, "off": false},
             "offVariant": "off",
             "rules": [{"id": "listed", "conditions": [{"op": "inSegment", "value": "listed"}],
                        "serve": {"variant": "on"}}],
             "fallthrough": {"variant": "off"}},
        ],
    })
    .to_string()
}

fn fastest(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(100_000);
    // The lists hold `count` keys; the contexts ask for a thousand keys not in them.
    let mut slow = false;
    for (name, keys) in [
        ("ordinary", ordinary(count + 1000)),
        ("colliding", colliding(count + 1000)),
    ] {
        let (listed, asked) = keys.split_at(count);
        let document = snapshot(listed);
        let start = Instant::now();
        let engine = match Engine::from_json(&document) {
            Ok(engine) => engine,
            Err(error) => {
                eprintln!("the {name} snapshot was refused: {error}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "{name}: {} keys, document {} bytes, loaded in {:.1} ms",
            count,
            document.len(),
            start.elapsed().as_secs_f64() * 1e3
        );
        let now = engine.generated_at();
        let contexts: [(&str, Value); 3] = [
            (
                "1,000 unlisted keys of the same kind",
                json!({"targetingKey": "x", "ids": asked}),
            ),
            (
                "1,000 ordinary user ids",
                json!({"targetingKey": "x", "ids": ordinary(count + 1000)[count..]}),
            ),
            (
                "an unlisted targeting key",
                json!({"targetingKey": asked[0]}),
            ),
        ];
        for (what, context) in contexts {
            let Ok(context) = Context::from_json_value(context) else {
                eprintln!("a context was refused");
                return ExitCode::FAILURE;
            };
            for flag in ["in-list", "in-segment"] {
                let mut outcome = None;
                let time = fastest(5, || outcome = Some(engine.evaluate(flag, &context, now)));
                let reason = outcome.map(|evaluation| evaluation.reason);
                println!(
                    "  {flag:<10} with {what}: {:.3} ms ({reason:?})",
                    time.as_secs_f64() * 1e3
                );
                slow |= time > Duration::from_millis(2);
            }
        }
    }
    if slow {
        println!("an evaluation took over 2 ms, ten times the documented worst case");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
