//! The flag service under load, over loopback: revalidations (304) and full snapshot GETs per
//! second with their latencies, a change's delivery to 1,000 server-sent-event subscribers,
//! and admin writes per second on SQLite and PostgreSQL. It starts `vexil serve` (and a
//! throwaway PostgreSQL cluster) itself on 127.0.0.1 and stops them by PID (the cluster by
//! its data folder) when done, on an error, or on Ctrl-C. Every phase is bounded in requests
//! and in time; each is run `--runs` times and the table gives the medians. The figures and
//! what they mean are in docs/benchmarks.md (`make bench-service`).
//!
//! ```sh
//! cargo build --release --features server --bin vexil --example service_load
//! cargo run --release --features server --example service_load -- --runs 3
//! ```

// The benchmarks' snapshot generator; only `snapshot` is used here.
#[path = "../../benches/support/mod.rs"]
#[allow(dead_code)]
mod support;

mod http;
mod load;
mod options;
mod process;
mod report;
mod scenario;
mod stats;
mod stream;
mod writes;

use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match options::Options::read(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{}", options::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("service_load: {error}\n\n{}", options::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.client_threads)
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("service_load: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let limit = options.time_limit;
    let outcome = runtime.block_on(async move {
        // Dropping the measurement (time limit, Ctrl-C) drops its guards: the service and the
        // cluster are stopped either way.
        tokio::select! {
            outcome = tokio::time::timeout(limit, scenario::measure(&options)) => match outcome {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("stopped after the time limit of {} s", limit.as_secs())),
            },
            _ = tokio::signal::ctrl_c() => Err("interrupted".to_owned()),
        }
    });
    match outcome {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("service_load: {error}");
            ExitCode::FAILURE
        }
    }
}
