"""Rebuild ``data_sources/snapshots/risk_multipliers.csv.gz`` (+ ``.json``) from the reference data pack.

Reads ``../shared/data/risk_multipliers.csv`` and ``risk_multipliers_second_pass.csv``. Every number (value,
confidence limits, absolute rates) is parsed from the pack's text; this script adds only editorial metadata
per row (a stable id, the question it answers, the statistic type, plain wording of the groups, a caution),
in ``SPECS`` below. A pack row that no spec claims, or a spec whose pack row is missing or whose text has
changed, stops the build.

Run from the project directory: ``.venv/bin/python -m scripts.build_risk_snapshot [--data-dir ../shared/data]``.

Editorial rules (see the data pack README, "Risk figures: confidence"):
* rows whose verified_from says PARTIAL or SECONDARY, or that come from the second pass's news/summary texts,
  are graded ``secondary``; abstracts read at the publisher are ``primary``;
* groups are named in person-first words; where the study's terms differ ("released inmates", "abuse or
  dependence") they are kept, quoted, in ``study_wording``. NSDUH's "abuse or dependence" (DSM-IV criteria) is
  said as "use disorder", the name NSDUH's own reports give the two together;
* Binswanger et al. 2007 compared former prisoners' death rates with other state residents' "with the use of
  indirect standardization and adjustment for age, sex, and race" (abstract, methods): its 3.5, 12.7 and 129 are
  standardized mortality ratios, though the abstract calls them "adjusted risk" and "relative risk";
* where the pack gives a standard error but no interval (NCS 23% SE 5, NESARC 28% SE 4, NESARC-III 25% SE 2),
  the 95% limits are computed as value ± 1.96 × SE, rounded to 0.1, and ``interval_note`` says so;
* ``timing``: the NSDUH odds ratios (Jones et al.) relate two past-year conditions from the same survey year
  (``same_period``); the cohorts and the "prior use" comparisons are ``exposure_first``;
* the first pass's "40 times" and NCS "23%" rows are duplicates of better-documented second-pass rows: the
  values must agree, and the second-pass row is kept;
* the NSDUH "23% to 38%" range of year-specific proportions is left out: it is a range, not one figure;
* Muhuri's reverse figure ("almost 2") is stored as the ratio of the two published rates, 2.8% / 1.6%.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_sources.dictionary import RISK_MULTIPLIERS, STATISTICS
from data_sources.risk import TABLE, validate
from data_sources.snapshot import SNAPSHOT_DIR, write_table

FIRST, SECOND = "risk_multipliers.csv", "risk_multipliers_second_pass.csv"
# When the table was built from the pack with the rules above; fixed, so a rebuild of the same rows changes no byte.
BUILT_AT = "2026-11-29T00:00:00+00:00"


@dataclass(frozen=True)
class Spec:
    """Editorial metadata for one pack row, found by file and the start of its ``factor`` and ``multiplier``."""

    file: str
    factor_starts: str
    multiplier_starts: str
    risk_id: str
    question: str
    statistic: str
    source_id: str
    factor: str
    comparison: str
    outcome: str
    caution: str
    timing: str = ""  # ratios only: "exposure_first" or "same_period" (see the dictionary's TIMINGS)
    study_wording: str = ""  # the study's own terms, quoted, where factor/outcome/statistic reword them
    population: str = ""  # a person-first rewording of the pack's population, when it needs one
    rates: str = ""  # "exposed_first" / "baseline_first": order of the two rates in the pack text
    rate_unit: str = ""
    value_from_rates: bool = False


NSDUH_JONES = (
    "Both conditions were asked about for the same past year (surveys of 2011-2013): the figure shows which "
    "conditions occur together, not which came first, and it is an odds ratio, not a ratio of how likely. CDC "
    "rounded the odds ratios; the exact values and confidence intervals were not available to us."
)
BINSWANGER_POPULATION = "30,237 people released from Washington State prisons"
BINSWANGER_TERMS = "the abstract's own words: 'released inmates', 'former inmates'"
JONES_TERMS = (
    "CDC's words: '{drug} abuse or dependence' and 'heroin abuse or dependence' (the survey's DSM-IV criteria); "
    "reported as 'N times more likely to abuse or be dependent on heroin'"
)

SPECS: tuple[Spec, ...] = (
    Spec(
        FIRST,
        "Prior nonmedical pain reliever",
        "19",
        "muhuri_2013_nmpr_to_heroin_start",
        "who_starts_heroin",
        "incidence_rate_ratio",
        "muhuri_2013",
        "People who had used prescription pain relievers nonmedically",
        "people who had not",
        "starting heroin in the past year",
        "A large ratio of two small rates: 0.39% against 0.02% a year. Most people who misuse pain relievers do "
        "not start heroin (3.6% did within 5 years). Nonmedical use is not the same as addiction.",
        timing="exposure_first",
        rates="exposed_first",
        rate_unit="percent per year",
    ),
    Spec(
        FIRST,
        "Recent heroin initiates",
        "79.5%",
        "muhuri_2013_heroin_starters_prior_nmpr",
        "how_common",
        "share",
        "muhuri_2013",
        "People who recently started heroin",
        "",
        "had used prescription pain relievers nonmedically before starting heroin",
        "Counts people who started heroin, looking back. It does not mean that most people who misuse pain "
        "relievers go on to heroin: only 3.6% did within 5 years.",
    ),
    Spec(
        FIRST,
        "NMPR initiates who started heroin",
        "3.6%",
        "muhuri_2013_nmpr_starters_heroin_5y",
        "how_common",
        "share",
        "muhuri_2013",
        "People who started using prescription pain relievers nonmedically",
        "",
        "started heroin within 5 years",
        "The other direction of the 79.5% figure: a small share of a large group can still be most of a small one.",
    ),
    Spec(
        FIRST,
        "Prior heroin use",
        "almost 2",
        "muhuri_2013_heroin_to_nmpr_start",
        "who_starts_pain_relievers",
        "incidence_rate_ratio",
        "muhuri_2013",
        "People who had used heroin",
        "people who had not",
        "starting nonmedical pain reliever use in the past year",
        "The link runs both ways. The report says 'almost 2 times'; the value here is the ratio of its two "
        "rounded rates, 2.8% / 1.6%.",
        timing="exposure_first",
        rates="exposed_first",
        rate_unit="percent per year",
        value_from_rates=True,
    ),
    Spec(
        FIRST,
        "Release from prison, first 2 weeks",
        "12.7",
        "binswanger_2007_release_2wk_any_death",
        "who_dies_of_overdose",
        "standardized_mortality_ratio",
        "binswanger_2007",
        "People in their first 2 weeks after release from prison",
        "other Washington State residents",
        "death from any cause",
        "Death from any cause, not only overdose. Washington State prisons, 1999-2003. A standardized mortality "
        "ratio: deaths counted against those expected at other residents' rates; the abstract calls it the "
        "'risk of death'.",
        timing="exposure_first",
        study_wording=BINSWANGER_TERMS + "; the statistic: 'the risk of death ... was 12.7 ... times that among "
        "other state residents'",
        population=BINSWANGER_POPULATION,
    ),
    Spec(
        FIRST,
        "Release from prison, first 2 weeks",
        "129",
        "binswanger_2007_release_2wk_overdose_death",
        "who_dies_of_overdose",
        "standardized_mortality_ratio",
        "binswanger_2007",
        "People in their first 2 weeks after release from prison",
        "other Washington State residents",
        "death from drug overdose",
        "The highest figure here, and the widest interval (89 to 186): few deaths in a short window. Tolerance "
        "to opioids drops in prison, which is one reason given for the risk after release.",
        timing="exposure_first",
        study_wording=BINSWANGER_TERMS + "; the statistic: 'relative risk of death from drug overdose (129 ...)'",
        population=BINSWANGER_POPULATION,
    ),
    Spec(
        FIRST,
        "Former inmate, whole follow-up",
        "3.5",
        "binswanger_2007_after_release_any_death",
        "who_dies_of_overdose",
        "standardized_mortality_ratio",
        "binswanger_2007",
        "People released from prison (about 2 years of follow-up)",
        "other Washington State residents",
        "death from any cause",
        "Death from any cause, over the whole follow-up (mean 1.9 years).",
        timing="exposure_first",
        study_wording=BINSWANGER_TERMS + "; the statistic: 'the adjusted risk of death among former inmates was "
        "3.5 times that among other state residents'",
        population=BINSWANGER_POPULATION,
    ),
    Spec(
        FIRST,
        "Current benzodiazepine prescription",
        "3.86",
        "park_2015_current_benzo_overdose",
        "who_dies_of_overdose",
        "adjusted_hazard_ratio",
        "park_2015",
        "Veterans prescribed opioid pain medicine who also had a current benzodiazepine prescription",
        "veterans prescribed opioid pain medicine with no benzodiazepine prescription",
        "death from drug overdose",
        "US veterans' health care patients, 2004-2009; a case-cohort study.",
        timing="exposure_first",
    ),
    Spec(
        FIRST,
        "Former benzodiazepine prescription",
        "2.33",
        "park_2015_former_benzo_overdose",
        "who_dies_of_overdose",
        "adjusted_hazard_ratio",
        "park_2015",
        "Veterans prescribed opioid pain medicine who had a former benzodiazepine prescription",
        "veterans prescribed opioid pain medicine with no benzodiazepine prescription",
        "death from drug overdose",
        "US veterans' health care patients, 2004-2009; a case-cohort study.",
        timing="exposure_first",
    ),
    Spec(
        FIRST,
        "Maximum prescribed opioid dose >=100 mg/d morphine-equivalent",
        "7.18",
        "bohnert_2011_high_dose_chronic_pain",
        "who_dies_of_overdose",
        "adjusted_hazard_ratio",
        "bohnert_2011",
        "Veterans with chronic pain prescribed 100 mg/day morphine-equivalent or more",
        "those prescribed 1 to under 20 mg/day",
        "unintentional prescription opioid overdose death",
        "Compares doses within one group of patients; veterans' health care, 2004-2008.",
        timing="exposure_first",
    ),
    Spec(
        FIRST,
        "Maximum prescribed opioid dose >=100 mg/d (vs 1 to <20 mg/d), patients with substance",
        "4.54",
        "bohnert_2011_high_dose_sud",
        "who_dies_of_overdose",
        "adjusted_hazard_ratio",
        "bohnert_2011",
        "Veterans with a substance use disorder prescribed 100 mg/day morphine-equivalent or more",
        "those prescribed 1 to under 20 mg/day",
        "unintentional prescription opioid overdose death",
        "Compares doses within one group of patients; veterans' health care, 2004-2008.",
        timing="exposure_first",
    ),
    Spec(
        FIRST,
        "Out of methadone treatment",
        "3.20",
        "sordo_2017_methadone_any_death",
        "what_protects",
        "rate_ratio",
        "sordo_2017",
        "People with opioid dependence out of methadone treatment",
        "people with opioid dependence while in methadone treatment",
        "death from any cause",
        "Read it the right way round: being in treatment is associated with a lower death rate. The ratio is "
        "out-of-treatment against in-treatment (36.1 against 11.3 deaths per 1,000 person-years).",
        timing="exposure_first",
        rates="baseline_first",
        rate_unit="per 1,000 person-years",
    ),
    Spec(
        FIRST,
        "Out of buprenorphine treatment",
        "2.20",
        "sordo_2017_buprenorphine_any_death",
        "what_protects",
        "rate_ratio",
        "sordo_2017",
        "People with opioid dependence out of buprenorphine treatment",
        "people with opioid dependence while in buprenorphine treatment",
        "death from any cause",
        "Being in treatment is associated with a lower death rate; the ratio is out-of-treatment against "
        "in-treatment. Fewer and shorter studies than for methadone, so the interval is wider.",
        timing="exposure_first",
        rates="baseline_first",
        rate_unit="per 1,000 person-years",
    ),
    Spec(
        FIRST,
        "Out of methadone treatment",
        "4.80",
        "sordo_2017_methadone_overdose_death",
        "what_protects",
        "rate_ratio",
        "sordo_2017",
        "People with opioid dependence out of methadone treatment",
        "people with opioid dependence while in methadone treatment",
        "death from overdose",
        "Being in treatment is associated with a lower overdose death rate; the ratio is out-of-treatment "
        "against in-treatment. The pooled ratio (4.80) differs a little from the ratio of the pooled rates.",
        timing="exposure_first",
        rates="baseline_first",
        rate_unit="per 1,000 person-years",
    ),
    Spec(
        SECOND,
        "Past-year prescription opioid painkiller",
        "40",
        "jones_2015_opioid_painkiller_heroin",
        "who_starts_heroin",
        "adjusted_odds_ratio",
        "jones_2015",
        "People with a past-year prescription opioid painkiller use disorder",
        "people without one",
        "a past-year heroin use disorder",
        NSDUH_JONES,
        timing="same_period",
        study_wording=JONES_TERMS.format(drug="opioid pain reliever"),
    ),
    Spec(
        SECOND,
        "Past-year cocaine",
        "15",
        "jones_2015_cocaine_heroin",
        "who_starts_heroin",
        "adjusted_odds_ratio",
        "jones_2015",
        "People with a past-year cocaine use disorder",
        "people without one",
        "a past-year heroin use disorder",
        NSDUH_JONES,
        timing="same_period",
        study_wording=JONES_TERMS.format(drug="cocaine"),
    ),
    Spec(
        SECOND,
        "Past-year marijuana",
        "3",
        "jones_2015_marijuana_heroin",
        "who_starts_heroin",
        "adjusted_odds_ratio",
        "jones_2015",
        "People with a past-year marijuana use disorder",
        "people without one",
        "a past-year heroin use disorder",
        NSDUH_JONES,
        timing="same_period",
        study_wording=JONES_TERMS.format(drug="marijuana"),
    ),
    Spec(
        SECOND,
        "Past-year alcohol",
        "2",
        "jones_2015_alcohol_heroin",
        "who_starts_heroin",
        "adjusted_odds_ratio",
        "jones_2015",
        "People with a past-year alcohol use disorder",
        "people without one",
        "a past-year heroin use disorder",
        NSDUH_JONES,
        timing="same_period",
        study_wording=JONES_TERMS.format(drug="alcohol"),
    ),
    Spec(
        SECOND,
        "People who used heroin",
        "45%",
        "jones_2015_heroin_users_opioid_painkiller",
        "how_common",
        "share",
        "jones_2015",
        "People who used heroin",
        "",
        "also had a prescription opioid painkiller use disorder",
        "Read in summaries of CDC's Vital Signs, not in the report's own table.",
        study_wording="the summary's words: 'also abused or had dependence on prescription opioid painkillers'",
    ),
    Spec(
        SECOND,
        "People who used heroin",
        "96%",
        "jones_2015_heroin_users_other_drug",
        "how_common",
        "share",
        "jones_2015",
        "People who used heroin",
        "",
        "used at least one other drug in the past year",
        "61% used at least three other drugs. Read in summaries of CDC's Vital Signs.",
    ),
    Spec(
        SECOND,
        "Lifetime heroin use",
        "23%",
        "ncs_1992_heroin_dependence",
        "how_common",
        "share",
        "jama_psychiatry_2018",
        "People who had ever used heroin (National Comorbidity Survey, 1990-1992)",
        "",
        "became dependent on heroin",
        "Standard error 5 percentage points. Often quoted as NIDA's 'about 23%'; NIDA's own text was not read. "
        "Later surveys give 25% to 28%.",
    ),
    Spec(
        SECOND,
        "Lifetime heroin use",
        "28%",
        "nesarc_2002_heroin_dependence",
        "how_common",
        "share",
        "jama_psychiatry_2018",
        "People who had ever used heroin (NESARC, 2001-2002)",
        "",
        "became dependent on heroin",
        "Standard error 4 percentage points.",
    ),
    Spec(
        SECOND,
        "Lifetime heroin use",
        "25%",
        "nesarc3_2013_heroin_dependence",
        "how_common",
        "share",
        "jama_psychiatry_2018",
        "People who had ever used heroin (NESARC-III, 2012-2013)",
        "",
        "became dependent on heroin",
        "Standard error 2 percentage points.",
    ),
    Spec(
        SECOND,
        "Lifetime heroin use (3 surveys pooled)",
        "26%",
        "pooled_heroin_dependence",
        "how_common",
        "share",
        "jama_psychiatry_2018",
        "People who had ever used heroin (three surveys pooled)",
        "",
        "became dependent on heroin",
        "About 1 in 4 people who ever used heroin, in three surveys from 1990 to 2013.",
    ),
)

#: Pack rows deliberately not carried, with the reason (the build checks each is still in the pack).
LEFT_OUT: tuple[tuple[str, str, str, str], ...] = (
    (FIRST, "Past-year opioid pain reliever", "40", "duplicate of the second pass's better-documented row"),
    (FIRST, "Ever used heroin", "23%", "duplicate of the second pass's row citing the JAMA Psychiatry letter"),
    (SECOND, "Newly incident heroin use", "23% to 38%", "a range of year-specific proportions, not one figure"),
)

NUMBER = r"(\d+(?:\.\d+)?)"


def parse_value(text: str) -> float:
    """The figure at the start of a pack ``multiplier`` cell: '12.7 (95% CI ...)' -> 12.7, '79.5%' -> 79.5."""
    match = re.match(rf"(?:almost\s+)?{NUMBER}", text.strip())
    if not match:
        raise ValueError(f"no number at the start of {text!r}")
    return float(match.group(1))


def parse_ci(text: str) -> tuple[float | None, float | None]:
    """'3.86 (95% CI 3.49-4.26)' -> (3.49, 4.26); '26% (95% CI 22%-29%)' -> (22.0, 29.0); else (None, None)."""
    match = re.search(rf"95% CI {NUMBER}%?\s*[-–]\s*{NUMBER}%?", text)
    return (float(match.group(1)), float(match.group(2))) if match else (None, None)


def parse_se(text: str) -> float | None:
    """'23% (SE 5%)' -> 5.0, the standard error the pack quotes; None when there is none."""
    match = re.search(rf"\(SE {NUMBER}%?\)", text)
    return float(match.group(1)) if match else None


#: 95% limits from a standard error: value ± Z95 × SE (normal approximation).
Z95 = 1.96


def interval_from_se(value: float, se: float) -> tuple[float, float, str]:
    """95% limits computed from a quoted standard error, rounded to 0.1, and the note that says how.

    23 with SE 5 -> (13.2, 32.8, 'Computed here as 23 ± 1.96 × 5 ...').
    """
    lower, upper = round(value - Z95 * se, 1), round(value + Z95 * se, 1)
    note = (
        f"Computed here as {value:g} ± {Z95:g} × {se:g}, the standard error quoted from the study in percentage "
        "points, rounded to 0.1: a normal approximation, not an interval the study published."
    )
    return lower, upper, note


def parse_rates(text: str) -> tuple[float, float]:
    """'(0.39% vs 0.02%)' or '(11.3 vs 36.1 per 1000 person-years ...)' -> the two numbers in order."""
    match = re.search(rf"\(?{NUMBER}%?\s+vs\s+{NUMBER}%?", text)
    if not match:
        raise ValueError(f"no 'A vs B' rates in {text!r}")
    return float(match.group(1)), float(match.group(2))


def find_row(pack: dict[str, pd.DataFrame], file: str, factor_starts: str, multiplier_starts: str) -> pd.Series:
    frame = pack[file]
    mask = frame["factor"].str.startswith(factor_starts) & frame["multiplier"].str.startswith(multiplier_starts)
    if mask.sum() != 1:
        raise ValueError(f"{file}: {mask.sum()} rows match factor {factor_starts!r} / value {multiplier_starts!r}")
    return frame[mask].iloc[0]


def grade(row: pd.Series, file: str) -> str:
    """secondary when the pack says the figure was read only where quoted; primary for abstracts read."""
    if re.search(r"PARTIAL|SECONDARY|NOT read|NOT found", str(row["verified_from"]) + str(row["measure"])):
        return "secondary"
    # The second pass's Vital Signs shares were read in NCPIE / county summaries, not in the MMWR itself.
    return "secondary" if file == SECOND else "primary"


def build(data_dir: Path) -> pd.DataFrame:
    pack = {name: pd.read_csv(data_dir / name, dtype=str, keep_default_na=False) for name in (FIRST, SECOND)}
    used: set[tuple[str, Hashable]] = set()  # (file, index label) of every pack row carried or left out
    records = []
    for spec in SPECS:
        row = find_row(pack, spec.file, spec.factor_starts, spec.multiplier_starts)
        used.add((spec.file, row.name))
        lower, upper = parse_ci(row["multiplier"])
        interval_note = ""
        se = parse_se(row["multiplier"])
        if lower is None and se is not None:
            lower, upper, interval_note = interval_from_se(parse_value(row["multiplier"]), se)
        exposed: float | None = None
        base: float | None = None
        if spec.rates:
            first, second = parse_rates(row["multiplier"] + " " + row["measure"])
            exposed, base = (first, second) if spec.rates == "exposed_first" else (second, first)
        if not spec.value_from_rates:
            value = parse_value(row["multiplier"])
        elif exposed is None or base is None:
            raise ValueError(f"{spec.risk_id}: value_from_rates needs the spec to name its two rates (rates=...)")
        else:
            value = round(exposed / base, 2)
        kind = STATISTICS[spec.statistic]["kind"]
        records.append(
            {
                "risk_id": spec.risk_id,
                "question": spec.question,
                "factor": spec.factor,
                "comparison": spec.comparison,
                "outcome": spec.outcome,
                "study_wording": spec.study_wording,
                "statistic": spec.statistic,
                "timing": spec.timing,
                "value": value,
                "value_lower": lower,
                "value_upper": upper,
                "interval_note": interval_note,
                "unit": "times" if kind == "ratio" else "percent",
                "exposed_rate": exposed,
                "baseline_rate": base,
                "rate_unit": spec.rate_unit,
                "population": spec.population or row["population"],
                "period": row["period"],
                "caution": spec.caution,
                "provenance": grade(row, spec.file),
                "source_id": spec.source_id,
                # The pack's own labels, quoted: they keep the study's terms, which the row's labels reword.
                "source_detail": f"{row['source_author_year']}: '{row['factor']}' / '{row['outcome']}': "
                f"'{row['multiplier']}' ({row['measure']}). Population as given: '{row['population']}'. "
                f"Read: {row['verified_from']}",
            }
        )
    for file, factor_starts, multiplier_starts, _reason in LEFT_OUT:
        used.add((file, find_row(pack, file, factor_starts, multiplier_starts).name))
    # The duplicates must agree with the rows kept.
    assert parse_value(find_row(pack, FIRST, "Past-year opioid pain reliever", "40")["multiplier"]) == 40
    unclaimed = [(f, i) for f, frame in pack.items() for i in frame.index if (f, i) not in used]
    if unclaimed:
        raise ValueError(f"pack rows with no spec and no reason to leave out: {unclaimed}")
    return validate(pd.DataFrame.from_records(records, columns=list(RISK_MULTIPLIERS.columns)))


def write(frame: pd.DataFrame, directory: Path) -> Path:
    """Store ``frame`` as the risk snapshot in ``directory`` (gzipped CSV plus sidecar) through the one table writer."""
    meta = {
        "title": "Relative-risk style figures about heroin and overdose, with their studies",
        "built_from": [f"../shared/data/{FIRST}", f"../shared/data/{SECOND}"],
        "built_by": "scripts/build_risk_snapshot.py",
        "left_out": [f"{file}: {factor} {value!r}: {reason}" for file, factor, value, reason in LEFT_OUT],
        "retrieved_at": BUILT_AT,
    }
    return write_table(TABLE, frame, directory, meta, check=validate, compress=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--out-dir", type=Path, default=SNAPSHOT_DIR)
    args = parser.parse_args()
    frame = build(args.data_dir)
    path = write(frame, args.out_dir)
    print(f"wrote {path} ({len(frame)} rows)")


if __name__ == "__main__":
    main()
