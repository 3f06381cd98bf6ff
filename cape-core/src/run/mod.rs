//! The spine: one driver that streams a source entry by entry through the four CAPE components and folds
//! everything but the per-entry results into one mergeable [`Partial`].
//!
//! ```text
//! Source ──► ingest ──► mass ──► claim ──► liquidation ──► refund ──► the caller (iterator / callback)
//!                                                                        └─► Partial: totals, consolidation,
//!                                                                            ingest balance, capped diagnostics
//! ```
//!
//! Every surface is an adapter over this module: the command line, the Python package (`cape.assess`,
//! `cape.iter_assess`, `cape.assess_partition`) and the C library (`cape_run`, `cape_assess_path`). Nothing else
//! in cape loops over entries, merges partial results or consolidates refunds.
//!
//! - [`assessments`] gives an iterator over the entries' assessments, in file order, in memory bounded by one
//!   entry (plus the reader's read-ahead batches); [`Assessments::finish`] gives the [`Partial`].
//! - [`run`] hands each assessment to a callback and returns the [`Partial`].
//! - [`run_summary`] keeps no per-entry result at all; on a file it may cut the file in two between entries
//!   and run both halves on their own threads, with exactly the one-thread result.
//! - [`assess_all`] keeps every assessment (small files; the Python and C "materialising" calls).
//!
//! Progress is reported through [`RunOptions::progress`], which can also stop the run; cancellation through
//! [`crate::Es003Options::cancel`]. Either ends the run with [`Error::Cancelled`].

mod partial;
mod stream;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use partial::{Fingerprint, Partial, PARTIAL_FORMAT_VERSION};
pub use stream::{stream, AssessmentStream};

use crate::assess::{AssessOptions, Assessor, EntryAssessment, Tables};
use crate::claim::{ClaimAssessment, PreflightReport};
use crate::ingest::ahead::{default_threads, Entries};
use crate::refund::ConsolidationOptions;
use crate::{Entry, EntryNumber, Error, Es003, Es003Options, Es003Reader, Result};

/// Where the entries of a run come from.
pub enum Source {
    /// An ES-003 file (CSV or XLSX, sniffed from its content), `-` for standard input.
    Path(PathBuf),
    /// An ES-003 file's bytes (CSV or XLSX).
    Bytes(Vec<u8>),
    /// A header and rows of text cells, as an ES-003 CSV would have them.
    Records {
        /// The column names.
        header: Vec<String>,
        /// The rows, each with one cell per column.
        rows: Vec<Vec<String>>,
    },
    /// A header and columns of text cells (a data frame's layout: one vector per column, all the same length).
    Columns {
        /// The column names.
        header: Vec<String>,
        /// The columns, one per header name, each with one cell per row.
        columns: Vec<Vec<String>>,
    },
    /// A table written to a temporary file ([`crate::ingest::spool::RecordSpool::finish`]): a data frame or any
    /// large table of text cells, converted batch by batch.
    Spool(Arc<crate::ingest::source::Spool>),
    /// A reader the caller opened (with its own [`Es003Options`]; the run's are then not used for reading).
    Reader(Box<Es003Reader>),
    /// A report already read or built ([`crate::Es003Builder`]); its entry numbers need not be unique.
    Report(Box<Es003>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Source::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Source::Records { header, rows } => write!(f, "Records({} columns, {} rows)", header.len(), rows.len()),
            Source::Columns { header, columns } => {
                write!(f, "Columns({} columns, {} rows)", header.len(), columns.first().map_or(0, Vec::len))
            }
            Source::Spool(s) => write!(f, "Spool({} bytes)", s.len()),
            Source::Reader(r) => f.debug_tuple("Reader").field(&r.source()).finish(),
            Source::Report(r) => write!(f, "Report({} entries)", r.entries.len()),
        }
    }
}

