//! What a change does to an environment's state, before anything is stored: the edits the
//! API offers, applied to a copy of the state, and the audit entries they amount to.

use axum::http::StatusCode;
use serde_json::Value;

use super::definition::{compact, Definition};
use super::error::ApiError;
use super::keys::check_key;
use super::publish::published_flag;
use super::references;
use super::store::{AuditEntry, EnvState, FlagRow, OverrideRow};

/// One edit of one environment.
#[derive(Clone, Debug)]
pub enum Edit {
    /// Creates a flag from its definition (the key is the definition's).
    CreateFlag {
        /// The flag object as written.
        definition: String,
    },
    /// Replaces a flag's definition.
    UpdateFlag {
        /// The flag.
        key: String,
        /// The new flag object.
        definition: String,
        /// The version the writer last read, if it sent `If-Match`.
        if_match: Option<i64>,
    },
    /// Deletes a flag (refused while another flag needs it).
    DeleteFlag {
        /// The flag.
        key: String,
        /// The version the writer last read.
        if_match: Option<i64>,
    },
    /// The kill switch: sets `enabled`, or flips it.
    Toggle {
        /// The flag.
        key: String,
        /// The new state; `None` flips.
        enabled: Option<bool>,
    },
    /// Forces one user to a variant of a flag.
    SetOverride(OverrideRow),
    /// Removes one user's override.
    RemoveOverride {
        /// The flag.
        flag: String,
        /// The user.
        targeting_key: String,
    },
    /// Creates a segment.
    CreateSegment {
        /// The segment object as written.
        definition: String,
    },
    /// Replaces a segment.
    UpdateSegment {
        /// The segment.
        key: String,
        /// The new segment object.
        definition: String,
        /// The version the writer last read.
        if_match: Option<i64>,
    },
    /// Deletes a segment (refused while a flag or segment uses it).
    DeleteSegment {
        /// The segment.
        key: String,
        /// The version the writer last read.
        if_match: Option<i64>,
    },
    /// Replaces every flag and segment (a pushed snapshot); per-user overrides of flags that
    /// remain are kept.
    Replace {
        /// The flag objects, in order.
        flags: Vec<String>,
        /// The segment objects, in order.
        segments: Vec<String>,
    },
    /// Removes the overrides whose expiry has passed.
    ExpireOverrides,
}

impl Edit {
    /// The audit kind of a subject that existed before and after this edit.
    fn kind(&self) -> &'static str {
        match self {
            Edit::CreateFlag { .. } | Edit::UpdateFlag { .. } => "flag.update",
            Edit::DeleteFlag { .. } => "flag.delete",
            Edit::Toggle { .. } => "flag.toggle",
            Edit::SetOverride(_) => "override.set",
            Edit::RemoveOverride { .. } => "override.remove",
            Edit::CreateSegment { .. }
            | Edit::UpdateSegment { .. }
            | Edit::DeleteSegment { .. } => "segment.update",
            Edit::Replace { .. } => "push",
            Edit::ExpireOverrides => "override.expire",
        }
    }

    /// Whether the change quota applies (an expiry is the service's own doing).
    pub fn counts_against_quota(&self) -> bool {
        !matches!(self, Edit::ExpireOverrides)
    }
}

/// Who makes a change, and why.
#[derive(Clone, Debug)]
pub struct Author {
    /// The token's name.
    pub actor: String,
    /// The reason given, if any.
    pub reason: Option<String>,
}

