"""CDC/NCHS "Drug Overdose Mortality by State", 1999-2021: the table behind NCHS's state map page.

The CSV behind https://www.cdc.gov/nchs/pressroom/sosmap/drug_poisoning_mortality/drug_poisoning.htm (final
NVSS data): for each of the 50 states in 1999, 2005 and 2014-2021, the number of drug overdose deaths and the
age-adjusted death rate per 100,000 (2000 US standard). Header ``YEAR,STATE,RATE,DEATHS,URL``.

Quirks, as published, and what this module does with them:

* ``DEATHS`` carries thousands separators in some rows (``"1,670"``): read as numbers.
* Where a state had fewer than 20 deaths the page shows ``RATE`` 0: a rate not shown, never a rate of zero.
  The value is left missing and flagged ``unreliable``; a rate of 0 on 20 or more deaths is refused.
* NCHS's state file calls a rate on 20 or fewer deaths unreliable; such rates are flagged ``unreliable``.
* No District of Columbia row: DC's rows are kept, with no value and the flag ``missing``, never zero.
* No crude rate: kept as a missing value with that reason, so a map of crude rates shows "no value".
* No confidence limits: the 95% interval is computed here from the death count, the way NCHS computes it
  (:func:`rate_interval`), and flagged ``computed_interval``.
* 2014: the file gives Arizona's figures to Arkansas and Arkansas's to Arizona (``KNOWN_DISAGREEMENTS``);
  ``jx6g-fdh6``, which has each state's population, shows which is right.

The dashboard shows these figures in the ``state_drug_poisoning`` table for the years after ``jx6g-fdh6``
ends (2018-2021, see :func:`later_years`); :func:`disagreements` compares every state-year both files cover.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
from scipy.special import gammaincinv

from data_sources.geography import BY_USPS
from data_sources.schema import SchemaError, Source, conform, join_flags

TABLE = "state_overdose_mortality"
FIELDS: tuple[str, ...] = ("YEAR", "STATE", "RATE", "DEATHS", "URL")
PAGE = "https://www.cdc.gov/nchs/pressroom/sosmap/drug_poisoning_mortality/drug_poisoning.htm"
UNRELIABLE_AT_MOST = 20  # deaths: NCHS's state file calls rates on 20 or fewer deaths unreliable
NOT_SHOWN_BELOW = 20  # deaths: the page shows RATE 0 (a rate not shown) for fewer than 20 deaths
NORMAL_FROM = 100  # deaths: NCHS uses the normal approximation from 100 deaths, the gamma method below
Z_95 = 1.96
RATE_TOLERANCE = 0.05 + 1e-9  # the file's rates have one decimal: two copies of one rate agree to rounding
#: For years with no published population: deaths / age-adjusted rate approximates the population (crude and
#: age-adjusted rates of a state differ by about 10% in 2018-2021); a row implying a population off by more
#: than this share from the state's last published population belongs to another state or is mistyped.
SIZE_TOLERANCE = 0.25

COPY_FROM = (
    "the CSV (published name data-table.csv) as committed to the public GitHub repository "
    "Ilissagarcia/OpioidCapstone, data/data-table.csv, commit 44e1e767; equal to two older downloads of the "
    "same CSV (Rlizaran/Drug-Crime-and-Overdose, szinfo/Info-201-Group-Project)"
)
SOURCE = Source(
    id="nchs_state_overdose_mortality",
    title="Drug Overdose Mortality by State",
    publisher="CDC, National Center for Health Statistics",
    url=PAGE,
    license="Public domain (U.S. Government work)",
    citation="National Center for Health Statistics. Drug Overdose Mortality by State (final data: deaths and "
    "age-adjusted death rates per 100,000, 50 states, 1999, 2005 and 2014-2021), the table behind the state map "
    f"at {PAGE}. This site's copy is {COPY_FROM}. The file gives no confidence limits; the 95% intervals shown "
    "were computed by this site from the death counts.",
    coverage="50 states (no District of Columbia), 1999, 2005 and 2014-2021; deaths and age-adjusted rates",
    copy_from=COPY_FROM,
)
SOURCES = (SOURCE,)

#: State-years where this file and jx6g-fdh6 differ, and why. The build refuses any other difference, and
#: refuses these if they stop occurring (so the list cannot go stale).
KNOWN_DISAGREEMENTS: dict[tuple[str, int], str] = {
    ("04", 2014): "The file gives Arizona 356 deaths and 12.6 per 100,000, which are Arkansas's figures in "
    "jx6g-fdh6; Arizona had 1,211 deaths (18.2) among 6,731,484 residents.",
    ("05", 2014): "The file gives Arkansas 1,211 deaths and 18.2 per 100,000, which are Arizona's figures in "
    "jx6g-fdh6; Arkansas had 356 deaths (12.6) among 2,966,369 residents.",
}


def read_export(path: Path) -> list[dict[str, str]]:
    """The CSV's rows as dicts of text. Raises SchemaError naming the file when its header is not FIELDS."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise SchemaError(f"{path.name}: expected the header {list(FIELDS)}; found {reader.fieldnames}")
        return list(reader)


