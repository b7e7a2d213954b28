//! Group commit: every [`Store::commit`] and trail append of a process goes to one writer task,
//! which commits all that is waiting in one database transaction (one fsync), each caller's ops
//! in their own savepoint, so that one caller's conflict rolls back only its own ops. A caller
//! gets its answer once the shared transaction is durable.

use std::sync::Arc;

use sqlx::{Any, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{LoggedEvent, Store, StoreError, WriteOp};

/// Callers committed together at most.
const MAX_BATCH: usize = 256;

/// One caller's commit.
pub(super) struct Job {
    pub ops: Vec<WriteOp>,
    pub events: Vec<LoggedEvent>,
    pub reply: oneshot::Sender<Result<Vec<WriteOp>, StoreError>>,
}

/// The writer's queue, shared by the clones of a [`Store`].
pub(super) type Queue = Arc<std::sync::OnceLock<mpsc::Sender<Job>>>;

impl Store {
    /// Starts the writer task (needs a Tokio runtime); until then commits run one by one.
    pub(super) fn start_group_commit(&self) {
        let (tx, rx) = mpsc::channel(4096);
        if self.group.set(tx).is_ok() {
            tokio::spawn(writer(self.clone(), rx));
        }
    }

    /// Commits `ops` and `events` through the writer task, or directly when there is none (or it
    /// has stopped); the ops come back once durable.
    pub(super) async fn grouped(
        &self,
        ops: Vec<WriteOp>,
        events: Vec<LoggedEvent>,
    ) -> Result<Vec<WriteOp>, StoreError> {
        let Some(queue) = self.group.get() else {
            return self.commit_one(ops, &events).await;
        };
        let (reply, rx) = oneshot::channel();
        if let Err(mpsc::error::SendError(job)) = queue.send(Job { ops, events, reply }).await {
            return self.commit_one(job.ops, &job.events).await;
        }
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// One caller's ops in a transaction of their own.
    async fn commit_one(
        &self,
        ops: Vec<WriteOp>,
        events: &[LoggedEvent],
    ) -> Result<Vec<WriteOp>, StoreError> {
        let mut tx = self.write.begin().await?;
        self.apply_job(&mut tx, &ops, events).await?;
        tx.commit().await?;
        self.wrote(&ops);
        Ok(ops)
    }

    async fn apply_job(
        &self,
        tx: &mut Transaction<'_, Any>,
        ops: &[WriteOp],
        events: &[LoggedEvent],
    ) -> Result<(), StoreError> {
        self.apply_all(tx, ops).await?;
        let events: Vec<&LoggedEvent> = events.iter().collect();
        self.append_events(tx, &events).await
    }
}

fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let trail: usize = batch.iter().map(|j| j.events.len()).sum();
        if batch.iter().all(|j| j.ops.is_empty())
            && (1..=super::trail::ONE_STATEMENT).contains(&trail)
        {
            let events: Vec<&LoggedEvent> = batch.iter().flat_map(|j| &j.events).collect();
            let r = store.append_events_alone(&events).await;
            for job in batch {
                let r = match &r {
                    Ok(()) => Ok(Vec::new()),
                    Err(e) => Err(shared_failure(e)),
                };
                let _ = job.reply.send(r);
            }
            continue;
        }
        if batch.len() == 1 {
            let job = batch.remove(0);
            let r = store.commit_one(job.ops, &job.events).await;
            let _ = job.reply.send(r);
            continue;
        }
        match commit_batch(&store, &batch).await {
            Ok(results) => {
                for (job, r) in batch.into_iter().zip(results) {
                    let r = r.map(|()| {
                        store.wrote(&job.ops);
                        job.ops
                    });
                    let _ = job.reply.send(r);
                }
            }
            // The shared transaction failed as a whole (begin or commit): nothing of it landed.
            Err(e) => {
                for job in batch {
                    let _ = job.reply.send(Err(shared_failure(&e)));
                }
            }
        }
    }
}

/// What each caller of a shared commit that failed as a whole gets.
fn shared_failure(e: &StoreError) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(e.to_string()))
}

/// Every job of `batch` in one transaction; the per-job results. Most jobs cannot fail (creates,
/// trail appends), so the batch first runs as one: every job's versions, then their index rows,
/// facts and trail rows in shared statements. When that fails, the transaction is rolled back
/// and the batch runs again with each job in a savepoint, so that only the failing jobs fail.
async fn commit_batch(
    store: &Store,
    batch: &[Job],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    if commit_together(store, batch).await? {
        return Ok(batch.iter().map(|_| Ok(())).collect());
    }
    commit_apart(store, batch).await
}

/// The jobs of `batch` as one write; `false` (nothing committed) when it fails.
async fn commit_together(store: &Store, batch: &[Job]) -> Result<bool, StoreError> {
    let mut tx = store.write.begin().await?;
    let ops: Vec<&WriteOp> = batch.iter().flat_map(|j| &j.ops).collect();
    let events: Vec<&LoggedEvent> = batch.iter().flat_map(|j| &j.events).collect();
    let applied = async {
        store.apply_refs(&mut tx, &ops).await?;
        store.append_events(&mut tx, &events).await
    };
    if applied.await.is_err() {
        tx.rollback().await?;
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// The jobs of `batch` in one transaction, each job with resources in a savepoint. The trail
/// rows of the jobs that only append to the trail go in one statement at the end (an append
/// cannot conflict: if it fails, the transaction fails as a whole).
async fn commit_apart(
    store: &Store,
    batch: &[Job],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let mut tx = store.write.begin().await?;
    let mut results = Vec::with_capacity(batch.len());
    let mut trail_only: Vec<&LoggedEvent> = Vec::new();
    for job in batch {
        if job.ops.is_empty() {
            trail_only.extend(&job.events);
            results.push(Ok(()));
            continue;
        }
        sqlx::query("SAVEPOINT grouped").execute(&mut *tx).await?;
        let r = store.apply_job(&mut tx, &job.ops, &job.events).await;
        if r.is_err() {
            sqlx::query("ROLLBACK TO SAVEPOINT grouped")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("RELEASE SAVEPOINT grouped")
            .execute(&mut *tx)
            .await?;
        results.push(r);
    }
    store.append_events(&mut tx, &trail_only).await?;
    tx.commit().await?;
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
}
