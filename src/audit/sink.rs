//! The durable audit sink and the trail indexer.
//!
//! A request's AuditEvent goes to the trail queue (`audit_log`: one compact row) through the
//! store's group commit (many requests, one transaction and one fsync); emergency notices are
//! written as resources in the same commit. The response waits until its trail is durable.
//!
//! The indexer moves queued AuditEvents into the resource store (versions, search index,
//! access facts) a few per transaction, off the requests' path and with at most a quarter
//! of the time (indexing an AuditEvent costs some forty B-tree inserts, many times the request it
//! traces): when the queue grows, every [`INDEX_EVERY`], and at full speed on
//! [`AuditSink::flush`], which a request that can reach AuditEvents calls first so that it sees
//! every event acknowledged before it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::{Mutex, Notify};

use crate::store::{LoggedEvent, Store, WriteOp};

/// Queued AuditEvents indexed per background transaction: a short hold of the single writer
/// (fifty made the requests' commits wait long enough to triple their p99).
const INDEX_BATCH: i64 = 10;
/// Queued AuditEvents indexed per transaction by a flush, which a request waits for: 1,000
/// indexed a backlog of 100,000 at ~4,900 events/s against ~4,000 with 200, each transaction
/// holding the writer ~0.2 s.
const FLUSH_BATCH: i64 = 1000;
/// The indexer wakes this often, and whenever this many events were queued since it last ran.
pub const INDEX_EVERY: Duration = Duration::from_millis(500);
const INDEX_AFTER: usize = 2000;
/// The background indexer rests this many times as long as it worked.
const IDLE_PER_BUSY: u32 = 3;

/// Turns a queued AuditEvent into its first version (stamping, index rows, facts).
pub type Indexing = Arc<
    dyn Fn(LoggedEvent) -> futures::future::BoxFuture<'static, Result<WriteOp, String>>
        + Send
        + Sync,
>;

struct Shared {
    store: Store,
    indexing: OnceLock<Indexing>,
    /// Held while indexing: one indexer per process at a time.
    running: Mutex<()>,
    wake: Notify,
    queued: AtomicUsize,
}

/// Handle to the trail queue and its indexer; cheap to clone.
#[derive(Clone)]
pub struct AuditSink {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for AuditSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditSink").finish_non_exhaustive()
    }
}

impl AuditSink {
    /// A sink on `store`. Queued events are indexed once [`AuditSink::start_indexer`] has said
    /// how.
    pub fn start(store: Store) -> Self {
        let shared = Arc::new(Shared {
            store,
            indexing: OnceLock::new(),
            running: Mutex::new(()),
            wake: Notify::new(),
            queued: AtomicUsize::new(0),
        });
        Self { shared }
    }

    /// Starts the background indexer with `indexing` (needs a Tokio runtime); it first drains
    /// what an earlier run left.
    pub fn start_indexer(&self, indexing: Indexing) {
        if self.shared.indexing.set(indexing).is_err() {
            return;
        }
        let shared = self.shared.clone();
        tokio::spawn(async move {
            loop {
                let started = std::time::Instant::now();
                match index_batch(&shared, INDEX_BATCH).await {
                    // At most a quarter of the time: under a peak the queue grows, and it is
                    // caught up when the load falls (or by the next flush).
                    Ok(n) if n > 0 => tokio::time::sleep(started.elapsed() * IDLE_PER_BUSY).await,
                    Ok(_) => {
                        let _ = tokio::time::timeout(INDEX_EVERY, shared.wake.notified()).await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "trail indexing failed; retrying");
                        tokio::time::sleep(INDEX_EVERY).await;
                    }
                }
            }
        });
    }

    /// Commits `ops` (resources: emergency notices) and queues `events` (AuditEvents) durably;
    /// returns once they are.
    ///
    /// Fails with the database error text when the commit fails.
    pub async fn record(&self, ops: Vec<WriteOp>, events: Vec<LoggedEvent>) -> Result<(), String> {
        let n = events.len();
        self.shared
            .store
            .commit_with_events(ops, events)
            .await
            .map_err(|e| e.to_string())?;
        self.queued(n);
        Ok(())
    }

    /// Counts `n` AuditEvents queued by a commit of their own (a write's, which carries its
    /// event): the indexer wakes after [`INDEX_AFTER`] of them.
    pub fn queued(&self, n: usize) {
        if self.shared.queued.fetch_add(n, Ordering::Relaxed) + n >= INDEX_AFTER {
            self.shared.queued.store(0, Ordering::Relaxed);
            self.shared.wake.notify_one();
        }
    }

    /// Indexes every AuditEvent queued so far (by any node), so that a read or search that
    /// follows sees them.
    ///
    /// # Errors
    /// The database error text.
    pub async fn flush(&self) -> Result<(), String> {
        while index_batch(&self.shared, FLUSH_BATCH).await? > 0 {}
        Ok(())
    }
}

