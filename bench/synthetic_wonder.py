"""A SYNTHETIC CDC WONDER export for the load and fault benchmark: WONDER's layout, made-up figures.

Every file says so in its Dataset line and its first Message. Counts, populations and rates agree with each
other (rate = deaths / population x 100,000 to one decimal, its 95% limits around it), so the file passes the
value checks and measures what an accepted upload costs; small counts are Suppressed (under 10) or their rate
Unreliable (under 20), as WONDER prints them.
"""

from __future__ import annotations

import random

GROUPS = [
    "County",
    "County Code",
    "Year",
    "Year Code",
    "Ten-Year Age Groups",
    "Ten-Year Age Groups Code",
    "Gender",
    "Gender Code",
    "Race",
    "Race Code",
]
STATISTICS = [
    "Deaths",
    "Population",
    "Crude Rate",
    "Crude Rate Lower 95% Confidence Interval",
    "Crude Rate Upper 95% Confidence Interval",
]
#: WONDER's age-adjusted columns; with them each data row gives four measures, the most an export can.
AGE_ADJUSTED = [
    "Age Adjusted Rate",
    "Age Adjusted Rate Lower 95% Confidence Interval",
    "Age Adjusted Rate Upper 95% Confidence Interval",
]
AGES = ["15-24", "25-34", "35-44", "45-54", "55-64"]
RACES = [
    ("American Indian or Alaska Native", "1002-5"),
    ("Asian or Pacific Islander", "A-PI"),
    ("Black or African American", "2054-5"),
    ("White", "2106-3"),
]
FOOTER = [
    '"---"',
    '"Dataset: Multiple Cause of Death, 1999-2020 (SYNTHETIC benchmark file, not CDC data)"',
    '"Query Parameters:"',
    '"MCD - ICD-10 Codes: T40.1 (Heroin)"',
    '"UCD - Drug/Alcohol Induced Causes: Drug poisonings (overdose) Unintentional (X40-X44); Drug poisonings '
    "(overdose) Suicide (X60-X64); Drug poisonings (overdose) Homicide (X85); Drug poisonings (overdose) "
    'Undetermined (Y10-Y14)"',
    '"Group By: County; Year; Ten-Year Age Groups; Gender; Race"',
    '"Show Totals: Disabled"',
    '"Calculate Rates Per: 100,000"',
    '"---"',
    '"Query Date: Nov 23, 2026 10:15:02 AM"',
    '"---"',
    '"Suggested Citation: SYNTHETIC benchmark file written by bench/synthetic_wonder.py; not CDC data."',
    '"---"',
    '"Messages:"',
    '"1. SYNTHETIC benchmark file, not CDC data."',
    '"---"',
]


def header(age_adjusted: bool = False) -> str:
    """The export's header line: quoted group-by names, unquoted statistic names."""
    return "\t".join(['"Notes"', *(f'"{g}"' for g in GROUPS), *STATISTICS, *(AGE_ADJUSTED if age_adjusted else [])])


def rows(count: int, seed: int = 18, age_adjusted: bool = False) -> list[str]:
    """``count`` data lines (county x year x age x gender x race, in WONDER's order), seeded; with
    ``age_adjusted``, an age-adjusted rate and its limits too (the crude figures again: made up either way)."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        county, rest = divmod(i, 22 * len(AGES) * 2 * len(RACES))
        year, rest = divmod(rest, len(AGES) * 2 * len(RACES))
        age, rest = divmod(rest, 2 * len(RACES))
        gender, race = divmod(rest, len(RACES))
        fips = f"{1 + county % 56:02d}{1 + 2 * (county // 56):03d}"
        population = rng.randint(2_000, 400_000)
        deaths = rng.choice([0, rng.randint(1, 9), rng.randint(10, 19), rng.randint(20, 400)])
        if 0 < deaths < 10:
            stats = ["Suppressed", str(population), "Suppressed", "Suppressed", "Suppressed"]
            stats += ["Suppressed"] * 3 if age_adjusted else []
        else:
            rate = round(deaths / population * 100_000, 1)
            if deaths < 20:
                shown = "Unreliable" if deaths else "0.0"
                low, high = f"{max(0.0, rate - 1.0):.1f}", f"{rate + 1.0:.1f}"
            else:
                shown = f"{rate:.1f}"
                low, high = f"{rate * 0.8:.1f}", f"{rate * 1.2:.1f}"
            stats = [str(deaths), str(population), shown, low, high]
            stats += [shown, low, high] if age_adjusted else []
        label, code = RACES[race]
        groups = [
            f"Synthetic County {county:05d}, ZZ",
            fips,
            str(1999 + year),
            str(1999 + year),
            f"{AGES[age]} years",
            AGES[age],
            ["Female", "Male"][gender],
            "FM"[gender],
            label,
            code,
        ]
        lines.append("\t".join(["", *(f'"{g}"' for g in groups), *stats]))
    return lines


def export_text(count: int, *, age_adjusted: bool = False) -> str:
    """A whole synthetic export with ``count`` data rows, CRLF line endings as WONDER writes them."""
    lines = [header(age_adjusted), *rows(count, age_adjusted=age_adjusted), *FOOTER]
    return "\r\n".join(lines) + "\r\n"


def export_of_size(target_bytes: int) -> bytes:
    """A synthetic export of about ``target_bytes`` (at most that many), whatever the row count."""
    per_row = len(export_text(1000).encode()) / 1000
    count = int(target_bytes / per_row)
    data = export_text(count).encode()
    while len(data) > target_bytes:
        count -= max(1, (len(data) - target_bytes) // int(per_row) + 1)
        data = export_text(count).encode()
    return data
