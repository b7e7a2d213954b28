//! Point reads on SQLite without a thread hop. sqlx runs each SQLite connection on a thread of
//! its own: every query is a message to that thread and a wake-up back, two context switches
//! that cost more than the B-tree lookup of a read by id. The reads that find one resource by
//! its key (read, vread, the versions a search page or an include names) run here instead, on
//! the calling thread, on connections of their own to the same WAL database: a lookup by
//! primary key is a few microseconds, short enough not to hold up the runtime's other tasks.
//!
//! Searches, counts, include lookups and history pages run here too, within a budget
//! ([`Inline::rows_within`]): SQLite's progress handler interrupts one that runs past 2 ms, and
//! the caller runs it again on sqlx's pool, whose thread may take as long as it needs. (On sqlx,
//! each query was two round trips to that thread: the query, then a ping when the connection
//! went back to the pool; a search by INS cost 220 µs of CPU that way, 145 µs here.) Every
//! write stays on the writer thread.

use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, Row, types::Value};

use super::StoredVersion;
use super::sql::{SqlQuery, SqlValue};
use crate::fhir::Instant;

/// Connections kept idle at most (one per thread that reads at once; more are opened on demand
/// and closed after use).
const MAX_IDLE: usize = 8;

/// Page cache per connection (KiB).
const CACHE_KIB: u32 = 16 * 1024;

/// Longest a query ([`Inline::rows_within`]) runs on the calling thread: a search by INS or a
/// record's page of documents takes well under a millisecond; a search that scans more is
/// interrupted and runs on the pool's thread.
const BUDGET: std::time::Duration = std::time::Duration::from_millis(2);

/// SQLite virtual-machine steps between two looks at the clock.
const PROGRESS_STEPS: i32 = 4000;

/// A database error of a direct read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DirectError(#[from] rusqlite::Error);

/// Read connections to one SQLite database file, used on the caller's thread.
#[derive(Debug)]
pub(super) struct Inline {
    path: String,
    idle: Mutex<Vec<Connection>>,
}

impl Inline {
    /// Direct reads of the database at `path` (opened lazily, read only).
    pub(super) fn new(path: &str) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Closes the idle connections (those in use close when their read ends).
    pub(super) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    /// Every row of `q` as versions.
    pub(super) fn versions(&self, q: &SqlQuery) -> Result<Vec<StoredVersion>, DirectError> {
        self.with(|conn| all_rows(conn, q, version_from_row))
    }

