"""The data dictionary: what every drug key, measure, flag and column means.

This is the single place these definitions live. The About page, the CSV data dictionary and the data
package's ``datapackage.json`` are generated from it, so they cannot drift from the data. ICD-10 codes are
the multiple-cause-of-death codes NCHS uses to classify drug overdose deaths by the drugs involved
(https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm, Technical notes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One dictionary entry: a short title for charts, a unit (measures only) and a plain description."""

    title: str
    description: str
    unit: str = ""
    icd10: str = ""


BREAKDOWN_ALL = "all"

DRUGS: dict[str, Term] = {
    "all_drugs": Term(
        "All drug overdoses",
        "Deaths with an underlying cause of drug poisoning (overdose) of any intent: unintentional, suicide, "
        "homicide or undetermined.",
        icd10="Underlying cause X40-X44, X60-X64, X85, Y10-Y14",
    ),
    "any_opioid": Term(
        "Any opioid",
        "Drug overdose deaths involving at least one opioid: opium, heroin, natural and semisynthetic opioids, "
        "methadone, synthetic opioids or other and unspecified narcotics.",
        icd10="T40.0-T40.4, T40.6",
    ),
    "heroin": Term("Heroin", "Drug overdose deaths involving heroin.", icd10="T40.1"),
    "rx_opioids": Term(
        "Prescription opioids (natural and semisynthetic)",
        "Drug overdose deaths involving natural and semisynthetic opioids such as morphine, codeine, oxycodone "
        "and hydrocodone. This is CDC's narrow definition of commonly prescribed opioids; it excludes methadone.",
        icd10="T40.2",
    ),
    "rx_opioids_incl_methadone": Term(
        "Prescription opioids (incl. methadone)",
        "Drug overdose deaths involving natural and semisynthetic opioids or methadone. NIDA's charts call this "
        'group "prescription opioids"; it is wider than the T40.2-only series.',
        icd10="T40.2, T40.3",
    ),
    "methadone": Term("Methadone", "Drug overdose deaths involving methadone.", icd10="T40.3"),
    "synthetic_opioids": Term(
        "Synthetic opioids (mainly fentanyl)",
        "Drug overdose deaths involving synthetic opioids other than methadone, chiefly illicitly made "
        "fentanyl and its analogues; also tramadol.",
        icd10="T40.4",
    ),
    "rx_and_synthetic_opioids": Term(
        "Natural, semisynthetic and synthetic opioids incl. methadone",
        "Drug overdose deaths involving natural and semisynthetic opioids, methadone or synthetic opioids "
        "(a provisional-data grouping that excludes heroin and opium).",
        icd10="T40.2-T40.4",
    ),
    "cocaine": Term("Cocaine", "Drug overdose deaths involving cocaine.", icd10="T40.5"),
    "psychostimulants": Term(
        "Psychostimulants (mainly methamphetamine)",
        "Drug overdose deaths involving psychostimulants with abuse potential, chiefly methamphetamine; also "
        "amphetamine and methylphenidate. Excludes cocaine.",
        icd10="T43.6",
    ),
    "benzodiazepines": Term("Benzodiazepines", "Drug overdose deaths involving benzodiazepines.", icd10="T42.4"),
    "all_causes": Term(
        "All causes of death",
        "Deaths from any cause, reported alongside overdose counts to judge completeness (VSRR only).",
    ),
    "wonder_query": Term(
        "As defined by the WONDER query",
        "Deaths as selected by an uploaded CDC WONDER query: the causes of death (ICD-10 codes) and filters are "
        "the ones listed in the export's footer, kept with the table as its query metadata.",
    ),
}

MEASURES: dict[str, Term] = {
    "deaths": Term(
        "Deaths",
        "Number of deaths. A death involving several drugs is counted under each drug, so drug counts do not "
        "add up to the all-drug total.",
        unit="deaths",
    ),
    "predicted_deaths": Term(
        "Predicted deaths (provisional)",
        "NCHS's provisional count adjusted upward for death records still pending investigation. Provisional; "
        "not a final count.",
        unit="deaths",
    ),
    "age_adjusted_rate_per_100k": Term(
        "Age-adjusted death rate",
        "Deaths per 100,000 people, standardised to the age structure of the 2000 US population so that places "
        "and years with older or younger populations can be compared.",
        unit="deaths per 100,000 population (age-adjusted, 2000 US standard)",
    ),
    "crude_rate_per_100k": Term(
        "Crude death rate",
        "Deaths per 100,000 people in the group, not adjusted for age.",
        unit="deaths per 100,000 population",
    ),
    "population": Term("Population", "Resident population used as the rate's denominator.", unit="people"),
    "percent_complete_pct": Term(
        "Records complete",
        "VSRR: share of death records expected for the period that NCHS has received.",
        unit="percent",
    ),
    "percent_pending_investigation_pct": Term(
        "Records pending investigation",
        "VSRR: share of death records whose cause is still under investigation; overdose counts are likely "
        "to rise as these are resolved.",
        unit="percent",
    ),
    "percent_drug_specified_pct": Term(
        "Records naming a drug",
        "VSRR: share of drug overdose death records that name at least one specific drug. Low values make "
        "drug-specific counts undercount.",
        unit="percent",
    ),
}

