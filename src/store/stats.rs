//! Planner statistics kept fresh: after the data has grown enough since the last time (a fifth more
//! versions than were stored then, and at least a hundred), `ANALYZE` runs in the background, so
//! search plans drive from the selective indexes right after a bulk load instead of waiting for
//! PostgreSQL's autovacuum (and SQLite, which never gathers statistics by itself, gets them at all).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::{AnyPool, Executor};

use super::Dialect;

/// Write counters deciding when to refresh statistics.
#[derive(Debug, Default)]
pub struct Stats {
    writes: AtomicU64,
    at_last: AtomicU64,
    running: AtomicBool,
}

const MIN_GROWTH: u64 = 100;

impl Stats {
    /// Counts from the `versions` a store opened with, whose statistics are up to date when
    /// `analyzed` (otherwise a refresh is due at the first write, or after [`MIN_GROWTH`] on an
    /// empty database). Counting from zero made a restarted server on a large database scan all
    /// of it (SQLite's `ANALYZE` counts every page of every index, holding the writer) again and
    /// again: at 1,000, 1,200, 1,440… writes.
    pub fn opened_with(&self, versions: u64, analyzed: bool) {
        self.writes.store(versions, Ordering::Relaxed);
        let last = if analyzed { versions } else { 0 };
        self.at_last.store(last, Ordering::Relaxed);
    }

    /// Counts `n` written versions; the total when statistics are due (and no refresh runs).
    fn due(&self, n: u64) -> Option<u64> {
        let total = self.writes.fetch_add(n, Ordering::Relaxed) + n;
        let last = self.at_last.load(Ordering::Relaxed);
        let due = total - last >= MIN_GROWTH.max(last / 5);
        (due && !self.running.swap(true, Ordering::AcqRel)).then_some(total)
    }

    /// Count `n` written versions; when statistics are due, refresh them on `pool` in the
    /// background.
    pub fn wrote(self: &Arc<Self>, n: u64, pool: &AnyPool, dialect: Dialect) {
        let Some(total) = self.due(n) else {
            return;
        };
        let (stats, pool) = (Arc::clone(self), pool.clone());
        tokio::spawn(async move {
            let sql = match dialect {
                Dialect::Sqlite => "PRAGMA analysis_limit = 1000; ANALYZE",
                Dialect::Postgres => "ANALYZE",
            };
            if let Err(e) = pool.execute(sql).await {
                tracing::warn!(error = %e, "refreshing planner statistics failed");
            }
            stats.at_last.store(total, Ordering::Relaxed);
            stats.running.store(false, Ordering::Release);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_is_due_after_a_fifth_more_versions_than_were_stored() {
        let stats = Stats::default();
        stats.opened_with(100_000, true);
        assert_eq!(stats.due(19_999), None);
        assert_eq!(stats.due(1), Some(120_000));
        // One refresh at a time.
        assert_eq!(stats.due(50_000), None);
        let fresh = Stats::default();
        fresh.opened_with(0, false);
        assert_eq!(fresh.due(99), None);
        assert_eq!(fresh.due(1), Some(100));
        let never_analyzed = Stats::default();
        never_analyzed.opened_with(5_000, false);
        assert_eq!(never_analyzed.due(1), Some(5_001));
    }
}
