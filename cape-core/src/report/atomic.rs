//! Atomic file writing: a file appears under its final name complete, synced to disk, or not at all.
//!
//! [`AtomicFile::create`] creates a temporary file beside the destination, exclusively (`create_new`: it never
//! opens, follows or reuses an existing path, a symbolic link included). The caller writes into it;
//! [`AtomicFile::commit`] flushes it, syncs it to disk, renames it over the destination (a rename replaces a
//! symbolic link at the final name rather than writing through it) and syncs the folder, so that the rename
//! itself survives a power cut. Until it is committed, dropping an [`AtomicFile`] (an error, a cancelled run)
//! removes the temporary file: no partial file is ever left under the final name, and no temporary file is left
//! behind unless the process is killed outright.
//!
//! Temporary names are `.<final name>.<process id>-<n>.cape-tmp` ([`TEMP_SUFFIX`], [`is_temp_name`]), hidden
//! and recognisable, so a leftover from a killed process can be found and removed.
//!
//! ```
//! use std::io::Write;
//! use cape_core::report::AtomicFile;
//! # let dir = std::env::temp_dir().join(format!("cape-atomic-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let mut f = AtomicFile::create(dir.join("out.csv"))?;
//! f.write_all(b"Entry Number\n").map_err(|e| cape_core::Error::Io { path: "out.csv".into(), source: e })?;
//! let path = f.commit()?;
//! assert_eq!(std::fs::read(&path)?, b"Entry Number\n");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The suffix of every temporary file cape writes.
pub const TEMP_SUFFIX: &str = ".cape-tmp";

/// How many temporary names [`AtomicFile::create`] tries (each created exclusively) before it gives up.
pub const MAX_TEMP_ATTEMPTS: u32 = 64;

/// True when `name` is the name of one of cape's temporary files (`.<name>.<pid>-<n>.cape-tmp`).
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.len() > 1 + TEMP_SUFFIX.len() && name.ends_with(TEMP_SUFFIX)
}

/// A file being written under a temporary name, renamed over its destination by [`AtomicFile::commit`].
///
/// Writes are buffered. Dropping it before `commit` removes the temporary file.
#[derive(Debug)]
pub struct AtomicFile {
    /// The open temporary file; `None` once synced and closed.
    file: Option<BufWriter<File>>,
    temp: PathBuf,
    dest: PathBuf,
    /// True while the temporary file exists and belongs to this value.
    armed: bool,
}

