//! Small helpers for the cell formats of ACE exports.

/// Strips surrounding whitespace and Excel's `="…"` text wrapper (also a bare `"…"`).
#[inline]
pub(crate) fn unwrap_excel(s: &[u8]) -> &[u8] {
    match (s.first(), s.last()) {
        // The usual cell: nothing to strip (no whitespace at either end, no wrapper at the start).
        (Some(&first), Some(&last)) if first > b' ' && last > b' ' && first != b'=' && first != b'"' => s,
        (None, _) => s,
        _ => unwrap_excel_slow(s),
    }
}

fn unwrap_excel_slow(s: &[u8]) -> &[u8] {
    let s = s.trim_ascii();
    let s = if s.len() >= 3 && s[0] == b'=' && s[1] == b'"' && s[s.len() - 1] == b'"' {
        &s[2..s.len() - 1]
    } else if s.len() >= 2 && s[0] == b'"' && s[s.len() - 1] == b'"' {
        &s[1..s.len() - 1]
    } else {
        s
    };
    s.trim_ascii()
}

/// [`unwrap_excel`] on a `&str`.
pub(crate) fn unwrap_excel_str(s: &str) -> &str {
    // Only ASCII bytes are trimmed, so the slice stays on char boundaries.
    std::str::from_utf8(unwrap_excel(s.as_bytes())).unwrap_or("")
}

/// The error values Excel shows in a cell whose formula failed (`#DIV/0!`, `#N/A`...), plus `#DATA!`
/// (calamine's text for a cell still getting data). Such a cell is an unreadable value, never a blank
/// (CAPE.md §5).
pub(crate) const EXCEL_ERRORS: [&str; 8] =
    ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#DATA!"];

/// True when a cell (after [`unwrap_excel`]) is one of [`EXCEL_ERRORS`] (case-insensitive).
#[inline]
pub(crate) fn is_excel_error(raw: &[u8]) -> bool {
    let s = unwrap_excel(raw);
    s.first() == Some(&b'#') && EXCEL_ERRORS.iter().any(|e| s.eq_ignore_ascii_case(e.as_bytes()))
}

/// Reads a yes/no indicator: Y/N, Yes/No, True/False, 1/0, X (checked). `None` when unreadable.
pub(crate) fn parse_indicator(s: &str) -> Option<bool> {
    let s = unwrap_excel_str(s);
    if s.eq_ignore_ascii_case("y")
        || s.eq_ignore_ascii_case("yes")
        || s.eq_ignore_ascii_case("true")
        || s == "1"
        || s.eq_ignore_ascii_case("x")
    {
        Some(true)
    } else if s.eq_ignore_ascii_case("n") || s.eq_ignore_ascii_case("no") || s.eq_ignore_ascii_case("false") || s == "0"
    {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_wrappers() {
        assert_eq!(unwrap_excel(b" =\"0123\" "), b"0123");
        assert_eq!(unwrap_excel(b"\"abc\""), b"abc");
        assert_eq!(unwrap_excel(b"=\""), b"=\"");
        assert_eq!(unwrap_excel_str("  x "), "x");
    }

    #[test]
    fn indicators() {
        for t in ["Y", "yes", "TRUE", "1", "x"] {
            assert_eq!(parse_indicator(t), Some(true), "{t}");
        }
        for f in ["n", "No", "false", "0"] {
            assert_eq!(parse_indicator(f), Some(false), "{f}");
        }
        assert_eq!(parse_indicator("maybe"), None);
        assert_eq!(parse_indicator(""), None);
    }
}
