//! The processes under test: `vexil serve` on a data folder or a PostgreSQL database, and a
//! throwaway PostgreSQL cluster. Each is stopped by its PID (the cluster by its data folder)
//! when its guard is dropped, which also happens on an error or on Ctrl-C.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the service may take to start (a seed of 200 flags included).
const START_LIMIT: Duration = Duration::from_secs(60);
/// How long the service may take to stop after SIGTERM before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(10);

// The temporary folders and the PostgreSQL cluster are the service tests' own, so that both
// start PostgreSQL the same way.
#[path = "../../src/bin/vexil/serve/tests/throwaway.rs"]
mod throwaway;
pub use throwaway::{Cluster, TempFolder};

/// Where the service keeps its data.
pub enum Database<'a> {
    /// A new SQLite file in a temporary folder.
    Sqlite,
    /// A PostgreSQL database, by URL.
    Postgres(&'a str),
}

/// A running `vexil serve`, stopped on drop.
pub struct Service {
    child: Child,
    /// Where it listens.
    pub address: SocketAddr,
    /// The first admin token it printed.
    pub admin_token: String,
    /// The server SDK key it printed for the default environment.
    pub server_key: String,
    folder: TempFolder,
}

impl Service {
    /// Starts `vexil` (the binary at `program`) on a free port of 127.0.0.1 with `seed`
    /// imported, and waits until it listens.
    pub fn start(
        program: &Path,
        database: Database,
        seed: &Path,
        changes_per_hour: u32,
    ) -> Result<Service, String> {
        let folder = TempFolder::create("service")?;
        let log = std::fs::File::create(folder.0.join("stderr.log"))
            .map_err(|error| format!("cannot create the service's log: {error}"))?;
        let mut command = Command::new(program);
        command.args(["serve", "--listen", "127.0.0.1:0", "--seed"]);
        command.arg(seed);
        command.args(["--changes-per-hour", &changes_per_hour.to_string()]);
        match database {
            Database::Sqlite => command.arg("--data").arg(folder.0.join("data")),
            Database::Postgres(url) => command.args(["--database", url]),
        };
        command
            .env_remove("VEXIL_ADMIN_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        let mut child = command
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", program.display()))?;
        let lines = child.stdout.take().map(read_lines);
        let mut service = Service {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_token: String::new(),
            server_key: String::new(),
            folder,
        };
        let Some(lines) = lines else {
            return Err("the service's output cannot be read".to_owned());
        };
        service.await_listening(&lines)?;
        Ok(service)
    }

    fn await_listening(&mut self, lines: &mpsc::Receiver<String>) -> Result<(), String> {
        let deadline = Instant::now() + START_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines.recv_timeout(left).map_err(|_| {
                format!(
                    "the service did not start within {} s: {}",
                    START_LIMIT.as_secs(),
                    self.log_tail()
                )
            })?;
            if let Some(token) = line.strip_prefix("admin token (shown once): ") {
                self.admin_token = token.trim().to_owned();
            } else if line.starts_with("server key for ") {
                self.server_key = line.rsplit(' ').next().unwrap_or_default().to_owned();
            } else if let Some(address) = line.strip_prefix("listening on http://") {
                self.address = address
                    .trim()
                    .parse()
                    .map_err(|_| format!("the service printed an odd address: {line}"))?;
                break;
            }
        }
        if self.admin_token.is_empty() || self.server_key.is_empty() {
            return Err("the service did not print its first tokens".to_owned());
        }
        Ok(())
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines the service wrote to its standard error.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.folder.0.join("stderr.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // SIGTERM first: the service stops cleanly (and flushes what it counted).
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_LIMIT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of the service's standard output, read by a thread until it closes.
fn read_lines(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // The receiver may be gone after start-up; the pipe must still be drained.
            let _ = sender.send(line);
        }
    });
    receiver
}
