//! The trail's journal (SQLite files): the AuditEvents of requests that write nothing else (reads,
//! searches, refusals) are made durable by appending them to a journal file of their own and
//! calling `fdatasync`, many requests per call, on a thread that does nothing else; the writer
//! thread moves them into `audit_trail` later, a thousand at a time, in one transaction.
//!
//! Why: committing a few trail rows through SQLite costs the writer a dozen page frames, locks
//! and its fsync for every batch of requests, and a request's response then waits behind
//! whatever the writer is doing (a create's commit, a checkpoint). Here a batch is one `pwrite`
//! of whole 4 KiB blocks at a place already written once (so `fdatasync` flushes data only, no
//! file-system metadata) and one `fdatasync`: the response leaves once its event is on disk,
//! exactly as before, at a fraction of the cost.
//!
//! The file is a ring of frames (`FRAME_MAGIC`, length, first sequence number, count, CRC-32,
//! then the events), each starting on a 4 KiB boundary. An event's sequence number says whether
//! it is in `audit_trail` yet (`trail_journal.seq`, updated in the transaction that moves it);
//! at start, the events of valid frames past that number are moved before anything is served.
//! A frame is only overwritten once its events have moved; the ring grows in zeroed 4 MiB steps
//! up to [`RING_BYTES`]. Everything that reads the trail moves the pending events first (see
//! `trail.rs`), so an acknowledged event is always found.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::oneshot;

use super::trail::LoggedEvent;
use super::{StoreError, writer};
use crate::fhir::Instant;

/// Largest size of the ring.
pub(super) const RING_BYTES: u64 = 64 << 20;
/// The ring grows by this much, zeroed, when it is not at its largest yet.
const GROW_BYTES: u64 = 4 << 20;
/// Frames start on this boundary.
const BLOCK: u64 = 4096;
/// A frame's first bytes.
const FRAME_MAGIC: u32 = 0x4354_4a31;
/// Frame header: magic, payload length, first sequence number, count, CRC-32.
const HEADER: usize = 4 + 4 + 8 + 4 + 4;
/// Events written in one frame at most.
const MAX_FRAME_EVENTS: usize = 1024;
/// Bytes of events written in one frame at most (about).
const MAX_FRAME_BYTES: usize = 2 << 20;
/// The writer is asked to move the pending events once this many wait.
const MOVE_AT: usize = 1024;

/// An event made durable in the journal, with its sequence number.
pub(super) type Journaled = (i64, LoggedEvent);

/// One caller's events and where to answer.
struct Append {
    events: Vec<LoggedEvent>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// What the journal thread and the writer share.
#[derive(Debug, Default)]
pub(super) struct Pending {
    /// Durable in the journal, not taken to move yet, in sequence order.
    events: Mutex<Vec<Journaled>>,
    /// Durable in the journal and not committed into `audit_trail` yet: those of `events` and
    /// those a move has taken and not committed (a query that finds none to wait for sees
    /// every acknowledged event).
    unmoved: AtomicUsize,
    /// Every event up to this sequence number is in `audit_trail`.
    moved: AtomicI64,
}

impl Pending {
    /// Takes the events waiting to move; they count as unmoved until [`Pending::moved`].
    pub(super) fn take(&self) -> Vec<Journaled> {
        std::mem::take(&mut *self.lock())
    }

    /// Puts back `events` (taken, but their move failed) before those that came since.
    pub(super) fn put_back(&self, mut events: Vec<Journaled>) {
        let mut pending = self.lock();
        events.append(&mut pending);
        *pending = events;
    }

    /// Records that `n` events, up to sequence number `seq`, are in `audit_trail`.
    pub(super) fn moved(&self, seq: i64, n: usize) {
        self.moved.fetch_max(seq, Ordering::AcqRel);
        self.unmoved.fetch_sub(n, Ordering::AcqRel);
    }

    /// How many events are durable in the journal and not yet in `audit_trail`.
    pub(super) fn waiting(&self) -> usize {
        self.unmoved.load(Ordering::Acquire)
    }

