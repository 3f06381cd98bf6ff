//! CAPE declaration files (Claim Portal uploads), written in CAPE's template.
//!
//! One column, header `Entry Number`, one 11-character entry number per row without dashes, UTF-8 without BOM,
//! `\n` line ends, no blank rows, no duplicates, input order, at most 9,999 entries per file (CSMS 68340863).
//! File names are deterministic: `cape-declaration-001.csv`, … or, split per importer,
//! `cape-declaration-<importer>-001.csv` with the importer number sanitized to `A–Z 0–9 -`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::eligibility::ClaimAssessment;
use crate::error::{Error, ErrorKind, Result};
use crate::EntryNumber;

/// The most entries CAPE accepts in one declaration (CSMS 68340863).
pub const MAX_ENTRIES_PER_DECLARATION: usize = 9_999;

/// The one header cell of CAPE's template.
pub const DECLARATION_HEADER: &str = "Entry Number";

/// The manifest's file name in an output directory.
pub const MANIFEST_FILE: &str = "manifest.csv";

/// The importer segment used for entries without an importer number when splitting per importer.
pub const UNKNOWN_IMPORTER: &str = "UNKNOWN";

/// Parameters of [`build_declarations`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclarationParams {
    /// Entries per file, 1 to 9,999 (default 9,999).
    pub max_entries_per_file: usize,
    /// One set of files per importer of record (default false: a broker may mix importers, CBP FAQ).
    pub per_importer: bool,
    /// The file-name prefix (default `cape-declaration`).
    pub prefix: String,
}

impl Default for DeclarationParams {
    fn default() -> Self {
        DeclarationParams {
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
    /// The manifest as CSV: `file,importer,entries,first_entry,last_entry` (entries in dashed form).
    pub fn to_csv(&self) -> String {
        let mut s = String::from("file,importer,entries,first_entry,last_entry\n");
        for r in &self.files {
            let _ = writeln!(
                s,
                "{},{},{},{},{}",
                csv_cell(&r.file),
                csv_cell(r.importer.as_deref().unwrap_or("")),
                r.entries,
                r.first_entry,
                r.last_entry
            );
        }
        s
    }
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
    params: &DeclarationParams,
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
    params: &DeclarationParams,
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
        .map(|f| ManifestRow {
            file: f.name.clone(),
            importer: f.importer.clone(),
            entries: f.entries.len(),
            first_entry: f.entries[0],
            last_entry: f.entries[f.entries.len() - 1],
        })
        .collect();
    let total_entries = files.iter().map(|f| f.entries.len()).sum();
    Ok(DeclarationSet {
        files,
        manifest: Manifest { files: rows, total_entries, not_declarable: 0, duplicates_skipped },
    })
}

/// Writes a declaration set into `dir` (created if missing): every file plus [`MANIFEST_FILE`].
///
/// Existing files of the same names are replaced; other files in the directory are left alone. Returns the
/// paths written, manifest last.
///
/// # Errors
///
/// [`Error::Io`] when the directory cannot be created or a file cannot be written.
pub fn write_declarations(set: &DeclarationSet, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let mut written = Vec::new();
    for (name, contents) in set.contents() {
        let p = dir.join(name);
        std::fs::write(&p, contents).map_err(|e| Error::io(p.display().to_string(), e))?;
        written.push(p);
    }
    Ok(written)
}
