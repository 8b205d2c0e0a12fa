//! Writes the benchmark workload for other runtimes: the same generated snapshots the criterion
//! benchmarks load (200 and 5,000 flags), the user, instant and benchmarked flag keys, and the
//! worst-case flags with their contexts, as JSON files in the directory given (default
//! `target/bench-snapshots`). The npm package's Node
//! benchmark reads them, so both measure byte-for-byte the same work.
//!
//! ```sh
//! cargo run --release --example bench_snapshots -- target/bench-snapshots
//! ```

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

fn main() -> ExitCode {
    let directory = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/bench-snapshots".to_owned()),
    );
    let small = support::snapshot(200);
    let large = support::snapshot(5_000);
    let user: serde_json::Value = match serde_json::from_str(support::USER_CONTEXT) {
        Ok(user) => user,
        Err(error) => {
            eprintln!("bench_snapshots: the bench user is not JSON: {error}");
            return ExitCode::FAILURE;
        }
    };
    let workload = json!({
        "user": user,
        "now": support::NOW,
        "snapshots": {
            "snapshot-200.json": {"flags": small.flags, "segments": small.segments},
            "snapshot-5000.json": {"flags": large.flags, "segments": large.segments},
        },
        "flags": {
            "static": small.static_flag,
            "rules": small.rules_flag,
            "rollout": small.rollout_flag,
            "multivariate": small.multivariate_flag,
            "prerequisiteChain": small.prerequisite_flag,
            "segment": small.segment_flag,
            "regex": small.regex_flag,
        },
    });
    let workload = workload.to_string();
    let worst = support::worst::worst_cases();
    let worst_cases: Vec<serde_json::Value> = worst
        .cases
        .iter()
        .map(|case| json!({"flag": case.flag, "context": case.context}))
        .collect();
    let worst_cases = serde_json::Value::from(worst_cases).to_string();
    let files = [
        ("snapshot-200.json", small.json.as_str()),
        ("snapshot-5000.json", large.json.as_str()),
        ("workload.json", workload.as_str()),
        ("worst-case-snapshot.json", worst.json.as_str()),
        ("worst-cases.json", worst_cases.as_str()),
    ];
    if !support::write_files("bench_snapshots", &directory, &files) {
        return ExitCode::FAILURE;
    }
    println!("wrote the benchmark workload to {}", directory.display());
    ExitCode::SUCCESS
}
