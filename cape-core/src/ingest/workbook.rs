//! Excel workbooks (XLSX): checked before they are opened, then streamed row by row in bounded memory.
//!
//! An XLSX file is a zip archive of XML parts. Before calamine opens anything, cape reads the
//! zip central directory and refuses, with a file-level [`Error::Format`], any member whose declared
//! uncompressed size or compression ratio is beyond the [`WorkbookLimits`] (the zip reader never lets a
//! member decompress past its declared size, so the declared sizes bound the work). Legacy `.xls`, `.xlsb`
//! and `.ods` workbooks are refused: calamine reads them only as whole in-memory ranges, which no limit can
//! bound.
//!
//! The rows are then streamed with calamine's cell reader on a producer thread that owns the workbook and
//! sends the rows in batches over a bounded channel, so memory holds at most [`ROW_QUEUE`] + 2 batches (of at
//! most [`ROW_BATCH`] rows, or [`BATCH_BYTES`] and one row), whatever the sheet's size or its declared dimension (a sheet claiming `A1:XFD1048576` allocates nothing for it). A row is built
//! from the positions of its non-empty cells; cells past the header's last column are kept (up to
//! [`EXTRA_CELLS`] of them, the rest folded into the last one) so that the reader reports the row as ragged
//! instead of losing it.
//!
//! Every sheet whose first non-empty row maps the required ES-003 columns is read, in workbook order, as one
//! continuous report (the header of the first such sheet is the report's header; a later sheet's header may
//! put the same columns in another order — its rows are rearranged to the first header's order — but it must
//! name the same columns, or the workbook is refused: read such a sheet alone with `sheet`). Sheets without
//! the header are skipped and reported in the [`IngestSummary`](super::es003::IngestSummary).

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use calamine::{DataRef, Reader, Xlsx};

use super::columns::{Column, COLUMNS};
use super::records::Record;
use crate::error::{Error, Result};
use crate::values::text::unwrap_excel;
use chrono::Datelike;

use crate::excel_serial_date;

/// Limits on the parts of a workbook, checked on the zip directory before any part is decompressed.
///
/// Every limit is a named constant (the default) and can be changed through
/// [`Es003Options::workbook`](super::es003::Es003Options::workbook).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkbookLimits {
    /// Largest declared uncompressed size of one worksheet part (`xl/worksheets/*.xml`), in bytes. Worksheets
    /// are streamed, so this bounds time, not memory. Default [`WorkbookLimits::MAX_SHEET_BYTES`].
    pub max_sheet_bytes: u64,
    /// Largest declared uncompressed size of any other part (shared strings, styles, the workbook part...),
    /// in bytes. calamine holds these in memory whole. Default [`WorkbookLimits::MAX_PART_BYTES`].
    pub max_part_bytes: u64,
    /// Largest sum of all parts' uncompressed sizes, in bytes. Default [`WorkbookLimits::MAX_TOTAL_BYTES`].
    pub max_total_bytes: u64,
    /// Largest compression ratio (uncompressed ÷ compressed) of a part larger than
    /// [`WorkbookLimits::ratio_floor_bytes`]. Default [`WorkbookLimits::MAX_RATIO`].
    pub max_ratio: u64,
    /// Parts up to this uncompressed size are not held to the ratio. Default
    /// [`WorkbookLimits::RATIO_FLOOR_BYTES`].
    pub ratio_floor_bytes: u64,
    /// Longest run of worksheet XML between two markup characters (`<`, `>`): one cell's text or one tag,
    /// which the XML parser holds whole. Default [`WorkbookLimits::MAX_TOKEN_BYTES`].
    pub max_token_bytes: u64,
}

impl WorkbookLimits {
    /// 8 GiB: a worksheet of ~15 million ES-003 rows; streamed, so only time grows with it.
    pub const MAX_SHEET_BYTES: u64 = 8 << 30;
    /// 128 MiB: shared strings of several million distinct cells; calamine keeps this part in memory.
    pub const MAX_PART_BYTES: u64 = 128 << 20;
    /// 16 GiB: two full worksheets and their parts.
    pub const MAX_TOTAL_BYTES: u64 = 16 << 30;
    /// 100:1. Real sheet XML compresses 5–30:1; a zip bomb compresses 1000:1 and more.
    pub const MAX_RATIO: u64 = 100;
    /// 1 MiB: a small part may compress as well as it likes.
    pub const RATIO_FLOOR_BYTES: u64 = 1 << 20;
    /// 1 MiB: an Excel cell holds at most 32,767 characters (under 160 KB of XML even as escaped 4-byte
    /// characters); a formula at most 8,192.
    pub const MAX_TOKEN_BYTES: u64 = 1 << 20;
}

impl Default for WorkbookLimits {
    fn default() -> Self {
        WorkbookLimits {
            max_sheet_bytes: Self::MAX_SHEET_BYTES,
            max_part_bytes: Self::MAX_PART_BYTES,
            max_total_bytes: Self::MAX_TOTAL_BYTES,
            max_ratio: Self::MAX_RATIO,
            ratio_floor_bytes: Self::RATIO_FLOOR_BYTES,
            max_token_bytes: Self::MAX_TOKEN_BYTES,
        }
    }
}

