//! What a flag or segment definition refers to: the segments its conditions test, and the
//! flags it lists as prerequisites. Deletes and client snapshots both follow these.

use serde_json::Value;

/// The segments `definition` (a flag or a segment) tests with `inSegment`.
pub fn segments(definition: &Value) -> Vec<&str> {
    let own = definition.get("conditions").and_then(Value::as_array);
    let rules = definition
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rule| rule.get("conditions").and_then(Value::as_array));
    own.into_iter()
        .chain(rules)
        .flatten()
        .filter(|condition| condition.get("op").and_then(Value::as_str) == Some("inSegment"))
        .flat_map(|condition| {
            let single = condition.get("value").into_iter();
            let many = condition
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            single.chain(many).filter_map(Value::as_str)
        })
        .collect()
}

/// The flags `definition` lists as prerequisites.
pub fn prerequisites(definition: &Value) -> Vec<&str> {
    definition
        .get("prerequisites")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| item.get("flag").and_then(Value::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn segments_are_found_in_own_and_rule_conditions() {
        let definition = json!({
            "conditions": [{"op": "inSegment", "value": "a"}, {"op": "in", "attribute": "x", "value": "b"}],
            "rules": [{"conditions": [{"op": "inSegment", "values": ["c", 1, "d"]}]}, {"serve": {}}],
        });
        assert_eq!(segments(&definition), ["a", "c", "d"]);
        assert_eq!(segments(&json!(null)), Vec::<&str>::new());
    }

    #[test]
    fn prerequisites_are_the_listed_flags() {
        let definition = json!({"prerequisites": [{"flag": "a"}, {"flag": 2}, {"flag": "b"}]});
        assert_eq!(prerequisites(&definition), ["a", "b"]);
    }
}
