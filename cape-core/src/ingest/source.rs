//! Where an ES-003 report's bytes come from, before they are split into records: the text encoding, standard
//! input and other inputs that can be read only once, and the limit on one record's length.
//!
//! - **Encodings.** A report is UTF-8 (with or without a byte-order mark), or, when it starts with a UTF-16
//!   byte-order mark (`FF FE` little-endian, Excel's "Unicode text"; `FE FF` big-endian), UTF-16, which
//!   [`Utf16Decoder`] turns into UTF-8 while it is read, so that delimiter sniffing and the record splitter
//!   see ordinary text with the same lines, hence the same row numbers. A surrogate half without its pair and
//!   an odd byte at the end become U+FFFD. Text in neither (Windows-1252) is read cell by cell as before.
//! - **Inputs read once.** Standard input (the path `-`, see [`STDIN_PATH`]), a FIFO, a character device:
//!   anything that is not a regular file cannot be opened a second time or seeked, and the reader makes two
//!   passes. Such an input is read exactly once, copied while it is read into a temporary file ([`Spool`]),
//!   and both passes then run over that copy: memory stays bounded whatever the input's size, and the disk
//!   holds one copy of it for as long as the reader lives.
//! - **Record length.** A record longer than [`DEFAULT_MAX_RECORD_BYTES`] (changeable through
//!   [`Es003Options::max_record_bytes`](super::es003::Es003Options::max_record_bytes)) is rejected as a row
//!   with [`DiagnosticCode::RecordTooLong`](crate::DiagnosticCode::RecordTooLong), and reading goes on after
//!   the first line end (LF or CR) past the limit, without ever holding the whole record.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::error::Error;

/// The path that names standard input (`cape ingest -`, [`Es003Reader::open`](super::es003::Es003Reader::open)).
pub const STDIN_PATH: &str = "-";

/// The name diagnostics give standard input when no source name is set.
pub const STDIN_NAME: &str = "<stdin>";

/// The longest record (all its cells, delimiters and quotes, up to its line end) the CSV reader accepts: 1 MiB.
/// An ES-003 row runs to a few hundred bytes; a megabyte is a damaged file (a quote never closed, a missing line
/// end) or a hostile one, and the bound keeps the reader's memory at a few MiB whatever the input.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;

/// How many bytes of a rejected over-long record its diagnostic shows.
pub const TOO_LONG_SHOWN_BYTES: usize = 64;

/// The text encoding of a CSV input, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark (and, cell by cell, Windows-1252 where a cell is not UTF-8).
    Utf8,
    /// UTF-16 little-endian with a byte-order mark (`FF FE`): Excel's "Unicode text".
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark (`FE FF`).
    Utf16Be,
}

impl Encoding {
    /// The encoding a text starting with `prefix` is in: UTF-16 only with its byte-order mark.
    pub fn detect(prefix: &[u8]) -> Self {
        match prefix {
            [0xFF, 0xFE, ..] => Encoding::Utf16Le,
            [0xFE, 0xFF, ..] => Encoding::Utf16Be,
            _ => Encoding::Utf8,
        }
    }

    /// True for the UTF-16 encodings (their bytes are not the bytes the record reader sees).
    pub fn is_utf16(self) -> bool {
        !matches!(self, Encoding::Utf8)
    }
}

/// `inner` as UTF-8 text: unchanged for [`Encoding::Utf8`], else through a [`Utf16Decoder`].
pub(crate) fn decoded<R: Read + Send + 'static>(inner: R, encoding: Encoding) -> Box<dyn Read + Send> {
    match encoding {
        Encoding::Utf8 => Box::new(inner),
        Encoding::Utf16Le => Box::new(Utf16Decoder::new(inner, false)),
        Encoding::Utf16Be => Box::new(Utf16Decoder::new(inner, true)),
    }
}

