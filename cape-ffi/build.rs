//! Gives the shared library a deliberate SONAME (`libcape.so.<major>`), so that programs linked against it
//! keep working across compatible upgrades and refuse an incompatible one. Only the cdylib is affected.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "freebsd" || os == "netbsd" || os == "openbsd" {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcape.so.{major}");
    }
}
