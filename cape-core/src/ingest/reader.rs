//! The streaming ES-003 reader: [`Es003Reader`] opens a path, a buffer or records, reads the header, then
//! checks each data row's required cells (entry number, line, ordinal, HTS, duty, entry date) and hands the
//! valid ones to entry assembly, counting every row and every diagnostic (capped per code) in the
//! [`IngestSummary`]. The public types it works with live in [`es003`](super::es003).

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::assemble::{Builder, Run};
use super::cells::{echo_of, parse_date_cell, parse_u32, text_of};
use super::es003::{Es003, Es003Options, IngestSummary, SourceFormat};
use super::header::{map_header, ColumnMap};
use super::records::Record;
use super::sniff::{is_workbook, open_with_prefix, Input, Rows};
use super::source::{self, Spool};
use super::split::Part;
use rust_decimal::Decimal;

use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::error::{Error, Result};
use crate::ingest::columns::{Column, COLUMNS};
use crate::model::{Entry, Tariff};
use crate::values::money::SUB_CENT;
use crate::values::text::unwrap_excel;
use crate::{EntryNumber, HtsNumber, Usd};

/// Streaming ES-003 reader: an iterator over [`Entry`] values in input order.
///
/// Diagnostics accumulate in the reader ([`Es003Reader::diagnostics`], [`Es003Reader::take_diagnostics`]),
/// at most [`Es003Options::max_diagnostics_per_code`] per code (the first ones found); beyond that they are
/// only counted ([`IngestSummary::counts_by_code`], exact), so memory stays bounded for any number of bad
/// rows. The [`IngestSummary`] is complete once the iterator has returned `None`.
///
/// A file or buffer that is not empty but has no usable row — a header and no data row, or every row
/// rejected — is not a report with no entries: the iterator's last item is then an [`Error::Format`] saying
/// how many rows were read and which rejection codes were the most frequent (the diagnostics stay in the
/// reader). Records from a host ([`Es003Reader::from_records`]) are exempt: an empty table is an empty set.
///
/// # Example
///
/// ```
/// use cape_core::{Es003Options, Es003Reader};
/// let csv = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
/// Line Tariff Duty Amount,Entry Date\n\
/// ABC-1234567-6,1,1,99030125,10.00,2025-04-15\n\
/// ABC-1234567-6,1,2,8471300100,0,2025-04-15\n\
/// not-an-entry,1,1,99030125,10.00,2025-04-15\n";
/// let mut reader = Es003Reader::from_bytes(csv.as_bytes().to_vec(), &Es003Options::default())?;
/// let entries: Vec<_> = reader.by_ref().collect::<Result<_, _>>()?;
/// assert_eq!(entries.len(), 1);
/// assert_eq!(reader.summary().rows_rejected, 1);
/// let bad_row = reader.diagnostics().iter().find(|d| d.row.is_some()).unwrap();
/// assert_eq!((bad_row.row, bad_row.code.as_str()), (Some(4), "ES003_INVALID_ENTRY_NUMBER"));
/// # Ok::<(), cape_core::Error>(())
/// ```
pub struct Es003Reader {
    source: Arc<str>,
    rows: Rows,
    pub(super) map: ColumnMap,
    pub(super) excel: bool,
    rec: Record,
    /// From the first pass: key → index of the entry's last run, for every entry that may have more than one
    /// run (all split entries, and a few others the first pass could not rule out).
    pub(super) last_runs: Arc<HashMap<u64, u64>>,
    /// Index of the current run (runs are counted as in the first pass).
    pub(super) run_index: u64,
    /// The last valid entry-number cell and its parse, so that the rows after an entry's first skip parsing.
    last_entry_cell: Vec<u8>,
    last_entry_number: Option<EntryNumber>,
    /// Split entries being held until their last run.
    pub(super) pending: HashMap<u64, Builder>,
    /// Row buffers of finished entries, reused for the next entries' first rows (at most
    /// [`SPARE_RECORDS`](super::assemble::SPARE_RECORDS)).
    pub(super) spare: Vec<Record>,
    pub(super) run: Option<Run>,
    pub(super) ready: VecDeque<Entry>,
    diagnostics: Vec<Diagnostic>,
    pub(super) summary: IngestSummary,
    done: bool,
    /// The input's size in bytes (CSV files and buffers), for [`Es003Reader::progress`].
    source_len: Option<u64>,
    /// The caller's cancel flag ([`Es003Options::cancel`]).
    cancel: Option<Arc<AtomicBool>>,
    /// The temporary copy this reader reads (standard input, a FIFO), removed when the reader is dropped.
    spool: Option<Arc<Spool>>,
    /// True when ending with no usable row is an error: a whole file or buffer (not one part of a file cut in
    /// two, which the caller checks as a whole; not records from a host).
    whole: bool,
    /// The record length limit in force, for the message of an over-long record.
    max_record: usize,
}

