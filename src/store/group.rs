//! Group commit: every [`Store::commit`] and trail append of a process goes to one writer (a
//! task over sqlx, or on SQLite a thread of its own with a direct connection, `writer.rs`),
//! which commits all that is waiting in one database transaction (one fsync), each caller's ops
//! in their own savepoint, so that one caller's conflict rolls back only its own ops. A caller
//! gets its answer once the shared transaction is durable.

use tokio::sync::{mpsc, oneshot};

use super::exec::{Exec, SqlxExec};
use super::plan::Undo;
use super::{Dialect, LoggedEvent, Store, StoreError, WriteOp, plan};

/// Callers committed together at most.
pub(super) const MAX_BATCH: usize = 256;

/// One caller's commit.
pub(super) struct Job {
    pub ops: Vec<WriteOp>,
    pub events: Vec<LoggedEvent>,
    pub reply: oneshot::Sender<Result<Vec<WriteOp>, StoreError>>,
}

/// Where commits go.
#[derive(Debug)]
pub(super) enum Route {
    /// The writer task (sqlx).
    Task(mpsc::Sender<Job>),
    /// SQLite's writer thread.
    Thread(super::writer::Handle),
}

/// The writer's queue (shared by the clones of a [`Store`] through their parts).
pub(super) type Queue = std::sync::OnceLock<Route>;

impl Store {
    /// Starts the writer (the task needs a Tokio runtime); until then commits run one by one.
    pub(super) fn start_group_commit(&self) {
        if self.group.get().is_some() {
            return;
        }
        if let Some(writer) = self.writer.as_ref() {
            let _ = self.group.set(Route::Thread(writer.clone()));
            return;
        }
        let (tx, rx) = mpsc::channel(4096);
        if self.group.set(Route::Task(tx)).is_ok() {
            tokio::spawn(writer_task(self.write.clone(), self.dialect, rx));
        }
    }

    /// Commits `ops` and `events` through the writer, or directly when there is none (or it
    /// has stopped); the ops come back once durable.
    pub(super) async fn grouped(
        &self,
        ops: Vec<WriteOp>,
        events: Vec<LoggedEvent>,
    ) -> Result<Vec<WriteOp>, StoreError> {
        let written = ops.len();
        let (reply, rx) = oneshot::channel();
        let job = Job { ops, events, reply };
        let unsent = match self.group.get() {
            None => Some(job),
            Some(Route::Task(queue)) => queue.send(job).await.err().map(|e| e.0),
            Some(Route::Thread(writer)) => writer.commit(job).err(),
        };
        let done = match unsent {
            Some(job) => {
                let mut e = SqlxExec::acquire(&self.write).await?;
                commit_one(&mut e, self.dialect, &job.ops, &job.events)
                    .await
                    .map(|()| job.ops)
            }
            None => rx.await.unwrap_or_else(|_| Err(stopped())),
        };
        if done.is_ok() {
            self.wrote(written);
        }
        done
    }
}

pub(super) fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

async fn writer_task(pool: sqlx::AnyPool, dialect: Dialect, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match SqlxExec::acquire(&pool).await {
            Ok(mut e) => process(&mut e, dialect, batch).await,
            Err(e) => {
                for job in batch {
                    let _ = job.reply.send(Err(shared_failure(&e)));
                }
            }
        }
    }
}

/// Commits `batch` on `e` and answers each of its callers.
pub(super) async fn process<E: Exec>(e: &mut E, dialect: Dialect, mut batch: Vec<Job>) {
    let trail: usize = batch.iter().map(|j| j.events.len()).sum();
    if batch.iter().all(|j| j.ops.is_empty()) && (1..=super::trail::ONE_STATEMENT).contains(&trail)
    {
        // Only trail rows: one statement, outside any transaction.
        let events: Vec<&LoggedEvent> = batch.iter().flat_map(|j| &j.events).collect();
        let r = e
            .run(&plan::events(dialect, Undo::Statement, &events, true))
            .await;
        for job in batch {
            let r = match &r {
                Ok(()) => Ok(Vec::new()),
                Err(e) => Err(shared_failure(e)),
            };
            let _ = job.reply.send(r);
        }
        return;
    }
    if batch.len() == 1 {
        let job = batch.remove(0);
        let r = commit_one(e, dialect, &job.ops, &job.events).await;
        let _ = job.reply.send(r.map(|()| job.ops));
        return;
    }
    match commit_batch(e, dialect, &batch).await {
        Ok(results) => {
            for (job, r) in batch.into_iter().zip(results) {
                let _ = job.reply.send(r.map(|()| job.ops));
            }
        }
        // The shared transaction failed as a whole (begin or commit): nothing of it landed.
        Err(err) => {
            for job in batch {
                let _ = job.reply.send(Err(shared_failure(&err)));
            }
        }
    }
}