def rate_interval(rate: float, deaths: int) -> tuple[float, float]:
    """95% confidence interval of a death rate from the number of deaths it rests on, as NCHS computes it.

    100 or more deaths: rate +/- 1.96 x rate / sqrt(deaths) (normal approximation). Fewer: the gamma method
    (Fay and Feuer 1997) with the rate's variance taken as rate^2 / deaths, which is the exact Poisson interval
    of the count scaled to the rate: rate / deaths x (gamma(0.025; deaths), gamma(0.975; deaths + 1)).
    For a crude rate this reproduces NCHS's published limits; for an age-adjusted rate NCHS uses the deaths in
    each age group, which a state total does not give, so the interval is close to NCHS's, not equal.
    """
    if deaths <= 0 or rate < 0 or not math.isfinite(rate):
        raise ValueError(f"an interval needs a positive death count and a rate: {deaths} deaths, rate {rate}")
    if deaths >= NORMAL_FROM:
        half = Z_95 * rate / math.sqrt(deaths)
        return rate - half, rate + half
    # gamma.ppf(q, k) is the inverse regularised lower incomplete gamma function gammaincinv(k, q).
    per_death = rate / deaths
    return per_death * float(gammaincinv(deaths, 0.025)), per_death * float(gammaincinv(deaths + 1, 0.975))


