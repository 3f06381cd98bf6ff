//! The two-pass plan: a first, cheap pass over the entry-number column finds the entries whose rows are
//! not contiguous (so that the reader holds only those), and, asked for, where a CSV file can be cut in two
//! between entries so that two readers read its halves on two threads.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::es003::{Es003Options, SourceFormat};
use super::header::map_header;
use super::reader::Es003Reader;
use super::records::{Record, Resume};
use super::sniff::{is_workbook, open_with_prefix, Input, Rows};
use super::source::{self, Encoding};
use crate::error::{Error, Result};
use crate::ingest::columns::Column;
use crate::values::text::unwrap_excel;
use crate::EntryNumber;

impl Es003Reader {
    /// Pass 1: entries whose rows may not be contiguous; with `boundary_at`, also where to cut the file in
    /// two (see [`Es003Reader::open_parts`]).
    pub(super) fn first_pass(
        input: &Input,
        name: &str,
        options: &Es003Options,
        format: SourceFormat,
        boundary_at: Option<u64>,
    ) -> Result<FirstPass> {
        let source: Arc<str> = name.into();
        let mut rec = Record::default();
        let mut rows = input.open_rows(name, options, format)?;
        if rows.next(&mut rec, name)?.is_none() {
            return Err(Error::Format { source_name: name.to_owned(), message: "empty file: no header row".into() });
        }
        if let Some(len) = rec.too_long() {
            return Err(Error::Format {
                source_name: name.to_owned(),
                message: format!("the header row is {len} bytes long, over the record limit; not an ES-003 report"),
            });
        }
        let map = map_header(&rec, &source, &mut Vec::new())?;
        match map.idx[Column::EntryNumber as usize] {
            Some(ei) => find_split_entries(
                &mut rows,
                &mut rec,
                ei,
                name,
                input.byte_len().unwrap_or(0),
                boundary_at,
                options.cancel.as_deref(),
            ),
            None => Ok(FirstPass::default()),
        }
    }

    /// Opens a CSV report as `parts` readers over consecutive parts of the file, for as many threads: each
    /// part ends between two entries, and the parts' entries, diagnostics and summaries, taken in order,
    /// are exactly those of the one reader [`Es003Reader::open`] gives. A file is not cut (one reader comes
    /// back) when it is a workbook, UTF-16 text, standard input or another input that is not a regular file,
    /// smaller than 1 MB, or has an entry whose rows fall in both parts.
    ///
    /// Only `parts` ≤ 2 is supported for now; more is treated as 2.
    ///
    /// # Errors
    ///
    /// As [`Es003Reader::open`].
    pub fn open_parts(path: impl AsRef<Path>, options: &Es003Options, parts: usize) -> Result<Vec<Self>> {
        let path = path.as_ref();
        if source::needs_spool(path) {
            return Ok(vec![Self::open(path, options)?]);
        }
        let name = options.source_name.clone().unwrap_or_else(|| path.display().to_string());
        let (_, prefix) = open_with_prefix(path, &name)?;
        // A UTF-16 file is read in one part: its byte positions are not those of the text the reader splits.
        if is_workbook(&prefix) || Encoding::detect(&prefix).is_utf16() {
            return Ok(vec![Self::open(path, options)?]);
        }
        let input = Input::Path(path.to_path_buf());
        let len = input.byte_len().unwrap_or(0);
        let cut_at = (parts >= 2 && len >= 1_000_000).then_some(len / 2);
        let first = Self::first_pass(&input, &name, options, SourceFormat::Csv, cut_at)?;
        let runs = Arc::new(first.last_runs);
        if let Some(b) = first.boundary {
            let spanning = !first.maybe_spanning.is_empty()
                && Self::spans(&input, &name, options, &first.maybe_spanning, b.at.position)?;
            if !spanning {
                let head = Self::second_pass(
                    &input,
                    name.clone(),
                    options,
                    SourceFormat::Csv,
                    runs.clone(),
                    Some(Part::Head(b)),
                )?;
                let tail = Self::second_pass(&input, name, options, SourceFormat::Csv, runs, Some(Part::Tail(b)))?;
                return Ok(vec![head, tail]);
            }
        }
        Ok(vec![Self::second_pass(&input, name, options, SourceFormat::Csv, runs, None)?])
    }

