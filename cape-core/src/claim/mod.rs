//! *Claim Portal*: which entries CAPE would accept, the declaration files, their pre-flight check, and CAPE's
//! results.
//!
//! | module | what it holds |
//! |---|---|
//! | [`action`] | [`next_action`]: what to do about each entry, by when, from its claim (rules as data) |
//! | [`plan`] | [`Plan`]: the actions due, grouped by importer or week, soonest first |
//! | [`rules`] | versioned rule sets (Phase 1, Phase 2, loadable later phases) as data |
//! | [`eligibility`] | [`assess_claim`]: status and every reason for one entry as of a date |
//! | [`declaration`] | CAPE declaration CSVs in CAPE's template, split at 9,999 entries, with a manifest |
//! | [`preflight`] | the checks CAPE runs on an uploaded declaration, file- and entry-level |
//! | [`results`] | the ACE claim-details results file, CAPE's error texts, reconciliation with declarations |
//!
//! Sources: CSMS 68315804, 68340863, 69035485, 69056483 (see CAPE.md §1–§3, §10).

pub mod action;
pub mod declaration;
pub mod eligibility;
pub mod plan;
pub mod preflight;
pub mod results;
pub mod rules;

pub use action::{
    next_action, ActionCode, ActionOptions, ActionRule, ActionRules, CourtAccrual, DeadlineRule, LaterPhase,
    NextAction, EMBEDDED_ACTIONS_JSON,
};
pub use declaration::{
    build_declarations, build_declarations_from, read_manifest, sanitize_importer, sha256_hex, write_declarations,
    write_declarations_with, DeclarationFile, DeclarationOptions, DeclarationParams, DeclarationSet, Manifest,
    ManifestListing, ManifestRow, WriteOptions, DECLARATION_HEADER, LOCK_FILE, MANIFEST_FILE, MANIFEST_HEADER,
    MAX_ENTRIES_PER_DECLARATION, MAX_MANIFEST_BYTES,
};
pub use eligibility::{
    assess_claim, ClaimAssessment, ClaimInputs, ClaimOptions, ClaimParams, ClaimStatus, Effect, Reason, ReasonCode,
};
pub use plan::{week_monday, Plan, PlanGroup, PlanGrouping, PlanItem, PlanOptions};
pub use preflight::{
    preflight_bytes, preflight_path, EntryOutcome, EntryVerdict, FindingLevel, ListedEntry, PreflightCode,
    PreflightFinding, PreflightOptions, PreflightReport, Verdict,
};
pub use results::{
    declared_in_dir, read_results_bytes, read_results_bytes_with, read_results_path, read_results_path_with, reconcile,
    CapeError, CapeErrorKind, CapeResults, Reconciliation, ResultColumnSpec, ResultRow, ResultStatus, ResultsOptions,
    ResultsProblem, ResultsSummary, MAX_RESULTS_ROWS, RESULT_COLUMNS, RESULT_COLUMN_SPECS,
};
pub use rules::{Check, DeferredCategories, EntryTypeExclusion, ReconHandling, RuleChoice, RuleSet, RuleSets};

/// CBP's own message texts, as ACE returns them (CSMS 68340863, CAPE.md §2–§3).
pub mod cbp {
    /// Eligibility check 2.
    pub const FLAGGED_FOR_RECON: &str = "ENTRY SUMMARY FLAGGED FOR RECON";
    /// Eligibility check 4.
    pub const ENTRY_ON_DRAWBACK: &str = "ENTRY ON DRAWBACK";
    /// Eligibility check 7.
    pub const PROTEST_ON_ENTRY: &str = "PROTEST ON ENTRY";
    /// Eligibility check 8.
    pub const SUMMARY_CANCELLED_REJECTED: &str = "ENTRY SUMMARY IS CANCELLED/REJECTED";
    /// Eligibility check 10.
    pub const FINAL_LIQUIDATION: &str = "ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS";
    /// File-level: not a CSV.
    pub const NOT_A_CSV_FILE: &str = "Not a CSV file";
    /// File-level: format validation failed.
    pub const FAILED_INITIAL_VALIDATION: &str = "Failed initial validation";
    /// File-level: batch validation failed.
    pub const REJECTED_BY_BATCH_VALIDATION: &str = "Rejected by batch validation";
}
