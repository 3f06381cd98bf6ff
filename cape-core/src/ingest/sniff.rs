//! Where the rows of an ES-003 report come from: a path, a buffer or records from a host. The first bytes
//! are sniffed for a workbook (a ZIP or legacy OLE signature) or CSV text (encoding, delimiter), and the
//! input opens as a sequence of numbered records, from its start or from where a file is cut in two.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::es003::{Es003Options, SourceFormat};
use super::records::{CsvRecords, Record, Resume};
use super::source::{self, Encoding};
use super::workbook::{WorkbookInput, WorkbookRows};
use crate::error::{Error, Result};

/// Where the rows come from, re-openable for the second pass.
pub(super) enum Input {
    Path(PathBuf),
    Bytes(Arc<[u8]>),
    Records(Arc<[(u64, Record)]>),
}

/// A sequence of records with their 1-based row numbers in the source.
pub(super) enum Rows {
    /// CSV records, numbered as a spreadsheet shows them (the header is row 1; blank lines count).
    Csv(Box<CsvRecords<Box<dyn Read + Send>>>),
    Mem {
        rows: Arc<[(u64, Record)]>,
        pos: usize,
    },
    /// Workbook rows, streamed from a producer thread (numbered per sheet).
    Workbook(Box<WorkbookRows>),
}

impl Rows {
    /// Where a CSV reader stands between records (`None` for rows held in memory).
    pub(super) fn resume_point(&self) -> Option<Resume> {
        match self {
            Rows::Csv(r) => Some(r.resume_point()),
            Rows::Mem { .. } | Rows::Workbook(_) => None,
        }
    }

    /// Stops a CSV reader before the record at byte `limit`.
    pub(super) fn stop_at(&mut self, limit: u64) {
        if let Rows::Csv(r) = self {
            r.stop_at(limit);
        }
    }

    /// How far reading has come: (bytes or records consumed, total when known).
    pub(super) fn progress(&self) -> (u64, Option<u64>) {
        match self {
            Rows::Csv(r) => (r.position(), None),
            Rows::Mem { rows, pos } => (*pos as u64, Some(rows.len() as u64)),
            Rows::Workbook(w) => (w.rows(), None),
        }
    }

    /// Reads the next record into `rec`; returns its row number, or `None` at the end.
    pub(super) fn next(&mut self, rec: &mut Record, source: &str) -> Result<Option<u64>> {
        match self {
            Rows::Csv(r) => r.read(rec).map_err(|e| Error::io(source, e)),
            Rows::Mem { rows, pos } => {
                if let Some((row, r)) = rows.get(*pos) {
                    *pos += 1;
                    rec.copy_from(r);
                    Ok(Some(*row))
                } else {
                    Ok(None)
                }
            }
            Rows::Workbook(w) => w.next(rec),
        }
    }

    /// [`Rows::next`] for a pass that reads one column: CSV lines that can be cut cheaply hold only cell
    /// `cell` ([`CsvRecords::read_cell`]); the rows, their numbers and that cell are those `next` gives.
    pub(super) fn next_cell(&mut self, rec: &mut Record, cell: usize, source: &str) -> Result<Option<u64>> {
        match self {
            Rows::Csv(r) => r.read_cell(rec, cell).map_err(|e| Error::io(source, e)),
            _ => self.next(rec, source),
        }
    }

    /// For workbook rows, the source naming the sheet of the last row read.
    pub(super) fn sheet_source(&self) -> Option<&Arc<str>> {
        match self {
            Rows::Workbook(w) => w.sheet_source(),
            _ => None,
        }
    }
}

const SNIFF_BYTES: usize = 64 * 1024;
/// The CSV record reader's buffer (it reads the file straight into it, no `BufReader`).
const CSV_BUFFER: usize = 256 * 1024;

/// Opens a file and reads its first `SNIFF_BYTES` (for the workbook check and the delimiter).
pub(super) fn open_with_prefix(path: &Path, name: &str) -> Result<(File, Vec<u8>)> {
    let mut file = File::open(path).map_err(|e| Error::io(name, e))?;
    let mut prefix = vec![0u8; SNIFF_BYTES];
    let n = read_up_to(&mut file, &mut prefix).map_err(|e| Error::io(name, e))?;
    prefix.truncate(n);
    Ok((file, prefix))
}

pub(crate) fn sniff_delimiter(prefix: &[u8]) -> u8 {
    let line_end = prefix.iter().position(|&c| c == b'\n').unwrap_or(prefix.len());
    let line = &prefix[..line_end];
    let mut counts = [0usize; 4];
    let cands = [b',', b'\t', b';', b'|'];
    let mut in_quotes = false;
    for &c in line {
        if c == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            if let Some(i) = cands.iter().position(|&d| d == c) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        cands[best]
    }
}

