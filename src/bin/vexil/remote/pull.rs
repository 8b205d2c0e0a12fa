//! `vexil pull`: an environment of a running service as a snapshot file, to keep in git and
//! push back.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::http::Service;
use super::json_text::pretty;
use super::snapshot_path;
use crate::args::{opt, parse, OptSpec};
use crate::failure::{Failure, EXIT_OK};
use crate::io::Out;
use crate::validate::count;

/// `vexil pull --help`.
pub const HELP: &str = "\
vexil pull: write an environment of a running flag service as a snapshot file.

Usage:
  vexil pull --from URL [--environment NAME] [--token-file FILE] [--output FILE]

Writes the environment as one snapshot document, one member per line: every flag and
segment as written (member and variant order kept), without the per-user overrides, which
stay in the service. Edit it, review it, and send it back with `vexil push`.

Options:
  --from URL            the service's base URL, e.g. http://127.0.0.1:8080
  --environment NAME    the environment (default: the service's default environment)
  --token-file FILE     read the admin token (any role) from FILE; without it, the token is
                        read from the VEXIL_TOKEN environment variable
  --output FILE         write FILE (replaced whole, never half-written) instead of standard
                        output, and print a summary
  -h, --help

Exit codes:
  0  the snapshot was written
  2  the service refused or cannot be reached, FILE cannot be written, or the command line
     is wrong
";

const OPTIONS: &[OptSpec] = &[
    opt("--from", true),
    opt("--environment", true),
    opt("--token-file", true),
    opt("--output", true),
];

/// What the summary needs of a pulled document.
#[derive(Deserialize)]
struct Head {
    revision: i64,
    #[serde(default)]
    flags: Vec<IgnoredAny>,
    #[serde(default)]
    segments: Vec<IgnoredAny>,
}

/// `GET /api/v1/environments`, as far as the default is concerned.
#[derive(Deserialize)]
struct Environments {
    environments: Vec<Environment>,
}

#[derive(Deserialize)]
struct Environment {
    name: String,
    #[serde(default)]
    default: bool,
}

/// Runs `vexil pull`.
pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("pull", args, OPTIONS)?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    parsed.positionals::<0>("pull", [])?;
    let service = super::service(&parsed, "pull", "--from")?;
    let environment = match super::environment(&parsed, "pull")? {
        Some(name) => name.to_owned(),
        None => default_environment(&service)?,
    };
    let body = service
        .get(&snapshot_path(&environment))
        .map_err(|error| Failure::fatal(format!("cannot pull {environment}: {error}")))?;
    let text = String::from_utf8(body)
        .map_err(|_| Failure::fatal(format!("the {environment} snapshot is not UTF-8 text")))?;
    let document = pretty(&text);
    let mut out = Out::new();
    match parsed.value("--output") {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(document.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(Failure::output)?;
        }
        Some(file) => {
            write_atomically(Path::new(file), document.as_bytes())?;
            let head: Head = serde_json::from_str(&text).map_err(|error| {
                Failure::fatal(format!("the {environment} snapshot is unexpected: {error}"))
            })?;
            out.line(format_args!(
                "{file}: {environment} at revision {}, {} and {}",
                head.revision,
                count(head.flags.len(), "flag"),
                count(head.segments.len(), "segment")
            ))?;
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// The environment the service serves when none is named.
fn default_environment(service: &Service) -> Result<String, Failure> {
    let body = service
        .get("/api/v1/environments")
        .map_err(|error| Failure::fatal(format!("cannot list the environments: {error}")))?;
    let listed: Environments = serde_json::from_slice(&body).map_err(|error| {
        Failure::fatal(format!(
            "{} answered the list of environments unexpectedly: {error}",
            service.base()
        ))
    })?;
    listed
        .environments
        .into_iter()
        .find(|environment| environment.default)
        .map(|environment| environment.name)
        .ok_or_else(|| {
            Failure::fatal("the service names no default environment; pass --environment NAME")
        })
}

/// Writes `bytes` to a new file beside `path`, then renames it over `path`: a reader sees the
/// old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail =
        |error: std::io::Error| Failure::fatal(format!("cannot write {}: {error}", path.display()));
    let Some(name) = path.file_name() else {
        return Err(Failure::fatal(format!(
            "cannot write {}: it names no file",
            path.display()
        )));
    };
    let folder = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = folder.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(error));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let folder = std::env::temp_dir().join(format!("vexil-pull-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("a folder");
        let file = folder.join("production.json");
        std::fs::write(&file, "old").expect("written");
        write_atomically(&file, b"new").expect("replaced");
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "new");
        let left: Vec<_> = std::fs::read_dir(&folder).expect("listed").collect();
        assert_eq!(left.len(), 1, "only the file itself remains");
        assert!(write_atomically(&folder.join("missing").join("x.json"), b"x").is_err());
        std::fs::remove_dir_all(&folder).expect("removed");
    }
}
