//! A real `vexil serve` process for tests that talk to the service: a fresh SQLite folder, a
//! free port on 127.0.0.1, an admin token made by `vexil token`, and a stop (by the child's
//! PID) and clean-up when the handle is dropped, whether the test passed or not.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// How long the service may take to say it is listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running service.
pub struct Service {
    child: Child,
    folder: PathBuf,
    /// The base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its admin token (role admin).
    pub token: String,
}

impl Service {
    /// Starts `vexil serve` with an admin token from `vexil token` as `VEXIL_ADMIN_TOKEN`.
    pub fn start() -> Service {
        let folder = scratch_folder("service");
        let token = new_token("admin");
        let mut child = Command::new(env!("CARGO_BIN_EXE_vexil"))
            .arg("serve")
            .arg("--data")
            .arg(folder.join("data"))
            .args(["--listen", "127.0.0.1:0"])
            .env("VEXIL_ADMIN_TOKEN", &token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vexil serve starts");
        let (lines, listening) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        // Read to the end, so the service never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = lines.send(url.to_owned());
                }
            }
        });
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let (errors, said) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = errors.send(text);
        });
        let mut service = Service {
            child,
            folder,
            url: String::new(),
            token,
        };
        match listening.recv_timeout(START_TIMEOUT) {
            Ok(url) => service.url = url,
            Err(_) => {
                let _ = service.child.kill();
                let said = said
                    .recv_timeout(Duration::from_secs(5))
                    .unwrap_or_default();
                panic!("vexil serve did not start listening:\n{said}");
            }
        }
        service
    }

    /// A folder of this service's own for a test's files (removed with the service).
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Writes `contents` to `name` in [`Service::folder`]; answers the path.
    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.folder.join(name);
        std::fs::write(&path, contents).expect("can write a test file");
        path.to_str().expect("temp paths are UTF-8").to_owned()
    }

    /// Runs `vexil ARGS` with this service's admin token in `VEXIL_TOKEN`.
    pub fn vexil(&self, args: &[&str]) -> Output {
        vexil(args, &[("VEXIL_TOKEN", &self.token)])
    }

    /// `GET path` with the admin token: the status and the JSON answer.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut response = agent
            .get(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {}", self.token))
            .call()
            .expect("the service answers");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().expect("a text answer");
        let value = serde_json::from_str(&body)
            .unwrap_or_else(|error| panic!("GET {path} is not JSON ({error}): {body}"));
        (status, value)
    }

    /// The current revision of `environment`, from the list of environments.
    pub fn revision(&self, environment: &str) -> i64 {
        let (status, listed) = self.get("/api/v1/environments");
        assert_eq!(status, 200, "{listed}");
        listed["environments"]
            .as_array()
            .and_then(|all| all.iter().find(|each| each["name"] == environment))
            .and_then(|found| found["revision"].as_i64())
            .unwrap_or_else(|| panic!("no environment {environment} in {listed}"))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Runs `vexil ARGS` with `VEXIL_TOKEN` removed and then `env` set.
pub fn vexil(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vexil"));
    command
        .args(args)
        .env_remove("VEXIL_TOKEN")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the vexil binary runs")
}

/// A new token of `kind` from `vexil token`.
pub fn new_token(kind: &str) -> String {
    let output = vexil(&["token", kind], &[]);
    assert_eq!(output.status.code(), Some(0), "vexil token {kind} fails");
    String::from_utf8(output.stdout)
        .expect("a token is text")
        .trim()
        .to_owned()
}

/// A port on 127.0.0.1 that nothing listens on (it was free a moment ago).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// A new folder under the system's temporary folder.
pub fn scratch_folder(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "vexil-it-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&path).expect("can create a temp folder");
    path
}
