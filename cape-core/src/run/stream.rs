//! The spine on a thread of its own, for callers that pull results one at a time and cannot lend the tables
//! for the run's lifetime (a Python iterator, a C step handle).

use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::{assessments, Partial, RunOptions, Source};
use crate::assess::{AssessOptions, EntryAssessment, Tables};
use crate::{Error, Result};

/// Assessments handed over at a time: the channel costs nothing per entry, and memory stays about a
/// megabyte (a few hundred entries of about 1 KB each, times [`QUEUED`]).
const BATCH: usize = 256;
/// Batches that may wait in the channel; the run blocks beyond that, so memory is bounded however slowly
/// the caller pulls.
const QUEUED: usize = 4;

/// The assessments of a source's entries in file order, computed on a thread of their own: an iterator
/// that owns everything it needs (`'static`, `Send`), made by [`stream`]. [`AssessmentStream::finish`] gives
/// the [`Partial`].
///
/// Memory is bounded by 4 batches of 256 assessments (about a megabyte), whatever the input's size. Dropping the
/// stream stops the run at its next batch.
pub struct AssessmentStream {
    rx: Option<Receiver<Vec<EntryAssessment>>>,
    batch: std::vec::IntoIter<EntryAssessment>,
    handle: Option<JoinHandle<Result<Partial>>>,
    /// The run's result once the thread has ended.
    result: Option<Result<Partial>>,
}

impl std::fmt::Debug for AssessmentStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssessmentStream").field("running", &self.handle.is_some()).finish()
    }
}

/// Starts a run over `source` on a new thread: the stream of its entries' assessments.
///
/// # Errors
///
/// Those of [`assessments`] opening the source, returned here (not from the first pull).
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use cape_core::assess::{AssessOptions, Tables};
/// use cape_core::run::{stream, RunOptions, Source};
/// use cape_core::sample::{generate_es003_string, GeneratorConfig};
/// let csv = generate_es003_string(&GeneratorConfig { entries: 600, ..GeneratorConfig::default() });
/// let tables = Arc::new(Tables::embedded()?);
/// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
/// let mut s = stream(Source::Bytes(csv.into_bytes()), tables, AssessOptions::new(as_of), RunOptions::new())?;
/// let first = s.next().transpose()?.map(|a| a.entry_number());
/// assert!(first.is_some());
/// assert_eq!(s.finish()?.totals.entries, 600);
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn stream(
    source: Source,
    tables: Arc<Tables>,
    assess: AssessOptions,
    options: RunOptions,
) -> Result<AssessmentStream> {
    let (opened_tx, opened_rx) = sync_channel::<Result<()>>(1);
    let (tx, rx) = sync_channel::<Vec<EntryAssessment>>(QUEUED);
    let handle = std::thread::Builder::new()
        .name("cape-run".into())
        .spawn(move || -> Result<Partial> {
            let mut it = match assessments(source, &tables, assess, &options) {
                Ok(it) => {
                    let _ = opened_tx.send(Ok(()));
                    it
                }
                Err(e) => {
                    let _ = opened_tx.send(Err(e));
                    return Err(Error::Cancelled { source_name: String::new() });
                }
            };
            let mut batch = Vec::with_capacity(BATCH);
            let gone = |_| Error::Cancelled { source_name: String::from("the stream was dropped") };
            for a in it.by_ref() {
                batch.push(a?);
                if batch.len() == BATCH {
                    tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).map_err(gone)?;
                }
            }
            if !batch.is_empty() {
                tx.send(batch).map_err(gone)?;
            }
            drop(tx);
            it.finish()
        })
        .map_err(|e| Error::io("cape-run thread", e))?;
    match opened_rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let _ = handle.join();
            return Err(e);
        }
        // The thread ended without saying: it panicked, which is resumed here.
        Err(_) => {
            return Err(match handle.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(Err(e)) => e,
                Ok(Ok(_)) => Error::Cancelled { source_name: String::new() },
            })
        }
    }
    Ok(AssessmentStream { rx: Some(rx), batch: Vec::new().into_iter(), handle: Some(handle), result: None })
}

impl AssessmentStream {
    fn join(&mut self) {
        self.rx = None;
        if let Some(h) = self.handle.take() {
            self.result = Some(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
    }

    /// Ends the run: what is left of the input is read and assessed (without handing it over) and the
    /// [`Partial`] of the whole source is returned.
    ///
    /// # Errors
    ///
    /// The run's error, if it ended with one (also when [`Iterator::next`] already returned it).
    pub fn finish(mut self) -> Result<Partial> {
        // Keep pulling so the run is not blocked on a full channel, then take its result.
        while let Some(rx) = &self.rx {
            if rx.recv().is_err() {
                break;
            }
        }
        self.join();
        self.result.take().unwrap_or_else(|| Err(Error::Cancelled { source_name: String::new() }))
    }
}

impl Iterator for AssessmentStream {
    type Item = Result<EntryAssessment>;

    fn next(&mut self) -> Option<Result<EntryAssessment>> {
        loop {
            if let Some(a) = self.batch.next() {
                return Some(Ok(a));
            }
            let rx = self.rx.as_ref()?;
            match rx.recv() {
                Ok(b) => self.batch = b.into_iter(),
                Err(_) => {
                    // The run has ended: the input is done, or an error stopped it (returned once here, and
                    // again by `finish`).
                    self.join();
                    return match &self.result {
                        Some(Err(e)) => Some(Err(e.clone())),
                        _ => None,
                    };
                }
            }
        }
    }
}

impl Drop for AssessmentStream {
    fn drop(&mut self) {
        // Dropping the receiver makes the run's next send fail, which ends it.
        self.rx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
