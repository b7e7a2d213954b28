//! Running compiled searches: pages of matches with their sort keys, counts, and fetching current versions.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::sql::{SqlQuery, SqlValue, bind_all, bind_all_scalar};
use super::{Store, StoreError, StoredVersion};

/// One match of a search page: the resource and the values of its sort keys (for the next page's cursor).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// Resource type.
    pub res_type: String,
    /// Logical id.
    pub id: String,
    /// Sort key values, in `_sort` order.
    pub keys: Vec<SqlValue>,
}

/// The SQL type of a sort key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// BIGINT
    Int,
    /// DOUBLE PRECISION
    Float,
    /// TEXT
    Text,
}

/// A page's hit from a direct SQLite row (see [`key`]).
fn inline_hit(row: &rusqlite::Row<'_>, kinds: &[KeyKind]) -> rusqlite::Result<SearchHit> {
    let keys = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Ok(match k {
                KeyKind::Int => SqlValue::Int(row.get(i + 2)?),
                KeyKind::Float => SqlValue::Float(row.get(i + 2)?),
                KeyKind::Text => SqlValue::Text(row.get(i + 2)?),
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(SearchHit {
        res_type: row.get(0)?,
        id: row.get(1)?,
        keys,
    })
}

impl Store {
    /// Every row of `q`, mapped by `map`, run on the calling thread when it is quick (SQLite
    /// files; see `inline`); `None` when the caller runs it on the pool instead.
    pub(super) fn inline_rows<T>(
        &self,
        q: &SqlQuery,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<Vec<T>>, StoreError> {
        match &self.inline {
            Some(inline) => Ok(inline.rows_within(q, map)?),
            None => Ok(None),
        }
    }

    /// The first column of the first row of `q` (a count), as [`Store::inline_rows`] runs it.
    pub(super) fn inline_scalar(&self, q: &SqlQuery) -> Result<Option<i64>, StoreError> {
        Ok(self
            .inline_rows(q, |r| r.get::<_, i64>(0))?
            .map(|rows| rows.first().copied().unwrap_or(0)))
    }
}

fn key(row: &AnyRow, i: usize, kind: KeyKind) -> Result<SqlValue, sqlx::Error> {
    Ok(match kind {
        KeyKind::Int => SqlValue::Int(row.try_get(i)?),
        KeyKind::Float => SqlValue::Float(row.try_get(i)?),
        KeyKind::Text => SqlValue::Text(row.try_get(i)?),
    })
}

impl Store {
    /// Run a page query selecting `res_type, res_id, key1, …` (keys of `kinds`).
    pub async fn search_page(
        &self,
        q: &SqlQuery,
        kinds: &[KeyKind],
    ) -> Result<Vec<SearchHit>, StoreError> {
        self.filed_for(&q.sql).await?;
        if let Some(hits) = self.inline_rows(q, |row| inline_hit(row, kinds))? {
            return Ok(hits);
        }
        let rows = bind_all(sqlx::query(&q.sql), &q.values)
            .fetch_all(&self.read)
            .await?;
        let hit = |row: &AnyRow| -> Result<SearchHit, sqlx::Error> {
            let keys = kinds
                .iter()
                .enumerate()
                .map(|(i, k)| key(row, i + 2, *k))
                .collect::<Result<_, _>>()?;
            Ok(SearchHit {
                res_type: row.try_get(0)?,
                id: row.try_get(1)?,
                keys,
            })
        };
        Ok(rows.iter().map(hit).collect::<Result<_, _>>()?)
    }

    /// Run a `SELECT COUNT(*) …` query.
    pub async fn count(&self, q: &SqlQuery) -> Result<i64, StoreError> {
        self.filed_for(&q.sql).await?;
        if let Some(n) = self.inline_scalar(q)? {
            return Ok(n);
        }
        Ok(
            bind_all_scalar(sqlx::query_scalar::<_, i64>(&q.sql), &q.values)
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// Run a query selecting `kind, value, low, high` rows of `access_facts`.
    pub async fn fact_rows(
        &self,
        q: &SqlQuery,
    ) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
        if let Some(rows) =
            self.inline_rows(q, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        {
            return Ok(rows);
        }
        let rows = bind_all(sqlx::query(&q.sql), &q.values)
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Run a query selecting `res_type, res_id` pairs (include and revinclude lookups).
    pub async fn pairs(&self, q: &SqlQuery) -> Result<Vec<(String, String)>, StoreError> {
        self.filed_for(&q.sql).await?;
        if let Some(rows) = self.inline_rows(q, |r| Ok((r.get(0)?, r.get(1)?)))? {
            return Ok(rows);
        }
        let rows = bind_all(sqlx::query(&q.sql), &q.values)
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// The current live versions of `refs`, in the order given; deleted or unknown ones are left out.
    pub async fn current_many(
        &self,
        refs: &[(String, String)],
    ) -> Result<Vec<StoredVersion>, StoreError> {
        let mut found = Vec::with_capacity(refs.len());
        for chunk in refs.chunks(200) {
            let mut q = SqlQuery::default();
            let mut ors = Vec::with_capacity(chunk.len());
            let mut events = Vec::new();
            for (t, id) in chunk {
                if t == super::read::TRAIL {
                    events.push(q.text(id.clone()));
                    continue;
                }
                let (a, b) = (q.text(t.clone()), q.text(id.clone()));
                ors.push(format!("(r.res_type = {a} AND r.res_id = {b})"));
            }
            let cols = super::read::VERSION_COLUMNS;
            let mut selects = Vec::new();
            if !ors.is_empty() {
                selects.push(format!(
                    "SELECT {cols} FROM resources r JOIN resource_versions v ON v.seq = r.seq \
                     WHERE r.deleted = 0 AND ({})",
                    ors.join(" OR ")
                ));
            }
            if !events.is_empty() {
                selects.push(format!(
                    "SELECT {cols} FROM audit_events v WHERE v.res_id IN ({})",
                    events.join(", ")
                ));
            }
            q.sql = selects.join(" UNION ALL ");
            found.extend(self.fetch_versions(&q).await?);
        }
        let position = |v: &StoredVersion| {
            refs.iter()
                .position(|(t, i)| *t == v.res_type && *i == v.id)
        };
        found.sort_by_key(|v| position(v).unwrap_or(usize::MAX));
        Ok(found)
    }
}
