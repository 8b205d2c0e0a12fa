//! What the service accepts as flag, segment and environment keys: they appear in URLs, so
//! they are kept to characters that need no escaping and cannot be read as a path.

/// The longest key accepted.
pub const MAX_KEY_BYTES: usize = 128;

/// Why `key` is not usable as a flag or segment key, if it is not.
pub fn check_key(what: &str, key: &str) -> Result<(), String> {
    let first_ok = key
        .bytes()
        .next()
        .is_some_and(|byte| byte.is_ascii_alphanumeric());
    let rest_ok = key
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
    if key.is_empty() || key.len() > MAX_KEY_BYTES || !first_ok || !rest_ok {
        return Err(format!(
            "a {what} key is 1 to {MAX_KEY_BYTES} letters, digits, `-`, `_` or `.`, starting \
             with a letter or digit; got {}",
            serde_json::Value::String(key.chars().take(140).collect())
        ));
    }
    Ok(())
}

/// Why `name` is not usable as an environment name, if it is not.
pub fn check_environment(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .next()
            .is_some_and(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
        && name.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'-' | b'_')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "an environment name is 1 to 64 lower-case letters, digits, `-` or `_`, starting \
             with a letter or digit; got {}",
            serde_json::Value::String(name.chars().take(70).collect())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_could_be_read_as_paths_or_sql_are_refused() {
        for good in ["new-checkout", "a", "Flag_2.v1", &"k".repeat(128)] {
            assert!(check_key("flag", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../etc",
            "a/b",
            "a\\b",
            ".hidden",
            "-x",
            "x'; DROP TABLE flags; --",
            "a b",
            "ümlaut",
            "a%2Fb",
            &"k".repeat(129),
        ] {
            assert!(check_key("flag", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environment_names_are_lower_case() {
        assert!(check_environment("production").is_ok());
        assert!(check_environment("eu-west_2").is_ok());
        for bad in ["", "Production", "a/b", "-x", &"e".repeat(65)] {
            assert!(check_environment(bad).is_err(), "{bad}");
        }
    }
}
