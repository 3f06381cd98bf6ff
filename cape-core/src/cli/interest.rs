//! `cape interest`.

use super::prelude::*;

pub(super) fn interest(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, INTEREST_OPTS, &["explain", "assume-last-rate"])?;
    if !o.positional.is_empty() {
        return Err(CliError::Usage(format!("unexpected argument {:?}", o.positional[0])));
    }
    let need = |n: &str| o.named.get(n).ok_or_else(|| CliError::Usage(format!("interest needs --{n}")));
    let principal =
        Usd::parse_cents(need("principal")?, "principal").map_err(|e| CliError::Usage(format!("--principal: {e}")))?;
    let from = date_arg("from", need("from")?)?;
    let to = date_arg("to", need("to")?)?;
    if to < from {
        return Err(CliError::Usage(format!(
            "--to {to} is before --from {from}: interest runs from the deposit to the (re)liquidation"
        )));
    }
    let class = class_opt(&o)?.unwrap_or(ImporterClass::DEFAULT);
    let tables = Tables::embedded()?;
    let params = InterestOptions { assumed_rate: assumed_rate(&o, &tables)?, ..InterestOptions::default() };
    let r = compute_interest(principal, from, to, class, &tables.rates, &params)?;
    writeln!(out, "{}", r.interest.to_string_2dp())?;
    if o.named.contains_key("explain") {
        writeln!(
            out,
            "principal {} deposited {from}, (re)liquidated {to}, {}: {} days, compounded daily",
            principal.to_string_2dp(),
            class.name(),
            r.days
        )?;
        for p in &r.periods {
            writeln!(
                out,
                "  {} .. {}  {:>3} days at {}%/{}{}  interest {}",
                p.from,
                p.to,
                p.days,
                p.annual_rate_percent,
                p.days_in_year,
                if p.assumed { " (assumed)" } else { "" },
                p.interest.to_string_2dp()
            )?;
        }
        if r.used_assumed_rate {
            writeln!(out, "  uses an assumed rate for days past the rate table")?;
        }
    }
    Ok(EXIT_OK)
}