/// The state after `edit`, made by `author` at `now` in the revision `state.revision`.
pub fn apply(
    state: &EnvState,
    edit: &Edit,
    author: &Author,
    now: i64,
) -> Result<EnvState, ApiError> {
    let mut next = state.clone();
    let stamp = |key: String, version: i64, definition: String, position: i64| FlagRow {
        key,
        version,
        definition,
        position,
        updated_at: now,
        updated_by: author.actor.clone(),
    };
    match edit {
        Edit::CreateFlag { definition } => {
            create(&mut next.flags, definition, "flag", state.revision, &stamp)?;
        }
        Edit::UpdateFlag {
            key,
            definition,
            if_match,
        } => update(&mut next.flags, key, definition, *if_match, "flag", &stamp)?,
        Edit::DeleteFlag { key, if_match } => {
            let dependants = dependants_of_flag(state, key);
            let index = deletable(
                &state.flags,
                key,
                *if_match,
                "flag",
                ("a prerequisite of", &dependants),
            )?;
            next.flags.remove(index);
            next.overrides.retain(|row| row.flag != *key);
        }
        Edit::Toggle { key, enabled } => {
            let index = find(&state.flags, key, "flag")?;
            let old = &state.flags[index];
            let mut definition =
                Definition::parse(&old.definition).map_err(ApiError::bad_request)?;
            // A flag without `enabled` is on: the snapshot format's default.
            let current = definition.value("enabled") != Some(Value::Bool(false));
            let wanted = enabled.unwrap_or(!current);
            if wanted != current {
                definition
                    .set("enabled", &Value::Bool(wanted))
                    .map_err(ApiError::bad_request)?;
                next.flags[index] = stamp(
                    key.clone(),
                    old.version + 1,
                    definition.to_text(),
                    old.position,
                );
            }
        }
        Edit::SetOverride(row) => {
            find(&state.flags, &row.flag, "flag")?;
            next.overrides
                .retain(|old| !(old.flag == row.flag && old.targeting_key == row.targeting_key));
            next.overrides.push(row.clone());
        }
        Edit::RemoveOverride {
            flag,
            targeting_key,
        } => {
            find(&state.flags, flag, "flag")?;
            let before = next.overrides.len();
            next.overrides
                .retain(|old| !(old.flag == *flag && old.targeting_key == *targeting_key));
            if next.overrides.len() == before {
                return Err(ApiError::not_found(
                    "override for the targeting key",
                    targeting_key,
                ));
            }
        }
        Edit::CreateSegment { definition } => {
            create(
                &mut next.segments,
                definition,
                "segment",
                state.revision,
                &stamp,
            )?;
        }
        Edit::UpdateSegment {
            key,
            definition,
            if_match,
        } => update(
            &mut next.segments,
            key,
            definition,
            *if_match,
            "segment",
            &stamp,
        )?,
        Edit::DeleteSegment { key, if_match } => {
            let users = users_of_segment(state, key);
            let index = deletable(
                &state.segments,
                key,
                *if_match,
                "segment",
                ("used by", &users),
            )?;
            next.segments.remove(index);
        }
        Edit::Replace { flags, segments } => {
            next.flags = replace_rows(&state.flags, flags, "flag", state.revision, now, author)?;
            next.segments = replace_rows(
                &state.segments,
                segments,
                "segment",
                state.revision,
                now,
                author,
            )?;
            next.overrides
                .retain(|row| next.flags.iter().any(|flag| flag.key == row.flag));
        }
        Edit::ExpireOverrides => {
            next.overrides
                .retain(|row| row.expires_at.is_none_or(|at| at > now));
        }
    }
    Ok(next)
}

/// Makes a row: a definition, its version and place, stamped with who and when.
type Stamp<'a> = dyn Fn(String, i64, String, i64) -> FlagRow + 'a;

/// Adds a new flag or segment (`what`) from its definition; 409 if its key is taken.
fn create(
    rows: &mut Vec<FlagRow>,
    definition: &str,
    what: &str,
    revision: i64,
    stamp: &Stamp<'_>,
) -> Result<(), ApiError> {
    let key = definition_key(definition, what)?;
    if rows.iter().any(|row| row.key == key) {
        return Err(conflict(format!(
            "the {what} `{key}` exists; update it with PUT"
        )));
    }
    rows.push(stamp(key, 1, compact(definition), place(revision, 0)));
    Ok(())
}

/// The stored position of the `index`th definition placed by the change that follows
/// `revision`: after everything placed by earlier changes, whether created one at a time or
/// pushed together, so that the stored order is the order served.
fn place(revision: i64, index: usize) -> i64 {
    revision * 100_000 + i64::try_from(index).unwrap_or(0)
}

/// Replaces a flag's or segment's definition (its key cannot change), checking `If-Match`.
fn update(
    rows: &mut [FlagRow],
    key: &str,
    definition: &str,
    if_match: Option<i64>,
    what: &str,
    stamp: &Stamp<'_>,
) -> Result<(), ApiError> {
    let body_key = definition_key(definition, what)?;
    if body_key != key {
        return Err(ApiError::bad_request(format!(
            "the body's key `{body_key}` is not the {what} `{key}` of the URL; a {what}'s key cannot change"
        )));
    }
    let index = find(rows, key, what)?;
    check_version(&rows[index], if_match)?;
    let old = &rows[index];
    rows[index] = stamp(
        key.to_owned(),
        old.version + 1,
        compact(definition),
        old.position,
    );
    Ok(())
}

