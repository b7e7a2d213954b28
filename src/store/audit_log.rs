//! The trail queue (`audit_log`): AuditEvents appended with the commit that answers their requests,
//! then moved in large batches into the resource store by whoever claims them first (one
//! indexer per API node; the claim is the deletion of the queue rows, in the same transaction as
//! the resources, so a row is indexed exactly once even with several nodes on one database).

use sqlx::Row;

use super::{Store, StoreError, WriteOp};
use crate::fhir::Instant;

/// An AuditEvent waiting to be indexed: its id, its time and its JSON (not yet stamped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    /// Queue order (0 before it is appended).
    pub seq: i64,
    /// The AuditEvent id.
    pub id: String,
    /// `recorded`, which becomes `meta.lastUpdated`.
    pub at: Instant,
    /// The AuditEvent JSON.
    pub content: Vec<u8>,
}

/// Events appended by [`Store::append_events_alone`] at most: one statement shape per count, as
/// many as concurrent requests (the prepared statement cache holds them).
pub(super) const ONE_STATEMENT: usize = 32;

impl Store {
    /// Commits `ops` and appends `events` to the trail queue in one transaction (grouped with
    /// other callers', see [`Store::commit`]); the ops come back once durable.
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

    /// Appends `events` to the trail queue inside `tx`.
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
            bind_events(sqlx::query(&sql), chunk)
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
        bind_events(sqlx::query(&sql), events)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The oldest `limit` queued AuditEvents, in queue order.
    ///
    /// # Errors
    /// Database failures.
    pub async fn queued_events(&self, limit: i64) -> Result<Vec<LoggedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, res_id, recorded, content FROM audit_log ORDER BY seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LoggedEvent {
                    seq: r.try_get(0)?,
                    id: r.try_get(1)?,
                    at: Instant(r.try_get(2)?),
                    content: r.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Claims the queue rows `seqs` and commits `ops` (their AuditEvents) in one transaction.
    /// `Ok(false)`, writing nothing, when another indexer claimed any of them first.
    ///
    /// # Errors
    /// As [`Store::commit`].
    pub async fn commit_claimed(&self, seqs: &[i64], ops: &[WriteOp]) -> Result<bool, StoreError> {
        let mut tx = self.write.begin().await?;
        let mut claimed = 0;
        for chunk in seqs.chunks(1000) {
            let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!("DELETE FROM audit_log WHERE seq IN ({})", marks.join(", "));
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q.bind(*s);
            }
            claimed += q.execute(&mut *tx).await?.rows_affected();
        }
        if claimed != seqs.len() as u64 {
            tx.rollback().await?;
            return Ok(false);
        }
        self.apply_all(&mut tx, ops).await?;
        tx.commit().await?;
        self.wrote(ops);
        Ok(true)
    }
}

/// `INSERT INTO audit_log …` of `n` rows.
fn insert_sql(anonymous: bool, n: usize) -> String {
    let marks: Vec<String> = (0..n)
        .map(|i| super::sql::tuple_marks(anonymous, 3 * i, 3))
        .collect();
    format!(
        "INSERT INTO audit_log (res_id, recorded, content) VALUES {}",
        marks.join(", ")
    )
}

/// Binds the values of `events` to a statement of [`insert_sql`].
fn bind_events<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    events: &'q [&LoggedEvent],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for e in events {
        q = q
            .bind(e.id.as_str())
            .bind(e.at.0)
            .bind(e.content.as_slice());
    }
    q
}
