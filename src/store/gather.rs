//! The writer's WAL writes, gathered. SQLite writes each WAL frame with two `pwrite`s (its 24-byte
//! header, then the page), so a group commit of 200 pages was 400 system calls, each paying the
//! file system's per-write work (a quarter of the server's CPU on creates, perf). This VFS wraps the
//! platform's default one and, for WAL files only, holds contiguous writes in memory until SQLite
//! syncs, reads, sizes, truncates or closes the file (or 1 MiB is held), then writes them at once
//! (in pieces under 128 KiB, the most the unix VFS writes in one call).
//!
//! Durability is unchanged: the writer runs with `synchronous=FULL` (`writer.rs` checks it), so
//! SQLite syncs the WAL at every commit before it publishes the commit in the wal-index (only then
//! can another connection read the frames), and the sync writes what is held first. Bytes a failed
//! write leaves stay held, and the commit's sync tries them again (and fails, as the commit would
//! have). Publishing goes through the database file's shared-memory barrier, which writes what
//! the WAL holds as well (a second line of defence: under FULL the sync has emptied it). Writes
//! are held only for a WAL whose database file was opened here too and is "powersafe overwrite"
//! (the default; otherwise SQLite pads a commit with writes after its sync). When the connection
//! lets the WAL's write lock go, or its database file's lock (leaving exclusive locking mode),
//! anything still held can only be frames a rollback abandoned: it goes out, as SQLite would have
//! written it at once, or, if it cannot, is dropped, since another connection may write the WAL
//! next and those bytes must not land on its frames. Only the writer's connection opens files
//! through it (`gather::tests`: a commit is one write, readable at once, at FULL and below; a
//! rollback's frames never reach another connection's).
//!
//! The crate denies `unsafe` everywhere but here: a VFS is SQLite's C interface, so this file
//! holds raw pointers SQLite owns, each use with the reason it is sound.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, c_int, c_void};
use std::ptr;
use std::sync::OnceLock;

use rusqlite::ffi;

/// The VFS's name, for `Connection::open_with_flags_and_vfs`.
pub(super) const NAME: &str = "carnet-gather";
const NAME_C: &CStr = c"carnet-gather";

/// Held bytes beyond which a write goes out at once.
const LIMIT: usize = 1 << 20;

/// The most one write hands the default VFS: the unix VFS masks a write's length with `0x1ffff`
/// (a length whose low 17 bits are zero would become an empty write, reported as SQLITE_FULL).
const CHUNK: usize = 31 * 4096;

/// The file SQLite holds: our header, then the default VFS's file at [`INNER`].
#[repr(C)]
struct File {
    base: ffi::sqlite3_file,
    /// The writes held for a WAL file; null for every other file.
    held: *mut Held,
    /// A WAL file's database file, a database file's WAL file, while both are open.
    peer: *mut File,
}

/// Contiguous bytes not yet written, starting at `off`.
struct Held {
    off: i64,
    bytes: Vec<u8>,
}

const INNER: usize = std::mem::size_of::<File>().next_multiple_of(16);

/// The default VFS (as an address: raw pointers are neither `Send` nor `Sync`).
static BASE: OnceLock<usize> = OnceLock::new();

#[cfg(test)]
thread_local! {
    /// Writes this thread made to WAL files (a test counts its own).
    static WAL_WRITES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Registers the VFS once (not as the default); SQLite's result code on failure.
pub(super) fn register() -> Result<(), c_int> {
    static DONE: OnceLock<c_int> = OnceLock::new();
    let rc = *DONE.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find returns the registered default VFS, which lives as long as the
        // process; the copy registered here is leaked, so it does too.
        unsafe {
            let rc = ffi::sqlite3_initialize();
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            let base = ffi::sqlite3_vfs_find(ptr::null());
            if base.is_null() {
                return ffi::SQLITE_ERROR;
            }
            let _ = BASE.set(base as usize);
            let mut vfs = *base;
            vfs.szOsFile = INNER as c_int + (*base).szOsFile;
            vfs.zName = NAME_C.as_ptr();
            vfs.pNext = ptr::null_mut();
            vfs.xOpen = Some(open);
            ffi::sqlite3_vfs_register(Box::leak(Box::new(vfs)), 0)
        }
    });
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

/// Writes this thread made to WAL files opened through the VFS.
#[cfg(test)]
pub(super) fn wal_writes() -> u64 {
    WAL_WRITES.with(std::cell::Cell::get)
}

fn base_vfs() -> *mut ffi::sqlite3_vfs {
    BASE.get()
        .map_or(ptr::null_mut(), |&a| a as *mut ffi::sqlite3_vfs)
}

/// The default VFS's file inside ours.
unsafe fn inner(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    // SAFETY: szOsFile reserved INNER bytes before the default VFS's file.
    unsafe { file.cast::<u8>().add(INNER).cast() }
}

