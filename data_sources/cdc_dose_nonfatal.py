"""CDC DOSE nonfatal overdose emergency department visits and hospitalizations, 2018-2023, into the tidy contract.

From CDC's Drug Overdose Surveillance and Epidemiology (DOSE) dashboard download (discharge data), one CSV per
sheet of its .xlsx file:

* ``Jurisdiction Counts & Rates``: the states and DC that submit data, and ``US`` (their sum), per year, ED
  visits (``ED``) and inpatient hospitalizations (``HOSP``), counts and rates per 100,000 for eight drug
  groups, with the population; -> measures ``ed_visits``, ``ed_visit_rate_per_100k``, ``ed_population`` and
  ``hospitalizations``, ``hospitalization_rate_per_100k``, ``hospitalization_population``; drugs ``nonfatal_*``.
* ``County Counts & Rates``: all-drug ED visits of each county's residents treated in their own state (people
  treated in another state, or whose county is unknown, are not in these rows), per year 2018-2023 and over
  2019-2023 (``period_months`` 60, rate per 100,000 person-years: ``ed_visit_person_year_rate_per_100k`` with
  ``ed_person_years``). Five-year figures exist only for states that submitted all five years.
* ``US Jurisdiction Submissions``: how many states and DC submitted each dataset each year ->
  ``ed_reporting_jurisdictions`` and ``hospitalization_reporting_jurisdictions`` on the US rows.

Only yearly figures are kept (``month`` ``all``; and the counties' 2019-2023 rows). The two state sheets also
give each month (12 of every 13 rows); those rows are checked for a valid period (month 1-12, year, time frame)
and then left out, which keeps the bundled table small.

The ``US`` rows add up the participating jurisdictions only (28-29 for ED, 33-34 for hospitalizations), which
change by year: they are not national totals. They are named "US (participating states and DC)" and flagged
``participating_jurisdictions``; the build checks that their population is the sum of that period's states'.

Markers as published: ``suppressed`` (CDC withholds counts of 1-9 and rates from 1-19 visits) -> value empty,
flag ``suppressed``, never 0, and ``source_detail`` quotes the rule; ``NA`` -> value empty, flag
``no_diagnosis_code`` for fentanyl in 2018-2020 and methamphetamine in 2018-2022 (CDC's footnote: no ICD-10-CM
code before October 2020 and October 2022, so no whole year before then has one), ``missing`` otherwise; ``.``
marks a column that does not apply to the row (population of a 5-year row) and gives no row. Counts of 0 are real
zeros. Visits are not people, and ED visits are not deaths: never divide one by the other.

The build refuses, naming the row and the problem: unexpected columns, an unknown jurisdiction, an unknown county
FIPS or one outside its state, a cell that is neither a number nor a known marker, a rate that differs from
count / population x 100,000 by more than 0.05 (CDC rounds rates to one decimal), a period given twice, a US
population that is not the sum of its jurisdictions', or a submission count that differs from the number of
jurisdictions with rows for that year.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd

from data_sources import counties
from data_sources.dictionary import TIDY
from data_sources.geography import BY_USPS
from data_sources.schema import SchemaError, Source, Table, conform, join_flags
from data_sources.snapshot import SNAPSHOT_DIR, read_table

TABLE = "dose_nonfatal"
PUBLIC_DOMAIN = "Public domain (U.S. Government work, 17 U.S.C. 105)"
FILE = "DOSE_dx_Dashboard_011325"

SOURCE = Source(
    id="cdc_dose_nonfatal_dx",
    title="DOSE: Nonfatal Overdose Emergency Department and Inpatient Hospitalization Discharge Data, 2018-2023",
    publisher="CDC, Drug Overdose Surveillance and Epidemiology (DOSE) program",
    url="https://www.cdc.gov/overdose-prevention/data-research/facts-stats/dose-dashboard-nonfatal-discharge-data.html",
    license=PUBLIC_DOMAIN,
    citation="Centers for Disease Control and Prevention. Drug Overdose Surveillance and Epidemiology (DOSE): "
    "Nonfatal Overdose Emergency Department and Inpatient Hospitalization Discharge Data, 2018-2023 (dashboard "
    f"download {FILE}). This copy, one CSV per sheet of CDC's .xlsx download, was taken from the public GitHub "
    "repository mattkiefer/us-overdoses (data/cdc/DOSE_dx_Dashboard_011325-2/, commit 726e2a90).",
)
SOURCES = (SOURCE,)

US_NAME = "US (participating states and DC)"
YEARS = range(2018, 2024)
TOLERANCE = 0.05  # CDC publishes rates rounded to one decimal
MARKERS = ("suppressed", "NA")

#: The sheets' drug column suffix -> drug key.
DRUG_COLUMNS: dict[str, str] = {
    "alldrug": "nonfatal_all_drugs",
    "opioid": "nonfatal_opioids",
    "fentanyl": "nonfatal_fentanyl",
    "heroin": "nonfatal_heroin",
    "stimulant": "nonfatal_stimulants",
    "cocaine": "nonfatal_cocaine",
    "methamphetamine": "nonfatal_methamphetamine",
    "benzodiazepine": "nonfatal_benzodiazepines",
}
#: First month with an ICD-10-CM code for the drug (CDC's footnote); NA before it means "not coded yet".
CODED_FROM: dict[str, tuple[int, int]] = {"fentanyl": (2020, 10), "methamphetamine": (2022, 10)}
#: dataset -> (count measure, rate measure, population measure, submissions measure)
DATASETS: dict[str, tuple[str, str, str, str]] = {
    "ED": ("ed_visits", "ed_visit_rate_per_100k", "ed_population", "ed_reporting_jurisdictions"),
    "HOSP": (
        "hospitalizations",
        "hospitalization_rate_per_100k",
        "hospitalization_population",
        "hospitalization_reporting_jurisdictions",
    ),
}
SUPPRESSION = "CDC suppresses counts of 1-9 and rates based on 1-19 visits"

JURISDICTION_HEADER: tuple[str, ...] = (
    "jurisdiction",
    "month",
    "year",
    "time_frame",
    "dataset",
    *(f"count_{d}" for d in DRUG_COLUMNS),
    "population",
    *(f"rate_{d}" for d in DRUG_COLUMNS),
)
COUNTY_HEADER: tuple[str, ...] = (
    "jurisdiction",
    "county",
    "fips",
    "year",
    "dataset",
    "count_alldrug",
    "population",
    "rate_alldrug",
    "type",
    "person_years",
)
SUBMISSIONS_HEADER: tuple[str, ...] = ("dataset", "month", "year", "jurisdiction_count")


# --- fetch (I/O) ------------------------------------------------------------------------------------------------
def read_sheet(path: Path) -> pd.DataFrame:
    """One sheet's CSV as text cells, with no type guessing (``NA`` stays the text ``NA``)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def read_download(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three sheets this table uses, from a folder of the download's CSVs (names as in the data pack)."""
    return (
        read_sheet(directory / "jurisdiction_counts_rates.csv"),
        read_sheet(directory / "county_counts_rates.csv"),
        read_sheet(directory / "us_jurisdiction_submissions.csv"),
    )


# --- tidy (pure) ------------------------------------------------------------------------------------------------
def tidy(jurisdictions: pd.DataFrame, county_rows: pd.DataFrame, submissions: pd.DataFrame) -> pd.DataFrame:
    """The three sheets (text cells) -> one tidy frame of yearly figures: states and US, counties (each year and
    2019-2023), and the submission counts. Monthly rows are checked for a valid period, then left out."""
    frames = [tidy_jurisdictions(jurisdictions), tidy_counties(county_rows), tidy_submissions(submissions)]
    _check_submissions(jurisdictions, submissions)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["geo_level", "geo_code", "period_months", "period_end_date", "measure", "drug"])
    return conform(out[list(TIDY.columns)], table=TABLE)


def tidy_jurisdictions(raw: pd.DataFrame) -> pd.DataFrame:
    """``Jurisdiction Counts & Rates`` -> yearly counts, rates and population for the states, DC and US."""
    sheet = "Jurisdiction Counts & Rates"
    raw = _annual(_checked_header(raw, JURISDICTION_HEADER, sheet), sheet)
    where = raw["jurisdiction"]
    _refuse(raw, ~(where.isin(BY_USPS) | (where == "US")), sheet, "unknown jurisdiction (not a state, DC or US)")
    _refuse(raw, ~raw["dataset"].isin(DATASETS), sheet, f"dataset is not one of {list(DATASETS)}")
    _refuse(raw, ~raw["population"].str.fullmatch(r"\d+"), sheet, "population is not a whole number")
    _refuse(raw, raw.duplicated(["jurisdiction", "year", "dataset"], keep=False), sheet, "year given twice")
    _check_us_population(raw, sheet)

    year = raw["year"].astype(int)
    is_us = where == "US"
    base = pd.DataFrame(
        {
            "geo_level": is_us.map({True: "nation", False: "state"}),
            "geo_code": where.map(lambda w: "US" if w == "US" else BY_USPS[w].fips),
            "geo_name": where.map(lambda w: US_NAME if w == "US" else BY_USPS[w].name),
            "year": year,
            "period_end_date": pd.to_datetime(year.astype(str) + "-12-31"),
            "period_months": 12,
        }
    )
    scope = is_us.map({True: "participating_jurisdictions", False: ""})
    detail = f"CDC DOSE download {FILE}, sheet {sheet}, "
    population = raw["population"].astype(float)
    parts = []
    for dataset, (count_measure, rate_measure, pop_measure, _) in DATASETS.items():
        rows = raw["dataset"] == dataset
        parts.append(
            _rows(
                base[rows],
                "nonfatal_all_drugs",
                pop_measure,
                population[rows],
                scope[rows],
                detail + "column population",
            )
        )
        for column, drug in DRUG_COLUMNS.items():
            counts = _cells(raw.loc[rows, f"count_{column}"], sheet, f"count_{column}")
            rates = _cells(raw.loc[rows, f"rate_{column}"], sheet, f"rate_{column}")
            _check_rates(raw[rows], counts, rates, population[rows], sheet, column)
            not_coded = _not_coded(column, year[rows])
            for measure, values, field in ((count_measure, counts, "count"), (rate_measure, rates, "rate")):
                cells = raw.loc[rows, f"{field}_{column}"]
                flags = _flags(cells, not_coded, scope[rows])
                parts.append(
                    _rows(base[rows], drug, measure, values, flags, _detail(detail, f"{field}_{column}", cells))
                )
    return _complete(pd.concat(parts, ignore_index=True))


def tidy_counties(raw: pd.DataFrame) -> pd.DataFrame:
    """``County Counts & Rates`` -> all-drug ED visits, rates and population (or person-years) per county."""
    sheet = "County Counts & Rates"
    raw = _checked_header(raw, COUNTY_HEADER, sheet)
    state = raw["jurisdiction"].str.strip()
    _refuse(raw, ~state.isin(BY_USPS), sheet, "unknown jurisdiction (not a state or DC)")
    fips = raw["fips"].str.strip()
    _refuse(raw, ~fips.map(counties.is_county), sheet, "unknown county FIPS")
    state_fips = state.map(lambda s: BY_USPS[s].fips)
    _refuse(raw, fips.str[:2] != state_fips, sheet, "county FIPS does not lie in its jurisdiction")
    _refuse(raw, raw["dataset"] != "ED", sheet, "dataset is not ED (DOSE gives only ED visits by county)")
    one_year = raw["type"] == "1 year"
    five_year = raw["type"] == "5 year"
    _refuse(raw, ~(one_year | five_year), sheet, "type is neither '1 year' nor '5 year'")
    _refuse(raw, one_year & ~raw["year"].isin([str(y) for y in YEARS]), sheet, "1-year row outside 2018-2023")
    _refuse(raw, five_year & (raw["year"] != "2019-2023"), sheet, "5-year row not for 2019-2023")
    _refuse(raw, one_year & ~raw["population"].str.fullmatch(r"\d+"), sheet, "population is not a whole number")
    _refuse(raw, one_year & (raw["person_years"] != "."), sheet, "1-year row with person-years")
    _refuse(raw, five_year & (raw["population"] != "."), sheet, "5-year row with a population")
    _refuse(
        raw,
        five_year & ~(raw["person_years"].str.fullmatch(r"\d+") | (raw["person_years"] == "NA")),
        sheet,
        "person_years is neither a whole number nor NA",
    )
    _refuse(raw, raw.duplicated(["fips", "year"], keep=False), sheet, "county and period given twice")

    counts = _cells(raw["count_alldrug"], sheet, "count_alldrug")
    rates = _cells(raw["rate_alldrug"], sheet, "rate_alldrug")
    denominator = pd.to_numeric(raw["population"].where(one_year, raw["person_years"]), errors="coerce")
    _check_rates(raw, counts, rates, denominator, sheet, "alldrug")

    year = raw["year"].str[-4:].astype(int)
    name = raw["county"].str.strip().map(lambda n: string.capwords(n) if n.isupper() else n)  # NY is in capitals
    base = pd.DataFrame(
        {
            "geo_level": "county",
            "geo_code": fips,
            "geo_name": name + ", " + state,
            "year": year,
            "period_end_date": pd.to_datetime(year.astype(str) + "-12-31"),
            "period_months": one_year.map({True: 12, False: 60}),
        }
    )
    detail = f"CDC DOSE download {FILE}, sheet {sheet}, residents treated in their own state, "
    no_flag = pd.Series(False, index=raw.index)
    none = pd.Series("", index=raw.index)
    parts = [
        _rows(
            base,
            "nonfatal_all_drugs",
            "ed_visits",
            counts,
            _flags(raw["count_alldrug"], no_flag, none),
            _detail(detail, "count_alldrug", raw["count_alldrug"]),
        ),
        _rows(
            base[one_year],
            "nonfatal_all_drugs",
            "ed_visit_rate_per_100k",
            rates[one_year],
            _flags(raw.loc[one_year, "rate_alldrug"], no_flag, none),
            _detail(detail, "rate_alldrug", raw.loc[one_year, "rate_alldrug"]),
        ),
        _rows(
            base[one_year],
            "nonfatal_all_drugs",
            "ed_population",
            denominator[one_year],
            none[one_year],
            detail + "column population",
        ),
        _rows(
            base[five_year],
            "nonfatal_all_drugs",
            "ed_visit_person_year_rate_per_100k",
            rates[five_year],
            _flags(raw.loc[five_year, "rate_alldrug"], no_flag, none),
            _detail(detail, "rate_alldrug", raw.loc[five_year, "rate_alldrug"]),
        ),
        _rows(
            base[five_year],
            "nonfatal_all_drugs",
            "ed_person_years",
            denominator[five_year],
            _flags(raw.loc[five_year, "person_years"], no_flag, none),
            _detail(detail, "person_years", raw.loc[five_year, "person_years"]),
        ),
    ]
    return _complete(pd.concat(parts, ignore_index=True))


def tidy_submissions(raw: pd.DataFrame) -> pd.DataFrame:
    """``US Jurisdiction Submissions`` -> how many states and DC the US rows of each dataset and year add up."""
    sheet = "US Jurisdiction Submissions"
    raw = _annual(_checked_header(raw, SUBMISSIONS_HEADER, sheet), sheet)
    _refuse(raw, ~raw["dataset"].isin(DATASETS), sheet, f"dataset is not one of {list(DATASETS)}")
    _refuse(raw, ~raw["jurisdiction_count"].str.fullmatch(r"\d+"), sheet, "jurisdiction_count is not a number")
    _refuse(raw, raw.duplicated(["dataset", "year"], keep=False), sheet, "year given twice")
    year = raw["year"].astype(int)
    out = pd.DataFrame(
        {
            "source_id": SOURCE.id,
            "geo_level": "nation",
            "geo_code": "US",
            "geo_name": US_NAME,
            "year": year,
            "period_end_date": pd.to_datetime(year.astype(str) + "-12-31"),
            "period_months": 12,
            "drug": "nonfatal_all_drugs",
            "measure": raw["dataset"].map(lambda d: DATASETS[d][3]),
            "value": raw["jurisdiction_count"].astype(float),
            "value_flag": "",
            "source_detail": f"CDC DOSE download {FILE}, sheet {sheet}, column jurisdiction_count",
        }
    )
    return _complete(out)


# --- load --------------------------------------------------------------------------------------------------------
def load() -> Table:
    """The bundled table (``data_sources/snapshots/dose_nonfatal.csv.gz``): a 2018-2023 download of CDC's dashboard,
    the source of record here (there is no API to refresh it from)."""
    stored = read_table(TABLE, SNAPSHOT_DIR)
    return Table(
        name=TABLE,
        data=stored.data,
        sources=SOURCES,
        retrieved_at=stored.retrieved_at,
        from_snapshot=True,
        schema=TIDY,
    )


# --- helpers -----------------------------------------------------------------------------------------------------
def _checked_header(raw: pd.DataFrame, header: tuple[str, ...], sheet: str) -> pd.DataFrame:
    """The sheet with its expected columns; an unnamed column left by a trailing comma is dropped if empty."""
    blank = [c for c in raw.columns if (not str(c).strip() or str(c).startswith("Unnamed:")) and (raw[c] == "").all()]
    raw = raw.drop(columns=blank).reset_index(drop=True)
    if tuple(raw.columns) != header:
        raise SchemaError(f"{TABLE}, sheet {sheet}: expected columns {list(header)}; found {list(raw.columns)}")
    return raw.apply(lambda col: col.str.strip())


def _annual(raw: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """The sheet's yearly rows (``month`` ``all``), once every row's period is checked. The index is kept, so a
    refusal still names the row's place in the sheet."""
    _check_period(raw, sheet)
    return raw[raw["month"] == "all"]


