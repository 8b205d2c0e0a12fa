//! A flag's or segment's definition as written: an object whose members keep their order and
//! their text, so the published snapshot holds exactly what was written (variant order
//! included). Only the members the service itself changes (`enabled`, `overrides`) are rewritten.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// The members of one JSON object, in order, each as its original text.
#[derive(Debug)]
pub struct Definition {
    members: Vec<(String, Box<RawValue>)>,
}

impl Definition {
    /// Reads an object. Anything else (or a repeated member) is an error for the caller to
    /// report; the engine checks the members' meaning afterwards.
    pub fn parse(text: &str) -> Result<Definition, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let members = deserializer
            .deserialize_map(MembersVisitor)
            .map_err(|error| error.to_string())?;
        deserializer.end().map_err(|error| error.to_string())?;
        let mut seen = std::collections::HashSet::new();
        for (name, _) in &members {
            if !seen.insert(name.as_str()) {
                return Err(format!("the member `{name}` is given twice"));
            }
        }
        Ok(Definition { members })
    }

    /// The text of member `name`, if present.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, value)| value.get())
    }

    /// Member `name` read as a JSON value (`None` if absent or unreadable as JSON).
    pub fn value(&self, name: &str) -> Option<Value> {
        self.raw(name)
            .and_then(|text| serde_json::from_str(text).ok())
    }

    /// Member `name` as a string, if it is one.
    pub fn string(&self, name: &str) -> Option<String> {
        match self.value(name)? {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// Sets member `name` to `value` (kept in place if present, appended if not).
    pub fn set(&mut self, name: &str, value: &Value) -> Result<(), String> {
        let text = serde_json::to_string(value).map_err(|error| error.to_string())?;
        self.set_raw(name, &text)
    }

    /// Sets member `name` to the JSON text `text` (checked to be one JSON value).
    pub fn set_raw(&mut self, name: &str, text: &str) -> Result<(), String> {
        let raw = RawValue::from_string(text.to_owned()).map_err(|error| error.to_string())?;
        match self.members.iter_mut().find(|(member, _)| member == name) {
            Some((_, slot)) => *slot = raw,
            None => self.members.push((name.to_owned(), raw)),
        }
        Ok(())
    }

    /// The metadata member's field `field`, if the metadata is an object.
    pub fn metadata(&self, field: &str) -> Option<Value> {
        match self.value("metadata")? {
            Value::Object(mut metadata) => metadata.remove(field),
            _ => None,
        }
    }

    /// The object as compact text, members in their order.
    pub fn to_text(&self) -> String {
        let mut text = String::from("{");
        for (index, (name, value)) in self.members.iter().enumerate() {
            if index > 0 {
                text.push(',');
            }
            text.push_str(&Value::String(name.clone()).to_string());
            text.push(':');
            text.push_str(value.get());
        }
        text.push('}');
        text
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Vec<(String, Box<RawValue>)>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some((name, value)) = map.next_entry::<String, Box<RawValue>>()? {
            members.push((name, value));
        }
        Ok(members)
    }
}

/// `text` without the whitespace between JSON tokens (strings keep theirs), so that a
/// definition sent pretty-printed and the same one sent compact are stored alike, and a
/// re-indented file pushed again is not a change.
pub fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
            in_string = c == '"';
        }
    }
    out
}

/// Reads one member of a request body that must be an object, for the API's own bodies.
pub fn object(text: &str) -> Result<serde_json::Map<String, Value>, String> {
    match Definition::parse(text) {
        Ok(definition) => {
            let mut map = serde_json::Map::new();
            for (name, value) in definition.members {
                let value = Value::deserialize(&*value).map_err(|error| error.to_string())?;
                map.insert(name, value);
            }
            Ok(map)
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_their_order_and_text() {
        let text = r#"{"key":"a","variants":{"z":1,"a":2.50},"enabled":true}"#;
        let mut definition = Definition::parse(text).expect("object");
        assert_eq!(definition.to_text(), text);
        definition.set("enabled", &Value::Bool(false)).expect("set");
        definition
            .set("overrides", &serde_json::json!([]))
            .expect("set");
        assert_eq!(
            definition.to_text(),
            r#"{"key":"a","variants":{"z":1,"a":2.50},"enabled":false,"overrides":[]}"#
        );
    }

    #[test]
    fn compact_drops_whitespace_between_tokens_only() {
        let text = "{\n  \"a b\" : [ 1 ,\t2 ],\r\n \"c\": \"x \\\" y\\\\\", \"d\": \" \" }";
        assert_eq!(compact(text), r#"{"a b":[1,2],"c":"x \" y\\","d":" "}"#);
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        let compacted: serde_json::Value = serde_json::from_str(&compact(text)).expect("JSON");
        assert_eq!(value, compacted);
    }

    #[test]
    fn what_is_not_one_object_is_refused() {
        for bad in ["[]", "1", "{\"a\":1} {}", "{\"a\":1,\"a\":2}", "{", ""] {
            assert!(Definition::parse(bad).is_err(), "{bad}");
        }
        // The message says what was expected, for the API's error.
        let error = Definition::parse("[1]").expect_err("an array");
        assert!(error.contains("expected a JSON object"), "{error}");
    }
}
