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

    /// Reads the current version of a resource inside a write transaction, locking its row where the database
    /// supports it (SQLite needs no lock: it has a single writer).
    pub fn current_for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "SELECT version FROM resources WHERE res_type = $1 AND res_id = $2",
            Self::Postgres => {
                "SELECT version FROM resources WHERE res_type = $1 AND res_id = $2 FOR UPDATE"
            }
        }
    }
}