/// Batches of rows the producer thread may run ahead of the reader.
pub const ROW_QUEUE: usize = 4;
/// Rows sent together (one channel message, one thread wake-up, for many rows).
pub const ROW_BATCH: usize = 256;
/// A batch is sent once its cells hold this many bytes, even with fewer than [`ROW_BATCH`] rows.
pub const BATCH_BYTES: usize = 1 << 20;
/// The number of columns an Excel sheet can have (A to XFD): header cells past it are ignored.
pub const EXCEL_MAX_COLUMNS: usize = 16_384;
/// Cells kept past the header's last column in a data row (their positions kept, so the ragged-row message
/// counts them); cells further right are folded into the last kept one. Bounds a row's size whatever column
/// its cells claim.
pub const EXTRA_CELLS: usize = 256;
/// The most text one workbook cell may carry into a row: 128 KiB (Excel holds 32,767 characters, at most
/// 131,068 bytes of UTF-8). A longer cell — possible only in a hand-made file, through the shared-strings
/// table — makes its row one rejected row (`ES003_RECORD_TOO_LONG`), its text not copied.
pub const MAX_CELL_BYTES: usize = 128 << 10;
/// The most text one workbook row may carry, all cells together: 1 MiB, as a CSV record
/// ([`DEFAULT_MAX_RECORD_BYTES`](super::source::DEFAULT_MAX_RECORD_BYTES)). Past it the row is rejected the
/// same way, so that a row of thousands of cells all naming one long shared string costs 1 MiB, not gigabytes.
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// Where a workbook is read from: a file (opened, never read whole) or shared bytes.
#[derive(Clone)]
pub(crate) enum WorkbookInput {
    Path(PathBuf),
    Bytes(Arc<[u8]>),
}

/// `Arc<[u8]>` as `AsRef<[u8]>` for `Cursor`.
struct ArcBytes(Arc<[u8]>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The byte source of a workbook: `Read + Seek + Send`, owned.
enum Source {
    File(File),
    Bytes(Cursor<ArcBytes>),
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::File(f) => f.read(buf),
            Source::Bytes(c) => c.read(buf),
        }
    }
}

impl Seek for Source {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            Source::File(f) => f.seek(pos),
            Source::Bytes(c) => c.seek(pos),
        }
    }
}

fn format_err(source: &str, message: String) -> Error {
    Error::Format { source_name: source.to_owned(), message }
}

/// The advice every refused workbook format gets.
const SAVE_AS: &str = "save the sheet as .xlsx or .csv";

/// Refuses workbook formats cape cannot read in bounded memory, from the first bytes.
fn refuse_legacy(magic: &[u8], source: &str) -> Result<()> {
    if magic.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(format_err(
            source,
            format!(
                "an Excel 97-2003 (.xls) or password-protected workbook: cape cannot read it in bounded memory; \
                 {SAVE_AS}"
            ),
        ));
    }
    Ok(())
}

/// Checks a workbook's zip directory against `limits` before anything is decompressed; refuses `.xlsb` and
/// `.ods` archives. A part whose declared ratio is beyond the limit is decompressed (into a small buffer,
/// nothing kept) up to the limit: a directory that overstates a size is damaged but harmless (the data
/// ends where it ends); a part that really inflates past the limit is refused.
///
/// # Errors
///
/// [`Error::Format`] naming the part, its sizes and the limit.
fn check_archive<R: Read + Seek>(reader: R, source: &str, limits: &WorkbookLimits) -> Result<()> {
    let mut zip =
        zip::ZipArchive::new(reader).map_err(|e| format_err(source, format!("not a readable workbook: {e}")))?;
    let mut members = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| format_err(source, format!("damaged workbook: {e}")))?;
        members.push((f.name().map(|n| n.into_owned()).unwrap_or_default(), f.size(), f.compressed_size()));
    }
    let has = |n: &str| members.iter().any(|(m, ..)| m.eq_ignore_ascii_case(n));
    if has("xl/workbook.bin") {
        return Err(format_err(
            source,
            format!("an Excel binary (.xlsb) workbook: cape cannot read it in bounded memory; {SAVE_AS}"),
        ));
    }
    if has("content.xml") || has("mimetype") {
        return Err(format_err(
            source,
            format!("an OpenDocument (.ods) spreadsheet: cape cannot read it in bounded memory; {SAVE_AS}"),
        ));
    }
    let mut total: u64 = 0;
    for (i, (name, size, packed)) in members.iter().enumerate() {
        let sheet = is_worksheet(name);
        let (limit, what) =
            if sheet { (limits.max_sheet_bytes, "worksheet") } else { (limits.max_part_bytes, "workbook part") };
        if *size > limit {
            return Err(format_err(
                source,
                format!(
                    "workbook member {name:?} declares {size} bytes uncompressed ({packed} compressed), over the \
                     {limit}-byte limit for a {what}"
                ),
            ));
        }
        let allowed = packed.saturating_mul(limits.max_ratio).max(limits.ratio_floor_bytes);
        let mut real = *size;
        if *size > allowed {
            real = inflated_size(&mut zip, i, allowed)
                .map_err(|e| format_err(source, format!("workbook member {name:?} is damaged: {e}")))?;
            if real > allowed {
                return Err(format_err(
                    source,
                    format!(
                        "workbook member {name:?} declares {size} bytes uncompressed from {packed} compressed and \
                         inflates past {allowed} bytes: over the {}:1 compression ratio limit (a zip bomb?)",
                        limits.max_ratio
                    ),
                ));
            }
        }
        if sheet {
            let longest = longest_token(&mut zip, i, limits.max_token_bytes)
                .map_err(|e| format_err(source, format!("workbook member {name:?} is damaged: {e}")))?;
            if longest > limits.max_token_bytes {
                return Err(format_err(
                    source,
                    format!(
                        "worksheet {name:?} holds a cell or tag of more than {} bytes (Excel allows 32,767 \
                         characters in a cell): a damaged or hostile workbook",
                        limits.max_token_bytes
                    ),
                ));
            }
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            check_shared_strings(&mut zip, i, name, real, source)?;
        }
        total = total.saturating_add(real);
        if total > limits.max_total_bytes {
            return Err(format_err(
                source,
                format!(
                    "workbook members add up to more than the {}-byte limit on total uncompressed size (at {name:?})",
                    limits.max_total_bytes
                ),
            ));
        }
    }
    Ok(())
}

