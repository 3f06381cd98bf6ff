//! CAPE declaration files (Claim Portal uploads), written in CAPE's template.
//!
//! One column, header `Entry Number`, one 11-character entry number per row without dashes, UTF-8 without BOM,
//! `\n` line ends, no blank rows, no duplicates, input order, at most 9,999 entries per file (CSMS 68340863).
//! File names are deterministic: `cape-declaration-001.csv`, … or, split per importer,
//! `cape-declaration-<importer>-001.csv` with the importer number sanitized to `A–Z 0–9 -`.
//!
//! # Writing a set into a folder
//!
//! [`write_declarations_with`] never leaves a folder in which a file is not what the manifest lists:
//!
//! - The folder is created if missing. A folder that is itself a symbolic link, or a path that is not a folder,
//!   is refused ([`Error::UnsafeOutput`]); symbolic links in the path above it are followed as usual.
//! - One run at a time: the run holds an exclusive lock on [`LOCK_FILE`] in the folder (created once and left
//!   there, empty); a second run fails at once with [`Error::OutputLocked`].
//! - A folder holding anything but the lock file is refused with [`Error::OutputNotEmpty`], naming what is
//!   there, unless [`WriteOptions::replace`]. With `replace`, cape's own files there (declaration files named
//!   `<prefix>-NNN.csv` or `<prefix>-<importer>-NNN.csv` for the set's prefix, files the old manifest lists, the
//!   manifest, cape's leftover temporary files) are removed or replaced; any other file or folder is never
//!   touched, and its presence refuses the run, so that afterwards the folder holds exactly the files the new
//!   manifest lists (and the lock file).
//! - Every file is first written to a temporary name and synced (any failure: the temporaries are removed and
//!   the folder is untouched); then the old manifest is removed, then the stale declaration files; the new files
//!   are renamed into place and the manifest is written last, atomically. The manifest lists each file's entry
//!   count and SHA-256, so that `cape check` detects a file that is cut, edited or stale.
//! - A failure after the old manifest was removed removes the new files already in place too (best effort): a
//!   folder without a manifest holds no file of this run.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::eligibility::ClaimAssessment;
use crate::error::{Error, ErrorKind, Result};
use crate::report::atomic::{is_temp_name, sync_dir, AtomicFile};
use crate::EntryNumber;

/// The most entries CAPE accepts in one declaration (CSMS 68340863).
pub const MAX_ENTRIES_PER_DECLARATION: usize = 9_999;

/// The one header cell of CAPE's template.
pub const DECLARATION_HEADER: &str = "Entry Number";

/// The manifest's file name in an output directory.
pub const MANIFEST_FILE: &str = "manifest.csv";

/// The importer segment used for entries without an importer number when splitting per importer.
pub const UNKNOWN_IMPORTER: &str = "UNKNOWN";

/// The manifest's header row (without its line end).
pub const MANIFEST_HEADER: &str = "file,importer,entries,first_entry,last_entry,sha256";

/// The lock file a run holds in its output folder (empty; left in place: removing a lock file races with the
/// next run opening it).
pub const LOCK_FILE: &str = ".cape-lock";

/// The largest manifest cape reads back (16 MiB, some 100,000 files): when verifying a file against it
/// (`cape check`) and when finding an earlier run's files to replace; a larger one is not read.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;

/// How many names an [`Error::OutputNotEmpty`] message shows before saying how many more there are.
pub const NOT_EMPTY_NAMES_SHOWN: usize = 10;

/// Parameters of [`build_declarations`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DeclarationOptions {
    /// Entries per file, 1 to 9,999 (default 9,999).
    pub max_entries_per_file: usize,
    /// One set of files per importer of record (default false: a broker may mix importers, CBP FAQ).
    pub per_importer: bool,
    /// The file-name prefix (default `cape-declaration`).
    pub prefix: String,
}

/// The name of [`DeclarationOptions`] before 0.2 (every options type is now named `*Options`).
pub type DeclarationParams = DeclarationOptions;

impl Default for DeclarationOptions {
    fn default() -> Self {
        DeclarationOptions {
            max_entries_per_file: MAX_ENTRIES_PER_DECLARATION,
            per_importer: false,
            prefix: "cape-declaration".to_owned(),
        }
    }
}

/// One declaration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclarationFile {
    /// The file name, e.g. `cape-declaration-001.csv`.
    pub name: String,
    /// The importer of record when split per importer (`None` when importers are mixed).
    pub importer: Option<String>,
    /// The entries, in input order.
    pub entries: Vec<EntryNumber>,
}

