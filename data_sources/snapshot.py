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

The refresh cache keeps each table as one unit that is replaced whole (:func:`publish_table`): the CSV and its
sidecar are written into a new version directory ``.versions/<name>.<stamp>/``, and then the pointer
``<name>.current`` (a relative symlink) is swapped to it with one atomic rename. A reader
(:func:`read_table`) resolves the pointer once and reads both files from the directory it names, so it sees
the old pair or the new pair, never one of each; the previous version is kept for readers still on it, older
ones are removed. Writers take :func:`cache_lock` (an ``fcntl`` lock on ``.refresh.lock``) so only one refresh
writes at a time. A sidecar is checked before it is believed (:func:`read_sidecar`): an object with a sha256,
a row count and an ISO ``retrieved_at``, or :class:`SchemaError` naming the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources import memory
from data_sources.export import read_csv_bytes, to_csv_bytes
from data_sources.schema import Check, SchemaError, conform

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"
PROJECT_DIR = Path(__file__).resolve().parent.parent
#: The one compression a stored table may have (sidecar ``"compression"``); none means a plain CSV.
GZIP = "gzip"
#: Where published versions live inside a cache directory, and the pointer suffix naming the current one.
VERSIONS = ".versions"
POINTER_SUFFIX = ".current"
#: Versions of a table kept in the cache: the current one and the one before, for a reader still reading it.
KEEP_VERSIONS = 2
LOCK_NAME = ".refresh.lock"


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
    """Read table ``name`` from ``directory`` and its sidecar; verify the sidecar, the checksum, the table's
    ``check`` and the row count.

    In a cache directory the table's pointer (``<name>.current``) names the version directory to read, resolved
    once, so the CSV and the sidecar come from the same version; otherwise ``<name>.csv`` (or ``.csv.gz``, as
    the sidecar says) and ``<name>.json`` are read from ``directory`` itself. Raises :class:`SchemaError`
    naming the file and the problem (``OSError`` when a file cannot be read).
    """
    directory = current_version(name, directory) or directory
    sidecar = directory / f"{name}.json"
    meta = read_sidecar(sidecar)
    csv_path = data_path(name, directory, meta.get("compression"))
    raw = csv_path.read_bytes()
    if meta.get("compression") == GZIP:
        try:
            raw = gzip.decompress(raw)
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            raise SchemaError(f"{csv_path}: not a readable gzip file ({err})") from err
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta["sha256"]:
        raise SchemaError(
            f"{csv_path}: checksum {digest[:12]}... does not match its sidecar ({meta['sha256'][:12]}...); "
            "the file was changed or damaged"
        )
    data = check(read_csv_bytes(raw, name=str(csv_path)), table=name)
    if len(data) != meta["rows"]:
        raise SchemaError(f"{csv_path}: {len(data)} rows but the sidecar says {meta['rows']}")
    del raw
    memory.trim()  # the CSV's bytes and the parser's columns are freed now
    return Stored(data, meta, _as_datetime(meta["retrieved_at"], sidecar), csv_path)


def read_sidecar(path: Path) -> dict[str, Any]:
    """A table's sidecar, checked before anything in it is believed: a JSON object with ``sha256`` (64 hex
    digits), ``rows`` (a whole number), ``retrieved_at`` (an ISO date and time, as text) and, if any, a
    ``compression`` name. Raises :class:`SchemaError` naming the file and what is wrong."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SchemaError(f"{path}: the sidecar is not readable JSON ({err})") from err
    if not isinstance(meta, dict):
        raise SchemaError(f"{path}: the sidecar must be a JSON object, not {type(meta).__name__} ({str(meta)[:40]})")
    sha = meta.get("sha256")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise SchemaError(f"{path}: the sidecar's sha256 is not a checksum: {str(sha)[:70]!r}")
    rows = meta.get("rows")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise SchemaError(f"{path}: the sidecar's rows is not a whole number: {rows!r}")
    compression = meta.get("compression")
    if compression is not None and not isinstance(compression, str):
        raise SchemaError(f"{path}: the sidecar's compression is not a name: {compression!r}")
    _as_datetime(meta.get("retrieved_at"), path)
    return meta


def _as_datetime(value: object, path: Path) -> datetime:
    if not isinstance(value, str):
        raise SchemaError(f"{path}: the sidecar's retrieved_at is not an ISO date and time: {value!r}")
    try:
        return datetime.fromisoformat(value)
    except ValueError as err:
        raise SchemaError(f"{path}: the sidecar's retrieved_at is not an ISO date and time: {value!r}") from err


def where(path: Path) -> str:
    """A stored file as a reader may see it: relative to the project, or its name alone when elsewhere (a
    server's directories are nobody's business)."""
    try:
        return path.resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return path.name


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
    _fsync_directory(path.parent)


# --- the refresh cache: versions replaced whole, one writer at a time ------------------------------------------
def pointer_path(name: str, directory: Path) -> Path:
    """The symlink naming table ``name``'s current version in a cache directory."""
    return directory / f"{name}{POINTER_SUFFIX}"


