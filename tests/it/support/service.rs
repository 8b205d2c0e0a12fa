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
    /// The server SDK key for `production` the first start printed.
    pub server_key: String,
    /// The arguments added to `vexil serve`'s own, used again by [`Service::restart`].
    args: Vec<String>,
}

impl Service {
    /// Starts `vexil serve` with an admin token from `vexil token` as `VEXIL_ADMIN_TOKEN`.
    pub fn start() -> Service {
        Service::start_with(&[])
    }

    /// [`Service::start`] with `args` added to `vexil serve`'s (e.g. `--seed FILE`).
    pub fn start_with(args: &[&str]) -> Service {
        let folder = scratch_folder("service");
        let token = new_token("admin");
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        let (child, url, printed) = spawn(&folder, &token, "127.0.0.1:0", &args);
        let server_key = printed
            .iter()
            .find_map(|line| line.strip_prefix("server key for production (shown once): "))
            .unwrap_or_default()
            .to_owned();
        Service {
            child,
            folder,
            url,
            token,
            server_key,
            args,
        }
    }

    /// Ends the process at once (SIGKILL, by its PID), keeping its data folder.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the service again on the same data folder and the same address.
    pub fn restart(&mut self) {
        self.kill();
        let address = self.url.trim_start_matches("http://").to_owned();
        let (child, url, _) = spawn(&self.folder, &self.token, &address, &self.args);
        self.child = child;
        self.url = url;
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
        let response = agent()
            .get(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {}", self.token))
            .call();
        json_answer(&format!("GET {path}"), response)
    }

    /// `POST path` with the admin token and `body` as JSON: the status and the JSON answer.
    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = agent()
            .post(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .send(body.to_string());
        json_answer(&format!("POST {path}"), response)
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

/// An HTTP client that takes every status as an answer.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// The status and the JSON body of the answer to `request`.
fn json_answer(
    request: &str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> (u16, Value) {
    let mut response = response.expect("the service answers");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().expect("a text answer");
    let value = serde_json::from_str(&body)
        .unwrap_or_else(|error| panic!("{request} is not JSON ({error}): {body}"));
    (status, value)
}

/// Spawns `vexil serve` on `folder`'s data listening on `listen`; answers the child, its URL
/// and the lines it printed before it was listening.
fn spawn(
    folder: &Path,
    token: &str,
    listen: &str,
    args: &[String],
) -> (Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vexil"))
        .arg("serve")
        .arg("--data")
        .arg(folder.join("data"))
        .args(["--listen", listen])
        .args(args)
        .env("VEXIL_ADMIN_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vexil serve starts");
    let (lines, printed) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout is piped");
    // Read to the end, so the service never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let (errors, said) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        let _ = errors.send(text);
    });
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    let mut before = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match printed.recv_timeout(left) {
            Ok(line) => match line.strip_prefix("listening on ") {
                Some(url) => return (child, url.to_owned(), before),
                None => before.push(line),
            },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let said = said
                    .recv_timeout(Duration::from_secs(5))
                    .unwrap_or_default();
                panic!("vexil serve did not start listening:\n{said}");
            }
        }
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
