//! Reads: current version, a given version, history pages, token lookups.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::sql::{SqlQuery, SqlValue, bind_all, bind_all_scalar};
use super::{Store, StoreError, StoredVersion};
use crate::fhir::Instant;

pub(super) const VERSION_COLUMNS: &str =
    "v.seq, v.res_type, v.res_id, v.version, v.last_updated, v.deleted, v.method, v.content";

/// The access trail's type: its events are rows of `audit_trail`, read through the view
/// `audit_events` (the columns of `resource_versions`; every event is a version 1).
pub(super) const TRAIL: &str = "AuditEvent";

/// Where the versions of `res_type` are (`None`: every type but the trail's).
fn versions_of(res_type: Option<&str>) -> &'static str {
    if res_type == Some(TRAIL) {
        "audit_events"
    } else {
        "resource_versions"
    }
}

/// Which history to list: system (no type), type (no id) or instance; newest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Restrict to one resource type.
    pub res_type: Option<String>,
    /// Restrict to one resource (needs `res_type`).
    pub id: Option<String>,
    /// Only versions with `lastUpdated >= since`.
    pub since: Option<Instant>,
    /// Only versions with `lastUpdated <= at_or_before` (for `_at`).
    pub before: Option<Instant>,
    /// Keyset cursor: only versions with `seq < before_seq`.
    pub before_seq: Option<i64>,
    /// Page size.
    pub limit: i64,
    /// The requester's visibility, a condition on the alias `v` (`None`: everything).
    pub visible: Option<SqlQuery>,
}

/// A version as read from its row: a trail event's packed JSON unpacked (`trail_codec.rs`).
pub(super) fn stored(mut v: StoredVersion) -> StoredVersion {
    if v.res_type == TRAIL {
        v.content = v.content.map(super::trail_codec::unpack);
    }
    v
}

pub(super) fn version_from_row(row: &AnyRow) -> Result<StoredVersion, sqlx::Error> {
    Ok(stored(StoredVersion {
        seq: row.try_get(0)?,
        res_type: row.try_get(1)?,
        id: row.try_get(2)?,
        version: row.try_get(3)?,
        last_updated: Instant(row.try_get(4)?),
        deleted: row.try_get::<i64, _>(5)? != 0,
        method: row.try_get(6)?,
        content: row.try_get(7)?,
    }))
}

impl Store {
    /// The current version of `res_type/id` (possibly a deletion), or `None` if it never existed.
    pub async fn current(
        &self,
        res_type: &str,
        id: &str,
    ) -> Result<Option<StoredVersion>, StoreError> {
        if res_type == TRAIL {
            return self.current_where(res_type, id, &SqlQuery::default()).await;
        }
        let mut q = SqlQuery::default();
        let (a, b) = (q.text(res_type), q.text(id));
        q.sql = format!(
            "SELECT {VERSION_COLUMNS} FROM resources r JOIN resource_versions v ON v.seq = r.seq \
             WHERE r.res_type = {a} AND r.res_id = {b}"
        );
        self.fetch_version(&q).await
    }

    /// The current version of `res_type/id` if the row `r` also satisfies `cond` (a visibility
    /// condition on the alias `r`, empty for none), in one query.
    pub async fn current_where(
        &self,
        res_type: &str,
        id: &str,
        cond: &SqlQuery,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let mut q = SqlQuery::default();
        let (a, b) = (q.text(res_type), q.text(id));
        let cond = if cond.sql.is_empty() {
            "1 = 1".to_owned()
        } else {
            q.splice(cond)
        };
        let from = if res_type == TRAIL {
            "audit_events r JOIN audit_events v ON v.seq = r.seq"
        } else {
            "resources r JOIN resource_versions v ON v.seq = r.seq"
        };
        q.sql = format!(
            "SELECT {VERSION_COLUMNS} FROM {from} \
             WHERE r.res_type = {a} AND r.res_id = {b} AND {cond}"
        );
        self.filed_for(&q.sql).await?;
        self.fetch_version(&q).await
    }

    /// Version `version` of `res_type/id`, or `None` if there is no such version.
    pub async fn version(
        &self,
        res_type: &str,
        id: &str,
        version: i64,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let mut q = SqlQuery::default();
        let (a, b, c) = (q.text(res_type), q.text(id), q.bind(SqlValue::Int(version)));
        q.sql = format!(
            "SELECT {VERSION_COLUMNS} FROM {} v \
             WHERE v.res_type = {a} AND v.res_id = {b} AND v.version = {c}",
            versions_of(Some(res_type))
        );
        self.filed_for(&q.sql).await?;
        self.fetch_version(&q).await
    }