pub(super) fn is_workbook(prefix: &[u8]) -> bool {
    prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn csv_rows(reader: Box<dyn Read + Send>, delimiter: u8, options: &Es003Options) -> Rows {
    let max = options.max_record_bytes.unwrap_or(source::DEFAULT_MAX_RECORD_BYTES);
    Rows::Csv(Box::new(CsvRecords::new(reader, delimiter, CSV_BUFFER).with_max_record(max)))
}

/// A CSV text reader over `reader`, whose first bytes are `prefix`: transcoded to UTF-8 when it is UTF-16, with
/// the delimiter sniffed from its (transcoded) first line.
fn csv_text(reader: Box<dyn Read + Send>, prefix: &[u8], name: &str, options: &Es003Options) -> Result<Rows> {
    let (encoding, d) = (Encoding::detect(prefix), sniff_delimiter(prefix));
    let (reader, d) =
        source::as_utf8(reader, encoding, d, sniff_delimiter, SNIFF_BYTES).map_err(|e| Error::io(name, e))?;
    Ok(csv_rows(reader, d, options))
}

impl Input {
    /// Opens the rows from the start (the header first).
    pub(super) fn open_rows(&self, name: &str, options: &Es003Options, format: SourceFormat) -> Result<Rows> {
        match (self, format) {
            (Input::Records(r), _) => Ok(Rows::Mem { rows: r.clone(), pos: 0 }),
            (Input::Bytes(b), SourceFormat::Xlsx) => {
                let w = WorkbookInput::Bytes(b.clone());
                Ok(Rows::Workbook(Box::new(WorkbookRows::open(&w, name, options.sheet.as_deref(), &options.workbook)?)))
            }
            (Input::Path(p), SourceFormat::Xlsx) => {
                let w = WorkbookInput::Path(p.clone());
                Ok(Rows::Workbook(Box::new(WorkbookRows::open(&w, name, options.sheet.as_deref(), &options.workbook)?)))
            }
            (Input::Path(p), _) => {
                let (file, prefix) = open_with_prefix(p, name)?;
                let prefix: Arc<[u8]> = prefix.into();
                csv_text(Box::new(Cursor::new(ArcBytes(prefix.clone())).chain(file)), &prefix, name, options)
            }
            (Input::Bytes(b), _) => {
                let head = b.get(..b.len().min(SNIFF_BYTES)).unwrap_or_default();
                csv_text(Box::new(Cursor::new(ArcBytes(b.clone()))), head, name, options)
            }
        }
    }

    /// The input's size in bytes (CSV files and buffers).
    pub(super) fn byte_len(&self) -> Option<u64> {
        match self {
            Input::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Bytes(b) => Some(b.len() as u64),
            Input::Records(_) => None,
        }
    }

    /// About how many bytes of text the record reader will see, for [`Es003Reader::progress`](super::es003::Es003Reader::progress): the input's
    /// size, halved for UTF-16 (exact for text in ASCII, which ES-003 reports nearly are).
    pub(super) fn text_len(&self) -> Option<u64> {
        let len = self.byte_len()?;
        let mut bom = [0u8; 2];
        let read = match self {
            Input::Path(p) => File::open(p).and_then(|mut f| f.read_exact(&mut bom)).is_ok(),
            Input::Bytes(b) => b.get(..2).map(|h| bom.copy_from_slice(h)).is_some(),
            Input::Records(_) => false,
        };
        Some(if read && Encoding::detect(&bom).is_utf16() { len / 2 } else { len })
    }

    /// A CSV reader positioned at `at` (for the second part of a file cut in two).
    pub(super) fn open_rows_at(&self, name: &str, options: &Es003Options, at: Resume) -> Result<Rows> {
        use std::io::{Seek, SeekFrom};
        let (reader, d): (Box<dyn Read + Send>, u8) = match self {
            Input::Path(p) => {
                let (mut file, prefix) = open_with_prefix(p, name)?;
                file.seek(SeekFrom::Start(at.position)).map_err(|e| Error::io(name, e))?;
                (Box::new(file), sniff_delimiter(&prefix))
            }
            Input::Bytes(b) => {
                let mut c = Cursor::new(ArcBytes(b.clone()));
                c.set_position(at.position);
                (Box::new(c), sniff_delimiter(&b[..b.len().min(SNIFF_BYTES)]))
            }
            Input::Records(_) => {
                return Err(Error::Format { source_name: name.to_owned(), message: "records cannot be cut".into() })
            }
        };
        let max = options.max_record_bytes.unwrap_or(source::DEFAULT_MAX_RECORD_BYTES);
        Ok(Rows::Csv(Box::new(CsvRecords::resumed(reader, d, CSV_BUFFER, at).with_max_record(max))))
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// `Arc<[u8]>` as `AsRef<[u8]>` for `Cursor`.
struct ArcBytes(Arc<[u8]>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
