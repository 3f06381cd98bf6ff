//! Reading ACE exports: the ES-003 report (CSV or XLSX).
//!
//! Every input row is either used or reported as a [`Diagnostic`](crate::Diagnostic); the
//! [`IngestSummary`](es003::IngestSummary) states rows read = rows used + rows rejected.

pub mod ahead;
mod assemble;
pub mod builder;
mod cells;
pub mod columns;
pub mod es003;
mod header;
mod reader;
mod records;
mod sniff;
pub mod source;
mod split;
pub mod spool;
pub mod workbook;
