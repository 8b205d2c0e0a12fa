//! What this instance serves: each environment's newest published snapshot, swapped whole,
//! and the announcements of new revisions that the stream endpoint forwards.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tokio::sync::broadcast;

use super::publish::Published;

/// A new revision of an environment.
#[derive(Clone, Debug)]
pub struct Announcement {
    /// The environment.
    pub environment: String,
    /// Its new revision.
    pub revision: i64,
}

/// The published snapshots, by environment.
#[derive(Debug)]
pub struct Live {
    snapshots: RwLock<HashMap<String, Arc<Published>>>,
    announcements: broadcast::Sender<Announcement>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            snapshots: RwLock::new(HashMap::new()),
            announcements: broadcast::channel(1024).0,
        }
    }
}

impl Live {
    /// The environment's current snapshot.
    pub fn get(&self, environment: &str) -> Option<Arc<Published>> {
        let snapshots = self
            .snapshots
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        snapshots.get(environment).cloned()
    }

    /// Serves `published` unless the same or a newer revision is already served; announces it
    /// if new.
    pub fn install(&self, published: Published) {
        self.swap(published, |served, offered| served < offered);
    }

    /// Serves `published` unless a newer revision is already served: a document changed at
    /// the same revision replaces the served one too (the read-only mode's files, edited by
    /// hand). Only a higher revision is announced to the stream.
    pub fn replace(&self, published: Published) {
        self.swap(published, |served, offered| served <= offered);
    }

    fn swap(&self, published: Published, replaces: fn(i64, i64) -> bool) {
        let announcement = Announcement {
            environment: published.environment.clone(),
            revision: published.revision,
        };
        {
            let mut snapshots = self
                .snapshots
                .write()
                .unwrap_or_else(|poison| poison.into_inner());
            if let Some(current) = snapshots.get(&published.environment) {
                if !replaces(current.revision, published.revision) {
                    return;
                }
            }
            snapshots.insert(published.environment.clone(), Arc::new(published));
        }
        // Nobody listening is fine; the stream forwards only revisions above the last it sent.
        let _ = self.announcements.send(announcement);
    }

    /// Stops serving an environment (it was deleted).
    pub fn remove(&self, environment: &str) {
        let mut snapshots = self
            .snapshots
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        snapshots.remove(environment);
    }

    /// The revisions served, by environment.
    pub fn revisions(&self) -> Vec<(String, i64)> {
        let snapshots = self
            .snapshots
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        snapshots
            .iter()
            .map(|(name, published)| (name.clone(), published.revision))
            .collect()
    }

    /// A receiver of every later announcement.
    pub fn subscribe(&self) -> broadcast::Receiver<Announcement> {
        self.announcements.subscribe()
    }
}
