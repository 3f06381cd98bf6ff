//! Declaration folders are always safe (issue 13): never stale, never cut, never written outside the folder,
//! one run at a time; `cape check` detects a file that does not match the manifest beside it.

use std::fs::File;
use std::path::{Path, PathBuf};

use cape_core::claim::{
    build_declarations_from, preflight_path, write_declarations, write_declarations_with, DeclarationOptions,
    DeclarationSet, PreflightCode, PreflightOptions, Verdict, WriteOptions, LOCK_FILE, MANIFEST_FILE,
};
use cape_core::{EntryNumber, Error, ErrorKind};

fn n(i: u32) -> EntryNumber {
    EntryNumber::from_parts("B76", i).unwrap()
}

/// `count` entries, `per_file` a file.
fn set(count: u32, per_file: usize) -> DeclarationSet {
    let items: Vec<_> = (0..count).map(|i| (n(i), None)).collect();
    build_declarations_from(items, &{
        let mut o = DeclarationOptions::default();
        o.max_entries_per_file = per_file;
        o
    })
    .unwrap()
}

fn fresh(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cape-outsafe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The names in `dir`, sorted, without the lock file.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != LOCK_FILE)
        .collect();
    v.sort();
    v
}

/// The files the manifest in `dir` lists, plus the manifest, sorted.
fn manifest_names(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap();
    let mut v: Vec<String> = text.lines().skip(1).map(|l| l.split(',').next().unwrap().to_owned()).collect();
    v.push(MANIFEST_FILE.to_owned());
    v.sort();
    v
}

#[test]
fn a_second_run_with_fewer_files_is_refused_then_replaces_everything() {
    let dir = fresh("stale").join("out");
    write_declarations(&set(12, 1), &dir).unwrap();
    assert_eq!(names(&dir).len(), 13);
    // Today's code left 002..012 beside a manifest listing 001 only; now a non-empty folder is refused...
    let small = set(1, 1);
    let e = write_declarations(&small, &dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutputNotEmpty);
    let Error::OutputNotEmpty { found, message, .. } = &e else { panic!("{e:?}") };
    assert_eq!(found.len(), 13);
    assert!(message.contains("13 item(s): cape-declaration-001.csv"), "{message}");
    assert!(message.contains("and 3 more"), "{message}");
    assert!(message.contains("--replace"), "{message}");
    assert!(e.to_string().starts_with(&dir.display().to_string()), "{e}");
    assert_eq!(names(&dir).len(), 13, "refused: untouched");
    // ...and with replace the folder holds exactly what the new manifest lists.
    let written = write_declarations_with(&small, &dir, &WriteOptions::replace(true)).unwrap();
    assert_eq!(names(&dir), ["cape-declaration-001.csv", MANIFEST_FILE]);
    assert_eq!(names(&dir), manifest_names(&dir));
    assert_eq!(written, [dir.join("cape-declaration-001.csv"), dir.join(MANIFEST_FILE)]);
    assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), format!("Entry Number\n{}\n", n(0).compact()));
}