    /// Adds `events`, durable in the journal, to those waiting to move.
    pub(super) fn hold(&self, events: Vec<Journaled>) {
        let mut pending = self.lock();
        self.unmoved.fetch_add(events.len(), Ordering::AcqRel);
        pending.extend(events);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Journaled>> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The journal of one database; cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Journal {
    tx: mpsc::Sender<Append>,
    pending: Arc<Pending>,
}

impl Journal {
    /// Opens (or creates) the journal `path` of the database its writer `writer` commits to,
    /// and starts its thread; the events of the last run still in it and not in `audit_trail`
    /// (past `moved`), which the caller moves before serving. `None` when another process holds
    /// the journal (its trail then goes through the writer, as on PostgreSQL).
    ///
    /// # Errors
    /// The file cannot be opened, read or grown.
    pub(super) fn open(
        path: &str,
        moved: i64,
        writer: writer::Handle,
        ring: u64,
    ) -> Result<Option<(Self, Vec<Journaled>)>, StoreError> {
        let created = !std::path::Path::new(path).exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        if file.try_lock().is_err() {
            return Ok(None);
        }
        if created {
            sync_parent(path)?;
        }
        let recovered = recover(&file, moved)?;
        let next = recovered
            .iter()
            .map(|(s, _)| *s)
            .max()
            .unwrap_or(moved)
            .max(moved)
            + 1;
        let pending = Arc::new(Pending::default());
        pending.moved(moved, 0);
        let (tx, rx) = mpsc::channel();
        let len = file.metadata().map_err(io)?.len();
        if len < GROW_BYTES {
            zero(&file, len, GROW_BYTES).map_err(io)?;
        }
        let len = len.max(GROW_BYTES);
        let ring = Ring {
            file,
            len,
            max: ring.max(len),
            grown: Arc::new(AtomicU64::new(len)),
            growing: Arc::new(AtomicBool::new(false)),
            at: 0,
            next,
            frames: VecDeque::new(),
        };
        let shared = pending.clone();
        std::thread::Builder::new()
            .name("carnet-journal".into())
            .spawn(move || run(ring, &rx, &shared, &writer))
            .map_err(io)?;
        Ok(Some((Self { tx, pending }, recovered)))
    }

    /// Makes `events` durable; returns once they are on disk.
    ///
    /// # Errors
    /// The journal could not be written (nothing of `events` counts as recorded).
    pub(super) async fn append(&self, events: Vec<LoggedEvent>) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Append { events, reply })
            .map_err(|_| super::group::stopped())?;
        rx.await.unwrap_or_else(|_| Err(super::group::stopped()))
    }

    /// The events waiting to move into `audit_trail`.
    pub(super) fn pending(&self) -> &Arc<Pending> {
        &self.pending
    }
}

/// The file and where the next frame goes.
struct Ring {
    file: File,
    /// The file's length (zeroed up to there), as far as this thread knows.
    len: u64,
    /// The ring's largest length.
    max: u64,
    /// The length once the growing thread is done.
    grown: Arc<AtomicU64>,
    /// A growing thread runs.
    growing: Arc<AtomicBool>,
    /// Where the next frame starts.
    at: u64,
    /// The next sequence number.
    next: i64,
    /// Frames written whose events may not have moved yet: start, end, last sequence number.
    frames: VecDeque<(u64, u64, i64)>,
}

fn run(
    mut ring: Ring,
    rx: &mpsc::Receiver<Append>,
    pending: &Arc<Pending>,
    writer: &writer::Handle,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        let size = |a: &Append| {
            a.events
                .iter()
                .map(|e| e.content.len() + 256)
                .sum::<usize>()
        };
        let (mut count, mut bytes) = (batch[0].events.len(), size(&batch[0]));
        while count < MAX_FRAME_EVENTS && bytes < MAX_FRAME_BYTES {
            match rx.try_recv() {
                Ok(a) => {
                    count += a.events.len();
                    bytes += size(&a);
                    batch.push(a);
                }
                Err(_) => break,
            }
        }
        let events: Vec<LoggedEvent> = batch.iter_mut().flat_map(|a| a.events.drain(..)).collect();
        if events.is_empty() {
            batch.into_iter().for_each(|a| drop(a.reply.send(Ok(()))));
            continue;
        }
        let first_seq = ring.next;
        let frame = encode(first_seq, &events);
        match ring.write(&frame, first_seq + events.len() as i64 - 1, pending, writer) {
            Ok(()) => {
                ring.next += events.len() as i64;
                pending.hold((first_seq..).zip(events).collect());
                for a in batch {
                    let _ = a.reply.send(Ok(()));
                }
                if pending.lock().len() >= MOVE_AT {
                    writer.move_trail(pending.clone(), None);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "writing the trail's journal failed");
                for a in batch {
                    let _ =
                        a.reply
                            .send(Err(StoreError::Database(sqlx::Error::Protocol(format!(
                                "the trail's journal could not be written: {e}"
                            )))));
                }
            }
        }
    }
}