def tidy(records: list[dict[str, str]]) -> pd.DataFrame:
    """The CSV's rows (text, as read) -> the tidy contract: deaths, age-adjusted rate (with a computed 95%
    interval) and a missing crude rate per state and year, plus DC's missing rows for each year.

    Refuses, naming the row: an unknown state code, a row whose page address names another state, a year,
    count or rate that is not a number, a negative count or rate, a rate of 0 on 20 or more deaths, and a
    state-year given twice.
    """
    rows: list[dict] = []
    seen: set[tuple[str, int]] = set()
    for number, rec in enumerate(records, start=2):  # line 1 is the header
        where = f"{TABLE}: line {number} ({rec.get('YEAR')}, {rec.get('STATE')})"
        code = str(rec["STATE"]).strip().upper()
        state = BY_USPS.get(code)
        if state is None or code == "DC":
            raise SchemaError(f"{where}: unknown state code {rec['STATE']!r}")
        if state.name.lower().replace(" ", "") not in str(rec["URL"]).lower():
            raise SchemaError(f"{where}: the row's page {rec['URL']!r} is not {state.name}'s")
        year, deaths = _number(rec["YEAR"], where, "YEAR"), _number(rec["DEATHS"], where, "DEATHS")
        rate = _number(rec["RATE"], where, "RATE")
        if year != int(year) or deaths != int(deaths):
            raise SchemaError(
                f"{where}: YEAR and DEATHS must be whole numbers, found {rec['YEAR']!r}, {rec['DEATHS']!r}"
            )
        if deaths < 0 or rate < 0:
            raise SchemaError(f"{where}: negative count or rate (DEATHS {rec['DEATHS']!r}, RATE {rec['RATE']!r})")
        if rate == 0 and deaths >= NOT_SHOWN_BELOW:
            raise SchemaError(f"{where}: RATE 0 on {int(deaths)} deaths; the page hides rates only below 20 deaths")
        year, deaths = int(year), int(deaths)
        if (code, year) in seen:
            raise SchemaError(f"{where}: {state.name} {year} appears twice")
        seen.add((code, year))
        detail = f"NCHS Drug Overdose Mortality by State CSV: YEAR {year}, STATE {code} ({rec['URL']})"
        base = _base(state.fips, state.name, year)
        rows.append({**base, "measure": "deaths", "value": deaths, "value_flag": "", "source_detail": detail})
        unreliable = "unreliable" if deaths <= UNRELIABLE_AT_MOST else None
        if rate == 0:  # not shown: fewer than 20 deaths
            rows.append(
                {
                    **base,
                    "measure": "age_adjusted_rate_per_100k",
                    "value": None,
                    "value_flag": "unreliable",
                    "source_detail": f"{detail}; RATE published as 0: not shown, fewer than 20 deaths",
                }
            )
        else:
            low, high = rate_interval(rate, deaths)
            method = "rate +/- 1.96 x rate / sqrt(deaths)" if deaths >= NORMAL_FROM else "gamma method"
            rows.append(
                {
                    **base,
                    "measure": "age_adjusted_rate_per_100k",
                    "value": rate,
                    "value_lower": round(low, 4),
                    "value_upper": round(high, 4),
                    "value_flag": join_flags(unreliable, "computed_interval"),
                    "source_detail": f"{detail}; 95% interval computed by this site from {deaths:,} deaths ({method})",
                }
            )
        rows.append(
            {
                **base,
                "measure": "crude_rate_per_100k",
                "value": None,
                "value_flag": "missing",
                "source_detail": f"{detail}; the file gives age-adjusted rates only, no crude rate",
            }
        )
    dc = BY_USPS["DC"]
    for year in sorted({year for _, year in seen}):
        for measure in ("deaths", "age_adjusted_rate_per_100k", "crude_rate_per_100k"):
            rows.append(
                {
                    **_base(dc.fips, dc.name, year),
                    "measure": measure,
                    "value": None,
                    "value_flag": "missing",
                    "source_detail": "NCHS Drug Overdose Mortality by State CSV: it lists the 50 states only, with no "
                    "row for the District of Columbia",
                }
            )
    return conform(pd.DataFrame(rows), table=TABLE)


def disagreements(reference: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Every state-year both tables cover where they differ: deaths compared exactly, age-adjusted rates to the
    file's rounding (0.05). Only figures both give are compared: a rate this file does not show (fewer than 20
    deaths) and DC, which it does not list, carry their reason flags and are not differences.

    ``reference`` is jx6g-fdh6's tidy table; ``frame`` this module's. Returns one row per difference with the
    place, year, measure and both values (``reference``, ``other``); empty when they agree.
    """
    keys = ["geo_code", "year", "measure"]
    measures = ["deaths", "age_adjusted_rate_per_100k"]
    left = _everyone(reference)
    left = left[left["measure"].isin(measures)]
    right = _everyone(frame)
    right = right[right["measure"].isin(measures) & right["geo_code"].isin(left["geo_code"])]
    both = left.merge(right, on=keys, suffixes=("_ref", "_other"))
    ref, other = both["value_ref"].astype(float), both["value_other"].astype(float)
    gap = (ref - other).abs()
    is_count = both["measure"] == "deaths"
    differs = ref.notna() & other.notna() & ((is_count & (gap > 0)) | (~is_count & (gap > RATE_TOLERANCE)))
    out = both[differs]
    out = out.rename(columns={"geo_name_ref": "geo_name", "value_ref": "reference", "value_other": "other"})
    return out[["geo_code", "geo_name", "year", "measure", "reference", "other"]].reset_index(drop=True)


def compared(reference: pd.DataFrame, frame: pd.DataFrame) -> int:
    """How many figures :func:`disagreements` compares (both tables give a value for the same state, year and
    measure), so a test can tell that the overlap was really checked."""
    keys = ["geo_code", "year", "measure"]
    measures = ["deaths", "age_adjusted_rate_per_100k"]
    left, right = _everyone(reference), _everyone(frame)
    left = left[left["measure"].isin(measures) & left["value"].notna()]
    right = right[right["measure"].isin(measures) & right["value"].notna()]
    return len(left[keys].merge(right[keys], on=keys))


def check_against(reference: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Refuse (SchemaError naming each state-year) any difference from jx6g-fdh6 not in KNOWN_DISAGREEMENTS,
    and any known one that no longer occurs."""
    found = disagreements(reference, frame)
    places = places_of(found)
    unexplained = found[[place not in KNOWN_DISAGREEMENTS for place in places]]
    if not unexplained.empty:
        lines = "; ".join(
            f"{r.geo_name} {r.year} {r.measure}: jx6g-fdh6 {r.reference}, this file {r.other}"
            for r in unexplained.itertuples()
        )
        raise SchemaError(f"{TABLE} disagrees with jx6g-fdh6: {lines}")
    gone = sorted(set(KNOWN_DISAGREEMENTS) - set(places))
    if gone:
        raise SchemaError(f"{TABLE}: known disagreements no longer occur, update KNOWN_DISAGREEMENTS: {gone}")


