//! Entry assembly: valid rows grouped into [`Entry`]s (entry → lines → tariff ordinals). Entry- and
//! line-level cells that repeat on every row are compared as raw bytes; a blank is filled by a later value,
//! two different values are a conflict, a repeated ordinal a duplicate. A run of contiguous rows yields its
//! entry when it closes, or holds it when the first pass says more of its rows are to come.

use super::cells::{
    echo_of, entry_field_copy, entry_field_eq, entry_field_state, line_field_copy, line_field_eq, line_field_state,
    new_line, set_entry_cell, set_line_cell, FactState,
};
use super::reader::Es003Reader;
use super::records::Record;
use crate::diagnostic::{echo_value, DiagnosticCode};
use crate::ingest::columns::Column;
use crate::model::{Entry, EntryHeader, Fact, Line, Tariff};
use crate::values::text::unwrap_excel;
use crate::EntryNumber;

/// The first row of an entry (or line), kept whole for cheap byte comparison against later rows: a cell
/// that repeats is compared as the bytes it was read as, and only a cell that differs is unwrapped
/// ([`unwrap_excel`]) and looked at further.
#[derive(Default)]
struct RawCells {
    rec: Record,
}

impl RawCells {
    /// A copy of `rec`, in a record taken from `spare` (the buffers of finished entries) when there is one.
    fn capture(rec: &Record, spare: &mut Vec<Record>) -> Self {
        let mut copy = spare.pop().unwrap_or_default();
        copy.copy_from(rec);
        RawCells { rec: copy }
    }

    /// Cell `i` of the kept row, as compared ([`unwrap_excel`]).
    fn get(&self, i: usize) -> &[u8] {
        self.rec.get(i).map(unwrap_excel).unwrap_or(b"")
    }

    /// True when cell `i` of `rec` is the kept row's cell, byte for byte (the usual case: no unwrapping).
    #[inline]
    fn same(&self, rec: &Record, i: usize) -> bool {
        rec.get(i) == self.rec.get(i)
    }

    /// Replaces cell `i` (rare: a value filling a blank).
    fn set(&mut self, i: usize, raw: &[u8]) {
        self.rec.replace(i, raw);
    }
}

/// The most row buffers kept for reuse ([`RawCells::capture`]): enough for the entries of any real report
/// in flight.
pub(super) const SPARE_RECORDS: usize = 256;
/// The largest row buffer kept for reuse, in bytes: a long row's buffer is freed, so the spares hold at most
/// 256 × 16 KiB = 4 MiB whatever the rows.
const SPARE_RECORD_BYTES: usize = 16 * 1024;

/// A line being assembled, with its line-level cells as first read.
struct LineBuilder {
    line: Line,
    raw: RawCells,
    first_row: u64,
}

/// An entry being assembled from its rows.
pub(super) struct Builder {
    number: EntryNumber,
    header: EntryHeader,
    raw: RawCells,
    lines: Vec<LineBuilder>,
    conflicting: bool,
    split: bool,
    pub(super) first_row: u64,
    /// Bit per entry column position already reported as conflicting.
    reported: u64,
    /// Set when the builder was taken back from `pending` for a later run of a split entry.
    pub(super) resumed: bool,
}

impl Builder {
    /// The entry; the kept rows' buffers go back to `spare` (up to [`SPARE_RECORDS`]).
    fn finish(mut self, spare: &mut Vec<Record>) -> Entry {
        let kept = std::iter::once(std::mem::take(&mut self.raw.rec))
            .chain(self.lines.iter_mut().map(|lb| std::mem::take(&mut lb.raw.rec)));
        let room = SPARE_RECORDS.saturating_sub(spare.len());
        spare.extend(kept.filter(|r| r.held_bytes() <= SPARE_RECORD_BYTES).take(room));
        let mut lines: Vec<Line> = self.lines.drain(..).map(|lb| lb.line).collect();
        lines.sort_by_key(|l| l.number);
        for l in &mut lines {
            l.tariffs.sort_by_key(|t| t.ordinal);
        }
        Entry {
            number: self.number,
            header: self.header,
            lines,
            conflicting: self.conflicting,
            split: self.split,
            first_row: self.first_row,
        }
    }
}

/// The run of contiguous rows currently being read.
pub(super) struct Run {
    pub(super) key: u64,
    /// Its index among the runs of the file (1-based, as counted by the first pass).
    pub(super) index: u64,
    pub(super) builder: Option<Builder>,
}

impl Es003Reader {
    /// Closes the current run: yields its entry, or holds it when more of its rows are to come.
    pub(super) fn close_run(&mut self) {
        let Some(run) = self.run.take() else { return };
        let more_to_come = self.last_runs.get(&run.key).is_some_and(|&last| last > run.index);
        match run.builder {
            Some(b) if more_to_come => {
                self.pending.insert(run.key, b);
            }
            Some(b) => self.emit(b),
            None => {}
        }
    }

