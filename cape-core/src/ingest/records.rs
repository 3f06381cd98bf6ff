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

/// One CSV record: its cells' bytes in one buffer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    buf: Vec<u8>,
    bounds: Vec<(usize, usize)>,
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

    /// Replaces this record by a copy of `other`, reusing allocations.
    pub(crate) fn copy_from(&mut self, other: &Record) {
        self.buf.clear();
        self.buf.extend_from_slice(&other.buf);
        self.bounds.clear();
        self.bounds.extend_from_slice(&other.bounds);
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
            core: {
                // Fed one line feed (a blank line to it) so that it has read something: `csv_core` drops a
                // byte-order mark only on its first read, and here the first bytes are handled before it.
                let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
                let _ = core.read_record(b"\n", &mut [0; 1], &mut [0; 1]);
                core
            },
            out: vec![0; 1024],
            ends: vec![0; 64],
        }
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
                None => {
                    scanned = self.filled - self.pos;
                    self.fill()?;
                }
            }
        };
        let mut line = &self.buf[self.pos..end];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if memchr(b'\r', line).is_none() && rec.split_line(line, self.delimiter) {
            self.pos = next;
            self.row += 1;
            return Ok(Some(self.row));
        }
        if self.read_slow(rec)? {
            self.row += 1;
            Ok(Some(self.row))
        } else {
            Ok(None)
        }
    }

    /// Reads one record with `csv_core`, starting at a record's first byte.
    fn read_slow(&mut self, rec: &mut Record) -> std::io::Result<bool> {
        let (mut nout, mut nend) = (0, 0);
        let mut last = None;
        loop {
            let input = &self.buf[self.pos..self.filled];
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
