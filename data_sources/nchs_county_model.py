"""NCHS model-based county drug poisoning death rates, 1999-2016 (data.cdc.gov ``pbkm-d27e``), into the tidy contract.

NCHS estimated every county's age-adjusted death rate for drug poisoning (deaths of all intents) with a small-area
model (two-stage hierarchical models giving empirical Bayes estimates that "borrow strength" across counties),
and published each estimate only as one of 16 ranges: ``<2``, ``2-3.9``, ``4-5.9``, ..., ``28-29.9``, ``30+``.
The exact figure was never published, so it is never invented here.

Design: one measure, ``model_based_age_adjusted_rate_per_100k``, with ``value`` empty and the range's bounds in
``value_lower``/``value_upper`` exactly as the label prints them (``<2`` -> 0 and 2, since a rate is never
negative; ``30+`` -> 30 and empty), flagged ``model_based;range_only``. The label is recovered from the bounds by
:func:`range_label` (the bounds of the 16 ranges are all different) and is also quoted in ``source_detail``, so no
extra column or code list is needed and a chart can still order the ranges by their lower bound. The county's
population (the publisher's, as used for the rate) is a second measure, ``population``.

Quirks of the published file, kept as published and said out loud:

* FIPS codes are written without their leading zero (``1001``); they are zero-padded to five digits.
* Colorado: Adams (08001), Broomfield (08014), Jefferson (08059) and Weld (08123) have no rows; the row for Boulder
  (08013) covers all five (its population, 1,753,711 in 2016, makes Colorado's county populations add up to the
  state's). Its ``geo_name`` says so, and :func:`outline_ids` draws it over all five outlines.
* Codes that changed before 2017 (02201, 02232, 02270, 02280 in Alaska; 46113 Shannon County, South Dakota) are
  kept; :mod:`data_sources.counties` says which outline, if any, draws each.
* NCHS warns that rates "may be low" where many deaths were pending investigation or coded to R99, naming New
  Jersey in 2009 and West Virginia in 2005 and 2009; those rows carry ``may_be_underestimated``.

The build refuses, naming the row: a header that differs from the export's, an unknown county code, a county whose
state (name, FIPS column or the name's postal suffix) does not match its code, a range outside the 16, a year
outside 1999-2016, a population that is not a whole number, or a county-year given twice.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources import counties
from data_sources.dictionary import TIDY
from data_sources.geography import BY_FIPS, BY_NAME
from data_sources.schema import SchemaError, Source, Table, conform
from data_sources.snapshot import SNAPSHOT_DIR, read_table

TABLE = "county_model_rates"
DATASET_ID = "pbkm-d27e"
MEASURE = "model_based_age_adjusted_rate_per_100k"
YEARS = range(1999, 2017)
PUBLIC_DOMAIN = "Public domain (U.S. Government work, 17 U.S.C. 105)"

SOURCE = Source(
    id="nchs_pbkm_d27e",
    title="NCHS - Drug Poisoning Mortality by County: United States",
    publisher="CDC, National Center for Health Statistics",
    url="https://data.cdc.gov/d/pbkm-d27e",
    license=PUBLIC_DOMAIN,
    citation="National Center for Health Statistics. Drug Poisoning Mortality by County: United States "
    "(data.cdc.gov pbkm-d27e), 1999-2016 release: model-based estimates of age-adjusted death rates for drug "
    "poisoning, published as 16 ranges. This copy of the CSV export was taken from the public GitHub repository "
    "thomasbarber21/Overdose_Deaths_Analysis_R (data.csv, commit c3fc996d) and matches a second copy "
    "(GabrielKahn/County-Health-Report, commit 9246bc88) on all 56,448 county-years.",
    dataset_id=DATASET_ID,
)
SOURCES = (SOURCE,)

RANGE_COLUMN = "Estimated Age-adjusted Death Rate, 16 Categories (in ranges)"
HEADER: tuple[str, ...] = ("FIPS", "Year", "State", "FIPS State", "County", "Population", RANGE_COLUMN)

#: The 16 published ranges in order -> (lower, upper) bound as printed; None = no upper bound.
RANGES: dict[str, tuple[float, float | None]] = {
    "<2": (0.0, 2.0),
    **{f"{low}-{low + 1.9:.1f}": (float(low), round(low + 1.9, 1)) for low in range(2, 30, 2)},
    "30+": (30.0, None),
}
RANGE_LABELS: tuple[str, ...] = tuple(RANGES)

#: The publisher's warning, for the state-years it names (state FIPS, year).
UNDERESTIMATED: dict[tuple[str, int], str] = {
    ("34", 2009): "New Jersey 2009",
    ("54", 2005): "West Virginia 2005",
    ("54", 2009): "West Virginia 2009",
}
UNDERESTIMATED_NOTE = (
    'NCHS: "Death rates for some states and years may be low due to a high number of unresolved pending cases or '
    "misclassification of ICD-10 codes for unintentional poisoning as R99 ... known to affect New Jersey in 2009 "
    'and West Virginia in 2005 and 2009"'
)

#: County rows that stand for several counties: published code -> every county code the estimate covers.
COMBINED: dict[str, tuple[str, ...]] = {"08013": ("08001", "08013", "08014", "08059", "08123")}
COMBINED_NAMES: dict[str, str] = {"08013": "Boulder County, CO (with Adams, Broomfield, Jefferson and Weld)"}


def read_export(path: Path) -> pd.DataFrame:
    """The ``pbkm-d27e`` CSV export as text cells (no type guessing, so codes and labels stay as published)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """The CSV export (text cells) -> the tidy contract: the modelled rate's range and the population per county-year.

    Raises SchemaError naming the row (1 = first data row) and the problem; see the module docstring.
    """
    found = tuple(raw.columns)
    if found != HEADER:
        raise SchemaError(f"{DATASET_ID}: expected columns {list(HEADER)}; found {list(found)}")
    raw = raw.reset_index(drop=True)
    fips = raw["FIPS"].str.strip()
    _refuse(raw, ~fips.str.fullmatch(r"\d{4,5}"), "FIPS is not a county code of 4 or 5 digits")
    fips = fips.str.zfill(5)
    _refuse(raw, ~fips.map(counties.is_county), "unknown county FIPS")
    state_fips = raw["FIPS State"].str.strip().str.zfill(2)
    _refuse(raw, state_fips != fips.str[:2], "the FIPS State column does not match the county code's state")
    named = raw["State"].str.strip().str.lower().map(lambda n: BY_NAME[n].fips if n in BY_NAME else None)
    _refuse(raw, named != fips.str[:2], "the State name does not match the county code's state")
    suffix = raw["County"].str.extract(r", ([A-Z]{2})$", expand=False)
    usps = fips.str[:2].map(lambda s: BY_FIPS[s].usps)
    _refuse(raw, suffix != usps, "the county name's state suffix does not match the county code's state")
    _refuse(raw, ~raw[RANGE_COLUMN].isin(RANGES), f"range label outside the 16 published ranges {list(RANGES)}")
    _refuse(raw, ~raw["Year"].str.fullmatch(r"\d{4}"), "year is not a four-digit year")
    year = raw["Year"].astype(int)
    _refuse(raw, ~year.isin(YEARS), f"year outside {YEARS.start}-{YEARS.stop - 1}")
    _refuse(raw, ~raw["Population"].str.fullmatch(r"\d+"), "population is not a whole number")
    _refuse(raw, pd.Series(list(zip(fips, year, strict=True))).duplicated(keep=False), "county-year given twice")

    label = raw[RANGE_COLUMN]
    base = pd.DataFrame(
        {
            "source_id": SOURCE.id,
            "geo_level": "county",
            "geo_code": fips,
            "geo_name": fips.map(COMBINED_NAMES).fillna(raw["County"].str.strip()),
            "year": year,
            "period_end_date": year.astype(str) + "-12-31",
            "period_months": 12,
            "drug": "all_drugs",
            "sex": "all",
            "age_group": "all",
            "race_ethnicity": "all",
            "provenance": "primary",
        }
    )
    detail = f"data.cdc.gov {DATASET_ID} (1999-2016 release)"
    combined = fips.isin(COMBINED).map(
        {
            True: "; this row covers Adams, Boulder, Broomfield, Jefferson and Weld counties (no separate rows)",
            False: "",
        }
    )
    warned = pd.Series([(s, y) in UNDERESTIMATED for s, y in zip(fips.str[:2], year, strict=True)])
    rate = base.assign(
        measure=MEASURE,
        value=_empty(base),
        value_lower=label.map(lambda x: RANGES[x][0]).astype("Float64"),
        value_upper=label.map(lambda x: RANGES[x][1]).astype("Float64"),
        value_flag=warned.map({True: "model_based;range_only;may_be_underestimated", False: "model_based;range_only"}),
        source_detail=f'{detail}, published range "'
        + label
        + '"'
        + combined
        + warned.map({True: "; " + UNDERESTIMATED_NOTE, False: ""}),
    )
    population = base.assign(
        measure="population",
        value=raw["Population"].astype("Float64"),
        value_lower=_empty(base),
        value_upper=_empty(base),
        value_flag="",
        source_detail=f"{detail}, column Population" + combined,
    )
    out = pd.concat([rate, population], ignore_index=True)
    out = out.sort_values(["geo_code", "year", "measure"], kind="stable")
    return conform(out[list(TIDY.columns)], table=TABLE)


