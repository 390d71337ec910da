"""``python -m data_sources COMMAND``: the command line lives in :mod:`data_sources.cli`."""

import sys

from data_sources.cli import main

if __name__ == "__main__":
    sys.exit(main())
