//! The fuzz targets' checks, shared with `cape-core/tests/fuzz_corpus.rs` (which replays the committed corpus
//! under plain `cargo test`).
pub mod checks;
