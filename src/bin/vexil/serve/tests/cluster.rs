//! A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder, `pg_ctl` on a
//! free port on 127.0.0.1, stopped (by its data folder) when dropped, even after a failure.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

use super::TempFolder;

/// A running cluster; `url` reaches its `postgres` database.
pub struct Cluster {
    pub url: String,
    bin: PathBuf,
    folder: TempFolder,
}

/// The folder of PostgreSQL's programs, if PostgreSQL is installed.
fn bin_folder() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// Runs a PostgreSQL program as the `postgres` user (initdb refuses root).
fn as_postgres(bin: &std::path::Path, program: &str, args: &[&str]) -> std::process::Output {
    let path = bin.join(program);
    let mut command = if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(&path);
        command
    } else {
        Command::new(&path)
    };
    command
        .args(args)
        .output()
        .expect("run a PostgreSQL program")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

impl Cluster {
    /// Starts a cluster. Panics (failing the test) when PostgreSQL is missing: `make test`
    /// installs it, so a missing server is a broken setup, not a reason to skip.
    pub fn start() -> Cluster {
        let bin = bin_folder().expect("PostgreSQL is not installed (scripts/setup.sh installs it)");
        let folder = TempFolder::new("pg");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&folder.0)
                .status();
            assert!(
                status.is_ok_and(|status| status.success()),
                "chown the cluster folder"
            );
        }
        let data = folder.0.join("db");
        let data = data.to_str().expect("UTF-8 path");
        let init = as_postgres(
            &bin,
            "initdb",
            &["-D", data, "-U", "vexil", "--auth=trust", "-E", "UTF8"],
        );
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let port = free_port();
        let log = folder.0.join("log");
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            folder.0.display()
        );
        let started = as_postgres(
            &bin,
            "pg_ctl",
            &[
                "-D",
                data,
                "-l",
                log.to_str().expect("UTF-8"),
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
        assert!(
            started.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&started.stderr)
        );
        Cluster {
            url: format!("postgres://vexil@127.0.0.1:{port}/postgres"),
            bin,
            folder,
        }
    }

    /// The cluster the running tests share: started by the first test that asks, stopped when
    /// the last one holding it ends (a later test starts a new one). A static would never be
    /// dropped, and the cluster would outlive the test binary.
    pub fn shared() -> Arc<Cluster> {
        static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Some(cluster) = shared.upgrade() {
            return cluster;
        }
        let cluster = Arc::new(Cluster::start());
        *shared = Arc::downgrade(&cluster);
        cluster
    }

    /// A new, empty database with a name no other test of this process uses.
    pub fn fresh_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        self.database(&format!("e2e_{}", NEXT.fetch_add(1, Ordering::SeqCst)))
    }

    /// A new, empty database in the cluster.
    pub fn database(&self, name: &str) -> String {
        let psql = self.bin.join("psql");
        let output = Command::new(psql)
            .args([&self.url, "-c", &format!("CREATE DATABASE {name}")])
            .output()
            .expect("psql");
        assert!(
            output.status.success(),
            "create database: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.url.replace("/postgres", &format!("/{name}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.folder.0.join("db");
        let _ = as_postgres(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}