impl Source {
    /// The reader of this source, or the report it already is.
    fn open(self, es003: &Es003Options) -> Result<Opened> {
        Ok(match self {
            Source::Path(p) => Opened::Reader(Box::new(Es003Reader::open(p, es003)?)),
            Source::Bytes(b) => Opened::Reader(Box::new(Es003Reader::from_bytes(b, es003)?)),
            Source::Records { header, rows } => {
                Opened::Reader(Box::new(Es003Reader::from_records(&header, rows, es003)?))
            }
            Source::Columns { header, columns } => {
                let name = es003.source_name.as_deref().unwrap_or("<records>");
                let n = crate::ingest::spool::column_rows(name, header.len(), &columns)?;
                let rows = (0..n).map(|i| columns.iter().map(move |c| c[i].as_str()));
                Opened::Reader(Box::new(Es003Reader::from_records(&header, rows, es003)?))
            }
            Source::Spool(s) => Opened::Reader(Box::new(Es003Reader::open_spool(s, es003)?)),
            Source::Reader(r) => Opened::Reader(r),
            Source::Report(r) => Opened::Report(r),
        })
    }
}

enum Opened {
    Reader(Box<Es003Reader>),
    Report(Box<Es003>),
}

/// What a run reports to [`RunOptions::progress`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Input rows read so far.
    pub rows_read: u64,
    /// Entries assessed so far.
    pub entries: u64,
    /// The fraction of the input read, when its size is known.
    pub fraction: Option<f64>,
    /// True on the last call, after the whole input was read.
    pub done: bool,
}

/// A progress callback: called at most every [`RunOptions::progress_every`] and once at the end; returning
/// [`ControlFlow::Break`] stops the run with [`Error::Cancelled`].
pub type ProgressFn = Arc<dyn Fn(&Progress) -> ControlFlow<()> + Send + Sync>;

/// How long the spine waits between progress calls by default.
pub const DEFAULT_PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// How to run, besides what to assess ([`AssessOptions`]): reading, consolidation, threads and progress.
#[derive(Clone)]
#[non_exhaustive]
pub struct RunOptions {
    /// How to read the ES-003 (sheet, source name, limits, cancel flag).
    pub es003: Es003Options,
    /// How refunds are consolidated (minimum refund).
    pub consolidation: ConsolidationOptions,
    /// Threads: 0 for cape's default ([`default_threads`]: two on a machine with two cores), 1 to read on the
    /// calling thread, 2 or more to read ahead on a second thread (and, for [`run_summary`] on a file, to run
    /// each half of the file on its own thread).
    pub threads: usize,
    /// Called with the progress, at most every [`RunOptions::progress_every`] and once at the end.
    pub progress: Option<ProgressFn>,
    /// The least time between two progress calls.
    pub progress_every: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            es003: Es003Options::default(),
            consolidation: ConsolidationOptions::default(),
            threads: 0,
            progress: None,
            progress_every: DEFAULT_PROGRESS_EVERY,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("es003", &self.es003)
            .field("consolidation", &self.consolidation)
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .field("progress_every", &self.progress_every)
            .finish()
    }
}

impl RunOptions {
    /// The defaults: cape's reading limits, no minimum refund, the default threads, no progress.
    pub fn new() -> Self {
        Self::default()
    }

    /// The threads to use: [`RunOptions::threads`], or cape's default for 0.
    pub fn effective_threads(&self) -> usize {
        if self.threads == 0 {
            default_threads()
        } else {
            self.threads
        }
    }
}

enum Stream {
    Reader(Entries),
    Report { entries: std::vec::IntoIter<Entry>, rest: Box<Es003> },
}

/// The assessments of a source's entries, in file order: an iterator of `Result<EntryAssessment>`, folding
/// totals, consolidation and the ingest balance into the [`Partial`] that [`Assessments::finish`] returns.
///
/// Memory is bounded by one entry and the reader's read-ahead (a few megabytes), whatever the input's size.
/// After an error the iterator ends.
pub struct Assessments<'t> {
    assessor: Assessor<'t>,
    stream: Stream,
    partial: Partial,
    progress: Option<ProgressFn>,
    every: Duration,
    last: Instant,
    failed: bool,
    /// The importers of the class overrides that no entry has had so far.
    unseen_overrides: BTreeSet<String>,
}

