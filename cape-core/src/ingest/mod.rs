//! Reading ACE exports: the ES-003 report (CSV or XLSX).
//!
//! Every input row is either used or reported as a [`Diagnostic`](crate::Diagnostic); the
//! [`IngestSummary`](es003::IngestSummary) states rows read = rows used + rows rejected.
//!
//! | file | what it holds |
//! |---|---|
//! | [`es003`] | the public types of a read (options, summary, report), [`read_es003_path`](es003::read_es003_path) |
//! | `reader` | the streaming [`Es003Reader`](es003::Es003Reader): its constructors, each row's required cells |
//! | `sniff` | where rows come from (path, buffer, records); workbook or CSV, delimiter, encoding |
//! | `header` | the column map of a report's header, and its diagnostics |
//! | `cells` | a cell's bytes to a typed fact; the echo of a cell in a diagnostic |
//! | `assemble` | rows grouped into entries → lines → tariff ordinals; conflicts and duplicates |
//! | `split` | the two-pass plan: entries whose rows are not contiguous; the cut of a file in two |
//! | [`source`], `records`, [`workbook`] | encodings and standard input; the CSV record splitter; streaming XLSX |
//! | [`columns`] | the ES-003 columns cape reads and their header names |
//! | [`builder`] | entries built field by field, read through the same reader |
//! | [`spool`] | tables of text cells spooled to a temporary CSV in batches, then read as a file |
//! | [`ahead`] | reading ahead on a second thread |

pub mod ahead;
mod assemble;
pub mod builder;
mod cells;
pub mod columns;
pub mod es003;
mod header;
mod reader;
pub(crate) mod records;
pub(crate) mod sniff;
pub mod source;
mod split;
pub mod spool;
pub mod workbook;
