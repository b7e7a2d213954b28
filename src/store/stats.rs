//! Planner statistics kept fresh: after the data has grown enough since the last time (a fifth more
//! versions than were stored then, and at least a hundred), `ANALYZE` runs in the background, so
//! search plans drive from the selective indexes right after a bulk load instead of waiting for
//! PostgreSQL's autovacuum (and SQLite, which never gathers statistics by itself, gets them at all).
//! The trail is not counted: on SQLite its tables' statistics are fixed once (migration 0011),
//! since gathering them counted every page of its indexes, a longer pause of the writer each time
//! the trail grew by a fifth.

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

    /// Count `n` written versions; when statistics are due, refresh them in the background: on
    /// SQLite's writer thread, in turn with the commits (from another connection, `ANALYZE`
    /// took the write lock between two commits and the next one waited in SQLite's busy
    /// handler, which sleeps in ever longer steps), else on `pool`.
    pub fn wrote(
        self: &Arc<Self>,
        n: u64,
        pool: &AnyPool,
        writer: Option<&super::writer::Handle>,
        dialect: Dialect,
    ) {
        let Some(total) = self.due(n) else {
            return;
        };
        let (stats, pool, writer) = (Arc::clone(self), pool.clone(), writer.cloned());
        tokio::spawn(async move {
            let mut total = total;
            loop {
                if let Err(e) = refresh(writer.as_ref(), &pool, dialect).await {
                    tracing::warn!(error = %e, "refreshing planner statistics failed");
                }
                stats.at_last.store(total, Ordering::Relaxed);
                stats.running.store(false, Ordering::Release);
                // What was written meanwhile found a refresh running: it may call for another.
                match stats.due(0) {
                    Some(now) => total = now,
                    None => return,
                }
            }
        });
    }
}

/// One refresh of the statistics: on SQLite's writer thread a table at a time, else on `pool`.
async fn refresh(
    writer: Option<&super::writer::Handle>,
    pool: &AnyPool,
    dialect: Dialect,
) -> Result<(), super::StoreError> {
    match (writer, dialect) {
        (Some(writer), _) => analyze_in_turn(writer).await,
        (None, Dialect::Sqlite) => {
            let all = SQLITE_ANALYZE.join("; ");
            pool.execute(all.as_str())
                .await
                .map(drop)
                .map_err(Into::into)
        }
        (None, Dialect::Postgres) => pool.execute("ANALYZE").await.map(drop).map_err(Into::into),
    }
}

/// SQLite's statistics refresh, one table a step (the trail's tables keep their fixed ones). A
/// connection reads the statistics when it loads the schema, and only then: the change of the
/// schema at the end makes each of them load it again at its next statement.
const SQLITE_ANALYZE: [&str; 11] = [
    "PRAGMA analysis_limit = 1000; ANALYZE resource_versions",
    "PRAGMA analysis_limit = 1000; ANALYZE resources",
    "PRAGMA analysis_limit = 1000; ANALYZE idx_string",
    "PRAGMA analysis_limit = 1000; ANALYZE idx_token",
    "PRAGMA analysis_limit = 1000; ANALYZE idx_reference",
    "PRAGMA analysis_limit = 1000; ANALYZE idx_date",
    "PRAGMA analysis_limit = 1000; ANALYZE idx_number",
    "PRAGMA analysis_limit = 1000; ANALYZE idx_quantity",
    "PRAGMA analysis_limit = 1000; ANALYZE idx_uri",
    "PRAGMA analysis_limit = 1000; ANALYZE access_facts",
    "CREATE TABLE stats_reload (x INTEGER); DROP TABLE stats_reload",
];

/// Runs [`SQLITE_ANALYZE`] on SQLite's writer thread, a step at a time, in turn with the
/// commits: the whole `ANALYZE` held every commit for 12-46 ms while a database grew (the p99 of
/// creates), a table at a time holds them a few.
async fn analyze_in_turn(writer: &super::writer::Handle) -> Result<(), super::StoreError> {
    for step in SQLITE_ANALYZE {
        writer.batch(step).await?;
    }
    Ok(())
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

    #[test]
    fn writes_during_a_refresh_call_for_the_next_one_when_it_ends() {
        let stats = Stats::default();
        stats.opened_with(1_000, true);
        assert_eq!(stats.due(300), Some(1_300));
        // Written while that refresh runs: not due now…
        assert_eq!(stats.due(300), None);
        // …but when it ends (what `wrote`'s task does), the next one is.
        stats.at_last.store(1_300, Ordering::Relaxed);
        stats.running.store(false, Ordering::Release);
        assert_eq!(stats.due(0), Some(1_600));
        stats.at_last.store(1_600, Ordering::Relaxed);
        stats.running.store(false, Ordering::Release);
        assert_eq!(stats.due(0), None);
    }

    /// The trail's statistics are fixed by migration 0011: its lookups by id use its index from
    /// the first event on (with gathered statistics, a connection that loaded them while the trail
    /// held a row scanned the whole trail for each lookup), and appending events gathers none
    /// (which counted every page of the trail's indexes, longer each time).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_trail_keeps_its_fixed_statistics_and_its_indexes() {
        use crate::fhir::Instant;
        use crate::store::{LoggedEvent, SqlQuery, Store};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        let event = |i: i64| LoggedEvent {
            id: format!("e{i}"),
            at: Instant(1_700_000_000_000 + i),
            patients: vec![format!("p{}", i % 7)],
            terms: " ".to_owned(),
            content: b"{}".to_vec(),
        };
        let inline = store.inline.clone().unwrap();
        let lookup = "SELECT v.seq, v.res_id, v.content FROM audit_events v \
                      WHERE v.res_id IN ('e1', 'e2')";
        store
            .commit_with_events(Vec::new(), vec![event(0)])
            .await
            .unwrap();
        let plan = inline.plan_of(lookup).unwrap();
        assert!(
            plan.contains("audit_trail_res_id"),
            "with a one-row trail: {plan}"
        );
        for round in 0..10 {
            let events = (1..=100).map(|i| event(round * 100 + i)).collect();
            store.commit_with_events(Vec::new(), events).await.unwrap();
        }
        store.file_trail().await.unwrap();
        // A refresh, had one been due, would have started by now.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let gathered = SqlQuery {
            sql: "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'resource_versions' \
                  OR (tbl = 'audit_trail' AND stat <> '1000000 1' AND stat <> '1000000 2') \
                  OR (tbl = 'audit_patients' AND stat <> '1000000 100 1 1')"
                .into(),
            ..SqlQuery::default()
        };
        assert_eq!(store.count(&gathered).await.unwrap(), 0);
        assert!(!store.stats.running.load(Ordering::Acquire));
        let plan = inline.plan_of(lookup).unwrap();
        assert!(plan.contains("audit_trail_res_id"), "{plan}");
    }
}