impl DeclarationFile {
    /// The file's exact contents: `Entry Number\n` then one compact entry number per line.
    pub fn contents(&self) -> String {
        let mut s = String::with_capacity(DECLARATION_HEADER.len() + 1 + self.entries.len() * 12);
        s.push_str(DECLARATION_HEADER);
        s.push('\n');
        for e in &self.entries {
            s.push_str(e.compact());
            s.push('\n');
        }
        s
    }
}

/// One row of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestRow {
    /// The file name.
    pub file: String,
    /// The importer, when split per importer.
    pub importer: Option<String>,
    /// How many entries the file lists.
    pub entries: usize,
    /// The first entry listed.
    pub first_entry: EntryNumber,
    /// The last entry listed.
    pub last_entry: EntryNumber,
    /// The SHA-256 of the file's exact bytes, 64 lower-case hex digits.
    pub sha256: String,
}

/// What was written, and what was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// One row per file, in file order.
    pub files: Vec<ManifestRow>,
    /// Entries declared over all files.
    pub total_entries: usize,
    /// Assessments left out because their status is not `eligible` or `eligible_deferred`.
    pub not_declarable: usize,
    /// Entries given more than once; each is declared once, at its first position.
    pub duplicates_skipped: Vec<EntryNumber>,
}

impl Manifest {
    /// The manifest as CSV: [`MANIFEST_HEADER`] (`file,importer,entries,first_entry,last_entry,sha256`, entries
    /// in dashed form), one row per file.
    pub fn to_csv(&self) -> String {
        let mut s = String::from(MANIFEST_HEADER);
        s.push('\n');
        for r in &self.files {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{}",
                csv_cell(&r.file),
                csv_cell(r.importer.as_deref().unwrap_or("")),
                r.entries,
                r.first_entry,
                r.last_entry,
                r.sha256
            );
        }
        s
    }
}

/// One file as a manifest read back lists it (see [`read_manifest`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestListing {
    /// The file name.
    pub file: String,
    /// The entry count listed.
    pub entries: usize,
    /// The SHA-256 listed (`None` in manifests written before cape recorded it).
    pub sha256: Option<String>,
}

/// Reads the manifest file at `path` as cape's: `Ok(None)` when there is none; `Err(why)` when it is a link or
/// not a plain file, larger than [`MAX_MANIFEST_BYTES`], unreadable, or not cape's manifest. Never reads more
/// than the limit. Used by the writer (the old manifest's files are cape's) and by pre-flight (verifying a file).
pub(crate) fn load_manifest(path: &Path) -> std::result::Result<Option<Vec<ManifestListing>>, String> {
    use crate::ingest::source::{read_capped, Capped};
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot be read: {e}")),
        Ok(m) if !m.is_file() => return Err("is a symbolic link or not a file".to_owned()),
        Ok(_) => {}
    }
    match read_capped(path, &path.display().to_string(), MAX_MANIFEST_BYTES) {
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(Capped::TooLarge(size)) => Err(format!("is {size} bytes, more than the {MAX_MANIFEST_BYTES} cape reads")),
        Ok(Capped::Whole(b)) => {
            read_manifest(&String::from_utf8_lossy(&b)).map(Some).ok_or_else(|| "is not a cape manifest".to_owned())
        }
    }
}

/// Reads a manifest's text back: one listing per file. `None` when the text is not a cape manifest (its header
/// is not cape's, or a row's file name or entry count cannot be read).
pub fn read_manifest(text: &str) -> Option<Vec<ManifestListing>> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let headers = r.headers().ok()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    // `file`, `entries` and `first_entry` make it cape's manifest; `sha256` is absent from older ones.
    let (file, entries, _) = (col("file")?, col("entries")?, col("first_entry")?);
    let sha = col("sha256");
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.ok()?;
        out.push(ManifestListing {
            file: rec.get(file)?.to_owned(),
            entries: rec.get(entries)?.parse().ok()?,
            sha256: sha.and_then(|i| rec.get(i)).filter(|s| !s.is_empty()).map(str::to_ascii_lowercase),
        });
    }
    Some(out)
}

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A set of declaration files with their manifest, held in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclarationSet {
    /// The files, in order.
    pub files: Vec<DeclarationFile>,
    /// The manifest.
    pub manifest: Manifest,
    /// The file-name prefix the set was built with ([`DeclarationOptions::prefix`]); with
    /// [`WriteOptions::replace`], earlier declaration files of this prefix are cape's to replace.
    pub prefix: String,
}

