//! A readable difference between two definitions: each changed leaf with its JSON path, its
//! value before and after. Objects are compared member by member, arrays item by item.

use serde_json::{json, Value};

/// The changes from `before` to `after` (either may be absent: created, deleted).
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<Value> {
    let mut changes = Vec::new();
    walk("$", before, after, &mut changes);
    changes
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, changes: &mut Vec<Value>) {
    match (before, after) {
        (Some(Value::Object(old)), Some(Value::Object(new))) => {
            for (name, value) in old {
                walk(&member(path, name), Some(value), new.get(name), changes);
            }
            for (name, value) in new.iter().filter(|(name, _)| !old.contains_key(*name)) {
                walk(&member(path, name), None, Some(value), changes);
            }
        }
        (Some(Value::Array(old)), Some(Value::Array(new))) => {
            for index in 0..old.len().max(new.len()) {
                walk(
                    &format!("{path}[{index}]"),
                    old.get(index),
                    new.get(index),
                    changes,
                );
            }
        }
        (old, new) if old == new => {}
        (old, new) => {
            let op = match (old, new) {
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            };
            changes.push(json!({ "op": op, "path": path, "before": old, "after": new }));
        }
    }
}

fn member(path: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if plain {
        format!("{path}.{name}")
    } else {
        format!("{path}[{}]", Value::String(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_are_reported_with_their_paths() {
        let before = json!({"enabled": true, "variants": {"on": 1, "a b": 2}, "rules": [1, 2]});
        let after =
            json!({"enabled": false, "variants": {"on": 1}, "rules": [1, 3, 4], "salt": "x"});
        assert_eq!(
            diff(Some(&before), Some(&after)),
            vec![
                json!({"op": "changed", "path": "$.enabled", "before": true, "after": false}),
                json!({"op": "changed", "path": "$.rules[1]", "before": 2, "after": 3}),
                json!({"op": "added", "path": "$.rules[2]", "before": null, "after": 4}),
                json!({"op": "removed", "path": "$.variants[\"a b\"]", "before": 2, "after": null}),
                json!({"op": "added", "path": "$.salt", "before": null, "after": "x"}),
            ]
        );
    }

    #[test]
    fn creation_and_deletion_are_one_change_of_the_whole() {
        let flag = json!({"key": "a"});
        assert_eq!(
            diff(None, Some(&flag)),
            vec![json!({"op": "added", "path": "$", "before": null, "after": flag})]
        );
        assert_eq!(diff(Some(&flag), None)[0]["op"], "removed");
        assert!(diff(Some(&flag), Some(&flag)).is_empty());
    }
}
