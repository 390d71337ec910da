"""Size of the bundled snapshots on disk and how long each catalog table takes to load from them.

Loads every table in ``data_sources.catalog`` from the bundled snapshot (an empty cache directory, so no
refreshed copy is used) ``--repeat`` times and prints the fastest load of each, the best-of figure being the
least disturbed by other work on the machine. Point ``--root`` at another checkout to compare two versions.

Run from the project directory: ``.venv/bin/python -m scripts.measure_snapshots [--root .] [--repeat 15]``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path


def snapshot_sizes(root: Path) -> dict[str, int]:
    """File name -> bytes, for every file in ``<root>/data_sources/snapshots``."""
    folder = root / "data_sources" / "snapshots"
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}


def load_times(repeat: int) -> dict[str, tuple[int, float]]:
    """Table name -> (rows, fastest load in milliseconds) over ``repeat`` loads of each catalog table."""
    catalog = importlib.import_module("data_sources.catalog")
    out = {}
    for name, load in catalog.TABLES.items():
        best, rows = float("inf"), 0
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len(load().data)
            best = min(best, time.perf_counter() - start)
        out[name] = (rows, best * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    sizes = snapshot_sizes(root)
    for name, size in sizes.items():
        print(f"{name:40} {size / 1024:9.1f} KiB")
    print(f"{'snapshots in all':40} {sum(sizes.values()) / 1024:9.1f} KiB")
    with tempfile.TemporaryDirectory() as empty:
        os.environ["DATA_CACHE_DIR"] = empty  # never a refreshed copy: the bundled snapshot is what is measured
        for name, (rows, ms) in load_times(args.repeat).items():
            print(f"load {name:28} {rows:8,} rows  best of {args.repeat}: {ms:7.1f} ms")


if __name__ == "__main__":
    main()
