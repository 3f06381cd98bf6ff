//! Splitting CSV text into records, with the row numbers a spreadsheet shows.
//!
//! The `csv` crate's reader runs every byte through a state machine. Most lines of an ACE export hold no
//! quote and no carriage return inside the line, and for those a record is just the line split at the
//! delimiter, which `memchr` finds many bytes at a time. [`CsvRecords`] takes that fast path for plain lines
//! (and for lines whose quoted cells are simple, `"…"` with no `""` inside) and hands every other record —
//! doubled quotes, line breaks inside quotes, lone carriage returns — to `csv_core`, the state machine the
//! `csv` crate itself uses, so both paths give exactly the records the `csv` crate would (flexible lengths,
//! CRLF/LF/CR terminators, a leading UTF-8 byte-order mark dropped). A property test holds the two to the
//! same output on arbitrary input.

use std::io::Read;

use memchr::{memchr, memchr2};

use super::source::{DEFAULT_MAX_RECORD_BYTES, TOO_LONG_SHOWN_BYTES};

/// One CSV record: its cells' bytes in one buffer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    buf: Vec<u8>,
    bounds: Vec<(usize, usize)>,
    /// For a record over the reader's length limit: its full length in bytes (the record then holds one cell,
    /// its first bytes).
    too_long: Option<u64>,
}