impl std::fmt::Debug for Assessments<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assessments")
            .field("assessor", &self.assessor)
            .field("entries", &self.partial.totals.entries)
            .finish()
    }
}

/// Starts a run over `source`: the iterator of its entries' assessments.
///
/// # Errors
///
/// The reader's errors opening the source ([`Error::Io`], [`Error::Format`], [`Error::MissingColumn`]), an
/// unknown rule set or invalid interest parameters ([`Error::Value`]).
///
/// # Example
///
/// ```
/// use cape_core::assess::{AssessOptions, Tables};
/// use cape_core::run::{assessments, RunOptions, Source};
/// use cape_core::sample::{generate_es003_string, GeneratorConfig};
/// let csv = generate_es003_string(&GeneratorConfig { entries: 40, ..GeneratorConfig::default() });
/// let tables = Tables::embedded()?;
/// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
/// let mut it = assessments(Source::Bytes(csv.into_bytes()), &tables, AssessOptions::new(as_of), &RunOptions::new())?;
/// let mut eligible = 0;
/// for a in it.by_ref() {
///     eligible += u64::from(a?.status() == cape_core::ClaimStatus::Eligible);
/// }
/// let partial = it.finish()?;
/// assert_eq!(partial.totals.entries, 40);
/// assert_eq!(partial.totals.eligible, eligible);
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn assessments<'t>(
    source: Source,
    tables: &'t Tables,
    assess: AssessOptions,
    options: &RunOptions,
) -> Result<Assessments<'t>> {
    let assessor = Assessor::new(tables, assess)?;
    let fingerprint = Fingerprint::of(tables, &assessor.rule_set().name, assessor.options(), &options.consolidation);
    let as_of = assessor.options().as_of;
    let opened = source.open(&options.es003)?;
    let (assessor, stream) = match opened {
        // One reader yields each entry number once, wherever its rows are: no set of numbers is needed.
        Opened::Reader(r) => {
            (assessor.with_unique_entries(), Stream::Reader(Entries::new(*r, options.effective_threads())))
        }
        Opened::Report(mut r) => {
            let entries = std::mem::take(&mut r.entries).into_iter();
            (assessor, Stream::Report { entries, rest: r })
        }
    };
    let partial = Partial::empty(fingerprint, as_of, assessor.rule_set().name.clone(), options.consolidation);
    let unseen_overrides = assessor.options().class_overrides.keys().cloned().collect();
    Ok(Assessments {
        assessor,
        stream,
        partial,
        progress: options.progress.clone(),
        every: options.progress_every,
        last: Instant::now(),
        failed: false,
        unseen_overrides,
    })
}