/// The fewest bytes one shared string takes in XML (`<si/>`): a `uniqueCount` above a part's size divided by
/// this is false.
const MIN_SHARED_STRING_BYTES: u64 = 5;
/// The longest `<sst ...>` start tag read to find its `uniqueCount`.
const MAX_SST_TAG: u64 = 64 * 1024;

/// calamine reserves room for the shared strings table's `uniqueCount` before reading it (24 bytes a string):
/// a count the part cannot hold would reserve terabytes and abort. Refuses such a count.
fn check_shared_strings<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    i: usize,
    name: &str,
    size: u64,
    source: &str,
) -> Result<()> {
    let damaged = |e: String| format_err(source, format!("workbook member {name:?} is damaged: {e}"));
    let mut head = Vec::new();
    let f = zip.by_index(i).map_err(|e| damaged(e.to_string()))?;
    f.take(MAX_SST_TAG).read_to_end(&mut head).map_err(|e| damaged(e.to_string()))?;
    let Some(count) = unique_count(&head) else { return Ok(()) };
    let most = size / MIN_SHARED_STRING_BYTES;
    if count > most {
        return Err(format_err(
            source,
            format!(
                "workbook member {name:?} declares {count} shared strings in {size} bytes, more than it can hold                  (at most {most}): a damaged or hostile workbook"
            ),
        ));
    }
    Ok(())
}

/// The `uniqueCount` of the `<sst>` start tag at the head of a shared strings part (`u64::MAX` when it does
/// not fit), if it has one.
fn unique_count(head: &[u8]) -> Option<u64> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(head, b"sst")?;
    let tag = head.get(start..)?;
    let tag = tag.get(..find(tag, b">").unwrap_or(tag.len()))?;
    let at = find(tag, b"uniqueCount")?;
    let rest = tag.get(at + b"uniqueCount".len()..)?;
    let rest = rest.trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'"))?;
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let digits = rest.get(..digits)?;
    Some(digits.iter().try_fold(0u64, |n, &c| n.checked_mul(10)?.checked_add(u64::from(c - b'0'))).unwrap_or(u64::MAX))
}

/// The buffer a worksheet is inflated through to measure its tokens.
const TOKEN_SCAN_BUFFER: usize = 64 * 1024;

/// Streams member `i` through a small buffer and returns the longest run of bytes between two markup
/// characters (`<` or `>`), stopping as soon as it passes `limit` (runs within one buffer are not measured
/// when the limit is longer than the buffer: the value returned is then exact only about passing `limit`).
fn longest_token<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, i: usize, limit: u64) -> std::io::Result<u64> {
    let mut f = zip.by_index(i).map_err(std::io::Error::other)?;
    let mut buf = vec![0u8; TOKEN_SCAN_BUFFER];
    let (mut run, mut longest) = (0u64, 0u64);
    // With a limit at least a buffer long, no run inside one buffer can pass it: only the run across buffers
    // (from the last markup character of one to the first of a later one) is measured, two searches a buffer
    // instead of one for every tag (XML has one every ten bytes or so).
    let edges_only = limit >= TOKEN_SCAN_BUFFER as u64;
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => return Ok(longest.max(run)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut rest = buf.get(..n).unwrap_or(&[]);
        if edges_only {
            if let Some(first) = memchr::memchr2(b'<', b'>', rest) {
                longest = longest.max(run + first as u64);
                run = 0;
                let last = memchr::memrchr2(b'<', b'>', rest).unwrap_or(first);
                rest = rest.get(last + 1..).unwrap_or(&[]);
            }
        }
        while let Some(at) = memchr::memchr2(b'<', b'>', rest) {
            longest = longest.max(run + at as u64);
            run = 0;
            rest = rest.get(at + 1..).unwrap_or(&[]);
        }
        run += rest.len() as u64;
        if longest.max(run) > limit {
            return Ok(longest.max(run));
        }
    }
}

/// True for a worksheet part (`xl/worksheets/sheet1.xml`).
fn is_worksheet(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("xl/worksheets/") && lower.ends_with(".xml")
}

