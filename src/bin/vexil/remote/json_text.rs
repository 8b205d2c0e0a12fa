//! JSON text reformatted token by token. Members keep their order and every number and string
//! keeps its spelling; a round trip through `serde_json::Value` would sort object members (and
//! with them a flag's variants, whose order is part of its meaning).

/// `text` without whitespace between tokens. The caller has checked that `text` is JSON;
/// anything else comes out reformatted as far as it goes, never with a panic.
pub fn compact(text: &str) -> String {
    reformat(text, None)
}

/// `text` with one member or item per line, indented by two spaces a level, and a final
/// newline. Empty objects and arrays stay `{}` and `[]`.
pub fn pretty(text: &str) -> String {
    let mut out = reformat(text, Some("  "));
    out.push('\n');
    out
}

fn reformat(text: &str, indent: Option<&str>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut depth = 0usize;
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let mut next = index + 1;
        match byte {
            b'"' => {
                next = string_end(bytes, index);
                out.push_str(slice(text, index, next));
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' | b'[' => {
                out.push(char::from(byte));
                let after = skip_whitespace(bytes, next);
                match bytes.get(after) {
                    Some(close @ (b'}' | b']')) => {
                        out.push(char::from(*close));
                        next = after + 1;
                    }
                    _ => {
                        depth += 1;
                        line(&mut out, indent, depth);
                    }
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                line(&mut out, indent, depth);
                out.push(char::from(byte));
            }
            b',' => {
                out.push(',');
                line(&mut out, indent, depth);
            }
            b':' => {
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
            }
            _ => {
                next = scalar_end(bytes, index);
                out.push_str(slice(text, index, next));
            }
        }
        index = next;
    }
    out
}

/// Every boundary handed here is the end of the text or an ASCII byte, so a char boundary.
fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or_default()
}

fn line(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(unit) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    }
}

/// The index just past the string that opens at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'\\' => index += 2,
            b'"' => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

/// The index just past a number or literal (`true`, `false`, `null`) starting at `start`.
fn scalar_end(bytes: &[u8], start: usize) -> usize {
    let mut index = start;
    while let Some(&byte) = bytes.get(index) {
        if matches!(
            byte,
            b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"' | b' ' | b'\t' | b'\n' | b'\r'
        ) {
            break;
        }
        index += 1;
    }
    index.max(start + 1).min(bytes.len())
}

fn skip_whitespace(bytes: &[u8], mut index: usize) -> usize {
    while matches!(bytes.get(index), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        index += 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITTEN: &str = r#" { "key" : "a", "variants": {"z": 1, "a": 2.50, "m": 1e3},
        "tags" : [ ], "meta": { }, "note": "two  spaces, a \"quote\" and \\ , : { [",
        "list": [true, false, null, -0.0, "é"] } "#;

    #[test]
    fn compact_drops_only_the_whitespace_between_tokens() {
        assert_eq!(
            compact(WRITTEN),
            r#"{"key":"a","variants":{"z":1,"a":2.50,"m":1e3},"tags":[],"meta":{},"note":"two  spaces, a \"quote\" and \\ , : { [","list":[true,false,null,-0.0,"é"]}"#
        );
    }

    #[test]
    fn pretty_keeps_member_order_and_spelling_and_is_stable() {
        let pretty = pretty(WRITTEN);
        assert!(pretty.starts_with("{\n  \"key\": \"a\",\n  \"variants\": {\n    \"z\": 1,"));
        assert!(
            pretty.contains("\"tags\": [],\n  \"meta\": {},"),
            "{pretty}"
        );
        assert!(pretty.ends_with("\n  ]\n}\n"), "{pretty}");
        assert_eq!(compact(&pretty), compact(WRITTEN));
        assert_eq!(super::pretty(&pretty), pretty);
        let read: serde_json::Value = serde_json::from_str(&pretty).expect("still JSON");
        let original: serde_json::Value = serde_json::from_str(WRITTEN).expect("JSON");
        assert_eq!(read, original);
    }

    #[test]
    fn text_that_is_not_json_comes_out_without_a_panic() {
        for odd in [
            "",
            "\"",
            "\"\\",
            "{",
            "}",
            "]]]",
            "tru",
            "{\"a\":",
            "\u{e9}\u{e9}",
        ] {
            let _ = compact(odd);
            let _ = pretty(odd);
        }
    }
}
