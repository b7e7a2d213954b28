//! SQLite's writer: a thread of its own owns the one connection that commits. sqlx runs each
//! SQLite connection on a thread too, but every statement of a commit was a message to it and a
//! wake-up back (a dozen per group commit); here a whole batch runs on the thread in one go, and
//! the only hand-offs are the jobs coming in and the answers going out. Restart checkpoints and
//! the filing of the trail run here as well, in turn with the commits (from another connection
//! they would wait for the write lock, which back-to-back commits seldom leave free).

use std::sync::{Arc, mpsc};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::exec::{DirectExec, Exec};
use super::group::{Job, MAX_BATCH, finish, process, stopped};
use super::inline::DirectError;
use super::journal::Pending;
use super::plan;
use super::trail::LoggedEvent;
use super::{Dialect, StoreError};

/// What the thread is asked to do.
enum Work {
    Commit(Job),
    /// A `RESTART` checkpoint, waiting at most this long for the WAL's readers.
    Restart(Duration, oneshot::Sender<Result<(), StoreError>>),
    /// Runs statements without values (`ANALYZE`).
    Batch(&'static str, oneshot::Sender<Result<(), StoreError>>),
    /// Files the trail under its records; the last `seq` filed.
    FileTrail(oneshot::Sender<Result<i64, StoreError>>),
    /// Moves the journal's pending events into the trail table (answering when asked to).
    MoveTrail(
        Arc<Pending>,
        Option<oneshot::Sender<Result<(), StoreError>>>,
    ),
    /// Closes the connection and ends the thread.
    Close(oneshot::Sender<()>),
}

/// The settings of the writer connection.
pub(super) struct Settings {
    /// Page cache (KiB).
    pub cache_kib: u32,
    /// How long a statement waits for a lock another connection holds.
    pub busy: Duration,
    /// Bytes the WAL is cut back to when it rewinds.
    pub wal_size_limit: i64,
}

/// The writer thread's queue; the thread ends when every handle is gone or on [`Handle::close`].
#[derive(Debug, Clone)]
pub(super) struct Handle {
    tx: mpsc::Sender<Work>,
}

impl Handle {
    /// Opens the writer connection to the database at `path` and starts its thread.
    pub(super) fn start(path: &str, settings: &Settings) -> Result<Self, StoreError> {
        let conn = open(path, settings).map_err(DirectError::from)?;
        let (tx, rx) = mpsc::channel();
        let busy = settings.busy;
        std::thread::Builder::new()
            .name("carnet-writer".into())
            .spawn(move || run(DirectExec(conn), busy, &rx))
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(Self { tx })
    }

    /// Hands `job` to the thread; gives it back when the thread has ended.
    pub(super) fn commit(&self, job: Job) -> Result<(), Job> {
        match self.tx.send(Work::Commit(job)) {
            Err(mpsc::SendError(Work::Commit(job))) => Err(job),
            // Sent (or, never, something else came back: its reply went with it).
            _ => Ok(()),
        }
    }

    /// A `RESTART` checkpoint on the writer connection, waiting at most `wait` for readers.
    pub(super) async fn restart(&self, wait: Duration) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Work::Restart(wait, reply))
            .map_err(|_| stopped())?;
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Runs `sql` (statements without values) on the writer connection.
    pub(super) async fn batch(&self, sql: &'static str) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Work::Batch(sql, reply))
            .map_err(|_| stopped())?;
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Files the trail under its records (see `trail.rs`); the last `seq` filed.
    pub(super) async fn file_trail(&self) -> Result<i64, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Work::FileTrail(reply))
            .map_err(|_| stopped())?;
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Moves the events `pending` holds into the trail table; answers on `reply` once they are
    /// (or at once, with an error, when the thread has ended).
    pub(super) fn move_trail(
        &self,
        pending: Arc<Pending>,
        reply: Option<oneshot::Sender<Result<(), StoreError>>>,
    ) {
        if let Err(mpsc::SendError(Work::MoveTrail(_, Some(reply)))) =
            self.tx.send(Work::MoveTrail(pending, reply))
        {
            let _ = reply.send(Err(stopped()));
        }
    }

