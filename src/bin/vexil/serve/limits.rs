//! The limit on open files. Every connection, each SDK's event stream included, holds a file
//! descriptor; at the limit the service stops accepting connections, and new ones wait
//! unanswered. Many systems start programs with a soft limit of 1,024, which 1,000 SDK streams
//! reach, so the service says so when it starts.

/// Below this many open files, the service warns at start.
const ENOUGH: u64 = 4096;

/// Descriptors the service holds besides connections (listener, database, runtime, stdio).
const OWN: u64 = 16;

/// The soft limit on open files, from /proc/self/limits; `None` where there is no such file
/// or no limit.
pub fn open_files() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    soft_limit(&text, "Max open files")
}

/// The soft limit named `name` in the text of /proc/self/limits.
fn soft_limit(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|line| line.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// What to tell the operator about `limit`, if it is low.
pub fn warning(limit: Option<u64>) -> Option<String> {
    let limit = limit.filter(|limit| *limit < ENOUGH)?;
    Some(format!(
        "warning: this process may open only {limit} files (ulimit -n), which leaves room for about {} connections at once, SDK streams included; beyond that, new connections wait unanswered. Raise the limit (ulimit -n 65536, or LimitNOFILE= in a systemd unit).",
        limit.saturating_sub(OWN)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: &str = "\
Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
";

    #[test]
    fn the_soft_limit_is_read_from_its_line() {
        assert_eq!(soft_limit(LIMITS, "Max open files"), Some(1024));
        assert_eq!(soft_limit(LIMITS, "Max cpu time"), None, "unlimited");
        assert_eq!(soft_limit(LIMITS, "Max processes"), None, "absent");
    }

    #[test]
    fn only_a_low_limit_is_worth_a_warning() {
        let warning = warning(Some(1024)).expect("1,024 is low");
        assert!(warning.contains("1024 files"), "{warning}");
        assert!(warning.contains("about 1008 connections"), "{warning}");
        assert_eq!(super::warning(Some(65536)), None);
        assert_eq!(super::warning(None), None);
    }
}
