//! The access trail (`audit_trail`): each AuditEvent is one compact row, appended with the commit
//! that answers its request and served from there (see `read.rs`, the `audit_events` view) — no
//! resource version, index rows or access facts. Each row is filed under the records it concerns
//! (`audit_patients`): on PostgreSQL by a trigger as it is appended; on SQLite in batches
//! ([`Store::file_trail`]: every [`FILE_EVERY`], and before any query that reads `audit_patients`),
//! because inserting at random places of `audit_patients` in every group commit cost reads ~15 %
//! of their throughput (SQLite 3.46's `balance_nonroot` renumbers pages through the pending-byte
//! page, and the commit that follows scans the writer's whole page cache).

use std::sync::atomic::{AtomicI64, Ordering};

use super::dialect::Dialect;
use super::exec::{Exec, SqlxExec};
use super::{Store, StoreError, WriteOp};
use crate::fhir::Instant;

/// This process's filing of SQLite's trail: one at a time, and how far it went.
#[derive(Debug, Default)]
pub(super) struct Filing {
    lock: tokio::sync::Mutex<()>,
    /// Every row up to this `seq` is filed (another node may have gone further).
    upto: AtomicI64,
}

/// How often the journal's events move into SQLite's trail table in the background (also when
/// a thousand wait, and before any query of the trail).
pub const MOVE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// How often SQLite's trail is filed under its records in the background (and before any query
/// that reads the filing). Each filing inserts at random places of `audit_patients` (one entry
/// per record and event): filing a few seconds' worth at once touches each record's pages once
/// instead of eight times, which halved the writer's share of a read.
pub const FILE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// An AuditEvent to append: its id, its time, the records it concerns, its search terms and its
/// JSON (stamped as version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    /// The AuditEvent id.
    pub id: String,
    /// `recorded`, which is also `meta.lastUpdated`.
    pub at: Instant,
    /// The Patient ids of the records concerned.
    pub patients: Vec<String>,
    /// The other search values, space-separated and space-framed (` outcome:0 action:R `).
    pub terms: String,
    /// The AuditEvent JSON.
    pub content: Vec<u8>,
}

/// Most events of trail-only commits appended in one statement, outside a transaction: one
/// statement shape per count, as many as concurrent requests (the prepared statement cache
/// holds them).
pub(super) const ONE_STATEMENT: usize = 32;

impl Store {
    /// Commits `ops` and appends `events` to the trail in one transaction (grouped with other
    /// callers', see [`Store::commit`]); the ops come back once durable.
    ///
    /// # Errors
    /// As [`Store::commit`]; nothing is written on an error.
    pub async fn commit_with_events(
        &self,
        ops: Vec<WriteOp>,
        mut events: Vec<LoggedEvent>,
    ) -> Result<Vec<WriteOp>, StoreError> {
        for e in &mut events {
            e.content = super::trail_codec::pack(&e.content);
        }
        match self.journal.get() {
            // Events alone: durable in the journal, moved into the trail table later.
            Some(journal) if ops.is_empty() && !events.is_empty() => {
                journal.append(events).await?;
                Ok(ops)
            }
            _ => self.grouped(ops, events).await,
        }
    }

    /// Moves the events the journal made durable into the trail table (SQLite), so that a query
    /// of the trail finds every event acknowledged before it.
    ///
    /// # Errors
    /// The move failed (the events stay in the journal).
    pub(super) async fn move_journal(&self) -> Result<(), StoreError> {
        match (self.journal.get(), &self.writer) {
            (Some(journal), Some(writer)) if journal.pending().waiting() > 0 => {
                writer.move_trail_now(journal.pending().clone()).await
            }
            _ => Ok(()),
        }
    }
}