/// Decompresses member `i` into a small buffer, stopping after `allowed + 1` bytes; returns the count.
fn inflated_size<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, i: usize, allowed: u64) -> std::io::Result<u64> {
    let f = zip.by_index(i).map_err(std::io::Error::other)?;
    let mut limited = f.take(allowed.saturating_add(1));
    std::io::copy(&mut limited, &mut std::io::sink())
}

// ---------------------------------------------------------------------------------------------------------
// Sheets

/// One sheet to stream, and how its cells land in the report's columns.
struct SheetPlan {
    name: String,
    /// The diagnostics' source for its rows: `file[Sheet]`.
    source: Arc<str>,
    /// The 0-based row of its header (its first non-empty row).
    header_row: u32,
    /// Width of its header (the last non-empty header cell's column + 1).
    width: usize,
    /// For sheets after the first: the report column each of its header's columns goes to.
    remap: Option<Vec<Option<usize>>>,
}

/// The columns a header row names, by position (the first occurrence of each column only).
fn header_columns(cells: &[Vec<u8>]) -> Vec<Option<Column>> {
    let mut seen = Vec::new();
    let mut out = Vec::with_capacity(cells.len());
    for (i, raw) in cells.iter().enumerate() {
        let text = String::from_utf8_lossy(raw);
        let text = if i == 0 { text.trim_start_matches('\u{feff}') } else { &text };
        let text = String::from_utf8_lossy(unwrap_excel(text.as_bytes()));
        let col = Column::from_header(&text).filter(|c| !seen.contains(c));
        if let Some(c) = col {
            seen.push(c);
        }
        out.push(col);
    }
    out
}

fn carries_es003_header(cols: &[Option<Column>]) -> bool {
    COLUMNS.iter().filter(|s| s.required).all(|s| cols.contains(&Some(s.column)))
}

/// Converts one workbook cell to the text cape's row parser reads; returns the text's full length (`out` holds
/// at most [`MAX_CELL_BYTES`] + 1 bytes of it).
fn cell_text(cell: &DataRef<'_>, out: &mut Vec<u8>) -> usize {
    use std::io::Write;
    out.clear();
    let mut text = |s: &str| {
        out.extend_from_slice(s.as_bytes().get(..MAX_CELL_BYTES + 1).unwrap_or(s.as_bytes()));
        s.len()
    };
    match cell {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => return text(s),
        DataRef::SharedString(s) => return text(s),
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
        }
        DataRef::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else {
                excel_number(*f, out);
            }
        }
        DataRef::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        DataRef::DateTime(dt) => match excel_serial_date(dt.as_f64()) {
            Ok(d) => {
                // As `iso(d)`, without a string of its own.
                let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
            }
            Err(_) => {
                let _ = write!(out, "{}", dt.as_f64());
            }
        },
        // As Excel shows it (`#N/A`, `#DIV/0!`...): an unreadable value in any column, never a blank.
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
    out.len()
}

/// Writes a number as Excel shows it: to 15 significant digits, the precision Excel keeps. A duty Excel
/// computed as `0.1 * 3` is stored as 0.30000000000000004 and shown as 0.3; read to the last binary digit, it
/// would be a sub-cent amount and its row rejected.
fn excel_number(f: f64, out: &mut Vec<u8>) {
    use std::io::Write;
    // The shortest text that reads back as `f` (what `{}` writes): when it has at most 15 significant digits,
    // it is also `f` rounded to 15 (`f` lies within half a binary unit of it, far inside half a unit of the
    // 15th digit), and no decimal is needed. Only for magnitudes `{}` writes without an exponent.
    let start = out.len();
    if (1e-5..1e15).contains(&f.abs()) {
        let _ = write!(out, "{f}");
        let text = out.get(start..).unwrap_or(&[]);
        let first = text.iter().position(|c| matches!(c, b'1'..=b'9')).unwrap_or(text.len());
        let digits = text.iter().skip(first).filter(|c| c.is_ascii_digit()).count();
        if digits <= 15 {
            return;
        }
        out.truncate(start);
    }
    let sci = format!("{f:.14e}");
    match rust_decimal::Decimal::from_scientific(&sci) {
        Ok(d) => {
            let _ = write!(out, "{}", d.normalize());
        }
        // Beyond what a decimal holds (no amount is): the shortest round-trip form.
        Err(_) => {
            let _ = write!(out, "{f}");
        }
    }
}

/// A row being assembled from its cells' positions: dense up to the last cell placed, never wider than the
/// caller's cap.
#[derive(Default)]
struct RowBuf {
    cells: Vec<Vec<u8>>,
    len: usize,
    /// Bytes of text kept, and claimed by the cells placed (kept or not).
    stored: usize,
    claimed: u64,
    /// A cell over [`MAX_CELL_BYTES`], or the row over [`MAX_ROW_BYTES`]: the row is too long.
    over: bool,
}

impl RowBuf {
    /// Places the text of a cell at column `at`; `full` is the text's whole length (`text` may be cut).
    fn put(&mut self, at: usize, text: &[u8], full: usize) {
        if self.cells.len() <= at {
            self.cells.resize_with(at + 1, Vec::new);
        }
        self.claimed = self.claimed.saturating_add(full as u64);
        let keep = if full > MAX_CELL_BYTES || self.stored.saturating_add(text.len()) > MAX_ROW_BYTES {
            self.over = true;
            &b""[..]
        } else {
            text
        };
        self.stored += keep.len();
        if let Some(c) = self.cells.get_mut(at) {
            c.clear();
            c.extend_from_slice(keep);
        }
        self.len = self.len.max(at + 1);
    }

