//! The snapshot files of the read-only mode: which files there are, which environment each
//! serves, and the verdict on one file's current content.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use vexil::{Engine, Limits};

use crate::serve::keys::check_environment;
use crate::serve::publish::Published;

/// What `--snapshot` names.
#[derive(Debug)]
pub enum Layout {
    /// One file: one environment, named by the document's `environment`, else the file stem.
    File(PathBuf),
    /// A folder: each `NAME.json` directly in it is the environment `NAME`.
    Folder(PathBuf),
}

impl Layout {
    /// The layout of `path`, which must exist.
    pub fn of(path: &Path) -> io::Result<Layout> {
        let metadata = std::fs::metadata(path)?;
        Ok(if metadata.is_dir() {
            Layout::Folder(path.to_owned())
        } else {
            Layout::File(path.to_owned())
        })
    }

    /// The environment `path`, loaded as `engine`, serves; `Err` says why it names none usable.
    fn environment(&self, path: &Path, engine: &Engine) -> Result<String, String> {
        let stem = stem(path);
        match self {
            Layout::File(_) => {
                let name = engine.environment().unwrap_or(&stem);
                check_environment(name).map_err(|error| {
                    format!(
                        "the environment is named by the document's `environment` field, else \
                         by the file name, and {error}"
                    )
                })?;
                Ok(name.to_owned())
            }
            Layout::Folder(_) => {
                check_environment(&stem)?;
                Ok(stem)
            }
        }
    }
}

/// The `*.json` files directly in `folder`, each with its environment name or, for a file
/// whose name is not a usable environment name, why it is skipped.
pub fn listing(folder: &Path) -> io::Result<BTreeMap<PathBuf, Result<String, String>>> {
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let is_json = path
            .extension()
            .is_some_and(|extension| extension == "json");
        // Follows symbolic links, as mounted configuration folders use them.
        if !is_json || !std::fs::metadata(&path).is_ok_and(|metadata| metadata.is_file()) {
            continue;
        }
        let name = stem(&path);
        let checked = check_environment(&name).map(|()| name);
        found.insert(path, checked);
    }
    Ok(found)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A file as a poll sees it; when any part differs from the last poll's, the file is read
/// again. The inode catches a file replaced by a rename within the clock's resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Signature {
    /// The signature of `path` now.
    pub fn of(path: &Path) -> io::Result<Signature> {
        let metadata = std::fs::metadata(path)?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Ok(Signature {
            modified: metadata.modified().ok(),
            len: metadata.len(),
            inode,
        })
    }
}

/// A file that loads, not yet served.
#[derive(Debug)]
pub struct Loaded {
    /// The environment it serves.
    pub environment: String,
    /// Its revision.
    pub revision: i64,
    text: String,
    engine: Engine,
}

impl Loaded {
    /// How many diagnostics the engine reported (flags that serve their default).
    pub fn diagnostics(&self) -> usize {
        self.engine.diagnostics().len()
    }

    /// The document, ready to serve.
    pub fn publish(self) -> Published {
        Published::whole(&self.environment, self.revision, &self.text, self.engine)
    }
}

/// Reads `path` whole and loads it. `environment` is the name the file serves under, once
/// known: a document that now names another environment is refused.
pub fn load(path: &Path, layout: &Layout, environment: Option<&str>) -> Result<Loaded, String> {
    let bytes = read(path)?;
    let engine =
        Engine::from_slice(&bytes).map_err(|error| format!("it does not load: {error}"))?;
    let mut text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_owned())?;
    // The engine skips a byte-order mark; it is not part of the JSON served either.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let named = layout.environment(path, &engine)?;
    if let Some(environment) = environment.filter(|environment| *environment != named) {
        return Err(format!(
            "it now names the environment `{named}`, but it is served as `{environment}` \
             (restart the server to serve it under another name)"
        ));
    }
    let revision = i64::try_from(engine.revision()).map_err(|_| {
        format!(
            "its revision {} is larger than this server handles ({})",
            engine.revision(),
            i64::MAX
        )
    })?;
    Ok(Loaded {
        environment: named,
        revision,
        text,
        engine,
    })
}