/// The text of `reader` (whose first bytes tell `encoding`) as UTF-8, with its delimiter: `delimiter` for
/// UTF-8 (already sniffed by the caller from the same bytes), else `sniff` applied to the first `sniff_len`
/// bytes of the transcoded text, which are then read again.
///
/// # Errors
///
/// An I/O error reading the first bytes.
pub(crate) fn as_utf8(
    reader: Box<dyn Read + Send>,
    encoding: Encoding,
    delimiter: u8,
    sniff: impl FnOnce(&[u8]) -> u8,
    sniff_len: usize,
) -> io::Result<(Box<dyn Read + Send>, u8)> {
    if !encoding.is_utf16() {
        return Ok((reader, delimiter));
    }
    let mut text = decoded(reader, encoding);
    let mut head = vec![0u8; sniff_len];
    let mut n = 0;
    while n < head.len() {
        match text.read(head.get_mut(n..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(n);
    let delimiter = sniff(&head);
    Ok((Box::new(io::Cursor::new(head).chain(text)), delimiter))
}

/// A whole text in memory as UTF-8: the bytes themselves when they are not UTF-16 with a byte-order mark, else
/// their transcoding (for the readers that take a file whole: CAPE results).
pub fn utf8_text(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let encoding = Encoding::detect(bytes);
    if !encoding.is_utf16() {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    // Reading from memory cannot fail.
    let _ = decoded(io::Cursor::new(bytes.to_vec()), encoding).read_to_end(&mut out);
    std::borrow::Cow::Owned(out)
}

/// How many UTF-16 bytes [`Utf16Decoder`] reads at a time.
const UTF16_CHUNK: usize = 32 * 1024;

/// A streaming UTF-16 to UTF-8 transcoder over a byte stream that starts with a UTF-16 byte-order mark.
///
/// The mark itself is dropped. A high surrogate is held back when a read ends on it, so that a pair split
/// between two reads is joined; an unpaired surrogate, and an odd last byte, each become U+FFFD. Line ends
/// are kept as they are, so row numbers do not change. Memory is one chunk of input and its UTF-8.
pub struct Utf16Decoder<R> {
    inner: R,
    big_endian: bool,
    /// Undecoded input: at most an odd byte and a held high surrogate between reads.
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    started: bool,
}

impl<R: Read> Utf16Decoder<R> {
    /// A decoder over `inner`, UTF-16BE when `big_endian`, else UTF-16LE.
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16Decoder {
            inner,
            big_endian,
            raw: Vec::with_capacity(UTF16_CHUNK + 4),
            out: Vec::with_capacity(UTF16_CHUNK * 2),
            out_pos: 0,
            eof: false,
            started: false,
        }
    }

    /// Reads the next chunk of input and decodes what it can into `out`.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        if !self.eof {
            let start = self.raw.len();
            self.raw.resize(start + UTF16_CHUNK, 0);
            let n = loop {
                match self.inner.read(self.raw.get_mut(start..).unwrap_or_default()) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.raw.truncate(start);
                        return Err(e);
                    }
                }
            };
            self.raw.truncate(start + n);
            self.eof = n == 0;
        }
        let big_endian = self.big_endian;
        let unit = move |c: &[u8]| {
            let pair = <[u8; 2]>::try_from(c).unwrap_or([0xFF, 0xFD]);
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        };
        let mut units = self.raw.len() / 2;
        // A high surrogate last: its pair may be in the next read.
        if !self.eof && units > 0 {
            let last = self.raw.get((units - 1) * 2..units * 2).map(unit);
            if last.is_some_and(|u| (0xD800..0xDC00).contains(&u)) {
                units -= 1;
            }
        }
        let take = units * 2;
        let mut chars = char::decode_utf16(self.raw.get(..take).unwrap_or_default().chunks_exact(2).map(unit))
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .peekable();
        if !self.started && take > 0 {
            self.started = true;
            if chars.peek() == Some(&'\u{FEFF}') {
                chars.next();
            }
        }
        let mut tmp = [0u8; 4];
        for c in chars {
            self.out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
        self.raw.drain(..take);
        if self.eof && !self.raw.is_empty() {
            // An odd last byte.
            self.raw.clear();
            self.out.extend_from_slice(char::REPLACEMENT_CHARACTER.encode_utf8(&mut tmp).as_bytes());
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let ready = self.out.get(self.out_pos..).unwrap_or_default();
            if !ready.is_empty() {
                let n = ready.len().min(buf.len());
                buf.get_mut(..n).unwrap_or_default().copy_from_slice(ready.get(..n).unwrap_or_default());
                self.out_pos += n;
                return Ok(n);
            }
            if self.eof && self.raw.is_empty() {
                return Ok(0);
            }
            self.refill()?;
        }
    }
}

/// A copy of an input that can be read only once (standard input, a FIFO), in a temporary file that is
/// removed when the last reader over it is dropped.
///
/// The copy has a path, so that everything that reads a report by path (both passes of the CSV reader, the
/// workbook reader) reads it unchanged. It is created by the `tempfile` crate in the system's temporary
/// folder (`TMPDIR`), readable by the owner only; a process killed before it drops leaves the file behind.
#[derive(Debug)]
pub struct Spool {
    file: tempfile::NamedTempFile,
    len: u64,
}

impl Spool {
    /// Copies `input` to a new temporary file, reading it exactly once, in bounded memory.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming `name` when reading the input or writing the copy fails.
    pub fn copy_of(mut input: impl Read, name: &str) -> Result<Self, Error> {
        let mut file = tempfile::Builder::new()
            .prefix("cape-input-")
            .tempfile()
            .map_err(|e| Error::io(format!("{name} (temporary copy)"), e))?;
        let len = io::copy(&mut input, file.as_file_mut()).map_err(|e| Error::io(name, e))?;
        Ok(Spool { file, len })
    }

    /// A spool over a temporary file the caller has written (`len` bytes).
    pub(crate) fn from_written(file: tempfile::NamedTempFile, len: u64) -> Self {
        Spool { file, len }
    }

    /// Copies standard input.
    ///
    /// # Errors
    ///
    /// As [`Spool::copy_of`].
    pub fn stdin(name: &str) -> Result<Self, Error> {
        Self::copy_of(io::stdin().lock(), name)
    }

    /// The copy's path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The copy's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when the input was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The copy, opened again for reading from its start.
    ///
    /// # Errors
    ///
    /// An I/O error opening it.
    pub fn reopen(&self) -> io::Result<File> {
        self.file.reopen()
    }
}

