//! Arguments and the options every command shares: parsing (lexopt), dates, classes, rates, the tables and
//! the spine's run options, the ingest balance on stderr.

use super::prelude::*;

/// Parsed `--name value` options and positional arguments.
pub(super) struct Opts {
    pub(super) positional: Vec<String>,
    /// The last value of each option given.
    pub(super) named: BTreeMap<String, String>,
    /// Every value of every option, in order (for the options that may be repeated, as `--column`).
    pub(super) all: Vec<(String, String)>,
}

pub(super) fn parse_opts(args: &[String], with_value: &[&str]) -> Result<Opts, CliError> {
    parse_opts_flags(args, with_value, &[])
}

/// Like [`parse_opts`]; the options in `flags` take no value. `--name value` and `--name=value` both work;
/// `--` ends the options; short options are not used by cape.
pub(super) fn parse_opts_flags(args: &[String], with_value: &[&str], flags: &[&str]) -> Result<Opts, CliError> {
    use lexopt::Arg::{Long, Short, Value};
    let mut o = Opts { positional: Vec::new(), named: BTreeMap::new(), all: Vec::new() };
    let mut p = lexopt::Parser::from_args(args.iter().cloned());
    let text = |what: String, v: std::ffi::OsString| {
        v.into_string().map_err(|v| CliError::Usage(format!("{what}: {v:?} is not valid UTF-8")))
    };
    while let Some(arg) = p.next().map_err(|e| CliError::Usage(e.to_string()))? {
        match arg {
            Long(name) => {
                let name = name.to_owned();
                if !with_value.contains(&name.as_str()) {
                    return Err(CliError::Usage(format!("unknown option --{name}")));
                }
                if flags.contains(&name.as_str()) {
                    if let Some(v) = p.optional_value() {
                        return Err(CliError::Usage(format!("--{name} takes no value, not {v:?}")));
                    }
                    o.named.insert(name, String::new());
                } else {
                    let v = p.value().map_err(|_| CliError::Usage(format!("--{name} needs a value")))?;
                    let v = text(format!("--{name}"), v)?;
                    o.all.push((name.clone(), v.clone()));
                    o.named.insert(name, v);
                }
            }
            Short(c) => return Err(CliError::Usage(format!("unknown option -{c}"))),
            Value(v) => o.positional.push(text("argument".into(), v)?),
        }
    }
    Ok(o)
}

/// Today in the local time zone: a broker's "today", not UTC's (which is tomorrow in the evening in the US).
pub(super) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub(super) fn date_arg(name: &str, v: &str) -> Result<NaiveDate, CliError> {
    parse_date(v).map_err(|e| CliError::Usage(format!("--{name}: {e}")))
}

pub(super) fn as_of_opt(o: &Opts) -> Result<NaiveDate, CliError> {
    o.named.get("as-of").map(|v| date_arg("as-of", v)).transpose().map(|d| d.unwrap_or_else(today))
}

pub(super) fn u32_opt(o: &Opts, name: &str) -> Result<Option<u32>, CliError> {
    o.named
        .get(name)
        .map(|v| v.parse::<u32>().map_err(|_| CliError::Usage(format!("--{name} must be a whole number, not {v:?}"))))
        .transpose()
}

pub(super) fn class_opt(o: &Opts) -> Result<Option<ImporterClass>, CliError> {
    o.named
        .get("class")
        .map(|v| {
            ImporterClass::from_word(v)
                .ok_or_else(|| CliError::Usage(format!("--class must be corporate or noncorporate, not {v:?}")))
        })
        .transpose()
}

pub(super) fn percent_arg(name: &str, v: &str) -> Result<Decimal, CliError> {
    parse_percent(v, "percent").map_err(|_| CliError::Usage(format!("--{name} must be a percent such as 7, not {v:?}")))
}