def _check_period(raw: pd.DataFrame, sheet: str) -> None:
    months = {"all", *(str(m) for m in range(1, 13))}
    _refuse(raw, ~raw["month"].isin(months), sheet, "month is neither 'all' nor 1-12")
    _refuse(raw, ~raw["year"].isin([str(y) for y in YEARS]), sheet, "year outside 2018-2023")
    if "time_frame" in raw:
        expected = raw["month"].map(lambda m: "annual" if m == "all" else "monthly")
        _refuse(raw, raw["time_frame"] != expected, sheet, "time_frame does not match month")


def _cells(cells: pd.Series, sheet: str, column: str) -> pd.Series:
    """Numbers as Float64; the markers (suppressed, NA) as missing. Anything else is refused by row."""
    numbers = pd.to_numeric(cells.where(~cells.isin(MARKERS)), errors="coerce")
    unknown = numbers.isna() & ~cells.isin(MARKERS)
    if unknown.any():
        first = unknown[unknown].index[:3]
        shown = ", ".join(f"row {i + 1}: {cells[i]!r}" for i in first)
        raise SchemaError(
            f"{TABLE}, sheet {sheet}, column {column}: {int(unknown.sum())} cells are neither a number nor one of "
            f"{list(MARKERS)} ({shown})"
        )
    return numbers.astype("Float64")


