//! Reading ACE exports: the ES-003 report (CSV or XLSX).
//!
//! Every input row is either used or reported as a [`Diagnostic`](crate::Diagnostic); the
//! [`IngestSummary`](es003::IngestSummary) states rows read = rows used + rows rejected.

pub mod ahead;
pub mod columns;
pub mod es003;
pub(crate) mod records;
pub mod source;
pub mod workbook;