impl DeclarationSet {
    /// Every file as `(name, contents)`, the manifest last (for tests and bindings).
    pub fn contents(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self.files.iter().map(|f| (f.name.clone(), f.contents())).collect();
        v.push((MANIFEST_FILE.to_owned(), self.manifest.to_csv()));
        v
    }
}

/// Sanitizes an importer number for a file name: upper-case letters, digits and `-` kept, anything else `_`.
pub fn sanitize_importer(importer: &str) -> String {
    let s: String = importer
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_uppercase() } else { '_' })
        .collect();
    if s.is_empty() {
        UNKNOWN_IMPORTER.to_owned()
    } else {
        s
    }
}

/// Builds declaration files from assessments: `eligible` and `eligible_deferred` entries, in input order.
///
/// # Errors
///
/// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] when `max_entries_per_file` is 0 or above 9,999, or the
/// prefix is empty or holds a path separator.
pub fn build_declarations<'a>(
    assessments: impl IntoIterator<Item = &'a ClaimAssessment>,
    params: &DeclarationOptions,
) -> Result<DeclarationSet> {
    let mut not_declarable = 0usize;
    let mut items = Vec::new();
    for a in assessments {
        if a.is_declarable() {
            items.push((a.entry_number, a.importer_number.clone()));
        } else {
            not_declarable += 1;
        }
    }
    let mut set = build_declarations_from(items, params)?;
    set.manifest.not_declarable = not_declarable;
    Ok(set)
}

/// Builds declaration files from entry numbers with their importers (all declared; duplicates skipped).
///
/// # Errors
///
/// As [`build_declarations`].
pub fn build_declarations_from(
    entries: impl IntoIterator<Item = (EntryNumber, Option<String>)>,
    params: &DeclarationOptions,
) -> Result<DeclarationSet> {
    let max = params.max_entries_per_file;
    if max == 0 || max > MAX_ENTRIES_PER_DECLARATION {
        return Err(Error::value(
            ErrorKind::InvalidValue,
            "entries per declaration",
            &max.to_string(),
            format!("expected 1 to {MAX_ENTRIES_PER_DECLARATION} (CAPE's limit, CSMS 68340863)"),
        ));
    }
    if params.prefix.is_empty() || params.prefix.contains(['/', '\\']) {
        return Err(Error::value(
            ErrorKind::InvalidValue,
            "declaration file prefix",
            &params.prefix,
            "expected a non-empty file-name prefix without path separators",
        ));
    }
    // Groups in order of first appearance: (key, importer, entries).
    let mut groups: Vec<(Option<String>, Vec<EntryNumber>)> = Vec::new();
    let mut seen = HashSet::new();
    let mut duplicates_skipped = Vec::new();
    for (n, importer) in entries {
        if !seen.insert(n) {
            duplicates_skipped.push(n);
            continue;
        }
        let key = if params.per_importer { Some(importer.unwrap_or_default()) } else { None };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(n),
            None => groups.push((key, vec![n])),
        }
    }
    let mut files = Vec::new();
    let mut used_segments: Vec<String> = Vec::new();
    for (key, entries) in groups {
        let stem = match &key {
            None => params.prefix.clone(),
            Some(imp) => {
                let base = sanitize_importer(imp);
                let mut seg = base.clone();
                let mut k = 2;
                while used_segments.contains(&seg) {
                    seg = format!("{base}_{k}");
                    k += 1;
                }
                used_segments.push(seg.clone());
                format!("{}-{seg}", params.prefix)
            }
        };
        let importer = key.map(|k| if k.is_empty() { UNKNOWN_IMPORTER.to_owned() } else { k });
        for (i, chunk) in entries.chunks(max).enumerate() {
            files.push(DeclarationFile {
                name: format!("{stem}-{:03}.csv", i + 1),
                importer: importer.clone(),
                entries: chunk.to_vec(),
            });
        }
    }
    let rows = files
        .iter()
        .filter_map(|f| {
            Some(ManifestRow {
                file: f.name.clone(),
                importer: f.importer.clone(),
                entries: f.entries.len(),
                first_entry: *f.entries.first()?,
                last_entry: *f.entries.last()?,
                sha256: sha256_hex(f.contents().as_bytes()),
            })
        })
        .collect();
    let total_entries = files.iter().map(|f| f.entries.len()).sum();
    Ok(DeclarationSet {
        files,
        manifest: Manifest { files: rows, total_entries, not_declarable: 0, duplicates_skipped },
        prefix: params.prefix.clone(),
    })
}