/// Reads the tables, then applies `--rules FILE.json` (adding that rule set), the assumed-rate flags, the
/// schedule offsets ([`SCHEDULE_OPTS`]) and `--closures FILE` (extra closed days in the calendar).
pub(super) fn tables_and_options(o: &Opts, as_of: NaiveDate) -> Result<(Tables, AssessOptions), CliError> {
    let mut tables = Tables::embedded()?;
    let mut opts = AssessOptions::new(as_of);
    if let Some(r) = o.named.get("rules") {
        if r.ends_with(".json") {
            let set = RuleSet::from_path(r)?;
            opts.rules = RuleChoice::Named(set.name.clone());
            tables.rules.insert(set);
        } else {
            opts.rules = RuleChoice::parse(r);
        }
    }
    if let Some(n) = u32_opt(o, "urgent-days")? {
        opts = opts.urgent_within(n);
    }
    if let Some(v) = o.named.get("court-accrual") {
        opts.actions.court_accrual = v.parse().map_err(|_| {
            CliError::Usage(format!("--court-accrual must be liquidation_date or final_liquidation, not {v:?}"))
        })?;
    }
    if let Some(n) = u32_opt(o, "last-day-offset")? {
        opts.claim.last_day_offset = Some(n);
    }
    if let Some(c) = class_opt(o)? {
        opts.default_class = c;
    }
    for (name, v) in &o.all {
        if name == "class-override" {
            let (importer, class) = v.split_once('=').ok_or_else(|| {
                CliError::Usage(format!(
                    "--class-override must be IMPORTER=CLASS (e.g. 12-3456789AB=noncorporate), not {v:?}"
                ))
            })?;
            let class = ImporterClass::from_word(class).ok_or_else(|| {
                CliError::Usage(format!("--class-override {v:?}: the class must be corporate or noncorporate"))
            })?;
            opts.class_overrides.insert(importer.trim().to_owned(), class);
        }
    }
    if let Some(n) = u32_opt(o, "acceptance-lag")? {
        opts.schedule.acceptance_lag_days = n;
    }
    if let Some(n) = u32_opt(o, "liquidation-offset")? {
        opts.schedule.unliquidated_liquidation_offset_days = n;
    }
    if let Some(n) = u32_opt(o, "reliquidation-window")? {
        opts.schedule.reliquidation_window_days = n;
    }
    if let Some(path) = o.named.get("closures") {
        let dates = crate::liquidation::calendar::read_closures_path(path)?;
        tables.calendar = tables.calendar.clone().with_extra_closures(dates);
    }
    opts.interest.assumed_rate = assumed_rate(o, &tables)?;
    if let Some(path) = o.named.get("accepted") {
        opts.already_accepted = read_results_path(path)?.accepted_entries();
    }
    Ok((tables, opts))
}

pub(super) fn assumed_rate(o: &Opts, tables: &Tables) -> Result<Option<AssumedRate>, CliError> {
    if o.named.contains_key("assume-last-rate") && o.named.contains_key("assume-rate") {
        // As Python's `assume_rate=` with `assume_last_rate=True`: two answers to one question are refused.
        return Err(CliError::Usage("give --assume-rate or --assume-last-rate, not both".into()));
    }
    if o.named.contains_key("assume-last-rate") {
        return Ok(Some(AssumedRate::continue_last(&tables.rates)));
    }
    match o.named.get("assume-rate") {
        None => Ok(None),
        Some(v) => Ok(Some(AssumedRate::flat(percent_arg("assume-rate", v)?, &tables.rates))),
    }
}

/// The schedule and calendar options of every command that assesses: the validation lag, the 45/90-day
/// offsets of the projected (re)liquidation, a file of extra federal closures.
pub(super) const SCHEDULE_OPTS: &[&str] = &["acceptance-lag", "liquidation-offset", "reliquidation-window", "closures"];

pub(super) const ASSESS_OPTS: &[&str] = &[
    "strict",
    "as-of",
    "rules",
    "format",
    "sheet",
    "urgent-days",
    "last-day-offset",
    "class",
    "class-override",
    "assume-rate",
    "assume-last-rate",
    "accepted",
    "threads",
    "court-accrual",
    "acceptance-lag",
    "liquidation-offset",
    "reliquidation-window",
    "closures",
];

/// The options of `cape refunds` (the pieces, concatenated).
pub(super) const REFUNDS_OPTS: &[&[&str]] = &[
    SCHEDULE_OPTS,
    &[
        "as-of",
        "rules",
        "sheet",
        "format",
        "min-refund",
        "assume-rate",
        "assume-last-rate",
        "class",
        "class-override",
        "accepted",
        "threads",
        "strict",
    ],
];

/// The options of `cape declare` (the pieces, concatenated).
pub(super) const DECLARE_OPTS: &[&[&str]] = &[
    SCHEDULE_OPTS,
    &["as-of", "rules", "sheet", "out-dir", "split-by-importer", "max-per-file", "accepted", "replace", "strict"],
];

