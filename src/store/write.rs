//! The one write path: an atomic commit of a list of [`WriteOp`]s.

use sqlx::{Any, Transaction};

use super::{Store, StoreError, WriteOp};

impl Store {
    /// Apply every op in one database transaction; the ops come back once they are durable.
    ///
    /// Fails with [`StoreError::Conflict`] (and writes nothing) when a resource's current version is not
    /// `op.version - 1`, or when a concurrent writer got there first.
    ///
    /// Concurrent commits share one database transaction and one fsync (see `group.rs`), each
    /// in its own savepoint; a commit handed to the writer completes even if its caller goes away.
    pub async fn commit(&self, ops: Vec<WriteOp>) -> Result<Vec<WriteOp>, StoreError> {
        self.grouped(ops, Vec::new()).await
    }

    /// The ops of a commit inside `tx`, with their index rows and access facts.
    pub(super) async fn apply_all(
        &self,
        tx: &mut Transaction<'_, Any>,
        ops: &[WriteOp],
    ) -> Result<(), StoreError> {
        let all: Vec<&WriteOp> = ops.iter().collect();
        self.apply_refs(tx, &all).await
    }

    /// [`Store::apply_all`] of ops gathered from several commits: their index rows and facts go
    /// in shared statements.
    pub(super) async fn apply_refs(
        &self,
        tx: &mut Transaction<'_, Any>,
        ops: &[&WriteOp],
    ) -> Result<(), StoreError> {
        let (first, later): (Vec<&WriteOp>, Vec<&WriteOp>) =
            ops.iter().copied().partition(|op| op.version == 1);
        insert_first_versions(tx, &first).await?;
        for op in &later {
            self.apply(tx, op).await.map_err(|e| conflict_of(e, op))?;
        }
        super::index::delete_rows(tx, &later).await?;
        super::index::insert_rows(tx, ops).await?;
        super::access::insert_rows(tx, ops).await?;
        Ok(())
    }

    /// Counts committed versions (for the planner statistics refresh).
    pub(super) fn wrote(&self, ops: &[WriteOp]) {
        if !ops.is_empty() {
            self.stats
                .wrote(ops.len() as u64, &self.write, self.dialect);
        }
    }

    async fn apply(&self, tx: &mut Transaction<'_, Any>, op: &WriteOp) -> Result<(), StoreError> {
        // A first version needs no check: the unique (type, id, version) key refuses a second one.
        if op.version > 1 {
            let current: Option<i64> = sqlx::query_scalar(self.dialect.current_for_update())
                .bind(&op.res_type)
                .bind(&op.id)
                .fetch_optional(&mut **tx)
                .await?;
            if current.unwrap_or(0) != op.version - 1 {
                return Err(conflict(op));
            }
        }
        let deleted = i64::from(op.content.is_none());
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO resource_versions \
             (res_type, res_id, version, last_updated, deleted, method, content) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
        )
        .bind(&op.res_type)
        .bind(&op.id)
        .bind(op.version)
        .bind(op.last_updated.0)
        .bind(deleted)
        .bind(op.method)
        .bind(op.content.clone())
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO resources (res_type, res_id, version, deleted, seq, last_updated) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (res_type, res_id) DO UPDATE SET \
             version = excluded.version, deleted = excluded.deleted, seq = excluded.seq, \
             last_updated = excluded.last_updated",
        )
        .bind(&op.res_type)
        .bind(&op.id)
        .bind(op.version)
        .bind(deleted)
        .bind(seq)
        .bind(op.last_updated.0)
        .execute(&mut **tx)
        .await?;
        if op.version > 1 {
            // The index rows go for all the commit's later versions at once (`apply_refs`).
            super::access::delete_rows(tx, op).await?;
        }
        Ok(())
    }
}

/// The first versions `ops` (creates: nothing to check, the unique (type, id, version) key
/// refuses a second one) in multi-row statements: their versions, then their current rows.
async fn insert_first_versions(
    tx: &mut Transaction<'_, Any>,
    ops: &[&WriteOp],
) -> Result<(), StoreError> {
    let anonymous = super::sql::is_sqlite(tx);
    let mut rest = ops;
    for size in super::sql::chunk_sizes(ops.len()) {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let marks: Vec<String> = (0..size)
            .map(|i| super::sql::tuple_marks(anonymous, 7 * i, 7))
            .collect();
        let sql = format!(
            "INSERT INTO resource_versions \
             (res_type, res_id, version, last_updated, deleted, method, content) VALUES {} \
             RETURNING seq, res_type, res_id",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql);
        for op in chunk {
            q = q
                .bind(op.res_type.as_str())
                .bind(op.id.as_str())
                .bind(op.version)
                .bind(op.last_updated.0)
                .bind(i64::from(op.content.is_none()))
                .bind(op.method)
                .bind(op.content.as_deref());
        }
        let seqs = q
            .fetch_all(&mut **tx)
            .await
            .map_err(|e| conflict_of(StoreError::Database(e), chunk[0]))?;
        let marks: Vec<String> = (0..size)
            .map(|i| super::sql::tuple_marks(anonymous, 6 * i, 6))
            .collect();
        let sql = format!(
            "INSERT INTO resources (res_type, res_id, version, deleted, seq, last_updated) \
             VALUES {} ON CONFLICT (res_type, res_id) DO UPDATE SET \
             version = excluded.version, deleted = excluded.deleted, seq = excluded.seq, \
             last_updated = excluded.last_updated",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for op in chunk {
            // RETURNING gives the rows in no promised order: match them by key.
            let seq = seqs
                .iter()
                .find(|(_, t, id)| *t == op.res_type && *id == op.id)
                .map(|(seq, _, _)| *seq)
                .ok_or_else(|| conflict(op))?;
            q = q
                .bind(op.res_type.as_str())
                .bind(op.id.as_str())
                .bind(op.version)
                .bind(i64::from(op.content.is_none()))
                .bind(seq)
                .bind(op.last_updated.0);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn conflict(op: &WriteOp) -> StoreError {
    StoreError::Conflict {
        res_type: op.res_type.clone(),
        id: op.id.clone(),
    }
}

/// A unique-key violation means a concurrent writer created the same version first.
fn conflict_of(e: StoreError, op: &WriteOp) -> StoreError {
    match &e {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => conflict(op),
        _ => e,
    }
}
