//! Opening the pools and running the embedded migrations.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, ConnectOptions, Executor};

use super::{Dialect, Store, StoreError};

impl Store {
    /// Connect to `url` (`sqlite:…` or `postgres://…`), creating a SQLite file (and its folder) when missing,
    /// and bring the schema up to date. Fails on an unreachable database or an unknown URL scheme.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::from_url(url).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Configuration(
                format!("unsupported database URL (want sqlite: or postgres://): {url}").into(),
            ))
        })?;
        let store = match dialect {
            Dialect::Sqlite => Self::connect_sqlite(url).await?,
            Dialect::Postgres => Self::connect_postgres(url).await?,
        };
        store.migrate().await?;
        store.open_journal(url).await?;
        store.count_stored().await?;
        store.start_group_commit();
        store.start_filing();
        Ok(store)
    }

    async fn connect_sqlite(url: &str) -> Result<Self, StoreError> {
        ensure_sqlite_folder(url);
        let url = with_create_mode(url);
        // Page cache per connection (KiB): the writer's holds the index pages its inserts land
        // on (SQLite's default of 2 MiB made every index insert of a large database read pages).
        let options = |cache_kib: u32| {
            AnyPoolOptions::new()
                .acquire_timeout(Duration::from_secs(30))
                // A connection to a local file does not go stale: no ping (a round trip to the
                // connection's thread) before every use.
                .test_before_acquire(false)
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        conn.execute(format!("PRAGMA cache_size = -{cache_kib}").as_str())
                            .await?;
                        conn.execute(format!("PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}").as_str())
                            .await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // Checkpoints run in the background (see `checkpoints`), not inside the
                        // commit that happens to cross the threshold.
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                        // A WAL that grew during a burst is cut back to this size when it rewinds.
                        conn.execute(
                            format!("PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}").as_str(),
                        )
                        .await?;
                        // Statement journals of multi-row inserts stay in memory, not temp files.
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                        Ok(())
                    })
                })
        };
        let write = options(WRITER_CACHE_KIB)
            .max_connections(1)
            .connect(&url)
            .await?;
        write.execute("PRAGMA journal_mode = WAL").await?;
        let read = options(READER_CACHE_KIB)
            .max_connections(8)
            .connect(&url)
            .await?;
        // Passive checkpoints have a connection of their own, without sqlx's warning for
        // statements over a second (copying a large WAL may take longer, blocking no one).
        let quiet = url
            .parse::<sqlx::any::AnyConnectOptions>()?
            .disable_statement_logging();
        let checkpointer = options(CHECKPOINTER_CACHE_KIB)
            .max_connections(1)
            .connect_with(quiet)
            .await?;
        let path = sqlite_path(&url);
        let writer = match path {
            Some(path) => Some(super::writer::Handle::start(path, &WRITER)?),
            None => None,
        };
        let restarter = match &writer {
            Some(thread) => Restarter::Thread(thread.clone()),
            None => Restarter::Pool(write.clone()),
        };
        tokio::spawn(checkpoints(read.clone(), checkpointer, restarter));
        let inline = path.map(|p| std::sync::Arc::new(super::inline::Inline::new(p)));
        Ok(Self::assemble(read, write, Dialect::Sqlite, inline, writer))
    }

    async fn connect_postgres(url: &str) -> Result<Self, StoreError> {
        // Search statements are prepared once and run with very different values; PostgreSQL's generic
        // plan for them (chosen after five runs) was 250 times slower than the custom one, so plan each run.
        let pool: AnyPool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("SET plan_cache_mode = force_custom_plan")
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(Self::assemble(
            pool.clone(),
            pool,
            Dialect::Postgres,
            None,
            None,
        ))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self.dialect {
            Dialect::Sqlite => {
                sqlx::migrate!("src/store/migrations/sqlite")
                    .run(&self.write)
                    .await?
            }
            Dialect::Postgres => {
                sqlx::migrate!("src/store/migrations/postgres")
                    .run(&self.write)
                    .await?
            }
        }
        Ok(())
    }

    /// Tells the planner statistics what the database already holds.
    async fn count_stored(&self) -> Result<(), StoreError> {
        let versions: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE((SELECT MAX(seq) FROM resource_versions), 0) AS BIGINT)",
        )
        .fetch_one(&self.write)
        .await?;
        let analyzed = match self.dialect {
            // PostgreSQL's autovacuum analyzes on its own.
            Dialect::Postgres => true,
            Dialect::Sqlite => {
                // sqlite_stat1 exists from migration 0011 on, with the trail's fixed rows.
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'resource_versions'",
                )
                .fetch_one(&self.write)
                .await?
                    > 0
            }
        };
        self.stats
            .opened_with(u64::try_from(versions).unwrap_or(0), analyzed);
        Ok(())
    }

    /// Opens the trail's journal of a SQLite file (`<file>-trail`) and moves what the last run
    /// left in it into the trail table, before anything is served.
    async fn open_journal(&self, url: &str) -> Result<(), StoreError> {
        let (Some(writer), Some(path)) = (&self.writer, sqlite_path(url)) else {
            return Ok(());
        };
        let moved: i64 = sqlx::query_scalar("SELECT seq FROM trail_journal")
            .fetch_one(&self.write)
            .await?;
        let path = format!("{path}-trail");
        let opened = super::journal::Journal::open(
            &path,
            moved,
            writer.clone(),
            super::journal::RING_BYTES,
        )?;
        let Some((journal, recovered)) = opened else {
            tracing::warn!(
                "the trail's journal is held by another process: the trail goes through the database"
            );
            return Ok(());
        };
        if !recovered.is_empty() {
            tracing::info!(
                events = recovered.len(),
                "moving the trail's journal into the database"
            );
            journal.pending().hold(recovered);
            writer.move_trail_now(journal.pending().clone()).await?;
        }
        let _ = self.journal.set(journal);
        Ok(())
    }

    /// Close the pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        if let Err(e) = self.move_journal().await {
            tracing::error!(error = %e, "moving the trail's journal at close failed; it moves at the next start");
        }
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        if let Some(inline) = &self.inline {
            inline.close();
        }
        self.write.close().await;
        self.read.close().await;
    }
}

