"""Tables this dashboard computes from the published ones: trend segments and provisional-vs-final counts.

They are offered beside the publishers' tables (catalog, export, data package) so analysts get the same numbers
the pages show, but they are never mistaken for a publisher's figures: each says in its schema that it was
computed here, and cites the tables it was computed from.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from data_sources import nchs_national_final, nchs_vsrr, revisions, trends
from data_sources.dictionary import PROVISIONAL_VS_FINAL, TREND_SEGMENTS
from data_sources.schema import Table, validate

SEGMENTS_TABLE = TREND_SEGMENTS.name
REVISIONS_TABLE = PROVISIONAL_VS_FINAL.name
#: The national series whose trends are fitted: every drug with deaths or age-adjusted rates.
MEASURES = ("deaths", "age_adjusted_rate_per_100k")


def segments(national: Table) -> pd.DataFrame:
    """Joinpoint segments of every national series in national_final (series too short or broken are left out,
    as the fit itself reports). A state's segments come from ``python -m data_sources trend --table
    state_drug_poisoning --geo FIPS ...`` and the States page."""
    parts = []
    for measure in MEASURES:
        for drug in sorted(set(national.data.loc[national.data["measure"] == measure, "drug"])):
            parts.append(_fit(national, drug=drug, measure=measure, geo_code="US"))
    found = [p for p in parts if p is not None]
    return pd.concat(found, ignore_index=True)[list(TREND_SEGMENTS.columns)]


def _fit(table: Table, *, drug: str, measure: str, geo_code: str) -> pd.DataFrame | None:
    result = trends.trend(table.data, drug=drug, measure=measure, geo_code=geo_code, table=table.name)
    if isinstance(result, trends.NoTrend):
        return None
    return result.segments.assign(table=table.name)


def load_segments() -> Table:
    """The trend segments table, computed from the freshest copy of national_final."""
    national = nchs_national_final.load()
    return _table(SEGMENTS_TABLE, segments(national), [national])


def load_revisions() -> Table:
    """CDC's provisional December counts against the final counts, every drug with both (nation)."""
    vsrr, national = nchs_vsrr.load(), nchs_national_final.load()
    rows = revisions.compare_provisional_final(vsrr.data, national.data)
    return _table(REVISIONS_TABLE, rows[list(PROVISIONAL_VS_FINAL.columns)], [vsrr, national])


def _table(name: str, frame: pd.DataFrame, sources: list[Table]) -> Table:
    schema = TREND_SEGMENTS if name == SEGMENTS_TABLE else PROVISIONAL_VS_FINAL
    cited = tuple(dict.fromkeys(s for table in sources for s in table.sources))
    return Table(
        name=name,
        data=validate(frame, schema, table=name),
        sources=cited,
        retrieved_at=max(table.retrieved_at for table in sources),
        from_snapshot=all(table.from_snapshot for table in sources),
        schema=schema,
        extra={"computed_at": datetime.now().astimezone().isoformat(timespec="seconds")},
    )
