//! Moving the AuditEvents of earlier versions into the trail table: those indexed as resources
//! (versions, index rows, access facts) and those still queued in `audit_log`. Runs when the
//! server starts, a batch per transaction; each batch is claimed by deleting it from where it
//! was, so two nodes starting on one database never move an event twice.

use sqlx::Row;

use super::{LoggedEvent, Store, StoreError};
use crate::fhir::Instant;

/// Events moved per transaction.
const BATCH: i64 = 500;

/// Tables holding an indexed resource's rows, keyed by `(res_type, res_id, …)`.
const RESOURCE_TABLES: [&str; 10] = [
    "resource_versions",
    "resources",
    "access_facts",
    "idx_token",
    "idx_string",
    "idx_reference",
    "idx_date",
    "idx_number",
    "idx_quantity",
    "idx_uri",
];

/// An AuditEvent as an earlier version stored it.
#[derive(Debug, Clone)]
pub struct LegacyEvent {
    /// Its id.
    pub id: String,
    /// `recorded`.
    pub at: Instant,
    /// Its JSON: stamped when it was indexed, not yet when it was queued.
    pub content: Vec<u8>,
}

/// Where a batch comes from.
#[derive(Clone, Copy)]
enum Source {
    Indexed,
    Queued,
}

impl Store {
    /// Moves every AuditEvent stored by an earlier version into the trail, oldest first,
    /// `convert` giving each its trail row; returns how many moved.
    ///
    /// # Errors
    /// Database failures (what was moved before stays moved).
    pub async fn upgrade_trail(
        &self,
        convert: impl Fn(LegacyEvent) -> LoggedEvent,
    ) -> Result<u64, StoreError> {
        let mut moved = 0;
        for source in [Source::Indexed, Source::Queued] {
            while let Some(n) = self.move_batch(source, &convert).await? {
                moved += n;
                tracing::info!(moved, "trail upgrade: AuditEvents moved to the trail table");
            }
        }
        Ok(moved)
    }

    /// One batch from `source`: how many moved, `None` when it is empty.
    async fn move_batch(
        &self,
        source: Source,
        convert: &impl Fn(LegacyEvent) -> LoggedEvent,
    ) -> Result<Option<u64>, StoreError> {
        let sql = match source {
            Source::Indexed => {
                "SELECT seq, res_id, last_updated, content FROM resource_versions \
                 WHERE res_type = 'AuditEvent' AND content IS NOT NULL ORDER BY seq LIMIT $1"
            }
            Source::Queued => {
                "SELECT seq, res_id, recorded, content FROM audit_log ORDER BY seq LIMIT $1"
            }
        };
        let rows = sqlx::query(sql).bind(BATCH).fetch_all(&self.write).await?;
        let mut seqs = Vec::with_capacity(rows.len());
        let mut events = Vec::with_capacity(rows.len());
        for r in &rows {
            seqs.push(r.try_get::<i64, _>(0)?);
            events.push(convert(LegacyEvent {
                id: r.try_get(1)?,
                at: Instant(r.try_get(2)?),
                content: r.try_get(3)?,
            }));
        }
        if events.is_empty() {
            return Ok(None);
        }
        let mut tx = self.write.begin().await?;
        let marks: Vec<String> = (1..=seqs.len()).map(|n| format!("${n}")).collect();
        let claim = match source {
            Source::Indexed => format!(
                "DELETE FROM resource_versions WHERE res_type = 'AuditEvent' AND seq IN ({})",
                marks.join(", ")
            ),
            Source::Queued => format!("DELETE FROM audit_log WHERE seq IN ({})", marks.join(", ")),
        };
        let mut q = sqlx::query(&claim);
        for s in &seqs {
            q = q.bind(*s);
        }
        if q.execute(&mut *tx).await?.rows_affected() != seqs.len() as u64 {
            // Another node moved some of them first: read the source again.
            tx.rollback().await?;
            return Ok(Some(0));
        }
        if let Source::Indexed = source {
            let marks: Vec<String> = (1..=events.len()).map(|n| format!("${n}")).collect();
            for table in &RESOURCE_TABLES[1..] {
                let sql = format!(
                    "DELETE FROM {table} WHERE res_type = 'AuditEvent' AND res_id IN ({})",
                    marks.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for e in &events {
                    q = q.bind(e.id.as_str());
                }
                q.execute(&mut *tx).await?;
            }
        }
        let refs: Vec<&LoggedEvent> = events.iter().collect();
        super::exec::run_on(
            &mut tx,
            &super::plan::events(self.dialect, super::plan::Undo::Statement, &refs, false),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(events.len() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Store, WriteOp};
    use crate::audit::sink::upgrade;
    use crate::fhir::Instant;
    use crate::store::SqlQuery;

    fn version_of(id: &str, content: &str) -> WriteOp {
        WriteOp {
            res_type: "AuditEvent".into(),
            id: id.into(),
            version: 1,
            last_updated: Instant(1_700_000_000_000_000),
            method: "POST",
            content: Some(content.as_bytes().to_vec()),
            index: Vec::new(),
            access: Some(Vec::new()),
        }
    }

    fn sql(text: &str) -> SqlQuery {
        SqlQuery {
            sql: text.to_owned(),
            ..SqlQuery::default()
        }
    }

    #[tokio::test]
    async fn events_of_earlier_versions_move_to_the_trail_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        let other_node = Store::connect(&url).await.unwrap();
        // As an earlier version left them: one indexed as a resource, one still queued.
        let indexed = r#"{"resourceType":"AuditEvent","id":"old1","meta":{"versionId":"1"},"outcome":"0","entity":[{"what":{"reference":"Patient/p1"}}]}"#;
        store
            .commit(vec![version_of("old1", indexed)])
            .await
            .unwrap();
        let queued = r#"{"resourceType":"AuditEvent","id":"old2","outcome":"4","entity":[{"what":{"reference":"Patient/p1"}}]}"#;
        sqlx::query("INSERT INTO audit_log (res_id, recorded, content) VALUES ('old2', 1700000000001000, $1)")
            .bind(queued.as_bytes())
            .execute(&store.write)
            .await
            .unwrap();
        let (a, b) = tokio::join!(upgrade(&store), upgrade(&other_node));
        assert_eq!(a.unwrap() + b.unwrap(), 2);
        assert_eq!(upgrade(&store).await.unwrap(), 0);
        let old1 = store.current("AuditEvent", "old1").await.unwrap().unwrap();
        assert_eq!(old1.version, 1);
        let old2 = store.current("AuditEvent", "old2").await.unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&old2.content.unwrap()).unwrap();
        assert_eq!(json["meta"]["versionId"], "1");
        let left = store
            .count(&sql(
                "SELECT COUNT(*) FROM resources WHERE res_type = 'AuditEvent'",
            ))
            .await
            .unwrap();
        assert_eq!(left, 0);
        let filed = store
            .count(&sql(
                "SELECT COUNT(*) FROM audit_patients WHERE patient = 'p1'",
            ))
            .await
            .unwrap();
        assert_eq!(filed, 2);
    }
}
