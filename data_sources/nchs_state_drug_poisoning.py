"""NCHS Drug Poisoning Mortality by State, United States (data.cdc.gov ``jx6g-fdh6``), into the tidy contract.

Final deaths, population, crude and age-adjusted death rates with 95% confidence limits for drug poisoning
deaths of all intents, 1999-2017: every state and DC (both sexes, all ages, all races), and the nation by
sex, age group and race and Hispanic origin. NCHS computes the limits (normal approximation at 100 or more
deaths, exact Poisson limits below); they are carried as ``value_lower``/``value_upper``.

Rates from 20 or fewer deaths are flagged ``unreliable`` (the rule of NCHS's state file) and kept, never
dropped or ranked. A crude rate that does not equal deaths / population x 100,000 to its own rounding, a
negative count and an unknown place are refused by name.

The table the dashboard loads (:func:`load`) continues this series past 2017 without changing any year it
covers: states in 2018-2021 from NCHS's *Drug Overdose Mortality by State* file
(:mod:`data_sources.nchs_state_overdose_mortality`, deaths and age-adjusted rates, intervals computed from the
death counts and flagged ``computed_interval``; no DC row, so DC's rows are missing with that reason), and the
nation in those years from the final national table (:mod:`data_sources.nchs_national_final`), where a cited
figure exists.

NCHS warns, in the notes to its county estimates (data.cdc.gov pbkm-d27e), that death rates for New Jersey in
2009 and West Virginia in 2005 and 2009 "may be low" (deaths pending investigation or coded R99). Its state
file does not flag them, so :func:`load` flags those state-years' deaths and rates ``may_be_underestimated``
and quotes the warning in ``source_detail`` (:func:`mark_underestimated`). It does so at load time, on the
refreshed cache and the bundled snapshot alike, so both carry the flag and ``tidy`` stays the publisher's
file as published. The population is not flagged: the warning is about deaths, not residents.

The SODA JSON field names below follow data.cdc.gov's rule for naming API fields after the CSV headers
(lower case, words joined by ``_``); no raw JSON response of this dataset was available to confirm them, so
``tidy`` names any field it does not find, and a refresh then stops with that message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from data_sources import freshness, nchs_national_final, nchs_state_overdose_mortality, socrata
from data_sources.geography import place
from data_sources.nchs_county_model import SOURCE as COUNTY_SOURCE
from data_sources.nchs_county_model import UNDERESTIMATED, UNDERESTIMATED_NOTE
from data_sources.schema import SchemaError, Source, Table, conform, join_flags, split_flags
from data_sources.snapshot import SNAPSHOT_DIR, read_table, where

TABLE = "state_drug_poisoning"
DATASET_ID = "jx6g-fdh6"
UNRELIABLE_AT_MOST = 20  # deaths: NCHS's state file calls rates on 20 or fewer deaths unreliable

SOURCE = Source(
    id="nchs_jx6g_fdh6",
    title="NCHS - Drug Poisoning Mortality by State: United States",
    publisher="CDC, National Center for Health Statistics",
    url="https://data.cdc.gov/d/jx6g-fdh6",
    license="Public domain (U.S. Government work)",
    citation="National Center for Health Statistics. Drug Poisoning Mortality by State: United States "
    "(data.cdc.gov jx6g-fdh6), 1999-2017 release. Deaths of all intents from drug poisoning; rates per "
    "100,000 with 95% confidence limits.",
    dataset_id=DATASET_ID,
    coverage="50 states and DC, and the nation by sex, age group and race and Hispanic origin, 1999-2017",
)
#: The same dataset as bundled: a copy of the CSV export kept in a public repository, not fetched by this site.
BUNDLED_SOURCE = replace(
    SOURCE,
    citation=SOURCE.citation + " This site's bundled copy is the data.cdc.gov CSV export as committed to the "
    "public GitHub repository manjunath5496/CSV-Datasets_4 (NCHS_-_Drug_Poisoning_Mortality_by_State__United_"
    "States.csv, commit c75f370c); `make refresh` fetches it from data.cdc.gov.",
    copy_from="the data.cdc.gov CSV export as committed to github.com/manjunath5496/CSV-Datasets_4 "
    "(NCHS_-_Drug_Poisoning_Mortality_by_State__United_States.csv, commit c75f370c)",
)
SOURCES = (SOURCE,)

#: The measures NCHS's "may be low" warning is about: the deaths and the rates made from them.
UNDERESTIMATED_MEASURES: tuple[str, ...] = ("deaths", "crude_rate_per_100k", "age_adjusted_rate_per_100k")
#: Appended to the flagged rows' source_detail: where the warning was read, and the warning itself.
UNDERESTIMATED_DETAIL = (
    f"flagged may_be_underestimated by this site after the notes to data.cdc.gov {COUNTY_SOURCE.dataset_id} "
    f"({COUNTY_SOURCE.url}): {UNDERESTIMATED_NOTE}"
)

#: CSV export header -> SODA JSON field (1999-2017 release; note "Upper Confidence for Age-adjusted Rate").
CSV_FIELDS = {
    "State": "state",
    "Year": "year",
    "Sex": "sex",
    "Age Group": "age_group",
    "Race and Hispanic Origin": "race_and_hispanic_origin",
    "Deaths": "deaths",
    "Population": "population",
    "Crude Death Rate": "crude_death_rate",
    "Low Confidence Limit for Crude Rate": "low_confidence_limit_for_crude_rate",
    "Upper Confidence Limit for Crude Rate": "upper_confidence_limit_for_crude_rate",
    "Age-adjusted Rate": "age_adjusted_rate",
    "Lower Confidence Limit for Age-adjusted Rate": "lower_confidence_limit_for_age_adjusted_rate",
    "Upper Confidence for Age-adjusted Rate": "upper_confidence_for_age_adjusted_rate",
}
FIELDS: tuple[str, ...] = tuple(CSV_FIELDS.values())
#: Fields every record must carry: without them a row has no place, period or drug.
KEYS: tuple[str, ...] = ("state", "year", "sex", "age_group", "race_and_hispanic_origin")
#: Fields SODA may leave out of every record (it omits nulls), e.g. when no row has a note.
OPTIONAL: tuple[str, ...] = ()

SEX = {"Both Sexes": "all", "Female": "female", "Male": "male"}
RACE = {
    "All Races-All Origins": "all",
    "Hispanic": "Hispanic",
    "Non-Hispanic White": "Non-Hispanic White",
    "Non-Hispanic Black": "Non-Hispanic Black",
}
# measure -> (value field, lower field, upper field)
RATES = {
    "crude_rate_per_100k": (
        "crude_death_rate",
        "low_confidence_limit_for_crude_rate",
        "upper_confidence_limit_for_crude_rate",
    ),
    "age_adjusted_rate_per_100k": (
        "age_adjusted_rate",
        "lower_confidence_limit_for_age_adjusted_rate",
        "upper_confidence_for_age_adjusted_rate",
    ),
}


def tidy(records: list[dict]) -> pd.DataFrame:
    """SODA JSON records (values as strings) -> the tidy contract: deaths, population and both rates."""
    raw = socrata.records_frame(records, FIELDS, DATASET_ID, keys=KEYS, optional=OPTIONAL)
    unknown_sex = sorted(set(raw["sex"]) - set(SEX))
    unknown_race = sorted(set(raw["race_and_hispanic_origin"]) - set(RACE))
    if unknown_sex or unknown_race:
        raise SchemaError(f"{DATASET_ID}: unknown sex {unknown_sex} or race/origin {unknown_race}")
    rows = []
    for number, rec in enumerate(raw.to_dict("records")):
        where = f"{DATASET_ID}: record {number} ({rec['state']}, {rec['year']}, {rec['sex']}, {rec['age_group']})"
        try:
            level, code, name = place(rec["state"])
        except KeyError as err:
            raise SchemaError(f"{where}: unknown place {rec['state']!r}") from err
        year = socrata.parse_whole(rec["year"], f"{where} year")
        deaths = socrata.parse_number(rec["deaths"])
        _check_counts(rec, deaths, where)
        base = {
            "source_id": SOURCE.id,
            "geo_level": level,
            "geo_code": code,
            "geo_name": name,
            "year": year,
            "period_end_date": f"{year}-12-31",
            "period_months": 12,
            "drug": "all_drugs",
            "sex": SEX[rec["sex"]],
            "age_group": _age(rec["age_group"]),
            "race_ethnicity": RACE[rec["race_and_hispanic_origin"]],
            "provenance": "primary",
            "source_detail": f"data.cdc.gov {DATASET_ID}, 1999-2017 release",
        }
        for measure, field in (("deaths", "deaths"), ("population", "population")):
            value = socrata.parse_number(rec[field])
            rows.append(
                {
                    **base,
                    "measure": measure,
                    "value": value,
                    "value_lower": None,
                    "value_upper": None,
                    "value_flag": "" if value is not None else "missing",
                }
            )
        for measure, (field, low, high) in RATES.items():
            value = socrata.parse_number(rec[field])
            if value is None and measure == "age_adjusted_rate_per_100k" and base["age_group"] != "all":
                continue  # NCHS age-adjusts only all-ages rows; an age band has no age-adjusted rate
            unreliable = deaths is not None and deaths <= UNRELIABLE_AT_MOST
            flag = join_flags("unreliable" if unreliable else None, "missing" if value is None else None)
            rows.append(
                {
                    **base,
                    "measure": measure,
                    "value": value,
                    "value_lower": socrata.parse_number(rec[low]),
                    "value_upper": socrata.parse_number(rec[high]),
                    "value_flag": flag,
                }
            )
    return conform(pd.DataFrame(rows), table=TABLE)


def load() -> Table:
    """jx6g-fdh6 (the refreshed cache if valid, else the bundled snapshot, with a notice), continued for the
    years after it ends by NCHS's state file (states) and the final national table (the nation)."""
    base = freshness.load_freshest(TABLE, SOURCES)
    if base.from_snapshot:
        base = replace(base, sources=(BUNDLED_SOURCE,))
    last = int(base.data["year"].max())
    states = read_table(nchs_state_overdose_mortality.TABLE, SNAPSHOT_DIR)
    later = nchs_state_overdose_mortality.later_years(states.data, last)
    national = nchs_national_final.load()
    nation = nation_rows(national.data, sorted({int(y) for y in later["year"]}))
    cited = set(nation["source_id"])
    sources = (
        *base.sources,
        *nchs_state_overdose_mortality.SOURCES,
        *(s for s in national.sources if s.id in cited),
    )
    origin = f"{base.extra.get('origin', '')}; {where(states.path)} (years after {last}); national_final (the nation)"
    data = pd.concat([mark_underestimated(base.data), later, nation], ignore_index=True)
    return replace(base, data=data, sources=sources, extra={**base.extra, "origin": origin})


