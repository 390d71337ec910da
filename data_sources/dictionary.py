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
    # CDC DOSE nonfatal overdoses: emergency department visits and hospitalizations, classified by discharge
    # diagnosis codes (ICD-10-CM), not by cause of death; kept apart from the death keys so the two are never
    # added up or drawn on one axis as if they were the same thing.
    "nonfatal_all_drugs": Term(
        "All drugs (nonfatal)",
        "Emergency department visits or hospitalizations (see the measure) for a nonfatal overdose of any drug, "
        "as counted by CDC's Drug Overdose Surveillance and Epidemiology (DOSE) program. Visits, not people: one "
        "person can be counted more than once.",
    ),
    "nonfatal_opioids": Term(
        "Opioids (nonfatal)",
        "DOSE visits or hospitalizations for a nonfatal overdose involving any opioid (CDC's 'all opioid-involved' "
        "group, which includes heroin and fentanyl).",
    ),
    "nonfatal_heroin": Term("Heroin (nonfatal)", "DOSE visits or hospitalizations for a nonfatal heroin overdose."),
    "nonfatal_fentanyl": Term(
        "Fentanyl (nonfatal)",
        "DOSE visits or hospitalizations for a nonfatal fentanyl overdose. Counted from October 2020, when the "
        "ICD-10-CM code for fentanyl poisoning came into use; earlier periods are not available.",
    ),
    "nonfatal_stimulants": Term(
        "Stimulants (nonfatal)",
        "DOSE visits or hospitalizations for a nonfatal overdose involving any stimulant (CDC's 'all "
        "stimulant-involved' group, which includes cocaine and methamphetamine).",
    ),
    "nonfatal_cocaine": Term("Cocaine (nonfatal)", "DOSE visits or hospitalizations for a nonfatal cocaine overdose."),
    "nonfatal_methamphetamine": Term(
        "Methamphetamine (nonfatal)",
        "DOSE visits or hospitalizations for a nonfatal methamphetamine overdose. Counted from October 2022, when "
        "the ICD-10-CM code for methamphetamine poisoning came into use; earlier periods are not available.",
    ),
    "nonfatal_benzodiazepines": Term(
        "Benzodiazepines (nonfatal)",
        "DOSE visits or hospitalizations for a nonfatal overdose involving benzodiazepines.",
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
    "model_based_age_adjusted_rate_per_100k": Term(
        "Modelled age-adjusted death rate (range)",
        "NCHS's model-based estimate of a county's age-adjusted drug poisoning death rate (empirical Bayes "
        "estimates from two-stage hierarchical models that borrow strength across counties), published only as "
        "one of 16 ranges: <2, 2-3.9, 4-5.9, ..., 28-29.9, 30+. The value is left empty; value_lower and "
        "value_upper hold the range's bounds as printed (<2 is 0 to 2; 30+ has no upper bound).",
        unit="deaths per 100,000 population (age-adjusted, 2000 US standard), as a range",
    ),
    "ed_visits": Term(
        "Emergency department visits",
        "Nonfatal overdose visits to emergency departments (CDC DOSE), counted by the period's length: a month, "
        "a year or five years. Visits, not people.",
        unit="visits",
    ),
    "ed_visit_rate_per_100k": Term(
        "Emergency department visit rate",
        "Nonfatal overdose ED visits in the period per 100,000 residents (the ed_population of the same row). A "
        "month's rate is that month's visits, not an annual rate.",
        unit="visits per 100,000 population in the period",
    ),
    "ed_population": Term(
        "Population (ED rate denominator)",
        "Mid-year population CDC DOSE divides ED visits by: the state's, the county's, or for US rows the sum of "
        "the participating states' and DC's.",
        unit="people",
    ),
    "ed_person_years": Term(
        "Person-years (5-year ED rate denominator)",
        "Sum of a county's mid-year populations over 2019-2023, the denominator of DOSE's 5-year ED visit rate.",
        unit="person-years",
    ),
    "ed_visit_person_year_rate_per_100k": Term(
        "Emergency department visit rate, 5-year",
        "Nonfatal overdose ED visits over 2019-2023 per 100,000 person-years (ed_person_years): an average "
        "yearly rate. Given only for counties whose state submitted all five years.",
        unit="visits per 100,000 person-years",
    ),
    "hospitalizations": Term(
        "Hospitalizations",
        "Inpatient hospitalization discharges for a nonfatal overdose (CDC DOSE), counted by the period's length. "
        "Stays, not people.",
        unit="hospitalizations",
    ),
    "hospitalization_rate_per_100k": Term(
        "Hospitalization rate",
        "Nonfatal overdose hospitalizations in the period per 100,000 residents (the hospitalization_population "
        "of the same row). A month's rate is that month's hospitalizations, not an annual rate.",
        unit="hospitalizations per 100,000 population in the period",
    ),
    "hospitalization_population": Term(
        "Population (hospitalization rate denominator)",
        "Mid-year population CDC DOSE divides hospitalizations by: the state's, or for US rows the sum of the "
        "participating states' and DC's.",
        unit="people",
    ),
    "ed_reporting_jurisdictions": Term(
        "States and DC submitting ED data",
        "How many jurisdictions (states and DC) submitted emergency department data for the period: the US rows "
        "of the ED measures add up these jurisdictions only.",
        unit="jurisdictions",
    ),
    "hospitalization_reporting_jurisdictions": Term(
        "States and DC submitting hospitalization data",
        "How many jurisdictions (states and DC) submitted inpatient hospitalization data for the period: the US "
        "rows of the hospitalization measures add up these jurisdictions only.",
        unit="jurisdictions",
    ),
}

