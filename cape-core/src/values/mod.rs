//! Value types: identifiers, money and dates. Parse, don't validate: holding one means it is valid.

pub mod codes;
pub mod date;
pub mod entry_number;
pub mod hts;
pub mod ids;
pub(crate) mod json;
pub mod money;
pub mod provenance;
pub mod serial;
pub(crate) mod text;
