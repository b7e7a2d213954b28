//! The durable audit sink with group commit: requests hand their AuditEvent (and emergency
//! notices) to one writer task, which commits everything that is waiting in one store commit and
//! then answers each request. A request's response waits for its commit, so the trail is durable
//! before the response leaves, and many concurrent requests share one transaction and one fsync.

use tokio::sync::{mpsc, oneshot};

use crate::store::{Store, StoreError, WriteOp};

/// Events committed together at most.
const MAX_BATCH: usize = 512;

type Job = (Vec<WriteOp>, oneshot::Sender<Result<(), String>>);

/// Handle to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuditSink {
    jobs: mpsc::Sender<Job>,
}

impl AuditSink {
    /// Starts the writer task on `store` (needs a Tokio runtime).
    pub fn start(store: Store) -> Self {
        let (jobs, rx) = mpsc::channel(4096);
        tokio::spawn(writer(store, rx));
        Self { jobs }
    }

    /// Commits `ops` (new resources: AuditEvents, Communications) durably; returns once they are.
    ///
    /// Fails with the database error text when the commit fails, or when the writer is gone.
    pub async fn record(&self, ops: Vec<WriteOp>) -> Result<(), String> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send((ops, tx))
            .await
            .map_err(|_| "the audit writer has stopped".to_owned())?;
        rx.await
            .map_err(|_| "the audit writer has stopped".to_owned())?
    }
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
        let ops: Vec<WriteOp> = batch
            .iter()
            .flat_map(|(ops, _)| ops.iter().cloned())
            .collect();
        match store.commit(&ops).await {
            Ok(_) => {
                for (_, reply) in batch {
                    let _ = reply.send(Ok(()));
                }
            }
            // One bad job must not fail the others: commit them one by one.
            Err(_) => {
                for (ops, reply) in batch {
                    let r = store
                        .commit(&ops)
                        .await
                        .map(|_| ())
                        .map_err(|e: StoreError| e.to_string());
                    let _ = reply.send(r);
                }
            }
        }
    }
}