    /// The version `q` (selecting `VERSION_COLUMNS`, one row at most) finds.
    pub(super) async fn fetch_version(
        &self,
        q: &SqlQuery,
    ) -> Result<Option<StoredVersion>, StoreError> {
        Ok(self.fetch_versions(q).await?.into_iter().next())
    }

    /// Every version `q` (selecting `VERSION_COLUMNS`) finds: on SQLite on the calling thread
    /// (see `inline`), else on the read pool.
    pub(super) async fn fetch_versions(
        &self,
        q: &SqlQuery,
    ) -> Result<Vec<StoredVersion>, StoreError> {
        if let Some(inline) = &self.inline {
            return Ok(inline.versions(q)?);
        }
        let rows = bind_all(sqlx::query(&q.sql), &q.values)
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .iter()
            .map(version_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// One page of history, newest first (by commit order).
    pub async fn history(&self, q: &HistoryQuery) -> Result<Vec<StoredVersion>, StoreError> {
        let mut query = history_filter(q);
        query.sql = format!(
            "SELECT {VERSION_COLUMNS} FROM {} v WHERE {} \
             ORDER BY v.seq DESC LIMIT {}",
            versions_of(q.res_type.as_deref()),
            query.sql,
            q.limit.clamp(0, 10_000)
        );
        self.filed_for(&query.sql).await?;
        if let Some(versions) = self.inline_rows(&query, super::inline::version_from_row)? {
            return Ok(versions);
        }
        let rows = bind_all(sqlx::query(&query.sql), &query.values)
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .iter()
            .map(version_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// How many versions the history query matches, ignoring its cursor and limit.
    pub async fn history_count(&self, q: &HistoryQuery) -> Result<i64, StoreError> {
        let q = HistoryQuery {
            before_seq: None,
            ..q.clone()
        };
        let mut query = history_filter(&q);
        query.sql = format!(
            "SELECT COUNT(*) FROM {} v WHERE {}",
            versions_of(q.res_type.as_deref()),
            query.sql
        );
        self.filed_for(&query.sql).await?;
        if let Some(n) = self.inline_scalar(&query)? {
            return Ok(n);
        }
        Ok(
            bind_all_scalar(sqlx::query_scalar::<_, i64>(&query.sql), &query.values)
                .fetch_one(&self.read)
                .await?,
        )
    }
}

/// The WHERE condition of a history query (in `sql`) with its values.
fn history_filter(q: &HistoryQuery) -> SqlQuery {
    let mut out = SqlQuery::default();
    let mut clauses = vec!["1 = 1".to_owned()];
    // Without a type: every version of resource_versions, which the trail is not in (system
    // history leaves it to `AuditEvent/_history`).
    if let Some(t) = &q.res_type {
        clauses.push(format!("v.res_type = {}", out.text(t.clone())));
    }
    if let Some(id) = &q.id {
        clauses.push(format!("v.res_id = {}", out.text(id.clone())));
    }
    if let Some(s) = q.since {
        clauses.push(format!(
            "v.last_updated >= {}",
            out.bind(SqlValue::Int(s.0))
        ));
    }
    if let Some(b) = q.before {
        clauses.push(format!(
            "v.last_updated <= {}",
            out.bind(SqlValue::Int(b.0))
        ));
    }
    if let Some(s) = q.before_seq {
        clauses.push(format!("v.seq < {}", out.bind(SqlValue::Int(s))));
    }
    if let Some(visible) = &q.visible {
        let cond = out.splice(visible);
        clauses.push(format!("({cond})"));
    }
    out.sql = clauses.join(" AND ");
    out
}

impl Store {
    /// Current live versions in (type, id) order after `after`, at most `limit`; `res_type` restricts the type.
    pub async fn current_after(
        &self,
        res_type: Option<&str>,
        after: Option<(&str, &str)>,
        limit: i64,
    ) -> Result<Vec<StoredVersion>, StoreError> {
        let mut q = SqlQuery::default();
        let mut conds = vec!["r.deleted = 0".to_owned()];
        if let Some(t) = res_type {
            conds.push(format!("r.res_type = {}", q.text(t)));
        }
        if let Some((t, id)) = after {
            let (a, b, c) = (q.text(t), q.text(t), q.text(id));
            conds.push(format!(
                "(r.res_type > {a} OR (r.res_type = {b} AND r.res_id > {c}))"
            ));
        }
        q.sql = format!(
            "SELECT {VERSION_COLUMNS} FROM resources r JOIN resource_versions v ON v.seq = r.seq \
             WHERE {} ORDER BY r.res_type, r.res_id LIMIT {}",
            conds.join(" AND "),
            limit.clamp(1, 10_000)
        );
        let rows = bind_all(sqlx::query(&q.sql), &q.values)
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .iter()
            .map(version_from_row)
            .collect::<Result<_, _>>()?)
    }
}
