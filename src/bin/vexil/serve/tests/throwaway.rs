//! Throwaway resources: a temporary folder, and a PostgreSQL cluster (`initdb` in such a
//! folder, `pg_ctl` on a free port of 127.0.0.1) stopped by its data folder when dropped, even
//! after a failure.
//!
//! One implementation for two users, so both start PostgreSQL the same way: the service's
//! tests (`serve/tests/cluster.rs`, which turn an error into a failed test) and the
//! `service_load` example (which includes this file by `#[path]` and reports the error).
//! Every step returns an error that says what failed, never panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// A folder under the system's temporary folder, removed on drop.
pub struct TempFolder(pub PathBuf);

impl TempFolder {
    /// Makes a new, empty folder whose name carries `label`, this process's id and a counter.
    pub fn create(label: &str) -> Result<TempFolder, String> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("vexil-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|error| format!("cannot create {}: {error}", path.display()))?;
        Ok(TempFolder(path))
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running throwaway PostgreSQL cluster; `url` reaches its `postgres` database.
pub struct Cluster {
    /// Reaches the cluster's `postgres` database as the superuser `vexil` (trust auth).
    pub url: String,
    bin: PathBuf,
    folder: TempFolder,
}

impl Cluster {
    /// Starts a cluster with PostgreSQL's programs (`initdb`, `pg_ctl`), as the `postgres`
    /// user when run as root (initdb refuses root). Room for 200 connections: the tests run
    /// several services at once, each with its own pool.
    pub fn start() -> Result<Cluster, String> {
        let bin =
            bin_folder().ok_or("PostgreSQL is not installed (scripts/setup.sh installs it)")?;
        let folder = TempFolder::create("postgres")?;
        if is_root() {
            let mut chown = Command::new("chown");
            run(chown.args(["-R", "postgres"]).arg(&folder.0), "chown")?;
        }
        let data = utf8(folder.0.join("db"))?;
        let log = utf8(folder.0.join("log"))?;
        as_postgres(
            &bin,
            "initdb",
            &["-D", &data, "-U", "vexil", "--auth=trust", "-E", "UTF8"],
        )?;
        let port = free_port()?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            folder.0.display()
        );
        // Made before `pg_ctl start`, so that a start which fails half-way is still stopped.
        let cluster = Cluster {
            url: format!("postgres://vexil@127.0.0.1:{port}/postgres"),
            bin,
            folder,
        };
        as_postgres(
            &cluster.bin,
            "pg_ctl",
            &["-D", &data, "-l", &log, "-w", "-o", &options, "start"],
        )?;
        Ok(cluster)
    }

    /// A new, empty database named `name` in the cluster; its URL.
    pub fn database(&self, name: &str) -> Result<String, String> {
        let sql = format!("CREATE DATABASE {name}");
        let mut psql = Command::new(self.bin.join("psql"));
        run(psql.args([self.url.as_str(), "-q", "-c", &sql]), "psql")?;
        Ok(self.url.replace("/postgres", &format!("/{name}")))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.folder.0.join("db");
        let data = data.to_str().unwrap_or_default();
        let stop = ["-D", data, "-m", "immediate", "-w", "stop"];
        let _ = as_postgres(&self.bin, "pg_ctl", &stop);
    }
}

/// The folder of the newest installed PostgreSQL's programs.
fn bin_folder() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn utf8(path: PathBuf) -> Result<String, String> {
    path.into_os_string()
        .into_string()
        .map_err(|path| format!("the temporary path {path:?} is not UTF-8"))
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| format!("no free port on 127.0.0.1: {error}"))
}

/// Runs a PostgreSQL program, as the `postgres` user when this process is root.
fn as_postgres(bin: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    let path = bin.join(program);
    let mut command = if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(&path);
        command
    } else {
        Command::new(&path)
    };
    run(command.args(args), program)
}

/// Runs `command` to its end; its standard error is the error when it fails.
fn run(command: &mut Command, name: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run {name}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}