FLAGS: dict[str, str] = {
    "provisional": "Provisional figure (CDC VSRR): counted by where the death occurred, subject to change as "
    "records are completed; not comparable one-for-one with final figures.",
    "predicted": "NCHS's predicted value, adjusted for records pending investigation.",
    "underreported": "CDC notes this figure is underreported due to incomplete data.",
    "suppressed": "Withheld by the publisher to protect confidentiality (fewer than 10 deaths). Not zero.",
    "unreliable": "The publisher marks this rate unreliable (20 or fewer deaths); shown but not ranked.",
    "low_quality": "Not shown by the publisher because of low data quality.",
    "not_applicable": "Not applicable for this grouping (e.g. no population for a month).",
    "missing": "Not reported by the publisher.",
    "secondary_source": "Read in a secondary text that quotes the primary CDC/NIDA figure; the primary table "
    "itself was not reachable. Shown with a hollow marker.",
    "model_based": "A statistical model's estimate (NCHS small-area model), not a rate computed from the place's "
    "own deaths.",
    "range_only": "The publisher gives only a range, never the figure: value is empty and value_lower/value_upper "
    "hold the range's bounds (not a confidence interval).",
    "may_be_underestimated": "The publisher warns that rates for this state and year may be too low: many deaths "
    "were still pending investigation or were coded to an ill-defined cause (R99).",
    "participating_jurisdictions": "Adds up only the states and DC that submitted data for the period, which "
    "change from year to year: not a national total.",
    "no_diagnosis_code": "Not available: the diagnosis code for this drug did not exist yet (fentanyl before "
    "October 2020, methamphetamine before October 2022).",
}

#: A missing value must carry one of these flags, so a blank is never mistaken for zero.
MISSING_REASON_FLAGS: set[str] = {"suppressed", "unreliable", "low_quality", "not_applicable", "missing"}
MISSING_REASON_FLAGS |= {"range_only", "no_diagnosis_code"}  # county model ranges; DOSE drugs not yet coded

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
    "value_lower": "Lower 95% confidence limit, where the publisher gives one; for a range-only figure (value_flag "
    "range_only), the range's lower bound.",
    "value_upper": "Upper 95% confidence limit, where the publisher gives one; for a range-only figure (value_flag "
    "range_only), the range's upper bound.",
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
