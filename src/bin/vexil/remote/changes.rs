//! What a push changes: the flags and segments of two snapshot documents matched by key and
//! compared as the service compares them (a definition whose text differs is updated), in
//! the order the service reports them.

use serde_json::value::RawValue;

use crate::serve::definition::Definition;

/// One flag or segment a push creates, updates or deletes.
#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    /// `flag` or `segment`.
    pub subject: &'static str,
    /// Its key.
    pub key: String,
    /// `created`, `updated` or `deleted`.
    pub kind: &'static str,
}

/// The changes from the document `current` to the document `next`: flags, then segments;
/// for each, those of `current` in order, then those only `next` has.
pub fn between(current: &str, next: &str) -> Result<Vec<Change>, String> {
    let (current, next) = (Definition::parse(current)?, Definition::parse(next)?);
    let mut changes = Vec::new();
    for (member, subject) in [("flags", "flag"), ("segments", "segment")] {
        let before = items(&current, member)?;
        let after = items(&next, member)?;
        for (key, text) in &before {
            let kind = match after.iter().find(|(other, _)| other == key) {
                None => "deleted",
                Some((_, new)) if new != text => "updated",
                Some(_) => continue,
            };
            changes.push(Change {
                subject,
                key: key.clone(),
                kind,
            });
        }
        for (key, _) in after
            .iter()
            .filter(|(key, _)| !before.iter().any(|(old, _)| old == key))
        {
            changes.push(Change {
                subject,
                key: key.clone(),
                kind: "created",
            });
        }
    }
    Ok(changes)
}

/// The items of the array member `member`, each as `(key, text as written)`.
pub fn items(document: &Definition, member: &str) -> Result<Vec<(String, String)>, String> {
    let Some(text) = document.raw(member) else {
        return Ok(Vec::new());
    };
    let items: Vec<&RawValue> = serde_json::from_str(text)
        .map_err(|error| format!("`{member}` is not an array: {error}"))?;
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let key = Definition::parse(item.get())
                .ok()
                .and_then(|definition| definition.string("key"))
                .ok_or_else(|| format!("`{member}[{index}]` has no key"))?;
            Ok((key, item.get().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(flags: &str, segments: &str) -> String {
        format!(r#"{{"schemaVersion":1,"revision":1,"flags":[{flags}],"segments":[{segments}]}}"#)
    }

    #[test]
    fn changes_are_matched_by_key_and_compared_by_text() {
        let current = document(
            r#"{"key":"a","v":1},{"key":"b","v":1},{"key":"c","v":1}"#,
            r#"{"key":"s"}"#,
        );
        let next = document(
            r#"{"key":"d","v":1},{"key":"c","v":1},{"key":"a","v":2}"#,
            r#"{"key":"s"},{"key":"t"}"#,
        );
        let found = between(&current, &next).expect("documents");
        let shown: Vec<String> = found
            .iter()
            .map(|change| format!("{} {} {}", change.kind, change.subject, change.key))
            .collect();
        assert_eq!(
            shown,
            [
                "updated flag a",
                "deleted flag b",
                "created flag d",
                "created segment t"
            ]
        );
        assert!(between(&next, &next).expect("documents").is_empty());
    }

    #[test]
    fn an_item_without_a_key_is_an_error() {
        let next = document(r#"{"key":"a"},{"type":"boolean"}"#, "");
        let error = between(&document("", ""), &next).expect_err("no key");
        assert!(error.contains("flags[1]"), "{error}");
    }
}
