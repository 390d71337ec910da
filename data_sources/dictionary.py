"""The data dictionary: what every drug key, measure, flag, table and column means, and how it is shown.

This is the single place these definitions live. The About page, the CSV data dictionary, the data package's
``datapackage.json``, every CSV's number format and every display table's headers are generated from it, so
they cannot drift from the data. ICD-10 codes are the multiple-cause-of-death codes NCHS uses to classify drug
overdose deaths by the drugs involved (https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm, Technical
notes).

Three table schemas live here (:class:`TableSchema`): :data:`TIDY`, the contract every overdose table keeps,
:data:`RISK_MULTIPLIERS` (figures quoted from studies) and :data:`PUBLIC_CLAIMS` (claims checked against the
data). :mod:`data_sources.schema` enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One dictionary entry: a short title for charts, a unit and decimals (measures only), a plain description.

    ``decimals`` is how many decimal places a measure is shown with: charts, hovers and display tables round to
    it, and CSVs write at least that many (never fewer digits than the publisher gave).
    """

    title: str
    description: str
    unit: str = ""
    icd10: str = ""
    decimals: int | None = None


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
        decimals=0,
    ),
    "predicted_deaths": Term(
        "Predicted deaths (provisional)",
        "NCHS's provisional count adjusted upward for death records still pending investigation. Provisional; "
        "not a final count.",
        unit="deaths",
        decimals=0,
    ),
    "age_adjusted_rate_per_100k": Term(
        "Age-adjusted death rate",
        "Deaths per 100,000 people, standardised to the age structure of the 2000 US population so that places "
        "and years with older or younger populations can be compared.",
        unit="deaths per 100,000 population (age-adjusted, 2000 US standard)",
        decimals=1,
    ),
    "crude_rate_per_100k": Term(
        "Crude death rate",
        "Deaths per 100,000 people in the group, not adjusted for age.",
        unit="deaths per 100,000 population",
        decimals=1,
    ),
    "population": Term("Population", "Resident population used as the rate's denominator.", unit="people", decimals=0),
    "percent_complete_pct": Term(
        "Records complete",
        "VSRR: share of death records expected for the period that NCHS has received.",
        unit="percent",
        decimals=1,
    ),
    "percent_pending_investigation_pct": Term(
        "Records pending investigation",
        "VSRR: share of death records whose cause is still under investigation; overdose counts are likely "
        "to rise as these are resolved.",
        unit="percent",
        decimals=1,
    ),
    "percent_drug_specified_pct": Term(
        "Records naming a drug",
        "VSRR: share of drug overdose death records that name at least one specific drug. Low values make "
        "drug-specific counts undercount.",
        unit="percent",
        decimals=1,
    ),
    "model_based_age_adjusted_rate_per_100k": Term(
        "Modelled age-adjusted death rate (range)",
        "NCHS's model-based estimate of a county's age-adjusted drug poisoning death rate (empirical Bayes "
        "estimates from two-stage hierarchical models that borrow strength across counties), published only as "
        "one of 16 ranges: <2, 2-3.9, 4-5.9, ..., 28-29.9, 30+. The value is left empty; value_lower and "
        "value_upper hold the range's bounds as printed (<2 is 0 to 2; 30+ has no upper bound).",
        unit="deaths per 100,000 population (age-adjusted, 2000 US standard), as a range",
        decimals=1,
    ),
    "ed_visits": Term(
        "Emergency department visits",
        "Nonfatal overdose visits to emergency departments (CDC DOSE) in the period: a year, or for counties also "
        "the five years 2019-2023. Visits, not people.",
        unit="visits",
        decimals=0,
    ),
    "ed_visit_rate_per_100k": Term(
        "Emergency department visit rate",
        "Nonfatal overdose ED visits in a year per 100,000 residents (the ed_population of the same place and "
        "year), as CDC DOSE publishes it, rounded to one decimal.",
        unit="visits per 100,000 population per year",
        decimals=1,
    ),
    "ed_population": Term(
        "Population (ED rate denominator)",
        "Mid-year population CDC DOSE divides ED visits by: the state's, the county's, or for US rows the sum of "
        "the participating states' and DC's.",
        unit="people",
        decimals=0,
    ),
    "ed_person_years": Term(
        "Person-years (5-year ED rate denominator)",
        "Sum of a county's mid-year populations over 2019-2023, the denominator of DOSE's 5-year ED visit rate.",
        unit="person-years",
        decimals=0,
    ),
    "ed_visit_person_year_rate_per_100k": Term(
        "Emergency department visit rate, 5-year",
        "Nonfatal overdose ED visits over 2019-2023 per 100,000 person-years (ed_person_years): an average "
        "yearly rate. Given only for counties whose state submitted all five years.",
        unit="visits per 100,000 person-years",
        decimals=1,
    ),
    "hospitalizations": Term(
        "Hospitalizations",
        "Inpatient hospitalization discharges for a nonfatal overdose (CDC DOSE) in a year. Stays, not people.",
        unit="hospitalizations",
        decimals=0,
    ),
    "hospitalization_rate_per_100k": Term(
        "Hospitalization rate",
        "Nonfatal overdose hospitalizations in a year per 100,000 residents (the hospitalization_population of "
        "the same place and year), as CDC DOSE publishes it, rounded to one decimal.",
        unit="hospitalizations per 100,000 population per year",
        decimals=1,
    ),
    "hospitalization_population": Term(
        "Population (hospitalization rate denominator)",
        "Mid-year population CDC DOSE divides hospitalizations by: the state's, or for US rows the sum of the "
        "participating states' and DC's.",
        unit="people",
        decimals=0,
    ),
    "ed_reporting_jurisdictions": Term(
        "States and DC submitting ED data",
        "How many jurisdictions (states and DC) submitted emergency department data for the year: the US rows "
        "of the ED measures add up these jurisdictions only.",
        unit="jurisdictions",
        decimals=0,
    ),
    "hospitalization_reporting_jurisdictions": Term(
        "States and DC submitting hospitalization data",
        "How many jurisdictions (states and DC) submitted inpatient hospitalization data for the year: the US "
        "rows of the hospitalization measures add up these jurisdictions only.",
        unit="jurisdictions",
        decimals=0,
    ),
}

