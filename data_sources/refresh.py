"""Live CDC data into the cache, safely, and where every table comes from (``refresh`` and ``status`` in
:mod:`data_sources.cli`).

refresh [--source ID ...] [--base-url URL]
    For each live source (all by default; ID is a table name or a data.cdc.gov dataset id): fetch every page
    within the client's deadlines and caps (:mod:`data_sources.socrata`), tidy, check against the contract and
    the value checks (:mod:`data_sources.checks`), and only then replace the cached copy as one unit (CSV and
    sidecar in a new version directory, then one atomic pointer swap: :func:`data_sources.snapshot.publish_table`).
    A source that fails leaves its previous cached copy byte-for-byte as it was; the command names it and
    exits 1. One refresh writes at a time: a second one waits up to ``LOCK_WAIT`` seconds for the cache's lock,
    then exits 1 saying another refresh is running. The sidecar records the URL asked for and the URL the rows
    were actually read from.
status
    Every table: live copy or bundled snapshot, retrieved at, rows, age in days, and STALE when it is older
    than its publisher's update cycle.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from types import ModuleType
from typing import TextIO

from data_sources import catalog, freshness, nchs_drug_overdose_rates, nchs_state_drug_poisoning, nchs_vsrr, socrata
from data_sources.schema import SchemaError
from data_sources.snapshot import CacheBusy, cache_dir, cache_lock, publish_table

#: Seconds a refresh waits for another refresh to release the cache before giving up.
LOCK_WAIT = 10.0

LIVE_SOURCES: tuple[ModuleType, ...] = (nchs_vsrr, nchs_drug_overdose_rates, nchs_state_drug_poisoning)


def refresh_one(module: ModuleType, settings: socrata.Settings, out: TextIO | None = None) -> int:
    """Fetch, tidy and store one source; returns the number of rows stored. Raises on any failure."""
    out = out or sys.stdout

    def progress(pages: int, rows: int) -> None:
        print(f"  {module.TABLE}: page {pages}, {rows:,} rows", file=out, flush=True)

    fetched = socrata.fetch(module.DATASET_ID, settings, progress=progress)
    records = fetched.records
    if not records:
        raise SchemaError(f"{module.DATASET_ID}: the server returned no rows; keeping the previous copy")
    try:
        frame = module.tidy(records)
    except (KeyError, ValueError, TypeError, AttributeError) as err:  # a value that does not parse: name the dataset
        if isinstance(err, SchemaError):
            raise
        raise SchemaError(f"{module.DATASET_ID}: a record did not fit the contract ({err!r})") from err
    meta = {
        "title": module.SOURCE.title,
        "dataset_id": module.DATASET_ID,
        "origin": fetched.requested_url,
        "fetched_from": fetched.final_url,
        "pages": fetched.pages,
        "bytes": fetched.bytes,
        "source_rows": len(records),
        "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    publish_table(module.TABLE, frame, cache_dir(), meta)
    return len(frame)


def refresh(
    ids: list[str] | None, settings: socrata.Settings, out: TextIO | None = None, *, lock_wait: float = LOCK_WAIT
) -> int:
    """Refresh the chosen sources under the cache's lock; 0 when all succeeded, 1 when any failed (each failure
    named) or another refresh held the lock for ``lock_wait`` seconds, 2 for an unknown source."""
    out = out or sys.stdout
    chosen = [m for m in LIVE_SOURCES if not ids or m.TABLE in ids or m.DATASET_ID in ids]
    unknown = set(ids or []) - {m.TABLE for m in LIVE_SOURCES} - {m.DATASET_ID for m in LIVE_SOURCES}
    if unknown:
        known = ", ".join(f"{m.TABLE} ({m.DATASET_ID})" for m in LIVE_SOURCES)
        print(f"refresh: unknown source {sorted(unknown)}; known: {known}", file=out)
        return 2
    try:
        with cache_lock(cache_dir(), wait=lock_wait):
            return _refresh_locked(chosen, settings, out)
    except CacheBusy as err:
        print(f"refresh: not started, nothing changed: {err}", file=out, flush=True)
        return 1
    except OSError as err:  # the cache directory cannot be created or locked
        print(f"refresh: FAILED, previous copies kept: the cache directory cannot be used ({err})", file=out)
        return 1


def _refresh_locked(chosen: list[ModuleType], settings: socrata.Settings, out: TextIO) -> int:
    failed = []
    for module in chosen:
        print(f"{module.TABLE}: fetching {module.DATASET_ID} from {settings.base_url}", file=out, flush=True)
        try:
            rows = refresh_one(module, settings, out)
        except (socrata.SocrataError, SchemaError, KeyError, ValueError, OSError) as err:  # OSError: cache not writable
            failed.append(module.TABLE)
            print(f"{module.TABLE}: FAILED, previous copy kept: {err}", file=out, flush=True)
        else:
            print(f"{module.TABLE}: stored {rows:,} tidy rows in {cache_dir()}", file=out, flush=True)
    if failed:
        print(f"refresh: {len(failed)} of {len(chosen)} sources failed: {', '.join(failed)}", file=out)
        return 1
    return 0


def status(out: TextIO | None = None, now: datetime | None = None) -> int:
    """Print where each table comes from and how fresh it is."""
    out = out or sys.stdout
    print(f"{'table':<22} {'from':<17} {'retrieved at':<26} {'rows':>8} {'age':>6}", file=out)
    for name, load in catalog.TABLES.items():
        table = load()
        if "computed_at" in table.extra:  # a table this dashboard computes from the others
            where = "computed"
        else:
            where = "bundled snapshot" if table.from_snapshot else "live cache"
        stale = " STALE" if freshness.is_stale(table, now) else ""
        print(
            f"{name:<22} {where:<17} {table.retrieved_at.isoformat():<26} {len(table.data):>8,} "
            f"{freshness.age_days(table, now):>5}d{stale}",
            file=out,
        )
        if table.notice:
            print(f"  note: {table.notice}", file=out)
    return 0