impl std::fmt::Debug for Es003Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Es003Reader").field("source", &self.source).field("summary", &self.summary).finish()
    }
}

impl Es003Reader {
    /// Opens a report at a path (CSV or workbook, detected from the content).
    ///
    /// The path `-` ([`source::STDIN_PATH`]) reads standard input (named `<stdin>` in diagnostics unless
    /// [`Es003Options::source_name`] says otherwise). Standard input and any other path that is not a regular
    /// file (a FIFO, `/dev/stdin` on a pipe) are read exactly once, into a temporary copy ([`Spool`]) that the
    /// reader reads and removes when dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Io`], [`Error::Format`], [`Error::MissingColumn`] as for [`read_es003_path`](super::es003::read_es003_path).
    pub fn open(path: impl AsRef<Path>, options: &Es003Options) -> Result<Self> {
        let path = path.as_ref();
        if source::needs_spool(path) {
            let stdin = path.as_os_str() == source::STDIN_PATH;
            let name = options.source_name.clone().unwrap_or_else(|| {
                if stdin {
                    source::STDIN_NAME.to_owned()
                } else {
                    path.display().to_string()
                }
            });
            let spool = if stdin {
                Spool::stdin(&name)?
            } else {
                Spool::copy_of(File::open(path).map_err(|e| Error::io(&name, e))?, &name)?
            };
            return Self::open_spool(Arc::new(spool), &Es003Options { source_name: Some(name), ..options.clone() });
        }
        let name = options.source_name.clone().unwrap_or_else(|| path.display().to_string());
        let (_, prefix) = open_with_prefix(path, &name)?;
        if is_workbook(&prefix) {
            // Streamed from the file by each pass, never read whole.
            return Self::from_input(Input::Path(path.to_path_buf()), name, options, SourceFormat::Xlsx);
        }
        Self::from_input(Input::Path(path.to_path_buf()), name, options, SourceFormat::Csv)
    }

    /// Opens a report from a [`Spool`] (an input copied once), which the reader keeps until it is dropped.
    ///
    /// # Errors
    ///
    /// As [`Es003Reader::open`].
    pub fn open_spool(spool: Arc<Spool>, options: &Es003Options) -> Result<Self> {
        let mut reader = Self::open(spool.path(), options)?;
        reader.spool = Some(spool);
        Ok(reader)
    }

    /// Reads a report from memory (CSV or workbook bytes).
    ///
    /// # Errors
    ///
    /// [`Error::Format`], [`Error::MissingColumn`] as for [`read_es003_path`](super::es003::read_es003_path).
    pub fn from_bytes(bytes: Vec<u8>, options: &Es003Options) -> Result<Self> {
        let name = options.source_name.clone().unwrap_or_else(|| "<buffer>".to_owned());
        let format = if is_workbook(&bytes) { SourceFormat::Xlsx } else { SourceFormat::Csv };
        Self::from_input(Input::Bytes(bytes.into()), name, options, format)
    }

    /// Reads a report given as records of text cells: a header, then the data rows (row numbers count the
    /// header as row 1). This is how tables that are not files (a pandas DataFrame, an Arrow table, rows from a
    /// host database) go through exactly the same ingest — mapping, parsing, grouping and diagnostics — as a
    /// CSV with the same cells.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] when there is no header; [`Error::MissingColumn`] as for [`read_es003_path`](super::es003::read_es003_path).
    ///
    /// # Example
    ///
    /// ```
    /// use cape_core::{Es003Options, Es003Reader};
    /// let header = ["Entry Summary Number", "Entry Summary Line Number", "Tariff Ordinal Number",
    ///               "HTS Number - Full", "Line Tariff Duty Amount", "Entry Date"];
    /// let rows = vec![vec!["ABC-1234567-6", "1", "1", "9903.01.25", "10.00", "2025-04-15"]];
    /// let r = Es003Reader::from_records(&header, rows, &Es003Options::default())?.read_all()?;
    /// assert_eq!(r.entries.len(), 1);
    /// # Ok::<(), cape_core::Error>(())
    /// ```
    pub fn from_records<H, R, C>(
        header: &[H],
        rows: impl IntoIterator<Item = R>,
        options: &Es003Options,
    ) -> Result<Self>
    where
        H: AsRef<str>,
        R: IntoIterator<Item = C>,
        C: AsRef<str>,
    {
        let name = options.source_name.clone().unwrap_or_else(|| "<records>".to_owned());
        let mut recs = Vec::new();
        recs.push((1u64, Record::from_cells(header.iter().map(|c| c.as_ref().as_bytes()))));
        for (i, row) in rows.into_iter().enumerate() {
            let cells: Vec<C> = row.into_iter().collect();
            recs.push((i as u64 + 2, Record::from_cells(cells.iter().map(|c| c.as_ref().as_bytes()))));
        }
        Self::from_input(Input::Records(recs.into()), name, options, SourceFormat::Records)
    }