def mark_underestimated(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (this table's tidy rows) with the state-years NCHS warns "may be low" (New Jersey 2009, West
    Virginia 2005 and 2009: ``nchs_county_model.UNDERESTIMATED``) flagged ``may_be_underestimated`` on their
    deaths and rates, and the warning quoted in their ``source_detail``. Values are untouched. Rows already
    flagged are left as they are, so applying it twice changes nothing; a frame without those state-years (a
    partial refresh) is returned as it is, since there is no figure to warn about."""
    out = frame.copy()
    warned = pd.Series(
        [(code, int(year)) in UNDERESTIMATED for code, year in zip(out["geo_code"], out["year"], strict=True)],
        index=out.index,
    )
    target = warned & out["measure"].isin(UNDERESTIMATED_MEASURES)
    todo = target & ~out["value_flag"].map(lambda f: "may_be_underestimated" in split_flags(f))
    out.loc[todo, "value_flag"] = [
        join_flags(*split_flags(f), "may_be_underestimated") for f in out.loc[todo, "value_flag"]
    ]
    out.loc[todo, "source_detail"] = [f"{d}; {UNDERESTIMATED_DETAIL}" for d in out.loc[todo, "source_detail"]]
    return out


def nation_rows(national: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """The nation's all-drug deaths and age-adjusted rate in ``years`` from the final national table, each with
    its own citation; a rate gets the 95% interval computed from that year's death count (flag
    ``computed_interval``). A year or measure with no cited figure gets no row: nothing is filled in."""
    rows = national[
        (national["geo_code"] == "US")
        & (national["drug"] == "all_drugs")
        & national["measure"].isin(["deaths", "age_adjusted_rate_per_100k"])
        & national["year"].isin(list(years))
        & national["value"].notna()
    ].copy()
    deaths = {int(r["year"]): int(r["value"]) for r in rows[rows["measure"] == "deaths"].to_dict("records")}
    out = []
    for rec in rows.to_dict("records"):
        count = deaths.get(int(rec["year"]))
        if rec["measure"] == "age_adjusted_rate_per_100k" and count is not None:
            low, high = nchs_state_overdose_mortality.rate_interval(float(rec["value"]), count)
            rec = {
                **rec,
                "value_lower": round(low, 4),
                "value_upper": round(high, 4),
                "value_flag": join_flags(*split_flags(str(rec["value_flag"])), "computed_interval"),
                "source_detail": f"{rec['source_detail']}; 95% interval computed by this site from {count:,} deaths",
            }
        out.append(rec)
    return conform(pd.DataFrame(out, columns=list(rows.columns)), table=TABLE)


def _check_counts(rec: dict, deaths: float | None, where: str) -> None:
    """Refuse a negative count or population, and a crude rate that is not deaths / population x 100,000 to
    the rounding it is published with."""
    population = socrata.parse_number(rec["population"])
    if (deaths is not None and deaths < 0) or (population is not None and population < 0):
        raise SchemaError(f"{where}: negative count (deaths {rec['deaths']!r}, population {rec['population']!r})")
    text = str(rec["crude_death_rate"] or "").strip()
    if deaths is None or not population or not text:
        return
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    expected = deaths / population * 100_000
    if not math.isclose(float(text.replace(",", "")), expected, abs_tol=0.5 * 10**-decimals + 1e-9):
        raise SchemaError(
            f"{where}: crude rate {text} but {deaths:,.0f} deaths among {population:,.0f} residents is "
            f"{expected:.{decimals + 2}f} per 100,000"
        )


def _age(label: str) -> str:
    """'All Ages' -> 'all'; '0–14' (en dash) -> '0-14'; '75+' stays."""
    label = label.strip()
    return "all" if label.lower() == "all ages" else label.replace("\u2013", "-")
