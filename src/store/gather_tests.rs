use std::cell::{Cell, RefCell};
use std::ffi::{c_int, c_void};
use std::path::PathBuf;

use rusqlite::{Connection, OpenFlags, ffi};

use super::{CHUNK, Held, NAME, register, wal_writes, write_out};

fn open(path: &std::path::Path, vfs: Option<&str>) -> Connection {
    open_at(path, vfs, "FULL")
}

fn open_at(path: &std::path::Path, vfs: Option<&str>, synchronous: &str) -> Connection {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match vfs {
        Some(vfs) => Connection::open_with_flags_and_vfs(path, flags, vfs),
        None => Connection::open_with_flags(path, flags),
    }
    .expect("open");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
         PRAGMA wal_autocheckpoint = 0;"
    ))
    .expect("pragmas");
    conn
}

/// A fresh database `name` in a temporary folder, its table `t` created by a writer through the
/// gathering VFS at `synchronous`.
fn writer_at(name: &str, synchronous: &str) -> (tempfile::TempDir, PathBuf, Connection) {
    register().expect("register");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(name);
    let writer = open_at(&path, Some(NAME), synchronous);
    writer
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .expect("create");
    (dir, path, writer)
}

fn assert_intact(conn: &Connection) {
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");
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
    let (dir, path, writer) = writer_at("g.db", "FULL");
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
    assert_intact(&again);
}

#[test]
fn frames_are_written_before_a_commit_is_published_even_without_a_sync() {
    // NORMAL: SQLite publishes commits without syncing the WAL.
    let (_dir, path, writer) = writer_at("n.db", "NORMAL");
    let reader = open(&path, None);
    for round in 0..10 {
        insert(&writer, round * 200, 200);
        assert_eq!(count(&reader).0, (round + 1) * 200, "round {round}");
    }
}

#[test]
fn frames_left_in_the_wal_are_recovered_by_the_next_opener() {
    let (dir, _path, writer) = writer_at("r.db", "FULL");
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

#[test]
fn a_rollbacks_frames_never_overwrite_another_connections_commit() {
    let (_dir, path, writer) = writer_at("b.db", "FULL");
    insert(&writer, 0, 2000);
    // A new WAL generation, then a transaction that spills frames (a tiny cache) and rolls back.
    writer
        .execute_batch(
            "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA cache_size = 2; \
             BEGIN; INSERT INTO t SELECT id + 1000000, body FROM t; ROLLBACK;",
        )
        .expect("rollback");
    // Another connection commits where the abandoned frames were.
    let other = open(&path, None);
    insert(&other, 500_000, 200);
    // The writer reads, and writes again: nothing it held may land on the other's frames.
    assert_eq!(count(&writer).0, 2200);
    insert(&writer, 600_000, 10);
    for conn in [&other, &writer] {
        assert_eq!(count(conn).0, 2210);
        assert_intact(conn);
    }
    drop(writer);
    drop(other);
    let again = open(&path, None);
    assert_eq!(count(&again).0, 2210);
}

thread_local! {
    /// The fake file's writes so far: (offset, bytes).
    static WRITTEN: RefCell<Vec<(i64, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
    /// The write (counting from 0) the fake file fails.
    static FAIL_AT: Cell<Option<usize>> = const { Cell::new(None) };
}

unsafe extern "C" fn fake_write(
    _file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amt: c_int,
    off: i64,
) -> c_int {
    let n = WRITTEN.with(|w| w.borrow().len());
    if FAIL_AT.get() == Some(n) {
        FAIL_AT.set(None);
        return ffi::SQLITE_FULL;
    }
    // SAFETY: write_out hands `amt` readable bytes.
    let bytes = unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), amt as usize) }.to_vec();
    WRITTEN.with(|w| w.borrow_mut().push((off, bytes)));
    ffi::SQLITE_OK
}

static FAKE: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xWrite: Some(fake_write),
    // SAFETY: every other method is an Option of a function pointer: zeroed, None.
    ..unsafe { std::mem::zeroed() }
};

#[test]
fn bytes_a_failed_write_leaves_stay_held_for_the_next_try() {
    let mut file = ffi::sqlite3_file { pMethods: &FAKE };
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut held = Held {
        off: 4096,
        bytes: data.clone(),
    };
    FAIL_AT.set(Some(1));
    // SAFETY: `file` is a file whose methods are FAKE's.
    let rc = unsafe { write_out(&mut held, &mut file) };
    assert_eq!(rc, ffi::SQLITE_FULL);
    assert_eq!(held.off, 4096 + CHUNK as i64, "the first piece went out");
    assert_eq!(held.bytes, data[CHUNK..], "the rest stays held");
    // SAFETY: as above.
    let rc = unsafe { write_out(&mut held, &mut file) };
    assert_eq!(rc, ffi::SQLITE_OK);
    assert!(held.bytes.is_empty());
    let written = WRITTEN.with(|w| w.borrow().clone());
    let mut expected = 4096;
    let mut all = Vec::new();
    for (off, bytes) in written {
        assert_eq!(off, expected, "pieces in order, none twice");
        assert!(bytes.len() <= CHUNK);
        expected += bytes.len() as i64;
        all.extend(bytes);
    }
    assert_eq!(all, data);
}
