//! Every flag's metadata, kept for previews in one shared text buffer.
//!
//! Metadata never affects evaluation, yet a snapshot carries a description, an owner, a date and a
//! few tags for each flag: kept as separate strings, that is most of what a loaded engine
//! allocates. Here all of them share one buffer, and [`MetadataStore::get`] hands out borrowed
//! views.

use std::ops::Range;

use crate::snapshot::{Metadata, Text};

/// Where one string is in the shared buffer.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    end: u32,
}

#[derive(Clone, Debug, Default)]
struct Entry {
    description: Option<Span>,
    owner: Option<Span>,
    changed_at: Option<Span>,
    version: Option<u64>,
    /// Which of the store's tag spans are this flag's tags.
    tags: Range<u32>,
}

/// The text members of a flag's metadata.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Field {
    Description,
    Owner,
    ChangedAt,
}

/// The metadata of every flag of an engine, by flag position.
#[derive(Clone, Debug, Default)]
pub(crate) struct MetadataStore {
    text: String,
    tags: Vec<Span>,
    entries: Vec<Entry>,
}

impl MetadataStore {
    /// A store sized for the metadata of `flags`, so that it never grows by copying.
    pub(crate) fn for_flags<'m, S: Text + 'm>(
        flags: impl Iterator<Item = Option<&'m Metadata<S>>> + Clone,
    ) -> MetadataStore {
        let (mut bytes, mut tags, mut count) = (0, 0, 0);
        for metadata in flags.clone() {
            count += 1;
            let Some(metadata) = metadata else { continue };
            let text = |field: &Option<S>| field.as_deref().map_or(0, str::len);
            bytes +=
                text(&metadata.description) + text(&metadata.owner) + text(&metadata.changed_at);
            bytes += metadata.tags.iter().map(|tag| tag.len()).sum::<usize>();
            tags += metadata.tags.len();
        }
        MetadataStore {
            text: String::with_capacity(bytes),
            tags: Vec::with_capacity(tags),
            entries: Vec::with_capacity(count),
        }
    }

    fn keep(&mut self, text: &str) -> Span {
        // Offsets are bounded by the document size limit, far below u32::MAX.
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(text);
        let end = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        Span { start, end }
    }

    fn text(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Adds the next flag's metadata (or its absence).
    pub(crate) fn push<S: Text>(&mut self, metadata: Option<&Metadata<S>>) {
        self.start_flag();
        let Some(metadata) = metadata else { return };
        if let Some(text) = metadata.description.as_deref() {
            self.set(Field::Description, text);
        }
        if let Some(text) = metadata.owner.as_deref() {
            self.set(Field::Owner, text);
        }
        if let Some(text) = metadata.changed_at.as_deref() {
            self.set(Field::ChangedAt, text);
        }
        for tag in &metadata.tags {
            self.add_tag(tag);
        }
        self.set_version(metadata.version);
    }

    /// Starts the next flag's entry, empty; the setters below fill it in as a reader meets its
    /// members.
    pub(crate) fn start_flag(&mut self) {
        let tags = u32::try_from(self.tags.len()).unwrap_or(u32::MAX);
        self.entries.push(Entry {
            tags: tags..tags,
            ..Entry::default()
        });
    }

    /// Sets a text member of the entry started last.
    pub(crate) fn set(&mut self, field: Field, text: &str) {
        let span = Some(self.keep(text));
        if let Some(entry) = self.entries.last_mut() {
            match field {
                Field::Description => entry.description = span,
                Field::Owner => entry.owner = span,
                Field::ChangedAt => entry.changed_at = span,
            }
        }
    }

    /// Adds a tag to the entry started last (its tags are added one after another).
    pub(crate) fn add_tag(&mut self, tag: &str) {
        let span = self.keep(tag);
        self.tags.push(span);
        if let Some(entry) = self.entries.last_mut() {
            entry.tags.end = u32::try_from(self.tags.len()).unwrap_or(u32::MAX);
        }
    }

    /// Sets the version of the entry started last.
    pub(crate) fn set_version(&mut self, version: Option<u64>) {
        if let Some(entry) = self.entries.last_mut() {
            entry.version = version;
        }
    }

    /// Reserves room for the metadata of a document of `bytes` bytes still to read, so that
    /// filling the store member by member does not copy it again and again as it grows (a
    /// flag's metadata is usually a few hundred bytes of its text).
    pub(crate) fn reserve_for(&mut self, bytes: usize) {
        self.text.reserve(bytes / 4);
        self.entries.reserve(bytes / 512);
        self.tags.reserve(bytes / 256);
    }

    /// Gives back the room a store filled member by member grew beyond what it holds.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.tags.shrink_to_fit();
        self.entries.shrink_to_fit();
    }

