"""Headline figures computed from a tidy national table: fold changes and sums over years.

The cells they read come from ``data_sources.query`` (``cell``, ``latest_cell``, ``available_years``, re-exported
here for the pages), which refuses a missing, suppressed or unreliable value with a reason.

Pure functions (no streamlit). Each returns the numbers it used, so a card can show its working and a test
can check the arithmetic, and refuses, with a reason a reader can understand, when a cell it needs is
missing, suppressed or unreliable.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_sources.dictionary import DRUGS, MEASURES
from data_sources.query import Cell, FigureUnavailable, available_years, cell, latest_cell


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
        # A ratio is "N times as many" (or "as high"): "N times higher" would mean N + 1 times as many.
        as_what = "as many" if self.start.measure == "deaths" else "as high"
        if self.ratio >= 1:
            comparison = f"{self.ratio:.1f} times {as_what} in {self.end.year} as in {self.start.year}"
        else:
            comparison = f"{1 / self.ratio:.1f} times {as_what} in {self.start.year} as in {self.end.year}"
        return f"In the United States, {what} were {comparison} ({_fmt(self.end)} vs {_fmt(self.start)}{unit})."


@dataclass(frozen=True)
class YearSum:
    cells: tuple[Cell, ...]

    @property
    def total(self) -> float:
        return sum(c.value for c in self.cells)

    @property
    def years(self) -> tuple[int, int]:
        return self.cells[0].year, self.cells[-1].year


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


def lead_sentence(data: pd.DataFrame) -> str:
    """'In 2023, 105,007 people died of a drug overdose in the United States: 6.2 times as many as in 1999.'"""
    latest = latest_cell(data, drug="all_drugs")
    first = available_years(data, drug="all_drugs")[0]
    fold = fold_change(data, drug="all_drugs", start=first, end=latest.year)
    return (
        f"In {latest.year}, {latest.value:,.0f} people died of a drug overdose in the United States: "
        f"{fold.ratio:.1f} times as many as in {first}."
    )


__all__ = [
    "Cell",
    "FigureUnavailable",
    "FoldChange",
    "YearSum",
    "available_years",
    "cell",
    "fold_change",
    "latest_cell",
    "lead_sentence",
    "year_sum",
]
