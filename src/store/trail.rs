//! The access trail (`audit_trail`): each AuditEvent is one compact row, appended with the commit
//! that answers its request and served from there (see `read.rs`, the `audit_events` view) — no
//! resource version, index rows or access facts. The trigger `audit_trail_patients` files the
//! row under each record it concerns (`audit_patients`), so an append stays one statement.

use super::{Store, StoreError, WriteOp};
use crate::fhir::Instant;

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
