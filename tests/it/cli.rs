//! The `vexil` command-line tool, run as a real process on files written to a temporary folder.

#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use vexil::{Context, Engine, Timestamp};

/// Inside the Black Friday window of `examples/snapshot.json` (2026-11-27T05:00Z to 2026-12-01T05:00Z).
const DURING_SALE: &str = "2026-11-28T12:00:00Z";
/// A week before that window opens.
const BEFORE_SALE: &str = "2026-11-20T12:00:00Z";

/// Has diagnostics: flag `broken` uses an operator that does not exist.
const BROKEN_SNAPSHOT: &str = r#"{
  "schemaVersion": 1, "revision": 3, "generatedAt": "2026-11-01T00:00:00Z",
  "flags": [
    {"key": "fine", "type": "boolean", "variants": {"on": true, "off": false},
     "fallthrough": {"variant": "on"}},
    {"key": "broken", "type": "boolean", "variants": {"on": true, "off": false},
     "rules": [{"id": "r", "conditions": [{"attribute": "plan", "op": "resembles", "value": "pro"}],
                "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}}
  ]
}"#;

/// A folder of its own under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "vexil-cli-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("can create a temp folder");
        Scratch(path)
    }

    fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("can write a temp file");
        text(&path)
    }

    fn missing(&self, name: &str) -> String {
        text(&self.0.join(name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(path: &Path) -> String {
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

fn example(name: &str) -> String {
    text(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
}

fn example_engine() -> Engine {
    let snapshot = std::fs::read_to_string(example("snapshot.json")).expect("example snapshot");
    Engine::from_json(&snapshot).expect("the example snapshot loads")
}

fn vexil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vexil"))
        .args(args)
        .output()
        .expect("the vexil binary runs")
}

fn vexil_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vexil"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the vexil binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("can write to vexil's stdin");
    child.wait_with_output().expect("vexil finishes")
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

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

fn at(instant: &str) -> Timestamp {
    Timestamp::parse_rfc3339(instant).expect("a valid instant")
}

fn library(engine: &Engine, key: &str, context: &str, now: &str) -> Value {
    let context = Context::from_json(context).expect("a valid context");
    serde_json::to_value(engine.evaluate(key, &context, at(now))).expect("serializable")
}

// ---------------------------------------------------------------------------------------------
// validate

#[test]
fn validate_exits_0_and_says_so_for_a_clean_snapshot() {
    let output = vexil(&["validate", &example("snapshot.json")]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("revision 42"), "{printed}");
    assert!(printed.contains("9 flags"), "{printed}");
    assert!(!printed.contains("error["), "{printed}");
}

#[test]
fn validate_prints_each_diagnostic_with_its_path_and_exits_1() {
    let scratch = Scratch::new("validate-diagnostics");
    let path = scratch.write("broken.json", BROKEN_SNAPSHOT);
    let output = vexil(&["validate", &path]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));

    let engine = Engine::from_json(BROKEN_SNAPSHOT).expect("loads despite the broken flag");
    assert!(!engine.diagnostics().is_empty());
    let printed = stdout(&output);
    let lines: Vec<&str> = printed.lines().collect();
    for (line, diagnostic) in lines.iter().zip(engine.diagnostics()) {
        assert_eq!(*line, diagnostic.to_string());
    }
    assert!(
        lines[0].starts_with("error[unknown-operator] $.flags[1].rules[0].conditions[0]"),
        "{printed}"
    );
}

#[test]
fn validate_json_reports_ok_revision_flag_count_and_diagnostics() {
    let scratch = Scratch::new("validate-json");
    let path = scratch.write("broken.json", BROKEN_SNAPSHOT);
    let output = vexil(&["validate", "--json", &path]);
    assert_eq!(code(&output), 1);
    let report = json(&stdout(&output));
    assert_eq!(report["ok"], false);
    assert_eq!(report["revision"], 3);
    assert_eq!(report["flags"], 2);
    let engine = Engine::from_json(BROKEN_SNAPSHOT).expect("loads");
    let expected = serde_json::to_value(engine.diagnostics()).expect("serializable");
    assert_eq!(report["diagnostics"], expected);

    let clean = vexil(&["validate", "--json", &example("snapshot.json")]);
    assert_eq!(code(&clean), 0);
    let report = json(&stdout(&clean));
    assert_eq!(report["ok"], true);
    assert_eq!(report["revision"], 42);
    assert_eq!(report["flags"], 9);
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

#[test]
fn validate_exits_2_with_the_load_error_for_a_document_that_is_not_json() {
    let scratch = Scratch::new("validate-garbage");
    let path = scratch.write("garbage.json", "<html>502 Bad Gateway</html>");
    let output = vexil(&["validate", &path]);
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).contains("NOT_JSON"), "{}", stdout(&output));

    let output = vexil(&["validate", "--json", &path]);
    assert_eq!(code(&output), 2);
    let report = json(&stdout(&output));
    assert_eq!(report["ok"], false);
    assert_eq!(report["error"]["code"], "NOT_JSON");
    assert!(report["error"]["message"].is_string());
}

#[test]
fn validate_names_the_path_of_a_shape_error() {
    let scratch = Scratch::new("validate-shape");
    let path = scratch.write(
        "shape.json",
        r#"{"schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z", "flags": 7}"#,
    );
    let output = vexil(&["validate", "--json", &path]);
    assert_eq!(code(&output), 2);
    let report = json(&stdout(&output));
    assert_eq!(report["error"]["code"], "SHAPE");
    assert_eq!(report["error"]["path"], "$.flags");
}

#[test]
fn validate_exits_2_with_the_os_error_for_a_missing_file() {
    let scratch = Scratch::new("validate-missing");
    let path = scratch.missing("nowhere.json");
    let output = vexil(&["validate", &path]);
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(message.contains(&path), "{message}");
    assert!(message.contains("os error"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn validate_reads_the_snapshot_from_stdin_given_a_dash() {
    let snapshot = std::fs::read_to_string(example("snapshot.json")).expect("example snapshot");
    let output = vexil_with_stdin(&["validate", "-"], &snapshot);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("revision 42"));
}

// ---------------------------------------------------------------------------------------------
// eval

const QUEBEC: &str =
    r#"{"targetingKey": "user-42", "jurisdiction": "quebec", "appVersion": "5.2.1"}"#;
const STAFF: &str = r#"{"targetingKey": "user-7", "email": "ana@vexil.dev", "plan": "pro"}"#;
const ANONYMOUS: &str = r#"{"jurisdiction": "ontario"}"#;

#[test]
fn eval_prints_every_flag_exactly_as_the_library_evaluates_it_in_snapshot_order() {
    let engine = example_engine();
    for context in [QUEBEC, STAFF, ANONYMOUS] {
        let output = vexil(&[
            "eval",
            &example("snapshot.json"),
            "--context",
            context,
            "--now",
            DURING_SALE,
        ]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let printed = stdout(&output);
        let result = json(&printed);
        let object = result.as_object().expect("an object keyed by flag");
        assert_eq!(object.len(), engine.len());
        let mut last_position = 0;
        for key in engine.flag_keys() {
            assert_eq!(
                result[key],
                library(&engine, key, context, DURING_SALE),
                "flag {key} for {context}"
            );
            let position = printed
                .find(&format!("\"{key}\":"))
                .expect("every flag is printed");
            assert!(position >= last_position, "{key} is out of snapshot order");
            last_position = position;
        }
    }
}

#[test]
fn eval_reports_the_error_code_and_rule_id_fields() {
    let output = vexil(&[
        "eval",
        &example("snapshot.json"),
        "--context",
        ANONYMOUS,
        "--now",
        DURING_SALE,
    ]);
    let result = json(&stdout(&output));
    // A split without a targeting key cannot bucket anybody.
    assert_eq!(result["new-checkout"]["errorCode"], "TARGETING_KEY_MISSING");
    assert_eq!(result["new-checkout"]["value"], Value::Null);
    assert_eq!(result["quebec-ontario-launch"]["ruleId"], "canada-east");
    assert!(result["legacy-search"].get("errorCode").is_none());
}

#[test]
fn eval_with_flag_prints_only_that_flags_evaluation() {
    let engine = example_engine();
    let output = vexil(&[
        "eval",
        &example("snapshot.json"),
        "--context",
        STAFF,
        "--flag",
        "new-checkout",
        "--now",
        DURING_SALE,
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let result = json(&stdout(&output));
    assert_eq!(result, library(&engine, "new-checkout", STAFF, DURING_SALE));
    assert_eq!(result["ruleId"], "staff");
}

#[test]
fn eval_explain_adds_the_librarys_steps_to_each_flag() {
    let engine = example_engine();
    let context = Context::from_json(STAFF).expect("valid");
    let output = vexil(&[
        "eval",
        &example("snapshot.json"),
        "--context",
        STAFF,
        "--explain",
        "--now",
        DURING_SALE,
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let result = json(&stdout(&output));
    for key in engine.flag_keys() {
        let explanation = engine.explain(key, &context, at(DURING_SALE));
        let steps = result[key]["steps"].as_array().expect("steps are listed");
        assert!(!steps.is_empty(), "{key} has no steps");
        assert_eq!(
            result[key]["steps"],
            serde_json::to_value(&explanation.steps).expect("serializable")
        );
        assert_eq!(
            result[key]["variant"],
            serde_json::to_value(explanation.evaluation.variant).expect("serializable")
        );
    }

    let single = vexil(&[
        "eval",
        &example("snapshot.json"),
        "--context",
        STAFF,
        "--flag",
        "checkout-button-color",
        "--explain",
        "--now",
        DURING_SALE,
    ]);
    let result = json(&stdout(&single));
    let kinds: Vec<&str> = result["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|step| step["step"].as_str())
        .collect();
    assert!(kinds.contains(&"prerequisite"), "{kinds:?}");
    assert!(kinds.contains(&"split"), "{kinds:?}");
}

#[test]
fn eval_reads_the_context_from_a_file_given_with_an_at_sign() {
    let scratch = Scratch::new("eval-context-file");
    let file = scratch.write("context.json", QUEBEC);
    let snapshot = example("snapshot.json");
    let from_file = vexil(&[
        "eval",
        &snapshot,
        "--context",
        &format!("@{file}"),
        "--now",
        DURING_SALE,
    ]);
    let inline = vexil(&["eval", &snapshot, "--context", QUEBEC, "--now", DURING_SALE]);
    assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));
    assert_eq!(json(&stdout(&from_file)), json(&stdout(&inline)));
}

#[test]
fn eval_now_decides_whether_a_scheduled_flag_is_live() {
    let snapshot = example("snapshot.json");
    let args = |now| {
        vexil(&[
            "eval",
            &snapshot,
            "--context",
            QUEBEC,
            "--flag",
            "black-friday-banner",
            "--now",
            now,
        ])
    };
    let during = json(&stdout(&args(DURING_SALE)));
    assert_eq!(during["variant"], "sale");
    assert_eq!(during["value"], "Black Friday: 30 % off");
    let before = json(&stdout(&args(BEFORE_SALE)));
    assert_eq!(before["variant"], "none");
    assert_eq!(before["reason"], "DISABLED");
}

#[test]
fn eval_contexts_prints_one_line_per_context_and_reports_a_bad_line_without_stopping() {
    let engine = example_engine();
    let scratch = Scratch::new("eval-contexts");
    let file = scratch.write(
        "contexts.jsonl",
        &format!("{QUEBEC}\n\n{{\"targetingKey\": \n[\"not\", \"an object\"]\n{STAFF}\n"),
    );
    let output = vexil(&[
        "eval",
        &example("snapshot.json"),
        "--contexts",
        &file,
        "--now",
        DURING_SALE,
    ]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let printed = stdout(&output);
    let lines: Vec<Value> = printed.lines().map(json).collect();
    assert_eq!(lines.len(), 4, "{printed}");
    for key in engine.flag_keys() {
        assert_eq!(lines[0][key], library(&engine, key, QUEBEC, DURING_SALE));
        assert_eq!(lines[3][key], library(&engine, key, STAFF, DURING_SALE));
    }
    // Line numbers count the blank line, so they point into the file.
    assert_eq!(lines[1]["line"], 3);
    assert!(lines[1]["error"]
        .as_str()
        .is_some_and(|error| !error.is_empty()));
    assert_eq!(lines[2]["line"], 4);
    assert!(lines[2]["error"]
        .as_str()
        .is_some_and(|error| error.contains("object")));
}

#[test]
fn eval_contexts_with_flag_prints_that_flag_per_line_and_exits_0_when_all_lines_are_good() {
    let engine = example_engine();
    let contexts = [QUEBEC, STAFF, ANONYMOUS];
    let output = vexil_with_stdin(
        &[
            "eval",
            &example("snapshot.json"),
            "--contexts",
            "-",
            "--flag",
            "max-upload-mb",
            "--now",
            DURING_SALE,
        ],
        &contexts.join("\n"),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let printed = stdout(&output);
    let lines: Vec<Value> = printed.lines().map(json).collect();
    assert_eq!(lines.len(), contexts.len());
    for (line, context) in lines.iter().zip(contexts) {
        assert_eq!(
            *line,
            library(&engine, "max-upload-mb", context, DURING_SALE)
        );
    }
}

#[test]
fn every_argument_error_exits_2_with_a_message_naming_the_problem() {
    let scratch = Scratch::new("argument-errors");
    let snapshot = example("snapshot.json");
    let missing = scratch.missing("absent.jsonl");
    let at_missing = format!("@{missing}");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "missing command"),
        (vec!["frobnicate"], "unknown command `frobnicate`"),
        (
            vec!["eval", &snapshot, "--context", "{}", "--verbose"],
            "unknown option `--verbose`",
        ),
        (vec!["validate", &snapshot, "-x"], "unknown option `-x`"),
        (
            vec!["eval", &snapshot, "--context"],
            "`--context` needs a value",
        ),
        (
            vec!["eval", &snapshot, "--context", "{}", "--now"],
            "`--now` needs a value",
        ),
        (
            vec!["eval", &snapshot, "--flag", "--context", "{}"],
            "`--flag` needs a value",
        ),
        (
            vec!["eval", &snapshot, "--context", "{}", "--contexts", &missing],
            "cannot be used together",
        ),
        (vec!["eval", &snapshot], "missing `--context"),
        (
            vec![
                "eval",
                &snapshot,
                "--context",
                "{}",
                "--now",
                "next tuesday",
            ],
            "`--now next tuesday`",
        ),
        (
            vec!["eval", &snapshot, "--context", "[1, 2]"],
            "must be a JSON object",
        ),
        (
            vec!["eval", &snapshot, "--context", "{nope"],
            "not valid JSON",
        ),
        (
            vec!["eval", &snapshot, "--context", "{}", "--explain=yes"],
            "`--explain` takes no value",
        ),
        (
            vec![
                "eval",
                &snapshot,
                "--context",
                "{}",
                "--flag",
                "a",
                "--flag",
                "b",
            ],
            "more than once",
        ),
        (
            vec![
                "eval",
                &snapshot,
                "--context",
                "{}",
                "--flag",
                "no-such-flag",
            ],
            "no-such-flag",
        ),
        (
            vec!["eval", &missing, "--context", "{}"],
            "cannot read snapshot",
        ),
        (
            vec!["eval", &snapshot, "--contexts", &missing],
            "cannot read contexts file",
        ),
        (
            vec!["eval", &snapshot, "--context", &at_missing],
            "cannot read context file",
        ),
        (vec!["eval", "-", "--contexts", "-"], "standard input"),
        (vec!["validate"], "missing SNAPSHOT"),
        (
            vec!["validate", &snapshot, "extra"],
            "unexpected argument `extra`",
        ),
        (vec!["demo", &snapshot], "missing USERS"),
        (vec!["demo", &snapshot, &missing], "cannot read users file"),
        (
            vec!["demo", &snapshot, &snapshot, "--now", "soon"],
            "`--now soon`",
        ),
    ];
    for (args, expected) in cases {
        let output = vexil(&args);
        let message = stderr(&output);
        assert_eq!(code(&output), 2, "{args:?}: {message}");
        assert!(
            message.contains(expected),
            "{args:?}: expected {expected:?} in {message:?}"
        );
        assert!(!message.contains("panicked"), "{args:?}: {message}");
        assert!(
            output.stdout.is_empty(),
            "{args:?} printed {}",
            stdout(&output)
        );
    }
}

#[test]
fn missing_file_errors_carry_the_operating_systems_reason() {
    let scratch = Scratch::new("os-error");
    let missing = scratch.missing("gone.jsonl");
    let output = vexil(&["eval", &example("snapshot.json"), "--contexts", &missing]);
    let message = stderr(&output);
    assert_eq!(code(&output), 2);
    assert!(message.contains(&missing), "{message}");
    assert!(message.contains("os error"), "{message}");
}

#[test]
fn eval_exits_2_when_the_snapshot_is_unusable() {
    let scratch = Scratch::new("eval-unusable");
    let path = scratch.write("garbage.json", "{\"schemaVersion\": 1,");
    let output = vexil(&["eval", &path, "--context", "{}"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("NOT_JSON"), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
}

#[test]
fn a_closed_output_pipe_ends_eval_quietly_instead_of_panicking() {
    let scratch = Scratch::new("broken-pipe");
    // Far more output than a pipe buffers, so writes go on after the reader has left.
    let contexts: String = (0..5000)
        .map(|user| format!("{{\"targetingKey\": \"user-{user}\", \"plan\": \"pro\"}}\n"))
        .collect();
    let file = scratch.write("many.jsonl", &contexts);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vexil"))
        .args([
            "eval",
            &example("snapshot.json"),
            "--contexts",
            &file,
            "--now",
            DURING_SALE,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the vexil binary runs");
    let mut first = String::new();
    {
        let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
        reader.read_line(&mut first).expect("reads the first line");
    }
    let output = child.wait_with_output().expect("vexil finishes");
    assert!(json(&first).is_object());
    let message = stderr(&output);
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(code(&output), 0, "{message}");
}

// ---------------------------------------------------------------------------------------------
// demo

/// The table rows printed under the header line that starts with `title`, split into cells.
fn demo_rows<'a>(printed: &'a str, title: &str) -> Vec<Vec<&'a str>> {
    let mut lines = printed.lines().skip_while(|line| !line.starts_with(title));
    assert!(lines.next().is_some(), "no block {title:?} in\n{printed}");
    lines
        .skip(1)
        .take_while(|line| !line.is_empty())
        .map(|line| line.split_whitespace().collect())
        .collect()
}

fn demo_row<'a>(rows: &[Vec<&'a str>], flag: &str) -> Vec<&'a str> {
    rows.iter()
        .find(|row| row.first() == Some(&flag))
        .unwrap_or_else(|| panic!("no row for {flag} in {rows:?}"))
        .clone()
}

#[test]
fn demo_prints_the_snapshot_header_a_table_per_user_and_the_statistics() {
    let output = vexil(&[
        "demo",
        &example("snapshot.json"),
        &example("users.jsonl"),
        "--now",
        DURING_SALE,
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("revision 42"), "{printed}");
    assert!(printed.contains("environment production"), "{printed}");
    assert!(printed.contains("9 flags"), "{printed}");

    // user-13 is listed in new-checkout's "off" override.
    let forced = demo_rows(&printed, "User user-13");
    assert_eq!(
        demo_row(&forced, "new-checkout"),
        ["new-checkout", "false", "off", "OVERRIDE"]
    );

    // The admin in staging matches admins-in-staging, and signed up after 2026-11-01.
    let admin = demo_rows(&printed, "User user-99");
    assert_eq!(
        demo_row(&admin, "admin-console"),
        [
            "admin-console",
            "true",
            "on",
            "TARGETING_MATCH",
            "(rule",
            "admins-in-staging)"
        ]
    );
    assert_eq!(demo_row(&admin, "onboarding-config")[2], "long");

    // Staff are always in the new checkout.
    let staff = demo_rows(&printed, "User user-7");
    assert_eq!(demo_row(&staff, "new-checkout")[3], "TARGETING_MATCH");

    // Without a targeting key the rollout split cannot bucket the visitor.
    let anonymous = demo_rows(&printed, "Anonymous visitor");
    assert!(demo_row(&anonymous, "new-checkout").contains(&"(TARGETING_KEY_MISSING)"));

    // Five users, nine flags each; the anonymous visitor's split is the only error.
    let stats = demo_rows(&printed, "Statistics");
    assert_eq!(stats.len(), 9);
    assert_eq!(
        &demo_row(&stats, "new-checkout")[..3],
        ["new-checkout", "5", "1"]
    );
    assert_eq!(
        demo_row(&stats, "maintenance-mode"),
        ["maintenance-mode", "5", "0", "off=5"]
    );
}

#[test]
fn demo_columns_line_up_under_their_headers() {
    let output = vexil(&[
        "demo",
        &example("snapshot.json"),
        &example("users.jsonl"),
        "--now",
        DURING_SALE,
    ]);
    let printed = stdout(&output);
    let mut lines = printed.lines().peekable();
    let mut tables = 0;
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("FLAG ") {
            continue;
        }
        tables += 1;
        // Headers are single words, so every word after FLAG starts a column.
        let bytes = line.as_bytes();
        let columns: Vec<usize> = (1..bytes.len())
            .filter(|&at| bytes[at - 1] == b' ' && bytes[at] != b' ')
            .skip(1)
            .collect();
        assert_eq!(columns.len(), 3, "{line}");
        while let Some(row) = lines.next_if(|row| !row.is_empty()) {
            for &column in &columns {
                let before = &row[..column];
                assert!(before.ends_with(' '), "misaligned: {row:?} at {column}");
                assert!(
                    !row[column..].starts_with(' '),
                    "misaligned: {row:?} at {column}"
                );
            }
        }
    }
    assert_eq!(tables, 6, "five users and the statistics");
}

#[test]
fn demo_skips_a_bad_user_line_evaluates_the_rest_and_exits_1() {
    let scratch = Scratch::new("demo-bad-line");
    let users = scratch.write("users.jsonl", &format!("{STAFF}\n42\n{QUEBEC}\n"));
    let output = vexil(&[
        "demo",
        &example("snapshot.json"),
        &users,
        "--now",
        DURING_SALE,
    ]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("Line 2: skipped"), "{printed}");
    let stats = demo_rows(&printed, "Statistics");
    assert_eq!(demo_row(&stats, "legacy-search")[1], "2");
}

// ---------------------------------------------------------------------------------------------
// help and version

#[test]
fn help_lists_the_commands_and_documents_the_exit_codes() {
    for args in [vec!["--help"], vec!["help"], vec!["-h"]] {
        let output = vexil(&args);
        assert_eq!(code(&output), 0);
        let printed = stdout(&output);
        for needle in [
            "validate",
            "eval",
            "demo",
            "Exit codes",
            "  0 ",
            "  1 ",
            "  2 ",
        ] {
            assert!(
                printed.contains(needle),
                "{args:?} lacks {needle:?}:\n{printed}"
            );
        }
    }
}

#[test]
fn each_command_has_its_own_help() {
    for (command, option) in [
        ("validate", "--json"),
        ("eval", "--contexts"),
        ("demo", "--now"),
    ] {
        for args in [vec![command, "--help"], vec!["help", command]] {
            let output = vexil(&args);
            assert_eq!(code(&output), 0, "{args:?}");
            let printed = stdout(&output);
            assert!(printed.contains(option), "{args:?}:\n{printed}");
            assert!(printed.contains("Exit codes"), "{args:?}:\n{printed}");
        }
    }
}

#[test]
fn version_prints_the_crate_version() {
    let output = vexil(&["--version"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output).trim(),
        format!("vexil {}", env!("CARGO_PKG_VERSION"))
    );
}

/// A context line is read as the JavaScript engine reads the same text: a number beyond the
/// range of a double is null (absent), and an attribute named twice is refused.
#[test]
fn eval_reads_a_context_number_out_of_range_as_absent_and_refuses_a_repeated_attribute() {
    let snapshot = example("snapshot.json");
    let run = |context: &str| {
        vexil(&[
            "eval",
            &snapshot,
            "--context",
            context,
            "--flag",
            "max-upload-mb",
            "--now",
            DURING_SALE,
        ])
    };
    let output = run(r#"{"targetingKey": "user-42", "plan": 1e400, "appVersion": "5.3.1"}"#);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // No plan, so rule `pro-plan` does not match; the app version then does.
    assert_eq!(
        json(&stdout(&output)),
        serde_json::json!({"value": 250, "variant": "pro", "reason": "TARGETING_MATCH",
                           "ruleId": "new-mobile-app"})
    );

    let output = run(r#"{"targetingKey": "user-42", "plan": "free", "plan": "pro"}"#);
    assert_ne!(code(&output), 0, "{}", stdout(&output));
    let message = stderr(&output);
    assert!(
        message.contains(r#""plan": the attribute is given more than once"#),
        "{message}"
    );
}
