"""Jupyter's rich display of cape's results (``_repr_html_``): compact HTML tables, every text HTML-escaped,
statuses coloured, money right-aligned with thousands separators (exact: the ``Decimal`` as it is, never a
float). Presentation only, and all of it here: the native classes' ``_repr_html_`` call these functions.
"""

from __future__ import annotations

import decimal
import html
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Sequence, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from cape import _cape

#: Rows shown of a long result (the rest is said as a count): a notebook cell stays readable.
MAX_HTML_ROWS = 20

#: The colour of each status, outcome, verdict and level shown (GitHub's accessible palette).
GREEN, BLUE, AMBER, RED, GREY = "#1a7f37", "#0969da", "#9a6700", "#cf222e", "#6e7781"
STATUS_COLOURS = {
    # claim statuses
    "eligible": GREEN,
    "eligible_deferred": BLUE,
    "needs_review": AMBER,
    "ineligible": RED,
    # declaration check: verdicts, entry outcomes, finding levels
    "accept": GREEN,
    "accept_deferred": BLUE,
    "review": AMBER,
    "reject": RED,
    "not_in_data": RED,
    "reject_entries": AMBER,
    "reject_file": RED,
    "warning": AMBER,
    "entry": AMBER,
    "file": RED,
    # results statuses
    "entry_summary_updated": GREEN,
    "failed": RED,
    # diagnostics severities
    "error": RED,
    "info": GREY,
    # refunds
    "held": AMBER,
    "paid": GREEN,
}

TABLE_STYLE = "border-collapse:collapse;font-size:0.9em"
CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #d0d7de"
MONEY_STYLE = CELL_STYLE + ";text-align:right;font-variant-numeric:tabular-nums"


def _esc(value: object) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _money(value: Optional[decimal.Decimal]) -> str:
    text = "" if value is None else format(value, ",.2f")
    return f'<td style="{MONEY_STYLE}">{_esc(text)}</td>'


def _number(value: object) -> str:
    return f'<td style="{MONEY_STYLE}">{_esc(value)}</td>'


def _cell(value: object) -> str:
    return f'<td style="{CELL_STYLE}">{_esc(value)}</td>'


def _status(value: Optional[str]) -> str:
    if value is None:
        return _cell(None)
    colour = STATUS_COLOURS.get(value, GREY)
    return f'<td style="{CELL_STYLE}"><span style="color:{colour};font-weight:600">{_esc(value)}</span></td>'


