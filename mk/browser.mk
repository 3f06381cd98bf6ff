# The client statement in a real headless browser (issue 18). Owned by the ledger work.
#
#   make browser-test   render the sample statement (cape-core/examples/statement.rs) with Debian's chromium
#                       (installed with apt-get when missing and root): the rendered text must hold the exact
#                       totals; the screenshot and the A4 and Letter PDFs are kept under target/browser/.
#                       Then a page written by `cape ledger statement` from a ledger built through the command
#                       line: its rendered totals must be the ones the command printed. Part of `make test`.
.PHONY: browser-test

browser-test:
	CARGO="$(CARGO)" tests/browser/check_statement.sh