/// Where the flag or segment to delete is, once `If-Match` holds and nothing depends on it
/// (409 naming the dependants, and how they depend on it, otherwise).
fn deletable(
    rows: &[FlagRow],
    key: &str,
    if_match: Option<i64>,
    what: &str,
    (relation, dependants): (&str, &[String]),
) -> Result<usize, ApiError> {
    let index = find(rows, key, what)?;
    check_version(&rows[index], if_match)?;
    if !dependants.is_empty() {
        return Err(conflict(format!(
            "the {what} `{key}` is {relation} {}; change those first",
            dependants.join(", ")
        ))
        .with_details(serde_json::json!({ "dependants": dependants })));
    }
    Ok(index)
}

fn replace_rows(
    old: &[FlagRow],
    definitions: &[String],
    what: &str,
    revision: i64,
    now: i64,
    author: &Author,
) -> Result<Vec<FlagRow>, ApiError> {
    let mut rows: Vec<FlagRow> = Vec::with_capacity(definitions.len());
    for (index, definition) in definitions.iter().enumerate() {
        let key = definition_key(definition, what)?;
        if rows.iter().any(|row| row.key == key) {
            return Err(ApiError::bad_request(format!(
                "the {what} `{key}` is given twice"
            )));
        }
        let position = place(revision, index);
        let row = match old.iter().find(|row| row.key == key) {
            Some(previous) if previous.definition == compact(definition) => FlagRow {
                position,
                ..previous.clone()
            },
            Some(previous) => FlagRow {
                key,
                version: previous.version + 1,
                definition: compact(definition),
                position,
                updated_at: now,
                updated_by: author.actor.clone(),
            },
            None => FlagRow {
                key,
                version: 1,
                definition: compact(definition),
                position,
                updated_at: now,
                updated_by: author.actor.clone(),
            },
        };
        rows.push(row);
    }
    Ok(rows)
}

/// The audit entries `before` → `after` amounts to: one per flag or segment whose published
/// definition differs. The flags among them are what the change quota counts.
pub fn audit_entries(
    before: &EnvState,
    after: &EnvState,
    edit: &Edit,
    author: &Author,
    now: i64,
) -> Vec<AuditEntry> {
    let mut entries = Vec::new();
    for (subject_type, rows, form) in SUBJECTS {
        let mut keys: Vec<&str> = rows(before).iter().map(|row| row.key.as_str()).collect();
        for row in rows(after) {
            if !keys.contains(&row.key.as_str()) {
                keys.push(&row.key);
            }
        }
        for key in keys {
            let (old, new) = (form(before, key), form(after, key));
            if old != new {
                let change = Change {
                    subject_type,
                    key,
                    before: old,
                    after: new,
                };
                entries.push(entry(change, edit, author, after.revision, now));
            }
        }
    }
    if let Some(entry) = reorder_entry(before, after, author, now) {
        entries.push(entry);
    }
    entries
}

/// An entry for the environment when a push changed only the order of its flags or
/// segments (order is what bulk evaluation and listings follow), with the key lists before
/// and after.
fn reorder_entry(
    before: &EnvState,
    after: &EnvState,
    author: &Author,
    now: i64,
) -> Option<AuditEntry> {
    let order = |state: &EnvState| {
        let flags: Vec<&str> = state.flags.iter().map(|row| row.key.as_str()).collect();
        let segments: Vec<&str> = state.segments.iter().map(|row| row.key.as_str()).collect();
        serde_json::json!({ "flags": flags, "segments": segments })
    };
    let (old, new) = (order(before), order(after));
    let same_members = |name: &str| {
        let mut left: Vec<&Value> = old[name].as_array().into_iter().flatten().collect();
        let mut right: Vec<&Value> = new[name].as_array().into_iter().flatten().collect();
        left.sort_by_key(|value| value.as_str());
        right.sort_by_key(|value| value.as_str());
        left == right
    };
    // Only a pure reordering gets this entry; additions and deletions have their own.
    (old != new && same_members("flags") && same_members("segments")).then(|| AuditEntry {
        revision: after.revision,
        subject_type: "environment".to_owned(),
        subject: after.name.clone(),
        at: now,
        actor: author.actor.clone(),
        kind: "environment.reorder".to_owned(),
        before: Some(old.to_string()),
        after: Some(new.to_string()),
        reason: author.reason.clone(),
    })
}

/// A kind of subject of the audit trail: its name, its rows, and its form as published (a
/// flag with its per-user overrides; a segment as written).
type Subject = (
    &'static str,
    fn(&EnvState) -> &[FlagRow],
    fn(&EnvState, &str) -> Option<String>,
);

const SUBJECTS: [Subject; 2] = [
    (
        "flag",
        |state| &state.flags,
        |state, key| {
            let row = state.flags.iter().find(|flag| flag.key == key)?;
            Some(published_flag(row, &state.overrides))
        },
    ),
    (
        "segment",
        |state| &state.segments,
        |state, key| {
            let row = state.segments.iter().find(|segment| segment.key == key)?;
            Some(row.definition.clone())
        },
    ),
];