def _table(caption: str, header: Sequence[Tuple[str, bool]], rows: Iterable[str], total: int) -> str:
    """A table: ``header`` is (name, right-aligned); ``rows`` the ``<td>`` cells of each row; ``total`` the row
    count, beyond :data:`MAX_HTML_ROWS` said as a last row."""
    th = "".join(
        f'<th style="{MONEY_STYLE if right else CELL_STYLE};text-align:{"right" if right else "left"}">{_esc(n)}</th>'
        for n, right in header
    )
    body: List[str] = [f"<tr>{cells}</tr>" for cells in rows]
    if total > MAX_HTML_ROWS:
        more = f"… {total - MAX_HTML_ROWS:,} more (of {total:,})"
        body.append(f'<tr><td style="{CELL_STYLE};color:{GREY}" colspan="{len(header)}">{_esc(more)}</td></tr>')
    return (
        f'<table style="{TABLE_STYLE}"><caption style="text-align:left;font-weight:600">{_esc(caption)}</caption>'
        f"<thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _first(items: Iterable[Any]) -> List[Any]:
    out = []
    for i, item in enumerate(items):
        if i == MAX_HTML_ROWS:
            break
        out.append(item)
    return out


def _totals_rows(t: _cape.Totals) -> str:
    counts = [
        ("entries", t.entries, None),
        ("eligible", t.eligible, "eligible"),
        ("eligible_deferred", t.eligible_deferred, "eligible_deferred"),
        ("needs_review", t.needs_review, "needs_review"),
        ("ineligible", t.ineligible, "ineligible"),
        ("urgent", t.urgent, None),
        ("interest_unknown", t.interest_unknown, None),
    ]
    rows = [f"{_status(name) if colour else _cell(name)}{_number(n)}" for name, n, colour in counts]
    rows += [
        f"{_cell(name)}{_money(v)}"
        for name, v in (
            ("ieepa_duty", t.ieepa_duty),
            ("declarable_ieepa_duty", t.declarable_ieepa_duty),
            ("interest", t.interest),
        )
    ]
    return "".join(f"<tr>{r}</tr>" for r in rows)


def totals_html(t: _cape.Totals) -> str:
    """The HTML of :class:`Totals`: counts by status (coloured) and amounts (right-aligned)."""
    return (
        f'<table style="{TABLE_STYLE}"><caption style="text-align:left;font-weight:600">Totals</caption>'
        f"<tbody>{_totals_rows(t)}</tbody></table>"
    )


def refund_totals_html(t: _cape.RefundTotals) -> str:
    """The HTML of :class:`RefundTotals`: the entries and the amounts (``paid`` includes ``held``)."""
    rows = [f"{_cell('entries')}{_number(t.entries)}"]
    rows += [
        f"{_status(n) if n in ('paid', 'held') else _cell(n)}{_money(v)}"
        for n, v in (("principal", t.principal), ("interest", t.interest), ("paid", t.paid), ("held", t.held))
    ]
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return (
        f'<table style="{TABLE_STYLE}"><caption style="text-align:left;font-weight:600">Refund totals</caption>'
        f"<tbody>{body}</tbody></table>"
    )


ENTRY_HEADER = [
    ("entry_number", False),
    ("importer_number", False),
    ("status", False),
    ("ieepa_duty", True),
    ("interest", True),
    ("last_filing_day", False),
    ("days_left", True),
    ("next_action", False),
    ("act_by", False),
]


def report_html(report: Any) -> str:
    """The HTML of an :class:`AssessedReport` or :class:`Partial`: its totals, then its first entries."""
    t: _cape.Totals = report.totals
    caption = f"as of {report.as_of}, rule set {report.rule_set}: {t.entries:,} entries"
    rows = (
        _cell(a.entry_number)
        + _cell(a.importer_number)
        + _status(a.status)
        + _money(a.ieepa_duty)
        + _money(a.interest)
        + _cell(a.last_filing_day)
        + _number(a.days_left)
        + _cell(a.next_action)
        + _cell(a.act_by)
        for a in _first(report)
    )
    return f"<div>{totals_html(t)}{_table(caption, ENTRY_HEADER, rows, len(report))}</div>"


def refunds_html(refunds: Sequence[_cape.Refund]) -> str:
    """The HTML of consolidated refunds: one row each, held ones marked."""
    header = [("recipient", False), ("liquidation_date", False), ("refund_due_by", False), ("entries", True)]
    header += [("principal", True), ("interest", True), ("total", True), ("", False)]
    rows = (
        _cell(r.recipient)
        + _cell(r.liquidation_date)
        + _cell(r.refund_due_by)
        + _number(len(r.entries))
        + _money(r.principal)
        + _money(r.interest)
        + _money(r.total)
        + (_status("held") if r.held else _cell(None))
        for r in _first(refunds)
    )
    return _table(f"{len(refunds):,} refunds", header, rows, len(refunds))


def diagnostics_html(diagnostics: Sequence[_cape.Diagnostic]) -> str:
    """The HTML of diagnostics: row, severity (coloured), code, column, value and message."""
    header = [("row", True), ("severity", False), ("code", False), ("column", False), ("value", False)]
    header += [("message", False)]
    rows = (
        _number(d.row) + _status(d.severity) + _cell(d.code) + _cell(d.column) + _cell(d.value) + _cell(d.message)
        for d in _first(diagnostics)
    )
    return _table(f"{len(diagnostics):,} diagnostics", header, rows, len(diagnostics))


def check_html(check: _cape.DeclarationCheck) -> str:
    """The HTML of a :class:`DeclarationCheck`: the verdict, the findings, then the entry verdicts."""
    verdict = STATUS_COLOURS.get(check.verdict, GREY)
    head = (
        f"<p>{_esc(check.source)}: <span style=\"color:{verdict};font-weight:600\">{_esc(check.verdict)}</span>"
        f" ({check.rows_read:,} rows, {len(check.entries):,} entries)</p>"
    )
    findings = check.findings
    f_header = [("row", True), ("level", False), ("code", False), ("value", False), ("message", False)]
    f_header += [("cbp_message", False)]
    f_rows = (
        _number(f.row) + _status(f.level) + _cell(f.code) + _cell(f.value) + _cell(f.message) + _cell(f.cbp_message)
        for f in _first(findings)
    )
    out = head + _table(f"{len(findings):,} findings", f_header, f_rows, len(findings))
    verdicts = check.entry_verdicts
    if verdicts:
        v_header = [("row", True), ("entry_number", False), ("outcome", False), ("status", False)]
        v_header += [("reasons", False), ("cbp_message", False)]
        v_rows = (
            _number(v.row)
            + _cell(v.entry_number)
            + _status(v.outcome)
            + _status(v.status)
            + _cell(";".join(v.reasons))
            + _cell(v.cbp_message)
            for v in _first(verdicts)
        )
        out += _table(f"{len(verdicts):,} entry verdicts", v_header, v_rows, len(verdicts))
    return f"<div>{out}</div>"


def results_html(results: _cape.Results) -> str:
    """The HTML of :class:`Results`: one row per results row, status coloured, CAPE's error and its remedy."""
    rows_all = results.rows
    header = [("row", True), ("entry", False), ("claim_number", False), ("status", False), ("error_kind", False)]
    header += [("error_text", False), ("error_remedy", False)]
    rows = (
        _number(r.row)
        + _cell(r.entry_number if r.entry_number is not None else r.entry_text)
        + _cell(r.claim_number)
        + _status(r.status)
        + _cell(r.error_kind)
        + _cell(r.error_text)
        + _cell(r.error_remedy)
        for r in _first(rows_all)
    )
    return _table(f"{results.source}: {len(rows_all):,} rows", header, rows, len(rows_all))