def _check_rates(
    raw: pd.DataFrame, counts: pd.Series, rates: pd.Series, population: pd.Series, sheet: str, column: str
) -> None:
    """Refuse a published rate that differs from count / population x 100,000 by more than the rounding."""
    computed = counts.astype(float) / population.astype(float) * 100_000
    off = (computed - rates.astype(float)).abs() > TOLERANCE + 1e-9
    off = off.fillna(False).astype(bool)
    if off.any():
        first = off[off].index[:3]
        shown = "; ".join(
            f"row {i + 1} ({', '.join(str(raw.at[i, c]) for c in raw.columns[:5])}): count {counts[i]}, "
            f"population {population[i]:.0f}, rate {rates[i]} but count/population x 100,000 = {computed[i]:.3f}"
            for i in first
        )
        raise SchemaError(
            f"{TABLE}, sheet {sheet}, rate_{column}: {int(off.sum())} rates disagree with their count and population "
            f"by more than {TOLERANCE} ({shown})"
        )


def _check_us_population(raw: pd.DataFrame, sheet: str) -> None:
    """The US rows must be the sum of the participating jurisdictions' rows (their population shows it)."""
    population = raw["population"].astype(int)
    keys = [raw["dataset"], raw["year"], raw["month"]]
    states = population[raw["jurisdiction"] != "US"].groupby([k[raw["jurisdiction"] != "US"] for k in keys]).sum()
    us_rows = raw["jurisdiction"] == "US"
    for i in raw.index[us_rows]:
        key = (str(raw.at[i, "dataset"]), str(raw.at[i, "year"]), str(raw.at[i, "month"]))
        total = int(states.get(key, 0))
        if total != population[i]:
            raise SchemaError(
                f"{TABLE}, sheet {sheet}, row {i + 1} (US {' '.join(key)}): population {population[i]:,} is not the "
                f"sum of the period's jurisdictions ({total:,})"
            )