/// The options of `cape plan`: every option of `cape assess`, and the plan's own.
pub(super) const PLAN_OPTS: &[&[&str]] = &[ASSESS_OPTS, &["within", "by"]];

/// The options of `cape interest`.
pub(super) const INTEREST_OPTS: &[&str] =
    &["principal", "from", "to", "class", "explain", "assume-rate", "assume-last-rate"];

pub(super) fn one_file(o: &Opts, what: &str) -> Result<String, CliError> {
    match o.positional.as_slice() {
        [p] => Ok(p.clone()),
        _ => Err(CliError::Usage(format!("{what} needs exactly one FILE"))),
    }
}

pub(super) fn format_opt(o: &Opts, allowed: &[&'static str]) -> Result<&'static str, CliError> {
    let f = o.named.get("format").map(String::as_str).unwrap_or(allowed[0]);
    allowed
        .iter()
        .find(|a| **a == f)
        .copied()
        .ok_or_else(|| CliError::Usage(format!("--format must be one of {}, not {f:?}", allowed.join("|"))))
}

/// Says on `err`, whenever a row of an ES-003 was rejected, how its rows were accounted for (rows read =
/// used + rejected, and the count per code), so that no command drops rows silently. Returns the exit status
/// of a command that otherwise succeeded: [`EXIT_STRICT`] under `--strict` when a row was rejected.
pub(super) fn ingest_balance(o: &Opts, s: &crate::IngestSummary, err: &mut dyn Write) -> i32 {
    if s.rows_rejected == 0 {
        return EXIT_OK;
    }
    let codes: Vec<String> = s.rejections_by_code().iter().map(|(c, n)| format!("{c} {n}")).collect();
    let _ = writeln!(
        err,
        "cape: {}: rows read {} = used {} + rejected {} ({}); `cape ingest {}` lists the rejected rows",
        s.source,
        s.rows_read,
        s.rows_used,
        s.rows_rejected,
        codes.join(", "),
        s.source
    );
    if o.named.contains_key("strict") {
        let _ = writeln!(err, "cape: --strict: {} rejected row(s), exit status {EXIT_STRICT}", s.rows_rejected);
        EXIT_STRICT
    } else {
        EXIT_OK
    }
}

/// Says on `err` each class override (`--class-override`) that no entry of the report had: the run's
/// `ES003_UNKNOWN_OVERRIDE_IMPORTER` diagnostics, which the JSON output also lists.
pub(super) fn unused_overrides(diagnostics: &[Diagnostic], err: &mut dyn Write) {
    for d in diagnostics.iter().filter(|d| d.code == crate::diagnostic::DiagnosticCode::UnknownOverrideImporter) {
        let _ = writeln!(err, "cape: warning: --class-override: {}", d.message);
    }
}

pub(super) fn json_err(_: serde_json::Error) -> CliError {
    CliError::Output
}

/// `--threads N`: 1 reads on the calling thread; 2 or more reads ahead on a second thread. The default (0)
/// is the spine's: 2 when the machine has two cores or more.
pub(super) fn threads_opt(o: &Opts) -> Result<usize, CliError> {
    match o.named.get("threads") {
        None => Ok(0),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(CliError::Usage(format!("--threads must be a whole number of at least 1, not {t:?}"))),
        },
    }
}

/// How a command runs the spine: `--sheet`, `--threads`, `--min-refund` and the host's cancel flag.
pub(super) fn run_options(o: &Opts, cx: &Ctx) -> Result<run::RunOptions, CliError> {
    let mut r = run::RunOptions::new();
    r.es003 = cx.es003(o);
    r.threads = threads_opt(o)?;
    r.consolidation.minimum_refund = o
        .named
        .get("min-refund")
        .map(|v| Usd::parse_cents(v, "minimum refund").map_err(|e| CliError::Usage(format!("--min-refund: {e}"))))
        .transpose()?;
    Ok(r)
}

pub(super) fn assess_all(o: &Opts, path: &str, as_of: NaiveDate, cx: &Ctx) -> Result<run::Partial, CliError> {
    let (tables, opts) = tables_and_options(o, as_of)?;
    Ok(run::assess_all(Source::Path(path.into()), &tables, opts, &run_options(o, cx)?)?)
}
