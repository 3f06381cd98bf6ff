//! A deterministic generator of realistic synthetic ES-003 data, and the embedded sample.
