"""The value checks every tidy table passes, at every door: snapshot build, refresh, cache read and upload.

:func:`data_sources.schema.conform` checks a frame's shape (columns, dtypes, known keys, a reason flag for
every missing value); this module checks that its values can be true:

* the row key (place, period, drug, measure and breakdowns: :data:`TIDY_KEY`) is unique, so no figure is
  given twice (a repeated row made every page that pivots a table fail);
* each place code has its level's form (``US``, two-digit state FIPS, five-digit county FIPS, ``NYC``);
* counts (measures shown with 0 decimals: deaths, population, visits, ...) are finite, whole, not negative
  and below a ceiling no US figure reaches (:data:`COUNT_CEILINGS`), so ``-80856``, ``inf`` or ``1e308``
  never reach a page;
* rates per 100,000 lie in 0..100,000 and percentages in 0..100, and are finite; confidence limits are finite
  and not negative;
* years lie within :data:`FIRST_YEAR` .. next year, the period's end date falls in its ``year``, and the period
  is 1 to :data:`MAX_PERIOD_MONTHS` months long;
* a rate agrees with count / population x 100,000 (to the rounding its publisher prints,
  :data:`RATE_ROUNDING`) wherever the same row key gives all three (:data:`RATE_PARTS`).

:func:`value_problems` returns every problem found, each a sentence naming the rows; the schema module turns
them into one :class:`~data_sources.schema.SchemaError` naming the table. :func:`finite_problems` is the part
every schema gets (risk figures and claims too): no infinite number in any numeric column. Nothing here
imports the schema module, which imports this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from data_sources.dictionary import MEASURES

#: What identifies one figure of a tidy table. ``source_id`` is left out on purpose: two sources giving the
#: same place, period, drug and measure would be two figures for one fact, which no chart can draw.
TIDY_KEY: tuple[str, ...] = (
    "geo_level",
    "geo_code",
    "year",
    "period_end_date",
    "period_months",
    "drug",
    "measure",
    "sex",
    "age_group",
    "race_ethnicity",
)
#: The earliest year any source here can cover: CDC WONDER's Compressed Mortality file starts in 1968.
FIRST_YEAR = 1968
#: The longest period a figure may cover (NCHS's county model and CDC WONDER spans reach decades, not more).
MAX_PERIOD_MONTHS = 12 * 60
#: Half a unit of the coarsest rounding any publisher applies to a rate (one decimal), plus float noise.
RATE_ROUNDING = 0.05 + 1e-9
#: A count above these cannot be a US figure (about 3.5 million deaths of all causes a year; 340 million
#: people; 50 states, DC and the territories), so it is a damaged value, not news.
COUNT_CEILINGS: dict[str, float] = {
    "deaths": 1e7,
    "visits": 1e8,
    "hospitalizations": 1e8,
    "people": 1e9,
    "person-years": 1e10,
    "jurisdictions": 60,
}
#: rate measure -> (count measure, denominator measure) whose quotient x 100,000 the rate must equal.
RATE_PARTS: dict[str, tuple[str, str]] = {
    "crude_rate_per_100k": ("deaths", "population"),
    "ed_visit_rate_per_100k": ("ed_visits", "ed_population"),
    "hospitalization_rate_per_100k": ("hospitalizations", "hospitalization_population"),
    "ed_visit_person_year_rate_per_100k": ("ed_visits", "ed_person_years"),
}
#: geo_level -> the form its geo_code must have.
GEO_CODE_FORMS: dict[str, str] = {"nation": r"US", "state": r"\d{2}", "county": r"\d{5}", "city": r"[A-Z]{2,5}"}

COUNT_MEASURES = frozenset(k for k, m in MEASURES.items() if m.decimals == 0)
RATE_MEASURES = frozenset(k for k in MEASURES if k.endswith("_per_100k"))
PERCENT_MEASURES = frozenset(k for k in MEASURES if k.endswith("_pct"))


def last_year(now: datetime | None = None) -> int:
    """The latest year a figure may be for: next year (a 12-month-ending period can be dated ahead of a
    slow clock, never further)."""
    return (now or datetime.now(UTC)).year + 1


def value_problems(
    frame: pd.DataFrame,
    *,
    key: Sequence[str] = TIDY_KEY,
    rate_rounding: float = RATE_ROUNDING,
    now: datetime | None = None,
) -> list[str]:
    """Every value problem of a conformed tidy frame, as sentences naming rows; empty when all is well.

    ``key`` is the row key (an upload whose extra group-by columns live in ``source_detail`` adds that column);
    ``rate_rounding`` the largest gap allowed between a rate and count / population x 100,000.
    """
    problems: list[str] = []
    repeated = frame.duplicated(list(key), keep=False)
    if repeated.any():
        problems.append(f"the row key ({', '.join(key)}) repeats in rows {describe(repeated, frame)}")
    problems += _place_problems(frame)
    problems += _period_problems(frame, now)
    problems += _measure_problems(frame)
    problems += _rate_agreement_problems(frame, key, rate_rounding)
    return problems


def finite_problems(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Infinite numbers in ``columns`` (a number column of any schema), as sentences naming the rows."""
    problems = []
    for column in columns:
        values = frame[column].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        infinite = pd.Series(np.isinf(values), index=frame.index)
        if infinite.any():
            problems.append(f"{column} is infinite in rows {describe(infinite, frame)}")
    return problems