impl Ring {
    /// Writes `frame` (events up to sequence number `last`) durably at the next place.
    fn write(
        &mut self,
        frame: &[u8],
        last: i64,
        pending: &Arc<Pending>,
        writer: &writer::Handle,
    ) -> std::io::Result<()> {
        let size = frame.len() as u64;
        self.len = self.len.max(self.grown.load(Ordering::Acquire));
        if self.at + size > self.len {
            if size > self.len {
                // Larger than the whole ring: make room at its end, now.
                zero(&self.file, self.len, size)?;
                self.len = size;
            }
            self.at = 0;
        }
        self.make_room(self.at, self.at + size, pending, writer)?;
        self.file.write_all_at(frame, self.at)?;
        self.file.sync_data()?;
        self.frames.push_back((self.at, self.at + size, last));
        self.at += size;
        self.grow_ahead();
        Ok(())
    }

    /// Past half the ring, while it is not at its largest: zeroes one more step at its end on
    /// a thread of its own (`fdatasync` of a place written before flushes no metadata, and
    /// zeroing 4 MiB here would hold every waiting response for milliseconds).
    fn grow_ahead(&self) {
        if self.len >= self.max
            || self.at < self.len / 2
            || self.growing.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let (from, to) = (self.len, (self.len + GROW_BYTES).min(self.max));
        let (grown, growing) = (self.grown.clone(), self.growing.clone());
        let Ok(file) = self.file.try_clone() else {
            growing.store(false, Ordering::Release);
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("carnet-journal-grow".into())
            .spawn(move || {
                match zero(&file, from, to) {
                    Ok(()) => {
                        grown.fetch_max(to, Ordering::AcqRel);
                    }
                    Err(e) => tracing::warn!(error = %e, "growing the trail's journal failed"),
                }
                growing.store(false, Ordering::Release);
            });
        if spawned.is_err() {
            self.growing.store(false, Ordering::Release);
        }
    }

    /// Waits until the frames overlapping `start..end` have moved into `audit_trail`.
    fn make_room(
        &mut self,
        start: u64,
        end: u64,
        pending: &Arc<Pending>,
        writer: &writer::Handle,
    ) -> std::io::Result<()> {
        while let Some(&(s, e, last)) = self.frames.front() {
            if last <= pending.moved.load(Ordering::Acquire) {
                self.frames.pop_front();
                continue;
            }
            if s >= end || e <= start {
                return Ok(());
            }
            // The ring caught up with events not moved yet: move them now.
            let (reply, rx) = oneshot::channel();
            writer.move_trail(pending.clone(), Some(reply));
            if let Ok(Err(e)) = rx.blocking_recv() {
                return Err(std::io::Error::other(e.to_string()));
            }
        }
        Ok(())
    }
}

/// Writes zeros into `file` from `from` to `to` and makes them durable with the file's length.
fn zero(file: &File, from: u64, to: u64) -> std::io::Result<()> {
    let zeros = vec![0u8; 1 << 20];
    let mut at = from;
    while at < to {
        let n = (to - at).min(zeros.len() as u64);
        file.write_all_at(&zeros[..usize::try_from(n).unwrap_or(0)], at)?;
        at += n;
    }
    file.sync_all()
}

/// The frame of `events`, numbered from `first`, padded to whole blocks.
fn encode(first: i64, events: &[LoggedEvent]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(events.len() * 1400);
    for e in events {
        put(&mut payload, e.id.as_bytes());
        payload.extend_from_slice(&e.at.0.to_le_bytes());
        put(&mut payload, e.patients.join("\n").as_bytes());
        put(&mut payload, e.terms.as_bytes());
        put(&mut payload, &e.content);
    }
    let count = u32::try_from(events.len()).unwrap_or(u32::MAX);
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let mut frame = Vec::with_capacity(HEADER + payload.len() + BLOCK as usize);
    frame.extend_from_slice(&FRAME_MAGIC.to_le_bytes());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&first.to_le_bytes());
    frame.extend_from_slice(&count.to_le_bytes());
    frame.extend_from_slice(&checksum(first, count, &payload).to_le_bytes());
    frame.extend_from_slice(&payload);
    frame.resize(frame.len().next_multiple_of(BLOCK as usize), 0);
    frame
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn checksum(first: i64, count: u32, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&first.to_le_bytes());
    h.update(&count.to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// The events of the valid frames of `file` numbered past `moved`, in sequence order.
fn recover(file: &File, moved: i64) -> Result<Vec<Journaled>, StoreError> {
    let len = file.metadata().map_err(io)?.len();
    let mut bytes = vec![0u8; usize::try_from(len).unwrap_or(0)];
    file.read_exact_at(&mut bytes, 0).map_err(io)?;
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + HEADER <= bytes.len() {
        match decode(&bytes[at..]) {
            Some((first, events, size)) => {
                out.extend((first..).zip(events).filter(|(s, _)| *s > moved));
                at += size.next_multiple_of(BLOCK as usize);
            }
            None => at += BLOCK as usize,
        }
    }
    out.sort_by_key(|(s, _)| *s);
    out.dedup_by_key(|(s, _)| *s);
    Ok(out)
}

/// The frame at the start of `bytes`: its first sequence number, its events and its size;
/// `None` when there is no whole, intact frame there.
fn decode(bytes: &[u8]) -> Option<(i64, Vec<LoggedEvent>, usize)> {
    let u32_at = |i: usize| Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    if u32_at(0)? != FRAME_MAGIC {
        return None;
    }
    let len = u32_at(4)? as usize;
    let first = i64::from_le_bytes(bytes.get(8..16)?.try_into().ok()?);
    let count = u32_at(16)?;
    let payload = bytes.get(HEADER..HEADER + len)?;
    if checksum(first, count, payload) != u32_at(20)? {
        return None;
    }
    let mut r = Reader(payload);
    let mut events = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let id = r.text()?;
        let at = Instant(i64::from_le_bytes(r.take(8)?.try_into().ok()?));
        let patients = r.text()?;
        events.push(LoggedEvent {
            id,
            at,
            patients: patients
                .split('\n')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            terms: r.text()?,
            content: r.bytes()?.to_vec(),
        });
    }
    Some((first, events, HEADER + len))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize;
        self.take(n)
    }

    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

/// Makes the new journal's directory entry durable.
fn sync_parent(path: &str) -> Result<(), StoreError> {
    let parent = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    File::open(parent).and_then(|d| d.sync_all()).map_err(io)
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Io(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(i: i64) -> LoggedEvent {
        LoggedEvent {
            id: format!("e{i}"),
            at: Instant(1_700_000_000_000_000 + i),
            patients: if i % 2 == 0 {
                vec!["p1".into(), "p2".into()]
            } else {
                Vec::new()
            },
            terms: format!(" outcome:0 n:{i} "),
            content: format!(r#"{{"resourceType":"AuditEvent","id":"e{i}"}}"#).into_bytes(),
        }
    }

    #[test]
    fn a_frame_reads_back_as_written_and_a_damaged_one_not_at_all() {
        let events: Vec<LoggedEvent> = (0..5).map(event).collect();
        let frame = encode(41, &events);
        assert_eq!(frame.len() % BLOCK as usize, 0);
        let (first, back, _) = decode(&frame).unwrap();
        assert_eq!((first, back), (41, events));
        let mut torn = frame.clone();
        torn[HEADER + 10] ^= 1;
        assert!(decode(&torn).is_none());
        assert!(decode(&frame[..HEADER + 3]).is_none());
    }

    #[test]
    fn events_taken_to_move_count_until_their_move_commits() {
        let pending = Pending::default();
        pending.hold((1..=3).map(|i| (i, event(i))).collect());
        assert_eq!(pending.waiting(), 3);
        // A move took them: a query arriving now still waits for that move.
        let taken = pending.take();
        assert_eq!((taken.len(), pending.waiting()), (3, 3));
        pending.hold(vec![(4, event(4))]);
        // That move failed: back before the one that came since, still waiting.
        pending.put_back(taken);
        let again = pending.take();
        assert_eq!(
            again.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        pending.moved(4, again.len());
        assert_eq!(pending.waiting(), 0);
        assert_eq!(pending.moved.load(Ordering::Acquire), 4);
    }

    #[test]
    fn recovery_keeps_the_intact_frames_past_what_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        let a = encode(1, &[event(1), event(2)]);
        let b = encode(3, &[event(3)]);
        let mut c = encode(4, &[event(4)]);
        c[HEADER] ^= 1;
        file.write_all_at(&a, 0).unwrap();
        file.write_all_at(&b, a.len() as u64).unwrap();
        file.write_all_at(&c, (a.len() + b.len()) as u64).unwrap();
        // A frame of an earlier lap further on, already moved.
        file.write_all_at(&encode(0, &[event(0)]), 40_960).unwrap();
        let got: Vec<i64> = recover(&file, 1)
            .unwrap()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(got, [2, 3]);
    }
}
