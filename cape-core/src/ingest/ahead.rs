//! Reading ahead on a second thread: the ES-003 reader parses while the caller assesses.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::error::Result;
use crate::model::Entry;
use crate::Es003Reader;

/// Entries handed over at a time: large enough that the channel costs nothing per entry, small enough that
/// memory stays a few megabytes.
const BATCH: usize = 512;
/// Batches that may wait in the channel (the reader blocks beyond that, so memory is bounded).
const QUEUED: usize = 4;

/// An [`Es003Reader`] running on its own thread: an iterator over the same entries, in the same order, with
/// the same errors, while the thread that iterates does other work (assessment, output) on the entries
/// already read. Made by [`Es003Reader::read_ahead`]; [`ReadAhead::finish`] gives the reader back, with its
/// summary and diagnostics.
///
/// # Example
///
/// ```
/// use cape_core::sample::{generate_es003_string, GeneratorConfig};
/// use cape_core::{Es003Options, Es003Reader};
/// let csv = generate_es003_string(&GeneratorConfig { entries: 50, ..GeneratorConfig::default() });
/// let one = Es003Reader::from_bytes(csv.clone().into_bytes(), &Es003Options::default())?;
/// let same: Vec<_> = one.map(|e| e.map(|e| e.number)).collect::<Result<_, _>>()?;
/// let mut ahead = Es003Reader::from_bytes(csv.into_bytes(), &Es003Options::default())?.read_ahead();
/// let numbers: Vec<_> = ahead.by_ref().map(|e| e.map(|e| e.number)).collect::<Result<_, _>>()?;
/// assert_eq!(numbers, same);
/// let reader = ahead.finish();
/// assert_eq!(reader.summary().entries, 50);
/// # Ok::<(), cape_core::Error>(())
/// ```
pub struct ReadAhead {
    rx: Option<Receiver<Vec<Result<Entry>>>>,
    batch: std::vec::IntoIter<Result<Entry>>,
    handle: Option<JoinHandle<Es003Reader>>,
    /// The reader, once its thread has ended.
    done: Option<Box<Es003Reader>>,
    rows_read: Arc<AtomicU64>,
    /// The reader's [`Es003Reader::progress`] as `f64` bits (`u64::MAX` when unknown).
    fraction: Arc<AtomicU64>,
}

impl std::fmt::Debug for ReadAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadAhead").field("rows_read", &self.rows_read()).finish()
    }
}

impl Es003Reader {
    /// Moves this reader to a thread of its own that reads ahead of the caller, a bounded number of entries
    /// at a time. On two or more cores, ingest then overlaps with whatever the caller does per entry; the
    /// entries, their order, the diagnostics and the summary are exactly those of the reader used directly.
    pub fn read_ahead(self) -> ReadAhead {
        let (tx, rx) = sync_channel::<Vec<Result<Entry>>>(QUEUED);
        let rows_read = Arc::new(AtomicU64::new(0));
        let rows = Arc::clone(&rows_read);
        let fraction = Arc::new(AtomicU64::new(u64::MAX));
        let frac = Arc::clone(&fraction);
        let handle = std::thread::spawn(move || {
            let mut reader = self;
            loop {
                let batch: Vec<Result<Entry>> = reader.by_ref().take(BATCH).collect();
                rows.store(reader.summary().rows_read, Ordering::Relaxed);
                frac.store(reader.progress().map_or(u64::MAX, f64::to_bits), Ordering::Relaxed);
                if batch.is_empty() || tx.send(batch).is_err() {
                    return reader;
                }
            }
        });
        ReadAhead { rx: Some(rx), batch: Vec::new().into_iter(), handle: Some(handle), done: None, rows_read, fraction }
    }
}

impl ReadAhead {
    /// Rows the reader thread has read so far (for progress).
    pub fn rows_read(&self) -> u64 {
        self.rows_read.load(Ordering::Relaxed)
    }