impl Assessments<'_> {
    /// Rows read so far.
    pub fn rows_read(&self) -> u64 {
        match &self.stream {
            Stream::Reader(e) => e.rows_read(),
            Stream::Report { rest, .. } => rest.summary.rows_read,
        }
    }

    /// The progress so far (what [`RunOptions::progress`] is called with), for a caller that draws its own.
    pub fn progress(&self) -> Progress {
        let fraction = match &self.stream {
            Stream::Reader(e) => e.progress(),
            Stream::Report { .. } => None,
        };
        Progress { rows_read: self.rows_read(), entries: self.partial.totals.entries, fraction, done: false }
    }

    /// The rule set applied.
    pub fn rule_set(&self) -> &crate::RuleSet {
        self.assessor.rule_set()
    }

    /// The partial result so far (totals and consolidation of the entries assessed; the ingest balance and
    /// diagnostics are complete only in [`Assessments::finish`]'s).
    pub fn partial(&self) -> &Partial {
        &self.partial
    }

    fn tick(&mut self, done: bool) -> Result<()> {
        let Some(cb) = &self.progress else { return Ok(()) };
        let p = Progress { done, ..self.progress() };
        self.last = Instant::now();
        match cb(&p) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(Error::Cancelled { source_name: self.source_name() }),
        }
    }

    fn source_name(&self) -> String {
        match &self.stream {
            Stream::Reader(Entries::Here(r)) => r.source().to_owned(),
            Stream::Reader(Entries::Ahead(_)) => self.partial.ingest.source.to_string(),
            Stream::Report { rest, .. } => rest.summary.source.to_string(),
        }
    }

    fn step(&mut self) -> Option<Result<EntryAssessment>> {
        let entry = match &mut self.stream {
            Stream::Reader(e) => e.next()?,
            Stream::Report { entries, .. } => Ok(entries.next()?),
        };
        let a = entry.and_then(|e| self.assessor.assess_owned(e)).and_then(|a| {
            self.partial.add(&a)?;
            Ok(a)
        });
        if let (Ok(a), false) = (&a, self.unseen_overrides.is_empty()) {
            if let Some(n) = &a.importer_number {
                self.unseen_overrides.remove(n);
            }
        }
        if a.is_ok()
            && self.progress.is_some()
            && self.partial.totals.entries.is_multiple_of(256)
            && self.last.elapsed() >= self.every
        {
            if let Err(e) = self.tick(false) {
                return Some(Err(e));
            }
        }
        Some(a)
    }

    /// Ends the run: reads what is left of the input (without assessing it, when the caller stopped early)
    /// and gives the partial result with the complete ingest balance and diagnostics.
    ///
    /// # Errors
    ///
    /// The reader's errors on the rest of the input, a progress callback's stop ([`Error::Cancelled`]), and
    /// [`Error::Format`] when no row of the input was usable.
    pub fn finish(mut self) -> Result<Partial> {
        if !self.failed {
            // Entries left unread by a caller that stopped early are assessed too: the partial is the whole
            // source's.
            while let Some(a) = self.step() {
                a?;
            }
            self.tick(true)?;
        }
        let (summary, diagnostics) = match self.stream {
            Stream::Reader(e) => {
                let mut r = e.finish();
                let d = r.take_diagnostics();
                (r.summary().clone(), d)
            }
            Stream::Report { rest, .. } => (rest.summary, rest.diagnostics),
        };
        self.partial.ingest = summary;
        self.partial.diagnostics = diagnostics;
        let unseen = std::mem::take(&mut self.unseen_overrides);
        self.partial.report_unused_overrides(unseen);
        Ok(self.partial)
    }
}

impl Iterator for Assessments<'_> {
    type Item = Result<EntryAssessment>;

    fn next(&mut self) -> Option<Result<EntryAssessment>> {
        if self.failed {
            return None;
        }
        let r = self.step();
        if matches!(r, Some(Err(_))) {
            self.failed = true;
        }
        r
    }
}

/// Runs `source` through the spine, handing each assessment to `sink` in file order.
///
/// # Errors
///
/// Those of [`assessments`] and [`Assessments::finish`], [`Error::Overflow`], and any error `sink` returns
/// (which stops the run).
pub fn run(
    source: Source,
    tables: &Tables,
    assess: AssessOptions,
    options: &RunOptions,
    mut sink: impl FnMut(EntryAssessment) -> Result<()>,
) -> Result<Partial> {
    let mut it = assessments(source, tables, assess, options)?;
    for a in it.by_ref() {
        sink(a?)?;
    }
    it.finish()
}

/// Runs `source` through the spine keeping every assessment (in [`Partial::entries`]): for small files (memory grows with the input,
/// about 1 KB an entry). [`run`] or [`assessments`] stream instead.
///
/// # Errors
///
/// Those of [`run`].
pub fn assess_all(source: Source, tables: &Tables, assess: AssessOptions, options: &RunOptions) -> Result<Partial> {
    let mut entries = Vec::new();
    let mut partial = run(source, tables, assess, options, |a| {
        entries.push(a);
        Ok(())
    })?;
    partial.entries = entries;
    Ok(partial)
}

