//! Where the service reads the time: the system clock, or a clock a test sets.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The current instant in Unix milliseconds. The change quota, override expiry and the
/// statistics' hours all read it, so a test can move it instead of sleeping.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// `None` reads the system clock.
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock that stays at `ms` until [`Clock::set`] moves it.
    #[cfg(test)]
    pub fn fixed(ms: i64) -> Clock {
        Clock {
            fixed: Some(Arc::new(AtomicI64::new(ms))),
        }
    }

    /// Moves a fixed clock (a system clock ignores it).
    #[cfg(test)]
    pub fn set(&self, ms: i64) {
        if let Some(fixed) = &self.fixed {
            fixed.store(ms, Ordering::SeqCst);
        }
    }

    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &self.fixed {
            Some(fixed) => fixed.load(Ordering::SeqCst),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| {
                    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
                }),
        }
    }
}

/// An instant as RFC 3339, milliseconds only when there are some: `2026-12-05T14:00:00Z`,
/// `2026-12-05T14:00:00.250Z`.
pub fn rfc3339(ms: i64) -> String {
    vexil::Timestamp::from_unix_millis(ms).to_string()
}