    pub(super) fn emit(&mut self, b: Builder) {
        let e = b.finish(&mut self.spare);
        self.summary.entries += 1;
        self.summary.lines += e.lines.len() as u64;
        self.summary.tariff_rows += e.tariff_count() as u64;
        self.summary.split_entries += u64::from(e.split);
        self.summary.conflicting_entries += u64::from(e.conflicting);
        self.ready.push_back(e);
    }

    /// Adds a valid row to the current run's entry; returns whether it was used (false for duplicates).
    ///
    /// Entry- and line-level cells repeat on every row. A blank cell never conflicts (exports often leave
    /// line-level cells blank on Chapter 99 rows) and a known value fills an earlier blank; two different
    /// non-blank values are a conflict: the first is kept, the entry needs review, and the column is reported
    /// once per entry (or line).
    pub(super) fn add_row(
        &mut self,
        row: u64,
        rec: &Record,
        number: EntryNumber,
        line_no: u32,
        tariff: Tariff,
    ) -> bool {
        let excel = self.excel;
        // The run is borrowed in place: a Builder is over a kilobyte, and moving it out and back on every row
        // was a tenth of the reader's time.
        let index = self.run_index;
        let run = self.run.get_or_insert_with(|| Run { key: number.key(), index, builder: None });
        let mut conflict_on_row = false;
        let mut notes: Vec<PendingDiag> = Vec::new();

        let b = match run.builder.as_mut() {
            None => {
                let mut header = EntryHeader::default();
                for &(col, i) in &self.map.entry_cols {
                    let raw = rec.get(i).map(unwrap_excel).unwrap_or(b"");
                    set_entry_cell(&mut header, col, raw, excel);
                    if entry_field_state(&header, col) == FactState::Unreadable {
                        notes.push(PendingDiag::cell(
                            col,
                            raw,
                            DiagnosticCode::UnreadableValue,
                            format!(
                                "{} {:?} not understood; the fact is treated as unknown and the entry needs review",
                                col.name(),
                                echo_of(raw)
                            ),
                        ));
                    }
                }
                if let Fact::Known(n) = &header.importer_number {
                    if n.is_unrecognised() {
                        notes.push(PendingDiag::cell(Column::ImporterNumber, n.as_str().as_bytes(), DiagnosticCode::UnrecognisedImporterNumber, format!("importer number {:?} is in no known form (IRS NN-NNNNNNNXX, CBP YYDDPP-NNNNN, SSN NNN-NN-NNNN); kept as written", echo_value(n.as_str()))));
                    }
                }
                let raw = RawCells::capture(rec, &mut self.spare);
                run.builder.insert(Builder {
                    number,
                    header,
                    raw,
                    lines: Vec::new(),
                    conflicting: false,
                    split: false,
                    first_row: row,
                    reported: 0,
                    resumed: false,
                })
            }
            Some(b) => {
                for (k, &(col, i)) in self.map.entry_cols.iter().enumerate() {
                    if b.raw.same(rec, i) {
                        continue;
                    }
                    let raw = rec.get(i).map(unwrap_excel).unwrap_or(b"");
                    if raw == b.raw.get(i) || raw.is_empty() {
                        continue;
                    }
                    let mut tmp = EntryHeader::default();
                    set_entry_cell(&mut tmp, col, raw, excel);
                    let same = if col == Column::EntryDate {
                        tmp.entry_date == b.header.entry_date
                    } else if entry_field_state(&b.header, col) == FactState::Blank {
                        // A value filling an earlier blank.
                        entry_field_copy(&mut b.header, &tmp, col);
                        b.raw.set(i, raw);
                        true
                    } else {
                        entry_field_eq(&tmp, &b.header, col)
                    };
                    if !same {
                        conflict_on_row = true;
                        b.conflicting = true;
                        if k < 64 && b.reported & (1 << k) == 0 {
                            b.reported |= 1 << k;
                            notes.push(PendingDiag::cell(col, raw, DiagnosticCode::ConflictingEntryValue, format!("{} {:?} differs from {:?} on row {} of entry {}; the first value is kept and the entry needs review", col.name(), echo_of(raw), echo_of(b.raw.get(i)), b.first_row, b.number)));
                        }
                    }
                }
                b
            }
        };

        // Mark a split entry on the first row of its second run.
        if b.resumed {
            b.resumed = false;
            if !b.split {
                b.split = true;
                notes.push(PendingDiag::row(
                    DiagnosticCode::SplitEntry,
                    format!(
                        "rows of entry {} are not contiguous (first at row {}); they are merged",
                        b.number, b.first_row
                    ),
                ));
            }
        }

        // The line.
        let found = match b.lines.last() {
            Some(l) if l.line.number == line_no => Some(b.lines.len() - 1),
            _ => b.lines.iter().position(|l| l.line.number == line_no),
        };
        let li = match found {
            Some(li) => {
                let lb = &mut b.lines[li];
                for &(col, i) in &self.map.line_cols {
                    if lb.raw.same(rec, i) {
                        continue;
                    }
                    let raw = rec.get(i).map(unwrap_excel).unwrap_or(b"");
                    if raw == lb.raw.get(i) || raw.is_empty() {
                        continue;
                    }
                    let mut tmp = new_line(line_no);
                    set_line_cell(&mut tmp, col, raw);
                    if line_field_state(&lb.line, col) == FactState::Blank {
                        line_field_copy(&mut lb.line, &tmp, col);
                        lb.raw.set(i, raw);
                    } else if !line_field_eq(&tmp, &lb.line, col) {
                        conflict_on_row = true;
                        b.conflicting = true;
                        notes.push(PendingDiag::cell(col, raw, DiagnosticCode::ConflictingLineValue, format!("{} {:?} differs from {:?} on row {} (line {line_no}); the first value is kept and the entry needs review", col.name(), echo_of(raw), echo_of(lb.raw.get(i)), lb.first_row)));
                    }
                }
                li
            }
            None => {
                let mut line = new_line(line_no);
                if self.map.has(Column::MfnRate) {
                    line.mfn_rate_percent = Fact::Blank;
                }
                for &(col, i) in &self.map.line_cols {
                    let raw = rec.get(i).map(unwrap_excel).unwrap_or(b"");
                    set_line_cell(&mut line, col, raw);
                    if line_field_state(&line, col) == FactState::Unreadable {
                        notes.push(PendingDiag::cell(
                            col,
                            raw,
                            DiagnosticCode::UnreadableValue,
                            format!(
                                "{} {:?} (line {line_no}) not understood; treated as unknown",
                                col.name(),
                                echo_of(raw)
                            ),
                        ));
                    }
                }
                let raw = RawCells::capture(rec, &mut self.spare);
                b.lines.push(LineBuilder { line, raw, first_row: row });
                b.lines.len() - 1
            }
        };
        let lb = &mut b.lines[li];

        // The Column 1 rate belongs to the line's Chapter 1-97 row; other rows' rate cells are not the MFN rate.
        let raw = self.map.get(rec, Column::MfnRate);
        if tariff.hts.is_chapter_1_97() && !raw.is_empty() {
            let mut tmp = new_line(line_no);
            set_line_cell(&mut tmp, Column::MfnRate, raw);
            match line_field_state(&lb.line, Column::MfnRate) {
                FactState::Blank => {
                    if line_field_state(&tmp, Column::MfnRate) == FactState::Unreadable {
                        notes.push(PendingDiag::cell(
                            Column::MfnRate,
                            raw,
                            DiagnosticCode::UnreadableValue,
                            format!(
                                "{} {:?} (line {line_no}) is not a percent or Free; the MFN rate is unknown",
                                Column::MfnRate.name(),
                                echo_of(raw)
                            ),
                        ));
                    }
                    lb.line.mfn_rate_percent = tmp.mfn_rate_percent;
                }
                _ if tmp.mfn_rate_percent != lb.line.mfn_rate_percent => {
                    conflict_on_row = true;
                    b.conflicting = true;
                    notes.push(PendingDiag::cell(Column::MfnRate, raw, DiagnosticCode::ConflictingLineValue, format!("line {line_no} has two Chapter 1-97 rows with different Column 1 rates; the first is kept and the entry needs review")));
                }
                _ => {}
            }
        }

        // The ordinal: a repeat is a duplicate (same values) or a conflict (different values).
        let mut used = true;
        if let Some(prev) = lb.line.tariffs.iter().find(|t| t.ordinal == tariff.ordinal) {
            let same = prev.hts == tariff.hts
                && prev.duty == tariff.duty
                && prev.goods_value == tariff.goods_value
                && prev.quantity == tariff.quantity
                && prev.uom == tariff.uom
                && !conflict_on_row;
            let prev_row = prev.source_row;
            used = false;
            if same {
                notes.push(PendingDiag::row(
                    DiagnosticCode::DuplicateRow,
                    format!(
                        "repeats row {prev_row} (entry {number}, line {line_no}, ordinal {}); counted once",
                        tariff.ordinal
                    ),
                ));
            } else {
                b.conflicting = true;
                notes.push(PendingDiag::row(DiagnosticCode::ConflictingDuplicateRow, format!("repeats entry {number}, line {line_no}, ordinal {} of row {prev_row} with different values; rejected, the entry needs review", tariff.ordinal)));
            }
        } else {
            lb.line.tariffs.push(tariff);
        }
        for n in notes {
            if self.tally(n.code) {
                self.keep(row, n.column, n.value, n.code, n.message, Some(number));
            }
        }
        used
    }
}

/// A diagnostic decided while the builder is borrowed, recorded after.
struct PendingDiag {
    column: Option<Column>,
    /// The value as echoed ([`echo_of`]).
    value: Option<Box<str>>,
    code: DiagnosticCode,
    message: String,
}

impl PendingDiag {
    fn cell(col: Column, raw: &[u8], code: DiagnosticCode, message: String) -> Self {
        PendingDiag { column: Some(col), value: Some(echo_of(raw)), code, message }
    }

    fn row(code: DiagnosticCode, message: String) -> Self {
        PendingDiag { column: None, value: None, code, message }
    }
}