impl AtomicFile {
    /// Creates a new temporary file in `dest`'s folder, to become `dest` on [`AtomicFile::commit`].
    ///
    /// # Errors
    ///
    /// [`Error::UnsafeOutput`] when `dest` has no file name; [`Error::Io`] when the temporary file cannot be
    /// created (the folder is missing or read-only, or [`MAX_TEMP_ATTEMPTS`] names were all taken).
    pub fn create(dest: impl AsRef<Path>) -> Result<AtomicFile> {
        let dest = dest.as_ref();
        let Some(name) = dest.file_name() else {
            return Err(Error::UnsafeOutput {
                path: dest.display().to_string(),
                message: "not a file name to write to".to_owned(),
            });
        };
        let dir = parent_of(dest);
        let pid = std::process::id();
        let mut last = None;
        for n in 0..MAX_TEMP_ATTEMPTS {
            let mut temp_name = std::ffi::OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".{pid}-{n}{TEMP_SUFFIX}"));
            let temp = dir.join(temp_name);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    return Ok(AtomicFile {
                        file: Some(BufWriter::new(file)),
                        temp,
                        dest: dest.to_path_buf(),
                        armed: true,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                // Name what the caller asked for (its folder is missing or not writable), not the temporary name.
                Err(e) => return Err(Error::io(dest.display().to_string(), e)),
            }
        }
        let e = last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists));
        Err(Error::io(format!("{} (no free temporary name after {MAX_TEMP_ATTEMPTS} tries)", dest.display()), e))
    }

    /// The destination: the final name.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// The temporary file's path (removed on drop unless committed).
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Flushes and syncs the temporary file to disk, then closes it; further writes fail. [`AtomicFile::commit`]
    /// does this itself; call it to have every file of a set on disk before the first is renamed.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when flushing or syncing fails (a full disk, an I/O error).
    pub fn sync(&mut self) -> Result<()> {
        if let Some(w) = self.file.take() {
            let file = w.into_inner().map_err(|e| self.err(e.into_error()))?;
            file.sync_all().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Syncs the file, renames it over the destination and syncs the folder. Returns the destination.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when syncing or renaming fails; the temporary file is removed and the destination is as it
    /// was.
    pub fn commit(mut self) -> Result<PathBuf> {
        let dest = self.rename_into_place()?;
        sync_dir(parent_of(&dest))?;
        Ok(dest)
    }

    /// [`AtomicFile::commit`] without syncing the folder (the caller syncs it once after several renames).
    pub(crate) fn rename_into_place(&mut self) -> Result<PathBuf> {
        self.sync()?;
        std::fs::rename(&self.temp, &self.dest).map_err(|e| Error::io(self.dest.display().to_string(), e))?;
        self.armed = false;
        Ok(self.dest.clone())
    }

    fn err(&self, e: io::Error) -> Error {
        Error::io(self.temp.display().to_string(), e)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("write after sync")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.armed {
            // Close the handle first (Windows cannot remove an open file); errors here have nowhere to go.
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `dest` atomically (see the module documentation). Returns `dest`.
///
/// # Errors
///
/// As [`AtomicFile::create`] and [`AtomicFile::commit`]; on error `dest` is as it was.
pub fn write_atomic(dest: impl AsRef<Path>, bytes: &[u8]) -> Result<PathBuf> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(bytes).map_err(|e| f.err(e))?;
    f.commit()
}

/// Syncs a folder's entries (renames, removals) to disk. A no-op where the platform cannot open a folder as a
/// file, and where the file system does not support syncing one.
///
/// # Errors
///
/// [`Error::Io`] when the folder cannot be opened or syncing it fails.
pub fn sync_dir(dir: impl AsRef<Path>) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = dir.as_ref();
        let f = File::open(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        match f.sync_all() {
            Ok(()) => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported) => {}
            Err(e) => return Err(Error::io(dir.display().to_string(), e)),
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The folder a path is in (`.` for a bare file name).
fn parent_of(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cape-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_and_leaves_no_temp() {
        let d = tmp("commit");
        std::fs::write(d.join("a.csv"), "old").unwrap();
        write_atomic(d.join("a.csv"), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(d.join("a.csv")).unwrap(), "new");
        assert_eq!(names(&d), ["a.csv"]);
    }

    #[test]
    fn drop_removes_temp_and_keeps_destination() {
        let d = tmp("drop");
        std::fs::write(d.join("a.csv"), "old").unwrap();
        let mut f = AtomicFile::create(d.join("a.csv")).unwrap();
        f.write_all(b"half").unwrap();
        assert!(is_temp_name(&f.temp_path().file_name().unwrap().to_string_lossy()));
        assert_eq!(names(&d).len(), 2);
        drop(f);
        assert_eq!(names(&d), ["a.csv"]);
        assert_eq!(std::fs::read_to_string(d.join("a.csv")).unwrap(), "old");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_replaced_never_followed() {
        let d = tmp("symlink");
        let victim = d.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let out = d.join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join("a.csv")).unwrap();
        // A symlink planted at the first temporary name is skipped, not written through.
        let first_temp = out.join(format!(".a.csv.{}-0{TEMP_SUFFIX}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &first_temp).unwrap();
        write_atomic(out.join("a.csv"), b"mine").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(out.join("a.csv")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "mine");
        std::fs::remove_file(first_temp).unwrap();
        assert_eq!(names(&out), ["a.csv"]);
    }

    #[test]
    fn failed_rename_removes_temp() {
        let d = tmp("rename");
        // A non-empty folder at the final name: the rename fails, the folder stays, no temp is left.
        std::fs::create_dir_all(d.join("a.csv").join("inside")).unwrap();
        let e = write_atomic(d.join("a.csv"), b"x").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Io);
        assert_eq!(names(&d), ["a.csv"]);
        assert!(d.join("a.csv").join("inside").is_dir());
    }

    #[test]
    fn temp_names() {
        assert!(is_temp_name(".a.csv.12-0.cape-tmp"));
        assert!(!is_temp_name("a.csv"));
        assert!(!is_temp_name(".cape-tmp"));
    }
}
