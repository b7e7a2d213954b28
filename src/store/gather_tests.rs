use rusqlite::{Connection, OpenFlags};

use super::{NAME, register, wal_writes};

fn open(path: &std::path::Path, vfs: Option<&str>) -> Connection {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match vfs {
        Some(vfs) => Connection::open_with_flags_and_vfs(path, flags, vfs),
        None => Connection::open_with_flags(path, flags),
    }
    .expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;",
    )
    .expect("pragmas");
    conn
}

fn insert(conn: &Connection, from: i64, n: i64) {
    let tx = conn.unchecked_transaction().expect("begin");
    {
        let mut stmt = tx
            .prepare_cached("INSERT INTO t (id, body) VALUES (?1, ?2)")
            .expect("prepare");
        for i in from..from + n {
            stmt.execute((i, format!("{i:0>300}"))).expect("insert");
        }
    }
    tx.commit().expect("commit");
}

fn count(conn: &Connection) -> (i64, i64) {
    conn.query_row("SELECT count(*), coalesce(sum(id), 0) FROM t", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .expect("count")
}

#[test]
fn a_commit_writes_its_frames_in_one_call_and_other_connections_read_them() {
    register().expect("register");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("g.db");
    let writer = open(&path, Some(NAME));
    writer
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .expect("create");
    let reader = open(&path, None);
    let mut total = 0;
    for round in 0..20 {
        let before = wal_writes();
        // ~16 pages of rows: SQLite alone writes each frame as two calls.
        insert(&writer, round * 200, 200);
        let calls = wal_writes() - before;
        assert_eq!(calls, 1, "round {round}: {calls} WAL writes for one commit");
        total += 200;
        // Committed means written: a connection of the default VFS reads every row at once.
        assert_eq!(count(&reader).0, total, "round {round}");
    }
    // A commit of 2 MB goes out in pieces the default VFS writes whole.
    insert(&writer, 100_000, 6000);
    total += 6000;
    assert_eq!(count(&reader).0, total);
    let wal = std::fs::metadata(dir.path().join("g.db-wal"))
        .expect("wal")
        .len();
    assert_eq!(
        (wal - 32) % (4096 + 24),
        0,
        "the WAL holds whole frames: {wal}"
    );
    // A rollback's frames (spilled by a tiny cache) are abandoned; the next commit is whole.
    writer
        .execute_batch("PRAGMA cache_size = 2")
        .expect("cache");
    writer
        .execute_batch("BEGIN; INSERT INTO t SELECT id + 1000000, body FROM t; ROLLBACK;")
        .expect("rollback");
    insert(&writer, 900_000, 10);
    total += 10;
    assert_eq!(count(&reader).0, total);
    writer
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    let expected = count(&writer);
    drop(reader);
    drop(writer);
    // Reopened with the default VFS, the file holds every committed row and nothing else.
    let again = open(&path, None);
    assert_eq!(count(&again), expected);
    let ok: String = again
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");
}

#[test]
fn frames_left_in_the_wal_are_recovered_by_the_next_opener() {
    register().expect("register");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.db");
    let writer = open(&path, Some(NAME));
    writer
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .expect("create");
    for round in 0..5 {
        insert(&writer, round * 1000, 1000);
    }
    let expected = count(&writer);
    // Copies the files as a crash would leave them (no checkpoint, no close), then recovers.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).expect("copy dir");
    for name in ["r.db", "r.db-wal"] {
        std::fs::copy(dir.path().join(name), copy.join(name)).expect("copy");
    }
    let recovered = open(&copy.join("r.db"), None);
    assert_eq!(count(&recovered), expected);
    drop(writer);
}
