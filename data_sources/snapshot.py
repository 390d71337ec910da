"""Bundled snapshots and the refresh cache: CSVs with a JSON sidecar of provenance, read and written one way.

Each table ``<name>`` is stored as ``<name>.csv`` (written by :func:`data_sources.export.to_csv_bytes`: ISO
dates, FIPS as text, one number format per measure) beside ``<name>.json`` (where it came from, when it was
retrieved, row count and the CSV's sha256). A table may be stored gzipped instead, as ``<name>.csv.gz``
(``write_table(..., compress=True)``; the sidecar says ``"compression": "gzip"``, its sha256 is the CSV's
inside, and the gzip bytes carry no timestamp, so a rebuild of the same table shows no diff): every bundled
snapshot is, by its build script (``zcat <name>.csv.gz`` shows the rows), while the refresh cache stays plain.
:func:`read_table` and :func:`write_table` are the only way a table goes to or comes from disk; each runs the
table's check (the tidy contract's :func:`conform` unless the caller names another, such as ``risk.validate``),
so nothing unchecked is served or stored. Bundled snapshots live in ``data_sources/snapshots/``; refreshed
copies live in the cache directory (``DATA_CACHE_DIR``, default ``.data_cache/`` in the project). Writes go to a
temporary file in the same directory, are fsynced, and then renamed over the old file, so a failed refresh
never leaves a half-written table behind.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.export import read_csv_bytes, to_csv_bytes
from data_sources.schema import Check, SchemaError, conform

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"
PROJECT_DIR = Path(__file__).resolve().parent.parent
#: The one compression a stored table may have (sidecar ``"compression"``); none means a plain CSV.
GZIP = "gzip"


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


def read_table(name: str, directory: Path, *, check: Check = conform) -> Stored:
    """Read ``<directory>/<name>.csv`` (or ``.csv.gz``, as the sidecar says) and its sidecar; verify the checksum,
    the table's ``check`` and the row count.

    Raises :class:`SchemaError` naming the file and the problem.
    """
    meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    csv_path = data_path(name, directory, meta.get("compression"))
    raw = csv_path.read_bytes()
    if meta.get("compression") == GZIP:
        try:
            raw = gzip.decompress(raw)
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            raise SchemaError(f"{csv_path}: not a readable gzip file ({err})") from err
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta.get("sha256"):
        raise SchemaError(
            f"{csv_path}: checksum {digest[:12]}... does not match its sidecar ({str(meta.get('sha256'))[:12]}...); "
            "the file was changed or damaged"
        )
    data = check(read_csv_bytes(raw, name=str(csv_path)), table=name)
    if len(data) != meta.get("rows"):
        raise SchemaError(f"{csv_path}: {len(data)} rows but the sidecar says {meta.get('rows')}")
    return Stored(data, meta, datetime.fromisoformat(meta["retrieved_at"]), csv_path)


def data_path(name: str, directory: Path, compression: str | None = None) -> Path:
    """Where table ``name``'s rows are stored: ``<name>.csv``, or ``<name>.csv.gz`` for ``compression="gzip"``.

    Raises :class:`SchemaError` for a compression this module does not write.
    """
    if compression is None:
        return directory / f"{name}.csv"
    if compression == GZIP:
        return directory / f"{name}.csv.gz"
    raise SchemaError(f"{directory / name}.json: unknown compression {compression!r} (known: {GZIP!r} or none)")


def write_table(
    name: str,
    frame: pd.DataFrame,
    directory: Path,
    meta: dict[str, Any],
    *,
    check: Check = conform,
    compress: bool = False,
) -> Path:
    """Run the table's ``check`` on ``frame`` and atomically replace ``<name>.csv`` and ``<name>.json``.

    ``meta`` says where the table came from; the sidecar adds the table name, row count, sha256, columns and
    (unless ``meta`` gives it) the time of writing as ``retrieved_at``. ``compress`` stores the CSV as
    ``<name>.csv.gz`` (gzip level 9 with no timestamp, so the same table gives the same bytes); the sidecar's
    sha256 is still the CSV's. The CSV is renamed into place before its sidecar; a crash between the two leaves
    a checksum mismatch, which :func:`read_table` reports rather than serving half-updated data (or, when the
    form changes, the old sidecar still naming the old file, which is read whole). Once the
    sidecar is written, the table's file in the other form (``.csv`` after a compressed write, ``.csv.gz``
    after a plain one), if any, is removed, so one table never has two copies that could disagree.
    """
    data = check(frame, table=name)
    payload = to_csv_bytes(data)
    sidecar = {
        **meta,
        "table": name,
        "rows": len(data),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "retrieved_at": meta.get("retrieved_at") or datetime.now(UTC).isoformat(timespec="seconds"),
        "columns": [str(c) for c in data.columns],
    }
    sidecar.pop("compression", None)
    if compress:
        sidecar["compression"] = GZIP
        payload = gzip.compress(payload, compresslevel=9, mtime=0)
    directory.mkdir(parents=True, exist_ok=True)
    csv_path = data_path(name, directory, sidecar.get("compression"))
    atomic_write(csv_path, payload)
    atomic_write(directory / f"{name}.json", (json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n").encode())
    data_path(name, directory, None if compress else GZIP).unlink(missing_ok=True)
    return csv_path


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
