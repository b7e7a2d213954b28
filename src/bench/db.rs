//! The throw-away database a started server runs on: a SQLite file in the bench's temporary
//! directory, or a fresh PostgreSQL database created (and later dropped) with `psql`.

use std::path::Path;
use std::process::Command;

use super::DatabaseKind;

/// A database prepared for one bench run.
#[derive(Debug)]
pub struct BenchDatabase {
    /// URL handed to the server (`{database}` in `--server-args`).
    pub url: String,
    /// PostgreSQL only: admin URL and name, for dropping it afterwards.
    postgres: Option<(String, String)>,
}

impl BenchDatabase {
    /// Prepares a database of `kind`: `sqlite://<dir>/carnet.db`, or `CREATE DATABASE
    /// carnet_bench_<uuid>` through `psql <admin_url>` (psql must be on the PATH).
    pub fn create(kind: DatabaseKind, dir: &Path, admin_url: &str) -> Result<Self, String> {
        match kind {
            DatabaseKind::Sqlite => Ok(Self {
                url: format!("sqlite://{}/carnet.db", dir.display()),
                postgres: None,
            }),
            DatabaseKind::Postgres => {
                let name = format!("carnet_bench_{}", uuid::Uuid::new_v4().simple());
                let url = with_database(admin_url, &name)?;
                psql(admin_url, &format!("CREATE DATABASE {name}"))?;
                Ok(Self {
                    url,
                    postgres: Some((admin_url.to_string(), name)),
                })
            }
        }
    }

    /// Drops the PostgreSQL database (no-op for SQLite: the temporary directory goes away).
    /// Call only once the server has stopped.
    pub fn drop_database(&self) -> Result<(), String> {
        match &self.postgres {
            Some((admin, name)) => psql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ),
            None => Ok(()),
        }
    }
}

/// Runs one SQL statement through `psql`, failing on any error.
fn psql(url: &str, sql: &str) -> Result<(), String> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .map_err(|e| format!("cannot run psql (is it installed?): {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "psql `{sql}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `url` with its database (the path) replaced by `name`, keeping any `?query`.
/// `postgres://u@h:5432/postgres?x=1` → `postgres://u@h:5432/<name>?x=1`.
pub fn with_database(url: &str, name: &str) -> Result<String, String> {
    let scheme_end = url.find("://").ok_or_else(|| format!("not a URL: {url}"))? + 3;
    let (head, rest) = url.split_at(scheme_end);
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(path_start);
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    if authority.is_empty() {
        return Err(format!("URL without host: {url}"));
    }
    Ok(format!("{head}{authority}/{name}{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_replaced() {
        let f = |u| with_database(u, "db1").unwrap();
        assert_eq!(
            f("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/db1"
        );
        assert_eq!(f("postgres://h:1"), "postgres://h:1/db1");
        assert_eq!(
            f("postgres://h/x?sslmode=disable"),
            "postgres://h/db1?sslmode=disable"
        );
        assert_eq!(f("postgres://h?a=b"), "postgres://h/db1?a=b");
        assert!(with_database("nourl", "x").is_err());
        assert!(with_database("postgres:///x", "x").is_err());
    }

    #[test]
    fn sqlite_database_lives_in_dir() {
        let d = BenchDatabase::create(DatabaseKind::Sqlite, Path::new("/tmp/z"), "").unwrap();
        assert_eq!(d.url, "sqlite:///tmp/z/carnet.db");
        d.drop_database().unwrap();
    }
}