def current_version(name: str, directory: Path) -> Path | None:
    """The version directory ``name``'s pointer names (read once), or None when ``directory`` has no pointer."""
    pointer = pointer_path(name, directory)
    try:
        target = os.readlink(pointer)
    except FileNotFoundError:
        return None
    except OSError as err:  # a pointer that is not a symlink (EINVAL): damaged, not absent
        raise SchemaError(f"{pointer.name}: the cache pointer is not a link to a version ({err.strerror})") from err
    return directory / target


def has_table(name: str, directory: Path) -> bool:
    """Whether ``directory`` holds table ``name``: a pointer to a version, or a plain or gzipped CSV."""
    return (
        os.path.lexists(pointer_path(name, directory))
        or data_path(name, directory).exists()
        or data_path(name, directory, GZIP).exists()
    )


def publish_table(name: str, frame: pd.DataFrame, directory: Path, meta: dict[str, Any]) -> Path:
    """Check ``frame`` and make it table ``name``'s current version in the cache ``directory``, as one unit.

    The CSV and its sidecar are written (by :func:`write_table`, fsynced) into a new directory
    ``.versions/<name>.<stamp>-<random>/``; then a new symlink is renamed over ``<name>.current``, the one step
    that makes the version current. Before that step nothing a reader sees has changed; after it, readers get
    the new pair. Versions older than the previous one are removed, and so is a plain ``<name>.csv`` /
    ``<name>.json`` pair left by an older release of this code. Call it while holding :func:`cache_lock`.
    Returns the new CSV's path.
    """
    versions = directory / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version = versions / f"{name}.{stamp}-{secrets.token_hex(3)}"
    version.mkdir()
    try:
        csv_path = write_table(name, frame, version, meta)
        _swap_pointer(pointer_path(name, directory), Path(VERSIONS) / version.name)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    for old in (data_path(name, directory), data_path(name, directory, GZIP), directory / f"{name}.json"):
        old.unlink(missing_ok=True)
    _prune(name, versions, keep=version)
    return csv_path


def _swap_pointer(pointer: Path, target: Path) -> None:
    """Point ``pointer`` at ``target`` (relative) in one rename, then fsync the directory."""
    tmp = pointer.with_name(f".{pointer.name}.{secrets.token_hex(4)}.tmp")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, pointer)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(pointer.parent)


def _prune(name: str, versions: Path, *, keep: Path) -> None:
    """Remove all but the newest :data:`KEEP_VERSIONS` versions of ``name`` (never ``keep``)."""
    mine = sorted(p for p in versions.iterdir() if p.is_dir() and p.name.startswith(f"{name}.") and p != keep)
    for old in mine[: max(0, len(mine) - (KEEP_VERSIONS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


class CacheBusy(RuntimeError):
    """Another process holds the cache's refresh lock; the message names it and how long we waited."""


@contextlib.contextmanager
def cache_lock(directory: Path, *, wait: float = 10.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the cache's refresh lock (``fcntl.flock`` on ``<directory>/.refresh.lock``) for the block.

    Waits up to ``wait`` seconds for another holder to finish, then raises :class:`CacheBusy` naming that
    holder (its pid and start time, which it writes into the lock file). The lock is released when the block
    ends or the holder dies, so a crashed refresh never blocks the next one. ``OSError`` when the directory
    cannot be created or the lock file cannot be opened.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = path.read_text(encoding="utf-8", errors="replace").strip() or "another process"
                    raise CacheBusy(
                        f"another refresh is writing this cache ({holder}); waited {wait:g} s. Try again when it "
                        "has finished."
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {datetime.now(UTC).isoformat(timespec='seconds')}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