/// What to do with a file's new content.
#[derive(Debug)]
pub enum Verdict {
    /// Serve it.
    Serve(Box<Loaded>),
    /// It is the document already served, byte for byte.
    Same,
    /// Keep serving what is served; the reason, for the log.
    Refuse(String),
}

/// Judges a loaded file against `served`, the document served for its environment, if any: a
/// lower revision is refused (the last good snapshot is never replaced by an older one).
pub fn judge(loaded: Loaded, served: Option<&Published>) -> Verdict {
    let Some(served) = served else {
        return Verdict::Serve(Box::new(loaded));
    };
    if served.full.identity == loaded.text.as_bytes() {
        Verdict::Same
    } else if loaded.revision < served.revision {
        Verdict::Refuse(format!(
            "its revision {} is lower than the one served",
            loaded.revision
        ))
    } else {
        Verdict::Serve(Box::new(loaded))
    }
}

/// The file's bytes, refused unread when over the engine's document limit.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    let max = Limits::default().max_document_bytes;
    let cannot = |error: io::Error| format!("it cannot be read: {error}");
    let file = File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells an oversized file without reading all of it.
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    file.take(cap).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() > max {
        return Err(format!(
            "it is larger than the engine's limit of {max} bytes (maxDocumentBytes)"
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::tests::TempFolder;

    fn document(revision: u64, environment: &str) -> String {
        format!(
            r#"{{"schemaVersion":1,"revision":{revision},"generatedAt":"2026-12-01T00:00:00Z","environment":"{environment}","flags":[]}}"#
        )
    }

    fn write(folder: &TempFolder, name: &str, bytes: &[u8]) -> PathBuf {
        let path = folder.0.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_document_served() {
        let folder = TempFolder::new("bom");
        let text = document(2, "production");
        let path = write(
            &folder,
            "production.json",
            format!("\u{feff}{text}").as_bytes(),
        );
        let layout = Layout::File(path.clone());
        let published = load(&path, &layout, None).expect("loads").publish();
        assert_eq!(published.full.identity, text.as_bytes());
        assert_eq!(published.client.etag, published.full.etag);
    }

    #[test]
    fn a_file_that_comes_to_name_another_environment_is_refused() {
        let folder = TempFolder::new("rename");
        let path = write(&folder, "flags.json", document(2, "staging").as_bytes());
        let layout = Layout::File(path.clone());
        let reason = load(&path, &layout, Some("production")).expect_err("refused");
        assert!(reason.contains("served as `production`"), "{reason}");
        // In a folder the file name is the name, whatever the document says.
        let layout = Layout::Folder(folder.0.clone());
        let loaded = load(&path, &layout, Some("flags")).expect("loads");
        assert_eq!(loaded.environment, "flags");
    }

    #[test]
    fn only_a_revision_not_lower_than_the_one_served_replaces_it() {
        let folder = TempFolder::new("judge");
        let path = write(
            &folder,
            "production.json",
            document(5, "production").as_bytes(),
        );
        let layout = Layout::File(path.clone());
        let served = load(&path, &layout, None).expect("loads").publish();
        let again = load(&path, &layout, None).expect("loads");
        assert!(matches!(judge(again, Some(&served)), Verdict::Same));
        write(
            &folder,
            "production.json",
            document(4, "production").as_bytes(),
        );
        let older = load(&path, &layout, None).expect("loads");
        assert!(
            matches!(judge(older, Some(&served)), Verdict::Refuse(reason) if reason.contains("revision 4 is lower"))
        );
        let edited = format!("{} ", document(5, "production"));
        write(&folder, "production.json", edited.as_bytes());
        let same_revision = load(&path, &layout, None).expect("loads");
        assert!(matches!(
            judge(same_revision, Some(&served)),
            Verdict::Serve(_)
        ));
    }

    #[test]
    fn a_file_over_the_document_limit_is_refused() {
        let folder = TempFolder::new("large");
        let max = Limits::default().max_document_bytes;
        let path = write(&folder, "production.json", &vec![b' '; max + 1]);
        let reason = load(&path, &Layout::File(path.clone()), None).expect_err("refused");
        assert!(
            reason.contains(&format!("limit of {max} bytes")),
            "{reason}"
        );
    }
}