/// What each caller of a shared commit that failed as a whole gets.
fn shared_failure(e: &StoreError) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(e.to_string()))
}

/// The statements of one job: its ops, then its trail rows.
fn job_plan<'a>(
    dialect: Dialect,
    undo: Undo,
    ops: &'a [WriteOp],
    events: &'a [LoggedEvent],
) -> Vec<plan::Stmt<'a>> {
    let ops: Vec<&WriteOp> = ops.iter().collect();
    let events: Vec<&LoggedEvent> = events.iter().collect();
    plan_of(dialect, undo, &ops, &events)
}

/// The statements of `ops`, then of the trail rows `events`.
fn plan_of<'a>(
    dialect: Dialect,
    undo: Undo,
    ops: &[&'a WriteOp],
    events: &[&'a LoggedEvent],
) -> Vec<plan::Stmt<'a>> {
    let mut stmts = plan::ops(dialect, undo, ops);
    stmts.extend(plan::events(dialect, undo, events, false));
    stmts
}

/// One caller's ops in a transaction of their own.
pub(super) async fn commit_one<E: Exec>(
    e: &mut E,
    dialect: Dialect,
    ops: &[WriteOp],
    events: &[LoggedEvent],
) -> Result<(), StoreError> {
    e.begin().await?;
    let applied = e.run(&job_plan(dialect, e.undo(), ops, events)).await;
    finish(e, applied).await
}

/// Commits the open transaction when `applied`, else rolls it back and returns its error.
pub(super) async fn finish<E: Exec, T>(
    e: &mut E,
    applied: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match applied {
        Ok(value) => e.end(true).await.map(|()| value),
        Err(err) => {
            let _ = e.end(false).await;
            Err(err)
        }
    }
}

/// Every job of `batch` in one transaction; the per-job results. Most jobs cannot fail (creates,
/// trail appends), so the batch first runs as one: every job's versions, then their index rows,
/// facts and trail rows in shared statements. When that fails, the transaction is rolled back
/// and the batch runs again with each job in a savepoint, so that only the failing jobs fail.
async fn commit_batch<E: Exec>(
    e: &mut E,
    dialect: Dialect,
    batch: &[Job],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    if commit_together(e, dialect, batch).await? {
        return Ok(batch.iter().map(|_| Ok(())).collect());
    }
    e.begin().await?;
    let results = commit_apart(e, dialect, batch).await;
    finish(e, results).await
}

/// The jobs of `batch` as one write; `false` (nothing committed) when it fails.
async fn commit_together<E: Exec>(
    e: &mut E,
    dialect: Dialect,
    batch: &[Job],
) -> Result<bool, StoreError> {
    let ops: Vec<&WriteOp> = batch.iter().flat_map(|j| &j.ops).collect();
    let events: Vec<&LoggedEvent> = batch.iter().flat_map(|j| &j.events).collect();
    let stmts = plan_of(dialect, e.undo(), &ops, &events);
    e.begin().await?;
    if e.run(&stmts).await.is_err() {
        e.end(false).await?;
        return Ok(false);
    }
    e.end(true).await?;
    Ok(true)
}