FLAGS: dict[str, str] = {
    "provisional": "Provisional figure (CDC VSRR): counted by where the death occurred, subject to change as "
    "records are completed; not comparable one-for-one with final figures.",
    "predicted": "NCHS's predicted value, adjusted for records pending investigation.",
    "underreported": "CDC notes this figure is underreported due to incomplete data.",
    "suppressed": "Withheld by the publisher to protect confidentiality because the number is small. Each "
    "publisher has its own rule (deaths or visits, counts or rates), given in the row's source_detail (for a CDC "
    "WONDER upload, in the export's footer kept with the table). Not zero.",
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
    "model_based": "A statistical model's estimate (NCHS small-area model), not a rate computed from the place's "
    "own deaths.",
    "range_only": "The publisher gives only a range, never the figure: value is empty and value_lower/value_upper "
    "hold the range's bounds (not a confidence interval).",
    "may_be_underestimated": "The publisher warns that rates for this state and year may be too low: many deaths "
    "were still pending investigation or were coded to an ill-defined cause (R99).",
    "participating_jurisdictions": "Adds up only the states and DC that submitted data for the year, which "
    "change from year to year: not a national total.",
    "no_diagnosis_code": "Not available: the diagnosis code for this drug did not exist yet (fentanyl before "
    "October 2020, methamphetamine before October 2022).",
}

#: A missing value must carry one of these flags, so a blank is never mistaken for zero.
MISSING_REASON_FLAGS: set[str] = {
    "suppressed",
    "unreliable",
    "low_quality",
    "not_applicable",
    "missing",
    "range_only",  # NCHS county model: only the range is published
    "no_diagnosis_code",  # CDC DOSE: the drug had no ICD-10-CM code yet
}

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

# --- risk figures and claims: the words their tables use -------------------------------------------------------
#: The questions the risk page groups study figures by; the order is the page's order.
QUESTIONS: dict[str, str] = {
    "who_starts_heroin": "Who starts using heroin, or has heroin use disorder?",
    "who_starts_pain_relievers": "Who starts using prescription pain relievers nonmedically?",
    "who_dies_of_overdose": "Who is more likely to die? (of an overdose, or of any cause where the outcome says so)",
    "what_protects": "What protects: being in treatment with methadone or buprenorphine",
    "how_common": "Shares: how common is it? (percentages, not multipliers)",
}

