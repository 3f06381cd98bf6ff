"""The ``cape`` command line: ``cape ...`` (console script) and ``python -m cape ...`` run cape-core's CLI."""

from __future__ import annotations

import sys
from typing import NoReturn, Optional, Sequence

from cape._cape import run_cli


def main(argv: Optional[Sequence[str]] = None) -> NoReturn:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and exit with its code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # The CLI writes to the process's file descriptors directly: flush what Python has buffered first.
        sys.stdout.flush()
        sys.stderr.flush()
        code = run_cli(args)
    except KeyboardInterrupt:
        # Ctrl-C outside the command's own handling (just before it starts, or after it has ended): the same
        # message and status as an interrupted command, not a traceback.
        sys.stderr.write("cape: interrupted\n")
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