def describe(mask: pd.Series, frame: pd.DataFrame, limit: int = 3) -> str:
    """'4 (state 06, 2019-12-31, heroin, deaths: -12.0) and 2 more': the first rows of ``mask``, each with
    what identifies it in a tidy table (or its number alone in another table)."""
    rows = list(mask[mask].index[:limit])
    tidy = set(TIDY_KEY) <= set(frame.columns) and "value" in frame.columns
    named = []
    for i in rows:
        if not tidy:
            named.append(str(i))
            continue
        row = frame.loc[i]
        end = row["period_end_date"]
        when = end.date().isoformat() if isinstance(end, pd.Timestamp) else str(end)
        breakdown = "/".join(str(row[c]) for c in ("sex", "age_group", "race_ethnicity"))
        group = "" if breakdown == "all/all/all" else f", {breakdown}"
        named.append(
            f"{i} ({row['geo_level']} {row['geo_code']}, {when}, {row['drug']}{group}, {row['measure']}: "
            f"{_show(row['value'])})"
        )
    more = int(mask.sum()) - len(rows)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def _show(value: object) -> str:
    return "blank" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)


def _place_problems(frame: pd.DataFrame) -> list[str]:
    problems = []
    for level, form in GEO_CODE_FORMS.items():
        at_level = frame["geo_level"] == level
        if not at_level.any():
            continue
        wrong = at_level & ~frame["geo_code"].str.fullmatch(form).fillna(False).astype(bool)
        if wrong.any():
            problems.append(f"geo_code is not a {level} code ({form}) in rows {describe(wrong, frame)}")
    return problems


def _period_problems(frame: pd.DataFrame, now: datetime | None) -> list[str]:
    problems = []
    first, last = FIRST_YEAR, last_year(now)
    years = frame["year"].astype("Int64")
    outside = ((years < first) | (years > last)).fillna(False).astype(bool)
    if outside.any():
        problems.append(f"year is outside {first}..{last} in rows {describe(outside, frame)}")
    ends = pd.to_datetime(frame["period_end_date"])
    elsewhere = (ends.dt.year != years).fillna(False).astype(bool) & ~outside
    if elsewhere.any():
        problems.append(f"period_end_date does not fall in the row's year in rows {describe(elsewhere, frame)}")
    months = frame["period_months"].astype("Int64")
    odd = ((months < 1) | (months > MAX_PERIOD_MONTHS)).fillna(False).astype(bool)
    if odd.any():
        problems.append(f"period_months is outside 1..{MAX_PERIOD_MONTHS} in rows {describe(odd, frame)}")
    return problems


