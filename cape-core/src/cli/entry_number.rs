//! `cape entry-number check`.

use super::prelude::*;

pub(super) fn entry_number(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    match args.first().map(String::as_str) {
        Some("check") => {}
        Some(other) => return Err(CliError::Usage(format!("unknown entry-number command {other:?} (try `check`)"))),
        None => return Err(CliError::Usage("entry-number needs a command: check NUMBER...".into())),
    }
    let numbers = &args[1..];
    if numbers.is_empty() {
        return Err(CliError::Usage("entry-number check needs at least one NUMBER".into()));
    }
    let mut all_ok = true;
    for n in numbers {
        match EntryNumber::parse_reason(n) {
            Ok(e) => writeln!(out, "OK {e}")?,
            Err(why) => {
                all_ok = false;
                writeln!(out, "INVALID {n}: {why}")?;
            }
        }
    }
    Ok(if all_ok { EXIT_OK } else { EXIT_INVALID })
}
