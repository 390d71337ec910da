"""Statistics the states page states in words: ranks, state-vs-nation comparisons, change on a year earlier.

Pure functions on tidy frames (data_sources.schema), no streamlit. The rules they keep are the ones CDC and
NCHS ask readers to keep:
* a value the publisher withheld or marks unreliable is listed as such and left out of the ranks, never
  ranked as 0 or as the lowest;
* "higher" or "lower" than the nation is said only when the 95% confidence intervals do not overlap, a
  conservative test (overlapping intervals do not prove there is no difference, so we say "not clearly
  different", never "the same");
* a 12-month-ending provisional count (CDC VSRR) is compared only with the same 12-month-ending period a
  year earlier; such periods overlap month to month, so they are never summed or averaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from app.rows import everyone
from data_sources import change
from data_sources.dictionary import MISSING_REASON_FLAGS
from data_sources.schema import split_flags

#: Flags that keep a value out of the ranks: withheld values, and values the publisher calls unreliable,
#: low-quality or underreported (ranking them would rank the data problem, not the place).
UNRANKED_FLAGS: frozenset[str] = frozenset(MISSING_REASON_FLAGS | {"unreliable", "low_quality", "underreported"})

#: Reader-facing words for why a value is not ranked, most serious first.
_STATUS_WORDS = {
    "suppressed": "Suppressed: fewer than 10 deaths",
    "low_quality": "Not shown: low data quality",
    "unreliable": "Unreliable: too few deaths for a stable rate",
    "underreported": "Underreported: incomplete data",
    "not_applicable": "Not applicable",
    "missing": "Not reported",
}

Verdict = Literal["higher", "lower", "not distinguishable", "no interval"]


def unranked_reason(flag: str | None, value: float | None) -> str | None:
    """Why a value is left out of the ranks, in words, or None when it can be ranked."""
    flags = set(split_flags(flag))
    for key, words in _STATUS_WORDS.items():
        if key in flags and key in UNRANKED_FLAGS:
            return words
    if value is None or pd.isna(value):
        return "Not reported"
    return None


def rank_places(rows: pd.DataFrame) -> pd.DataFrame:
    """Rank places by ``value``, highest first (rank 1), leaving flagged and missing values out of the ranks.

    ``rows``: tidy rows for one drug, measure and period, one per place. Returns those rows sorted (ranked
    ones first, then the unranked by name) with ``rank`` (nullable Int64; ties share the better rank) and
    ``status`` ("Ranked" or the reason it is not). Raises ValueError when a place appears twice, because a
    rank over mixed periods or measures would be meaningless.
    """
    if rows["geo_code"].duplicated().any():
        dupes = sorted(rows.loc[rows["geo_code"].duplicated(), "geo_code"])
        raise ValueError(f"places appear more than once: {dupes}; rank one drug, measure and period at a time")
    out = rows.copy()
    reasons = [unranked_reason(f, v) for f, v in zip(out["value_flag"], out["value"], strict=True)]
    out["status"] = pd.Series([r or "Ranked" for r in reasons], index=out.index, dtype="string")
    rankable = out["status"] == "Ranked"
    ranks = out.loc[rankable, "value"].astype(float).rank(method="min", ascending=False)
    out["rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.loc[rankable, "rank"] = ranks.astype("Int64")
    out["_ranked"] = rankable
    out = out.sort_values(["_ranked", "rank", "geo_name"], ascending=[False, True, True], kind="stable")
    return out.drop(columns="_ranked").reset_index(drop=True)


@dataclass(frozen=True)
class Comparison:
    """A place's figure against the nation's, judged by their 95% confidence intervals."""

    verdict: Verdict
    sentence: str


def _fmt(x: float) -> str:
    return f"{x:,.1f}"


def compare_with_nation(place: pd.Series, nation: pd.Series, *, place_name: str | None = None) -> Comparison:
    """Is the place's rate higher than, lower than, or not distinguishable from the nation's?

    ``place`` and ``nation`` are tidy rows (same measure and period) with ``value``, ``value_lower`` and
    ``value_upper``. Higher/lower only when the 95% confidence intervals do not overlap; "no interval" when
    either value or interval is missing, in which case the sentence says no judgement is made.
    """
    name = place_name or str(place["geo_name"])
    measure = str(place["measure"])
    unit = short_unit(measure)
    period = _period_words(place)
    what = f"{name}'s {_measure_words(measure)} {period}"
    if pd.isna(place["value"]) or pd.isna(nation["value"]):
        why = unranked_reason(place["value_flag"], place["value"]) or "not available"
        return Comparison(
            "no interval", f"{what} is not available ({why.lower()}), so it cannot be compared with the nation's."
        )
    if any(pd.isna(row[c]) for row in (place, nation) for c in ("value_lower", "value_upper")):
        return Comparison(
            "no interval",
            f"{what} was {_fmt(place['value'])} {unit}, against {_fmt(nation['value'])} for the nation. The source "
            "gives no confidence interval for one of them, so we do not say whether the difference is real.",
        )
    state_part = (
        f"{_fmt(place['value'])} {unit} (95% confidence interval {_fmt(place['value_lower'])} to "
        f"{_fmt(place['value_upper'])})"
    )
    nation_part = f"{_fmt(nation['value'])} ({_fmt(nation['value_lower'])} to {_fmt(nation['value_upper'])})"
    # The interval is still the right yardstick for a small count (NCHS gives exact limits then), but the
    # reader should know why the rate is kept out of the ranks.
    caveat = (
        " NCHS marks this rate unreliable because it rests on few deaths, so it is not ranked."
        if "unreliable" in split_flags(place["value_flag"])
        else ""
    )
    if place["value_lower"] > nation["value_upper"]:
        return Comparison(
            "higher",
            f"{what} was higher than the nation's: {state_part}, against {nation_part} "
            "for the United States. The two ranges do not overlap." + caveat,
        )
    if place["value_upper"] < nation["value_lower"]:
        return Comparison(
            "lower",
            f"{what} was lower than the nation's: {state_part}, against {nation_part} "
            "for the United States. The two ranges do not overlap." + caveat,
        )
    return Comparison(
        "not distinguishable",
        f"{what} was not clearly different from the nation's: {state_part}, against {nation_part} for the "
        "United States. The ranges overlap, so the gap could be due to chance." + caveat,
    )


def short_unit(measure: str) -> str:
    """The unit for a sentence ("deaths per 100,000 people"); the dictionary's full unit goes on axes."""
    if measure.endswith("_per_100k"):
        return "deaths per 100,000 people"
    return {"deaths": "deaths", "predicted_deaths": "deaths", "population": "people"}.get(measure, "")


