"""Command line: ``python -m data_sources <command>``.

Commands:
  export   write every bundled table as tidy CSV plus a data dictionary (``--out DIR``)
  refresh  fetch live CDC data into the cache (``[--source ID] [--base-url URL]``)
  status   show where each table comes from and how fresh it is
  wonder   turn a CDC WONDER export into a tidy CSV (``FILE [--out CSV]``)

Each command lives in its own module; this file only dispatches.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "export": "data_sources.export",
    "refresh": "data_sources.refresh",
    "status": "data_sources.refresh",
    "wonder": "data_sources.wonder",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        print(__doc__.strip())
        return 0 if args and args[0] in ("-h", "--help") else 2
    command, rest = args[0], args[1:]
    module = importlib.import_module(COMMANDS[command])
    return int(module.cli(command, rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
