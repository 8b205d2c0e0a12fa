//! Watching the snapshot files: a poll of every file's signature twice a second, which works
//! on every filesystem (network and container mounts included) and needs no dependency. A
//! changed file is served only when it loads; otherwise the last good one stays, and one line
//! on standard error says why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::files::{judge, listing, load, Layout, Signature, Verdict};
use super::ReadOnly;
use crate::failure::Failure;
use crate::serve::live::Live;
use crate::serve::log::{log, say};

/// How often the files are looked at.
pub const POLL: Duration = Duration::from_millis(500);

/// The files served and what was last seen of each.
#[derive(Debug)]
pub struct Watcher {
    layout: Layout,
    files: BTreeMap<PathBuf, Watched>,
    /// Files of a folder whose names are not environment names, logged once.
    skipped: BTreeSet<PathBuf>,
    /// Why the folder could not be listed at the last poll, logged once.
    unlisted: Option<String>,
}

#[derive(Debug)]
struct Watched {
    /// The environment the file serves, once it has loaded.
    environment: Option<String>,
    /// Its signature when last read; `None` once it is gone (and that was logged).
    seen: Option<Signature>,
}

impl Watcher {
    /// Loads every file into `live`; at start there is no last good copy, so any file that
    /// does not load, or a folder with no snapshot in it, stops the server.
    pub fn start(layout: Layout, live: &Live) -> Result<Watcher, Failure> {
        let paths = match &layout {
            Layout::File(path) => vec![path.clone()],
            Layout::Folder(folder) => found_at_start(folder)?,
        };
        let mut watcher = Watcher {
            layout,
            files: BTreeMap::new(),
            skipped: BTreeSet::new(),
            unlisted: None,
        };
        for path in paths {
            let seen = Signature::of(&path).map_err(|error| {
                Failure::fatal(format!("cannot read {}: {error}", path.display()))
            })?;
            let loaded = load(&path, &watcher.layout, None).map_err(|reason| {
                Failure::fatal(format!("{} cannot be served: {reason}", path.display()))
            })?;
            let diagnostics = loaded.diagnostics();
            let published = loaded.publish();
            let environment = published.environment.clone();
            say(format_args!(
                "serving {} as `{environment}` at revision {}",
                path.display(),
                published.revision
            ));
            if diagnostics > 0 {
                log(format_args!("{}", diagnostics_note(&path, diagnostics)));
            }
            live.replace(published);
            let watched = Watched {
                environment: Some(environment),
                seen: Some(seen),
            };
            watcher.files.insert(path, watched);
        }
        if let Layout::Folder(folder) = &watcher.layout {
            // Logs the files skipped for their names.
            watcher.discover(&folder.clone());
        }
        Ok(watcher)
    }

    /// Looks at every file once: new files in a folder, files gone, files changed.
    pub fn poll(&mut self, live: &Live) {
        if let Layout::Folder(folder) = &self.layout {
            self.discover(&folder.clone());
        }
        for (path, watched) in &mut self.files {
            check(path, watched, &self.layout, live);
        }
    }

    /// Starts watching the folder's new files, and logs those skipped for their names.
    fn discover(&mut self, folder: &Path) {
        let listed = match listing(folder) {
            Ok(listed) => listed,
            Err(error) => {
                let reason = error.to_string();
                if self.unlisted.as_ref() != Some(&reason) {
                    log(format_args!(
                        "cannot list {}: {reason}; still serving what was served",
                        folder.display()
                    ));
                }
                self.unlisted = Some(reason);
                return;
            }
        };
        self.unlisted = None;
        for (path, named) in listed {
            match named {
                Ok(_) if !self.files.contains_key(&path) => {
                    log(format_args!("new snapshot file {}", path.display()));
                    let watched = Watched {
                        environment: None,
                        seen: None,
                    };
                    self.files.insert(path, watched);
                }
                Ok(_) => {}
                Err(reason) => {
                    if self.skipped.insert(path.clone()) {
                        log(format_args!("skipped {}: {reason}", path.display()));
                    }
                }
            }
        }
    }
}

/// The files a folder holds at start; none is an error.
fn found_at_start(folder: &Path) -> Result<Vec<PathBuf>, Failure> {
    let listed = listing(folder)
        .map_err(|error| Failure::fatal(format!("cannot list {}: {error}", folder.display())))?;
    let paths: Vec<PathBuf> = listed
        .into_iter()
        .filter(|(_, named)| named.is_ok())
        .map(|(path, _)| path)
        .collect();
    if paths.is_empty() {
        return Err(Failure::fatal(format!(
            "{} holds no snapshot to serve: put one file per environment in it, named \
             ENVIRONMENT.json (e.g. production.json)",
            folder.display()
        )));
    }
    Ok(paths)
}

/// Reads one file again if its signature changed, and serves it if it is good.
fn check(path: &Path, watched: &mut Watched, layout: &Layout, live: &Live) {
    let served = watched
        .environment
        .as_deref()
        .and_then(|environment| live.get(environment));
    let still = || match &served {
        Some(served) => format!(
            "still serving `{}` at revision {}",
            served.environment, served.revision
        ),
        None => "nothing is served from it yet".to_owned(),
    };
    let signature = match Signature::of(path) {
        Ok(signature) => signature,
        Err(error) => {
            if watched.seen.take().is_some() {
                log(format_args!(
                    "{} is gone ({error}); {}",
                    path.display(),
                    still()
                ));
            }
            return;
        }
    };
    let returned = watched.seen.is_none();
    if watched.seen.replace(signature) == Some(signature) {
        return;
    }
    let verdict = match load(path, layout, watched.environment.as_deref()) {
        Ok(loaded) => judge(loaded, served.as_deref()),
        Err(reason) => Verdict::Refuse(reason),
    };
    match verdict {
        Verdict::Same if returned => log(format_args!("{} is back, unchanged", path.display())),
        Verdict::Same => {}
        Verdict::Refuse(reason) => {
            log(format_args!(
                "refused {}: {reason}; {}",
                path.display(),
                still()
            ));
        }
        Verdict::Serve(loaded) => {
            let diagnostics = loaded.diagnostics();
            let published = loaded.publish();
            let same_revision = served
                .as_ref()
                .is_some_and(|served| served.revision == published.revision);
            let mut line = format!(
                "serving {} as `{}` at revision {}",
                path.display(),
                published.environment,
                published.revision
            );
            if same_revision {
                line.push_str(
                    " (changed at the same revision: SDKs that poll get it by its ETag; the \
                     stream announces only a higher revision)",
                );
            }
            log(format_args!("{line}"));
            if diagnostics > 0 {
                log(format_args!("{}", diagnostics_note(path, diagnostics)));
            }
            watched.environment = Some(published.environment.clone());
            live.replace(published);
        }
    }
}

fn diagnostics_note(path: &Path, count: usize) -> String {
    format!(
        "{} has {count} diagnostic(s): those flags serve their defaults; run `vexil validate {}` \
         for details",
        path.display(),
        path.display()
    )
}

/// Polls until the server stops, on a thread of its own: reading, loading and compressing a
/// large file never holds up a request.
pub fn spawn(mut watcher: Watcher, state: Arc<ReadOnly>) -> Result<(), Failure> {
    std::thread::Builder::new()
        .name("vexil-watch".to_owned())
        .spawn(move || {
            while !*state.shutdown.borrow() {
                std::thread::sleep(POLL);
                watcher.poll(&state.live);
            }
        })
        .map(drop)
        .map_err(|error| Failure::fatal(format!("cannot start watching the files: {error}")))
}
