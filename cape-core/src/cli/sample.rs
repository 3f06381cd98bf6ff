//! `cape sample`.

use super::prelude::*;

pub(super) fn sample(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["entries", "seed", "output", "malformed"])?;
    if !o.positional.is_empty() {
        return Err(CliError::Usage(format!("unexpected argument {:?}", o.positional[0])));
    }
    let num = |name: &str| -> Result<Option<u64>, CliError> {
        o.named
            .get(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| CliError::Usage(format!("--{name} must be a whole number, not {v:?}")))
            })
            .transpose()
    };
    let Some(path) = o.named.get("output") else {
        return Err(CliError::Usage("sample needs --output FILE".into()));
    };
    let mut cfg = GeneratorConfig::default();
    if let Some(n) = num("entries")? {
        cfg.entries = usize::try_from(n).map_err(|_| CliError::Usage("--entries too large".into()))?;
    }
    if let Some(s) = num("seed")? {
        cfg.seed = s;
    }
    if let Some(m) = num("malformed")? {
        cfg.malformed_rows_per_thousand =
            u32::try_from(m).map_err(|_| CliError::Usage("--malformed too large".into()))?;
    }
    let mut w = crate::report::AtomicFile::create(path)?;
    let stats = generate_es003(&cfg, &mut w).map_err(|e| CliError::Input(Error::io(path.clone(), e)))?;
    w.commit()?;
    let _ = writeln!(
        err,
        "wrote {path}: {} entries, {} lines, {} rows ({} malformed), seed {}",
        stats.entries, stats.lines, stats.rows, stats.malformed_rows, cfg.seed
    );
    let _ = out;
    Ok(EXIT_OK)
}