#: Statistic types: a short label and what it compares, in plain words. ``kind`` is ``ratio`` or ``share``;
#: ``noun`` completes "N times the ..."; ``sentence``, where given, is how to say a figure of that type
#: (placeholders factor, value, outcome, comparison), used instead of "{factor} had {value} times the {noun} of ...".
STATISTICS: dict[str, dict[str, str]] = {
    "adjusted_odds_ratio": {
        "kind": "ratio",
        "label": "Adjusted odds ratio",
        "noun": "odds",
        "meaning": "compares the odds of the outcome in one group with the odds in another, after allowing for "
        "other differences (age, sex and so on). For rare outcomes it is close to a ratio of risks.",
    },
    "adjusted_hazard_ratio": {
        "kind": "ratio",
        "label": "Adjusted hazard ratio",
        "noun": "rate",
        "meaning": "compares how fast the outcome happens over time in one group with another, after allowing "
        "for other differences.",
    },
    "standardized_mortality_ratio": {
        "kind": "ratio",
        "label": "Standardized mortality ratio",
        "noun": "expected number of deaths",
        "meaning": "compares the deaths counted in a group with the number expected if the group had died at the "
        "rates of a reference population of the same age, sex and race (indirect standardization). 3 means three "
        "times as many deaths as expected.",
        "sentence": "{factor} had {value} times as many deaths ({outcome}) as expected from the death rates of "
        "{comparison} of the same age, sex and race",
    },
    "relative_risk": {
        "kind": "ratio",
        "label": "Relative risk",
        "noun": "risk",
        "meaning": "compares the risk in one group with the risk in another.",
    },
    "incidence_rate_ratio": {
        "kind": "ratio",
        "label": "Ratio of yearly rates of starting",
        "noun": "rate",
        "meaning": "compares the share of people who started using a drug in the past year in one group with "
        "the share in another group.",
    },
    "rate_ratio": {
        "kind": "ratio",
        "label": "Mortality rate ratio (unadjusted, pooled)",
        "noun": "death rate",
        "meaning": "compares deaths per 1,000 person-years in one group with another, pooled over many studies "
        "and not adjusted for other differences.",
    },
    "share": {
        "kind": "share",
        "label": "Share (percentage)",
        "noun": "share",
        "meaning": "is a percentage of one group, not a comparison between two groups.",
    },
}

#: The unit of a risk figure, by its statistic's kind.
RISK_UNITS: dict[str, str] = {"ratio": "times", "share": "percent"}
#: Units of the absolute rates behind a ratio, and how many people each is "out of".
RATE_UNITS: dict[str, float] = {"percent per year": 100.0, "per 1,000 person-years": 1000.0}

#: Which came first, for a ratio (``timing``): whether the study can say that the group came before the outcome.
TIMINGS: dict[str, str] = {
    "exposure_first": "The group was defined before the outcome was counted (a cohort followed over time, or use "
    "reported as earlier than the outcome): the order is known, though that alone does not show cause.",
    "same_period": "Group and outcome were measured over the same period (both in the past year of one survey): "
    "the figure shows that they occur together, not which came first.",
}

#: How a claim is checked (``check`` in the claims file), in plain words. Each check reads exactly the years the
#: claim speaks of: ``year`` for one year, ``start_year`` and ``end_year`` for two years or a span; never another.
CLAIM_CHECKS: dict[str, str] = {
    "ratio_of_years": "The measure of drug in end_year divided by the same measure in start_year; the claimed number "
    "is in times.",
    "sum_over_years": "Deaths of drug added up over every year start_year to end_year (refuses a year with no figure).",
    "count_in_year": "Deaths of drug in year.",
    "share_of_drug": "Deaths of drug divided by deaths of of_drug in year, in percent. Only that year: a missing "
    "figure gives 'cannot check', never a neighbouring year.",
    "study_figure": "The value of the risk_multipliers row risk_id (times or percent, as that row's unit).",
    "not_checkable": "No figure in these data can check it; the note says why.",
}

#: How a claim phrases its number (``wording``); claims.WORDINGS gives each one's verdict rule.
CLAIM_WORDINGS: dict[str, str] = {
    "about": "The claim gives its number as approximate.",
    "more_than": "The claim says more than its number.",
    "nearly": "The claim says nearly its number: at it or a little under.",
}


