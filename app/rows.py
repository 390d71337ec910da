"""Row selections the view layer makes over the tidy contract: which rows a chart, sentence or table shows.

Pure functions of a tidy frame (``data_sources.schema``). Missing values stay missing: a selection never
fills a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from app.charts.style import DRUG_ORDER
from data_sources.dictionary import drug_title


def drug_choices(data: pd.DataFrame, measure: str = "deaths") -> list[str]:
    """Drug keys that have at least one value for ``measure``, in the dashboard's standard order."""
    present = set(data.loc[(data["measure"] == measure) & data["value"].notna(), "drug"])
    return [d for d in DRUG_ORDER if d in present]


def trend_drug_choices(data: pd.DataFrame, measures: Sequence[str]) -> list[str]:
    """Drug keys with a value for any of ``measures``: one list of options whatever measure is shown, so a
    reader's selection (and a permalink) survives switching between counts and rates."""
    present = set(data.loc[data["measure"].isin(list(measures)) & data["value"].notna(), "drug"])
    return [d for d in DRUG_ORDER if d in present]


def missing_series(data: pd.DataFrame, *, drugs: Sequence[str], measure: str) -> list[str]:
    """Chosen drugs with no national value for ``measure`` (named under the chart, never drawn as zero)."""
    present = set(national_series(data, drugs=drugs, measure=measure).dropna(subset=["value"])["drug"])
    return [d for d in drugs if d not in present]