/// The jobs of `batch` inside the open transaction, each job with resources in a savepoint.
/// The trail rows of the jobs that only append to the trail go in shared statements at the end
/// (an append cannot conflict: if it fails, the transaction fails as a whole).
async fn commit_apart<E: Exec>(
    e: &mut E,
    dialect: Dialect,
    batch: &[Job],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let mut results = Vec::with_capacity(batch.len());
    let mut trail_only: Vec<&LoggedEvent> = Vec::new();
    for job in batch {
        if job.ops.is_empty() {
            trail_only.extend(&job.events);
            results.push(Ok(()));
            continue;
        }
        e.raw("SAVEPOINT grouped").await?;
        let r = e
            .run(&job_plan(dialect, Undo::Statement, &job.ops, &job.events))
            .await;
        if r.is_err() {
            e.raw("ROLLBACK TO SAVEPOINT grouped").await?;
        }
        e.raw("RELEASE SAVEPOINT grouped").await?;
        results.push(r);
    }
    e.run(&plan::events(dialect, Undo::Statement, &trail_only, false))
        .await?;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::Instant;

    fn create(id: &str) -> Vec<WriteOp> {
        vec![WriteOp {
            res_type: "Basic".into(),
            id: id.into(),
            version: 1,
            last_updated: Instant(1_700_000_000_000),
            method: "POST",
            content: Some(format!(r#"{{"resourceType":"Basic","id":"{id}"}}"#).into_bytes()),
            index: Vec::new(),
            access: Some(Vec::new()),
        }]
    }

    #[tokio::test]
    async fn a_conflict_in_a_group_fails_only_its_own_commit() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        store.commit(create("taken")).await.unwrap();
        let commits = (0..40).map(|i| {
            let store = store.clone();
            let id = if i % 10 == 3 {
                "taken".to_owned()
            } else {
                format!("b{i}")
            };
            tokio::spawn(async move { store.commit(create(&id)).await })
        });
        let results: Vec<_> = futures::future::join_all(commits).await;
        for (i, r) in results.into_iter().enumerate() {
            let r = r.unwrap();
            if i % 10 == 3 {
                assert!(matches!(r, Err(StoreError::Conflict { .. })), "{i}: {r:?}");
            } else {
                assert!(r.is_ok(), "{i}: {r:?}");
                let v = store.current("Basic", &format!("b{i}")).await.unwrap();
                assert_eq!(v.map(|v| v.version), Some(1));
            }
        }
    }

    #[tokio::test]
    async fn trail_appends_share_a_batch_with_failing_commits() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        store.commit(create("taken")).await.unwrap();
        let jobs = (0..60).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                if i % 3 == 0 {
                    store.commit(create("taken")).await.map(drop)
                } else {
                    let event = LoggedEvent {
                        id: format!("e{i}"),
                        at: Instant(1_700_000_000_000 + i),
                        patients: vec![format!("p{}", i % 2)],
                        terms: String::new(),
                        content: br#"{"resourceType":"AuditEvent"}"#.to_vec(),
                    };
                    store
                        .commit_with_events(Vec::new(), vec![event])
                        .await
                        .map(drop)
                }
            })
        });
        for (i, r) in futures::future::join_all(jobs)
            .await
            .into_iter()
            .enumerate()
        {
            assert_eq!(r.unwrap().is_ok(), i % 3 != 0, "{i}");
        }
        for i in (0..60).filter(|i| i % 3 != 0) {
            let v = store.current("AuditEvent", &format!("e{i}")).await.unwrap();
            assert_eq!(v.map(|v| v.version), Some(1), "e{i}");
        }
    }

    #[tokio::test]
    async fn an_update_of_a_version_that_is_not_current_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        store.commit(create("u")).await.unwrap();
        let version = |v: i64| {
            let mut ops = create("u");
            ops[0].version = v;
            ops
        };
        // Two writers both read version 1 and write version 2: one of them wins.
        let (a, b) = tokio::join!(store.commit(version(2)), store.commit(version(2)));
        assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{a:?} {b:?}");
        // A version 4 when the current one is 2 skips one: refused, nothing written.
        let r = store.commit(version(4)).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        let v = store.current("Basic", "u").await.unwrap();
        assert_eq!(v.map(|v| v.version), Some(2));
        // What the writer acknowledged is in the file once it is closed and opened again.
        store.commit(version(3)).await.unwrap();
        store.close().await;
        let again = Store::connect(&url).await.unwrap();
        let v = again.current("Basic", "u").await.unwrap();
        assert_eq!(v.map(|v| v.version), Some(3));
    }
}