/// True when `path` must be read through a [`Spool`]: `-` (standard input), or anything that is not a regular
/// file (a FIFO, `/dev/stdin` on a pipe, a character device). A path that does not exist is not: opening it
/// gives the usual error.
pub fn needs_spool(path: &Path) -> bool {
    if path.as_os_str() == STDIN_PATH {
        return true;
    }
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The file-level error for a report that has rows but none usable (or a header and no row at all).
///
/// `rejections` are the codes of the diagnostics that rejected rows with their counts, most frequent first
/// ([`IngestSummary::rejections_by_code`](super::es003::IngestSummary::rejections_by_code)); the message names
/// the first few.
/// A whole small file read into memory, or how large it was when over the limit.
#[derive(Debug)]
pub(crate) enum Capped {
    /// The file's bytes (at most the limit).
    Whole(Vec<u8>),
    /// The file is larger than the limit: only its size is known (at least `limit + 1` for a pipe).
    TooLarge(u64),
}

/// Reads a file that must be small (a declaration, a results file, a manifest) without ever holding more than
/// `limit + 1` bytes of it: a 1 GB file planted where a declaration should be costs a size check, not 1 GB.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened or read.
pub(crate) fn read_capped(path: &Path, name: &str, limit: u64) -> Result<Capped, Error> {
    let file = File::open(path).map_err(|e| Error::io(name, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Ok(Capped::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| Error::io(name, e))?;
    if bytes.len() as u64 > limit {
        return Ok(Capped::TooLarge(bytes.len() as u64));
    }
    Ok(Capped::Whole(bytes))
}

pub(crate) fn no_usable_row(source: &str, rows_read: u64, rejections: &[(&'static str, u64)]) -> Error {
    /// How many codes the message names.
    const SHOWN: usize = 3;
    let message = if rows_read == 0 {
        "no usable row: the file has a header and no data row".to_owned()
    } else {
        let codes = rejections;
        let shown: Vec<String> = codes.iter().take(SHOWN).map(|(c, n)| format!("{c} ×{n}")).collect();
        let more = codes.len().saturating_sub(SHOWN);
        format!(
            "no usable row: {rows_read} row{} read, all rejected (most frequent: {}{})",
            if rows_read == 1 { "" } else { "s" },
            if shown.is_empty() { "none reported".to_owned() } else { shown.join(", ") },
            if more > 0 {
                format!(", and {more} other code{}", if more == 1 { "" } else { "s" })
            } else {
                String::new()
            },
        )
    };
    Error::Format { source_name: source.to_owned(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives at most `step` bytes a read, to split surrogate pairs and units between reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            let (head, tail) = self.0.split_at(n);
            buf[..n].copy_from_slice(head);
            self.0 = tail;
            Ok(n)
        }
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for u in text.encode_utf16() {
            out.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        out
    }

    fn decode(bytes: &[u8], step: usize) -> String {
        let enc = Encoding::detect(bytes);
        let mut out = String::new();
        Utf16Decoder::new(Trickle(bytes, step), enc == Encoding::Utf16Be).read_to_string(&mut out).expect("valid");
        out
    }

    #[test]
    fn both_byte_orders_whatever_the_read_sizes() {
        let text = "Entry\tName\r\nABC-1234567-6\tCafé 😀 Zoë\r\n";
        for be in [false, true] {
            for step in [1, 2, 3, 5, 7, 4096] {
                assert_eq!(decode(&utf16(text, be), step), text, "big endian {be}, step {step}");
            }
        }
    }

    #[test]
    fn lone_surrogates_and_an_odd_last_byte_become_replacement_characters() {
        let mut bytes = vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, 0x00, 0xDC, b'c', 0, 0x3D, 0xD8];
        assert_eq!(decode(&bytes, 1), "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
        bytes.push(b'x');
        assert_eq!(decode(&bytes, 3), "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}");
        assert_eq!(decode(&[0xFF, 0xFE, b'z'], 1), "\u{FFFD}");
        assert_eq!(decode(&[0xFF, 0xFE], 1), "");
    }

    #[test]
    fn only_a_leading_byte_order_mark_is_dropped() {
        assert_eq!(decode(&utf16("a\u{FEFF}b", false), 1), "a\u{FEFF}b");
        assert_eq!(&*utf8_text(&utf16("x,y", true)), b"x,y");
        assert_eq!(&*utf8_text(b"\xef\xbb\xbfx,y"), b"\xef\xbb\xbfx,y");
    }

    #[test]
    fn the_no_usable_row_error_names_counts_and_codes() {
        let codes = [("ES003_B", 5), ("ES003_A", 2), ("ES003_C", 1), ("ES003_D", 1)];
        let e = no_usable_row("f.csv", 9, &codes).to_string();
        assert_eq!(
            e,
            "f.csv: no usable row: 9 rows read, all rejected (most frequent: ES003_B ×5, ES003_A ×2, ES003_C ×1, \
             and 1 other code)"
        );
        assert!(no_usable_row("f.csv", 0, &[]).to_string().contains("header and no data row"));
    }
}
