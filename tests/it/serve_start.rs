//! `vexil serve` at start and stop, as a process: the clear errors for what it cannot use,
//! and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn serve(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vexil"));
    command
        .arg("serve")
        .args(args)
        .env_remove("VEXIL_ADMIN_TOKEN");
    command
}

fn temp_folder(label: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("vexil-start-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    path
}

/// Runs `serve` expecting it to stop at start; answers (exit code, standard error).
fn fails(args: &[&str]) -> (Option<i32>, String) {
    let output = serve(args).output().expect("run vexil serve");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_data_folder_that_cannot_be_made_is_named() {
    let (code, stderr) = fails(&["--data", "/dev/null/vexil", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("cannot create the data folder /dev/null/vexil"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_database_is_reported_as_such_at_once() {
    // Port 1 on loopback: nothing listens there, so the connection is refused.
    let started = Instant::now();
    let (code, stderr) = fails(&[
        "--database",
        "postgres://vexil@127.0.0.1:1/flags",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot reach the database"), "{stderr}");
    assert!(
        !stderr.contains("postgres://"),
        "the URL (which may hold a password) is not printed: {stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_database_url_that_is_not_postgres_is_a_usage_error() {
    let (code, stderr) = fails(&["--database", "mysql://x", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--database takes a postgres:// URL"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_admin_token_is_refused() {
    let output = serve(&["--data", "/tmp/unused", "--listen", "127.0.0.1:0"])
        .env("VEXIL_ADMIN_TOKEN", "hunter2")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("vexil token"), "{stderr}");
    assert!(
        !stderr.contains("hunter2"),
        "the token is never echoed: {stderr}"
    );
}

/// A running service; killed on drop if the test did not stop it.
struct Running {
    child: std::process::Child,
    address: String,
    lines: Vec<String>,
}

impl Running {
    fn start(data: &std::path::Path, listen: &str) -> Running {
        let mut child = serve(&["--data", data.to_str().expect("UTF-8"), "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn vexil serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("a line");
            let done = line.starts_with("listening on http://");
            lines.push(line);
            if done {
                break;
            }
        }
        let address = lines
            .last()
            .and_then(|line| line.strip_prefix("listening on http://"))
            .expect("the listening line")
            .to_owned();
        Running {
            child,
            address,
            lines,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_busy_port_is_named_and_sigterm_stops_cleanly() {
    let data = temp_folder("busy");
    let mut first = Running::start(&data, "127.0.0.1:0");
    assert!(
        first
            .lines
            .iter()
            .any(|line| line.starts_with("admin token (shown once): vxa_")),
        "{:?}",
        first.lines
    );
    let (code, stderr) = fails(&[
        "--data",
        data.to_str().expect("UTF-8"),
        "--listen",
        &first.address,
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("cannot listen on {}", first.address)),
        "{stderr}"
    );
    assert!(stderr.contains("pick another with --listen"), "{stderr}");

    let pid = first.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = first.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the service did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut first.child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read");
    assert!(stderr.contains("vexil serve: stopped"), "{stderr}");

    // A second start on the same folder prints no new admin token: the first is kept.
    let second = Running::start(&data, "127.0.0.1:0");
    assert!(
        !second.lines.iter().any(|line| line.contains("shown once")),
        "{:?}",
        second.lines
    );
    drop(second);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_console_folder_without_a_page_is_a_usage_error() {
    let folder = temp_folder("no-console");
    std::fs::create_dir_all(&folder).expect("folder");
    let (code, stderr) = fails(&["--console", folder.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("has no index.html"), "{stderr}");
    assert!(stderr.contains("make console"), "{stderr}");
    let _ = std::fs::remove_dir_all(folder);
}
