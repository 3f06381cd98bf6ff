//! *Mass Processing*: the dated Chapter 99 catalogue and the removal of IEEPA duty.
//!
//! CAPE's second component removes the dutiable IEEPA Chapter 99 ordinals from each accepted entry,
//! recalculates, and creates a new entry-summary version; the refund principal is the duty deposited on those
//! ordinals. This module holds:
//!
//! | item | what it is |
//! |---|---|
//! | [`Catalogue`] | the dated IEEPA catalogue (`chapter99_ieepa.csv`, embedded, replaceable, extensible) |
//! | [`OtherPrograms`] | the non-IEEPA Chapter 99 families (232, 301, 122, 201; `chapter99_other.csv`) |
//! | [`Classification`] | what each tariff ordinal is ([`Catalogue::classify`]) |
//! | [`remove_ieepa`] → [`Removal`] | duty before, refund principal, duty after, the new version, findings |
//! | [`Finding`] / [`FindingCode`] | what was noticed (CBP's later errors); never changes the refund |
//!
//! Conventions (reference §6 and §10): IEEPA is the catalogue's numbers, never a prefix guess; a number is
//! classified by number on any date, and use outside its window is a finding; the principal is the duty as
//! filed, except on Korea-style floor lines where the MFN duty put back is netted off; ad valorem checks round
//! the value to whole dollars and the duty to cents, both half up ([`VALUE_ROUNDING`], [`DUTY_ROUNDING`]).

pub mod catalogue;
pub mod classify;
pub mod finding;
pub mod other;
pub mod removal;

pub use catalogue::{Catalogue, CatalogueRow, Confidence, Countries, Lookup, Provenance, RowKind, RowOrigin};
pub use classify::Classification;
pub use finding::{Finding, FindingCode};
pub use other::{OtherProgram, OtherPrograms};
pub use removal::{
    ad_valorem_duty, remove_ieepa, FloorStyle, FloorTreatment, LineRemoval, OrdinalOutcome, Removal, DUTY_ROUNDING,
    MISMATCH_TOLERANCE_CENTS, VALUE_ROUNDING,
};
