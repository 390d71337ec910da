"""NCHS Drug Poisoning Mortality by State, United States (data.cdc.gov ``jx6g-fdh6``), into the tidy contract.

Final deaths, population, crude and age-adjusted death rates with 95% confidence limits for drug poisoning
deaths of all intents, 1999-2017: every state and DC (both sexes, all ages, all races), and the nation by
sex, age group and race and Hispanic origin. NCHS computes the limits (normal approximation at 100 or more
deaths, exact Poisson limits below); they are carried as ``value_lower``/``value_upper``.

Rates from fewer than 20 deaths are flagged ``unreliable`` (NCHS's standard for rates, stated in the
dataset's notes) and kept, never dropped or ranked.

The SODA JSON field names below follow data.cdc.gov's rule for naming API fields after the CSV headers
(lower case, words joined by ``_``); no raw JSON response of this dataset was available to confirm them, so
``tidy`` names any field it does not find, and a refresh then stops with that message.
"""

from __future__ import annotations

import pandas as pd

from data_sources import freshness, socrata
from data_sources.geography import place
from data_sources.schema import SchemaError, Source, Table, conform, join_flags

TABLE = "state_drug_poisoning"
DATASET_ID = "jx6g-fdh6"
UNRELIABLE_BELOW = 20  # deaths: NCHS does not consider rates from fewer deaths reliable

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
)
SOURCES = (SOURCE,)

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
    for rec in raw.to_dict("records"):
        level, code, name = place(rec["state"])
        year = int(float(rec["year"]))
        deaths = socrata.parse_number(rec["deaths"])
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
            unreliable = deaths is not None and deaths < UNRELIABLE_BELOW
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
    """The freshest good copy: the refreshed cache if valid, else the bundled snapshot (with a notice)."""
    return freshness.load_freshest(TABLE, SOURCES)


def _age(label: str) -> str:
    """'All Ages' -> 'all'; '0–14' (en dash) -> '0-14'; '75+' stays."""
    label = label.strip()
    return "all" if label.lower() == "all ages" else label.replace("\u2013", "-")
