//! Benchmarks for cape live in `benches/benches/`; run them with `cargo bench -p cape-benches`.