impl Record {
    /// Number of cells.
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Cell `i`, if the record has it.
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        self.bounds.get(i).map(|&(s, e)| &self.buf[s..e])
    }

    /// The cells in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.bounds.iter().map(|&(s, e)| &self.buf[s..e])
    }

    /// Empties the record, keeping its allocations.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.bounds.clear();
        self.too_long = None;
    }

    /// For a record rejected as longer than the reader's limit: its full length in bytes (up to its line end,
    /// excluded). Its one cell is then its first bytes.
    pub(crate) fn too_long(&self) -> Option<u64> {
        self.too_long
    }

    /// Marks the record as over a length limit, `len` bytes in all (a workbook row whose cells were not kept).
    pub(crate) fn mark_too_long(&mut self, len: u64) {
        self.too_long = Some(len);
    }

    /// Appends one cell.
    pub(crate) fn push(&mut self, cell: &[u8]) {
        let s = self.buf.len();
        self.buf.extend_from_slice(cell);
        self.bounds.push((s, self.buf.len()));
    }

    /// A record of the given cells.
    pub(crate) fn from_cells<'c>(cells: impl IntoIterator<Item = &'c [u8]>) -> Self {
        let mut r = Record::default();
        for c in cells {
            r.push(c);
        }
        r
    }

    /// The bytes this record's buffers hold (their capacity).
    pub(crate) fn held_bytes(&self) -> usize {
        self.buf.capacity() + self.bounds.capacity() * std::mem::size_of::<(usize, usize)>()
    }

    /// Replaces cell `i` by `cell` (nothing when the record has no cell `i`).
    pub(crate) fn replace(&mut self, i: usize, cell: &[u8]) {
        let s = self.buf.len();
        if let Some(b) = self.bounds.get_mut(i) {
            self.buf.extend_from_slice(cell);
            *b = (s, s + cell.len());
        }
    }

    /// Replaces this record by a copy of `other`, reusing allocations.
    pub(crate) fn copy_from(&mut self, other: &Record) {
        self.buf.clear();
        self.buf.extend_from_slice(&other.buf);
        self.bounds.clear();
        self.bounds.extend_from_slice(&other.bounds);
        self.too_long = other.too_long;
    }

    /// Splits one line into cells; false (record left undefined) when the line holds a carriage return or a
    /// quote this fast path does not handle: text after a closing quote, a quote inside an unquoted cell, or a
    /// quoted cell left open at the end of the line (a line break inside quotes).
    ///
    /// The line is scanned 64 bytes at a time into bit masks of its delimiters and quotes; a running XOR of
    /// the quote mask marks the bytes inside quotes, whose delimiters are not cell boundaries. The loops are
    /// written so that the compiler turns them into vector compares, without `unsafe`.
    fn split_line(&mut self, line: &[u8], delimiter: u8) -> bool {
        self.clear();
        let quoted = match memchr2(b'"', b'\r', line) {
            None => false,
            Some(_) if memchr(b'\r', line).is_some() => return false,
            Some(_) => true,
        };
        self.buf.extend_from_slice(line);
        let mut start = 0;
        let mut inside = 0u64;
        let mut quotes = 0u32;
        let mut pad = [0u8; 64];
        for (bi, chunk) in line.chunks(64).enumerate() {
            let block = match <&[u8; 64]>::try_from(chunk) {
                Ok(b) => b,
                Err(_) => {
                    // The last, short block, padded with zeros (never a delimiter or a quote).
                    pad[..chunk.len()].copy_from_slice(chunk);
                    &pad
                }
            };
            let mut cuts = byte_mask(block, delimiter);
            if quoted {
                let q = byte_mask(block, b'"');
                quotes += q.count_ones();
                let ins = prefix_xor(q) ^ inside;
                inside = 0u64.wrapping_sub(ins >> 63);
                cuts &= !ins;
            }
            while cuts != 0 {
                let i = bi * 64 + cuts.trailing_zeros() as usize;
                self.bounds.push((start, i));
                start = i + 1;
                cuts &= cuts - 1;
            }
        }
        self.bounds.push((start, line.len()));
        if !quoted {
            return true;
        }
        if inside != 0 {
            return false;
        }
        // Every quote must belong to a quoted cell: `"` text (with `""` for a quote) `"`.
        let mut accounted = 0;
        for k in 0..self.bounds.len() {
            let (s, e) = self.bounds[k];
            if e == s || line[s] != b'"' {
                continue;
            }
            if e - s < 2 || line[e - 1] != b'"' {
                return false;
            }
            accounted += 2;
            let inner = &line[s + 1..e - 1];
            if memchr(b'"', inner).is_none() {
                self.bounds[k] = (s + 1, e - 1);
                continue;
            }
            let from = self.buf.len();
            let mut rest = inner;
            while let Some(q) = memchr(b'"', rest) {
                if rest.get(q + 1) != Some(&b'"') {
                    return false;
                }
                accounted += 2;
                self.buf.extend_from_slice(&rest[..=q]);
                rest = &rest[q + 2..];
            }
            self.buf.extend_from_slice(rest);
            self.bounds[k] = (from, self.buf.len());
        }
        accounted == quotes
    }

    /// Splits `line` (no carriage return in it) for cell `cell` only, when that is cheap and certain: the
    /// cell lies before the line's first quote, and the quotes after it form quoted cells `"…"` (with `""`
    /// inside) that [`Record::split_line`] accepts. `self` then holds `cell` empty cells and cell `cell`, and
    /// the result is true exactly as `split_line`'s would be; otherwise this is `split_line`.
    fn split_cell(&mut self, line: &[u8], delimiter: u8, cell: usize) -> bool {
        let quote = memchr(b'"', line);
        let head = &line[..quote.unwrap_or(line.len())];
        let mut start = 0;
        for _ in 0..cell {
            match memchr(delimiter, &head[start..]) {
                Some(i) => start += i + 1,
                None => return self.split_line(line, delimiter),
            }
        }
        let end = match (memchr(delimiter, &head[start..]), quote) {
            (Some(i), _) => start + i,
            (None, None) => line.len(),
            (None, Some(_)) => return self.split_line(line, delimiter),
        };
        if let Some(q) = quote {
            if !simple_quotes(line, q, delimiter) {
                return self.split_line(line, delimiter);
            }
        }
        self.clear();
        self.buf.extend_from_slice(&line[start..end]);
        self.bounds.resize(cell, (0, 0));
        self.bounds.push((0, end - start));
        true
    }
}

/// True when every quote of `line` from `first` (its first quote) belongs to a quoted cell: an opening quote
/// at a cell's start, `""` pairs inside, a closing quote at the cell's end. Such a line is one record that
/// [`Record::split_line`] accepts.
fn simple_quotes(line: &[u8], first: usize, delimiter: u8) -> bool {
    let mut at = first;
    loop {
        // An opening quote, at the start of a cell.
        if at > 0 && line[at - 1] != delimiter {
            return false;
        }
        let mut from = at + 1;
        loop {
            let Some(i) = memchr(b'"', &line[from..]) else { return false };
            let q = from + i;
            match line.get(q + 1) {
                Some(&b'"') => from = q + 2,
                Some(&c) if c == delimiter => {
                    at = q + 1;
                    break;
                }
                Some(_) => return false,
                None => return true,
            }
        }
        match memchr(b'"', &line[at..]) {
            Some(i) => at += i,
            None => return true,
        }
    }
}

