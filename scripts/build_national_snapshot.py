"""Rebuild ``data_sources/snapshots/national_final.csv.gz`` from the reference data pack.

Reads ``../shared/data/national_overdose_deaths_by_drug.csv`` (1999-2023, first pass) and
``national_overdose_deaths_by_drug_2018_2023.csv`` (second pass), splits each row's citation into one per
figure, maps it to a registered source, grades it primary or secondary, and writes the tidy snapshot.

Run: ``.venv/bin/python scripts/build_national_snapshot.py [--data-dir ../shared/data]``.

Editorial rules (see the data pack's README, "Mismatches and cautions"):
* figures labelled LOW PROVENANCE are left out, except heroin 2018 (14,996), which CDC's archived heroin page
  ("nearly 15,000", "more than 7 times higher than in 1999") and the CDC sum "nearly 130,000 in 1999-2019"
  both corroborate; it is kept as secondary;
* Statista's "fentanyl" counts (2022, 2023) are left out: their definition is not stated;
* the 2021 benzodiazepine count is left out: a single secondary figure with no series around it;
* where both passes give the same figure they must agree exactly, or the build stops.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data_sources.nchs_national_final import SOURCES, TABLE
from data_sources.schema import join_flags
from data_sources.snapshot import SNAPSHOT_DIR, write_table

DRUG_KEYS = {
    "synthetic_opioids_excl_methadone": "synthetic_opioids",
    "natural_semisynthetic_opioids": "rx_opioids",
    "prescription_opioids": "rx_opioids_incl_methadone",
}

# First match wins: the citation text -> registered source id.
SOURCE_RULES: list[tuple[str, str]] = [
    (r"nihcm", "nihcm_stimulants_2022"),
    (r"95ax-ymtc", "nchs_95ax_ymtc"),
    (r"corgis", "nida_overdose_death_rates"),
    (r"Mattson", "mmwr_mattson_2021"),
    (r"PMC5877356", "mmwr_seth_2018"),
    (r"Data Brief 384", "nchs_db384"),
    (r"db394|Data Brief 394", "nchs_db394"),
    (r"Data Brief 428", "nchs_db428"),
    (r"db457|Data Brief 457", "nchs_db457"),
    (r"db522|Data Brief 522", "nchs_db522"),
    (r"db491|Data Brief 491", "nchs_db491"),
    (r"drugoverdose/deaths", "cdc_overdose_deaths_page"),
    (r"addictionresource|R script", "cdc_heroin_page"),
    (r"QuickStats", "nchs_quickstats_cocaine_2021"),
    (r"NIDA|nfp-drugs", "nida_overdose_death_rates"),
]

# Figures the pack's README reports from MMWR 2018;67(12) Table 3 but that are not in its CSVs.
EXTRA_ROWS = [
    (2015, "psychostimulants", "deaths", 5716.0),
    (2015, "psychostimulants", "age_adjusted_rate_per_100k", 1.8),
    (2016, "psychostimulants", "deaths", 7542.0),
    (2016, "psychostimulants", "age_adjusted_rate_per_100k", 2.4),
]
EXTRA_DETAIL = (
    "MMWR 2018;67(12) Table 3 (https://pmc.ncbi.nlm.nih.gov/articles/PMC5877356/table/T3): psychostimulants "
    "with abuse potential, 2015 5,716 (1.8), 2016 7,542 (2.4)"
)

HEROIN_2018_DETAIL = (
    "14,996 read in an unattributed public script citing CDC WONDER; corroborated by CDC's archived heroin page "
    "('nearly 15,000' deaths in 2018, 'more than 7 times higher in 2018 than in 1999') and by CDC's 'nearly "
    "130,000' heroin deaths 1999-2019 (the 1999-2019 sum with this value is 129,587)"
)


def source_for(text: str) -> str:
    for pattern, source_id in SOURCE_RULES:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return source_id
    raise ValueError(f"no registered source matches citation: {text[:120]!r}")


def is_secondary(text: str) -> bool:
    return bool(re.search(r"SECONDARY|\(secondary|LOW.PROVENANCE", text))


def first_pass_rows(path: Path) -> list[dict]:
    """Split each (year, drug) row into one row per figure, each with its own citation."""
    rows: list[dict] = []
    for rec in pd.read_csv(path).itertuples(index=False):
        drug = DRUG_KEYS.get(rec.drug, rec.drug)
        parts = [p.strip() for p in str(rec.source).split(" | ")]
        figures = {"deaths": rec.deaths, "age_adjusted_rate_per_100k": rec.age_adjusted_rate}
        present = [m for m, v in figures.items() if pd.notna(v)]
        cites: dict[str, str] = {}
        for part in parts:
            if part.startswith("deaths:"):
                cites["deaths"] = part.removeprefix("deaths:").strip()
            elif part.startswith("rate:"):
                cites["age_adjusted_rate_per_100k"] = part.removeprefix("rate:").strip()
            elif part.startswith("count:"):
                cites["deaths"] = part.removeprefix("count:").strip()
            elif "LOW-PROVENANCE" in part:
                cites["deaths"] = part
            else:
                unassigned = [m for m in present if m not in cites]
                for measure in unassigned or present:
                    cites.setdefault(measure, part)
        for measure in present:
            rows.append(
                {
                    "year": rec.year,
                    "drug": drug,
                    "measure": measure,
                    "value": float(figures[measure]),
                    "cite": cites.get(measure, str(rec.source)),
                }
            )
    return rows


def second_pass_rows(path: Path) -> list[dict]:
    frame = pd.read_csv(path)
    return [
        {
            "year": r.year,
            "drug": DRUG_KEYS.get(r.drug, r.drug),
            "measure": r.measure,
            "value": float(r.value),
            "cite": r.source,
        }
        for r in frame.itertuples(index=False)
    ]


def keep(row: dict) -> bool:
    cite = row["cite"]
    if row["drug"] == "benzodiazepines":
        return False
    if row["drug"] == "heroin" and row["year"] == 2018 and row["measure"] == "deaths":
        return True
    if re.search(r"LOW.PROVENANCE", cite):
        return False
    return not ("Statista" in cite and row["measure"] == "deaths")


def build(data_dir: Path) -> pd.DataFrame:
    first = first_pass_rows(data_dir / "national_overdose_deaths_by_drug.csv")
    second = second_pass_rows(data_dir / "national_overdose_deaths_by_drug_2018_2023.csv")
    extra = [{"year": y, "drug": d, "measure": m, "value": v, "cite": EXTRA_DETAIL} for y, d, m, v in EXTRA_ROWS]

    chosen: dict[tuple, dict] = {}
    # The second pass re-read some figures from better texts, so it wins on citation; values must agree.
    for row in [*first, *second, *extra]:
        if not keep(row):
            continue
        key = (row["year"], row["drug"], row["measure"])
        if key in chosen and chosen[key]["value"] != row["value"]:
            raise ValueError(f"conflicting figures for {key}: {chosen[key]['value']} vs {row['value']}")
        if key in chosen and "SECONDARY ONLY" not in chosen[key]["cite"] and is_secondary(row["cite"]):
            continue
        chosen[key] = row

    records = []
    for (year, drug, measure), row in sorted(chosen.items()):
        cite = row["cite"]
        secondary = is_secondary(cite) or (drug == "heroin" and year in (2018, 2019, 2021) and measure == "deaths")
        source_id = source_for(cite)
        if drug == "heroin" and year == 2018 and measure == "deaths":
            cite, source_id = HEROIN_2018_DETAIL, "cdc_heroin_page"
        records.append(
            {
                "source_id": source_id,
                "geo_level": "nation",
                "geo_code": "US",
                "geo_name": "United States",
                "year": year,
                "period_end_date": f"{year}-12-31",
                "period_months": 12,
                "drug": drug,
                "measure": measure,
                "sex": "all",
                "age_group": "all",
                "race_ethnicity": "all",
                "value": row["value"],
                "value_lower": None,
                "value_upper": None,
                "value_flag": join_flags("secondary_source" if secondary else None),
                "provenance": "secondary" if secondary else "primary",
                "source_detail": cite,
            }
        )
    frame = pd.DataFrame.from_records(records)
    unknown = set(frame["source_id"]) - {s.id for s in SOURCES}
    if unknown:
        raise ValueError(f"unregistered sources {unknown}")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data-dir", type=Path, default=default_dir)
    args = parser.parse_args()
    frame = build(args.data_dir)
    meta = {
        "title": "US drug overdose deaths and age-adjusted rates by drug, final data",
        "built_from": [
            "national_overdose_deaths_by_drug.csv and national_overdose_deaths_by_drug_2018_2023.csv of the "
            "project's reference data pack (each figure's citation kept in source_detail)",
        ],
        "built_by": "scripts/build_national_snapshot.py",
        "sources": sorted(set(frame["source_id"])),
        "retrieved_at": "2026-11-22T00:00:00+00:00",
    }
    path = write_table(TABLE, frame, SNAPSHOT_DIR, meta)
    print(f"wrote {len(frame)} rows to {path}")


if __name__ == "__main__":
    main()