def _measure_problems(frame: pd.DataFrame) -> list[str]:
    problems = []
    values = frame["value"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    present = ~np.isnan(values)
    measure = frame["measure"].to_numpy(dtype=object)
    infinite = np.isinf(values)
    if infinite.any():
        problems.append(f"value is infinite in rows {describe(pd.Series(infinite, index=frame.index), frame)}")
    finite = present & ~infinite
    for name in sorted(set(measure[finite])):
        of_measure = finite & (measure == name)
        v = np.where(of_measure, values, 0.0)
        if name in COUNT_MEASURES:
            ceiling = COUNT_CEILINGS.get(MEASURES[name].unit, 1e10)
            bad = of_measure & ((v < 0) | (v != np.round(v)) | (v > ceiling))
            rule = f"a whole number from 0 to {ceiling:,.0f}"
        elif name in RATE_MEASURES:
            bad = of_measure & ((v < 0) | (v > 100_000))
            rule = "a rate per 100,000 from 0 to 100,000"
        elif name in PERCENT_MEASURES:
            bad = of_measure & ((v < 0) | (v > 100))
            rule = "a percentage from 0 to 100"
        else:
            bad = of_measure & (v < 0)
            rule = "0 or more"
        if bad.any():
            problems.append(f"{name} must be {rule}; rows {describe(pd.Series(bad, index=frame.index), frame)}")
    for limit in ("value_lower", "value_upper"):
        bounds = frame[limit].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        wrong = np.isinf(bounds) | (bounds < 0)
        wrong |= np.isin(measure, list(PERCENT_MEASURES)) & (bounds > 100)
        if wrong.any():
            mask = pd.Series(wrong, index=frame.index)
            problems.append(
                f"{limit} is infinite, negative or an impossible percentage in rows {describe(mask, frame)}"
            )
    return problems


def _rate_agreement_problems(frame: pd.DataFrame, key: Sequence[str], rounding: float) -> list[str]:
    """Rates that are not count / denominator x 100,000 for the same row key but the measure."""
    present = set(frame["measure"])
    triples = {rate: parts for rate, parts in RATE_PARTS.items() if {rate, *parts} <= present}
    if not triples:
        return []
    wanted = {m for rate, parts in triples.items() for m in (rate, *parts)}
    rows = frame[frame["measure"].isin(wanted) & frame["value"].notna()]
    ids = pd.util.hash_pandas_object(rows[[c for c in key if c != "measure"]], index=False).to_numpy()
    values = rows["value"].to_numpy(dtype="float64")
    measures = rows["measure"].to_numpy(dtype=object)
    by_measure = {m: pd.Series(values[measures == m], index=ids[measures == m]) for m in wanted}
    problems = []
    for rate, (count, denominator) in triples.items():
        parts = pd.concat(
            {
                "rate": by_measure[rate].groupby(level=0).first(),
                "count": by_measure[count].groupby(level=0).first(),
                "denominator": by_measure[denominator].groupby(level=0).first(),
            },
            axis=1,
        ).dropna()
        parts = parts[parts["denominator"] > 0]
        expected = parts["count"] / parts["denominator"] * 100_000
        off = (parts["rate"] - expected).abs() > rounding
        if off.any():
            first = parts[off].index[0]
            mask = pd.Series(False, index=frame.index)
            mask.loc[rows.index[(measures == rate) & (ids == first)]] = True
            problems.append(
                f"{rate} is not {count} / {denominator} x 100,000 (to within {rounding:.2g}) for "
                f"{int(off.sum())} row keys, e.g. row {describe(mask, frame)}, where "
                f"{parts.loc[first, 'count']:,.0f} / {parts.loc[first, 'denominator']:,.0f} x 100,000 = "
                f"{expected.loc[first]:,.2f}"
            )
    return problems