    /// True when one of `keys` (entries seen after the cut that the Bloom filter says may also come before
    /// it) has a row before byte `limit`.
    fn spans(input: &Input, name: &str, options: &Es003Options, keys: &[u64], limit: u64) -> Result<bool> {
        let keys: std::collections::HashSet<u64> = keys.iter().copied().collect();
        let source: Arc<str> = name.into();
        let mut rec = Record::default();
        let mut rows = input.open_rows(name, options, SourceFormat::Csv)?;
        rows.next(&mut rec, name)?;
        let map = map_header(&rec, &source, &mut Vec::new())?;
        let Some(ei) = map.idx[Column::EntryNumber as usize] else { return Ok(false) };
        rows.stop_at(limit);
        while rows.next_cell(&mut rec, ei, name)?.is_some() {
            if rec.too_long().is_some() {
                continue;
            }
            let raw = rec.get(ei).map(unwrap_excel).unwrap_or(b"");
            if let Some(Ok(n)) = std::str::from_utf8(raw).ok().map(EntryNumber::parse_reason) {
                if keys.contains(&n.key()) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// What the first pass found.
#[derive(Default)]
pub(super) struct FirstPass {
    /// Key → index of its last run, for every entry that may have more than one run.
    pub(super) last_runs: HashMap<u64, u64>,
    /// Where to cut the file in two, when asked for.
    boundary: Option<Boundary>,
    /// Keys of runs after the cut that the filter says may also have rows before it.
    maybe_spanning: Vec<u64>,
}

/// A cut between two runs: where the second part starts, and how many runs came before it.
#[derive(Clone, Copy)]
pub(super) struct Boundary {
    pub(super) at: Resume,
    pub(super) runs_before: u64,
}

/// Which part of a file cut in two a reader reads.
#[derive(Clone, Copy)]
pub(super) enum Part {
    Head(Boundary),
    Tail(Boundary),
}

/// Pass 1: for every entry whose rows may form more than one contiguous run, the index of its last run;
/// with `boundary_at`, the first run starting at or after that byte, where the file can be cut in two.
///
/// Memory stays small in the number of entries: a Bloom filter of about 2 bytes an entry (see
/// [`Bloom::for_bytes`]) remembers the entries seen, and only those it reports as seen before — every split
/// entry, plus rare false positives — are kept exactly. A false positive costs nothing but a map slot: its last run
/// is its only run, so it is never held back.
fn find_split_entries(
    rows: &mut Rows,
    rec: &mut Record,
    entry_col: usize,
    source: &str,
    source_len: u64,
    boundary_at: Option<u64>,
    cancel: Option<&AtomicBool>,
) -> Result<FirstPass> {
    let mut seen = Bloom::for_bytes(source_len, boundary_at.is_some());
    let mut before_cut: Option<Bloom> = None;
    let mut out = FirstPass::default();
    let mut last: Option<u64> = None;
    let mut last_cell: Vec<u8> = Vec::new();
    let mut run = 0u64;
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::Cancelled { source_name: source.to_owned() });
        }
        let at = rows.resume_point();
        if rows.next_cell(rec, entry_col, source)?.is_none() {
            break;
        }
        if rec.too_long().is_some() {
            // Rejected in pass 2 before its entry number is looked at: no part of any run.
            continue;
        }
        let raw = rec.get(entry_col).map(unwrap_excel).unwrap_or(b"");
        if last.is_some() && raw == last_cell.as_slice() {
            continue;
        }
        let Some(Ok(n)) = std::str::from_utf8(raw).ok().map(EntryNumber::parse_reason) else { continue };
        let key = n.key();
        last_cell.clear();
        last_cell.extend_from_slice(raw);
        if last == Some(key) {
            continue;
        }
        last = Some(key);
        run += 1;
        if let (Some(limit), Some(at), None) = (boundary_at, at, out.boundary) {
            if at.position >= limit && run > 1 {
                out.boundary = Some(Boundary { at, runs_before: run - 1 });
                before_cut = Some(seen.clone());
            }
        }
        if let Some(b) = &before_cut {
            if b.contains(key) {
                out.maybe_spanning.push(key);
            }
        }
        if let Some(r) = out.last_runs.get_mut(&key) {
            *r = run;
        } else if seen.insert(key) {
            out.last_runs.insert(key, run);
        }
    }
    Ok(out)
}

/// A Bloom filter over entry keys: "not seen" is certain, "seen" may rarely be wrong.
#[derive(Clone)]
struct Bloom {
    bits: Vec<u64>,
    mask: u64,
}

impl Bloom {
    /// Sized for a file of `bytes` (ES-003 rows run ~280 bytes and ~5 rows an entry): ~16 bits an entry, at
    /// most 2^31 bits. When the filter decides whether the file can be cut in two (`cutting`), at least 2^25
    /// bits (4 MiB: false positives near 1 in 10^8 up to about 2.6M entries, so that the exact check of the
    /// cut rarely runs). Otherwise a false positive only makes the reader watch one more entry for a later
    /// run, so the filter is as small as the file allows (at least 2^16 bits, 8 KiB): a small report does
    /// not pay for zeroing 4 MiB, and a large one probes a filter that stays in cache. An input of unknown
    /// size (`bytes` 0: a workbook) gets 2^25 bits.
    fn for_bytes(bytes: u64, cutting: bool) -> Self {
        let entries = bytes / 1_300;
        let least = if cutting || bytes == 0 { 1 << 25 } else { 1 << 16 };
        let bits = (entries.saturating_mul(16)).next_power_of_two().clamp(least, 1 << 31);
        Bloom { bits: vec![0; (bits / 64) as usize], mask: bits - 1 }
    }

    /// The bit positions of `key`: two halves of a 64-bit mix (splitmix64's finaliser) drive eight probes
    /// (double hashing). Eight keep false positives near 1 in 10^8 at 1M entries in 4 MiB, which matters
    /// when the filter decides whether a file can be cut in two.
    fn probes(&self, key: u64) -> impl Iterator<Item = (usize, u64)> + '_ {
        let mut h = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 31;
        let (h1, h2) = (h & 0xFFFF_FFFF, (h >> 32) | 1);
        (0..8u64).map(move |i| {
            let bit = h1.wrapping_add(i.wrapping_mul(h2)) & self.mask;
            ((bit / 64) as usize, 1u64 << (bit % 64))
        })
    }

    /// True when `key` was (probably) added.
    fn contains(&self, key: u64) -> bool {
        self.probes(key).all(|(w, b)| self.bits[w] & b != 0)
    }

    /// Adds `key`; true when it was (probably) there already.
    fn insert(&mut self, key: u64) -> bool {
        let probes: [(usize, u64); 8] = {
            let mut p = [(0, 0); 8];
            for (slot, probe) in p.iter_mut().zip(self.probes(key)) {
                *slot = probe;
            }
            p
        };
        let mut present = true;
        for (w, b) in probes {
            present &= self.bits[w] & b != 0;
            self.bits[w] |= b;
        }
        present
    }
}