/// Bit `i` set where `block[i] == c`.
#[inline(always)]
fn byte_mask(block: &[u8; 64], c: u8) -> u64 {
    let mut eq = [0u8; 64];
    for (e, &b) in eq.iter_mut().zip(block.iter()) {
        *e = u8::from(b == c);
    }
    let mut m = 0u64;
    for (k, w) in eq.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        // Gathers the low bit of each byte (0 or 1) into the top byte, byte k to bit 56 + k.
        m |= (w.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    m
}

/// Bit `i` set when an odd number of bits `0..=i` are set: the bytes from an opening quote up to (not
/// including) its closing quote.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// A reader over a whole small text held in memory (a CAPE declaration, a CAPE results file), with the same
/// splitter and record limit as an ES-003 report, so that quoted line breaks, CR-only line ends and over-long
/// records read alike in every CSV cape reads. `text` is UTF-8 as [`utf8_text`](super::source::utf8_text) makes it
/// (UTF-16 with its byte-order mark transcoded); a UTF-8 byte-order mark is dropped by the reader.
pub(crate) fn in_memory(text: &[u8], delimiter: u8, max_record: usize) -> CsvRecords<&[u8]> {
    /// The buffer a small text starts with (it grows for a longer record).
    const CAPACITY: usize = 64 * 1024;
    CsvRecords::new(text, delimiter, text.len().min(CAPACITY)).with_max_record(max_record)
}

/// Where a reader stands between two records: what another reader needs to go on from there (the byte
/// position, the row number of the last record, and whether a line feed there ends that record's CRLF).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Resume {
    pub(crate) position: u64,
    pub(crate) row: u64,
    pub(crate) after_cr: bool,
}

/// Reads CSV records from a byte stream; see the module documentation.
pub(crate) struct CsvRecords<R> {
    inner: R,
    delimiter: u8,
    buf: Vec<u8>,
    /// Start of the unread bytes in `buf`.
    pos: usize,
    /// End of the bytes read into `buf`.
    filled: usize,
    /// Bytes dropped from the front of `buf` so far (for the byte position).
    dropped: u64,
    eof: bool,
    started: bool,
    /// The last record ended at a carriage return: a line feed right after it is that record's CRLF tail,
    /// not a blank line.
    after_cr: bool,
    /// Row number of the last record (the header is row 1; blank lines count as rows).
    row: u64,
    /// No record starting at or after this byte position is read.
    limit: u64,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The longest record read (see [`CsvRecords::with_max_record`]).
    max_record: usize,
}

/// A `csv_core` reader as this splitter needs it.
fn fresh_core(delimiter: u8) -> csv_core::Reader {
    // Fed one line feed (a blank line to it) so that it has read something: `csv_core` drops a byte-order mark
    // only on its first read, and here the first bytes are handled before it.
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let _ = core.read_record(b"\n", &mut [0; 1], &mut [0; 1]);
    core
}

impl<R: Read> CsvRecords<R> {
    /// A reader with a buffer of `capacity` bytes (grown only for a record longer than that).
    pub(crate) fn new(inner: R, delimiter: u8, capacity: usize) -> Self {
        CsvRecords {
            inner,
            delimiter,
            buf: vec![0; capacity.max(16)],
            pos: 0,
            filled: 0,
            dropped: 0,
            eof: false,
            started: false,
            after_cr: false,
            row: 0,
            limit: u64::MAX,
            core: fresh_core(delimiter),
            out: vec![0; 1024],
            ends: vec![0; 64],
            max_record: DEFAULT_MAX_RECORD_BYTES,
        }
    }

    /// Sets the longest record read, in bytes (default [`DEFAULT_MAX_RECORD_BYTES`]).
    ///
    /// A longer record is not split: [`CsvRecords::read`] returns it as one row whose [`Record::too_long`]
    /// is its length, holding its first [`TOO_LONG_SHOWN_BYTES`] bytes as one cell, and goes on after the first
    /// line feed at or past the limit — whatever the quotes: a quote still open there is taken as stray (no
    /// real cell is that long), so the rows after it are read as rows. The buffers then never grow past about
    /// twice the limit, whatever the input.
    pub(crate) fn with_max_record(mut self, max: usize) -> Self {
        self.max_record = max.max(1);
        self
    }