/// Runs `source` through the spine without keeping any per-entry result: the [`Partial`] alone (totals,
/// consolidation, ingest balance), in memory flat in the input's size.
///
/// On a file with [`RunOptions::threads`] ≥ 2 the file is cut in two between entries
/// ([`Es003Reader::open_parts`]) and each half runs on its own thread; the halves merge in file order into
/// exactly the one-thread result. When the file cannot be cut (a workbook, a small file, an entry with rows in
/// both halves), the reader reads ahead on the second thread instead.
///
/// # Errors
///
/// Those of [`run`]; with two parts, the first part's error is returned first.
///
/// # Example
///
/// ```
/// use cape_core::assess::{AssessOptions, Tables};
/// use cape_core::run::{run_summary, RunOptions, Source};
/// use cape_core::sample::{generate_es003_string, GeneratorConfig};
/// let dir = std::env::temp_dir().join(format!("cape-run-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("es003.csv");
/// std::fs::write(&path, generate_es003_string(&GeneratorConfig { entries: 300, ..GeneratorConfig::default() }))?;
/// let tables = Tables::embedded()?;
/// let opts = AssessOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
/// let mut one = RunOptions::new();
/// one.threads = 1;
/// let mut two = RunOptions::new();
/// two.threads = 2;
/// let a = run_summary(cape_core::run::Source::Path(path.clone()), &tables, opts.clone(), &one)?;
/// let b = run_summary(Source::Path(path), &tables, opts, &two)?;
/// assert_eq!(a.consolidation, b.consolidation);
/// assert_eq!(a.totals.entries, 300);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_summary(source: Source, tables: &Tables, assess: AssessOptions, options: &RunOptions) -> Result<Partial> {
    let path = match (&source, options.effective_threads()) {
        (Source::Path(p), t) if t >= 2 && p.as_os_str() != "-" => p.clone(),
        _ => return run(source, tables, assess, options, |_| Ok(())),
    };
    let readers = Es003Reader::open_parts(&path, &options.es003, 2)?;
    if readers.len() < 2 {
        let r = readers.into_iter().next().map(|r| Source::Reader(Box::new(r))).unwrap_or(source);
        return run(r, tables, assess, options, |_| Ok(()));
    }
    // Each half on its own thread, read on that thread (no read-ahead: both cores are busy). Progress is
    // reported by the first half only, with the second half's rows unknown to it.
    let results: Vec<Result<Partial>> = std::thread::scope(|s| {
        let handles: Vec<_> = readers
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let mut o = options.clone();
                o.threads = 1;
                if i > 0 {
                    o.progress = None;
                }
                let assess = assess.clone();
                s.spawn(move || run_part(r, tables, assess, &o))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut parts = results.into_iter();
    let mut out = match parts.next() {
        Some(p) => p?,
        None => return run(source, tables, assess, options, |_| Ok(())),
    };
    for p in parts {
        out.merge(p?)?;
    }
    // Each part of a file cut in two leaves the "no usable row" check to the whole.
    if out.ingest.rows_used == 0 {
        let codes = out.ingest.rejections_by_code();
        return Err(crate::ingest::source::no_usable_row(&out.ingest.source, out.ingest.rows_read, &codes));
    }
    Ok(out)
}

/// Checks a declaration's listed entries against an ES-003 streamed through the spine (ineligible, needs
/// review, not in the data): only the claims of the entries the declaration lists are kept (at most the
/// declaration's 9,999 rows), whatever the size of the ES-003.
///
/// # Errors
///
/// Those of [`run`]; `report` is unchanged on error.
pub fn preflight_against(
    report: &mut PreflightReport,
    source: Source,
    tables: &Tables,
    assess: AssessOptions,
    options: &RunOptions,
) -> Result<Partial> {
    let listed: HashSet<EntryNumber> = report.entries.iter().map(|e| e.entry_number).collect();
    let mut claims: HashMap<EntryNumber, ClaimAssessment> = HashMap::new();
    let partial = run(source, tables, assess, options, |a| {
        let n = a.entry_number();
        if listed.contains(&n) {
            claims.insert(n, a.claim);
        }
        Ok(())
    })?;
    report.check_entries(|n| claims.get(n));
    Ok(partial)
}

fn run_part(reader: Es003Reader, tables: &Tables, assess: AssessOptions, options: &RunOptions) -> Result<Partial> {
    run(Source::Reader(Box::new(reader)), tables, assess, options, |_| Ok(()))
}

#[cfg(test)]
mod tests;