/// One flag or segment whose published form differs between two states.
struct Change<'k> {
    subject_type: &'k str,
    key: &'k str,
    before: Option<String>,
    after: Option<String>,
}

fn entry(change: Change<'_>, edit: &Edit, author: &Author, revision: i64, now: i64) -> AuditEntry {
    let Change {
        subject_type,
        key,
        before,
        after,
    } = change;
    let kind = match (&before, &after, edit) {
        (_, _, Edit::Replace { .. }) => "push".to_owned(),
        (None, _, _) => format!("{subject_type}.create"),
        (_, None, _) => format!("{subject_type}.delete"),
        _ => edit.kind().to_owned(),
    };
    AuditEntry {
        revision,
        subject_type: subject_type.to_owned(),
        subject: key.to_owned(),
        at: now,
        actor: author.actor.clone(),
        kind,
        before,
        after,
        reason: author.reason.clone(),
    }
}

/// The key a definition gives itself, checked.
fn definition_key(definition: &str, what: &str) -> Result<String, ApiError> {
    let parsed = Definition::parse(definition).map_err(|error| {
        ApiError::bad_request(format!("the {what} is not a JSON object: {error}"))
    })?;
    let key = parsed
        .string("key")
        .ok_or_else(|| unprocessable(format!("the {what} has no `key` string")))?;
    check_key(what, &key).map_err(unprocessable)?;
    Ok(key)
}

fn unprocessable(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-key", message)
}

fn find(rows: &[FlagRow], key: &str, what: &str) -> Result<usize, ApiError> {
    rows.iter()
        .position(|row| row.key == key)
        .ok_or_else(|| ApiError::not_found(what, key))
}

fn check_version(row: &FlagRow, if_match: Option<i64>) -> Result<(), ApiError> {
    match if_match {
        Some(version) if version != row.version => Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "version-mismatch",
            format!(
                "`{}` changed since you read it (you have version {version}, it is at {}); read it again and reapply your change",
                row.key, row.version
            ),
        )
        .with_details(serde_json::json!({ "currentVersion": row.version }))),
        _ => Ok(()),
    }
}

fn conflict(message: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "conflict", message)
}

/// The flags that list `key` as a prerequisite.
pub fn dependants_of_flag(state: &EnvState, key: &str) -> Vec<String> {
    state
        .flags
        .iter()
        .filter(|flag| references::prerequisites(&value_of(&flag.definition)).contains(&key))
        .map(|flag| flag.key.clone())
        .collect()
}

/// The flags and segments whose conditions test membership of segment `key`.
fn users_of_segment(state: &EnvState, key: &str) -> Vec<String> {
    let mut users = Vec::new();
    for (what, rows) in [("flag", &state.flags), ("segment", &state.segments)] {
        for row in rows {
            if references::segments(&value_of(&row.definition)).contains(&key) {
                users.push(format!("{what} `{}`", row.key));
            }
        }
    }
    users
}

fn value_of(definition: &str) -> Value {
    serde_json::from_str(definition).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with(definition: &str) -> EnvState {
        EnvState {
            name: "production".to_owned(),
            revision: 1,
            flags: vec![FlagRow {
                key: "checkout".to_owned(),
                version: 1,
                definition: definition.to_owned(),
                position: 0,
                updated_at: 0,
                updated_by: "test".to_owned(),
            }],
            segments: Vec::new(),
            overrides: Vec::new(),
        }
    }

    fn toggled(definition: &str, enabled: Option<bool>) -> FlagRow {
        let edit = Edit::Toggle {
            key: "checkout".to_owned(),
            enabled,
        };
        let author = Author {
            actor: "test".to_owned(),
            reason: None,
        };
        let next = apply(&state_with(definition), &edit, &author, 0).expect("toggled");
        next.flags[0].clone()
    }

    #[test]
    fn a_flag_without_enabled_is_on_and_the_kill_switch_turns_it_off() {
        let definition = r#"{"key":"checkout","type":"boolean","variants":{"on":true,"off":false},"offVariant":"off","fallthrough":{"variant":"on"}}"#;
        let off = toggled(definition, Some(false));
        assert_eq!(off.version, 2);
        assert_eq!(value_of(&off.definition)["enabled"], Value::Bool(false));
        let flipped = toggled(definition, None);
        assert_eq!(value_of(&flipped.definition)["enabled"], Value::Bool(false));
        // Already on: nothing to change.
        assert_eq!(toggled(definition, Some(true)).version, 1);
    }
}
