//! The version macros of the checked-in header agree with Cargo and with `cape_version()`.

use std::ffi::CStr;

fn define(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    header
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} not defined in include/cape.h"))
        .trim()
        .to_owned()
}

#[test]
fn header_version_macros_match_the_library() {
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../include/cape.h")).unwrap();
    let major: u32 = define(&header, "CAPE_VERSION_MAJOR").parse().unwrap();
    let minor: u32 = define(&header, "CAPE_VERSION_MINOR").parse().unwrap();
    let patch: u32 = define(&header, "CAPE_VERSION_PATCH").parse().unwrap();
    let number: u32 = define(&header, "CAPE_VERSION_NUMBER").parse().unwrap();
    let string = define(&header, "CAPE_VERSION_STRING");

    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(format!("{major}.{minor}.{patch}"), version);
    assert_eq!(number, major * 10000 + minor * 100 + patch);
    assert_eq!(string, format!("\"{version}\""));
    // SAFETY: cape_version returns a static NUL-terminated string.
    let runtime = unsafe { CStr::from_ptr(cape::cape_version()) }.to_str().unwrap();
    assert_eq!(runtime, version);
    assert_eq!(runtime, cape_core::VERSION);
    assert_eq!(cape::cape_version_number(), number);
}
