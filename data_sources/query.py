"""Row selections over the tidy contract, shared by every layer that reads a tidy table.

Pure functions on a tidy frame (:data:`data_sources.schema.COLUMNS`): which rows are "everyone" (no
breakdown by sex, age or race), the national series of one drug and measure, and one national figure as a
:class:`Cell` with its provenance. :func:`cell` refuses, with a sentence a reader can understand, a figure that
is absent, duplicated, withheld (suppressed, low quality, ...) or marked unreliable by its publisher, so a
headline or a claim check never computes with a number the publisher did not stand behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from data_sources.dictionary import BREAKDOWN_ALL, DRUGS, MEASURES, MISSING_REASON_FLAGS
from data_sources.schema import split_flags

NATION = "US"


class FigureUnavailable(ValueError):
    """A figure cannot be computed from the table; the message says which cell and why."""


@dataclass(frozen=True)
class Cell:
    """One national value with its provenance: where it was read and how directly."""

    drug: str
    measure: str
    year: int
    value: float
    source_id: str
    flags: tuple[str, ...]
    provenance: str = "primary"

    @property
    def is_secondary(self) -> bool:
        """Read in a text quoting the publisher rather than in the publisher's own table."""
        return "secondary_source" in self.flags or self.provenance == "secondary"


def everyone(data: pd.DataFrame) -> pd.Series:
    """Boolean mask: rows not broken down by sex, age group or race and Hispanic origin."""
    mask = data["sex"] == BREAKDOWN_ALL
    for column in ("age_group", "race_ethnicity"):
        mask &= data[column] == BREAKDOWN_ALL
    return mask.astype(bool)


def national(data: pd.DataFrame, *, drug: str, measure: str, years: Iterable[int] | None = None) -> pd.DataFrame:
    """The nation's rows for everyone, for one drug and measure (optionally only ``years``), in year order."""
    mask = (data["geo_code"] == NATION) & (data["drug"] == drug) & (data["measure"] == measure) & everyone(data)
    if years is not None:
        mask &= data["year"].isin(list(years))
    return data[mask.fillna(False).astype(bool)].sort_values("year", kind="stable")


def cell(data: pd.DataFrame, *, drug: str, year: int, measure: str = "deaths") -> Cell:
    """The national, all-people value for one drug, year and measure, or :class:`FigureUnavailable`."""
    if drug not in DRUGS:
        raise FigureUnavailable(f"Unknown drug {drug!r}.")
    if measure not in MEASURES:
        raise FigureUnavailable(f"Unknown measure {measure!r}.")
    rows = national(data, drug=drug, measure=measure, years=[year])
    what = f"{DRUGS[drug].title} {MEASURES[measure].title.lower()} for {year}"
    if rows.empty:
        raise FigureUnavailable(f"No sourced figure for {what}: the table has no value for that year.")
    if len(rows) > 1:
        raise FigureUnavailable(f"{len(rows)} different figures for {what}; expected one.")
    row = rows.iloc[0]
    flags = tuple(split_flags(row["value_flag"]))
    if pd.isna(row["value"]):
        reasons = ", ".join(f for f in flags if f in MISSING_REASON_FLAGS) or "missing"
        raise FigureUnavailable(f"The figure for {what} is not available ({reasons}), so it cannot be compared.")
    if "unreliable" in flags:
        raise FigureUnavailable(f"The figure for {what} is marked unreliable by its publisher.")
    return Cell(
        drug, measure, int(year), float(row["value"]), str(row["source_id"]), flags, provenance=str(row["provenance"])
    )


def available_years(data: pd.DataFrame, *, drug: str, measure: str = "deaths") -> list[int]:
    """Years with a national, all-people value (not a withheld blank) for ``drug`` and ``measure``."""
    rows = national(data, drug=drug, measure=measure)
    return sorted(int(y) for y in rows.dropna(subset=["value"])["year"].unique())


def latest_cell(data: pd.DataFrame, *, drug: str = "all_drugs", measure: str = "deaths") -> Cell:
    """The most recent year with a usable national value."""
    years = available_years(data, drug=drug, measure=measure)
    if not years:
        raise FigureUnavailable(f"No {DRUGS[drug].title} {MEASURES[measure].title.lower()} in the table.")
    return cell(data, drug=drug, year=years[-1], measure=measure)
