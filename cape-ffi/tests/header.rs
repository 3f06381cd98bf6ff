//! The checked-in `include/cape.h` is exactly what the pinned cbindgen generates from this crate.
//!
//! Run with `CAPE_BLESS_HEADER=1` (`make header`) to rewrite the header instead of comparing.

use std::path::{Path, PathBuf};

fn version_macros() -> String {
    let (major, minor, patch): (u32, u32, u32) = (
        env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap(),
        env!("CARGO_PKG_VERSION_MINOR").parse().unwrap(),
        env!("CARGO_PKG_VERSION_PATCH").parse().unwrap(),
    );
    format!(
        "\n/* The version of this header; compare with cape_version() at run time. */\n\
         #define CAPE_VERSION_MAJOR {major}\n\
         #define CAPE_VERSION_MINOR {minor}\n\
         #define CAPE_VERSION_PATCH {patch}\n\
         /* major * 10000 + minor * 100 + patch */\n\
         #define CAPE_VERSION_NUMBER {number}\n\
         #define CAPE_VERSION_STRING \"{version}\"\n",
        number = major * 10000 + minor * 100 + patch,
        version = env!("CARGO_PKG_VERSION"),
    )
}

fn generate() -> String {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("UTF-8 header")
}

fn header_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/cape.h")
}

#[test]
fn header_is_up_to_date() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os("CAPE_BLESS_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write include/cape.h");
        eprintln!("wrote {}", path.display());
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "include/cape.h is out of date with cape-ffi; run `make header` and commit the result"
    );
}