unsafe fn methods(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    // SAFETY: open installs our methods only once the default VFS's file is open.
    unsafe { &*(*inner(file)).pMethods }
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let base = base_vfs();
    // SAFETY: SQLite hands a zeroed-or-not buffer of szOsFile bytes; ours is initialised before
    // anything reads it, and the default VFS opens its file in the rest.
    unsafe {
        let f = file.cast::<File>();
        (*f).base.pMethods = ptr::null();
        (*f).held = ptr::null_mut();
        (*f).peer = ptr::null_mut();
        let Some(xopen) = base.as_ref().and_then(|b| b.xOpen) else {
            return ffi::SQLITE_ERROR;
        };
        let inner = inner(file);
        (*inner).pMethods = ptr::null();
        let rc = xopen(base, name, inner, flags, out_flags);
        let opened = !(*inner).pMethods.is_null();
        if !opened || rc != ffi::SQLITE_OK || methods(file).iVersion < 3 {
            // SQLite expects no methods on a failed open: close what the default VFS left open.
            // (Every method is forwarded, so the default VFS's files must have them all.)
            if opened && let Some(close) = methods(file).xClose {
                close(inner);
            }
            return if rc == ffi::SQLITE_OK {
                ffi::SQLITE_CANTOPEN
            } else {
                rc
            };
        }
        if flags & ffi::SQLITE_OPEN_WAL != 0 {
            // The pager names its WAL after its database, whose file SQLite can then find. Without
            // it (or with padded commits) writes go straight through.
            let db = ffi::sqlite3_database_file_object(name).cast::<File>();
            if !db.is_null() && ptr::eq((*db).base.pMethods, &io::METHODS) && powersafe(db.cast()) {
                (*f).held = Box::into_raw(Box::new(Held {
                    off: 0,
                    bytes: Vec::new(),
                }));
                (*db).peer = f;
                (*f).peer = db;
            }
        }
        (*f).base.pMethods = &io::METHODS;
        rc
    }
}

/// Writes what `held` holds through the default VFS's `inner` file; SQLite's result code. What a
/// failed write leaves stays held.
unsafe fn write_out(held: &mut Held, inner: *mut ffi::sqlite3_file) -> c_int {
    if held.bytes.is_empty() {
        return ffi::SQLITE_OK;
    }
    // SAFETY: `inner` is the open file of the default VFS.
    let Some(write) = (unsafe { (*(*inner).pMethods).xWrite }) else {
        return ffi::SQLITE_IOERR_WRITE;
    };
    let mut rc = ffi::SQLITE_OK;
    let mut done = 0;
    for chunk in held.bytes.chunks(CHUNK) {
        #[cfg(test)]
        WAL_WRITES.with(|n| n.set(n.get() + 1));
        // SAFETY: the chunk is readable for its length, which fits (under 128 KiB).
        rc = unsafe { write(inner, chunk.as_ptr().cast(), chunk.len() as c_int, held.off) };
        if rc != ffi::SQLITE_OK {
            break;
        }
        held.off += chunk.len() as i64;
        done += chunk.len();
    }
    held.bytes.drain(..done);
    rc
}

/// Writes what `file` holds (nothing unless it is a WAL file); SQLite's result code.
unsafe fn flush(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: `held` is null or ours (from Box::into_raw), and the file is open.
    unsafe {
        match (*file.cast::<File>()).held.as_mut() {
            Some(held) => write_out(held, inner(file)),
            None => ffi::SQLITE_OK,
        }
    }
}

/// Writes what the WAL `file` holds, or drops it if that fails (the connection is letting the
/// WAL's write lock go: with every commit synced, the bytes can only be frames a rollback
/// abandoned).
unsafe fn release(file: *mut ffi::sqlite3_file) {
    // SAFETY: as flush.
    unsafe {
        if flush(file) != ffi::SQLITE_OK
            && let Some(held) = (*file.cast::<File>()).held.as_mut()
        {
            held.bytes.clear();
        }
    }
}

/// Whether the open database `file` is "powersafe overwrite" (SQLite then ends a commit with its
/// sync, without padding it to a sector).
unsafe fn powersafe(file: *mut ffi::sqlite3_file) -> bool {
    // SAFETY: the file is open and its methods are ours.
    let caps = unsafe { io::device_characteristics(file) };
    caps & ffi::SQLITE_IOCAP_POWERSAFE_OVERWRITE != 0
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite closes an open file once; `held` came from Box::into_raw.
    unsafe {
        let flushed = flush(file);
        let f = file.cast::<File>();
        if !(*f).peer.is_null() {
            (*(*f).peer).peer = ptr::null_mut();
            (*f).peer = ptr::null_mut();
        }
        if !(*f).held.is_null() {
            drop(Box::from_raw((*f).held));
            (*f).held = ptr::null_mut();
        }
        let closed = methods(file)
            .xClose
            .map_or(ffi::SQLITE_OK, |c| c(inner(file)));
        if flushed == ffi::SQLITE_OK {
            closed
        } else {
            flushed
        }
    }
}

unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amt: c_int,
    off: i64,
) -> c_int {
    // SAFETY: SQLite passes `amt` readable bytes at `buf`; `held` is ours.
    unsafe {
        let Some(held) = (*file.cast::<File>()).held.as_mut() else {
            return methods(file)
                .xWrite
                .map_or(ffi::SQLITE_IOERR_WRITE, |w| w(inner(file), buf, amt, off));
        };
        let Ok(n) = usize::try_from(amt) else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        if n == 0 {
            return ffi::SQLITE_OK;
        }
        if buf.is_null() {
            return ffi::SQLITE_IOERR_WRITE;
        }
        let bytes = std::slice::from_raw_parts(buf.cast::<u8>(), n);
        let end = held.off + held.bytes.len() as i64;
        if !held.bytes.is_empty() && off >= held.off && off <= end {
            // Appends, or rewrites a frame held (SQLite rewrites a page changed twice in one
            // transaction in place).
            let start = (off - held.off) as usize;
            let inside = (held.bytes.len() - start).min(n);
            held.bytes[start..start + inside].copy_from_slice(&bytes[..inside]);
            held.bytes.extend_from_slice(&bytes[inside..]);
        } else {
            let rc = write_out(held, inner(file));
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            held.off = off;
            held.bytes.extend_from_slice(bytes);
        }
        if held.bytes.len() >= LIMIT {
            return write_out(held, inner(file));
        }
        ffi::SQLITE_OK
    }
}

#[path = "gather_io.rs"]
mod io;

#[cfg(test)]
#[path = "gather_tests.rs"]
mod tests;
