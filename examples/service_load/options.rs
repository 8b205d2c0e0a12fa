//! The command line.

use std::path::PathBuf;
use std::time::Duration;

/// `service_load --help`.
pub const USAGE: &str = "\
Usage: service_load [OPTIONS]

  --vexil PATH          the vexil binary (default: `vexil` next to this example's folder,
                        i.e. the same target/release)
  --runs N              repeat each measurement N times; the table gives medians (default 3)
  --seconds S           length of each throughput measurement (default 5)
  --requests N          the most requests of one throughput measurement (default 1000000)
  --connections N       connections of the throughput measurements (default 50)
  --subscribers N       server-sent event subscribers (default 1000)
  --changes N           changes delivered to the subscribers per run (default 5)
  --writers N           concurrent admin writers (default 4)
  --writes N            the most writes of one write measurement (default 1000)
  --write-seconds S     the longest one write measurement lasts (default 10)
  --only LIST           some of (default all): read (revalidations and full GETs), stream
                        (the SSE fan-out), write (admin writes on SQLite, also with 5,000
                        flags, and revalidations during writes), postgres (writes on it)
  --client-threads N    this load generator's threads (default 2)
  --time-limit S        stop everything after S seconds (default 1200)";

/// What to measure, and how hard.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `vexil` binary.
    pub vexil: PathBuf,
    /// Runs of each measurement.
    pub runs: usize,
    /// Length of each throughput measurement.
    pub duration: Duration,
    /// The most requests of a throughput measurement.
    pub requests: usize,
    /// Connections of the throughput measurements.
    pub connections: usize,
    /// SSE subscribers.
    pub subscribers: usize,
    /// Changes per fan-out run.
    pub changes: usize,
    /// Concurrent admin writers.
    pub writers: usize,
    /// The most writes per write measurement.
    pub writes: usize,
    /// The longest a write measurement lasts.
    pub write_duration: Duration,
    /// Which groups run.
    pub only: Vec<String>,
    /// The load generator's threads.
    pub client_threads: usize,
    /// The bound on the whole run.
    pub time_limit: Duration,
}

const GROUPS: [&str; 4] = ["read", "stream", "write", "postgres"];

impl Options {
    /// Reads the arguments; `None` when they ask for help.
    pub fn read(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let mut options = Options {
            vexil: default_vexil(),
            runs: 3,
            duration: Duration::from_secs(5),
            requests: 1_000_000,
            connections: 50,
            subscribers: 1000,
            changes: 5,
            writers: 4,
            writes: 1000,
            write_duration: Duration::from_secs(10),
            only: GROUPS.iter().map(|group| (*group).to_owned()).collect(),
            client_threads: 2,
            time_limit: Duration::from_secs(1200),
        };
        let mut args = args;
        while let Some(name) = args.next() {
            if name == "--help" || name == "-h" {
                return Ok(None);
            }
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            let number = || -> Result<usize, String> {
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|number| (1..=10_000_000).contains(number))
                    .ok_or_else(|| format!("{name} needs a whole number from 1, got `{value}`"))
            };
            match name.as_str() {
                "--vexil" => options.vexil = PathBuf::from(&value),
                "--runs" => options.runs = number()?,
                "--seconds" => options.duration = Duration::from_secs(number()? as u64),
                "--requests" => options.requests = number()?,
                "--connections" => options.connections = number()?,
                "--subscribers" => options.subscribers = number()?,
                "--changes" => options.changes = number()?,
                "--writers" => options.writers = number()?,
                "--writes" => options.writes = number()?,
                "--write-seconds" => options.write_duration = Duration::from_secs(number()? as u64),
                "--client-threads" => options.client_threads = number()?,
                "--time-limit" => options.time_limit = Duration::from_secs(number()? as u64),
                "--only" => {
                    options.only = value.split(',').map(str::to_owned).collect();
                    if let Some(unknown) =
                        options.only.iter().find(|g| !GROUPS.contains(&g.as_str()))
                    {
                        return Err(format!(
                            "--only knows {}, not `{unknown}`",
                            GROUPS.join(", ")
                        ));
                    }
                }
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        if !options.vexil.is_file() {
            return Err(format!(
                "{} does not exist: build it with `cargo build --release --features server --bin vexil`, or name it with --vexil",
                options.vexil.display()
            ));
        }
        Ok(Some(options))
    }

    /// Whether group `name` runs.
    pub fn runs_group(&self, name: &str) -> bool {
        self.only.iter().any(|group| group == name)
    }
}

/// `vexil` in the folder above this example's (`target/release/examples/..`).
fn default_vexil() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("vexil")))
        .unwrap_or_else(|| PathBuf::from("vexil"))
}
