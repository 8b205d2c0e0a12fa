//! Latency percentiles, one measurement's figures, and the medians over repeated runs.

use std::time::Duration;

/// What one run of one measurement gave.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// Operations per second, if the measurement is a rate.
    pub rate: Option<f64>,
    /// Latency percentiles, in milliseconds.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The slowest.
    pub max: f64,
    /// Operations completed as expected.
    pub done: usize,
    /// Operations that failed or answered an unexpected status.
    pub failed: usize,
}

impl Figures {
    /// The figures of `latencies` (in microseconds), `done` of them in `elapsed`.
    pub fn of(mut latencies: Vec<u32>, failed: usize, elapsed: Option<Duration>) -> Figures {
        latencies.sort_unstable();
        let at = |share: f64| -> f64 {
            if latencies.is_empty() {
                return f64::NAN;
            }
            // Nearest rank: the smallest value with at least `share` of them at or below it.
            let rank = (share * latencies.len() as f64).ceil() as usize;
            f64::from(latencies[rank.clamp(1, latencies.len()) - 1]) / 1000.0
        };
        Figures {
            rate: elapsed.map(|elapsed| latencies.len() as f64 / elapsed.as_secs_f64()),
            p50: at(0.50),
            p99: at(0.99),
            max: at(1.0),
            done: latencies.len(),
            failed,
        }
    }
}

/// A duration in microseconds, saturated.
pub fn micros(duration: Duration) -> u32 {
    u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
}

/// The median (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let figures = Figures::of((1..=100).map(|n| n * 1000).collect(), 0, None);
        assert_eq!((figures.p50, figures.p99, figures.max), (50.0, 99.0, 100.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
