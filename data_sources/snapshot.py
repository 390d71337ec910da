"""Bundled snapshots and the refresh cache: gzipped CSVs with a JSON sidecar of provenance, read and written one way.

Each table ``<name>`` is stored as ``<name>.csv.gz``: the CSV written by :func:`data_sources.export.to_csv_bytes`
(ISO dates, FIPS as text, one number format per measure), gzipped with no timestamp so the same rows give the
same bytes (a tenth of the size; ``zcat <name>.csv.gz`` shows the rows). Beside it, ``<name>.json`` records
where it came from, when it was retrieved, the row count and the sha256 of exactly the ``.csv.gz`` bytes on
disk. :func:`read_table` and :func:`write_table` are the only way a
table goes to or comes from disk; each runs the table's check (the tidy contract's :func:`conform` unless the
caller names another, such as ``risk.validate``), so nothing unchecked is served or stored. Bundled
snapshots live in ``data_sources/snapshots/``; refreshed copies live in the cache
directory (``DATA_CACHE_DIR``, default ``.data_cache/`` in the project). Writes go to a temporary file in the
same directory, are fsynced, and then renamed over the old file, so a failed refresh never leaves a
half-written table behind.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.export import read_csv_bytes, to_csv_bytes
from data_sources.schema import Check, SchemaError, conform

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"
PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_SUFFIX = ".csv.gz"


def cache_dir() -> Path:
    """Where refreshed tables are kept: ``$DATA_CACHE_DIR`` or ``<project>/.data_cache``."""
    return Path(os.environ.get("DATA_CACHE_DIR") or PROJECT_DIR / ".data_cache")


@dataclass(frozen=True)
class Stored:
    """A table read back from disk with its sidecar."""

    data: pd.DataFrame
    meta: dict[str, Any]
    retrieved_at: datetime
    path: Path


def data_path(name: str, directory: Path) -> Path:
    """Where table ``name``'s rows are stored in ``directory``: ``<directory>/<name>.csv.gz``."""
    return directory / f"{name}{DATA_SUFFIX}"


def read_table(name: str, directory: Path, *, check: Check = conform) -> Stored:
    """Read ``<directory>/<name>.csv.gz`` and its sidecar; verify the checksum, the table's ``check`` and the
    row count.

    Raises :class:`SchemaError` naming the file and the problem.
    """
    csv_path, meta_path = data_path(name, directory), directory / f"{name}.json"
    raw = csv_path.read_bytes()
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta.get("sha256"):
        raise SchemaError(
            f"{csv_path}: checksum {digest[:12]}... does not match its sidecar ({str(meta.get('sha256'))[:12]}...); "
            "the file was changed or damaged"
        )
    try:
        text = gzip.decompress(raw)
    except (OSError, EOFError) as err:  # BadGzipFile is an OSError; a cut-off file raises EOFError
        raise SchemaError(f"{csv_path}: not a complete gzip file ({err})") from err
    data = check(read_csv_bytes(text, name=str(csv_path)), table=name)
    if len(data) != meta.get("rows"):
        raise SchemaError(f"{csv_path}: {len(data)} rows but the sidecar says {meta.get('rows')}")
    return Stored(data, meta, datetime.fromisoformat(meta["retrieved_at"]), csv_path)


def write_table(
    name: str, frame: pd.DataFrame, directory: Path, meta: dict[str, Any], *, check: Check = conform
) -> Path:
    """Run the table's ``check`` on ``frame`` and atomically replace ``<name>.csv.gz`` and ``<name>.json``.

    ``meta`` says where the table came from; the sidecar adds the table name, row count, sha256, columns and
    (unless ``meta`` gives it) the time of writing as ``retrieved_at``. The CSV is renamed into place before its
    sidecar; a crash between the two leaves a checksum mismatch, which :func:`read_table` reports rather than
    serving half-updated data.
    """
    data = check(frame, table=name)
    payload = to_snapshot_bytes(data)
    sidecar = {
        **meta,
        "table": name,
        "rows": len(data),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "retrieved_at": meta.get("retrieved_at") or datetime.now(UTC).isoformat(timespec="seconds"),
        "columns": [str(c) for c in data.columns],
    }
    directory.mkdir(parents=True, exist_ok=True)
    csv_path = data_path(name, directory)
    atomic_write(csv_path, payload)
    atomic_write(directory / f"{name}.json", (json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n").encode())
    return csv_path


def to_snapshot_bytes(frame: pd.DataFrame) -> bytes:
    """The stored form: the project's CSV, gzipped with no timestamp so the same rows give the same bytes."""
    return gzip.compress(to_csv_bytes(frame), compresslevel=9, mtime=0)


def atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` via a temp file in the same directory, fsync, then rename."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); other app replicas reading a shared cache need to read it.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