def national_series(
    data: pd.DataFrame, *, drugs: Sequence[str], measure: str, years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """The national rows a trend chart shows: chosen drugs and measure, within ``years``, sorted."""
    rows = data[(data["geo_code"] == "US") & (data["measure"] == measure) & data["drug"].isin(list(drugs))]
    rows = rows[everyone(rows)]
    if years is not None:
        rows = rows[rows["year"].between(years[0], years[1])]
    return rows.sort_values(["drug", "year"]).reset_index(drop=True)


def value_at(data: pd.DataFrame, *, drug: str, year: int, measure: str = "deaths") -> pd.Series | None:
    """The single national row for (drug, year, measure), or None when there is none."""
    rows = national_series(data, drugs=[drug], measure=measure, years=(year, year))
    if rows.empty:
        return None
    if len(rows) > 1:
        raise ValueError(f"{len(rows)} rows for {drug} {measure} {year}; expected one")
    return rows.iloc[0]


def state_rows(
    data: pd.DataFrame,
    *,
    measure: str,
    year: int | None = None,
    drug: str = "all_drugs",
    period_end_date: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One value per state and DC for a drug, measure and period (a year, or a 12-month-ending period)."""
    rows = data[(data["geo_level"] == "state") & (data["measure"] == measure) & (data["drug"] == drug)]
    rows = rows[everyone(rows)]
    if year is not None:
        rows = rows[(rows["year"] == year) & (rows["period_end_date"].dt.month == 12)]
    if period_end_date is not None:
        rows = rows[rows["period_end_date"] == pd.Timestamp(period_end_date)]
    return rows.sort_values("geo_name").reset_index(drop=True)


def state_trend_rows(
    data: pd.DataFrame, *, geo_codes: Sequence[str], measure: str, drug: str = "all_drugs", include_nation: bool = True
) -> pd.DataFrame:
    """The rows a state trend chart shows: chosen states (and the nation), one drug and measure, all years."""
    codes = list(dict.fromkeys([*geo_codes, *(["US"] if include_nation else [])]))
    rows = data[data["geo_code"].isin(codes) & (data["measure"] == measure) & (data["drug"] == drug)]
    rows = rows[everyone(rows)]
    return rows.sort_values(["geo_code", "period_end_date"]).reset_index(drop=True)


#: The breakdowns the demographics page offers, and the column each lives in.
BREAKDOWNS = {"sex": "Sex", "age_group": "Age group", "race_ethnicity": "Race and Hispanic origin"}


def demographic_rows(
    data: pd.DataFrame, *, drug: str, by: str, measure: str, years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """National rows broken down by one of sex, age group or race and Hispanic origin (the others "all")."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; choose one of {list(BREAKDOWNS)}")
    rows = data[(data["geo_code"] == "US") & (data["drug"] == drug) & (data["measure"] == measure)]
    for col in BREAKDOWNS:
        rows = rows[rows[col] != "all"] if col == by else rows[rows[col] == "all"]
    if years is not None:
        rows = rows[rows["year"].between(years[0], years[1])]
    return rows.sort_values([by, "year"]).reset_index(drop=True)


def group_order(values: Iterable[str], by: str) -> list[str]:
    groups = sorted(set(values))
    if by == "age_group":  # numeric order of bands: "0-14" < "15-24" < ... < "75+"/"85+"
        return sorted(groups, key=lambda g: int("".join(ch for ch in g.split("-")[0] if ch.isdigit()) or 0))
    return groups


# Generic charts for a tidy table the reader brings (a CDC WONDER export), where the series are whatever the
# query grouped by: places, sexes, age groups... rather than the dashboard's fixed drug list.
_SERIES_COLUMNS = ("geo_name", "drug", "sex", "age_group", "race_ethnicity")


def upload_series_labels(rows: pd.DataFrame) -> pd.Series:
    """A readable series name per row, from the columns that vary (place, drug, sex, age, race, other groups).

    Group-by values the tidy contract has no column for live in ``source_detail``; the parts of it that differ
    between rows are added to the name so two series never share one.
    """
    parts: list[pd.Series] = []
    for col in _SERIES_COLUMNS:
        if rows[col].nunique() > 1:
            values = rows[col].astype(str)
            parts.append(values.map(drug_title) if col == "drug" else values)
    if rows["source_detail"].nunique() > 1:
        split = rows["source_detail"].astype(str).str.split("; ")
        common = set.intersection(*(set(p) for p in split))
        parts.append(split.map(lambda p: "; ".join(x for x in p if x not in common)))
    if not parts:
        return pd.Series(rows["geo_name"].astype(str), index=rows.index)
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label


def upload_series_choices(rows: pd.DataFrame, *, measure: str) -> list[str]:
    """Series names of a measure, largest total first (missing values count as nothing, never as zero)."""
    shown = rows[rows["measure"] == measure]
    totals = shown.assign(series=upload_series_labels(shown)).groupby("series")["value"].sum(min_count=1)
    return list(totals.fillna(-1).sort_values(ascending=False, kind="stable").index)


def upload_rows(rows: pd.DataFrame, *, measure: str, series: Sequence[str]) -> pd.DataFrame:
    """The rows an upload chart shows: one measure, the chosen series (named in a ``series`` column)."""
    part = rows[rows["measure"] == measure]
    part = part.assign(series=upload_series_labels(part))
    return part[part["series"].isin(list(series))]


def everyone(data: pd.DataFrame) -> pd.Series:
    """Mask of rows not broken down by sex, age group or race and Hispanic origin."""
    return (data["sex"] == "all") & (data["age_group"] == "all") & (data["race_ethnicity"] == "all")


def nation_row(data: pd.DataFrame, *, measure: str, year: int, drug: str = "all_drugs") -> pd.DataFrame:
    """The United States row (all people) for a measure and year: zero or one row."""
    mask = (data["geo_code"] == "US") & (data["measure"] == measure) & (data["year"] == year) & everyone(data)
    return data[mask & (data["drug"] == drug)]


def question_rows(data: pd.DataFrame, question: str) -> pd.DataFrame:
    """The risk figures that answer one question (risk table), in table order."""
    return data[data["question"] == question]


def risk_row(data: pd.DataFrame, risk_id: str) -> pd.Series:
    """One risk figure by its id (risk table); KeyError naming the id when there is none."""
    found = data[data["risk_id"] == risk_id]
    if len(found) != 1:
        raise KeyError(f"risk table has {len(found)} rows with risk_id {risk_id!r}; expected one")
    return found.iloc[0]


def underreported_after(
    data: pd.DataFrame, *, drug: str, geo_code: str, period_end: pd.Timestamp
) -> list[pd.Timestamp]:
    """12-month periods after ``period_end`` that CDC marks underreported (incomplete data), oldest first."""
    rows = data[
        (data["drug"] == drug)
        & (data["geo_code"] == geo_code)
        & (data["measure"] == "deaths")
        & (data["period_end_date"] > period_end)
        & everyone(data)
    ]
    flagged = rows[rows["value_flag"].fillna("").str.split(";").map(lambda parts: "underreported" in parts)]
    return sorted(pd.Timestamp(d) for d in flagged["period_end_date"].unique())


def county_rows(data: pd.DataFrame, *, state_fips: str, year: int, measure: str) -> pd.DataFrame:
    """One row per county of a state in a year: the modelled range's bounds and the county's population
    (NCHS model-based county table). Counties are those whose FIPS code starts with the state's."""
    rows = data[(data["geo_level"] == "county") & (data["year"] == year) & data["geo_code"].str.startswith(state_fips)]
    ranges = rows[rows["measure"] == measure][["geo_code", "geo_name", "value_lower", "value_upper", "value_flag"]]
    people = rows[rows["measure"] == "population"][["geo_code", "value"]].rename(columns={"value": "population"})
    return ranges.merge(people, on="geo_code", how="left").sort_values("geo_name").reset_index(drop=True)


def place_series(data: pd.DataFrame, *, geo_code: str, drug: str, measures: Sequence[str]) -> pd.DataFrame:
    """Yearly rows of one place and drug for some measures (all people), sorted by measure and year."""
    rows = data[
        (data["geo_code"] == geo_code)
        & (data["drug"] == drug)
        & data["measure"].isin(list(measures))
        & (data["period_months"] == 12)
        & everyone(data)
    ]
    return rows.sort_values(["measure", "year"]).reset_index(drop=True)