    /// A reader over `inner`, which starts at `at.position` of a text another reader has read up to there.
    pub(crate) fn resumed(inner: R, delimiter: u8, capacity: usize, at: Resume) -> Self {
        let mut r = Self::new(inner, delimiter, capacity);
        r.started = true;
        r.dropped = at.position;
        r.row = at.row;
        r.after_cr = at.after_cr;
        r
    }

    /// Stops before any record that starts at or after byte `limit` (with the blank lines before it).
    pub(crate) fn stop_at(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// Where this reader stands: between the last record read and the next.
    pub(crate) fn resume_point(&self) -> Resume {
        Resume { position: self.position(), row: self.row, after_cr: self.after_cr }
    }

    /// Bytes consumed so far.
    pub(crate) fn position(&self) -> u64 {
        self.dropped + self.pos as u64
    }

    /// Reads more input after the unread bytes, first moving them to the front of the buffer.
    fn fill(&mut self) -> std::io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.filled, 0);
            self.dropped += self.pos as u64;
            self.filled -= self.pos;
            self.pos = 0;
        }
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.filled += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the next record into `rec`; returns its row number, or `None` at the end of input.
    ///
    /// # Errors
    ///
    /// An I/O error of the underlying reader.
    pub(crate) fn read(&mut self, rec: &mut Record) -> std::io::Result<Option<u64>> {
        self.read_with(rec, None)
    }

    /// Reads the next record as [`CsvRecords::read`] does (the same records, row numbers and positions), but
    /// when the line is one [`Record::split_cell`] can take cheaply, `rec` holds only cell `cell` (the cells
    /// before it empty, none after): for a pass that needs one column.
    ///
    /// # Errors
    ///
    /// An I/O error of the underlying reader.
    pub(crate) fn read_cell(&mut self, rec: &mut Record, cell: usize) -> std::io::Result<Option<u64>> {
        self.read_with(rec, Some(cell))
    }

    fn read_with(&mut self, rec: &mut Record, only: Option<usize>) -> std::io::Result<Option<u64>> {
        if self.position() >= self.limit {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            while self.filled < 3 && !self.eof {
                self.fill()?;
            }
            if self.buf[..self.filled].starts_with(b"\xef\xbb\xbf") {
                self.pos = 3;
            }
        }
        // Blank lines before the record: every terminator at the start of a record is one (CRLF counts once).
        loop {
            if self.pos == self.filled {
                if self.eof {
                    return Ok(None);
                }
                self.fill()?;
                continue;
            }
            match self.buf[self.pos] {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' => self.row += 1,
                b'\r' => {
                    self.row += 1;
                    self.after_cr = true;
                    self.pos += 1;
                    continue;
                }
                _ => break,
            }
            self.pos += 1;
        }
        self.after_cr = false;
        // The line, up to its line feed or the end of input.
        let mut scanned = 0;
        let (end, next) = loop {
            match memchr(b'\n', &self.buf[self.pos + scanned..self.filled]) {
                Some(i) => {
                    let end = self.pos + scanned + i;
                    break (end, end + 1);
                }
                None if self.eof => break (self.filled, self.filled),
                None if self.filled - self.pos > self.max_record => {
                    // No line feed in the first `max_record` bytes. A carriage return there ends the record
                    // (a file with CR line ends): `csv_core` reads it, capped at the limit.
                    if memchr(b'\r', &self.buf[self.pos..self.filled]).is_some() {
                        return self.read_slow_row(rec);
                    }
                    let start = self.position();
                    let head = self.head(self.filled);
                    self.pos = self.filled;
                    self.skip_too_long(rec, start, &head)?;
                    self.row += 1;
                    return Ok(Some(self.row));
                }
                None => {
                    scanned = self.filled - self.pos;
                    self.fill()?;
                }
            }
        };
        // The line's length without its terminator (LF or CRLF).
        let crlf = end > self.pos && self.buf[end - 1] == b'\r';
        if end - self.pos - usize::from(crlf) > self.max_record {
            if memchr(b'\r', &self.buf[self.pos..end - usize::from(crlf)]).is_some() {
                // Carriage returns inside: records end there (CR line ends); `csv_core` reads them.
                return self.read_slow_row(rec);
            }
            let start = self.position();
            let head = self.head(end);
            self.pos = end - usize::from(crlf);
            self.skip_too_long(rec, start, &head)?;
            self.row += 1;
            return Ok(Some(self.row));
        }
        let mut line = &self.buf[self.pos..end];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        let split = match only {
            _ if memchr(b'\r', line).is_some() => false,
            Some(cell) => rec.split_cell(line, self.delimiter, cell),
            None => rec.split_line(line, self.delimiter),
        };
        if split {
            self.pos = next;
            self.row += 1;
            return Ok(Some(self.row));
        }
        self.read_slow_row(rec)
    }

    /// [`CsvRecords::read_slow`], numbering the record it reads.
    fn read_slow_row(&mut self, rec: &mut Record) -> std::io::Result<Option<u64>> {
        if self.read_slow(rec)? {
            self.row += 1;
            Ok(Some(self.row))
        } else {
            Ok(None)
        }
    }

    /// The first bytes (before `end`, within the limit) of the over-long record starting at `pos`, for its
    /// diagnostic.
    fn head(&self, end: usize) -> Vec<u8> {
        let end = end.min(self.pos.saturating_add(TOO_LONG_SHOWN_BYTES.min(self.max_record)));
        self.buf.get(self.pos..end).unwrap_or_default().to_vec()
    }

    /// Ends an over-long record that started at byte `start`: skips to just past the next line feed or carriage
    /// return (or the end of input), and makes `rec` the row that stands for it: `head`, and its length (without
    /// its terminator) in [`Record::too_long`].
    fn skip_too_long(&mut self, rec: &mut Record, start: u64, head: &[u8]) -> std::io::Result<()> {
        let mut after_cr = false;
        let len = loop {
            match memchr2(b'\n', b'\r', self.buf.get(self.pos..self.filled).unwrap_or_default()) {
                Some(i) => {
                    self.pos += i;
                    let len = self.position() - start;
                    // A CR's LF, if one follows, is taken as the same terminator by the next read.
                    after_cr = self.buf[self.pos] == b'\r';
                    self.pos += 1;
                    break len;
                }
                None => {
                    self.pos = self.filled;
                    if self.eof {
                        break self.position() - start;
                    }
                    self.fill()?;
                }
            }
        };
        self.end_too_long(rec, head, len, after_cr);
        Ok(())
    }

    /// Makes `rec` the row standing for an over-long record of `len` bytes that has been read to its end.
    fn end_too_long(&mut self, rec: &mut Record, head: &[u8], len: u64, after_cr: bool) {
        // The state machine may be inside a quote of the skipped record.
        self.core = fresh_core(self.delimiter);
        rec.clear();
        rec.push(head);
        rec.too_long = Some(len);
        self.after_cr = after_cr;
    }

    /// Reads one record with `csv_core`, starting at a record's first byte.
    fn read_slow(&mut self, rec: &mut Record) -> std::io::Result<bool> {
        let (mut nout, mut nend) = (0, 0);
        let mut last = None;
        let start = self.position();
        let head = self.head(self.filled);
        loop {
            if self.position() - start > self.max_record as u64 {
                // The byte past the limit may be the terminator itself (a line break inside an open quote):
                // the record ends there, and the next line is the next record.
                if let Some(t @ (b'\n' | b'\r')) = last {
                    let len = self.position() - start - 1;
                    self.end_too_long(rec, &head, len, t == b'\r');
                } else {
                    self.skip_too_long(rec, start, &head)?;
                }
                return Ok(true);
            }
            // Never past the limit: an over-long record ends at the first line feed from there.
            let cap = (self.max_record as u64 + 1).saturating_sub(self.position() - start);
            let input_end = self.filled.min(self.pos.saturating_add(usize::try_from(cap).unwrap_or(usize::MAX)));
            let input = self.buf.get(self.pos..input_end).unwrap_or_default();
            let (res, nin, o, e) = self.core.read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.pos += nin;
            nout += o;
            nend += e;
            if nin > 0 {
                last = Some(self.buf[self.pos - 1]);
            }
            match res {
                csv_core::ReadRecordResult::InputEmpty => {
                    if self.pos == self.filled && !self.eof {
                        self.fill()?;
                    }
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    rec.clear();
                    let mut start = 0;
                    for &end in &self.ends[..nend] {
                        rec.push(&self.out[start..end]);
                        start = end;
                    }
                    self.after_cr = last == Some(b'\r');
                    return Ok(true);
                }
                csv_core::ReadRecordResult::End => return Ok(false),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records and row numbers as the reader gives them.
    fn split(text: &[u8], capacity: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = CsvRecords::new(text, b',', capacity);
        let mut rec = Record::default();
        let mut out = Vec::new();
        while let Some(row) = r.read(&mut rec).expect("in-memory read") {
            out.push((row, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        assert_eq!(r.position(), text.len() as u64, "all input consumed");
        out
    }

    /// Records as the `csv` crate reads them.
    fn reference(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).expect("in-memory read") {
            out.push(rec.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    fn cells(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn plain_quoted_and_multiline_records() {
        let text = b"a,b,c\r\n\"x, y\",\"\",z\n\n\"two\nlines\",\"say \"\"hi\"\"\",q\n1,2";
        let got = split(text, 16);
        assert_eq!(
            got,
            vec![
                (1, cells(&["a", "b", "c"])),
                (2, cells(&["x, y", "", "z"])),
                (4, cells(&["two\nlines", "say \"hi\"", "q"])),
                (5, cells(&["1", "2"])),
            ]
        );
    }

    #[test]
    fn blank_lines_count_as_rows_whatever_the_terminator() {
        // LF, CRLF and lone CR blank lines each count once, including before a last row without a newline.
        let got = split(b"h\n\r\n\r\nx\r\r\ny", 64);
        assert_eq!(got, vec![(1, cells(&["h"])), (4, cells(&["x"])), (6, cells(&["y"]))]);
    }

    #[test]
    fn byte_order_mark_is_dropped_once() {
        let text = b"\xef\xbb\xbfEntry,B\n\xef\xbb\xbfx,y\n\xef\xbb\xbf\"a\"\"\",b\n";
        let got = split(text, 64);
        assert_eq!(got[0].1, cells(&["Entry", "B"]));
        assert_eq!(got[1].1[0], b"\xef\xbb\xbfx".to_vec());
        assert_eq!(got[2].1[0], b"\xef\xbb\xbf\"a\"\"\"".to_vec());
        let want: Vec<Vec<Vec<u8>>> = got.into_iter().map(|(_, r)| r).collect();
        assert_eq!(want, reference(text));
    }

    #[test]
    fn a_record_longer_than_the_buffer_grows_it() {
        let long = "z".repeat(1000);
        let text = format!("a,{long}\n\"{long}\",b\n");
        let got = split(text.as_bytes(), 16);
        assert_eq!(got[0].1, cells(&["a", &long]));
        assert_eq!(got[1].1, cells(&[&long, "b"]));
    }

    /// Records (or, for an over-long one, `TOO_LONG` and its length) of a reader with a record limit.
    fn split_limited(text: &[u8], capacity: usize, max: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = CsvRecords::new(text, b',', capacity).with_max_record(max);
        let mut rec = Record::default();
        let mut out = Vec::new();
        while let Some(row) = r.read(&mut rec).expect("in-memory read") {
            let mut cells: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
            if let Some(len) = rec.too_long() {
                cells.insert(0, format!("TOO_LONG {len}").into_bytes());
            }
            out.push((row, cells));
        }
        assert_eq!(r.position(), text.len() as u64, "all input consumed");
        out
    }

    #[test]
    fn an_over_long_line_is_one_row_and_reading_goes_on_at_the_next_line() {
        let text = format!("a,b\n{}\r\nc,d\n{}\ne,f", "x,".repeat(31), "y".repeat(61));
        for capacity in [16, 64, 4096] {
            let got = split_limited(text.as_bytes(), capacity, 60);
            assert_eq!(
                got,
                vec![
                    (1, cells(&["a", "b"])),
                    (2, cells(&["TOO_LONG 62", &"x,".repeat(30)])),
                    (3, cells(&["c", "d"])),
                    (4, cells(&["TOO_LONG 61", &"y".repeat(60)])),
                    (5, cells(&["e", "f"])),
                ],
                "capacity {capacity}"
            );
        }
    }

    /// A file with CR line ends (Excel's "CSV (Macintosh)") longer than the limit is many records, not one
    /// over-long one; an over-long record there ends at the next carriage return.
    #[test]
    fn carriage_return_line_ends_are_records_under_the_limit() {
        let rows: Vec<String> = (0..200).map(|i| format!("e{i},{i}")).collect();
        let text = rows.join("\r") + "\r";
        for capacity in [16, 64, 4096] {
            let got = split_limited(text.as_bytes(), capacity, 40);
            assert_eq!(got.len(), 200, "capacity {capacity}");
            assert_eq!(got[199], (200, cells(&["e199", "199"])), "capacity {capacity}");
            let long = format!("a,b\r{}\rc,d\r", "z".repeat(50));
            let got = split_limited(long.as_bytes(), capacity, 40);
            assert_eq!(
                got,
                vec![(1, cells(&["a", "b"])), (2, cells(&["TOO_LONG 50", &"z".repeat(40)])), (3, cells(&["c", "d"]))],
                "capacity {capacity}"
            );
        }
    }

    /// A line of exactly the limit is read whatever its terminator; one byte more is over.
    #[test]
    fn the_limit_counts_the_record_not_its_terminator() {
        for end in ["\n", "\r\n", "\r"] {
            let text = format!("{}{end}{}{end}ok{end}", "x".repeat(40), "y".repeat(41));
            let got = split_limited(text.as_bytes(), 16, 40);
            assert_eq!(got[0], (1, cells(&[&"x".repeat(40)])), "{end:?}");
            assert_eq!(got[1].1[0], b"TOO_LONG 41".to_vec(), "{end:?}");
            assert_eq!(got[2].1, cells(&["ok"]), "{end:?}");
        }
    }

    /// When the byte just past the limit is a line feed inside an open quote, the over-long record ends there
    /// and the next line is read as the next record (it used to be swallowed).
    #[test]
    fn a_line_feed_right_at_the_limit_ends_the_over_long_record() {
        let text = format!("a,b\n\"{}\nc,d\n", "q".repeat(39));
        for capacity in [16, 64, 4096] {
            let got = split_limited(text.as_bytes(), capacity, 40);
            assert_eq!(got.len(), 3, "capacity {capacity}: {got:?}");
            assert_eq!(got[1].1[0], b"TOO_LONG 40".to_vec(), "capacity {capacity}");
            assert_eq!(got[2].1, cells(&["c", "d"]), "capacity {capacity}");
        }
    }

    #[test]
    fn a_quote_open_past_the_limit_ends_at_the_first_line_feed_after_the_limit() {
        // The stray quote would swallow every later row; the limit cuts it at the line feed after byte 40.
        let text = format!("a,b\n\"{}\n{}\nc,d\n\"ok\nstill\",e\n", "q".repeat(30), "r".repeat(30));
        for capacity in [16, 64, 4096] {
            let got = split_limited(text.as_bytes(), capacity, 40);
            assert_eq!(got[0], (1, cells(&["a", "b"])));
            assert_eq!(got[1].1[0], b"TOO_LONG 62".to_vec(), "capacity {capacity}");
            assert_eq!(got[2..], [(3, cells(&["c", "d"])), (4, cells(&["ok\nstill", "e"]))], "capacity {capacity}");
        }
    }

    #[test]
    fn a_huge_line_without_a_line_feed_is_read_in_bounded_memory() {
        // 300 MB of `x` made while read (no such file anywhere), then a good row; and the same with no line
        // feed at all to the end of input.
        const HUGE: u64 = 300 << 20;
        let capacity = 256 * 1024;
        for tail in [&b"\nc,\"d\"\n"[..], &b""[..]] {
            let input = (&b"a,b\n"[..]).chain(std::io::repeat(b'x').take(HUGE)).chain(tail);
            let mut r = CsvRecords::new(input, b',', capacity);
            let mut rec = Record::default();
            assert_eq!(r.read(&mut rec).expect("read"), Some(1));
            assert_eq!(r.read(&mut rec).expect("read"), Some(2));
            assert_eq!(rec.too_long(), Some(HUGE));
            assert_eq!(rec.iter().collect::<Vec<_>>(), vec![&[b'x'; TOO_LONG_SHOWN_BYTES][..]]);
            if tail.is_empty() {
                assert_eq!(r.read(&mut rec).expect("read"), None);
            } else {
                assert_eq!(r.read(&mut rec).expect("read"), Some(3));
                assert_eq!(rec.iter().collect::<Vec<_>>(), vec![&b"c"[..], &b"d"[..]]);
            }
            // The buffer grew to hold the limit (1 MiB) and no further.
            assert!(r.buf.capacity() <= 2 * DEFAULT_MAX_RECORD_BYTES + capacity, "buffer {}", r.buf.capacity());
            assert!(r.out.capacity() <= 2 * DEFAULT_MAX_RECORD_BYTES, "output {}", r.out.capacity());
        }
    }

    /// Up to `max` bytes of the characters that make CSV hard: cells, delimiters, quotes, both line ends.
    fn csv_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n')], 0..max)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Stopping at a record boundary and resuming from there in a new reader gives the same records and
        /// rows as one reader.
        #[test]
        fn stop_and_resume_split_the_records_exactly(
            text in csv_bytes(160),
            cut in 0usize..20,
        ) {
            let all = split(&text, 32);
            let mut first = CsvRecords::new(&text[..], b',', 32);
            let mut rec = Record::default();
            let mut at = first.resume_point();
            for _ in 0..cut.min(all.len()) {
                first.read(&mut rec).expect("in-memory read");
                at = first.resume_point();
            }
            let mut head = CsvRecords::new(&text[..], b',', 32);
            head.stop_at(at.position);
            let mut got = Vec::new();
            while let Some(row) = head.read(&mut rec).expect("in-memory read") {
                got.push((row, rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()));
            }
            prop_assert_eq!(got.len(), cut.min(all.len()));
            let mut tail = CsvRecords::resumed(&text[at.position as usize..], b',', 32, at);
            while let Some(row) = tail.read(&mut rec).expect("in-memory read") {
                got.push((row, rec.iter().map(<[u8]>::to_vec).collect()));
            }
            prop_assert_eq!(got, all);
        }

        /// Reading for one cell (the first pass) gives the same rows, row numbers and positions as reading
        /// whole records, and the same cell.
        #[test]
        fn reading_one_cell_gives_the_rows_and_the_cell_of_whole_records(
            text in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'), Just(b'\n')],
                0..200,
            ),
            cell in 0usize..4,
            capacity in 16usize..64,
        ) {
            let mut whole = CsvRecords::new(&text[..], b',', capacity);
            let mut one = CsvRecords::new(&text[..], b',', capacity);
            let (mut a, mut b) = (Record::default(), Record::default());
            loop {
                let ra = whole.read(&mut a).expect("in-memory read");
                let rb = one.read_cell(&mut b, cell).expect("in-memory read");
                prop_assert_eq!(ra, rb);
                prop_assert_eq!(whole.resume_point(), one.resume_point());
                if ra.is_none() {
                    break;
                }
                prop_assert_eq!(a.too_long(), b.too_long());
                prop_assert_eq!(a.get(cell), b.get(cell));
            }
        }

        /// Both paths together give exactly the `csv` crate's records, whatever the bytes and buffer size.
        #[test]
        fn same_records_as_the_csv_crate(
            text in proptest::collection::vec(
                prop_oneof![
                    Just(b'a'), Just(b'1'), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'), Just(b' '), Just(0xef)
                ],
                0..200,
            ),
            capacity in 16usize..64,
        ) {
            let got: Vec<Vec<Vec<u8>>> = split(&text, capacity).into_iter().map(|(_, r)| r).collect();
            prop_assert_eq!(got, reference(&text));
        }

        /// With a limit no record reaches, the records are the `csv` crate's; with any limit, every row is
        /// either a record under the limit or one over-long row, and all input is consumed.
        #[test]
        fn the_limit_changes_nothing_below_it(
            text in csv_bytes(200),
            capacity in 16usize..64,
            max in 1usize..80,
        ) {
            let longest = reference(&text).iter().map(|r| r.iter().map(|c| c.len() + 3).sum::<usize>()).max();
            let got = split_limited(&text, capacity, max);
            if longest.is_none_or(|l| l * 2 < max) && !text.contains(&b'"') {
                let plain: Vec<Vec<Vec<u8>>> = got.into_iter().map(|(_, r)| r).collect();
                prop_assert_eq!(plain, reference(&text));
            } else {
                for (_, cells) in got {
                    let too_long = cells.first().is_some_and(|c| c.starts_with(b"TOO_LONG"));
                    prop_assert!(too_long || cells.iter().map(Vec::len).sum::<usize>() <= max);
                }
            }
        }

        /// Row numbers rise by one per record plus one per blank line, and never depend on the buffer size.
        #[test]
        fn row_numbers_do_not_depend_on_buffering(
            text in csv_bytes(120),
            capacity in 16usize..64,
        ) {
            let small = split(&text, capacity);
            let large = split(&text, 1 << 16);
            prop_assert_eq!(&small, &large);
            for w in small.windows(2) {
                prop_assert!(w[1].0 > w[0].0);
            }
        }
    }
}
