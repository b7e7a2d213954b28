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
use super::{Store, StoreError, WriteOp};
use crate::fhir::Instant;

/// This process's filing of SQLite's trail: one at a time, and how far it went.
#[derive(Debug, Default)]
pub(super) struct Filing {
    lock: tokio::sync::Mutex<()>,
    /// Every row up to this `seq` is filed (another node may have gone further).
    upto: AtomicI64,
}

/// How often SQLite's trail is filed under its records in the background.
pub const FILE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

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

/// Events appended by [`Store::append_events_alone`] at most: one statement shape per count, as
/// many as concurrent requests (the prepared statement cache holds them).
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
        events: Vec<LoggedEvent>,
    ) -> Result<Vec<WriteOp>, StoreError> {
        self.grouped(ops, events).await
    }

    /// Appends `events` to the trail inside `tx`.
    pub(super) async fn append_events(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        events: &[&LoggedEvent],
    ) -> Result<(), StoreError> {
        let anonymous = super::sql::is_sqlite(tx);
        let mut rest = events;
        for size in super::sql::chunk_sizes(events.len()) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = insert_sql(anonymous, chunk.len());
            let patients = patients_json(chunk);
            bind_events(sqlx::query(&sql), chunk, &patients)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Appends `events` (at most [`ONE_STATEMENT`]) in one statement outside any transaction:
    /// the whole commit of a batch of reads' trails is one round trip to the database.
    pub(super) async fn append_events_alone(
        &self,
        events: &[&LoggedEvent],
    ) -> Result<(), StoreError> {
        let anonymous = self.dialect == super::dialect::Dialect::Sqlite;
        let sql = insert_sql(anonymous, events.len());
        let patients = patients_json(events);
        bind_events(sqlx::query(&sql), events, &patients)
            .execute(&self.write)
            .await?;
        Ok(())
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
        let appended: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_trail")
            .fetch_one(&self.read)
            .await?;
        // Concurrent callers wait for one filing, which covers what each of them needs.
        let _one = self.filing.lock.lock().await;
        if self.filing.upto.load(Ordering::Acquire) >= appended {
            return Ok(());
        }
        // One writer: what this transaction reads is everything committed, and stays so.
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT OR IGNORE INTO audit_patients (patient, recorded, seq) \
             SELECT j.value, t.recorded, t.seq FROM audit_trail t, json_each(t.patients) j \
             WHERE t.seq > (SELECT seq FROM audit_filed) AND t.patients IS NOT NULL",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_filed SET seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_trail)")
            .execute(&mut *tx)
            .await?;
        let upto: i64 = sqlx::query_scalar("SELECT seq FROM audit_filed")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        self.filing.upto.fetch_max(upto, Ordering::AcqRel);
        Ok(())
    }

    /// Before running `sql`: if it reads `audit_patients`, the trail is filed first, so that it
    /// sees every event acknowledged before it.
    pub(super) async fn filed_for(&self, sql: &str) -> Result<(), StoreError> {
        if sql.contains("audit_patients") {
            self.file_trail().await?;
        }
        Ok(())
    }

    /// Starts filing SQLite's trail every [`FILE_EVERY`] (needs a Tokio runtime).
    pub(super) fn start_filing(&self) {
        if self.dialect != Dialect::Sqlite {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(FILE_EVERY).await;
                if let Err(e) = store.file_trail().await {
                    tracing::warn!(error = %e, "filing the trail failed; retrying");
                }
            }
        });
    }
}

/// `INSERT INTO audit_trail …` of `n` rows.
fn insert_sql(anonymous: bool, n: usize) -> String {
    let marks: Vec<String> = (0..n)
        .map(|i| super::sql::tuple_marks(anonymous, 5 * i, 5))
        .collect();
    format!(
        "INSERT INTO audit_trail (res_id, recorded, patients, terms, content) VALUES {}",
        marks.join(", ")
    )
}

/// Each event's records as the JSON array the trigger reads (`None`: no record).
fn patients_json(events: &[&LoggedEvent]) -> Vec<Option<String>> {
    events
        .iter()
        .map(|e| {
            (!e.patients.is_empty())
                .then(|| serde_json::Value::from(e.patients.clone()).to_string())
        })
        .collect()
}

/// Binds the values of `events` to a statement of [`insert_sql`].
fn bind_events<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    events: &'q [&LoggedEvent],
    patients: &'q [Option<String>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for (e, p) in events.iter().zip(patients) {
        q = q
            .bind(e.id.as_str())
            .bind(e.at.0)
            .bind(p.as_deref())
            .bind(e.terms.as_str())
            .bind(e.content.as_slice());
    }
    q
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
