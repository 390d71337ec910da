"""Drug overdose death rates by drug type, sex, age, race and Hispanic origin (data.cdc.gov ``95ax-ymtc``).

NCHS's *Health, United States* table: US age-adjusted and crude death rates per 100,000, 1999-2018, for all
drug overdoses, any opioid, natural and semisynthetic opioids, methadone, other synthetic opioids and heroin,
by sex, age group, and race and Hispanic origin. Rates NCHS marks ``*`` (fewer than 20 deaths) have no
estimate and are flagged ``unreliable``, never zero. Race and Hispanic origin groups keep NCHS's labels; NCHS
gives them only by sex ("Female: White"), so race rows always carry a sex.

The bundled snapshot is the whole dataset, 6,228 rows (1,111 of them flagged ``*``), from a copy of the
data.cdc.gov CSV export kept in a public GitHub repository (see ``BUNDLED_SOURCE``); ``make refresh`` fetches
the same table from data.cdc.gov.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from data_sources import freshness, socrata
from data_sources.schema import SchemaError, Source, Table, conform, join_flags

TABLE = "drug_overdose_rates"
DATASET_ID = "95ax-ymtc"

SOURCE = Source(
    id="nchs_95ax_ymtc_table",
    title="Drug overdose death rates, by drug type, sex, age, race, and Hispanic origin: United States",
    publisher="CDC, National Center for Health Statistics (Health, United States)",
    url="https://data.cdc.gov/d/95ax-ymtc",
    license="Public domain (U.S. Government work)",
    citation="National Center for Health Statistics. Health, United States. Drug overdose death rates, by drug "
    "type, sex, age, race, and Hispanic origin: United States (data.cdc.gov 95ax-ymtc).",
    dataset_id=DATASET_ID,
    coverage="United States, 1999-2018: all drug overdoses, any opioid, natural and semisynthetic opioids, "
    "methadone, other synthetic opioids and heroin, by sex, age group, and race and Hispanic origin",
)
#: The same dataset as bundled: a copy of the CSV export kept in a public repository, not fetched by this site.
BUNDLED_SOURCE = replace(
    SOURCE,
    citation=SOURCE.citation + " This site's bundled copy is the whole data.cdc.gov CSV export (6,228 rows) as "
    "committed to the public GitHub repository Cassie-Charoenpol/US-Drug-Overdose-Rate (Drug_Overdose_Rate.csv, "
    "commit 1e6ae40d), byte-identical to the copy in UCB-stat-159-f25/final-group09 (commit 8a5fd197); "
    "`make refresh` fetches it from data.cdc.gov.",
    copy_from="the data.cdc.gov CSV export as committed to github.com/Cassie-Charoenpol/US-Drug-Overdose-Rate "
    "(Drug_Overdose_Rate.csv, commit 1e6ae40d)",
)
SOURCES = (SOURCE,)

#: The export's headers are the API field names in upper case.
CSV_FIELDS = {
    name.upper(): name
    for name in ("panel_num", "unit_num", "stub_name", "stub_label", "year", "age", "estimate", "flag")
}
FIELDS: tuple[str, ...] = tuple(CSV_FIELDS.values())
#: Fields every record must carry: without them a row has no place, period or drug.
KEYS: tuple[str, ...] = ("panel_num", "unit_num", "stub_name", "stub_label", "year", "age")
#: Fields SODA may leave out of every record (it omits nulls), e.g. when no row has a note.
OPTIONAL: tuple[str, ...] = ("flag",)
#: The dataset's FLAG vocabulary: '*' marks an estimate NCHS considers unreliable (or does not show).
FLAG_MARKS = frozenset({"", "*"})

DRUG_BY_PANEL = {0: "all_drugs", 1: "any_opioid", 2: "rx_opioids", 3: "methadone", 4: "synthetic_opioids", 5: "heroin"}
MEASURE_BY_UNIT = {1: "age_adjusted_rate_per_100k", 2: "crude_rate_per_100k"}
SEXES = {"Male": "male", "Female": "female"}


def tidy(records: list[dict]) -> pd.DataFrame:
    """SODA JSON records (values as strings) -> the tidy contract, one row per rate."""
    raw = socrata.records_frame(records, FIELDS, DATASET_ID, keys=KEYS, optional=OPTIONAL)
    rows = []
    for number, rec in enumerate(raw.to_dict("records")):
        where = f"{DATASET_ID}: record {number}"
        panel = socrata.parse_whole(rec["panel_num"], f"{where} panel_num")
        unit = socrata.parse_whole(rec["unit_num"], f"{where} unit_num")
        if panel not in DRUG_BY_PANEL or unit not in MEASURE_BY_UNIT:
            raise SchemaError(f"{DATASET_ID}: unknown panel {panel} or unit {unit}")
        sex, race = _sex_and_race(rec["stub_name"], rec["stub_label"])
        year = socrata.parse_whole(rec["year"], f"{where} year")
        value = socrata.parse_number(rec["estimate"])
        mark = str(rec.get("flag") or "").strip()
        if mark not in FLAG_MARKS:
            raise SchemaError(
                f"{DATASET_ID}: unknown FLAG {mark!r} (row for {rec['stub_label']}, {year}); "
                f"known: {sorted(FLAG_MARKS)}. A new mark must be read, never dropped."
            )
        flagged = mark == "*"
        rows.append(
            {
                "source_id": SOURCE.id,
                "geo_level": "nation",
                "geo_code": "US",
                "geo_name": "United States",
                "year": year,
                "period_end_date": f"{year}-12-31",
                "period_months": 12,
                "drug": DRUG_BY_PANEL[panel],
                "measure": MEASURE_BY_UNIT[unit],
                "sex": sex,
                "age_group": _age(rec["age"]),
                "race_ethnicity": race,
                "value": value,
                "value_lower": None,
                "value_upper": None,
                "value_flag": join_flags(
                    "unreliable" if flagged else None, "missing" if value is None and not flagged else None
                ),
                "provenance": "primary",
                "source_detail": f"data.cdc.gov {DATASET_ID}: {rec['stub_name']} / {rec['stub_label']} / {rec['age']}",
            }
        )
    return conform(pd.DataFrame(rows), table=TABLE)


def load() -> Table:
    """The freshest good copy: the refreshed cache if valid, else the bundled snapshot (with a notice), whose
    source then names where the bundled copy was taken from."""
    table = freshness.load_freshest(TABLE, SOURCES)
    return replace(table, sources=(BUNDLED_SOURCE,)) if table.from_snapshot else table


def _sex_and_race(stub_name: str, label: str) -> tuple[str, str]:
    """('Sex and race', 'Female: Asian or Pacific Islander') -> ('female', 'Asian or Pacific Islander')."""
    stub = stub_name.strip()
    if stub in ("Total", "Age"):
        return "all", "all"
    if stub == "Sex":
        return SEXES[label.strip()], "all"
    if stub.startswith("Sex and age"):
        return SEXES[label.split(":", 1)[0].strip()], "all"
    if stub.startswith("Sex and race"):
        sex, race = label.split(":", 1)
        suffix = " (single race)" if "single race" in stub else ""
        return SEXES[sex.strip()], race.strip() + suffix
    raise SchemaError(f"{DATASET_ID}: unknown STUB_NAME {stub_name!r}")


def _age(label: str) -> str:
    """'All ages' -> 'all'; 'Under 15 years' -> '0-14'; '15-24 years' -> '15-24'; '85 years and over' -> '85+'."""
    text = label.strip().lower()
    if text == "all ages":
        return "all"
    if text.startswith("under "):
        return f"0-{int(text.split()[1]) - 1}"
    if text.endswith("years and over"):
        return text.split()[0] + "+"
    return text.removesuffix(" years")