def _check_submissions(jurisdictions: pd.DataFrame, submissions: pd.DataFrame) -> None:
    """Each yearly submission count must equal the number of states and DC with rows for that dataset and year."""
    sheet = "Jurisdiction Counts & Rates"
    rows = _annual(_checked_header(jurisdictions, JURISDICTION_HEADER, sheet), sheet)
    rows = rows[rows["jurisdiction"] != "US"]
    present = rows.groupby(["dataset", "year"])["jurisdiction"].nunique()
    sheet = "US Jurisdiction Submissions"
    sub = _annual(_checked_header(submissions, SUBMISSIONS_HEADER, sheet), sheet)
    for rec in sub.to_dict("records"):
        key = (rec["dataset"], rec["year"])
        found = int(present.get(key, 0))
        if found != int(rec["jurisdiction_count"]):
            raise SchemaError(
                f"{TABLE}: US Jurisdiction Submissions says {rec['jurisdiction_count']} jurisdictions submitted "
                f"{' '.join(key)}, but Jurisdiction Counts & Rates has rows for {found}"
            )


def _not_coded(column: str, year: pd.Series) -> pd.Series:
    """Years with a month before the drug had a diagnosis code (codes began in October, so their first year too)."""
    if column not in CODED_FROM:
        return pd.Series(False, index=year.index)
    first_year, _ = CODED_FROM[column]
    return year <= first_year