    /// True when no cell placed holds more than blanks.
    fn is_blank(&self) -> bool {
        !self.over && self.cells.iter().take(self.len).all(|c| unwrap_excel(c).trim_ascii().is_empty())
    }

    fn reset_sizes(&mut self) {
        self.stored = 0;
        self.claimed = 0;
        self.over = false;
    }

    /// The row as a record at least `width` cells wide; empties the buffer.
    fn take(&mut self, width: usize) -> Record {
        let n = self.len.max(width);
        if self.cells.len() < n {
            self.cells.resize_with(n, Vec::new);
        }
        let mut rec = Record::from_cells(self.cells.iter().take(n).map(Vec::as_slice));
        if self.over {
            rec.mark_too_long(self.claimed);
        }
        for c in self.cells.iter_mut().take(self.len) {
            c.clear();
        }
        self.len = 0;
        self.reset_sizes();
        rec
    }

    /// The cells placed so far (for a header).
    fn cells(&mut self) -> Vec<Vec<u8>> {
        let out = self.cells.iter().take(self.len).cloned().collect();
        for c in self.cells.iter_mut().take(self.len) {
            c.clear();
        }
        self.len = 0;
        self.reset_sizes();
        out
    }
}

fn xlsx_err(source: &str, sheet: &str, e: calamine::XlsxError) -> Error {
    format_err(source, format!("sheet {sheet:?}: {e}"))
}

/// The first non-empty row of a sheet: its 0-based row and its cells (up to [`EXCEL_MAX_COLUMNS`]); `None`
/// for an empty sheet or a sheet that is not a worksheet (a chart sheet).
fn first_row(xlsx: &mut Xlsx<Source>, source: &str, sheet: &str) -> Result<Option<(u32, Vec<Vec<u8>>)>> {
    let mut cells = match xlsx.worksheet_cells_reader(sheet) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(None),
        Err(e) => return Err(xlsx_err(source, sheet, e)),
    };
    let mut row = RowBuf::default();
    let mut text = Vec::new();
    let mut at: Option<u32> = None;
    while let Some(cell) = cells.next_cell().map_err(|e| xlsx_err(source, sheet, e))? {
        let (r, c) = cell.get_position();
        if at.is_some_and(|a| a != r) {
            break;
        }
        let full = cell_text(cell.get_value(), &mut text);
        if unwrap_excel(&text).is_empty() {
            continue;
        }
        at = Some(r);
        if let Ok(c) = usize::try_from(c) {
            if c < EXCEL_MAX_COLUMNS {
                row.put(c, &text, full);
            }
        }
    }
    Ok(at.map(|r| (r, row.cells())))
}

/// Decides which sheets to read: the one asked for, or every sheet carrying the ES-003 header; returns the
/// plans and the names of the sheets skipped.
fn plan_sheets(xlsx: &mut Xlsx<Source>, source: &str, wanted: Option<&str>) -> Result<(Vec<SheetPlan>, Vec<String>)> {
    let names = xlsx.sheet_names();
    let sheet_source = |n: &str| -> Arc<str> { format!("{source}[{n}]").into() };
    if let Some(s) = wanted {
        let name = names
            .iter()
            .find(|n| n.as_str() == s)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(s)))
            .cloned()
            .ok_or_else(|| format_err(source, format!("no sheet named {s:?}; sheets: {}", names.join(", "))))?;
        let (header_row, width) = match first_row(xlsx, source, &name)? {
            Some((r, cells)) => (r, cells.len()),
            None => (0, 0),
        };
        let skipped = names.iter().filter(|n| **n != name).cloned().collect();
        let plan = SheetPlan { source: sheet_source(&name), name, header_row, width, remap: None };
        return Ok((vec![plan], skipped));
    }
    let mut plans: Vec<SheetPlan> = Vec::new();
    let mut skipped = Vec::new();
    let mut first_cols: Vec<Option<Column>> = Vec::new();
    let mut fallback: Option<SheetPlan> = None;
    for name in &names {
        let Some((header_row, cells)) = first_row(xlsx, source, name)? else {
            skipped.push(name.clone());
            continue;
        };
        let cols = header_columns(&cells);
        if !carries_es003_header(&cols) {
            if fallback.is_none() {
                fallback = Some(SheetPlan {
                    source: sheet_source(name),
                    name: name.clone(),
                    header_row,
                    width: cells.len(),
                    remap: None,
                });
            }
            skipped.push(name.clone());
            continue;
        }
        let remap = if plans.is_empty() {
            first_cols = cols.clone();
            None
        } else {
            Some(remap_columns(&first_cols, &cols, source, name, plans.first().map_or("", |p| p.name.as_str()))?)
        };
        plans.push(SheetPlan { source: sheet_source(name), name: name.clone(), header_row, width: cells.len(), remap });
    }
    if plans.is_empty() {
        // No sheet has the header: read the first non-empty one (or the first), so that the reader reports
        // the columns it found (or an empty file).
        let plan = match (fallback, names.first()) {
            (Some(p), _) => p,
            (None, Some(n)) => {
                SheetPlan { source: sheet_source(n), name: n.clone(), header_row: 0, width: 0, remap: None }
            }
            (None, None) => return Err(format_err(source, "workbook has no sheets".into())),
        };
        skipped.retain(|n| *n != plan.name);
        plans.push(plan);
    }
    Ok((plans, skipped))
}