def places_of(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """(geo_code, year) of each row."""
    return [(str(code), int(year)) for code, year in zip(frame["geo_code"], frame["year"], strict=True)]


def check_sizes(frame: pd.DataFrame, reference: pd.DataFrame) -> None:
    """For years after ``reference`` (jx6g-fdh6) ends, refuse a row whose deaths and rate imply a population
    far from the state's last published one (SIZE_TOLERANCE): a row given to the wrong state, like 2014's."""
    last = int(reference["year"].max())
    population = _everyone(reference)
    population = population[(population["measure"] == "population") & (population["year"] == last)]
    known = dict(zip(population["geo_code"], population["value"].astype(float), strict=True))
    rows = _everyone(frame)
    rows = rows[rows["year"] > last]
    deaths = {
        (str(r["geo_code"]), int(r["year"])): float(r["value"])
        for r in rows[(rows["measure"] == "deaths") & rows["value"].notna()].to_dict("records")
    }
    rates = rows[(rows["measure"] == "age_adjusted_rate_per_100k") & rows["value"].notna()]
    for rec in rates.to_dict("records"):
        code, year, rate = str(rec["geo_code"]), int(rec["year"]), float(rec["value"])
        implied = deaths[(code, year)] / rate * 100_000
        if code in known and abs(implied / known[code] - 1) > SIZE_TOLERANCE:
            raise SchemaError(
                f"{TABLE}: {rec['geo_name']} {year}: {deaths[(code, year)]:,.0f} deaths at {rate} per 100,000 "
                f"imply about {implied:,.0f} residents, but {last}'s population was {known[code]:,.0f}; the row "
                "may belong to another state"
            )


def later_years(frame: pd.DataFrame, after: int) -> pd.DataFrame:
    """This table's rows for years after ``after`` (the last year of jx6g-fdh6): it continues that series and
    never replaces a year jx6g-fdh6 covers."""
    return frame[frame["year"] > after].reset_index(drop=True)


def _everyone(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows for whole populations of states (not the nation, not a sex, age or race group)."""
    mask = (frame["geo_level"] == "state") & (frame["sex"] == "all") & (frame["age_group"] == "all")
    return frame[mask & (frame["race_ethnicity"] == "all")]


def _base(fips: str, name: str, year: int) -> dict:
    return {
        "source_id": SOURCE.id,
        "geo_level": "state",
        "geo_code": fips,
        "geo_name": name,
        "year": year,
        "period_end_date": f"{year}-12-31",
        "period_months": 12,
        "drug": "all_drugs",
        "sex": "all",
        "age_group": "all",
        "race_ethnicity": "all",
        "value_lower": None,
        "value_upper": None,
        "provenance": "primary",
    }


def _number(text: str, where: str, column: str) -> float:
    cleaned = str(text or "").replace(",", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise SchemaError(f"{where}: {column} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise SchemaError(f"{where}: {column} {text!r} is not a number")
    return value
