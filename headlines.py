"""Headline figures computed from a tidy national table: fold changes, sums over years, latest totals.

Pure functions (no streamlit). Each returns the numbers it used, so a card can show its working and a test
can check the arithmetic, and refuses, with a reason a reader can understand, when a cell it needs is
missing, suppressed or unreliable.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_sources.dictionary import DRUGS, MEASURES
from data_sources.schema import MISSING_REASON_FLAGS, split_flags


class FigureUnavailable(ValueError):
    """A figure cannot be computed from the table; the message says which cell and why."""


@dataclass(frozen=True)
class Cell:
    """One national value with its provenance."""

    drug: str
    measure: str
    year: int
    value: float
    source_id: str
    flags: tuple[str, ...]

    @property
    def is_secondary(self) -> bool:
        return "secondary_source" in self.flags


@dataclass(frozen=True)
class FoldChange:
    start: Cell
    end: Cell

    @property
    def ratio(self) -> float:
        return self.end.value / self.start.value

    def label(self) -> str:
        """'7.2x' (one decimal below 100, none above)."""
        return f"{self.ratio:.1f}x" if self.ratio < 100 else f"{self.ratio:,.0f}x"

    def sentence(self) -> str:
        """A sentence a journalist can paste, with both figures and the years."""
        what = _what(self.start.drug, self.start.measure)
        unit = _unit_words(self.start.measure)
        direction = "higher" if self.ratio >= 1 else "lower"
        times = f"{self.ratio:.1f} times" if self.ratio >= 1 else f"{1 / self.ratio:.1f} times"
        return (
            f"In the United States, {what} were {times} {direction} in {self.end.year} than in {self.start.year} "
            f"({_fmt(self.end)} vs {_fmt(self.start)}{unit})."
        )


@dataclass(frozen=True)
class YearSum:
    cells: tuple[Cell, ...]

    @property
    def total(self) -> float:
        return sum(c.value for c in self.cells)

    @property
    def years(self) -> tuple[int, int]:
        return self.cells[0].year, self.cells[-1].year


def cell(data: pd.DataFrame, *, drug: str, year: int, measure: str = "deaths") -> Cell:
    """The national, all-people value for one drug, year and measure, or :class:`FigureUnavailable`."""
    if drug not in DRUGS:
        raise FigureUnavailable(f"Unknown drug {drug!r}.")
    if measure not in MEASURES:
        raise FigureUnavailable(f"Unknown measure {measure!r}.")
    rows = data[
        (data["geo_code"] == "US")
        & (data["drug"] == drug)
        & (data["measure"] == measure)
        & (data["year"] == year)
        & (data["sex"] == "all")
        & (data["age_group"] == "all")
        & (data["race_ethnicity"] == "all")
    ]
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
    return Cell(drug, measure, int(year), float(row["value"]), str(row["source_id"]), flags)


def fold_change(data: pd.DataFrame, *, drug: str, start: int, end: int, measure: str = "deaths") -> FoldChange:
    """How many times larger ``measure`` was in ``end`` than in ``start`` for ``drug`` (US)."""
    if start == end:
        raise FigureUnavailable("Choose two different years.")
    first = cell(data, drug=drug, year=start, measure=measure)
    last = cell(data, drug=drug, year=end, measure=measure)
    if first.value <= 0:
        raise FigureUnavailable(f"The {start} figure is zero, so a ratio is not defined.")
    return FoldChange(first, last)


def year_sum(data: pd.DataFrame, *, drug: str, start: int, end: int, measure: str = "deaths") -> YearSum:
    """Sum of a count over every year from ``start`` to ``end``; refuses if any year is missing.

    Only counts of distinct calendar years can be summed; rates and percentages cannot.
    """
    if MEASURES[measure].unit != "deaths":
        raise FigureUnavailable(f"{MEASURES[measure].title} cannot be added up over years; only counts can.")
    cells = tuple(cell(data, drug=drug, year=y, measure=measure) for y in range(start, end + 1))
    return YearSum(cells)


def latest_cell(data: pd.DataFrame, *, drug: str = "all_drugs", measure: str = "deaths") -> Cell:
    """The most recent year with a usable national value."""
    rows = data[(data["geo_code"] == "US") & (data["drug"] == drug) & (data["measure"] == measure)]
    years = sorted(rows.dropna(subset=["value"])["year"].astype(int), reverse=True)
    if not years:
        raise FigureUnavailable(f"No {DRUGS[drug].title} {MEASURES[measure].title.lower()} in the table.")
    return cell(data, drug=drug, year=years[0], measure=measure)


def available_years(data: pd.DataFrame, *, drug: str, measure: str = "deaths") -> list[int]:
    rows = data[(data["geo_code"] == "US") & (data["drug"] == drug) & (data["measure"] == measure)]
    return sorted(int(y) for y in rows.dropna(subset=["value"])["year"].unique())


def _what(drug: str, measure: str) -> str:
    involving = f"overdose deaths involving {DRUGS[drug].title.lower()}"
    subject = "drug overdose deaths" if drug == "all_drugs" else involving
    if measure == "deaths":
        return subject
    return f"age-adjusted death rates for {subject}" if measure == "age_adjusted_rate_per_100k" else subject


def _fmt(c: Cell) -> str:
    return f"{c.value:,.0f}" if c.measure == "deaths" else f"{c.value:,.1f}"


def _unit_words(measure: str) -> str:
    return "" if measure == "deaths" else " per 100,000"