FLAGS: dict[str, str] = {
    "provisional": "Provisional figure (CDC VSRR): counted by where the death occurred, subject to change as "
    "records are completed; not comparable one-for-one with final figures.",
    "predicted": "NCHS's predicted value, adjusted for records pending investigation.",
    "underreported": "CDC notes this figure is underreported due to incomplete data.",
    "suppressed": "Withheld by the publisher to protect confidentiality (fewer than 10 deaths). Not zero.",
    "unreliable": "The rate rests on too few deaths to be reliable, by the publisher's own rule (NCHS's state "
    "files: 20 or fewer deaths; Health, United States and CDC WONDER: fewer than 20); shown, if published, but "
    "not ranked.",
    "low_quality": "Not shown by the publisher because of low data quality.",
    "not_applicable": "Not applicable for this grouping (e.g. no population for a month).",
    "missing": "Not reported by the publisher.",
    "secondary_source": "Read in a secondary text that quotes the primary CDC/NIDA figure; the primary table "
    "itself was not reachable. Shown with a hollow marker.",
    "computed_interval": "The publisher gave no confidence interval: this site computed the 95% interval from the "
    "death count the way NCHS does (rate +/- 1.96 x rate / square root of deaths for 100 or more deaths, the gamma "
    "method below 100). For an age-adjusted rate it is close to, not equal to, NCHS's own interval.",
}

#: A missing value must carry one of these flags, so a blank is never mistaken for zero.
MISSING_REASON_FLAGS: set[str] = {"suppressed", "unreliable", "low_quality", "not_applicable", "missing"}

GEO_LEVELS: dict[str, str] = {
    "nation": "United States (geo_code US).",
    "state": "A state or the District of Columbia (geo_code: two-digit FIPS code as text).",
    "city": "A city reported separately by CDC (geo_code NYC = New York City, reported apart from New York State).",
    "county": "A county (geo_code: five-digit FIPS code as text).",
}

PROVENANCE_GRADES: dict[str, str] = {
    "primary": "Read from the publisher's own dataset, table or text.",
    "secondary": "Read in a secondary text quoting the publisher; the primary table was not reachable.",
}

COLUMN_DESCRIPTIONS: dict[str, str] = {
    "source_id": "Which source the row comes from (see the sources list for title, URL and citation).",
    "geo_level": "nation, state, city or county.",
    "geo_code": "US for the nation, two-digit state FIPS, five-digit county FIPS, or NYC; always text.",
    "geo_name": "Place name.",
    "year": "Year in which the period ends.",
    "period_end_date": "Last day of the period (ISO date). Calendar-year figures end on 31 December.",
    "period_months": "Length of the period in months (12 = a year, or CDC's 12-month-ending period).",
    "drug": "Drug key; see the drug definitions (ICD-10 codes).",
    "measure": "What the value measures; see the measure definitions and units.",
    "sex": "all, female or male.",
    "age_group": "all, or an age band in years such as 25-34.",
    "race_ethnicity": "all, or the publisher's race and Hispanic origin group.",
    "value": "The figure. Blank when the publisher withheld it; value_flag then says why.",
    "value_lower": "Lower 95% confidence limit, where the publisher gives one or this site computed one from the "
    "death count (value_flag computed_interval).",
    "value_upper": "Upper 95% confidence limit, where the publisher gives one or this site computed one from the "
    "death count (value_flag computed_interval).",
    "value_flag": "Qualifiers separated by ';' (provisional, suppressed, unreliable, ...). Blank = none.",
    "provenance": "primary or secondary: how directly the figure was read from its publisher.",
    "source_detail": "Where exactly the figure was read (table, page, quotation).",
}


def drug_title(key: str) -> str:
    """Chart label for a drug key, e.g. ``"heroin"`` -> ``"Heroin"``."""
    return DRUGS[key].title


def measure_title(key: str) -> str:
    return MEASURES[key].title


def measure_unit(key: str) -> str:
    return MEASURES[key].unit
