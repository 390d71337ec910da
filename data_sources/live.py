"""The freshest good copy of a live CDC table, and the sentence that tells readers how fresh it is.

A table that ``python -m data_sources refresh`` can update is read from the cache directory when a valid
copy is there, otherwise from the bundled snapshot. Nothing here touches the network, so a page never waits
on CDC. Every fallback is said out loud: the returned :class:`Table` carries a ``notice`` for the reader.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from data_sources.schema import SchemaError, Source, Table
from data_sources.snapshot import SNAPSHOT_DIR, cache_dir, data_path, read_table


def load_freshest(name: str, sources: tuple[Source, ...], *, now: datetime | None = None) -> Table:
    """``name`` from the live cache if present and valid, else from the bundled snapshot, with a notice.

    A cached copy that fails its checksum or the contract is not used; the notice says so and names the
    problem, and ``python -m data_sources refresh`` replaces it.
    """
    problem = None
    cache = cache_dir()
    if data_path(name, cache).exists():
        try:
            stored = read_table(name, cache)
        except (SchemaError, ValueError, KeyError, OSError) as err:  # JSONDecodeError is a ValueError
            problem = f"The refreshed copy in {cache} could not be used ({err}); showing the bundled snapshot."
        else:
            table = Table(
                name, stored.data, sources, stored.retrieved_at, from_snapshot=False, extra={"origin": str(stored.path)}
            )
            return _with_staleness(table, now)
    stored = read_table(name, SNAPSHOT_DIR)
    notice = problem or (
        "These figures come from the snapshot bundled with the dashboard; run `make refresh` for CDC's latest."
    )
    table = Table(
        name,
        stored.data,
        sources,
        stored.retrieved_at,
        from_snapshot=True,
        notice=notice,
        extra={"origin": str(stored.path)},
    )
    return _with_staleness(table, now)


def age_days(table: Table, now: datetime | None = None) -> int:
    """Whole days since the table was retrieved."""
    now = now or datetime.now(UTC)
    retrieved = table.retrieved_at if table.retrieved_at.tzinfo else table.retrieved_at.replace(tzinfo=UTC)
    return max(0, (now - retrieved).days)


def update_days(table: Table) -> int | None:
    """The shortest update cycle of the table's sources (None when every source is final)."""
    cycles = [s.update_days for s in table.sources if s.update_days]
    return min(cycles) if cycles else None


def is_stale(table: Table, now: datetime | None = None) -> bool:
    """Older than its publisher's update cycle, so newer figures probably exist."""
    cycle = update_days(table)
    return cycle is not None and age_days(table, now) > cycle


def freshness(table: Table, now: datetime | None = None) -> str:
    """'Data as of 3 Oct 2026 (CDC NCHS, live copy).' plus a staleness clause where it applies."""
    publishers = ", ".join(dict.fromkeys(s.publisher for s in table.sources))
    where = "bundled snapshot" if table.from_snapshot else "live copy"
    text = f"Data as of {table.retrieved_at:%d %b %Y} ({publishers}; {where})."
    if is_stale(table, now):
        text += (
            f" That is {age_days(table, now)} days old; the publisher updates about every "
            f"{update_days(table)} days, so newer figures probably exist."
        )
    return text


def _with_staleness(table: Table, now: datetime | None) -> Table:
    if not is_stale(table, now):
        return table
    clause = freshness(table, now).split(").", 1)[1].strip()
    notice = f"{table.notice} {clause}" if table.notice else clause
    return Table(table.name, table.data, table.sources, table.retrieved_at, table.from_snapshot, notice, table.extra)


def records_from_csv_export(path: Path, fields: Mapping[str, str]) -> list[dict[str, str]]:
    """Rows of a data.cdc.gov CSV export as SODA JSON records: ``fields`` maps CSV headers to API field names.

    Lets the bundled snapshot be built from a CSV export through the same ``tidy`` as a live API fetch.
    Raises SchemaError naming the headers that are missing.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [h for h in fields if h not in (reader.fieldnames or [])]
        if missing:
            raise SchemaError(f"{path.name}: CSV headers missing: {missing}; found {reader.fieldnames}")
        return [{fields[h]: row[h] for h in fields} for row in reader]


def read_json_records(path: Path) -> list[dict]:
    """A recorded SODA JSON response (a list of records)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise SchemaError(f"{path.name}: expected a JSON list of records, got {type(records).__name__}")
    return records


def parse_number(text: object) -> float | None:
    """A SODA/CSV cell as a number: '13,051' -> 13051.0, '3.8521' -> 3.8521, '' or None -> None."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    cleaned = str(text).replace(",", "").strip()
    return float(cleaned) if cleaned else None


def records_frame(
    records: list[dict],
    fields: tuple[str, ...],
    dataset_id: str,
    *,
    keys: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> pd.DataFrame:
    """SODA records as a frame with every one of ``fields`` as a column (missing cells are None).

    SODA leaves a field out of a record when its value is null, so a field may be absent from some records,
    and an ``optional`` one (a footnote, a flag) from all of them. A required field absent from every record
    means the dataset renamed it: SchemaError naming what is missing and what came instead. A record without
    one of its ``keys`` (place, period, drug) cannot be placed anywhere: SchemaError saying which field and how
    many records, rather than dropping them quietly.
    """
    raw = pd.DataFrame.from_records(records)
    missing = [f for f in fields if f not in raw.columns and f not in optional]
    if missing:
        raise SchemaError(
            f"{dataset_id}: fields missing from the response: {missing}; found {sorted(raw.columns)}. "
            "The dataset may have renamed its columns."
        )
    raw = raw.reindex(columns=[*raw.columns, *(f for f in optional if f not in raw.columns)])
    raw = raw.astype(object).where(raw.notna(), None)
    for key in keys:
        blank = raw[key].map(lambda v: v is None or not str(v).strip())
        if blank.any():
            first = int(blank.to_numpy().nonzero()[0][0])
            raise SchemaError(
                f"{dataset_id}: {int(blank.sum()):,} of {len(raw):,} records have no {key!r} (first: record "
                f"{first}); a record without it cannot be placed, so none of the response was used."
            )
    return raw