    fn from_input(input: Input, name: String, options: &Es003Options, format: SourceFormat) -> Result<Self> {
        let first = Self::first_pass(&input, &name, options, format, None)?;
        Self::second_pass(&input, name, options, format, Arc::new(first.last_runs), None)
    }

    /// Pass 2's reader: from the start (the header's diagnostics recorded), or for the second part of a file
    /// cut in two, from `part` (the header read only for its column map).
    pub(super) fn second_pass(
        input: &Input,
        name: String,
        options: &Es003Options,
        format: SourceFormat,
        last_runs: Arc<HashMap<u64, u64>>,
        part: Option<Part>,
    ) -> Result<Self> {
        let source: Arc<str> = name.clone().into();
        let workbook = format == SourceFormat::Xlsx;
        let mut diagnostics = Vec::new();
        let mut rec = Record::default();
        let mut rows = input.open_rows(&name, options, format)?;
        rows.next(&mut rec, &name)?;
        let map = match part {
            Some(Part::Tail(..)) => map_header(&rec, &source, &mut Vec::new())?,
            _ => map_header(&rec, &source, &mut diagnostics)?,
        };
        if options.merge_missing_optional {
            // The builder's records have only the columns its host set: one fact, not one per column.
            super::header::merge_missing_optional(&mut diagnostics, &source);
        }
        let mut run_index = 0;
        match part {
            Some(Part::Head(b)) => rows.stop_at(b.at.position),
            Some(Part::Tail(b)) => {
                rows = input.open_rows_at(&name, options, b.at)?;
                run_index = b.runs_before;
            }
            None => {}
        }
        let columns_used = COLUMNS.iter().filter(|s| map.has(s.column)).map(|s| s.name).collect();
        let columns_missing = COLUMNS.iter().filter(|s| !map.has(s.column)).map(|s| s.name).collect();
        let mut summary = IngestSummary::empty(name, format, options.diagnostics_per_code());
        summary.columns_used = columns_used;
        summary.columns_missing = columns_missing;
        if let Rows::Workbook(w) = &rows {
            summary.sheets_read = w.sheets_read.clone();
            summary.sheets_skipped = w.sheets_skipped.clone();
        }
        let mut reader = Es003Reader {
            // A workbook's progress is not its file size: none is given.
            source_len: if workbook { None } else { input.text_len() },
            source,
            rows,
            map,
            excel: workbook,
            rec,
            last_runs,
            run_index,
            last_entry_cell: Vec::new(),
            last_entry_number: None,
            pending: HashMap::new(),
            spare: Vec::new(),
            run: None,
            ready: VecDeque::new(),
            diagnostics,
            summary,
            done: false,
            cancel: options.cancel.clone(),
            max_record: options.max_record_bytes.unwrap_or(source::DEFAULT_MAX_RECORD_BYTES),
            spool: None,
            // Records handed over by a host (a data frame, the builder) are not a file: the host keeps the
            // per-row diagnostics, and an empty table is an empty set, not a damaged export.
            whole: part.is_none() && format != SourceFormat::Records,
        };
        reader.count_existing_diagnostics();
        Ok(reader)
    }

    /// Counts the header's diagnostics, keeping as many per code as the cap allows.
    fn count_existing_diagnostics(&mut self) {
        for d in std::mem::take(&mut self.diagnostics) {
            if self.tally(d.code) {
                self.diagnostics.push(d);
            }
        }
    }

