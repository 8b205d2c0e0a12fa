//! When the next attempt is due: the TTL after a success, a doubling backoff after failures,
//! both spread by jitter so that many servers started together do not ask together.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

/// The timing settings of one client.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timing {
    pub ttl: Duration,
    /// The spread, as a fraction of each wait (0 to 1): 0.1 makes a 5 minute TTL anything from
    /// 4.5 to 5.5 minutes.
    pub jitter: f64,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
}

impl Timing {
    /// The wait after a success.
    pub fn after_success(&self, random: f64) -> Duration {
        jittered(self.ttl, self.jitter, random)
    }

    /// The wait after `failures` failed attempts in a row (at least 1): the backoff (the longest
    /// at once when the endpoint `refused`), lengthened to what the endpoint asked for in
    /// `Retry-After` but never past the longest backoff.
    pub fn after_failure(
        &self,
        failures: u32,
        refused: bool,
        asked: Option<Duration>,
        random: f64,
    ) -> Duration {
        let backoff = if refused {
            self.backoff_max
        } else {
            let doublings = failures.saturating_sub(1).min(30);
            self.backoff_initial
                .saturating_mul(1 << doublings)
                .min(self.backoff_max)
        };
        let delay = jittered(backoff, self.jitter, random);
        match asked {
            Some(asked) => delay.max(asked.min(self.backoff_max)),
            None => delay,
        }
    }
}

/// `delay` spread by up to `jitter` of itself either way, `random` being in [0, 1).
fn jittered(delay: Duration, jitter: f64, random: f64) -> Duration {
    let factor = 1.0 + jitter * (2.0 * random - 1.0);
    Duration::try_from_secs_f64(delay.as_secs_f64() * factor).unwrap_or(delay)
}

/// A number in [0, 1) that differs from call to call: enough to spread timers, with no random
/// number crate (each `RandomState` is keyed afresh).
pub(super) fn random() -> f64 {
    let bits = RandomState::new().hash_one(0u8) >> 11;
    // 53 bits: exactly representable, and below 1.
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMING: Timing = Timing {
        ttl: Duration::from_secs(300),
        jitter: 0.1,
        backoff_initial: Duration::from_secs(1),
        backoff_max: Duration::from_secs(300),
    };

    #[test]
    fn the_ttl_is_spread_by_the_jitter_either_way() {
        assert_eq!(TIMING.after_success(0.5), Duration::from_secs(300));
        assert_eq!(TIMING.after_success(0.0), Duration::from_secs(270));
        assert_eq!(TIMING.after_success(0.75), Duration::from_secs(315));
        let longest = TIMING.after_success(1.0);
        assert!(longest.abs_diff(Duration::from_secs(330)) < Duration::from_millis(1));
        let still = Timing {
            jitter: 0.0,
            ..TIMING
        };
        assert_eq!(still.after_success(0.9), Duration::from_secs(300));
    }

    #[test]
    fn failures_double_the_wait_up_to_the_longest() {
        let waits: Vec<u64> = (1..=10)
            .map(|failures| TIMING.after_failure(failures, false, None, 0.5).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
        assert_eq!(
            TIMING.after_failure(u32::MAX, false, None, 0.5),
            Duration::from_secs(300)
        );
        // A refusal waits the longest at once.
        assert_eq!(
            TIMING.after_failure(1, true, None, 0.5),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn retry_after_lengthens_the_wait_but_never_past_the_longest() {
        let asked = |seconds| Some(Duration::from_secs(seconds));
        assert_eq!(
            TIMING.after_failure(1, false, asked(30), 0.5),
            Duration::from_secs(30)
        );
        assert_eq!(
            TIMING.after_failure(6, false, asked(5), 0.5),
            Duration::from_secs(32),
            "a shorter Retry-After does not shorten the backoff"
        );
        assert_eq!(
            TIMING.after_failure(1, false, asked(86_400), 0.5),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn random_numbers_are_within_zero_and_one_and_vary() {
        let drawn: Vec<f64> = (0..64).map(|_| random()).collect();
        assert!(drawn.iter().all(|value| (0.0..1.0).contains(value)));
        assert!(drawn.iter().any(|value| *value != drawn[0]));
    }
}