impl Store {
    /// Files the trail rows appended since the last filing under their records, in one
    /// transaction (SQLite; PostgreSQL's trigger files each row as it is appended).
    ///
    /// # Errors
    /// Database failures.
    pub async fn file_trail(&self) -> Result<(), StoreError> {
        if self.dialect != Dialect::Sqlite {
            return Ok(());
        }
        self.move_journal().await?;
        let appended: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_trail")
            .fetch_one(&self.read)
            .await?;
        // Concurrent callers wait for one filing, which covers what each of them needs.
        let _one = self.filing.lock.lock().await;
        if self.filing.upto.load(Ordering::Acquire) >= appended {
            return Ok(());
        }
        // One writer: what this transaction reads is everything committed, and stays so.
        let upto = match &self.writer {
            Some(writer) => writer.file_trail().await?,
            None => file_in(&mut SqlxExec::acquire(&self.write).await?).await?,
        };
        self.filing.upto.fetch_max(upto, Ordering::AcqRel);
        Ok(())
    }

    /// Before running `sql`: if it reads the trail, the journal's events move into it first, and
    /// if it reads `audit_patients`, the trail is filed, so that it sees every event
    /// acknowledged before it.
    pub(super) async fn filed_for(&self, sql: &str) -> Result<(), StoreError> {
        if sql.contains("audit_patients") {
            self.file_trail().await?;
        } else if sql.contains("audit_") {
            self.move_journal().await?;
        }
        Ok(())
    }

    /// Starts moving the journal every [`MOVE_EVERY`] and filing SQLite's trail every
    /// [`FILE_EVERY`] (needs a Tokio runtime).
    pub(super) fn start_filing(&self) {
        if self.dialect != Dialect::Sqlite {
            return;
        }
        let store = self.clone();
        let moves_per_filing = (FILE_EVERY.as_millis() / MOVE_EVERY.as_millis()).max(1);
        tokio::spawn(async move {
            for tick in 1u128.. {
                tokio::time::sleep(MOVE_EVERY).await;
                let done = if tick % moves_per_filing == 0 {
                    store.file_trail().await
                } else {
                    store.move_journal().await
                };
                if let Err(e) = done {
                    tracing::warn!(error = %e, "moving or filing the trail failed; retrying");
                }
            }
        });
    }
}

/// Files the trail rows appended since the last filing under their records, in one
/// transaction on `e`; the last `seq` filed. The entries are inserted in the order of
/// `audit_patients`' key: in the trail's order, each went down the B-tree to a record of its
/// own (filing 40,000 events over 1,000 records took 1.8 times longer with the writer's
/// 16 MiB cache and a 160 MB table, 4-5 times with a 2 MiB cache).
pub(super) async fn file_in<E: Exec>(e: &mut E) -> Result<i64, StoreError> {
    e.begin().await?;
    let filed = async {
        e.raw(
            "INSERT OR IGNORE INTO audit_patients (patient, recorded, seq) \
             SELECT j.value, t.recorded, t.seq FROM audit_trail t, json_each(t.patients) j \
             WHERE t.seq > (SELECT seq FROM audit_filed) AND t.patients IS NOT NULL \
             ORDER BY j.value, t.recorded, t.seq",
        )
        .await?;
        e.raw("UPDATE audit_filed SET seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_trail)")
            .await?;
        e.scalar("SELECT seq FROM audit_filed").await
    }
    .await;
    super::group::finish(e, filed).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqlQuery;

    #[tokio::test]
    async fn a_query_of_the_records_sees_every_event_appended_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        let event = |id: &str, patients: &[&str]| LoggedEvent {
            id: id.to_owned(),
            at: Instant(1_700_000_000_000_000),
            patients: patients.iter().map(|p| (*p).to_owned()).collect(),
            terms: " ".to_owned(),
            content: b"{}".to_vec(),
        };
        let filed = |patient: &str| SqlQuery {
            sql: format!("SELECT COUNT(*) FROM audit_patients WHERE patient = '{patient}'"),
            ..SqlQuery::default()
        };
        for round in 1..=3 {
            let events = vec![
                event(&format!("a{round}"), &["p1", "p2"]),
                event(&format!("b{round}"), &[]),
            ];
            store.commit_with_events(Vec::new(), events).await.unwrap();
            // Long before the background filing: the query files first.
            assert_eq!(store.count(&filed("p1")).await.unwrap(), round);
            assert_eq!(store.count(&filed("p2")).await.unwrap(), round);
        }
    }
}