/// Where each column of a later sheet's header goes in the first sheet's layout; the two headers must name
/// the same columns.
fn remap_columns(
    first: &[Option<Column>],
    later: &[Option<Column>],
    source: &str,
    sheet: &str,
    first_sheet: &str,
) -> Result<Vec<Option<usize>>> {
    let names = |cols: &[Option<Column>], other: &[Option<Column>]| -> Vec<&'static str> {
        cols.iter().flatten().filter(|c| !other.contains(&Some(**c))).map(|c| c.name()).collect()
    };
    let missing = names(first, later);
    let extra = names(later, first);
    if !missing.is_empty() || !extra.is_empty() {
        return Err(format_err(
            source,
            format!(
                "sheet {sheet:?} carries the ES-003 header but not the same columns as sheet {first_sheet:?} \
                 (missing: [{}]; extra: [{}]); read each sheet alone with --sheet",
                missing.join(", "),
                extra.join(", ")
            ),
        ));
    }
    Ok(later.iter().map(|c| c.and_then(|c| first.iter().position(|f| *f == Some(c)))).collect())
}

// ---------------------------------------------------------------------------------------------------------
// Streaming

/// A row: its sheet (index into the plans), its 1-based row number, its cells.
type SheetRow = (usize, u64, Record);

enum Msg {
    Rows(Vec<SheetRow>),
    End,
    Err(Error),
}

/// The producer's side: rows gathered into batches.
struct Out<'a> {
    tx: &'a SyncSender<Msg>,
    batch: Vec<SheetRow>,
    bytes: usize,
}

impl Out<'_> {
    /// Adds a row; false when the reader has gone away.
    fn push(&mut self, row: SheetRow) -> bool {
        self.bytes += row.2.iter().map(|c| c.len() + 16).sum::<usize>();
        self.batch.push(row);
        if self.batch.len() >= ROW_BATCH || self.bytes >= BATCH_BYTES {
            return self.flush();
        }
        true
    }

    /// Sends the rows gathered; false when the reader has gone away.
    fn flush(&mut self) -> bool {
        self.bytes = 0;
        if self.batch.is_empty() {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(ROW_BATCH));
        self.tx.send(Msg::Rows(batch)).is_ok()
    }
}

/// A workbook's rows, streamed from a producer thread: the first read sheet's header row, then the data rows
/// of every read sheet in order (later sheets' header rows are not repeated).
pub(crate) struct WorkbookRows {
    rx: Receiver<Msg>,
    /// Rows received and not yet returned.
    pending: std::collections::VecDeque<SheetRow>,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    sources: Vec<Arc<str>>,
    /// The sheet of the last row returned.
    current: usize,
    finished: bool,
    rows: u64,
    file: String,
    /// Names of the sheets read and skipped.
    pub(crate) sheets_read: Vec<String>,
    pub(crate) sheets_skipped: Vec<String>,
}

impl WorkbookRows {
    /// Checks the workbook against `limits`, decides the sheets to read (`sheet`, or every one carrying the
    /// ES-003 header) and starts streaming them.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be opened; [`Error::Format`] for a refused or damaged workbook or an
    /// unknown sheet.
    pub(crate) fn open(
        input: &WorkbookInput,
        source: &str,
        sheet: Option<&str>,
        limits: &WorkbookLimits,
    ) -> Result<Self> {
        let open = || -> Result<Source> {
            Ok(match input {
                WorkbookInput::Path(p) => Source::File(File::open(p).map_err(|e| Error::io(source, e))?),
                WorkbookInput::Bytes(b) => Source::Bytes(Cursor::new(ArcBytes(b.clone()))),
            })
        };
        let mut src = open()?;
        let mut magic = [0u8; 4];
        let n = src.read(&mut magic).map_err(|e| Error::io(source, e))?;
        refuse_legacy(magic.get(..n).unwrap_or(&[]), source)?;
        src.seek(SeekFrom::Start(0)).map_err(|e| Error::io(source, e))?;
        check_archive(&mut src, source, limits)?;
        src.seek(SeekFrom::Start(0)).map_err(|e| Error::io(source, e))?;
        let mut xlsx: Xlsx<Source> =
            Xlsx::new(src).map_err(|e| format_err(source, format!("not a readable workbook: {e}")))?;
        let (plans, skipped) = plan_sheets(&mut xlsx, source, sheet)?;
        let (tx, rx) = sync_channel(ROW_QUEUE);
        let cancel = Arc::new(AtomicBool::new(false));
        let sources = plans.iter().map(|p| p.source.clone()).collect();
        let sheets_read = plans.iter().map(|p| p.name.clone()).collect();
        let stop = cancel.clone();
        let file = source.to_owned();
        let handle = std::thread::Builder::new()
            .name("cape-xlsx".into())
            .spawn(move || produce(xlsx, &plans, &file, &tx, &stop))
            .map_err(|e| Error::io(source, e))?;
        Ok(WorkbookRows {
            rx,
            pending: std::collections::VecDeque::new(),
            cancel,
            handle: Some(handle),
            sources,
            current: 0,
            finished: false,
            rows: 0,
            file: source.to_owned(),
            sheets_read,
            sheets_skipped: skipped,
        })
    }