#[test]
fn replace_never_touches_files_that_are_not_capes() {
    let dir = fresh("foreign");
    write_declarations(&set(3, 1), &dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir(dir.join("cape-declaration-009.csv")).unwrap();
    let e = write_declarations_with(&set(1, 1), &dir, &WriteOptions::replace(true)).unwrap_err();
    let Error::OutputNotEmpty { found, message, .. } = &e else { panic!("{e:?}") };
    assert_eq!(found, &["cape-declaration-009.csv", "notes.txt"]);
    assert!(message.contains("only its own"), "{message}");
    assert_eq!(names(&dir).len(), 6, "nothing removed");
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn leftover_temporary_files_are_cape_s_and_replaced() {
    let dir = fresh("leftover");
    // What a killed run leaves: a temporary file and no manifest.
    std::fs::write(dir.join(".cape-declaration-001.csv.999-0.cape-tmp"), "Entry Number\nB7600").unwrap();
    assert_eq!(write_declarations(&set(2, 1), &dir).unwrap_err().kind(), ErrorKind::OutputNotEmpty);
    write_declarations_with(&set(2, 1), &dir, &WriteOptions::replace(true)).unwrap();
    assert_eq!(names(&dir), manifest_names(&dir));
}

#[cfg(unix)]
#[test]
fn a_symlinked_declaration_file_is_replaced_and_its_target_untouched() {
    let root = fresh("symlink-file");
    let victim = root.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let dir = root.join("out");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink("../victim.txt", dir.join("cape-declaration-001.csv")).unwrap();
    std::os::unix::fs::symlink("../victim.txt", dir.join(MANIFEST_FILE)).unwrap();
    // Refused without replace (the folder is not empty)...
    assert_eq!(write_declarations(&set(2, 1), &dir).unwrap_err().kind(), ErrorKind::OutputNotEmpty);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    // ...and with replace the links are replaced by files; the file outside is never written.
    write_declarations_with(&set(2, 1), &dir, &WriteOptions::replace(true)).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    for name in ["cape-declaration-001.csv", MANIFEST_FILE] {
        assert!(std::fs::symlink_metadata(dir.join(name)).unwrap().is_file(), "{name}");
    }
    assert_eq!(names(&dir), manifest_names(&dir));
}

#[cfg(unix)]
#[test]
fn a_symlinked_out_dir_is_refused() {
    let root = fresh("symlink-dir");
    let elsewhere = root.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let link = root.join("out");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let e = write_declarations_with(&set(2, 1), &link, &WriteOptions::replace(true)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsafeOutput);
    assert!(e.to_string().contains("symbolic link"), "{e}");
    assert!(names(&elsewhere).is_empty());
    // A file where the folder should be is refused too.
    std::fs::write(root.join("file"), "x").unwrap();
    assert_eq!(write_declarations(&set(2, 1), root.join("file")).unwrap_err().kind(), ErrorKind::UnsafeOutput);
    // So is a planted symlink at the lock file's name.
    let dir = root.join("locklink");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink("../file", dir.join(LOCK_FILE)).unwrap();
    assert_eq!(write_declarations(&set(2, 1), &dir).unwrap_err().kind(), ErrorKind::UnsafeOutput);
    assert_eq!(std::fs::read_to_string(root.join("file")).unwrap(), "x");
}

#[test]
fn a_second_run_fails_fast_while_the_folder_is_locked() {
    let dir = fresh("locked");
    // Another run holds the lock (a second open of the lock file, as another process would).
    let other = File::create(dir.join(LOCK_FILE)).unwrap();
    other.lock().unwrap();
    let started = std::time::Instant::now();
    let e = std::thread::spawn({
        let dir = dir.clone();
        move || write_declarations(&set(2, 1), &dir).unwrap_err()
    })
    .join()
    .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "fails fast, does not wait");
    assert_eq!(e.kind(), ErrorKind::OutputLocked);
    assert!(e.to_string().contains("another cape run"), "{e}");
    assert!(names(&dir).is_empty(), "nothing written");
    other.unlock().unwrap();
    write_declarations(&set(2, 1), &dir).unwrap();
    assert_eq!(names(&dir), manifest_names(&dir));
}

#[test]
fn concurrent_runs_never_interleave() {
    let dir = fresh("concurrent");
    // Eight runs at once with replace: each either wins the lock or fails with OutputLocked, and the folder
    // always ends as exactly one run's set.
    let handles: Vec<_> = (1..=8u32)
        .map(|k| {
            let dir = dir.clone();
            std::thread::spawn(move || write_declarations_with(&set(k * 50, 40), &dir, &WriteOptions::replace(true)))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(results.iter().any(Result::is_ok));
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.kind(), ErrorKind::OutputLocked, "{e}");
        }
    }
    assert_eq!(names(&dir), manifest_names(&dir));
    for name in names(&dir).iter().filter(|n| *n != MANIFEST_FILE) {
        let r = preflight_path(dir.join(name), &PreflightOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::Accept, "{name}: {:?}", r.findings);
    }
}

