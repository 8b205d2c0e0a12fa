//! `vexil push`, `vexil pull` and `vexil token` as processes against a real `vexil serve`:
//! flags as code, through the service's validation, audit and quota.

use std::path::PathBuf;
use std::process::Output;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::support::service::{free_port, new_token, scratch_folder, vexil, Service};

fn example() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join("snapshot.json")
        .to_str()
        .expect("a UTF-8 path")
        .to_owned()
}

fn example_text() -> String {
    std::fs::read_to_string(example()).expect("the example snapshot")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("vexil exits with a code")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn lines(output: &Output) -> Vec<String> {
    stdout(output).lines().map(str::to_owned).collect()
}

/// Pushes `path` to the service's production environment, expecting success.
fn push(service: &Service, path: &str, extra: &[&str]) -> Output {
    let mut args = vec!["push", path, "--to", &service.url];
    args.extend_from_slice(extra);
    let output = service.vexil(&args);
    assert_eq!(code(&output), 0, "push failed:\n{}", stderr(&output));
    output
}

/// The text with the whitespace between JSON tokens removed (strings kept as they are).
fn without_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for character in text.chars() {
        if in_string {
            out.push(character);
            match character {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !character.is_whitespace() {
            in_string = character == '"';
            out.push(character);
        }
    }
    out
}

/// The items of `member` (`flags` or `segments`), as `(key, text without whitespace)`.
fn items(document: &str, member: &str) -> Vec<(String, String)> {
    let top: serde_json::Map<String, Value> =
        serde_json::from_str(document).expect("a JSON object");
    assert!(top.contains_key(member), "no {member} in {document}");
    #[derive(serde::Deserialize)]
    struct Members<'a> {
        #[serde(borrow, default)]
        flags: Vec<&'a RawValue>,
        #[serde(borrow, default)]
        segments: Vec<&'a RawValue>,
    }
    let members: Members = serde_json::from_str(document).expect("flags and segments");
    let list = if member == "flags" {
        members.flags
    } else {
        members.segments
    };
    list.into_iter()
        .map(|item| {
            let value: Value = serde_json::from_str(item.get()).expect("an object");
            let key = value["key"].as_str().expect("a key").to_owned();
            (key, without_whitespace(item.get()))
        })
        .collect()
}

/// A document with the example's segments and the given flags.
fn document(flags: &[String]) -> String {
    let segments: Vec<String> = items(&example_text(), "segments")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    format!(
        r#"{{"schemaVersion":1,"revision":1,"generatedAt":"2026-12-01T00:00:00Z","environment":"production","segments":[{}],"flags":[{}]}}"#,
        segments.join(","),
        flags.join(",")
    )
}

/// The example's flags, with `edit` applied to the text of the flag `key`.
fn example_flags_with(key: &str, edit: impl Fn(&str) -> String) -> Vec<String> {
    items(&example_text(), "flags")
        .into_iter()
        .map(|(each, text)| if each == key { edit(&text) } else { text })
        .collect()
}

fn raise_upload_limit(text: &str) -> String {
    assert_eq!(text.matches(r#""pro":250"#).count(), 1, "{text}");
    text.replace(r#""pro":250"#, r#""pro":500"#)
}

fn history(service: &Service, key: &str) -> Vec<Value> {
    let (status, answer) = service.get(&format!("/api/v1/flags/{key}/history"));
    assert_eq!(status, 200, "{answer}");
    answer["entries"].as_array().expect("entries").clone()
}

#[test]
fn a_pushed_snapshot_pulls_back_with_every_definition_as_written_in_variant_order() {
    let service = Service::start();
    let pushed = push(&service, &example(), &["--reason", "first import"]);
    let printed = lines(&pushed);
    let expected_flags = items(&example_text(), "flags");
    for (key, _) in &expected_flags {
        assert!(
            printed.contains(&format!("created flag {key}")),
            "{key} missing from:\n{printed:?}"
        );
    }
    assert!(
        printed.contains(&"created segment staff".to_owned()),
        "{printed:?}"
    );
    assert_eq!(
        printed.last().map(String::as_str),
        Some("production: revision 2, 10 changes pushed")
    );

    let file = service.folder().join("production.json");
    let file = file.to_str().expect("a UTF-8 path");
    let pulled = service.vexil(&["pull", "--from", &service.url, "--output", file]);
    assert_eq!(code(&pulled), 0, "{}", stderr(&pulled));
    assert_eq!(
        stdout(&pulled).trim(),
        format!("{file}: production at revision 2, 9 flags and 1 segment")
    );
    let text = std::fs::read_to_string(file).expect("the pulled file");
    assert!(text.lines().count() > 100, "one member per line:\n{text}");
    // Same keys in the same order, each definition the same text token for token: the same
    // meaning, and the same order of variants and of every other member.
    assert_eq!(items(&text, "flags"), expected_flags);
    assert_eq!(items(&text, "segments"), items(&example_text(), "segments"));
    let checked = vexil(&["validate", file], &[]);
    assert_eq!(code(&checked), 0, "{}", stdout(&checked));

    // The pulled file pushed back is no change at all.
    let again = push(&service, file, &[]);
    assert_eq!(lines(&again), ["production: no changes (revision 2)"]);

    // Without --output the document goes to standard output.
    let printed = service.vexil(&[
        "pull",
        "--from",
        &service.url,
        "--environment",
        "production",
    ]);
    assert_eq!(code(&printed), 0, "{}", stderr(&printed));
    assert_eq!(items(&stdout(&printed), "flags"), expected_flags);
}

#[test]
fn pushing_the_same_snapshot_again_is_no_change_and_spends_no_revision() {
    let service = Service::start();
    push(&service, &example(), &[]);
    let revision = service.revision("production");
    let again = push(&service, &example(), &[]);
    assert_eq!(
        lines(&again),
        [format!("production: no changes (revision {revision})")]
    );
    assert_eq!(service.revision("production"), revision);
}

#[test]
fn a_pushed_edit_reports_only_that_flag_and_its_history_has_a_push_with_the_reason() {
    let service = Service::start();
    push(&service, &example(), &[]);
    let edited = service.write(
        "edited.json",
        &document(&example_flags_with("max-upload-mb", raise_upload_limit)),
    );
    let output = push(&service, &edited, &["--reason", "pro uploads up to 500 MB"]);
    assert_eq!(
        lines(&output),
        [
            "updated flag max-upload-mb",
            "production: revision 3, 1 change pushed"
        ]
    );
    let entries = history(&service, "max-upload-mb");
    let newest = &entries[0];
    assert_eq!(newest["kind"], "push", "{newest}");
    assert_eq!(newest["reason"], "pro uploads up to 500 MB", "{newest}");
    assert_eq!(newest["revision"], 3, "{newest}");
    assert_eq!(newest["after"]["variants"]["pro"], 500, "{newest}");
    let untouched = history(&service, "new-checkout");
    assert!(
        untouched.iter().all(|entry| entry["revision"] == 2),
        "{untouched:?}"
    );
}

#[test]
fn a_snapshot_with_errors_is_refused_with_its_diagnostic_path_and_nothing_changes() {
    let service = Service::start();
    push(&service, &example(), &[]);
    let revision = service.revision("production");
    let broken = example_flags_with("legacy-search", |text| {
        text.replace(
            r#""fallthrough""#,
            r#""rules":[{"id":"r","conditions":[{"attribute":"plan","op":"resembles","value":"pro"}],"serve":{"variant":"on"}}],"fallthrough""#,
        )
    });
    let path = service.write("broken.json", &document(&broken));
    let output = service.vexil(&["push", &path, "--to", &service.url]);
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    let said = stderr(&output);
    assert!(
        said.contains("error[unknown-operator] $.flags[8].rules[0].conditions[0].op"),
        "{said}"
    );
    assert!(said.contains("nothing was pushed"), "{said}");
    assert_eq!(service.revision("production"), revision);
    let entries = history(&service, "legacy-search");
    assert_eq!(entries.len(), 1, "only the first push: {entries:?}");

    let unusable = service.write("unusable.json", "{\"schemaVersion\": 1, \"flags\": 3}");
    let output = service.vexil(&["push", &unusable, "--to", &service.url]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("is unusable; nothing was pushed"),
        "{}",
        stderr(&output)
    );
    assert_eq!(service.revision("production"), revision);
}

#[test]
fn a_token_the_service_does_not_know_is_refused_as_not_valid_and_never_shown() {
    let service = Service::start();
    let stranger = new_token("admin");
    let token_file = service.write("token", &format!("{stranger}\n"));
    let before = service.revision("production");
    for args in [
        vec![
            "push",
            &example(),
            "--to",
            &service.url,
            "--token-file",
            &token_file,
        ],
        vec!["pull", "--from", &service.url, "--token-file", &token_file],
    ] {
        let output = vexil(&args, &[]);
        assert_eq!(code(&output), 2, "{args:?}");
        let said = stderr(&output);
        assert!(said.contains("not valid"), "{args:?}: {said}");
        assert!(!said.contains(&stranger) && !stdout(&output).contains(&stranger));
    }
    assert_eq!(service.revision("production"), before);
}

#[test]
fn a_dry_run_prints_what_the_push_then_does_and_changes_nothing() {
    let service = Service::start();
    push(&service, &example(), &[]);
    let revision = service.revision("production");
    let mut flags = example_flags_with("max-upload-mb", raise_upload_limit);
    flags.retain(|text| !text.contains(r#""key":"legacy-search""#));
    flags.push(
        r#"{"key":"dark-mode","type":"boolean","variants":{"on":true,"off":false},"fallthrough":{"variant":"off"}}"#
            .to_owned(),
    );
    let path = service.write("next.json", &document(&flags));

    let dry = push(&service, &path, &["--dry-run"]);
    assert_eq!(
        lines(&dry),
        [
            "would update flag max-upload-mb",
            "would delete flag legacy-search",
            "would create flag dark-mode",
            &format!(
                "production: 3 changes would be pushed (now at revision {revision}); dry run, nothing was changed"
            ),
        ]
    );
    assert_eq!(service.revision("production"), revision);
    let (status, _) = service.get("/api/v1/flags/dark-mode");
    assert_eq!(status, 404, "the dry run created nothing");

    let real = push(&service, &path, &[]);
    assert_eq!(
        lines(&real),
        [
            "updated flag max-upload-mb",
            "deleted flag legacy-search",
            "created flag dark-mode",
            &format!("production: revision {}, 3 changes pushed", revision + 1),
        ]
    );
}

#[test]
fn an_unreachable_service_is_a_clear_error() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let token = new_token("admin");
    for args in [
        vec!["push", &example(), "--to", &url],
        vec!["pull", "--from", &url, "--environment", "production"],
    ] {
        let output = vexil(&args, &[("VEXIL_TOKEN", &token)]);
        assert_eq!(code(&output), 2, "{args:?}");
        let said = stderr(&output);
        assert!(
            said.contains(&format!("cannot reach the service at {url}")),
            "{args:?}: {said}"
        );
    }
}

#[test]
fn a_web_server_that_is_not_the_service_is_named_as_such() {
    // Python's own file server: a real HTTP server that redirects `snapshot` (a folder) to
    // `snapshot/` and answers HTML for what it does not have.
    let folder = scratch_folder("not-vexil");
    std::fs::create_dir_all(folder.join("api/v1/environments/production/snapshot"))
        .expect("a folder");
    let port = free_port();
    let server = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(&folder)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs");
    struct Stop(std::process::Child, PathBuf);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
            let _ = std::fs::remove_dir_all(&self.1);
        }
    }
    let _stop = Stop(server, folder);
    let url = format!("http://127.0.0.1:{port}");
    wait_for_port(port);
    let token = new_token("admin");
    let pull = |environment: &str| {
        vexil(
            &["pull", "--from", &url, "--environment", environment],
            &[("VEXIL_TOKEN", &token)],
        )
    };
    let redirected = pull("production");
    assert_eq!(code(&redirected), 2);
    assert!(
        stderr(&redirected).contains("answered with a redirect (HTTP 301)"),
        "{}",
        stderr(&redirected)
    );
    let html = pull("staging");
    assert_eq!(code(&html), 2);
    assert!(
        stderr(&html).contains("is not JSON (HTTP 404, text/html"),
        "{}",
        stderr(&html)
    );
}

/// Waits until something listens on `port` of 127.0.0.1.
fn wait_for_port(port: u16) {
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("nothing listens on port {port}");
}

#[test]
fn vexil_token_prints_fresh_tokens_of_each_kind_that_the_service_accepts() {
    for (kind, prefix) in [("admin", "vxa_"), ("server", "vxs_"), ("client", "vxc_")] {
        let first = new_token(kind);
        let parts: Vec<&str> = first.split('_').collect();
        assert_eq!(parts.len(), 3, "{first}");
        assert_eq!(format!("{}_", parts[0]), prefix);
        assert_eq!((parts[1].len(), parts[2].len()), (12, 64), "{first}");
        let hex = |text: &str| {
            text.bytes()
                .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase())
        };
        assert!(hex(parts[1]) && hex(parts[2]), "{first}");
        assert_ne!(first, new_token(kind), "each token is new");
    }
    assert_eq!(code(&vexil(&["token"], &[])), 0);
    assert_eq!(code(&vexil(&["token", "root"], &[])), 2);
    // Service::start hands the service a token from `vexil token`; the service takes it.
    let service = Service::start();
    let pulled = service.vexil(&["pull", "--from", &service.url]);
    assert_eq!(code(&pulled), 0, "{}", stderr(&pulled));
    assert!(stdout(&pulled).contains("\"environment\": \"production\""));
}

#[test]
fn push_and_pull_need_a_url_and_a_token_that_is_not_an_argument() {
    let no_token = vexil(&["pull", "--from", "http://127.0.0.1:9"], &[]);
    assert_eq!(code(&no_token), 2);
    assert!(
        stderr(&no_token).contains("no token"),
        "{}",
        stderr(&no_token)
    );
    let token = new_token("admin");
    let no_url = vexil(&["push", &example()], &[("VEXIL_TOKEN", &token)]);
    assert_eq!(code(&no_url), 2);
    assert!(stderr(&no_url).contains("--to URL"), "{}", stderr(&no_url));
    let as_argument = vexil(
        &[
            "push",
            &example(),
            "--to",
            "http://127.0.0.1:9",
            "--token",
            &token,
        ],
        &[],
    );
    assert_eq!(code(&as_argument), 2);
    assert!(stderr(&as_argument).contains("unknown option `--token`"));
}

#[test]
fn push_pull_and_token_have_their_own_help_and_are_listed() {
    for (command, option) in [
        ("push", "--dry-run"),
        ("pull", "--output"),
        ("token", "VEXIL_ADMIN_TOKEN"),
    ] {
        for args in [vec![command, "--help"], vec!["help", command]] {
            let output = vexil(&args, &[]);
            assert_eq!(code(&output), 0, "{args:?}");
            let printed = stdout(&output);
            assert!(
                printed.contains(option) && printed.contains("Exit codes"),
                "{args:?}:\n{printed}"
            );
        }
    }
    let listed = stdout(&vexil(&["--help"], &[]));
    for command in ["  push ", "  pull ", "  token "] {
        assert!(listed.contains(command), "{command:?} not in:\n{listed}");
    }
}

#[test]
fn pulling_twice_gives_the_same_file() {
    let service = Service::start();
    push(&service, &example(), &[]);
    let pull = || {
        let output = service.vexil(&[
            "pull",
            "--from",
            &service.url,
            "--environment",
            "production",
        ]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        stdout(&output)
    };
    let first = pull();
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(pull(), first);
}