/// Options of [`write_declarations_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WriteOptions {
    /// Replace cape's own files in a non-empty folder (default false: a non-empty folder is refused).
    pub replace: bool,
    /// The caller's cancel flag (Ctrl-C): when it is set before the files are renamed into place, the write
    /// stops with [`Error::Cancelled`] and no file of the run is left (an earlier run's files stay as they were).
    /// `None`: never cancelled.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl PartialEq for WriteOptions {
    fn eq(&self, other: &Self) -> bool {
        let flag = |o: &Self| o.cancel.as_ref().map(std::sync::Arc::as_ptr);
        self.replace == other.replace && flag(self) == flag(other)
    }
}

impl Eq for WriteOptions {}

impl WriteOptions {
    /// Options with [`WriteOptions::replace`] set to `replace`.
    pub fn replace(replace: bool) -> Self {
        WriteOptions { replace, cancel: None }
    }

    /// These options, stopped by `cancel` when it is set before the files are placed.
    pub fn with_cancel(mut self, cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>) -> Self {
        self.cancel = cancel;
        self
    }
}

/// Writes a declaration set into `dir` with default [`WriteOptions`]: a non-empty folder is refused. See
/// [`write_declarations_with`].
///
/// # Errors
///
/// As [`write_declarations_with`].
pub fn write_declarations(set: &DeclarationSet, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
    write_declarations_with(set, dir, &WriteOptions::default())
}

/// Writes a declaration set into `dir` (created if missing): every file plus [`MANIFEST_FILE`], atomically and
/// under a lock, as the [module documentation](self#writing-a-set-into-a-folder) describes. Returns the paths
/// written, manifest last.
///
/// # Errors
///
/// - [`Error::UnsafeOutput`] when `dir` is a symbolic link or not a folder, or the lock file is a symbolic link;
/// - [`Error::OutputLocked`] when another run is writing into `dir`;
/// - [`Error::OutputNotEmpty`] when `dir` holds files and `options.replace` is false, or holds files that are not
///   cape's;
/// - [`Error::Io`] when the folder cannot be created, locked or read, or a file cannot be written, synced,
///   renamed or removed. No file of this run is then left under a final name.
pub fn write_declarations_with(
    set: &DeclarationSet,
    dir: impl AsRef<Path>,
    options: &WriteOptions,
) -> Result<Vec<PathBuf>> {
    let dir = dir.as_ref();
    let dir_name = dir.display().to_string();
    ensure_real_dir(dir)?;
    let _lock = lock_dir(dir)?;

    // What is there now, and whose it is.
    let survey = survey(dir, set)?;
    if options.replace && !survey.foreign.is_empty() {
        return Err(not_empty(
            &dir_name,
            survey.foreign,
            "cape replaces only its own declaration files, the manifest and its temporary files; move these away \
             or choose another folder",
        ));
    }
    if !options.replace && (!survey.own.is_empty() || !survey.foreign.is_empty()) {
        let remedy = if survey.foreign.is_empty() {
            "it holds an earlier declaration run; pass --replace (Python replace=True, C CAPE_WRITE_REPLACE) to \
             replace it, or choose another folder"
        } else {
            "choose an empty or new folder, or move these away"
        };
        let mut all = [survey.own.as_slice(), survey.foreign.as_slice()].concat();
        all.sort();
        return Err(not_empty(&dir_name, all, remedy));
    }

    // 1. Every file to a temporary name, synced. Any failure drops them all: the folder is untouched.
    let mut staged = Vec::with_capacity(set.files.len());
    for f in &set.files {
        let mut a = AtomicFile::create(dir.join(&f.name))?;
        let path = a.temp_path().display().to_string();
        a.write_all(f.contents().as_bytes()).map_err(|e| Error::io(path, e))?;
        a.sync()?;
        staged.push(a);
    }
    let mut manifest = AtomicFile::create(dir.join(MANIFEST_FILE))?;
    let path = manifest.temp_path().display().to_string();
    manifest.write_all(set.manifest.to_csv().as_bytes()).map_err(|e| Error::io(path, e))?;
    manifest.sync()?;
    // The last moment to stop with the folder untouched: dropping the staged files removes them.
    if options.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
        return Err(Error::Cancelled { source_name: dir.display().to_string() });
    }

    // 2. The old manifest goes first, then the stale files; the new files go in, the manifest last.
    let new_names: HashSet<&str> = set.files.iter().map(|f| f.name.as_str()).collect();
    let stale: Vec<&str> =
        survey.own.iter().map(String::as_str).filter(|n| *n != MANIFEST_FILE && !new_names.contains(n)).collect();
    place(dir, &stale, staged, manifest)
}

