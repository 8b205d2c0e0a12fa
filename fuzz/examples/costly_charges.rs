//! Reproduces two findings of the `hostile` fuzz target (docs/fuzzing.md), beside
//! `colliding_keys.rs`:
//!
//! 1. Computing what a test costs is itself work, and it is not charged: the charge for a
//!    `contains`, `startsWith`, `endsWith` or `matches` test over a list attribute sums over
//!    every item and every operand, so a condition of 100,000 operands tested against a list of
//!    1,000 items spends 10⁸ steps deciding that the evaluation is over its limit, and then
//!    answers `GENERAL`.
//! 2. A pattern over `maxRegexProgramBytes` is compiled again at every use: the compiled
//!    patterns are remembered by text only when they compile, so a snapshot repeating one
//!    oversized pattern in many conditions pays the refused compilation every time.
//!
//!     cd fuzz && cargo run --release --example costly_charges
//!
//! It exits with status 1 if an evaluation takes more than 2 ms (ten times the costliest
//! evaluation docs/snapshot-format.md reports) or a load more than 200 ns per byte (ten times
//! the rate of an ordinary snapshot of the same size).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vexil::{Context, Engine};

fn flag(key: &str, conditions: Vec<Value>) -> Value {
    json!({"key": key, "type": "boolean", "variants": {"on": true, "off": false},
           "offVariant": "off",
           "rules": [{"id": "r", "conditions": conditions, "serve": {"variant": "on"}}],
           "fallthrough": {"variant": "off"}})
}

fn document(flags: Vec<Value>) -> String {
    json!({"schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-20T08:00:00Z",
           "flags": flags})
    .to_string()
}

fn fastest<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, Option<T>) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let result = work();
        best = best.min(start.elapsed());
        last = Some(result);
    }
    (best, last)
}

fn main() -> ExitCode {
    let mut failed = false;

    // 1. The charge of one test, computed over 1,000 items × 100,000 operands.
    let operands: Vec<String> = (0..100_000).map(|index| index.to_string()).collect();
    let patterns: Vec<String> = (0..100_000)
        .map(|index| format!("x{}", index % 5000))
        .collect();
    let mut flags = Vec::new();
    for op in ["contains", "startsWith", "endsWith"] {
        flags.push(flag(
            op,
            vec![json!({"attribute": "items", "op": op, "values": operands})],
        ));
    }
    flags.push(flag(
        "matches",
        vec![json!({"attribute": "items", "op": "matches", "values": patterns})],
    ));
    let text = document(flags);
    let Ok(engine) = Engine::from_json(&text) else {
        eprintln!("the snapshot was refused");
        return ExitCode::FAILURE;
    };
    let items: Vec<String> = (0..1000).map(|index| format!("v{index}")).collect();
    let Ok(context) = Context::from_json_value(json!({"targetingKey": "u", "items": items})) else {
        eprintln!("the context was refused");
        return ExitCode::FAILURE;
    };
    let now = engine.generated_at();
    println!(
        "a document of {} bytes; a context with a list of 1,000 items",
        text.len()
    );
    for key in ["contains", "startsWith", "endsWith", "matches"] {
        let (time, outcome) = fastest(5, || engine.evaluate(key, &context, now).error_code);
        println!(
            "  {key:<10} over 100,000 operands: {:.3} ms (error code {:?})",
            time.as_secs_f64() * 1e3,
            outcome.flatten()
        );
        failed |= time > Duration::from_millis(2);
    }

    // 2. One oversized pattern, repeated; then a pattern that fits, repeated as often.
    for (what, pattern) in [
        ("over the compiled-size limit", "(?i).{1000}"),
        ("within the limit", "(?i).{100}"),
    ] {
        let condition = json!({"attribute": "s", "op": "matches", "value": pattern});
        let rules: Vec<Value> = (0..400)
            .map(|index| {
                json!({"id": format!("r{index}"), "conditions": vec![condition.clone(); 100],
                       "serve": {"variant": "on"}})
            })
            .collect();
        let mut repeated = flag("repeated", vec![]);
        repeated["rules"] = json!(rules);
        let text = document(vec![repeated]);
        let (time, loaded) = fastest(3, || Engine::from_json(&text).is_ok());
        let rate = time.as_secs_f64() * 1e9 / text.len() as f64;
        println!(
            "a pattern {what} in 40,000 conditions: {} bytes loaded in {:.1} ms, {rate:.0} ns per \
             byte (loaded: {loaded:?})",
            text.len(),
            time.as_secs_f64() * 1e3,
        );
        failed |= rate > 200.0;
    }

    if failed {
        println!("over the bounds above: an evaluation over 2 ms, or a load over 200 ns per byte");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