def load() -> Table:
    """The bundled table (``data_sources/snapshots/county_model_rates.csv.gz``). The dataset is final (NCHS
    replaced it with a newer series rather than updating it), so the snapshot is the source of record."""
    stored = read_table(TABLE, SNAPSHOT_DIR)
    return Table(
        name=TABLE,
        data=stored.data,
        sources=SOURCES,
        retrieved_at=stored.retrieved_at,
        from_snapshot=True,
        schema=TIDY,
    )


def range_label(lower: float | None, upper: float | None) -> str:
    """The published label for a row's bounds: (0, 2) -> ``"<2"``, (6, 7.9) -> ``"6-7.9"``, (30, None) -> ``"30+"``.

    Raises KeyError for bounds that are not one of the 16 ranges.
    """
    high = None if upper is None or pd.isna(upper) else float(upper)
    low = None if lower is None or pd.isna(lower) else float(lower)
    for label, bounds in RANGES.items():
        if bounds == (low, high):
            return label
    raise KeyError(f"({lower}, {upper}) are not the bounds of a published range")


def outline_ids(geo_code: str) -> tuple[str, ...]:
    """The county outline ids (``static/counties``) a row of this table is drawn on: all five counties for the
    combined Colorado row, the renamed code for a county renamed with the same area, none for a split county."""
    if geo_code in COMBINED:
        return COMBINED[geo_code]
    drawn = counties.outline_fips(geo_code)
    return (drawn,) if drawn else ()


def _empty(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(pd.NA, index=frame.index, dtype="Float64")


def _refuse(raw: pd.DataFrame, bad: pd.Series, problem: str) -> None:
    """Raise SchemaError naming the first offending rows (1 = first data row) and their cells."""
    flagged = bad.fillna(True).astype(bool).to_numpy()
    if not flagged.any():
        return
    rows = raw[flagged].head(3)
    shown = "; ".join(
        f"row {i + 1}: " + ", ".join(f"{k}={v!r}" for k, v in rec.items())
        for i, rec in zip(rows.index, rows.to_dict("records"), strict=True)
    )
    more = int(flagged.sum()) - len(rows)
    raise SchemaError(f"{DATASET_ID}: {problem} ({shown}{f' and {more} more' if more else ''})")