/// Removes the old manifest, then the `stale` files, renames the `staged` files into place and the manifest
/// last. On failure, the files already renamed are removed again (best effort) and the remaining temporaries
/// are dropped (removed): the folder is left without a manifest and without any file of this run.
fn place(dir: &Path, stale: &[&str], mut staged: Vec<AtomicFile>, mut manifest: AtomicFile) -> Result<Vec<PathBuf>> {
    let mut placed: Vec<PathBuf> = Vec::with_capacity(staged.len() + 1);
    let result = (|| -> Result<()> {
        remove_if_present(&dir.join(MANIFEST_FILE))?;
        for name in stale {
            remove_if_present(&dir.join(name))?;
        }
        for a in &mut staged {
            placed.push(a.rename_into_place()?);
        }
        sync_dir(dir)?;
        placed.push(manifest.rename_into_place()?);
        sync_dir(dir)
    })();
    if let Err(e) = result {
        // Take the new files out again (the manifest too, if only the last sync failed), so that no file of this
        // run is left without the manifest that vouches for it.
        for p in placed.iter().rev() {
            let _ = std::fs::remove_file(p);
        }
        let _ = sync_dir(dir);
        return Err(e);
    }
    Ok(placed)
}

/// What an output folder holds: cape's own files (to replace) and anything else, names sorted.
struct Survey {
    own: Vec<String>,
    foreign: Vec<String>,
}

fn survey(dir: &Path, set: &DeclarationSet) -> Result<Survey> {
    let io = |e| Error::io(dir.display().to_string(), e);
    // The old manifest's files are cape's too (read only when it is a plain file of a sane size).
    let manifest = dir.join(MANIFEST_FILE);
    let listed: HashSet<String> =
        load_manifest(&manifest).ok().flatten().map(|v| v.into_iter().map(|l| l.file).collect()).unwrap_or_default();
    let new_names: HashSet<&str> = set.files.iter().map(|f| f.name.as_str()).collect();
    let mut own = Vec::new();
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == LOCK_FILE {
            continue;
        }
        // A symbolic link is cape's to remove (the link, never its target) when its name is cape's; a folder
        // never is.
        let is_dir = entry.file_type().map_err(io)?.is_dir();
        let cape_name = name == MANIFEST_FILE
            || is_temp_name(&name)
            || new_names.contains(name.as_str())
            || listed.contains(&name)
            || is_declaration_name(&name, &set.prefix);
        if cape_name && !is_dir {
            own.push(name);
        } else {
            foreign.push(name);
        }
    }
    own.sort();
    foreign.sort();
    Ok(Survey { own, foreign })
}

/// True for `<prefix>-NNN.csv` and `<prefix>-<SEGMENT>-NNN.csv` (NNN three or more digits, the segment a
/// sanitized importer: `A–Z 0–9 - _`), the names [`build_declarations`] gives.
fn is_declaration_name(name: &str, prefix: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else {
        return false;
    };
    let Some(stem) = rest.strip_suffix(".csv") else {
        return false;
    };
    let (segment, number) = match stem.rsplit_once('-') {
        Some((seg, n)) => (Some(seg), n),
        None => (None, stem),
    };
    let number_ok = number.len() >= 3 && number.bytes().all(|b| b.is_ascii_digit());
    let segment_ok = segment.is_none_or(|s| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    });
    number_ok && segment_ok
}

fn not_empty(dir: &str, found: Vec<String>, remedy: &str) -> Error {
    let shown: Vec<&str> = found.iter().take(NOT_EMPTY_NAMES_SHOWN).map(String::as_str).collect();
    let more = found.len().saturating_sub(shown.len());
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let message = format!(
        "the output folder is not empty: it holds {} item(s): {}{more}; {remedy}",
        found.len(),
        shown.join(", ")
    );
    Error::OutputNotEmpty { dir: dir.to_owned(), found, message }
}