/// The writer thread's connection.
const WRITER: super::writer::Settings = super::writer::Settings {
    cache_kib: WRITER_CACHE_KIB,
    busy: Duration::from_millis(BUSY_TIMEOUT_MS as u64),
    wal_size_limit: WAL_SIZE_LIMIT,
};

/// Page cache of the writer connection and of each of the eight readers, in KiB. The writer's is
/// small on purpose: a commit after a B-tree split that renumbered pages through the pending-byte
/// page makes SQLite 3.46 scan the writer's whole page cache (`pcache1TruncateUnsafe`, 7 % of the
/// server's CPU under reads with 128 MiB); with 16 MiB, the pages it misses come from the OS's
/// cache, and creates cost ~20 % less CPU at 120,000 resources (reads ~8 %, ingest ~15 %).
const WRITER_CACHE_KIB: u32 = 16 * 1024;
const READER_CACHE_KIB: u32 = 16 * 1024;
const CHECKPOINTER_CACHE_KIB: u32 = 2 * 1024;

/// How long a statement waits for a lock another connection (or node) holds.
const BUSY_TIMEOUT_MS: u32 = 10_000;

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// WAL frames (pages) past which a checkpoint also makes the next commit rewind the WAL.
const RESTART_AFTER_FRAMES: i64 = 8192;

/// Bytes the WAL file is truncated to when it rewinds after growing past them.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Background WAL checkpoints on the one connection of `checkpointer`: a commit never pays for one (with
/// SQLite's automatic checkpoints, the commit crossing 1,000 pages copies the WAL and fsyncs the
/// database file before it returns, which made trail commits take tens of milliseconds).
/// `PASSIVE` never blocks the writer or readers, but it never rewinds the WAL either: the writer
/// only starts the WAL over when no reader still uses it, which under steady load never happens,
/// so the WAL grew by the whole write volume (2.4 GB for a 260 MB database after a minute of
/// creates and reads) and every page lookup of every reader walked its ever longer index.
///
/// Once the WAL holds more than `RESTART_AFTER_FRAMES`, a `RESTART` checkpoint runs on the
/// `writer` connection itself, in turn with the commits (from another connection it waited for
/// the write lock, which back-to-back commits seldom leave free): it waits, at most
/// `RESTART_WAIT`, for the readers of the WAL to finish, and the next commit rewinds it. Ends,
/// closing `checkpointer`, when the store's `readers` are closed.
async fn checkpoints(readers: AnyPool, checkpointer: AnyPool, writer: Restarter) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if readers.is_closed() {
            checkpointer.close().await;
            return;
        }
        let frames = match checkpoint(&checkpointer, "PASSIVE").await {
            Ok(frames) => frames,
            Err(e) => {
                if !readers.is_closed() {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
                continue;
            }
        };
        if frames > RESTART_AFTER_FRAMES
            && let Err(e) = restart(&writer).await
            && !readers.is_closed()
        {
            tracing::warn!(error = %e, "WAL restart checkpoint failed");
        }
    }
}