/// Indexes the oldest queued AuditEvents (one transaction); returns how many were queued
/// (0: the queue is empty, or no indexing function was given).
async fn index_batch(shared: &Shared, limit: i64) -> Result<usize, String> {
    let Some(indexing) = shared.indexing.get() else {
        return Ok(0);
    };
    let _running = shared.running.lock().await;
    let queued = shared
        .store
        .queued_events(limit)
        .await
        .map_err(|e| e.to_string())?;
    let n = queued.len();
    if n == 0 {
        return Ok(0);
    }
    let seqs: Vec<i64> = queued.iter().map(|e| e.seq).collect();
    let mut ops = Vec::with_capacity(n);
    for event in queued {
        ops.push(indexing(event).await?);
    }
    // Another node may have claimed some rows first: then the next batch reads the queue again.
    shared
        .store
        .commit_claimed(&seqs, &ops)
        .await
        .map_err(|e| e.to_string())?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::Instant;

    fn version_of(e: LoggedEvent) -> WriteOp {
        WriteOp {
            res_type: "AuditEvent".into(),
            id: e.id,
            version: 1,
            last_updated: e.at,
            method: "POST",
            content: Some(e.content),
            index: Vec::new(),
            access: Some(Vec::new()),
        }
    }

    #[tokio::test]
    async fn queued_events_are_durable_and_indexed_exactly_once_across_nodes() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        let other_node = Store::connect(&url).await.unwrap();
        let sink = AuditSink::start(store.clone());
        let events: Vec<LoggedEvent> = (0..5)
            .map(|i| LoggedEvent {
                seq: 0,
                id: format!("e{i}"),
                at: Instant(1_700_000_000_000 + i),
                content: br#"{"resourceType":"AuditEvent"}"#.to_vec(),
            })
            .collect();
        sink.record(Vec::new(), events).await.unwrap();
        // Acknowledged means queued on disk: another handle on the database sees them.
        let queued = other_node.queued_events(100).await.unwrap();
        assert_eq!(queued.len(), 5);
        assert_eq!(queued[4].id, "e4");
        // Without an indexer a flush changes nothing.
        sink.flush().await.unwrap();
        assert_eq!(store.queued_events(100).await.unwrap().len(), 5);
        // Another node claims two first: a claim that overlaps it loses and writes nothing.
        let seqs: Vec<i64> = queued.iter().map(|e| e.seq).collect();
        let two: Vec<WriteOp> = queued[..2].iter().cloned().map(version_of).collect();
        assert!(other_node.commit_claimed(&seqs[..2], &two).await.unwrap());
        let all: Vec<WriteOp> = queued.iter().cloned().map(version_of).collect();
        assert!(!store.commit_claimed(&seqs, &all).await.unwrap());
        assert!(store.current("AuditEvent", "e4").await.unwrap().is_none());
        // The indexer drains the rest, each event once.
        sink.start_indexer(Arc::new(|e| Box::pin(async move { Ok(version_of(e)) })));
        sink.flush().await.unwrap();
        assert!(store.queued_events(100).await.unwrap().is_empty());
        for i in 0..5 {
            let v = store.current("AuditEvent", &format!("e{i}")).await.unwrap();
            assert_eq!(v.map(|v| v.version), Some(1), "e{i}");
        }
    }
}