/// Creates `dir` if missing; refuses a symbolic link or a non-folder.
fn ensure_real_dir(dir: &Path) -> Result<()> {
    let name = dir.display().to_string();
    let check = |m: std::fs::Metadata| {
        if m.file_type().is_symlink() {
            Err(Error::UnsafeOutput {
                path: name.clone(),
                message: "the output folder is a symbolic link; cape writes only into a real folder, so that \
                          nothing is written outside the folder named"
                    .to_owned(),
            })
        } else if !m.is_dir() {
            Err(Error::UnsafeOutput { path: name.clone(), message: "exists and is not a folder".to_owned() })
        } else {
            Ok(())
        }
    };
    match std::fs::symlink_metadata(dir) {
        Ok(m) => check(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(name.clone(), e))?;
            check(std::fs::symlink_metadata(dir).map_err(|e| Error::io(name.clone(), e))?)
        }
        Err(e) => Err(Error::io(name, e)),
    }
}

/// Takes the exclusive lock on [`LOCK_FILE`] in `dir`, without waiting; released when the file is dropped.
fn lock_dir(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let name = path.display().to_string();
    // Created exclusively, or opened once checked not to be a link; nothing is ever written to it. Opened for
    // writing too: over NFS, Linux emulates flock with POSIX locks, which refuse an exclusive lock on a
    // read-only handle.
    let file = match OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let m = std::fs::symlink_metadata(&path).map_err(|e| Error::io(name.clone(), e))?;
            if !m.is_file() {
                return Err(Error::UnsafeOutput {
                    path: name,
                    message: "the lock file is a symbolic link or not a file; remove it".to_owned(),
                });
            }
            OpenOptions::new().read(true).write(true).open(&path).map_err(|e| Error::io(name.clone(), e))?
        }
        Err(e) => return Err(Error::io(name, e)),
    };
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Error::OutputLocked {
            dir: dir.display().to_string(),
            message: format!(
                "another cape run is writing declarations into this folder (it holds the lock on {LOCK_FILE}); \
                 wait for it to finish, or choose another folder"
            ),
        }),
        Err(TryLockError::Error(e)) => Err(Error::io(name, e)),
    }
}

fn remove_if_present(p: &Path) -> Result<()> {
    match std::fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(p.display().to_string(), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_names() {
        let p = "cape-declaration";
        assert!(is_declaration_name("cape-declaration-001.csv", p));
        assert!(is_declaration_name("cape-declaration-1234.csv", p));
        assert!(is_declaration_name("cape-declaration-12-345678901-001.csv", p));
        assert!(is_declaration_name("cape-declaration-UNKNOWN_2-001.csv", p));
        assert!(!is_declaration_name("cape-declaration-01.csv", p));
        assert!(!is_declaration_name("cape-declaration-001.txt", p));
        assert!(!is_declaration_name("cape-declaration-notes-001.csv", p));
        assert!(!is_declaration_name("other-001.csv", p));
        assert!(!is_declaration_name("cape-declaration--001.csv", p));
    }

    /// A failure while renaming into place (here: a folder appears at the second file's name after the survey,
    /// as a racing process could make it) leaves no file of the run, no temporary file, and no manifest.
    #[test]
    fn a_failure_while_placing_takes_the_placed_files_out_again() {
        let dir = std::env::temp_dir().join(format!("cape-place-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(MANIFEST_FILE), "old manifest").unwrap();
        std::fs::write(dir.join("cape-declaration-009.csv"), "stale").unwrap();
        let stage = |name: &str| {
            let mut a = AtomicFile::create(dir.join(name)).unwrap();
            a.write_all(b"Entry Number\n").unwrap();
            a.sync().unwrap();
            a
        };
        let staged = vec![stage("cape-declaration-001.csv"), stage("cape-declaration-002.csv")];
        let manifest = stage(MANIFEST_FILE);
        std::fs::create_dir_all(dir.join("cape-declaration-002.csv").join("in-the-way")).unwrap();
        let e = place(&dir, &["cape-declaration-009.csv"], staged, manifest).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["cape-declaration-002.csv"], "only the folder in the way is left");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sha256_known_value() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn manifest_round_trip() {
        let set = build_declarations_from(
            [("ABC-1234567-6".parse().unwrap(), None)],
            &DeclarationOptions { prefix: "a,b".into(), ..Default::default() },
        )
        .unwrap();
        let back = read_manifest(&set.manifest.to_csv()).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].file, "a,b-001.csv");
        assert_eq!(back[0].entries, 1);
        assert_eq!(back[0].sha256.as_deref(), Some(sha256_hex(set.files[0].contents().as_bytes()).as_str()));
        assert_eq!(read_manifest("Entry Number\nB7601585220\n"), None);
    }
}