    /// Reads the next row into `rec`; returns its 1-based row number in its sheet, or `None` at the end.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] when the sheet XML is damaged (or the producer stopped unexpectedly).
    pub(crate) fn next(&mut self, rec: &mut Record) -> Result<Option<u64>> {
        loop {
            if let Some((sheet, row, r)) = self.pending.pop_front() {
                self.current = sheet;
                self.rows += 1;
                *rec = r;
                return Ok(Some(row));
            }
            if self.finished {
                return Ok(None);
            }
            match self.rx.recv() {
                Ok(Msg::Rows(batch)) => self.pending.extend(batch),
                Ok(Msg::End) => self.finished = true,
                Ok(Msg::Err(e)) => {
                    self.finished = true;
                    return Err(e);
                }
                Err(_) => {
                    self.finished = true;
                    return Err(format_err(&self.file, "the workbook reader stopped unexpectedly".into()));
                }
            }
        }
    }

    /// The diagnostics' source for the last row returned: `file[Sheet]`.
    pub(crate) fn sheet_source(&self) -> Option<&Arc<str>> {
        self.sources.get(self.current)
    }

    /// Rows returned so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }
}

impl Drop for WorkbookRows {
    fn drop(&mut self) {
        // The producer checks the flag at every cell and stops at a failed send, so it ends promptly.
        self.cancel.store(true, Ordering::Relaxed);
        let (_, dead) = sync_channel(0);
        drop(std::mem::replace(&mut self.rx, dead));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The producer: streams every planned sheet, then sends `End` (or the first error).
fn produce(mut xlsx: Xlsx<Source>, plans: &[SheetPlan], file: &str, tx: &SyncSender<Msg>, stop: &AtomicBool) {
    let width = plans.first().map_or(0, |p| p.width);
    let mut out = Out { tx, batch: Vec::with_capacity(ROW_BATCH), bytes: 0 };
    for (k, plan) in plans.iter().enumerate() {
        match stream_sheet(&mut xlsx, k, plan, width, file, &mut out, stop) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                // The rows before the error are read first, as from a CSV cut at that point.
                if out.flush() {
                    let _ = tx.send(Msg::Err(e));
                }
                return;
            }
        }
    }
    if out.flush() {
        let _ = tx.send(Msg::End);
    }
}

