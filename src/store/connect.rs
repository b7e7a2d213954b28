//! Opening the pools and running the embedded migrations.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

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
        store.start_group_commit();
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
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // Checkpoints run in the background (see `checkpoints`), not inside the
                        // commit that happens to cross the threshold.
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
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
        tokio::spawn(checkpoints(read.clone()));
        Ok(Self {
            read,
            write,
            dialect: Dialect::Sqlite,
            stats: std::sync::Arc::default(),
            group: std::sync::Arc::default(),
        })
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
        Ok(Self {
            read: pool.clone(),
            write: pool,
            dialect: Dialect::Postgres,
            stats: std::sync::Arc::default(),
            group: std::sync::Arc::default(),
        })
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

    /// Close the pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Page cache of the writer connection and of each of the eight readers, in KiB.
const WRITER_CACHE_KIB: u32 = 128 * 1024;
const READER_CACHE_KIB: u32 = 16 * 1024;

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Background WAL checkpoints on a reader connection: a commit never pays for one (with SQLite's
/// automatic checkpoints, the commit crossing 1,000 pages copies the WAL and fsyncs the database
/// file before it returns, which made trail commits take tens of milliseconds). `PASSIVE` never
/// blocks the writer or readers. Ends when the pool is closed.
async fn checkpoints(pool: AnyPool) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = pool.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
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
}