    /// Every row of `q`, mapped by `map`, if the query runs within [`BUDGET`] here; `None` when
    /// SQLite interrupted it for taking longer (the caller runs it on the pool instead: a long
    /// search must not hold a runtime thread).
    pub(super) fn rows_within<T>(
        &self,
        q: &SqlQuery,
        mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<Vec<T>>, DirectError> {
        let out = self.with(|conn| {
            let started = std::time::Instant::now();
            conn.progress_handler(PROGRESS_STEPS, Some(move || started.elapsed() > BUDGET));
            let out = all_rows(conn, q, &mut map);
            conn.progress_handler(0, None::<fn() -> bool>);
            out
        });
        match out {
            Ok(rows) => Ok(Some(rows)),
            Err(DirectError(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The query plan `sql` gets on one of these connections, once it has seen the current
    /// schema.
    #[cfg(test)]
    pub(super) fn plan_of(&self, sql: &str) -> Result<String, DirectError> {
        self.with(|conn| {
            conn.query_row("SELECT COUNT(*) FROM audit_trail", [], |r| {
                r.get::<_, i64>(0)
            })?;
            conn.query_row(&format!("EXPLAIN QUERY PLAN {sql}"), [], |r| r.get(3))
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, DirectError> {
        let conn = match self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            Some(conn) => conn,
            None => self.open()?,
        };
        let out = f(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
        Ok(out?)
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(&format!("PRAGMA cache_size = -{CACHE_KIB};"))?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }
}

/// Every row of `q` on `conn`, mapped by `map`.
fn all_rows<T>(
    conn: &Connection,
    q: &SqlQuery,
    mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(&q.sql)?;
    bind(&mut stmt, &q.values)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// Binds `values` to the statement's `$n` placeholders (numbered from 1, as sqlx writes them).
fn bind(stmt: &mut rusqlite::CachedStatement<'_>, values: &[SqlValue]) -> rusqlite::Result<()> {
    for i in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$').or_else(|| name.strip_prefix('?')))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(i);
        let value = match values.get(n - 1) {
            Some(SqlValue::Text(s)) => Value::Text(s.clone()),
            Some(SqlValue::Int(v)) => Value::Integer(*v),
            Some(SqlValue::Float(v)) => Value::Real(*v),
            None => Value::Null,
        };
        stmt.raw_bind_parameter(i, value)?;
    }
    Ok(())
}

/// The version in a row selecting `VERSION_COLUMNS`.
pub(super) fn version_from_row(row: &Row<'_>) -> rusqlite::Result<StoredVersion> {
    Ok(super::read::stored(StoredVersion {
        seq: row.get(0)?,
        res_type: row.get(1)?,
        id: row.get(2)?,
        version: row.get(3)?,
        last_updated: Instant(row.get(4)?),
        deleted: row.get::<_, i64>(5)? != 0,
        method: row.get(6)?,
        content: row.get(7)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_bind_by_their_number() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let db = Connection::open(&path).expect("open");
        db.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE v (seq INTEGER, res_type TEXT, res_id TEXT, \
             version INTEGER, last_updated INTEGER, deleted INTEGER, method TEXT, content BLOB); \
             INSERT INTO v VALUES (1, 'Patient', 'a', 1, 10, 0, 'POST', X'7B7D'), \
             (2, 'Patient', 'b', 2, 20, 0, 'PUT', X'7B7D');",
        )
        .expect("schema");
        let inline = Inline::new(path.to_str().expect("utf-8"));
        let q = SqlQuery {
            sql: "SELECT seq, res_type, res_id, version, last_updated, deleted, method, content \
                  FROM v WHERE version = $2 AND res_type = $1"
                .to_owned(),
            values: vec![SqlValue::Text("Patient".into()), SqlValue::Int(2)],
        };
        let found = inline.versions(&q).expect("query").remove(0);
        assert_eq!((found.id.as_str(), found.method.as_str()), ("b", "PUT"));
        assert_eq!(found.content.as_deref(), Some(&b"{}"[..]));
        assert_eq!(inline.versions(&q).expect("query").len(), 1);
        // The connection went back to the idle list and serves the next read.
        assert_eq!(inline.idle.lock().map(|i| i.len()).unwrap_or(0), 1);
        drop(db);
    }

    /// A query past the budget is interrupted here and answered by the pool, whole.
    #[tokio::test]
    async fn a_long_query_leaves_the_calling_thread_and_still_answers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = super::super::Store::connect(&url).await.expect("store");
        let inline = store.inline.clone().expect("direct reads");
        let count = |n: i64| SqlQuery {
            sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $1) \
                  SELECT COUNT(*) FROM c"
                .to_owned(),
            values: vec![SqlValue::Int(n)],
        };
        let quick = inline.rows_within(&count(10), |r| r.get::<_, i64>(0));
        assert_eq!(quick.expect("quick").as_deref(), Some(&[10][..]));
        let long = inline.rows_within(&count(20_000_000), |r| r.get::<_, i64>(0));
        assert!(long.expect("interrupted, not failed").is_none());
        // The same connection, reused, runs the next quick query in full.
        let again = inline.rows_within(&count(7), |r| r.get::<_, i64>(0));
        assert_eq!(again.expect("again").as_deref(), Some(&[7][..]));
        assert_eq!(
            store.count(&count(3_000_000)).await.expect("count"),
            3_000_000
        );
    }
}