def _flags(cells: pd.Series, not_coded: pd.Series, scope: pd.Series) -> pd.Series:
    """value_flag per cell: suppressed, no_diagnosis_code or missing for the markers, plus the row's scope flag."""
    na = (cells == "NA").to_numpy()
    reason = np.select(
        [(cells == "suppressed").to_numpy(), na & not_coded.loc[cells.index].to_numpy(), na],
        ["suppressed", "no_diagnosis_code", "missing"],
        default="",
    )
    scopes = scope.loc[cells.index]
    return pd.Series(
        [join_flags(r or None, s or None) for r, s in zip(reason, scopes, strict=True)], index=cells.index, dtype=object
    )


def _detail(prefix: str, column: str, cells: pd.Series) -> pd.Series:
    """Where the cell was read, and what a marker said."""
    note = cells.map(
        {"suppressed": f', published as "suppressed" ({SUPPRESSION})', "NA": ', published as "NA" (not available)'}
    ).fillna("")
    return prefix + "column " + column + note


def _rows(
    base: pd.DataFrame, drug: str, measure: str, values: pd.Series, flags: pd.Series, detail: str | pd.Series
) -> pd.DataFrame:
    """One measure of one drug for the rows of ``base``; :func:`_complete` fills the shared columns afterwards."""
    return base.assign(
        drug=drug,
        measure=measure,
        value=values.astype("Float64").to_numpy(),
        value_flag=flags.to_numpy() if isinstance(flags, pd.Series) else flags,
        source_detail=detail.to_numpy() if isinstance(detail, pd.Series) else detail,
    )


def _complete(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill the columns every DOSE row shares: no breakdown, no confidence limits, read from CDC's own file."""
    out = frame.copy()
    for col in ("sex", "age_group", "race_ethnicity"):
        out[col] = "all"
    out["value_lower"] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    out["value_upper"] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    out["provenance"] = "primary"
    if "source_id" not in out:
        out["source_id"] = SOURCE.id
    return out


def _refuse(raw: pd.DataFrame, bad: pd.Series, sheet: str, problem: str) -> None:
    """Raise SchemaError naming the sheet, the first offending rows (1 = first data row) and their cells."""
    flagged = bad.fillna(True).astype(bool).to_numpy()
    if not flagged.any():
        return
    rows = raw[flagged].head(3)
    shown = "; ".join(
        f"row {i + 1}: " + ", ".join(f"{k}={v!r}" for k, v in list(rec.items())[:5])
        for i, rec in zip(rows.index, rows.to_dict("records"), strict=True)
    )
    more = int(flagged.sum()) - len(rows)
    raise SchemaError(f"{TABLE}, sheet {sheet}: {problem} ({shown}{f' and {more} more' if more else ''})")
