"""The freshest good copy of a refreshable CDC table, and the sentence that tells readers how fresh it is.

A table that ``python -m data_sources refresh`` can update is read from the cache directory when a valid
copy is there, otherwise from the bundled snapshot. Nothing here touches the network, so a page never waits
on CDC. Every fallback is said out loud: the returned :class:`Table` carries a ``notice`` for the reader. A
cached copy is valid when its sidecar, checksum, contract and value checks all pass
(:func:`data_sources.snapshot.read_table`); notices name the problem but no directory of the server.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from data_sources.schema import SchemaError, Source, Table
from data_sources.snapshot import SNAPSHOT_DIR, cache_dir, has_table, read_table, where


def load_freshest(name: str, sources: tuple[Source, ...], *, now: datetime | None = None) -> Table:
    """``name`` from the live cache if present and valid, else from the bundled snapshot, with a notice.

    A cached copy that fails its checksum or the contract is not used; the notice says so and names the
    problem, and ``python -m data_sources refresh`` replaces it.
    """
    problem = None
    cache = cache_dir()
    if has_table(name, cache):
        try:
            stored = read_table(name, cache)
        except (SchemaError, ValueError, KeyError, OSError) as err:  # JSONDecodeError is a ValueError
            reason = str(err).replace(str(cache.resolve()), "").replace(str(cache), "").lstrip("/")
            problem = f"The refreshed copy could not be used ({reason}); showing the bundled snapshot."
        else:
            extra = {"origin": f"refresh cache: {stored.path.name} of {stored.retrieved_at:%Y-%m-%d %H:%M}"}
            fetched = stored.meta.get("fetched_from")
            if isinstance(fetched, str) and fetched:
                extra["fetched_from"] = fetched
            table = Table(name, stored.data, sources, stored.retrieved_at, from_snapshot=False, extra=extra)
            return _with_staleness(table, now)
    stored = read_table(name, SNAPSHOT_DIR)
    notice = problem or (
        "These figures are the copy that ships with this dashboard; CDC may have published newer ones since."
    )
    table = Table(
        name,
        stored.data,
        sources,
        stored.retrieved_at,
        from_snapshot=True,
        notice=notice,
        extra={"origin": where(stored.path)},
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


def staleness(table: Table, now: datetime | None = None) -> str:
    """'That is 45 days old; the publisher updates about every 31 days, ...' when stale, else ''."""
    if not is_stale(table, now):
        return ""
    return (
        f"That is {age_days(table, now)} days old; the publisher updates about every {update_days(table)} days, "
        "so newer figures probably exist."
    )


def as_of_sentence(table: Table, now: datetime | None = None) -> str:
    """'Data as of 3 Oct 2026 (CDC NCHS; live copy).' plus a staleness sentence where it applies."""
    publishers = ", ".join(dict.fromkeys(s.publisher for s in table.sources))
    where = "bundled snapshot" if table.from_snapshot else "live copy"
    text = f"Data as of {table.retrieved_at:%d %b %Y} ({publishers}; {where})."
    stale = staleness(table, now)
    return f"{text} {stale}" if stale else text


def _with_staleness(table: Table, now: datetime | None) -> Table:
    stale = staleness(table, now)
    if not stale:
        return table
    return dataclasses.replace(table, notice=f"{table.notice} {stale}" if table.notice else stale)
