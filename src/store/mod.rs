//! Durable, versioned storage of raw FHIR JSON on SQLite (embedded default) or PostgreSQL.
//!
//! One implementation serves both databases through sqlx's `Any` driver: the SQL is shared (`$n` parameters
//! work on both), and the few differences live in [`Dialect`]. Every change is a list of [`WriteOp`]s handed
//! to one [`Store::commit`], which is atomic: all ops land, or none. Each op states the version it writes; the
//! commit checks the resource's current version is the one before, so concurrent writers never lose an update
//! (a loser gets [`StoreError::Conflict`] and the interaction layer retries or reports 409/412).
//!
//! SQLite runs in WAL mode with `synchronous=FULL` (an acknowledged commit survives a power cut) and a single
//! writer connection (on a thread of its own, `writer.rs`), so write transactions never fail on lock upgrades; readers use their own pool.

mod connect;
mod dialect;
mod exec;
mod gather;
mod group;
mod index;
mod inline;
mod journal;
#[cfg(test)]
mod partial_tests;
mod plan;
mod read;
mod search;
mod sql;
mod stats;
mod trail;
mod trail_codec;
mod trail_upgrade;
mod write;
mod writer;

use sqlx::AnyPool;

pub use dialect::Dialect;
pub use read::HistoryQuery;
pub use search::{KeyKind, SearchHit};
pub use sql::{SqlQuery, SqlValue};
pub use trail::LoggedEvent;
pub use trail_upgrade::LegacyEvent;

use crate::error::{Error, ErrorKind};
use crate::fhir::Instant;

/// Handle to the database; cheap to clone (one reference count: every request clones it a few
/// times, with its context).
#[derive(Clone, Debug)]
pub struct Store {
    parts: std::sync::Arc<StoreParts>,
}

impl std::ops::Deref for Store {
    type Target = StoreParts;

    fn deref(&self) -> &StoreParts {
        &self.parts
    }
}

/// What a [`Store`] shares between its clones.
#[derive(Debug)]
pub struct StoreParts {
    read: AnyPool,
    write: AnyPool,
    dialect: Dialect,
    stats: std::sync::Arc<stats::Stats>,
    group: group::Queue,
    filing: trail::Filing,
    /// Point reads on the calling thread (SQLite files only).
    inline: Option<std::sync::Arc<inline::Inline>>,
    /// The thread that commits (SQLite files only; otherwise a task over sqlx does).
    writer: Option<writer::Handle>,
    /// The trail's journal (SQLite files only), once opened.
    journal: std::sync::OnceLock<journal::Journal>,
}

/// One stored version of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    /// Global commit order.
    pub seq: i64,
    /// Resource type.
    pub res_type: String,
    /// Logical id.
    pub id: String,
    /// Version id (1, 2, …).
    pub version: i64,
    /// `meta.lastUpdated` of this version.
    pub last_updated: Instant,
    /// Whether this version is a deletion.
    pub deleted: bool,
    /// The HTTP method that made this version (POST, PUT, PATCH, DELETE).
    pub method: String,
    /// The stored JSON bytes (`None` for a deletion).
    pub content: Option<Vec<u8>>,
}

/// One write of a commit: a new version of one resource with its index rows.
#[derive(Debug, Clone)]
pub struct WriteOp {
    /// Resource type.
    pub res_type: String,
    /// Logical id.
    pub id: String,
    /// The version this op creates; the current version must be `version - 1` (0 = none).
    pub version: i64,
    /// `meta.lastUpdated` written into `content`.
    pub last_updated: Instant,
    /// HTTP method recorded in history.
    pub method: &'static str,
    /// New JSON bytes, `None` for a deletion.
    pub content: Option<Vec<u8>>,
    /// Search index rows of the new version (they replace the previous version's).
    pub index: Vec<crate::search::index::IndexRow>,
    /// Consent facts of the new version (they replace the previous version's); `None` for a
    /// deletion, which keeps the visibility facts and drops the Consent rules.
    pub access: Option<Vec<crate::consent::FactRow>>,
}

/// Storage failures the caller branches on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer changed the resource since it was read.
    #[error("{res_type}/{id} was changed concurrently")]
    Conflict {
        /// Resource type.
        res_type: String,
        /// Logical id.
        id: String,
    },
    /// Any database fault.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A fault of a direct read (see `inline`).
    #[error("database error: {0}")]
    Direct(#[from] inline::DirectError),
    /// Migration failure at start.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => Error::new(ErrorKind::Conflict, e.to_string()),
            other => Error::internal(other),
        }
    }
}

impl Store {
    /// A store over its pools (and, for a SQLite file, its point reads and writer thread),
    /// with fresh statistics, queue, filing state and no journal yet.
    fn assemble(
        read: AnyPool,
        write: AnyPool,
        dialect: Dialect,
        inline: Option<std::sync::Arc<inline::Inline>>,
        writer: Option<writer::Handle>,
    ) -> Self {
        Self {
            parts: std::sync::Arc::new(StoreParts {
                read,
                write,
                dialect,
                stats: std::sync::Arc::default(),
                group: group::Queue::default(),
                filing: trail::Filing::default(),
                inline,
                writer,
                journal: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Which database this store talks to.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}
