//! The whole job over one ES-003 file without per-entry output — read, remove IEEPA duty, check eligibility,
//! schedule, compute interest, consolidate — on one thread or two.
//!
//! With two threads the file is cut in two between entries ([`Es003Reader::open_parts`]) and each half runs
//! the whole pipeline on its own thread; the halves' results are merged in file order, so the result is
//! exactly the one-thread result. When the file cannot be cut (a workbook, a small file, an entry with rows in
//! both halves), the reader instead reads ahead on the second thread ([`Es003Reader::read_ahead`]).

use std::path::Path;

use crate::assess::{AssessOptions, AssessTotals, Assessor, Tables};
use crate::refund::{Consolidation, ConsolidationOptions};
use crate::{Diagnostic, Entry, Es003Options, Es003Reader, IngestSummary, Result};

/// The result of [`run_pipeline`].
#[derive(Debug, Clone)]
pub struct PipelineResult {
    /// Counts and sums by status over every entry.
    pub totals: AssessTotals,
    /// The refunds of the eligible entries, consolidated per recipient and liquidation date.
    pub consolidation: Consolidation,
    /// The ingest summary (rows read = used + rejected).
    pub ingest: IngestSummary,
    /// The ingest diagnostics, in file order (at most [`crate::Es003Options::max_diagnostics_per_code`] per
    /// code; the exact counts are in [`IngestSummary::counts_by_code`]).
    pub diagnostics: Vec<Diagnostic>,
    /// The rule set applied.
    pub rule_set: String,
    /// How many parts the file was read in (1, or 2 when cut for two threads).
    pub parts: usize,
}

/// Runs the pipeline over the ES-003 file at `path` on `threads` threads (0 and 1 mean one; two are used at
/// most for now).
///
/// # Errors
///
/// The reader's errors ([`crate::Error::Io`], [`crate::Error::Format`], [`crate::Error::MissingColumn`]), an
/// unknown rule set, or [`crate::Error::Overflow`]. With two parts, the first part's error is returned first.
///
/// # Example
///
/// ```
/// use cape_core::assess::{AssessOptions, Tables};
/// use cape_core::pipeline::run_pipeline;
/// use cape_core::refund::ConsolidationOptions;
/// use cape_core::sample::{generate_es003_string, GeneratorConfig};
/// use cape_core::Es003Options;
/// let dir = std::env::temp_dir().join(format!("cape-pipeline-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("es003.csv");
/// std::fs::write(&path, generate_es003_string(&GeneratorConfig { entries: 300, ..GeneratorConfig::default() }))?;
/// let tables = Tables::embedded()?;
/// let opts = AssessOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
/// let one = run_pipeline(&path, &tables, opts.clone(), &Es003Options::default(), ConsolidationOptions::default(), 1)?;
/// let two = run_pipeline(&path, &tables, opts, &Es003Options::default(), ConsolidationOptions::default(), 2)?;
/// assert_eq!(one.consolidation, two.consolidation);
/// assert_eq!(one.totals.entries, 300);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_pipeline(
    path: impl AsRef<Path>,
    tables: &Tables,
    options: AssessOptions,
    es003: &Es003Options,
    consolidation: ConsolidationOptions,
    threads: usize,
) -> Result<PipelineResult> {
    let readers =
        if threads >= 2 { Es003Reader::open_parts(path, es003, 2)? } else { vec![Es003Reader::open(path, es003)?] };
    let parts = readers.len();
    let mut results: Vec<Result<Part>> = if parts == 1 {
        readers.into_iter().map(|r| run_part(r, tables, options.clone(), consolidation, threads >= 2)).collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = readers
                .into_iter()
                .map(|r| {
                    let options = options.clone();
                    s.spawn(move || run_part(r, tables, options, consolidation, false))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        })
    };
    let mut out = results.remove(0)?;
    for r in results {
        let p = r?;
        out.totals.merge(&p.totals)?;
        out.consolidation.merge(p.consolidation)?;
        out.ingest.absorb_part(&mut out.diagnostics, &p.ingest, p.diagnostics);
    }
    // Each part of a file cut in two leaves this check to the whole (one reader makes it itself).
    if parts > 1 && out.ingest.rows_used == 0 {
        let codes = out.ingest.rejections_by_code();
        return Err(crate::ingest::source::no_usable_row(&out.ingest.source, out.ingest.rows_read, &codes));
    }
    Ok(PipelineResult {
        totals: out.totals,
        consolidation: out.consolidation,
        ingest: out.ingest,
        diagnostics: out.diagnostics,
        rule_set: out.rule_set,
        parts,
    })
}

/// One part's results.
struct Part {
    totals: AssessTotals,
    consolidation: Consolidation,
    ingest: IngestSummary,
    diagnostics: Vec<Diagnostic>,
    rule_set: String,
}

fn run_part(
    reader: Es003Reader,
    tables: &Tables,
    options: AssessOptions,
    consolidation: ConsolidationOptions,
    read_ahead: bool,
) -> Result<Part> {
    // One reader yields each entry number once, and a cut file has no entry in both halves.
    let mut assessor = Assessor::new(tables, options)?.with_unique_entries();
    let mut totals = AssessTotals::default();
    let mut cons = Consolidation::new(consolidation);
    let mut consume = |e: Result<Entry>| -> Result<()> {
        let a = assessor.assess(&e?)?;
        totals.add(&a)?;
        if let Some(item) = a.refund_item() {
            cons.add(item)?;
        }
        Ok(())
    };
    let mut reader = if read_ahead {
        let mut ahead = reader.read_ahead();
        ahead.by_ref().try_for_each(&mut consume)?;
        ahead.finish()
    } else {
        let mut reader = reader;
        reader.by_ref().try_for_each(&mut consume)?;
        reader
    };
    let rule_set = assessor.rule_set().name.clone();
    Ok(Part {
        totals,
        consolidation: cons,
        ingest: reader.summary().clone(),
        diagnostics: reader.take_diagnostics(),
        rule_set,
    })
}