    /// The `changedAt` text of the flag at `position`, if it has one.
    pub(crate) fn changed_at(&self, position: usize) -> Option<&str> {
        let span = self.entries.get(position)?.changed_at?;
        Some(self.text(span))
    }

    /// The metadata of the flag at `position` (empty if there is none).
    pub(crate) fn get(&self, position: usize) -> Metadata<&str> {
        let Some(entry) = self.entries.get(position) else {
            return Metadata::default();
        };
        let tags = self
            .tags
            .get(entry.tags.start as usize..entry.tags.end as usize)
            .unwrap_or(&[]);
        Metadata {
            description: entry.description.map(|span| self.text(span)),
            owner: entry.owner.map(|span| self.text(span)),
            tags: tags.iter().map(|&span| self.text(span)).collect(),
            version: entry.version,
            changed_at: entry.changed_at.map(|span| self.text(span)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Field, MetadataStore};
    use crate::snapshot::Metadata;

    #[test]
    fn each_flag_gets_back_exactly_its_own_metadata() {
        let first = Metadata {
            description: Some("Checkout, é 日本".to_owned()),
            owner: Some("payments".to_owned()),
            tags: vec!["web".to_owned(), String::new(), "mobile".to_owned()],
            version: Some(7),
            changed_at: Some("2026-11-01T00:00:00Z".to_owned()),
        };
        let second = Metadata {
            owner: Some("growth".to_owned()),
            ..Metadata::default()
        };
        let all = [Some(&first), None, Some(&second)];
        let mut store = MetadataStore::for_flags(all.iter().copied());
        store.push(Some(&first));
        store.push::<String>(None);
        store.push(Some(&second));
        fn borrowed(metadata: &Metadata) -> Metadata<&str> {
            Metadata {
                description: metadata.description.as_deref(),
                owner: metadata.owner.as_deref(),
                tags: metadata.tags.iter().map(String::as_str).collect(),
                version: metadata.version,
                changed_at: metadata.changed_at.as_deref(),
            }
        }
        assert_eq!(store.get(0), borrowed(&first));
        assert_eq!(store.get(1), Metadata::default());
        assert_eq!(store.get(2), borrowed(&second));
        assert_eq!(store.get(3), Metadata::default());
        assert_eq!(store.changed_at(0), Some("2026-11-01T00:00:00Z"));
        assert_eq!(store.changed_at(1), None);
        assert_eq!(store.changed_at(2), None);

        // Filled member by member, in any order, as a reader meets them.
        let mut read = MetadataStore::default();
        read.start_flag();
        read.add_tag("web");
        read.set_version(Some(7));
        read.set(Field::ChangedAt, "2026-11-01T00:00:00Z");
        read.add_tag("");
        read.set(Field::Owner, "payments");
        read.add_tag("mobile");
        read.set(Field::Description, "Checkout, é 日本");
        read.start_flag();
        read.start_flag();
        read.set(Field::Owner, "growth");
        read.shrink_to_fit();
        assert_eq!(read.get(0), borrowed(&first));
        assert_eq!(read.get(1), Metadata::default());
        assert_eq!(read.get(2), borrowed(&second));
    }
}
