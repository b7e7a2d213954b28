//! The few SQL differences between SQLite and PostgreSQL.

/// Which database a [`super::Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Embedded SQLite (WAL).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Dialect {
    /// From a database URL: `postgres://`/`postgresql://` → PostgreSQL, `sqlite:` → SQLite.
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else {
            None
        }
    }
}
