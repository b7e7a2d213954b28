//! The two executors of a plan (`plan.rs`): sqlx on one pooled connection (PostgreSQL), and a
//! direct SQLite connection on the writer's own thread (`writer.rs`), where a statement costs
//! no thread hop. Both report a broken unique key, or an update whose version check changed no
//! row, as [`StoreError::Conflict`] on the statement's resource.

use std::future::Future;

use sqlx::Executor;

use super::StoreError;
use super::inline::DirectError;
use super::plan::{Bind, Stmt, Undo};

/// Runs statements on one connection.
pub(super) trait Exec: Send {
    /// Runs `stmts` in order; the first failure stops them.
    fn run(&mut self, stmts: &[Stmt<'_>]) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Runs one statement without values (`BEGIN`, `SAVEPOINT …`).
    fn raw(&mut self, sql: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The first column of the first row of `sql`.
    fn scalar(&mut self, sql: &str) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Opens a write transaction.
    fn begin(&mut self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Ends the transaction: commits it when `commit`, else rolls it back (a transaction a
    /// statement already rolled back is ended). Should this fail, the connection is not used
    /// again with the transaction open.
    fn end(&mut self, commit: bool) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// What a broken constraint may undo in a transaction that fails as a whole anyway (see
    /// [`Undo`]).
    fn undo(&self) -> Undo;
}

fn conflict(on: (&str, &str)) -> StoreError {
    StoreError::Conflict {
        res_type: on.0.to_owned(),
        id: on.1.to_owned(),
    }
}

/// Runs `stmts` in order on a sqlx connection (or transaction); the first failure stops them.
pub(super) async fn run_on(
    conn: &mut sqlx::AnyConnection,
    stmts: &[Stmt<'_>],
) -> Result<(), StoreError> {
    for s in stmts {
        let mut q = sqlx::query(&s.sql);
        for b in &s.binds {
            q = match b {
                Bind::Text(t) => q.bind(t.as_ref()),
                Bind::NullText(t) => q.bind(t.as_deref()),
                Bind::Int(v) => q.bind(*v),
                Bind::Float(v) => q.bind(*v),
                Bind::Blob(v) => q.bind(*v),
            };
        }
        match q.execute(&mut *conn).await {
            Ok(done) if s.must_change && done.rows_affected() == 0 => {
                return Err(conflict(s.conflict.unwrap_or_default()));
            }
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() && s.conflict.is_some() => {
                return Err(conflict(s.conflict.unwrap_or_default()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// sqlx on one connection of a pool.
pub(super) struct SqlxExec {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    /// Whether a transaction is open (the connection is then closed, not returned to the pool).
    open: bool,
}

impl SqlxExec {
    /// A connection of `pool`.
    pub(super) async fn acquire(pool: &sqlx::AnyPool) -> Result<Self, StoreError> {
        Ok(Self {
            conn: pool.acquire().await?,
            open: false,
        })
    }
}

impl Drop for SqlxExec {
    fn drop(&mut self) {
        if self.open {
            self.conn.close_on_drop();
        }
    }
}

impl Exec for SqlxExec {
    async fn run(&mut self, stmts: &[Stmt<'_>]) -> Result<(), StoreError> {
        run_on(&mut self.conn, stmts).await
    }

    async fn raw(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute(sql).await?;
        Ok(())
    }

    async fn scalar(&mut self, sql: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(sql).fetch_one(&mut *self.conn).await?)
    }

    async fn begin(&mut self) -> Result<(), StoreError> {
        self.open = true;
        self.raw("BEGIN").await
    }

    async fn end(&mut self, commit: bool) -> Result<(), StoreError> {
        let done = self.raw(if commit { "COMMIT" } else { "ROLLBACK" }).await;
        if done.is_ok() {
            self.open = false;
        }
        done
    }

    /// The statement: on PostgreSQL there is no other choice, and the sqlx connection to an
    /// SQLite database cannot tell whether a statement ended the transaction.
    fn undo(&self) -> Undo {
        Undo::Statement
    }
}

/// A direct SQLite connection, used on the thread that owns it.
pub(super) struct DirectExec(pub rusqlite::Connection);

impl DirectExec {
    fn run_now(&mut self, stmts: &[Stmt<'_>]) -> Result<(), StoreError> {
        for s in stmts {
            match self.run_one(s) {
                Ok(0) if s.must_change => return Err(conflict(s.conflict.unwrap_or_default())),
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if s.conflict.is_some()
                        && e.code == rusqlite::ErrorCode::ConstraintViolation
                        && matches!(
                            e.extended_code,
                            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                                | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                        ) =>
                {
                    return Err(conflict(s.conflict.unwrap_or_default()));
                }
                Err(e) => return Err(DirectError::from(e).into()),
            }
        }
        Ok(())
    }

    fn run_one(&mut self, s: &Stmt<'_>) -> rusqlite::Result<usize> {
        let mut stmt = self.0.prepare_cached(&s.sql)?;
        for (i, b) in s.binds.iter().enumerate() {
            let i = i + 1;
            match b {
                Bind::Text(t) => stmt.raw_bind_parameter(i, t.as_ref())?,
                Bind::NullText(t) => stmt.raw_bind_parameter(i, t.as_deref())?,
                Bind::Int(v) => stmt.raw_bind_parameter(i, v)?,
                Bind::Float(v) => stmt.raw_bind_parameter(i, v)?,
                Bind::Blob(v) => stmt.raw_bind_parameter(i, v)?,
            }
        }
        stmt.raw_execute()
    }
}

impl Exec for DirectExec {
    fn undo(&self) -> Undo {
        Undo::Transaction
    }

    async fn run(&mut self, stmts: &[Stmt<'_>]) -> Result<(), StoreError> {
        self.run_now(stmts)
    }

    async fn raw(&mut self, sql: &str) -> Result<(), StoreError> {
        self.0.execute_batch(sql).map_err(DirectError::from)?;
        Ok(())
    }

    async fn scalar(&mut self, sql: &str) -> Result<i64, StoreError> {
        Ok(self
            .0
            .query_row(sql, [], |row| row.get(0))
            .map_err(DirectError::from)?)
    }

    async fn begin(&mut self) -> Result<(), StoreError> {
        // The write lock at once: the sqlx write connection (`$reindex`, the trail's upgrade at
        // start) may write between a deferred transaction's first read and its first write.
        self.raw("BEGIN IMMEDIATE").await
    }

    async fn end(&mut self, commit: bool) -> Result<(), StoreError> {
        if !commit && self.0.is_autocommit() {
            // An `INSERT OR ROLLBACK` that broke a key has rolled the transaction back already.
            return Ok(());
        }
        let done = self.raw(if commit { "COMMIT" } else { "ROLLBACK" }).await;
        if !self.0.is_autocommit() {
            // A commit that failed leaves the transaction open: roll it back.
            let _ = self.0.execute_batch("ROLLBACK");
        }
        done
    }
}
