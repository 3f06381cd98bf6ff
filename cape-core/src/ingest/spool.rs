//! Tables of text cells (a data frame, an Arrow table, rows from a database) written batch by batch into a
//! private temporary CSV file, then read by the same reader as any ES-003 file.
//!
//! The caller's rows are never all in memory at once: a data frame of a million rows is converted and
//! handed over a batch at a time, each batch is written out, and the reader streams the file as it streams
//! any other (both of its passes), in the memory the README states for files.

use std::io::{BufWriter, Write};
use std::sync::Arc;

use crate::ingest::source::Spool;
use crate::{Error, ErrorKind, Result};

/// A table of text cells being written to a temporary CSV file: [`RecordSpool::new`] with the header, any
/// number of [`RecordSpool::push_row`] / [`RecordSpool::push_columns`], then [`RecordSpool::finish`] for the
/// spool to read it from ([`crate::run::Source::Spool`], [`crate::Es003Reader::open_spool`]).
///
/// # Example
///
/// ```
/// use cape_core::ingest::spool::RecordSpool;
/// use cape_core::{Es003Options, Es003Reader};
/// let header = ["Entry Number", "Line Number", "Tariff Ordinal", "HTS Number - Full", "Line Tariff Duty Amount",
///               "Entry Date"];
/// let mut spool = RecordSpool::new(&header, "frame")?;
/// spool.push_row(["ABC-1234567-6", "1", "1", "9903.01.25", "10.00", "2025-04-15"])?;
/// let mut reader = Es003Reader::open_spool(spool.finish()?.into(), &Es003Options::default())?;
/// assert_eq!(reader.next().transpose()?.map(|e| e.number.to_string()), Some("ABC-1234567-6".into()));
/// # Ok::<(), cape_core::Error>(())
/// ```
pub struct RecordSpool {
    name: String,
    columns: usize,
    rows: u64,
    writer: csv::Writer<BufWriter<tempfile::NamedTempFile>>,
}

impl std::fmt::Debug for RecordSpool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordSpool")
            .field("name", &self.name)
            .field("columns", &self.columns)
            .field("rows", &self.rows)
            .finish()
    }
}

fn io_err(name: &str, e: std::io::Error) -> Error {
    Error::Io { path: format!("{name} (temporary copy)"), source: e }
}

fn csv_err(name: &str, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io_err(name, io),
        other => {
            Error::Io { path: format!("{name} (temporary copy)"), source: std::io::Error::other(format!("{other:?}")) }
        }
    }
}

impl RecordSpool {
    /// A new spool for a table with these column names; `name` names the source in diagnostics.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the temporary file cannot be created or written.
    pub fn new<H: AsRef<str>>(header: &[H], name: &str) -> Result<Self> {
        let file = tempfile::Builder::new().prefix("cape-records-").tempfile().map_err(|e| io_err(name, e))?;
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(BufWriter::with_capacity(1 << 16, file));
        writer.write_record(header.iter().map(|h| h.as_ref().as_bytes())).map_err(|e| csv_err(name, e))?;
        Ok(RecordSpool { name: name.to_owned(), columns: header.len(), rows: 0, writer })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes one row of text cells (a row with fewer or more cells than the header is written as it is and
    /// reported by the reader, as in a file).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when writing the temporary file fails (a full disk).
    pub fn push_row<C: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = C>) -> Result<()> {
        let cells: Vec<C> = cells.into_iter().collect();
        self.writer.write_record(cells.iter().map(|c| c.as_ref().as_bytes())).map_err(|e| csv_err(&self.name, e))?;
        self.rows += 1;
        Ok(())
    }

    /// Writes a batch of rows given as columns (a data frame's layout): one vector of cells per header column,
    /// all the same length.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] when the batch does not have one column per header name or its columns differ in
    /// length (nothing of the batch is written then); [`Error::Io`] as for [`RecordSpool::push_row`].
    pub fn push_columns<C: AsRef<str>>(&mut self, columns: &[Vec<C>]) -> Result<()> {
        let n = column_rows(&self.name, self.columns, columns)?;
        for i in 0..n {
            let row = columns.iter().map(|c| c[i].as_ref().as_bytes());
            self.writer.write_record(row).map_err(|e| csv_err(&self.name, e))?;
        }
        self.rows += n as u64;
        Ok(())
    }

    /// Ends writing: the file is flushed and synced, ready to be read.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when flushing fails.
    pub fn finish(self) -> Result<Arc<Spool>> {
        let name = self.name;
        let buf = self.writer.into_inner().map_err(|e| io_err(&name, std::io::Error::other(e.to_string())))?;
        let mut file = buf.into_inner().map_err(|e| io_err(&name, e.into_error()))?;
        file.flush().map_err(|e| io_err(&name, e))?;
        let len = file.as_file().metadata().map_err(|e| io_err(&name, e))?.len();
        Ok(Arc::new(Spool::from_written(file, len)))
    }
}

/// The row count of a table given as columns (one per header name, all the same length).
///
/// # Errors
///
/// [`Error::Value`] naming `name` when there is not one column per header name, or the columns differ in length.
pub(crate) fn column_rows<C>(name: &str, header_len: usize, columns: &[Vec<C>]) -> Result<usize> {
    if columns.len() != header_len {
        return Err(Error::value(
            ErrorKind::InvalidValue,
            "columns",
            &format!("{} columns", columns.len()),
            format!("{name}: one column of cells per header name ({header_len})"),
        ));
    }
    let n = columns.first().map_or(0, Vec::len);
    if let Some((i, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
        return Err(Error::value(
            ErrorKind::InvalidValue,
            "columns",
            &format!("column {} has {} cells", i + 1, c.len()),
            format!("{name}: every column must have as many cells as the first ({n})"),
        ));
    }
    Ok(n)
}