def _measure_words(measure: str) -> str:
    return {
        "age_adjusted_rate_per_100k": "age-adjusted death rate",
        "crude_rate_per_100k": "crude death rate",
    }.get(measure, measure.replace("_", " "))


def _period_words(row: pd.Series) -> str:
    if int(row["period_months"]) == 12 and pd.Timestamp(row["period_end_date"]).month == 12:
        return f"in {int(row['year'])}"
    return f"in the 12 months ending {pd.Timestamp(row['period_end_date']):%B %Y}"


def year_earlier(period_end: pd.Timestamp) -> pd.Timestamp:
    """The end of the same 12-month-ending period one year earlier (last day of that month; 29 Feb -> 28 Feb)."""
    return (pd.Timestamp(period_end) - pd.DateOffset(years=1)) + pd.offsets.MonthEnd(0)


def percent_change(current: float | None, previous: float | None) -> float | None:
    """(current - previous) / previous x 100, or None when either is missing or previous is 0."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous) or previous == 0:
        return None
    return (float(current) - float(previous)) / float(previous) * 100.0


def change_on_year_earlier(rows: pd.DataFrame) -> pd.DataFrame:
    """Each 12-month-ending count against the same 12-month-ending period a year earlier.

    ``rows``: tidy VSRR rows for one place, drug and measure, ``period_months`` 12. Returns them sorted by
    ``period_end_date`` with ``previous_value``, ``previous_period_end_date`` and ``percent_change`` (NA when
    either value is withheld or the earlier period is absent). Raises ValueError for rows that are not
    12-month-ending periods or that mix places, drugs or measures: such rows must not be combined.
    """
    if not (rows["period_months"] == 12).all():
        raise ValueError("percent change a year earlier is defined here for 12-month-ending periods only")
    for col in ("geo_code", "drug", "measure", "sex", "age_group", "race_ethnicity"):
        if rows[col].nunique() > 1:
            raise ValueError(f"rows mix several {col} values; compare one series at a time")
    if rows["period_end_date"].duplicated().any():
        raise ValueError("a period appears more than once")
    out = rows.sort_values("period_end_date").reset_index(drop=True)
    by_end = dict(zip(out["period_end_date"], out["value"], strict=True))
    prev_end = out["period_end_date"].map(year_earlier)
    prev_value = prev_end.map(lambda d: by_end.get(d, pd.NA))
    out["previous_period_end_date"] = prev_end.where(prev_end.isin(list(by_end)))
    out["previous_value"] = prev_value.astype("Float64")
    changes = [percent_change(c, p) for c, p in zip(out["value"], out["previous_value"], strict=True)]
    out["percent_change"] = pd.array([pd.NA if c is None else c for c in changes], dtype="Float64")
    return out


def change_sentence(row: pd.Series, *, place_name: str | None = None, drug_words: str = "drug overdose") -> str:
    """Plain words for one row of :func:`change_on_year_earlier`, with the change's 95% interval.

    Two 12-month counts a year apart cover different deaths, so their ratio has the exact interval of a ratio
    of two Poisson counts (``data_sources.change.count_change``). A change whose interval includes zero is said
    to be within normal year-to-year variation, never "a fall" or "a rise".
    """
    name = place_name or str(row["geo_name"])
    end = pd.Timestamp(row["period_end_date"])
    if pd.isna(row["value"]):
        return f"{name}: the count of {drug_words} deaths for the 12 months ending {end:%B %Y} is withheld."
    count = f"{row['value']:,.0f} {drug_words} deaths were reported in {name} in the 12 months ending {end:%B %Y}"
    if pd.isna(row["percent_change"]):
        return count + "; there is no comparable count for a year earlier."
    before = f"the 12 months ending {pd.Timestamp(row['previous_period_end_date']):%B %Y}"
    found = change.count_change(float(row["value"]), float(row["previous_value"]))
    est, low, high = change.format_percents(found.percent, found.percent_lower, found.percent_upper, signed=True)
    difference = f"{abs(found.difference):,.0f} {'more' if found.difference > 0 else 'fewer'}"
    if not found.is_clear:
        return (
            f"{count}, against {row['previous_value']:,.0f} in {before} ({est}, 95% CI {low} to {high}): within "
            "normal year-to-year variation."
        )
    direction = "up" if found.percent > 0 else "down"
    return (
        f"{count}, {direction} {abs(found.percent):.1f}% from {row['previous_value']:,.0f} in {before} "
        f"({difference}; 95% CI of the change {low} to {high})."
    )


def changes_at(data: pd.DataFrame, *, drug: str, period_end: pd.Timestamp, measure: str = "deaths") -> pd.DataFrame:
    """For every place with the drug and measure: the 12-month-ending value ending ``period_end`` against the
    same period a year earlier (one row per place, from :func:`change_on_year_earlier`), sorted by name."""
    rows = data[(data["drug"] == drug) & (data["measure"] == measure) & (data["period_months"] == 12)]
    rows = rows[everyone(rows)]
    parts = []
    for _, series in rows.groupby("geo_code", sort=False):
        changed = change_on_year_earlier(series)
        parts.append(changed[changed["period_end_date"] == pd.Timestamp(period_end)])
    if not parts:
        return rows.iloc[0:0].assign(
            previous_value=pd.Series(dtype="Float64"),
            previous_period_end_date=pd.Series(dtype="datetime64[ns]"),
            percent_change=pd.Series(dtype="Float64"),
        )
    return pd.concat(parts).sort_values("geo_name").reset_index(drop=True)


def latest_comparable(
    data: pd.DataFrame, *, drug: str = "all_drugs", geo_code: str = "US", measure: str = "deaths"
) -> pd.Series | None:
    """The latest 12-month-ending value that has the same period a year earlier to compare with (a row of
    :func:`change_on_year_earlier`), or None when no period has one. Underreported periods are skipped while
    an earlier comparable one exists, because CDC says their counts are incomplete."""
    rows = data[
        (data["drug"] == drug)
        & (data["geo_code"] == geo_code)
        & (data["measure"] == measure)
        & (data["period_months"] == 12)
    ]
    rows = rows[everyone(rows)]
    if rows.empty:
        return None
    changed = change_on_year_earlier(rows)
    comparable = changed[changed["percent_change"].notna()]
    complete = comparable[~comparable["value_flag"].fillna("").str.contains("underreported")]
    pool = complete if not complete.empty else comparable
    return None if pool.empty else pool.iloc[-1]


def rank_sentence(ranked: pd.DataFrame, geo_code: str) -> str:
    """'Rank 3 of 49 (1 = highest rate).' or 'Not ranked: unreliable.' for one place of :func:`rank_places`."""
    row = ranked[ranked["geo_code"] == geo_code].iloc[0]
    if pd.isna(row["rank"]):
        return f"Not ranked: {str(row['status']).lower()}."
    return f"Rank {int(row['rank'])} of {int(ranked['rank'].notna().sum())} (1 = highest rate)."