    /// The fraction of the input the reader thread has read, when the input's size is known (as
    /// [`Es003Reader::progress`]).
    pub fn progress(&self) -> Option<f64> {
        match self.fraction.load(Ordering::Relaxed) {
            u64::MAX => None,
            bits => Some(f64::from_bits(bits)),
        }
    }

    /// Waits for the reader thread to end and keeps its reader; resumes its panic, if it had one (a bug).
    fn join(&mut self) {
        self.rx = None;
        if let Some(h) = self.handle.take() {
            match h.join() {
                Ok(reader) => self.done = Some(Box::new(reader)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    }

    /// Stops reading and gives the reader back: after the iterator has returned `None`, its summary and
    /// diagnostics are complete. A panic on the reader thread (a bug) is resumed on this thread.
    pub fn finish(mut self) -> Es003Reader {
        self.join();
        match self.done.take() {
            Some(reader) => *reader,
            // `join` leaves the reader here unless the thread panicked, which it resumed.
            None => std::panic::resume_unwind(Box::new("cape: reader thread gave no reader")),
        }
    }
}

impl Iterator for ReadAhead {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        loop {
            if let Some(e) = self.batch.next() {
                return Some(e);
            }
            match self.rx.as_ref()?.recv() {
                Ok(b) => self.batch = b.into_iter(),
                Err(_) => {
                    // The thread has ended (it drops its sender on the way out): the input is done, or it
                    // panicked, which is resumed here rather than looking like the end of the file.
                    self.join();
                    return None;
                }
            }
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // Closing the channel makes the thread's next send fail, so it ends; wait for it.
        self.rx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The entries of a report, read on the calling thread (`threads` = 1) or read ahead on a second one
/// ([`Es003Reader::read_ahead`]); the same entries, in the same order, with the same summary and diagnostics
/// either way. What the command line and the bindings iterate.
///
/// # Example
///
/// ```
/// use cape_core::ingest::ahead::Entries;
/// use cape_core::sample::{generate_es003_string, GeneratorConfig};
/// use cape_core::{Es003Options, Es003Reader};
/// let csv = generate_es003_string(&GeneratorConfig { entries: 20, ..GeneratorConfig::default() });
/// let mut entries = Entries::new(Es003Reader::from_bytes(csv.into_bytes(), &Es003Options::default())?, 2);
/// let mut n = 0;
/// while let Some(e) = entries.next() {
///     e?;
///     n += 1;
/// }
/// assert_eq!((n, entries.finish().summary().entries), (20, 20));
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug)]
pub enum Entries {
    /// Read on the calling thread.
    Here(Box<Es003Reader>),
    /// Read ahead on a second thread.
    Ahead(ReadAhead),
}

/// The threads cape uses by default: two on a machine with two cores or more (reading overlaps the rest),
/// else one.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(2))
}

impl Entries {
    /// Reads on the calling thread when `threads` ≤ 1, else ahead on a second thread.
    pub fn new(reader: Es003Reader, threads: usize) -> Self {
        if threads >= 2 {
            Entries::Ahead(reader.read_ahead())
        } else {
            Entries::Here(Box::new(reader))
        }
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> u64 {
        match self {
            Entries::Here(r) => r.summary().rows_read,
            Entries::Ahead(a) => a.rows_read(),
        }
    }

    /// The fraction of the input read so far, when its size is known.
    pub fn progress(&self) -> Option<f64> {
        match self {
            Entries::Here(r) => r.progress(),
            Entries::Ahead(a) => a.progress(),
        }
    }

    /// The reader, its summary and diagnostics complete once every entry has been taken.
    pub fn finish(self) -> Es003Reader {
        match self {
            Entries::Here(r) => *r,
            Entries::Ahead(a) => a.finish(),
        }
    }
}

impl Iterator for Entries {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        match self {
            Entries::Here(r) => r.next(),
            Entries::Ahead(a) => a.next(),
        }
    }
}
