"""Rebuild ``data_sources/snapshots/national_final.csv.gz`` from the reference data pack.

Reads three files of the pack: ``national_overdose_deaths_by_drug.csv`` (first pass, 1999-2023),
``national_overdose_deaths_by_drug_2018_2023.csv`` (second pass) and ``national_additions_2018_2023.csv``
(third pass: each figure with the URL it was read at, the quoted sentence and a grade). It splits each row's
citation into one per figure, maps it to a registered source, grades it primary or secondary, and writes the
tidy snapshot with the gaps that remain (per drug and measure, 1999-2023) in its sidecar.

Run from the project directory: ``.venv/bin/python -m scripts.build_national_snapshot [--data-dir ../shared/data]``.

Editorial rules (see the data pack's README, "Mismatches and cautions", and its CORRECTIONS.md):
* figures labelled LOW PROVENANCE are left out, except heroin 2018 (14,996), which is within CDC's "nearly
  15,000" for 2018; it is cited where it was read (a public R script naming CDC WONDER) and kept as secondary;
* Statista's "fentanyl" counts (2022, 2023) are left out: their definition is not stated;
* the 2021 benzodiazepine count is left out: a single secondary figure with no series around it;
* where passes give the same figure they must agree exactly, or the build stops;
* a third-pass figure is cited by its quoted sentence and graded as that file grades it, replacing earlier
  citations (library records, news copies, bare URLs); where the first pass read the figure in a dataset's own
  table (95ax-ymtc), that row stays and the quote is added as a second place the figure was read;
* a figure read only on a summary site is graded secondary (``GRADE_SECONDARY``, each with its reason);
* counts read in the CORGIS copy of NIDA's figures name NIDA's figure and the CORGIS column.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from data_sources.nchs_national_final import SOURCES, TABLE
from data_sources.schema import join_flags
from data_sources.snapshot import SNAPSHOT_DIR, write_table

DRUG_KEYS = {
    "synthetic_opioids_excl_methadone": "synthetic_opioids",
    "natural_semisynthetic_opioids": "rx_opioids",
    "prescription_opioids": "rx_opioids_incl_methadone",
}
YEARS = range(1999, 2024)  # the span the national series should cover

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
    # NIDA before CDC's pages: the 2021 psychostimulant count is NIDA's figure text, which also quotes a CDC page.
    (r"NIDA|nfp-drugs", "nida_overdose_death_rates"),
    (r"drugoverdose/deaths", "cdc_overdose_deaths_page"),
    (r"addictionresource|R script", "cdc_heroin_page"),
    (r"QuickStats", "nchs_quickstats_cocaine_2021"),
]

# Third pass: the address a figure was read at -> the publication it comes from.
ADDITION_SOURCES: list[tuple[str, str]] = [
    (r"mm6911a4|newtrals|acpinternist", "mmwr_wilson_2020"),  # the MMWR itself, or texts quoting it
    (r"db394", "nchs_db394"),
    (r"db457", "nchs_db457"),
    (r"db491", "nchs_db491"),
    (r"db522|hmpgloballearningnetwork", "nchs_db522"),
    (r"goodfaithmedia|pr\.report", "nchs_db428"),
    (r"healthypeople", "healthy_people_ivp22"),
]

# Figures read only on a summary site or an unidentified copy: graded secondary whatever the pass said.
GRADE_SECONDARY: dict[tuple[int, str, str], str] = {
    (2021, "any_opioid", "deaths"): "read only on nfp-drugs.bg, a summary of NIDA's page",
    (2021, "rx_opioids_incl_methadone", "deaths"): "read only on nfp-drugs.bg and drughelpline.org, summaries",
    (2021, "heroin", "deaths"): "read only on nfp-drugs.bg and statistico.com, summaries",
    (2019, "heroin", "deaths"): "read only on addictionresource.net, which cites CDC",
    (2018, "heroin", "deaths"): "read only in a public R script whose repository was not identified",
}

# Counts of NIDA's figures as tabulated by CORGIS: drug -> (what NIDA's figure counts, the CORGIS column).
NIDA_FIGURES = {
    "all_drugs": ("overdose deaths involving all drugs", "Number.All"),
    "any_opioid": ("overdose deaths involving any opioid", "Number.Opioid.Any"),
    "rx_opioids_incl_methadone": (
        "overdose deaths involving prescription opioids (natural and semisynthetic opioids and methadone)",
        "Number.Opioid.Prescription",
    ),
    "synthetic_opioids": (
        "overdose deaths involving synthetic opioids other than methadone",
        "Number.Opioid.Synthetic",
    ),
    "heroin": ("overdose deaths involving heroin", "Number.Opioid.Heroin"),
    "cocaine": ("overdose deaths involving cocaine", "Number.Opioid.Cocaine"),
}
NIDA_DETAIL = (
    "NIDA, Drug Overdose Death Rates: its figure of the number of {what}, all ages, 1999-2017 (CDC WONDER); the "
    "{year} count as tabulated in the CORGIS 'Opioids' dataset, column {column} (github.com/corgis-edu/corgis, "
    "website/datasets/csv/opioids/opioids.csv, commit 6d7e9e04)"
)

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

# Figures whose quoted sentence the third pass gives with another year's figure: (figure) -> (figure quoted with).
SAME_SENTENCE: dict[tuple[int, str, str], tuple[int, str, str]] = {
    (2012, "cocaine", "age_adjusted_rate_per_100k"): (2019, "cocaine", "age_adjusted_rate_per_100k"),
    (2012, "psychostimulants", "age_adjusted_rate_per_100k"): (2019, "psychostimulants", "age_adjusted_rate_per_100k"),
}
#: A citation must name a table, figure or column, or quote the sentence the figure was read in.
NAMED = re.compile(r"[\"'\u201c]|Table|[Ff]igure|column|STUB_NAME")

# Where the pass's own citation does not say where the figure was read, or names the wrong publication.
OVERRIDES: dict[tuple[int, str, str], tuple[str, str]] = {
    (2018, "heroin", "deaths"): (
        "cdc_wonder_mcd",
        "14,996: read only in a public R script (its repository was not identified) that hard-codes 'National "
        "heroin overdose deaths (source: CDC WONDER, widely cited)'; no CDC text giving this count was read. Kept "
        "as secondary because it lies within CDC's 'nearly 15,000' heroin deaths in 2018 (archived CDC heroin page, "
        "https://webarchive.library.unt.edu/web/20170124224056/https://www.cdc.gov/drugoverdose/data/heroin.html); "
        "that wording does not confirm the exact count.",
    ),
    (2021, "cocaine", "age_adjusted_rate_per_100k"): (
        "nchs_quickstats_cocaine_2021",
        "MMWR QuickStats, Age-Adjusted Drug Overdose Death Rates Involving Cocaine, by Region, 2021, footnote *: "
        '"In 2021, the U.S. age-adjusted drug overdose death rate involving cocaine was 7.3 deaths per 100,000 '
        "standard population.\" (CDC's page https://tools.cdc.gov/podcasts/download.asp?m=320959&c=737991; first "
        "read in SafetyLit's record of the QuickStats)",
    ),
}


def source_for(text: str) -> str:
    """The registered source a first- or second-pass citation names (first matching rule)."""
    for pattern, source_id in SOURCE_RULES:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return source_id
    raise ValueError(f"no registered source matches citation: {text[:120]!r}")


def addition_source(url: str) -> str:
    """The registered publication a third-pass figure comes from, by the address it was read at."""
    for pattern, source_id in ADDITION_SOURCES:
        if re.search(pattern, url, flags=re.IGNORECASE):
            return source_id
    raise ValueError(f"national_additions: no registered source for {url!r}")


def is_secondary(text: str) -> bool:
    """A first- or second-pass citation the pack itself marks as secondary or weak."""
    return bool(re.search(r"SECONDARY|\(secondary|LOW.PROVENANCE", text))


def first_pass_rows(path: Path) -> list[dict]:
    """Split each (year, drug) row into one row per figure, each with its own citation."""
    rows: list[dict] = []
    for rec in pd.read_csv(path).to_dict("records"):
        drug = DRUG_KEYS.get(str(rec["drug"]), str(rec["drug"]))
        parts = [p.strip() for p in str(rec["source"]).split(" | ")]
        figures = {"deaths": rec["deaths"], "age_adjusted_rate_per_100k": rec["age_adjusted_rate"]}
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
                    "year": int(rec["year"]),
                    "drug": drug,
                    "measure": measure,
                    "value": float(figures[measure]),
                    "cite": cites.get(measure, str(rec["source"])),
                }
            )
    return rows


def second_pass_rows(path: Path) -> list[dict]:
    """The second pass: one figure per row, with its citation."""
    frame = pd.read_csv(path)
    return [
        {
            "year": int(r["year"]),
            "drug": DRUG_KEYS.get(str(r["drug"]), str(r["drug"])),
            "measure": str(r["measure"]),
            "value": float(r["value"]),
            "cite": str(r["source"]),
        }
        for r in frame.to_dict("records")
    ]


def additions_rows(path: Path) -> list[dict]:
    """The third pass: each figure with the publication it comes from, its quoted sentence and its grade."""
    frame = pd.read_csv(path, dtype={"source_quote": str, "source_url": str, "grade": str})
    expected = ["year", "drug", "measure", "value", "source_url", "source_quote", "grade"]
    if list(frame.columns) != expected:
        raise ValueError(f"{path.name}: expected columns {expected}; found {list(frame.columns)}")
    bad = frame[~frame["grade"].isin(["primary", "secondary"]) | frame["source_quote"].isna()]
    if not bad.empty:
        raise ValueError(
            f"{path.name}: rows {list(bad.index + 2)} have no quote or a grade other than primary/secondary"
        )
    return [
        {
            "year": int(r["year"]),
            "drug": DRUG_KEYS.get(str(r["drug"]), str(r["drug"])),
            "measure": str(r["measure"]),
            "value": float(r["value"]),
            "cite": f'{r["source_url"]}: "{r["source_quote"]}"',
            "source_id": addition_source(str(r["source_url"])),
            "secondary": r["grade"] == "secondary",
        }
        for r in frame.to_dict("records")
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
    """The national table from the three passes, by the editorial rules above."""
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
    for row in [*chosen.values()]:
        source_id = source_for(row["cite"])
        if source_id == "nida_overdose_death_rates" and row["year"] > 2017:
            source_id = "nida_overdose_death_rates_2021"  # NIDA's figure texts, not the CORGIS copy
        if source_id == "nida_overdose_death_rates":
            what, column = NIDA_FIGURES[row["drug"]]
            row["cite"] = NIDA_DETAIL.format(what=what, year=row["year"], column=column)
        row["source_id"], row["secondary"] = source_id, is_secondary(row["cite"])

    # The third pass quotes each figure where it was read: it replaces earlier citations, except a dataset row.
    for row in additions_rows(data_dir / "national_additions_2018_2023.csv"):
        key = (row["year"], row["drug"], row["measure"])
        old = chosen.get(key)
        if old and old["value"] != row["value"]:
            raise ValueError(f"conflicting figures for {key}: {old['value']} vs {row['value']}")
        if old and old["source_id"] == "nchs_95ax_ymtc":
            grade = "secondary" if row["secondary"] else "primary"
            old["cite"] += f"; the same figure was also read at {row['cite']} ({grade})"
            continue
        chosen[key] = row
    for key, quoted_with in SAME_SENTENCE.items():
        if chosen[key]["source_id"] != chosen[quoted_with]["source_id"]:
            raise ValueError(f"{key} and {quoted_with} are not from the same publication")
        chosen[key] = {
            **chosen[key],
            "cite": chosen[quoted_with]["cite"],
            "secondary": chosen[quoted_with]["secondary"],
        }

    records = []
    for (year, drug, measure), row in sorted(chosen.items()):
        source_id, cite = OVERRIDES.get((year, drug, measure), (row["source_id"], row["cite"]))
        secondary = row["secondary"] or (year, drug, measure) in GRADE_SECONDARY
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
    unnamed = frame[~frame["source_detail"].str.contains(NAMED)]
    if not unnamed.empty:
        where = unnamed[["year", "drug", "measure"]].to_dict("records")
        raise ValueError(f"citations that name no table, figure or quoted sentence: {where}")
    return frame


def gaps(frame: pd.DataFrame) -> dict[str, list[int]]:
    """Years in 1999-2023 with no figure, per ``drug/measure`` that has at least one figure."""
    out = {}
    for (drug, measure), rows in frame.groupby(["drug", "measure"]):
        missing = sorted(set(YEARS) - {int(y) for y in rows["year"]})
        if missing:
            out[f"{drug}/{measure}"] = missing
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data-dir", type=Path, default=default_dir)
    args = parser.parse_args()
    frame = build(args.data_dir)
    missing = gaps(frame)
    meta = {
        "title": "US drug overdose deaths and age-adjusted rates by drug, final data",
        "built_from": [
            "national_overdose_deaths_by_drug.csv, national_overdose_deaths_by_drug_2018_2023.csv and "
            "national_additions_2018_2023.csv of the project's reference data pack (each figure's citation kept in "
            "source_detail)",
        ],
        "built_by": "scripts/build_national_snapshot.py",
        "sources": sorted(set(frame["source_id"])),
        "gaps": {key: ", ".join(map(str, years)) for key, years in missing.items()},
        "retrieved_at": "2026-11-29T00:00:00+00:00",  # the pack's third pass was added on 2026-11-29
    }
    path = write_table(TABLE, frame, SNAPSHOT_DIR, meta, compress=True)
    print(f"wrote {len(frame)} rows to {path}")
    for key, years in missing.items():
        print(f"  no figure: {key}: {', '.join(map(str, years))}")


if __name__ == "__main__":
    main()