/// How long a restart checkpoint waits for the WAL's readers (commits wait meanwhile).
const RESTART_WAIT: Duration = Duration::from_millis(500);

/// Where the writer connection is: on the writer thread, or in a pool.
enum Restarter {
    Thread(super::writer::Handle),
    Pool(AnyPool),
}

/// A `RESTART` checkpoint on the writer connection, waiting at most [`RESTART_WAIT`].
async fn restart(writer: &Restarter) -> Result<(), StoreError> {
    let writer = match writer {
        Restarter::Thread(thread) => return thread.restart(RESTART_WAIT).await,
        Restarter::Pool(pool) => pool,
    };
    let mut conn = writer.acquire().await?;
    let wait = format!("PRAGMA busy_timeout = {}", RESTART_WAIT.as_millis());
    conn.execute(wait.as_str()).await?;
    let done = checkpoint(&mut *conn, "RESTART").await;
    conn.execute(format!("PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}").as_str())
        .await?;
    Ok(done.map(drop)?)
}

/// Run one checkpoint in `mode` on `conn`; the number of frames the WAL held.
async fn checkpoint<'c, E>(conn: E, mode: &str) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    use sqlx::Row;
    let row = sqlx::query(&format!("PRAGMA wal_checkpoint({mode})"))
        .fetch_one(conn)
        .await?;
    row.try_get::<i64, _>(1)
}

/// The file path of a `sqlite:` URL, when it names a file.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

fn ensure_sqlite_folder(url: &str) {
    if let Some(parent) = sqlite_path(url).and_then(|p| std::path::Path::new(p).parent())
        && !parent.as_os_str().is_empty()
    {
        // A failure here surfaces as a clear connect error right after.
        let _ = std::fs::create_dir_all(parent);
    }
}

fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite://./data/c.db"), Some("./data/c.db"));
        assert_eq!(sqlite_path("sqlite:c.db?mode=rwc"), Some("c.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(with_create_mode("sqlite://a.db"), "sqlite://a.db?mode=rwc");
    }

    /// Readers and a writer that never stop used to keep the WAL from ever rewinding: it grew by
    /// every byte written. With the restart checkpoints it rewinds, again and again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_rewinds_under_steady_reads_and_writes() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/carnet.db", dir.path().display());
        let wal = dir.path().join("carnet.db-wal");
        // The WAL header's checkpoint sequence number (bytes 12..16) counts its rewinds.
        let rewinds = || {
            use std::io::Read;
            let mut header = [0u8; 16];
            let mut file = std::fs::File::open(&wal).unwrap();
            file.read_exact(&mut header).unwrap();
            u32::from_be_bytes([header[12], header[13], header[14], header[15]])
        };
        let store = Store::connect(&url).await.unwrap();
        store
            .write
            .execute("CREATE TABLE scratch (b BLOB NOT NULL)")
            .await
            .unwrap();
        let before = rewinds();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let (read, done) = (store.read.clone(), done.clone());
                tokio::spawn(async move {
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        read.execute("SELECT count(*) FROM scratch").await.unwrap();
                    }
                })
            })
            .collect();
        let mib = 1024 * 1024;
        // Six times the limit: a restart waits for the readers at most RESTART_WAIT and tries
        // again at the next checkpoint, and on a loaded machine four times once saw one rewind.
        for _ in 0..6 * WAL_SIZE_LIMIT / mib {
            let insert = format!("INSERT INTO scratch VALUES (randomblob({mib}))");
            store.write.execute(insert.as_str()).await.unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        for reader in readers {
            reader.await.unwrap();
        }
        let rewound = rewinds() - before;
        assert!(rewound >= 2, "the WAL rewound {rewound} times");
    }
}