# --- table schemas ---------------------------------------------------------------------------------------------
#: pandas dtype -> Frictionless Table Schema field type.
FIELD_TYPES: dict[str, str] = {
    "string": "string",
    "Int64": "integer",
    "Float64": "number",
    "datetime64[ns]": "date",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class Field:
    """One column: its name, pandas dtype, meaning, the header a reader sees, and what values it may hold.

    ``required`` columns may never be empty; a column with an ``enum`` holds only those keys (or nothing, when
    not required). ``unit`` says what the numbers count, where the column has one unit.
    """

    name: str
    dtype: str
    label: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    unit: str = ""

    def __post_init__(self) -> None:
        if self.dtype not in FIELD_TYPES:
            raise ValueError(f"field {self.name!r}: dtype {self.dtype!r} is not one of {list(FIELD_TYPES)}")

    @property
    def type(self) -> str:
        """The Frictionless field type: string, integer, number, date or boolean."""
        return FIELD_TYPES[self.dtype]


@dataclass(frozen=True)
class TableSchema:
    """The columns of one kind of table, what a row is, and where its figures come from.

    ``primary_key`` names the column whose values identify a row, when one does.
    """

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: str | None = None

    @property
    def columns(self) -> dict[str, str]:
        """Column name -> pandas dtype, in the schema's order."""
        return {f.name: f.dtype for f in self.fields}

    def field(self, name: str) -> Field:
        """The field called ``name``; KeyError naming the schema when it has none."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"schema {self.name!r} has no column {name!r}")


_SOURCE_ID = "Which source the row comes from (see the sources list for title, URL, licence and citation)."

TIDY = TableSchema(
    name="tidy",
    title="tidy overdose table",
    description="One row per figure: a measure of drug overdose deaths (or, for CDC DOSE, of nonfatal overdose "
    "visits and hospitalizations) for one drug, place, period and group of people, with the source it was read "
    "from (source_id, cited in full in the sources list) and exactly where (source_detail). A missing value is "
    "never zero: value_flag says why it is missing.",
    fields=(
        Field("source_id", "string", "Source", _SOURCE_ID, required=True),
        Field(
            "geo_level", "string", "Geography", "nation, state, city or county.", required=True, enum=tuple(GEO_LEVELS)
        ),
        Field(
            "geo_code",
            "string",
            "FIPS",
            "US for the nation, two-digit state FIPS, five-digit county FIPS, or NYC; always text.",
            required=True,
        ),
        Field("geo_name", "string", "Place", "Place name.", required=True),
        Field("year", "Int64", "Year", "Year in which the period ends.", required=True),
        Field(
            "period_end_date",
            "datetime64[ns]",
            "Period ends",
            "Last day of the period (ISO date). Calendar-year figures end on 31 December.",
            required=True,
        ),
        Field(
            "period_months",
            "Int64",
            "Months",
            "Length of the period in months (12 = a year, or CDC's 12-month-ending period).",
            required=True,
        ),
        Field(
            "drug",
            "string",
            "Drug",
            "Drug key; see the drug definitions (ICD-10 codes).",
            required=True,
            enum=tuple(DRUGS),
        ),
        Field(
            "measure",
            "string",
            "Measure",
            "What the value measures; see the measure definitions and units.",
            required=True,
            enum=tuple(MEASURES),
        ),
        Field("sex", "string", "Sex", "all, female or male.", required=True),
        Field("age_group", "string", "Age group", "all, or an age band in years such as 25-34.", required=True),
        Field(
            "race_ethnicity",
            "string",
            "Race and Hispanic origin",
            "all, or the publisher's race and Hispanic origin group.",
            required=True,
        ),
        Field(
            "value",
            "Float64",
            "Value",
            "The figure. Blank when the publisher withheld it; value_flag then says why.",
            unit="depends on the measure (see Measures)",
        ),
        Field(
            "value_lower",
            "Float64",
            "Lower limit",
            "Lower 95% confidence limit, where the publisher gives one or this site computed one from the death "
            "count (value_flag computed_interval); for a range-only figure (value_flag range_only), the published "
            "range's lower bound.",
            unit="depends on the measure (see Measures)",
        ),
        Field(
            "value_upper",
            "Float64",
            "Upper limit",
            "Upper 95% confidence limit, where the publisher gives one or this site computed one from the death "
            "count (value_flag computed_interval); for a range-only figure (value_flag range_only), the published "
            "range's upper bound (blank for an open-ended range such as 30+).",
            unit="depends on the measure (see Measures)",
        ),
        Field(
            "value_flag",
            "string",
            "Flags",
            "Qualifiers separated by ';' (provisional, suppressed, unreliable, ...). Blank = none.",
        ),
        Field(
            "provenance",
            "string",
            "Provenance",
            "primary or secondary: how directly the figure was read from its publisher.",
            required=True,
            enum=tuple(PROVENANCE_GRADES),
        ),
        Field(
            "source_detail",
            "string",
            "Where the figure was read",
            "Where exactly the figure was read (table, page, quotation).",
        ),
    ),
)

RISK_MULTIPLIERS = TableSchema(
    name="risk_multipliers",
    title="risk figures from published studies",
    description="One row per relative-risk style figure quoted from a study ('19 times', '4 in 5'): what was "
    "compared, in whom, which statistic, with confidence limits and the absolute rates behind it where the study "
    "gives them. Each row cites its study in source_id (peer-reviewed papers, CDC MMWR and SAMHSA reports, cited "
    "in full in the sources list) and says exactly where the figure was read in source_detail; provenance says "
    "whether the study's own text was read (primary) or only a text quoting it (secondary).",
    fields=(
        Field("risk_id", "string", "Figure id", "Stable key; public claims cite a figure by this id.", required=True),
        Field(
            "question",
            "string",
            "Question",
            "Which question the figure answers (see the question list).",
            required=True,
            enum=tuple(QUESTIONS),
        ),
        Field(
            "factor",
            "string",
            "Group",
            "The group or exposure being compared (or, for a share, the group counted).",
            required=True,
        ),
        Field(
            "comparison",
            "string",
            "Compared with",
            "The reference group the factor is compared with; blank for shares.",
        ),
        Field(
            "outcome", "string", "Outcome", "What was measured: starting heroin, dependence, death, ...", required=True
        ),
        Field(
            "study_wording",
            "string",
            "Study's own words",
            "The study's own terms for the group, outcome or statistic, quoted, where factor, outcome or statistic "
            "word them differently (person-first words, or the statistic's proper name).",
        ),
        Field(
            "statistic",
            "string",
            "Statistic",
            "Statistic type: odds ratio, hazard ratio, rate ratio, share, ... (see the statistic list).",
            required=True,
            enum=tuple(STATISTICS),
        ),
        Field(
            "timing",
            "string",
            "Which came first",
            "For a ratio: exposure_first (the group was defined before the outcome was counted) or same_period "
            "(both measured over the same period: they occur together, order unknown). Blank for shares.",
            enum=tuple(TIMINGS),
        ),
        Field(
            "value",
            "Float64",
            "Value",
            "The figure: times (ratios) or percent (shares).",
            required=True,
            unit="times or percent, as the row's unit says",
        ),
        Field(
            "value_lower",
            "Float64",
            "Lower limit",
            "Lower 95% confidence limit, where the source gives one.",
            unit="times or percent, as the row's unit says",
        ),
        Field(
            "value_upper",
            "Float64",
            "Upper limit",
            "Upper 95% confidence limit, where the source gives one.",
            unit="times or percent, as the row's unit says",
        ),
        Field(
            "interval_note",
            "string",
            "How the interval was found",
            "Blank when the 95% limits are the study's own; otherwise how they were computed here (for example "
            "value ± 1.96 × the standard error the study gives).",
        ),
        Field(
            "unit",
            "string",
            "Unit",
            "'times' for ratios, 'percent' for shares.",
            required=True,
            enum=tuple(RISK_UNITS.values()),
        ),
        Field(
            "exposed_rate",
            "Float64",
            "Rate in the group",
            "Absolute rate in the factor group, where the source gives one.",
            unit="as rate_unit says",
        ),
        Field(
            "baseline_rate",
            "Float64",
            "Rate in the comparison group",
            "Absolute rate in the comparison group, where the source gives one.",
            unit="as rate_unit says",
        ),
        Field(
            "rate_unit",
            "string",
            "Rate unit",
            "Unit of the two rates: 'percent per year' or 'per 1,000 person-years'.",
            enum=tuple(RATE_UNITS),
        ),
        Field("population", "string", "Who was studied", "Who was studied.", required=True),
        Field("period", "string", "When", "When.", required=True),
        Field("caution", "string", "Caution", "What the figure does not say; how it is misread."),
        Field(
            "provenance",
            "string",
            "Provenance",
            "primary (the study's own text was read) or secondary (read only where quoted).",
            required=True,
            enum=tuple(PROVENANCE_GRADES),
        ),
        Field("source_id", "string", "Source", _SOURCE_ID, required=True),
        Field(
            "source_detail", "string", "Where the figure was read", "Exactly where the figure was read.", required=True
        ),
    ),
    primary_key="risk_id",
)

PUBLIC_CLAIMS = TableSchema(
    name="public_claims",
    title="public claims checked against the data",
    description="One row per public statement about heroin or overdose, as quoted on public health and treatment "
    "pages: who made it (attributed_to), where it was read (quoted_in) and how the dashboard checks it. Only the "
    "claimed number is typed here; the number it is checked against is computed from national_final or read from "
    "the risk_multipliers row it names (risk_id). Claims and their attributions come from the project's reference "
    "data pack and CDC's archived Heroin Overdose Data page.",
    fields=(
        Field("claim_id", "string", "Claim id", "Short unique key (letters, digits and _).", required=True),
        Field("claim", "string", "Claim", "The claim, word for word.", required=True),
        Field("attributed_to", "string", "Attributed to", "Who made it (e.g. CDC, NIDA).", required=True),
        Field("quoted_in", "string", "Quoted in", "Where it was read (page title or URL).", required=True),
        Field(
            "check",
            "string",
            "Check",
            "How the claim is checked (see the check types).",
            required=True,
            enum=tuple(CLAIM_CHECKS),
        ),
        Field("drug", "string", "Drug", "Drug key the check counts.", enum=tuple(DRUGS)),
        Field(
            "of_drug", "string", "Share of", "For share_of_drug: the drug key the share is taken of.", enum=tuple(DRUGS)
        ),
        Field(
            "measure",
            "string",
            "Measure",
            "For checks on the national table: the measure the claim speaks of (deaths, or a rate for ratios).",
            enum=tuple(MEASURES),
        ),
        Field(
            "year",
            "string",
            "Year",
            "For count_in_year and share_of_drug: the one year the claim speaks of. The claim is judged on this "
            "year only.",
        ),
        Field("start_year", "string", "From year", "For ratio_of_years and sum_over_years: the first year."),
        Field("end_year", "string", "To year", "For ratio_of_years and sum_over_years: the last year."),
        Field("risk_id", "string", "Figure id", "For study_figure: the risk_multipliers row the claim cites."),
        Field(
            "claimed_value",
            "string",
            "Claimed number",
            "The number the claim states, as typed: times for ratios, deaths for counts, percent for shares.",
            unit="times, deaths or percent, as the check says",
        ),
        Field(
            "wording",
            "string",
            "Wording",
            "How the claim phrases its number (see the wordings).",
            enum=tuple(CLAIM_WORDINGS),
        ),
        Field(
            "wording_issues",
            "string",
            "Wording issues",
            "Wording problems an editor found that the automatic wording rules cannot see, as keys separated by "
            "spaces (see claims.WORDING_RULES, e.g. wider_group).",
        ),
        Field(
            "vouches_for",
            "string",
            "Vouches for",
            "National figures that were let into the data because this claim agrees with them, as drug:year "
            "separated by spaces (e.g. heroin:2018). Such a figure is never used to confirm this claim.",
        ),
        Field("note", "string", "Note", "What the claim's words get right or wrong; required for not_checkable."),
    ),
    primary_key="claim_id",
)

#: Every table schema, by name.
_IDENTITY_FIELDS = (
    Field("drug", "string", "Drug", "Drug key of the series.", required=True, enum=tuple(DRUGS)),
    Field("measure", "string", "Measure", "Measure key of the series.", required=True, enum=tuple(MEASURES)),
    Field("geo_code", "string", "FIPS", "US for the nation, or a two-digit state FIPS code.", required=True),
    Field("sex", "string", "Sex", "all, female or male.", required=True),
    Field("age_group", "string", "Age group", "all, or an age band.", required=True),
    Field("race_ethnicity", "string", "Race and Hispanic origin", "all, or NCHS's group.", required=True),
)

TREND_SEGMENTS = TableSchema(
    name="trend_segments",
    title="trend segments (joinpoint regression) of every national series",
    description="One row per segment of a series' trend, found by log-linear joinpoint regression as NCI's "
    "Joinpoint does (joinpoints chosen by the weighted BIC, WBIC, Joinpoint's default since version 5.0; each "
    "year weighted by its confidence interval or death count where known). Computed by this dashboard from "
    "national_final; not a publisher's figure. Years with a missing or flagged value are left out and the fit "
    "never spans them.",
    fields=(
        Field("table", "string", "Table", "The table the series was read from.", required=True),
        *_IDENTITY_FIELDS,
        Field("start_year", "Int64", "From year", "First year of the segment.", required=True),
        Field("end_year", "Int64", "To year", "Last year of the segment.", required=True),
        Field("apc", "Float64", "Change a year (%)", "Annual percent change.", required=True, unit="percent"),
        Field("apc_lower", "Float64", "APC 95% CI low", "Lower 95% limit of the APC.", required=True, unit="percent"),
        Field("apc_upper", "Float64", "APC 95% CI high", "Upper 95% limit of the APC.", required=True, unit="percent"),
        Field("is_significant", "boolean", "Clear change", "The APC's 95% interval excludes zero.", required=True),
        Field("p_value", "Float64", "p-value", "Two-sided p-value of the segment's slope.", required=True),
        Field("method", "string", "Method", "How the number of joinpoints was chosen.", required=True),
        Field("weighting", "string", "Weights", "What each year's weight came from.", required=True),
        Field("sentence", "string", "In words", "The segment in plain words.", required=True),
    ),
)

PROVISIONAL_VS_FINAL = TableSchema(
    name="provisional_vs_final",
    title="CDC's provisional counts against the final counts",
    description="One row per drug and year: CDC's provisional count (reported and predicted) for the 12 months "
    "ending December, from vsrr_provisional, against the final count from national_final, with the differences. "
    "Computed by this dashboard; a figure missing on either side is left empty, never filled in.",
    fields=(
        Field("drug", "string", "Drug", "Drug key.", required=True, enum=tuple(DRUGS)),
        Field("year", "Int64", "Year", "Calendar year.", required=True),
        Field("geo_code", "string", "FIPS", "US for the nation.", required=True),
        Field("final_deaths", "Float64", "Final count", "Final deaths (national_final).", unit="deaths"),
        Field("provisional_deaths", "Float64", "Provisional count", "CDC's reported provisional count.", unit="deaths"),
        Field("predicted_deaths", "Float64", "Predicted count", "CDC's predicted provisional count.", unit="deaths"),
        Field("provisional_difference", "Float64", "Provisional minus final", "Deaths.", unit="deaths"),
        Field(
            "provisional_percent", "Float64", "Provisional vs final (%)", "100 x difference / final.", unit="percent"
        ),
        Field("predicted_difference", "Float64", "Predicted minus final", "Deaths.", unit="deaths"),
        Field("predicted_percent", "Float64", "Predicted vs final (%)", "100 x difference / final.", unit="percent"),
        Field("status", "string", "Compared", "complete, or which figure is missing.", required=True),
    ),
)

SCHEMAS: dict[str, TableSchema] = {
    s.name: s for s in (TIDY, RISK_MULTIPLIERS, PUBLIC_CLAIMS, TREND_SEGMENTS, PROVISIONAL_VS_FINAL)
}


def _labels(schemas: tuple[TableSchema, ...]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for schema in schemas:
        for f in schema.fields:
            if labels.setdefault(f.name, f.label) != f.label:
                raise ValueError(f"column {f.name!r} has two labels: {labels[f.name]!r} and {f.label!r}")
    return labels


#: Column name -> the header a reader sees in a display table; one label per column name in every schema.
COLUMN_LABELS: dict[str, str] = _labels(tuple(SCHEMAS.values()))

#: Tidy column -> what it means (the About page lists these).
COLUMN_DESCRIPTIONS: dict[str, str] = {f.name: f.description for f in TIDY.fields}


def drug_title(key: str) -> str:
    """Chart label for a drug key, e.g. ``"heroin"`` -> ``"Heroin"``."""
    return DRUGS[key].title


def measure_title(key: str) -> str:
    """Chart label for a measure key, e.g. ``"deaths"`` -> ``"Deaths"``."""
    return MEASURES[key].title


def measure_unit(key: str) -> str:
    """Unit of a measure, e.g. ``"deaths per 100,000 population"``."""
    return MEASURES[key].unit


def measure_decimals(key: str) -> int:
    """Decimal places a measure is shown with (0 for counts, 1 for rates and percentages)."""
    decimals = MEASURES[key].decimals
    if decimals is None:
        raise KeyError(f"measure {key!r} has no decimals in the data dictionary")
    return decimals
