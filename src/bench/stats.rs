//! Latency statistics from raw per-request samples (microseconds), without an HDR histogram:
//! every sample is kept, merged, sorted once.

use serde::Serialize;

/// Latency summary of one workload, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Median (nearest-rank 50th percentile).
    pub p50_ms: f64,
    /// Nearest-rank 95th percentile.
    pub p95_ms: f64,
    /// Nearest-rank 99th percentile.
    pub p99_ms: f64,
    /// Slowest request.
    pub max_ms: f64,
    /// Arithmetic mean.
    pub mean_ms: f64,
}

/// Nearest-rank percentile of `sorted` (ascending): the smallest sample such that at least
/// `p` percent of the samples are less than or equal to it. `p` is clamped to `0..=100`;
/// an empty slice yields 0.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let p = p.clamp(0.0, 100.0);
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summarises microsecond samples (sorts them in place). No samples: all zeros.
pub fn summarize(samples: &mut [u32]) -> Latency {
    samples.sort_unstable();
    let ms = |us: u32| f64::from(us) / 1000.0;
    let sum: u64 = samples.iter().map(|&us| u64::from(us)).sum();
    let mean_ms = if samples.is_empty() {
        0.0
    } else {
        sum as f64 / samples.len() as f64 / 1000.0
    };
    Latency {
        p50_ms: ms(percentile(samples, 50.0)),
        p95_ms: ms(percentile(samples, 95.0)),
        p99_ms: ms(percentile(samples, 99.0)),
        max_ms: ms(samples.last().copied().unwrap_or(0)),
        mean_ms,
    }
}

/// A duration in whole microseconds, saturating at `u32::MAX` (about 71 minutes).
pub fn micros(d: std::time::Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_on_one_to_hundred() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 95.0), 95);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&v, 0.0), 1);
        assert_eq!(percentile(&v, 99.5), 100);
    }

    #[test]
    fn small_and_empty_inputs() {
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[42], 1.0), 42);
        assert_eq!(percentile(&[42], 99.0), 42);
        let v = [10, 20, 30, 40];
        assert_eq!(percentile(&v, 50.0), 20);
        assert_eq!(percentile(&v, 51.0), 30);
        assert_eq!(percentile(&v, 250.0), 40);
    }

    #[test]
    fn summary_sorts_and_converts_to_ms() {
        let mut v = vec![3000, 1000, 2000, 4000];
        let s = summarize(&mut v);
        assert_eq!(v, [1000, 2000, 3000, 4000]);
        assert_eq!(s.p50_ms, 2.0);
        assert_eq!(s.p99_ms, 4.0);
        assert_eq!(s.max_ms, 4.0);
        assert_eq!(s.mean_ms, 2.5);
        assert_eq!(summarize(&mut []).max_ms, 0.0);
    }

    #[test]
    fn micros_saturates() {
        use std::time::Duration;
        assert_eq!(micros(Duration::from_micros(1500)), 1500);
        assert_eq!(micros(Duration::from_secs(1 << 40)), u32::MAX);
    }
}