/// Streams one sheet's rows; false when the reader has gone away.
fn stream_sheet(
    xlsx: &mut Xlsx<Source>,
    k: usize,
    plan: &SheetPlan,
    width: usize,
    file: &str,
    out: &mut Out<'_>,
    stop: &AtomicBool,
) -> Result<bool> {
    let mut cells = match xlsx.worksheet_cells_reader(&plan.name) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(true),
        Err(e) => return Err(xlsx_err(file, &plan.name, e)),
    };
    let cap = width.saturating_add(EXTRA_CELLS);
    let mut row = RowBuf::default();
    let mut text = Vec::new();
    let mut at: Option<u32> = None;
    let mut send = |r: u32, row: &mut RowBuf| -> bool {
        if (r < plan.header_row && row.is_blank()) || (k > 0 && r == plan.header_row) {
            // Blank-text rows above the header, or a later sheet's header (mapped when planning): no data. (A
            // row above the header with text can only come from a file whose rows are out of order: it is
            // passed on as a data row, so that it is counted and reported, never dropped.)
            row.take(0);
            return true;
        }
        let rec = row.take(width);
        out.push((k, u64::from(r) + 1, rec))
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let Some(cell) = cells.next_cell().map_err(|e| xlsx_err(file, &plan.name, e))? else { break };
        let (r, c) = cell.get_position();
        let full = cell_text(cell.get_value(), &mut text);
        if text.is_empty() {
            // A cell with no value (styled, or covered by a merge). A cell of spaces is kept: its row is an
            // empty row the reader reports, as in a CSV.
            continue;
        }
        if let Some(prev) = at.filter(|&p| p != r) {
            if !send(prev, &mut row) {
                return Ok(false);
            }
        }
        at = Some(r);
        let c = usize::try_from(c).unwrap_or(usize::MAX);
        let target = match &plan.remap {
            None => Some(c),
            Some(map) if c < plan.width => map.get(c).copied().flatten(),
            Some(_) => Some(width.saturating_add(c - plan.width)),
        };
        if let Some(t) = target {
            // Far-right cells land in the last kept position: the row stays ragged, its size bounded.
            row.put(t.min(cap), &text, full);
        }
    }
    if let Some(prev) = at {
        if !send(prev, &mut row) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_buffer_is_positional_and_padded() {
        let mut b = RowBuf::default();
        b.put(2, b"c", 1);
        b.put(0, b"a", 1);
        let r = b.take(4);
        assert_eq!(r.iter().collect::<Vec<_>>(), [&b"a"[..], b"", b"c", b""]);
        b.put(1, b"x", 1);
        let r = b.take(0);
        assert_eq!(r.iter().collect::<Vec<_>>(), [&b""[..], b"x"]);
        assert_eq!(r.too_long(), None);
    }

    /// A cell longer than Excel allows, or a row of many long cells, is one too-long row whose text is not
    /// kept; the next row is whole again.
    #[test]
    fn long_cells_and_rows_are_marked_not_copied() {
        let mut b = RowBuf::default();
        let long = vec![b'x'; MAX_CELL_BYTES + 1];
        b.put(0, b"ABC-1234567-6", 13);
        b.put(1, &long, 5_000_000);
        let r = b.take(2);
        assert_eq!(r.too_long(), Some(5_000_013));
        assert_eq!(r.get(1), Some(&b""[..]));
        // 16 cells of 100 KiB: under the cell limit, over the row limit from the 11th.
        let cell = vec![b'y'; 100 << 10];
        for c in 0..16 {
            b.put(c, &cell, cell.len());
        }
        let r = b.take(16);
        assert_eq!(r.too_long(), Some(16 * (100 << 10)));
        assert!(r.iter().map(<[u8]>::len).sum::<usize>() <= MAX_ROW_BYTES);
        b.put(0, b"ok", 2);
        assert_eq!(b.take(1).too_long(), None);
    }

    /// Numbers are read as Excel shows them: 15 significant digits.
    #[test]
    fn floats_read_as_excel_shows_them() {
        let text = |f: f64| {
            let mut out = Vec::new();
            cell_text(&DataRef::Float(f), &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(0.1 * 3.0), "0.3");
        assert_eq!(text(1234.56), "1234.56");
        assert_eq!(text(1234.5600000000002), "1234.56");
        assert_eq!(text(-0.005), "-0.005");
        assert_eq!(text(12.0), "12");
        assert_eq!(text(0.1 + 0.7), "0.8");
        assert_eq!(text(36100.34), "36100.34");
        assert_eq!(text(902.5), "902.5");
        assert_eq!(text(0.000_012_5), "0.0000125");
        assert_eq!(text(123_456_789_012.345), "123456789012.345");
        assert_eq!(text(0.123_456_789_012_345_67), "0.123456789012346");
        assert_eq!(text(1.5e-7), "0.00000015");
        assert_eq!(text(-1234.5600000000002), "-1234.56");
    }

    /// A workbook of a header and `rows` data rows.
    fn workbook(rows: u32) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let h = ["Entry Summary Number", "Entry Summary Line Number", "Tariff Ordinal Number", "HTS Number - Full"];
        for (i, c) in h.iter().chain(["Line Tariff Duty Amount", "Entry Date"].iter()).enumerate() {
            ws.write_string(0, i as u16, *c).unwrap();
        }
        for r in 1..=rows {
            ws.write_string(r, 0, "VSU-0828889-3").unwrap();
            ws.write_number(r, 1, 1.0).unwrap();
            ws.write_number(r, 2, f64::from(r)).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn producer_ends_when_the_reader_is_dropped_mid_sheet() {
        // Far more rows than the queue holds: the producer is blocked on a full channel when the reader goes.
        let input = WorkbookInput::Bytes(workbook(5_000).into());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut rows = WorkbookRows::open(&input, "t.xlsx", None, &WorkbookLimits::default()).unwrap();
            let mut rec = Record::default();
            assert_eq!(rows.next(&mut rec).unwrap(), Some(1));
            assert_eq!(rows.next(&mut rec).unwrap(), Some(2));
            assert_eq!(rec.get(2), Some(&b"1"[..]));
            assert_eq!(rows.sheet_source().map(|s| &**s), Some("t.xlsx[Sheet1]"));
            drop(rows); // joins the producer thread
            tx.send(()).unwrap();
        });
        rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the producer did not stop");
    }

    #[test]
    fn all_rows_arrive_then_the_end() {
        let input = WorkbookInput::Bytes(workbook(300).into());
        let mut rows = WorkbookRows::open(&input, "t.xlsx", None, &WorkbookLimits::default()).unwrap();
        let mut rec = Record::default();
        let mut n = 0;
        while let Some(row) = rows.next(&mut rec).unwrap() {
            n += 1;
            assert_eq!(row, n);
        }
        assert_eq!(n, 301);
        assert_eq!(rows.next(&mut rec).unwrap(), None);
        assert_eq!(rows.sheets_read, ["Sheet1"]);
    }

    #[test]
    fn column_letters_never_size_a_row() {
        let mut b = RowBuf::default();
        let cap = 7 + EXTRA_CELLS;
        b.put(16_383usize.min(cap), b"x", 1);
        assert_eq!(b.take(7).len(), cap + 1);
    }

    #[test]
    fn unique_count_is_read_from_the_sst_tag() {
        let sst = br#"<?xml version="1.0"?><sst xmlns="x" count="9" uniqueCount = '7'><si>"#;
        assert_eq!(unique_count(sst), Some(7));
        assert_eq!(unique_count(br#"<x:sst uniqueCount="99999999999999999999999">"#), Some(u64::MAX));
        assert_eq!(unique_count(br#"<sst count="3"><si><t>uniqueCount="5"</t></si>"#), None);
        assert_eq!(unique_count(b"<sst uniqueCount=>"), None);
    }

    #[test]
    fn legacy_xls_is_refused() {
        let err = refuse_legacy(&[0xD0, 0xCF, 0x11, 0xE0], "a.xls").unwrap_err();
        assert!(err.to_string().contains("save the sheet as .xlsx or .csv"), "{err}");
    }
}
