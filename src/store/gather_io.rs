//! The gathering VFS's I/O methods: the default VFS's, forwarded, after writing what a WAL holds
//! where SQLite may look at the file (reads, syncs, sizes, truncation) or publish its frames (the
//! database file's shared-memory barrier and the release of the WAL's write lock).

use std::ffi::{c_int, c_void};
use std::ptr;

use rusqlite::ffi;

use super::{File, close, flush, inner, methods, release, write};

pub(super) static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

/// Calls the default VFS's method after writing what is held.
macro_rules! flushed {
    ($file:ident, $method:ident, $missing:expr, $($arg:expr),*) => {{
        let rc = flush($file);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        methods($file).$method.map_or($missing, |m| m(inner($file), $($arg),*))
    }};
}

/// Calls the default VFS's method as it is.
macro_rules! forwarded {
    ($file:ident, $method:ident, $missing:expr, $($arg:expr),*) => {{
        methods($file).$method.map_or($missing, |m| m(inner($file), $($arg),*))
    }};
}

unsafe extern "C" fn read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amt: c_int,
    off: i64,
) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { flushed!(file, xRead, ffi::SQLITE_IOERR_READ, buf, amt, off) }
}

unsafe extern "C" fn truncate(file: *mut ffi::sqlite3_file, size: i64) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { flushed!(file, xTruncate, ffi::SQLITE_IOERR_TRUNCATE, size) }
}

unsafe extern "C" fn sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { flushed!(file, xSync, ffi::SQLITE_IOERR_FSYNC, flags) }
}

unsafe extern "C" fn file_size(file: *mut ffi::sqlite3_file, size: *mut i64) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { flushed!(file, xFileSize, ffi::SQLITE_IOERR_FSTAT, size) }
}

unsafe extern "C" fn file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { flushed!(file, xFileControl, ffi::SQLITE_NOTFOUND, op, arg) }
}

unsafe extern "C" fn lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { forwarded!(file, xLock, ffi::SQLITE_IOERR_LOCK, level) }
}

unsafe extern "C" fn unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: `peer` is null or the open WAL file of this database file; forwarded as called.
    unsafe {
        // Leaving exclusive locking mode, the WAL's write lock goes with the database file's.
        let wal = (*file.cast::<File>()).peer;
        if !wal.is_null() {
            release(wal.cast());
        }
        forwarded!(file, xUnlock, ffi::SQLITE_IOERR_UNLOCK, level)
    }
}

unsafe extern "C" fn check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        forwarded!(
            file,
            xCheckReservedLock,
            ffi::SQLITE_IOERR_CHECKRESERVEDLOCK,
            out
        )
    }
}

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { methods(file).xSectorSize.map_or(4096, |m| m(inner(file))) }
}

pub(super) unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        methods(file)
            .xDeviceCharacteristics
            .map_or(0, |m| m(inner(file)))
    }
}

unsafe extern "C" fn shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        forwarded!(
            file,
            xShmMap,
            ffi::SQLITE_IOERR_SHMMAP,
            page,
            size,
            extend,
            out
        )
    }
}

/// The WAL's write lock (`WAL_WRITE_LOCK`), the first of the wal-index's locks.
const WAL_WRITE_LOCK: c_int = 0;

unsafe extern "C" fn shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    let letting_go = ffi::SQLITE_SHM_UNLOCK | ffi::SQLITE_SHM_EXCLUSIVE;
    // SAFETY: `peer` is null or the open WAL file of this database file; forwarded as called.
    unsafe {
        let wal = (*file.cast::<File>()).peer;
        if flags & letting_go == letting_go && offset == WAL_WRITE_LOCK && !wal.is_null() {
            release(wal.cast());
        }
        forwarded!(file, xShmLock, ffi::SQLITE_IOERR_SHMLOCK, offset, n, flags)
    }
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    // SAFETY: `peer` is null or the open WAL file of this database file; forwarded as called.
    unsafe {
        // SQLite publishes a commit's wal-index header across this barrier: its frames go first.
        let wal = (*file.cast::<File>()).peer;
        if !wal.is_null() {
            flush(wal.cast());
        }
        if let Some(m) = methods(file).xShmBarrier {
            m(inner(file));
        }
    }
}

unsafe extern "C" fn shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe { forwarded!(file, xShmUnmap, ffi::SQLITE_OK, delete) }
}

unsafe extern "C" fn fetch(
    file: *mut ffi::sqlite3_file,
    off: i64,
    amt: c_int,
    out: *mut *mut c_void,
) -> c_int {
    // SAFETY: forwarded as SQLite called it; without xFetch there is no mapping.
    unsafe {
        let m = methods(file);
        match m.xFetch {
            Some(f) if m.iVersion >= 3 => f(inner(file), off, amt, out),
            _ => {
                *out = ptr::null_mut();
                ffi::SQLITE_OK
            }
        }
    }
}

unsafe extern "C" fn unfetch(file: *mut ffi::sqlite3_file, off: i64, p: *mut c_void) -> c_int {
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        let m = methods(file);
        match m.xUnfetch {
            Some(f) if m.iVersion >= 3 => f(inner(file), off, p),
            _ => ffi::SQLITE_OK,
        }
    }
}
