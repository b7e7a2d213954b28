//! Planner statistics kept fresh: after the data has grown enough since the last time (a fifth more
//! writes, and at least a thousand), `ANALYZE` runs in the background, so search plans drive from the
//! selective indexes right after a bulk load instead of waiting for PostgreSQL's autovacuum (and SQLite,
//! which never gathers statistics by itself, gets them at all).

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

const MIN_GROWTH: u64 = 1000;

impl Stats {
    /// Count `n` written rows; when statistics are due, refresh them on `pool` in the background.
    pub fn wrote(self: &Arc<Self>, n: u64, pool: &AnyPool, dialect: Dialect) {
        let total = self.writes.fetch_add(n, Ordering::Relaxed) + n;
        let last = self.at_last.load(Ordering::Relaxed);
        let due = total - last >= MIN_GROWTH.max(last / 5);
        if !due || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
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