    /// Moves the events `pending` holds into the trail table; returns once they are.
    pub(super) async fn move_trail_now(&self, pending: Arc<Pending>) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.move_trail(pending, Some(reply));
        rx.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Ends the thread once the work before has run, closing its connection.
    pub(super) async fn close(&self) {
        let (ack, rx) = oneshot::channel();
        if self.tx.send(Work::Close(ack)).is_ok() {
            let _ = rx.await;
        }
    }
}

fn open(path: &str, s: &Settings) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    // Its WAL writes are gathered (gather.rs), which is safe with synchronous=FULL only.
    let conn = match super::gather::register() {
        Ok(()) => Connection::open_with_flags_and_vfs(path, flags, super::gather::NAME)?,
        Err(rc) => {
            tracing::warn!(
                rc,
                "the gathering VFS is unavailable; the writer uses the default"
            );
            Connection::open_with_flags(path, flags)?
        }
    };
    conn.busy_timeout(s.busy)?;
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {}; \
         PRAGMA temp_store = MEMORY;",
        s.cache_kib, s.wal_size_limit
    ))?;
    // The gathered WAL writes are durable only if every commit syncs the WAL.
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    if sync < 2 {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISUSE),
            Some(format!("the writer needs synchronous=FULL, not {sync}")),
        ));
    }
    // Every statement shape of a commit (a few per table and chunk size) stays prepared.
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

fn run(mut e: DirectExec, busy: Duration, rx: &mpsc::Receiver<Work>) {
    let mut next: Option<Work> = None;
    loop {
        let work = match next.take() {
            Some(work) => work,
            None => match rx.recv() {
                Ok(work) => work,
                Err(_) => return,
            },
        };
        match work {
            Work::Commit(first) => {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(Work::Commit(job)) => batch.push(job),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                // The direct executor never waits: the future completes in one poll.
                futures::executor::block_on(process(&mut e, Dialect::Sqlite, batch));
            }
            Work::Restart(wait, reply) => {
                let _ = reply
                    .send(restart(&e.0, wait, busy).map_err(|err| DirectError::from(err).into()));
            }
            Work::Batch(sql, reply) => {
                let done = e.0.execute_batch(sql).map_err(DirectError::from);
                let _ = reply.send(done.map_err(Into::into));
            }
            Work::MoveTrail(pending, reply) => {
                let moved = futures::executor::block_on(move_trail(&mut e, &pending));
                if let Err(err) = &moved {
                    tracing::error!(error = %err, "moving the trail's journal into the database failed");
                }
                if let Some(reply) = reply {
                    let _ = reply.send(moved);
                }
            }
            Work::FileTrail(reply) => {
                let _ = reply.send(futures::executor::block_on(super::trail::file_in(&mut e)));
            }
            Work::Close(ack) => {
                drop(e);
                let _ = ack.send(());
                return;
            }
        }
    }
}

/// Moves the events waiting in `pending` into `audit_trail` in one transaction, which also
/// records how far the journal has moved; on failure they wait for the next move.
async fn move_trail(e: &mut DirectExec, pending: &Pending) -> Result<(), StoreError> {
    let events = pending.take();
    let Some(&(last, _)) = events.last() else {
        return Ok(());
    };
    let rows: Vec<&LoggedEvent> = events.iter().map(|(_, event)| event).collect();
    e.begin().await?;
    let applied = async {
        e.run(&plan::events(Dialect::Sqlite, e.undo(), &rows, false))
            .await?;
        e.raw(&format!("UPDATE trail_journal SET seq = {last}"))
            .await
    }
    .await;
    match finish(e, applied).await {
        Ok(()) => {
            pending.moved(last, events.len());
            Ok(())
        }
        Err(err) => {
            pending.put_back(events);
            Err(err)
        }
    }
}

fn restart(conn: &Connection, wait: Duration, busy: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(wait)?;
    let done = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
    conn.busy_timeout(busy)?;
    done
}
