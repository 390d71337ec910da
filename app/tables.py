"""Display tables: the rows behind a chart, as a reader sees them under it.

One function for every chart's rows (national trend, states, ranks, groups, risk figures, uploads): the columns
a reader needs, in one order, with readable headers and titles instead of keys, each value rounded to its
measure's decimals. The labels and decimals come from the data dictionary (``data_sources.dictionary``), so a
table, a hover and a sentence show the same figure the same way. The CSV download keeps the tidy rows.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from data_sources import dictionary
from data_sources.risk import QUESTIONS, STATISTICS

#: The order of columns in every display table; a column shows only when the rows have it.
ORDER: tuple[str, ...] = (
    "rank",
    "status",
    "question",
    "factor",
    "comparison",
    "outcome",
    "statistic",
    "geo_name",
    "geo_code",
    "year",
    "period_end_date",
    "period_months",
    "drug",
    "measure",
    "sex",
    "age_group",
    "race_ethnicity",
    "value",
    "value_lower",
    "value_upper",
    "previous_value",
    "percent_change",
    "unit",
    "population",
    "period",
    "value_flag",
    "provenance",
    "source_id",
    "source_detail",
)

#: Columns only some views add (ranks, changes); the dictionary labels the contract's own columns.
VIEW_LABELS: dict[str, str] = {
    "rank": "Rank",
    "status": "Status",
    "previous_value": "Year-earlier count",
    "percent_change": "Change on a year earlier (%)",
}

#: How keys in a column read on screen.
_TITLES: dict[str, Callable[[str], str | None]] = {
    "drug": dictionary.drug_title,
    "measure": dictionary.measure_title,
    "question": QUESTIONS.get,
    "statistic": lambda s: STATISTICS[s]["label"],
}


def label(column: str) -> str:
    """The header a reader sees for a column."""
    return VIEW_LABELS.get(column) or dictionary.COLUMN_LABELS.get(column, column)


#: Columns that say what every row is about; one that holds the same value in every row is left out of the
#: display table (the chart's title already says it), so the table shows what differs.
CONTEXT = ("year", "period_end_date", "period_months", "drug", "measure", "sex", "age_group", "race_ethnicity")


def display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (tidy, ranked, a change table or risk figures) as the table a reader sees under a chart."""
    same = {c for c in CONTEXT if c in rows and len(rows) > 1 and rows[c].nunique(dropna=False) == 1}
    out = rows[[c for c in ORDER if c in rows and c not in same]].copy()
    if "measure" in out:
        decimals = [_decimals(str(m)) for m in out["measure"]]
        for col in ("value", "value_lower", "value_upper", "previous_value"):
            if col in out:
                rounded = [_round(v, d) for v, d in zip(out[col], decimals, strict=True)]
                out[col] = pd.Series(rounded, index=out.index, dtype="object")
    if "percent_change" in out:
        out["percent_change"] = out["percent_change"].astype("Float64").round(1)
    for col, title in _TITLES.items():
        if col in out:
            out[col] = [title(str(key)) for key in out[col]]
    if "period_end_date" in out:
        out["period_end_date"] = pd.to_datetime(out["period_end_date"]).dt.strftime("%Y-%m-%d")
    return out.rename(columns={c: label(c) for c in out.columns})


def _decimals(measure: str) -> int | None:
    term = dictionary.MEASURES.get(measure)
    return None if term is None else term.decimals


def _round(value: float | None, decimals: int | None) -> float | int | None:
    """A value at its measure's decimals: a count is 1960, not 1960.0; a rate keeps one decimal."""
    if value is None or pd.isna(value):
        return None
    if decimals is None:
        return float(value)
    return round(float(value), decimals) if decimals else round(float(value))


SEGMENT_LABELS = {
    "series": "Series",
    "drug": "Drug",
    "measure": "Measure",
    "start_year": "From",
    "end_year": "To",
    "apc": "Change a year (%)",
    "apc_lower": "95% CI low",
    "apc_upper": "95% CI high",
    "is_significant": "Clear change",
}


def segment_table(segments: pd.DataFrame) -> pd.DataFrame:
    """Joinpoint segments as a reader sees them: the series' name (place, group or kind of visit) when the view
    gave one, drug and measure titles, percents to one decimal."""
    out = segments[[c for c in SEGMENT_LABELS if c in segments]].copy()
    for col in ("apc", "apc_lower", "apc_upper"):
        out[col] = out[col].astype(float).round(1)
    out["drug"] = [dictionary.drug_title(str(d)) for d in out["drug"]]
    out["measure"] = [dictionary.measure_title(str(m)) for m in out["measure"]]
    out["is_significant"] = ["yes" if s else "no: within normal variation" for s in out["is_significant"]]
    return out.rename(columns=SEGMENT_LABELS)


REVISION_LABELS = {
    "year": "Year",
    "drug": "Drug",
    "final_deaths": "Final count",
    "provisional_deaths": "Provisional count",
    "predicted_deaths": "Predicted count",
    "provisional_percent": "Provisional vs final (%)",
    "predicted_percent": "Predicted vs final (%)",
    "status": "Compared",
}


def revision_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Provisional against final counts as a reader sees them (``data_sources.revisions``)."""
    out = rows[list(REVISION_LABELS)].copy()
    for col in ("provisional_percent", "predicted_percent"):
        out[col] = out[col].astype("Float64").round(1)
    out["drug"] = [dictionary.drug_title(str(d)) for d in out["drug"]]
    return out.rename(columns=REVISION_LABELS)


def county_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Counties with their published range (never a single number) and population."""
    out = pd.DataFrame(
        {
            "County": rows["geo_name"],
            "FIPS": rows["geo_code"],
            "Deaths per 100,000 (model-based range)": rows["range_label"],
            "Population": [None if pd.isna(p) else round(float(p)) for p in rows["population"]],
        }
    )
    return out.reset_index(drop=True)