    /// Counts one diagnostic of `code`; true when it is to be kept in detail (below the per-code cap).
    pub(super) fn tally(&mut self, code: DiagnosticCode) -> bool {
        match code.severity() {
            Severity::Error => self.summary.errors += 1,
            Severity::Warning => self.summary.warnings += 1,
            Severity::Info => self.summary.infos += 1,
        }
        let n = self.summary.counts_by_code.entry(code).or_default();
        *n += 1;
        let keep = *n <= self.summary.max_diagnostics_per_code;
        if !keep {
            self.summary.diagnostics_dropped += 1;
        }
        keep
    }

    /// The source's name as used in diagnostics.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// How far the second (main) pass has come, as a fraction from 0 to 1 when the size of the input is
    /// known (files, buffers, records), for progress displays.
    pub fn progress(&self) -> Option<f64> {
        let (done, total) = self.rows.progress();
        let total = total.or(self.source_len)?;
        (total > 0).then(|| (done as f64 / total as f64).min(1.0))
    }

    /// The counts so far (final once the iterator is exhausted).
    pub fn summary(&self) -> &IngestSummary {
        &self.summary
    }

    /// The diagnostics so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Takes the diagnostics gathered so far (for callers that stream them out).
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics)
    }

    /// Reads everything into an [`Es003`].
    ///
    /// # Errors
    ///
    /// An I/O error met while reading; [`Error::Format`] when a file or buffer has no usable row (see
    /// [`Es003Reader`]).
    pub fn read_all(mut self) -> Result<Es003> {
        let mut entries = Vec::new();
        for e in self.by_ref() {
            entries.push(e?);
        }
        Ok(Es003 { entries, diagnostics: self.diagnostics, summary: self.summary })
    }

    fn diag(
        &mut self,
        row: u64,
        col: Option<Column>,
        value: Option<&[u8]>,
        code: DiagnosticCode,
        message: String,
        entry: Option<EntryNumber>,
    ) {
        if self.tally(code) {
            self.keep(row, col, value.map(echo_of), code, message, entry);
        }
    }

    /// Records a diagnostic already counted; `value` is already echoed ([`echo_of`]).
    pub(super) fn keep(
        &mut self,
        row: u64,
        col: Option<Column>,
        value: Option<Box<str>>,
        code: DiagnosticCode,
        message: String,
        entry: Option<EntryNumber>,
    ) {
        self.diagnostics.push(Diagnostic {
            source: self.rows.sheet_source().unwrap_or(&self.source).clone(),
            row: Some(row),
            column: col.map(|c| self.map.name(c)),
            value,
            code,
            message,
            entry,
        });
    }

    /// Reads one row; returns false at the end of input.
    fn step(&mut self) -> Result<bool> {
        if self.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::Cancelled { source_name: self.source.to_string() });
        }
        let mut rec = std::mem::take(&mut self.rec);
        let row = match self.rows.next(&mut rec, &self.source) {
            Ok(Some(r)) => r,
            Ok(None) => {
                self.rec = rec;
                return Ok(false);
            }
            Err(e) => {
                self.rec = rec;
                return Err(e);
            }
        };
        self.summary.rows_read += 1;
        let used = self.process(row, &rec);
        if used {
            self.summary.rows_used += 1;
        } else {
            self.summary.rows_rejected += 1;
        }
        self.rec = rec;
        Ok(true)
    }

    /// Processes one data row; returns whether it was used.
    fn process(&mut self, row: u64, rec: &Record) -> bool {
        if let Some(len) = rec.too_long() {
            let max = self.max_record;
            let message = format!(
                "record of {len} bytes is longer than the limit of {max} bytes; rejected (the value shows its first \
                 bytes), reading goes on after the first line end past the limit"
            );
            self.diag(row, None, rec.get(0), DiagnosticCode::RecordTooLong, message, None);
            return false;
        }
        if rec.iter().all(|f| unwrap_excel(f).is_empty()) {
            self.diag(row, None, None, DiagnosticCode::EmptyRow, "empty row".into(), None);
            return false;
        }

        // The entry number first: it decides the run even when the rest of the row is rejected, so that the
        // run structure matches the first pass exactly.
        let raw_en = self.map.get(rec, Column::EntryNumber);
        let en = match self.last_entry_number {
            Some(n) if raw_en == self.last_entry_cell.as_slice() => Some(Ok(n)),
            _ => std::str::from_utf8(raw_en).ok().map(EntryNumber::parse_reason),
        };
        if let Some(Ok(n)) = en {
            if self.last_entry_number != Some(n) || raw_en != self.last_entry_cell.as_slice() {
                self.last_entry_cell.clear();
                self.last_entry_cell.extend_from_slice(raw_en);
                self.last_entry_number = Some(n);
            }
            let key = n.key();
            if self.run.as_ref().map(|r| r.key) != Some(key) {
                self.close_run();
                self.run_index += 1;
                let builder = self.pending.remove(&key).map(|mut b| {
                    b.resumed = true;
                    b
                });
                self.run = Some(Run { key, index: self.run_index, builder });
            }
        }

        let header_len = self.map.header.len();
        if rec.len() != header_len
            && (rec.len() < header_len || rec.iter().skip(header_len).any(|f| !unwrap_excel(f).is_empty()))
        {
            let entry = en.as_ref().and_then(|r| r.as_ref().ok().copied());
            self.diag(
                row,
                None,
                None,
                DiagnosticCode::RaggedRow,
                format!("row has {} cells, the header has {header_len}", rec.len()),
                entry,
            );
            return false;
        }

        let mut ok = true;
        let number = match en {
            Some(Ok(n)) => Some(n),
            _ if raw_en.is_empty() => {
                self.diag(
                    row,
                    Some(Column::EntryNumber),
                    Some(raw_en),
                    DiagnosticCode::MissingValue,
                    "entry number is empty".into(),
                    None,
                );
                ok = false;
                None
            }
            Some(Err(reason)) => {
                self.diag(
                    row,
                    Some(Column::EntryNumber),
                    Some(raw_en),
                    DiagnosticCode::InvalidEntryNumber,
                    format!("invalid entry number: {reason}"),
                    None,
                );
                ok = false;
                None
            }
            None => {
                self.diag(
                    row,
                    Some(Column::EntryNumber),
                    Some(raw_en),
                    DiagnosticCode::InvalidEntryNumber,
                    "entry number is not valid text".into(),
                    None,
                );
                ok = false;
                None
            }
        };

        let line_no = self.required_u32(row, rec, Column::LineNumber, number, &mut ok);
        let ordinal = self.required_u32(row, rec, Column::TariffOrdinal, number, &mut ok);

        let raw = self.map.get(rec, Column::Hts);
        let hts = if raw.is_empty() {
            self.missing(row, Column::Hts, number, &mut ok);
            None
        } else {
            match HtsNumber::parse_bytes(raw) {
                Ok(h) => Some(h),
                Err(why) => {
                    self.diag(
                        row,
                        Some(Column::Hts),
                        Some(raw),
                        DiagnosticCode::InvalidHts,
                        format!("invalid HTS number: {why}"),
                        number,
                    );
                    ok = false;
                    None
                }
            }
        };

        let raw = self.map.get(rec, Column::Duty);
        let duty = if raw.is_empty() {
            self.missing(row, Column::Duty, number, &mut ok);
            None
        } else {
            match Usd::parse_cents_bytes(raw) {
                Ok(u) => Some(u),
                Err(why) => {
                    let code =
                        if why == SUB_CENT { DiagnosticCode::SubCentAmount } else { DiagnosticCode::InvalidMoney };
                    self.diag(row, Some(Column::Duty), Some(raw), code, format!("invalid duty amount: {why}"), number);
                    ok = false;
                    None
                }
            }
        };

        let raw = self.map.get(rec, Column::EntryDate);
        let entry_date = if raw.is_empty() {
            self.missing(row, Column::EntryDate, number, &mut ok);
            None
        } else {
            match parse_date_cell(raw, self.excel) {
                Some(d) => Some(d),
                None => {
                    self.diag(
                        row,
                        Some(Column::EntryDate),
                        Some(raw),
                        DiagnosticCode::InvalidDate,
                        "invalid entry date: expected MM/DD/YYYY or YYYY-MM-DD".into(),
                        number,
                    );
                    ok = false;
                    None
                }
            }
        };

        let (Some(number), Some(line_no), Some(ordinal), Some(hts), Some(duty), Some(_)) =
            (number, line_no, ordinal, hts, duty, entry_date)
        else {
            return false;
        };
        debug_assert!(ok);

        // Optional tariff-level cells.
        let raw = self.map.get(rec, Column::GoodsValue);
        let goods_value = if raw.is_empty() {
            None
        } else {
            match Usd::parse_cents_bytes(raw) {
                Ok(u) => Some(u),
                // The one sub-cent rule: a money cell with digits beyond cents rejects its row.
                Err(why) if why == SUB_CENT => {
                    self.diag(
                        row,
                        Some(Column::GoodsValue),
                        Some(raw),
                        DiagnosticCode::SubCentAmount,
                        format!("invalid goods value: {why}"),
                        Some(number),
                    );
                    return false;
                }
                Err(why) => {
                    self.diag(
                        row,
                        Some(Column::GoodsValue),
                        Some(raw),
                        DiagnosticCode::UnreadableValue,
                        format!("goods value unreadable ({why}); treated as unknown"),
                        Some(number),
                    );
                    None
                }
            }
        };
        if duty.is_negative() {
            self.diag(
                row,
                Some(Column::Duty),
                Some(self.map.get(rec, Column::Duty)),
                DiagnosticCode::NegativeAmount,
                "negative duty amount; used as filed".into(),
                Some(number),
            );
        }
        if goods_value.is_some_and(Usd::is_negative) {
            self.diag(
                row,
                Some(Column::GoodsValue),
                Some(self.map.get(rec, Column::GoodsValue)),
                DiagnosticCode::NegativeAmount,
                "negative goods value; used as filed".into(),
                Some(number),
            );
        }
        let raw = self.map.get(rec, Column::Quantity);
        let quantity = if raw.is_empty() {
            None
        } else {
            // Thousands separators dropped; the copy only when there is one (a string per row otherwise).
            let q = std::str::from_utf8(raw).ok().and_then(|s| {
                if s.contains(',') {
                    Decimal::from_str_exact(&s.replace(',', "")).ok()
                } else {
                    Decimal::from_str_exact(s).ok()
                }
            });
            if q.is_none() {
                // Quantities enter no computation, but a value cape did not read is reported, never dropped.
                self.diag(
                    row,
                    Some(Column::Quantity),
                    Some(raw),
                    DiagnosticCode::UnreadableValue,
                    "quantity unreadable; treated as unknown".into(),
                    Some(number),
                );
            }
            q
        };
        let raw = self.map.get(rec, Column::Uom);
        let uom = if raw.is_empty() {
            None
        } else if crate::values::text::is_excel_error(raw) {
            self.diag(
                row,
                Some(Column::Uom),
                Some(raw),
                DiagnosticCode::UnreadableValue,
                "unit of measure is an Excel error value; treated as unknown".into(),
                Some(number),
            );
            None
        } else {
            Some(text_of(raw))
        };
        let tariff = Tariff { ordinal, hts, goods_value, duty, quantity, uom, source_row: row };

        self.add_row(row, rec, number, line_no, tariff)
    }

    fn missing(&mut self, row: u64, col: Column, entry: Option<EntryNumber>, ok: &mut bool) {
        let msg = format!("required value {:?} is empty", col.name());
        self.diag(row, Some(col), Some(b""), DiagnosticCode::MissingValue, msg, entry);
        *ok = false;
    }

    fn required_u32(
        &mut self,
        row: u64,
        rec: &Record,
        col: Column,
        entry: Option<EntryNumber>,
        ok: &mut bool,
    ) -> Option<u32> {
        let raw = self.map.get(rec, col);
        if raw.is_empty() {
            self.missing(row, col, entry, ok);
            return None;
        }
        match parse_u32(raw).filter(|&n| n > 0) {
            Some(n) => Some(n),
            None => {
                let msg = format!("{} must be a positive whole number", col.name());
                self.diag(row, Some(col), Some(raw), DiagnosticCode::InvalidNumber, msg, entry);
                *ok = false;
                None
            }
        }
    }
}

impl Iterator for Es003Reader {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        loop {
            if let Some(e) = self.ready.pop_front() {
                return Some(Ok(e));
            }
            if self.done {
                return None;
            }
            match self.step() {
                Ok(true) => {}
                Ok(false) => {
                    self.close_run();
                    // Anything still pending (cannot happen when both passes agree) is yielded, never lost.
                    let mut rest: Vec<(u64, Builder)> = self.pending.drain().collect();
                    rest.sort_by_key(|(_, b)| b.first_row);
                    for (_, b) in rest {
                        self.emit(b);
                    }
                    self.done = true;
                    // A file with rows (or a header alone) and nothing usable is not a report read.
                    if self.whole && self.summary.rows_used == 0 {
                        return Some(Err(source::no_usable_row(
                            &self.source,
                            self.summary.rows_read,
                            &self.summary.rejections_by_code(),
                        )));
                    }
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