#[test]
fn check_detects_a_cut_an_edited_and_a_stale_file_through_the_manifest() {
    let dir = fresh("check");
    write_declarations(&set(30, 10), &dir).unwrap();
    let check = |name: &str| preflight_path(dir.join(name), &PreflightOptions::default()).unwrap();
    assert_eq!(check("cape-declaration-001.csv").verdict, Verdict::Accept);

    // Cut on a line boundary, as a full disk left it: CAPE's own checks pass, the manifest does not.
    let p = dir.join("cape-declaration-002.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let cut: String = text.lines().take(6).map(|l| format!("{l}\n")).collect();
    std::fs::write(&p, &cut).unwrap();
    assert_eq!(
        cape_core::claim::preflight_bytes(cut.as_bytes(), &PreflightOptions::default()).verdict,
        Verdict::Accept
    );
    let r = check("cape-declaration-002.csv");
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert_eq!(r.verdict.exit_code(), 1);
    let f = r.with_code(PreflightCode::ManifestMismatch).next().unwrap();
    assert!(f.message.contains("with 10 entries"), "{}", f.message);
    assert!(f.message.contains("the file has 5 entry rows"), "{}", f.message);

    // Edited: same count, one entry swapped.
    let p = dir.join("cape-declaration-003.csv");
    let text = std::fs::read_to_string(&p).unwrap().replace(n(29).compact(), n(99).compact());
    std::fs::write(&p, text).unwrap();
    let r = check("cape-declaration-003.csv");
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert!(r.with_code(PreflightCode::ManifestMismatch).next().unwrap().message.contains("SHA-256"));

    // Stale: a file the manifest does not list.
    std::fs::copy(dir.join("cape-declaration-001.csv"), dir.join("cape-declaration-004.csv")).unwrap();
    let r = check("cape-declaration-004.csv");
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert!(r.with_code(PreflightCode::NotInManifest).next().is_some(), "{:?}", r.findings);

    // A manifest.csv that is not cape's: a warning, the file checked as if alone.
    let other = fresh("check-other");
    std::fs::write(other.join(MANIFEST_FILE), "a,b\n1,2\n").unwrap();
    std::fs::copy(dir.join("cape-declaration-001.csv"), other.join("x.csv")).unwrap();
    let r = preflight_path(other.join("x.csv"), &PreflightOptions::default()).unwrap();
    assert_eq!(r.verdict, Verdict::Accept);
    assert!(r.with_code(PreflightCode::ManifestUnreadable).next().is_some());

    // Without a manifest, as before.
    std::fs::remove_file(dir.join(MANIFEST_FILE)).unwrap();
    assert_eq!(check("cape-declaration-002.csv").verdict, Verdict::Accept);
}

/// The child half of [`a_write_failure_after_some_files_leaves_the_folder_as_it_was`]: runs only when the parent
/// starts it (under a file-size limit), writing a set whose second file exceeds the limit.
#[test]
fn child_write_under_file_size_limit() {
    let Ok(dir) = std::env::var("CAPE_TEST_FSIZE_DIR") else { return };
    let e = write_declarations_with(&mixed_set(), Path::new(&dir), &WriteOptions::replace(true)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    println!("CHILD-FAILED-AS-EXPECTED: {e}");
}

/// One small file (importer A: 2 entries, ~36 bytes) then one large (importer B: 2,000 entries, ~24 KB).
fn mixed_set() -> DeclarationSet {
    let mut items: Vec<_> = (0..2).map(|i| (n(i), Some("A".to_owned()))).collect();
    items.extend((10..2010).map(|i| (n(i), Some("B".to_owned()))));
    build_declarations_from(items, &{
        let mut o = DeclarationOptions::default();
        o.per_importer = true;
        o
    })
    .unwrap()
}

/// A write that fails after some files were written leaves no file of the run and the earlier set intact.
///
/// Running as root makes a read-only folder meaningless, so the failure is injected as a full disk would give
/// it: the child process runs with `ulimit -f` (RLIMIT_FSIZE, honoured by root too) of a few KB and SIGXFSZ
/// ignored, so writing the second (large) file fails with EFBIG after the first was written and synced.
#[cfg(target_os = "linux")]
#[test]
fn a_write_failure_after_some_files_leaves_the_folder_as_it_was() {
    let dir = fresh("fsize");
    write_declarations(&set(3, 1), &dir).unwrap();
    let before: Vec<(String, Vec<u8>)> =
        names(&dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap())).collect();
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 16 || exit 3; exec \"$0\" --exact child_write_under_file_size_limit --nocapture --test-threads 1")
        .arg(&exe)
        .env("CAPE_TEST_FSIZE_DIR", &dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("CHILD-FAILED-AS-EXPECTED"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("File too large") || stdout.contains("too large"), "{stdout}");
    // The earlier set is intact, byte for byte; no temporary file is left.
    let after: Vec<(String, Vec<u8>)> =
        names(&dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap())).collect();
    assert_eq!(after, before);
}

/// Ctrl-C after the files are staged but before they are placed: nothing of the run is left, and an earlier
/// run's files (with --replace) stay exactly as they were.
#[test]
fn a_cancel_before_placing_leaves_no_file_of_the_run() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let dir = fresh("cancel").join("out");
    let stop = Arc::new(AtomicBool::new(true));
    let e = write_declarations_with(&set(5, 2), &dir, &WriteOptions::default().with_cancel(Some(stop.clone())))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));

    write_declarations(&set(3, 1), &dir).unwrap();
    let before = names(&dir);
    let e =
        write_declarations_with(&set(5, 2), &dir, &WriteOptions::replace(true).with_cancel(Some(stop))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert_eq!(names(&dir), before);
    assert_eq!(manifest_names(&dir), before);
}

#[test]
fn a_file_in_a_missing_folder_is_refused_naming_the_file_asked_for() {
    let dir = fresh("missing-folder");
    let dest = dir.join("no-such-folder").join("statement.html");
    let e = cape_core::report::write_atomic(&dest, b"<!DOCTYPE html>").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    let text = e.to_string();
    assert!(text.starts_with(&dest.display().to_string()), "{text}");
    assert!(!text.contains(".cape-tmp"), "the temporary name is cape's business, not the caller's: {text}");
}
