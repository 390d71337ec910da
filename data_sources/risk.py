"""Relative-risk style figures about heroin and overdose, as data: what was compared, in whom, which statistic.

The figures people quote most ("19 times more likely", "40 times", "4 in 5") come from a handful of studies.
This module keeps each one as a row of a small table with the statistic it is (odds ratio, hazard ratio, rate
ratio, standardized mortality ratio, share), whether the group came before the outcome (``timing``), its
confidence limits where the source gives them (or computed from the source's standard error, saying so in
``interval_note``), the absolute rates behind it where the source gives them (the icon array's baseline), and
how directly it was read (``provenance``: ``primary`` = the study's own abstract or report was read;
``secondary`` = read only in a text quoting it). Groups are named in person-first words; where the study's own
terms differ they are kept, quoted, in ``study_wording``.

The bundled snapshot ``snapshots/risk_multipliers.csv.gz`` (+ ``.json`` sidecar with its sha256) is built from
the project's reference data pack by ``python -m scripts.build_risk_snapshot``. Its columns are the dictionary's
``RISK_MULTIPLIERS`` schema (no geography or year, so not the tidy contract); :func:`load` returns a
:class:`~data_sources.schema.Table` with that schema, registered in :mod:`data_sources.catalog` like every table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_sources.dictionary import QUESTIONS, RATE_UNITS, RISK_MULTIPLIERS, STATISTICS, TIMINGS
from data_sources.dictionary import RISK_UNITS as UNITS
from data_sources.schema import SchemaError, Source, Table
from data_sources.schema import validate as validate_schema
from data_sources.snapshot import SNAPSHOT_DIR, read_table

TABLE = "risk_multipliers"
PUBLIC_DOMAIN = "Public domain (U.S. Government work)"
QUOTED = "Figures quoted from the published abstract, with citation"

SOURCES: tuple[Source, ...] = (
    Source(
        id="muhuri_2013",
        title="Associations of Nonmedical Pain Reliever Use and Initiation of Heroin Use in the United States",
        publisher="SAMHSA, Center for Behavioral Health Statistics and Quality (CBHSQ Data Review)",
        url="http://www.samhsa.gov/data/sites/default/files/DR006/DR006/nonmedical-pain-reliever-use-2013.htm",
        license=PUBLIC_DOMAIN,
        citation="Muhuri PK, Gfroerer JC, Davies MC. Associations of nonmedical pain reliever use and initiation of "
        "heroin use in the United States. CBHSQ Data Review. Rockville, MD: SAMHSA; August 2013.",
    ),
    Source(
        id="jones_2015",
        title="Vital Signs: Demographic and Substance Use Trends Among Heroin Users - United States, 2002-2013",
        publisher="CDC, Morbidity and Mortality Weekly Report (Vital Signs, July 2015)",
        url="http://www.cdc.gov/mmwr/preview/mmwrhtml/mm6426a3.htm",
        license=PUBLIC_DOMAIN,
        citation="Jones CM, Logan J, Gladden RM, Bohm MK. Vital Signs: Demographic and substance use trends among "
        "heroin users - United States, 2002-2013. MMWR 2015;64(26):719-725.",
    ),
    Source(
        id="binswanger_2007",
        title="Release from Prison - A High Risk of Death for Former Inmates",
        publisher="New England Journal of Medicine",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC2836121/",
        license=QUOTED,
        citation="Binswanger IA, Stern MF, Deyo RA, et al. Release from prison - a high risk of death for former "
        "inmates. N Engl J Med 2007;356(2):157-165.",
    ),
    Source(
        id="park_2015",
        title="Benzodiazepine prescribing patterns and deaths from drug overdose among US veterans receiving "
        "opioid analgesics: case-cohort study",
        publisher="BMJ",
        url="https://www.bmj.com/content/350/bmj.h2698",
        license=QUOTED,
        citation="Park TW, Saitz R, Ganoczy D, Ilgen MA, Bohnert AS. Benzodiazepine prescribing patterns and deaths "
        "from drug overdose among US veterans receiving opioid analgesics: case-cohort study. BMJ 2015;350:h2698.",
    ),
    Source(
        id="bohnert_2011",
        title="Association Between Opioid Prescribing Patterns and Opioid Overdose-Related Deaths",
        publisher="JAMA",
        url="https://jamanetwork.com/journals/jama/fullarticle/896182",
        license=QUOTED,
        citation="Bohnert ASB, Valenstein M, Bair MJ, et al. Association between opioid prescribing patterns and "
        "opioid overdose-related deaths. JAMA 2011;305(13):1315-1321.",
    ),
    Source(
        id="sordo_2017",
        title="Mortality risk during and after opioid substitution treatment: systematic review and meta-analysis "
        "of cohort studies",
        publisher="BMJ",
        url="https://pubmed.ncbi.nlm.nih.gov/28446428/",
        license=QUOTED,
        citation="Sordo L, Barrio G, Bravo MJ, et al. Mortality risk during and after opioid substitution "
        "treatment: systematic review and meta-analysis of cohort studies. BMJ 2017;357:j1550.",
    ),
    Source(
        id="jama_psychiatry_2018",
        title="Risk of heroin dependence in newly incident heroin users (research letter)",
        publisher="JAMA Psychiatry",
        url="https://jamanetwork.com/journals/jamapsychiatry/fullarticle/2681168",
        license=QUOTED,
        citation="Research letter, JAMA Psychiatry 2018: risk of heroin dependence in newly incident heroin users "
        "(figures read as quoted on drugwarfacts.org, https://drugwarfacts.org/chapter/heroin?page=2).",
    ),
)


class RiskTableError(SchemaError):
    """The risk table broke its rules; the message names the rows and the rule."""


def validate(frame: pd.DataFrame, *, table: str = TABLE, sources: tuple[Source, ...] = SOURCES) -> pd.DataFrame:
    """Check ``frame`` against the risk table's schema and rules; return a typed copy in column order.

    The schema (:func:`data_sources.schema.validate`) refuses wrong columns, an empty required cell, repeated
    ids, an unknown question, statistic, timing, unit or provenance. The rules here refuse: a row whose source
    is not registered; a zero or negative value; a share above 100%; a ratio that does not say which came first,
    or a share that does; only one confidence limit, or limits that do not bracket the value; a note on how an
    interval was computed with no interval; a unit that does not fit the statistic; absolute rates given singly,
    negative, without a known unit, or that no icon array of 100, 1,000 or 10,000 people can draw within
    ``ICON_TOLERANCE`` of the published ratio.
    """
    out = validate_schema(frame, RISK_MULTIPLIERS, table=table)

    def fail(mask: pd.Series, rule: str) -> None:
        mask = mask.fillna(True).astype(bool)
        if mask.any():
            ids = ", ".join(f"{i} ({out.at[i, 'risk_id']})" for i in mask[mask].index[:5])
            raise RiskTableError(f"{table}: {rule} in rows {ids}")

    fail(~out["source_id"].isin([s.id for s in sources]), "source_id is not registered")
    fail(out["value"] <= 0, "value is zero or negative (a ratio or share must be positive)")
    kind = out["statistic"].map(lambda s: STATISTICS[s]["kind"])
    fail(out["unit"] != kind.map(UNITS), "unit does not fit the statistic ('times' for ratios, 'percent' for shares)")
    fail((kind == "share") & (out["value"] > 100), "a share is above 100%")
    fail((kind == "ratio") & (out["comparison"].str.strip() == ""), "a ratio has no comparison group")
    fail((kind == "ratio") & (out["timing"] == ""), f"a ratio does not say which came first (timing: {list(TIMINGS)})")
    fail((kind == "share") & (out["timing"] != ""), "a share has a timing (only ratios compare groups)")
    fail(out["value_lower"].isna() != out["value_upper"].isna(), "only one confidence limit is given")
    has_ci = out["value_lower"].notna()
    outside = (out["value_lower"] > out["value"]) | (out["value_upper"] < out["value"]) | (out["value_lower"] <= 0)
    fail(has_ci & outside.fillna(True), "confidence limits do not bracket the value")
    fail(~has_ci & (out["interval_note"] != ""), "interval_note says how an interval was found, but there is none")
    fail(out["exposed_rate"].isna() != out["baseline_rate"].isna(), "only one of the two absolute rates is given")
    has_rates = out["exposed_rate"].notna()
    fail(has_rates & ((out["exposed_rate"] < 0) | (out["baseline_rate"] < 0)).fillna(True), "a rate is negative")
    fail(has_rates & ~out["rate_unit"].isin(list(RATE_UNITS)), f"rate_unit is not one of {list(RATE_UNITS)}")
    fail(has_rates & (kind == "share"), "a share cannot carry two rates")
    drawable = pd.Series(
        [pd.isna(r["exposed_rate"]) or icon_denominator(r) is not None for _, r in out.iterrows()],
        index=out.index,
        dtype=bool,
    )
    fail(
        ~drawable,
        f"no icon array of {', '.join(f'{n:,}' for n in ICON_DENOMINATORS)} people draws the two rates within "
        f"{ICON_TOLERANCE:.0%} of the published ratio",
    )
    return out


def load() -> Table:
    """The bundled risk table. There is no live endpoint: these figures are read from publications."""
    stored = read_table(TABLE, SNAPSHOT_DIR, check=validate)
    return Table(
        name=TABLE,
        data=stored.data,
        sources=SOURCES,
        retrieved_at=stored.retrieved_at,
        from_snapshot=True,
        extra={"origin": str(stored.path)},
        schema=RISK_MULTIPLIERS,
    )


# --- wording: how to say a figure, computed from its row ----------------------------------------------------
def is_ratio(row: pd.Series) -> bool:
    return STATISTICS[str(row["statistic"])]["kind"] == "ratio"


def format_value(row: pd.Series) -> str:
    """'19 times', '3.86 times (95% CI 3.49 to 4.26)', '79.5%'."""
    value = float(row["value"])
    if not is_ratio(row):
        text = f"{value:g}%"
        if pd.notna(row["value_lower"]):
            text += f" (95% CI {float(row['value_lower']):g}% to {float(row['value_upper']):g}%)"
        return text
    text = f"{value:g} times"
    if pd.notna(row["value_lower"]):
        text += f" (95% CI {float(row['value_lower']):g} to {float(row['value_upper']):g})"
    return text


def how_to_say(row: pd.Series) -> str:
    """A guard sentence: the right way to say the figure, and the common wrong way.

    For a ratio R, "R times the rate" is right; "R% more" is wrong, because R times is (R - 1) x 100% more.
    For a protective comparison (out of treatment vs in treatment) the turned-round ratio 1/R is given too.
    """
    stat = STATISTICS[str(row["statistic"])]
    value = float(row["value"])
    factor = _lower_first(str(row["factor"]))
    if not is_ratio(row):
        return (
            f'Say "{share_sentence(row)}" (about {round(value):g} in 100). It is a share of one group, not a '
            "comparison between groups: on its own it does not say how likely anyone else is."
        )
    text = (
        f'Say "{value:g} times the {stat["noun"]}" (that is {(value - 1) * 100:,.0f}% higher), not '
        f'"{value:g}% more". It compares {factor} with {row["comparison"]}.'
    )
    if row["question"] == "what_protects":
        inverse = 1 / value
        text += (
            f" Turned round: being in treatment goes with {inverse:.2f} times the {stat['noun']} "
            f"({(1 - inverse) * 100:.0f}% lower), an association seen in cohort studies."
        )
    return text


def say_it(row: pd.Series) -> str:
    """The figure said precisely, as one sentence a reader could repeat: who, how many times what (or what share),
    compared with whom, which statistic, in whom and when; for a same-period figure, that it shows co-occurrence.

    'People who had used prescription pain relievers nonmedically had 19 times the rate of starting heroin in the
    past year compared with people who had not (ratio of yearly rates of starting; US persons aged 12-49, NSDUH
    pooled, 2002-2011).'
    """
    stat = STATISTICS[str(row["statistic"])]
    where = f"{row['population']}, {row['period']}"
    if not is_ratio(row):
        return f"{share_sentence(row)} ({where})."
    template = stat.get("sentence", "{factor} had {value} times the {noun} of {outcome} compared with {comparison}")
    text = template.format(
        factor=str(row["factor"]),
        value=f"{float(row['value']):g}",
        noun=stat["noun"],
        outcome=str(row["outcome"]),
        comparison=str(row["comparison"]),
    )
    text += f" ({stat['label'].lower()}; {where})."
    if row["timing"] == "same_period":
        text += " Both were measured over the same period: this shows that they occur together, not which came first."
    return text


def share_sentence(row: pd.Series) -> str:
    """'79.5% of people who recently started heroin had used ...': a share row as a plain sentence."""
    return f"{float(row['value']):g}% of {_lower_first(str(row['factor']))} {row['outcome']}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def how_sure(row: pd.Series) -> str:
    """How sure: confidence interval and how directly the figure was read."""
    parts = []
    if pd.notna(row["value_lower"]):
        interval = f"95% confidence interval {float(row['value_lower']):g} to {float(row['value_upper']):g}"
        parts.append(
            interval + (f" ({_lower_first(str(row['interval_note']).rstrip('.'))})" if row["interval_note"] else "")
        )
    elif is_ratio(row):
        parts.append("no confidence interval was available to us")
    parts.append(
        "read in the study's own abstract or report"
        if row["provenance"] == "primary"
        else "read only in texts quoting the study (secondary); the study's own table was not reachable"
    )
    return "; ".join(parts) + "."


@dataclass(frozen=True)
class Baseline:
    """Two absolute rates turned into people out of ``per`` (the icon array's input)."""

    per: int
    exposed: float
    baseline: float
    exposed_label: str
    baseline_label: str
    outcome: str

    @property
    def exposed_icons(self) -> int:
        return round(self.exposed)

    @property
    def baseline_icons(self) -> int:
        return round(self.baseline)

    def sentence(self) -> str:
        return (
            f"Outcome: {self.outcome}. Out of {self.per:,} {self.exposed_label}, about {self.exposed:,.1f} a "
            f"year; out of {self.per:,} {self.baseline_label}, about {self.baseline:,.1f} a year."
        )


#: Icon-array sizes tried, smallest first.
ICON_DENOMINATORS = (100, 1000, 10_000)
#: How far the ratio of the drawn (whole-person) icons may stray from the published ratio.
ICON_TOLERANCE = 0.05


def icon_denominator(row: pd.Series) -> int | None:
    """The smallest of :data:`ICON_DENOMINATORS` at which both groups round to at least one whole person and the
    ratio of the rounded counts stays within :data:`ICON_TOLERANCE` of the published ratio (the row's value), or
    None when there is none (the validator refuses such a row) or no rates.

    Rounding bends small counts: buprenorphine's 9.5 and 4.3 per 1,000 person-years drawn as 10 and 4 people
    would show 2.5 times where the study published 2.2; out of 10,000 they are 95 and 43 (2.21 times).
    """
    if pd.isna(row["exposed_rate"]):
        return None
    scale = RATE_UNITS[str(row["rate_unit"])]
    exposed, base = float(row["exposed_rate"]) / scale, float(row["baseline_rate"]) / scale
    published = float(row["value"])
    for candidate in ICON_DENOMINATORS:
        a, b = round(exposed * candidate), round(base * candidate)
        if a >= 1 and b >= 1 and abs((a / b) / published - 1) <= ICON_TOLERANCE:
            return candidate
    return None


def baseline(row: pd.Series, per: int | None = None) -> Baseline | None:
    """People out of ``per`` with the outcome in a year, for the factor group and the comparison group, or None
    when the source gives no absolute rates (then no icon array can be drawn honestly).

    Without ``per`` the denominator is :func:`icon_denominator`'s: the smallest of 100, 1,000 or 10,000 at which
    the whole-person icons keep the published ratio within 5%, so the picture neither exaggerates nor hides the
    difference. A rate per 1,000 person-years is read as people out of 1,000 followed for a year.
    """
    if pd.isna(row["exposed_rate"]):
        return None
    scale = RATE_UNITS[str(row["rate_unit"])]
    exposed, base = float(row["exposed_rate"]) / scale, float(row["baseline_rate"]) / scale
    if per is None:
        found = icon_denominator(row)
        if found is None:
            raise RiskTableError(
                f"{row['risk_id']}: no icon array of {ICON_DENOMINATORS} people keeps the published ratio "
                f"{float(row['value']):g} within {ICON_TOLERANCE:.0%}; the risk table's validator refuses such rows"
            )
        per = found
    if row["question"] == "what_protects":
        # Out-of-treatment is the factor; say it the way a reader thinks of it.
        labels = (str(row["factor"]).lower(), str(row["comparison"]).lower())
    else:
        labels = (_lower_first(str(row["factor"])), str(row["comparison"]))
    return Baseline(per, exposed * per, base * per, labels[0], labels[1], str(row["outcome"]))


def ratio_rows(data: pd.DataFrame) -> pd.DataFrame:
    """The rows that are ratios (for the log-scale chart), in question order."""
    kinds = data["statistic"].map(lambda s: STATISTICS[s]["kind"])
    return _in_question_order(data[kinds == "ratio"])


def share_rows(data: pd.DataFrame) -> pd.DataFrame:
    kinds = data["statistic"].map(lambda s: STATISTICS[s]["kind"])
    return _in_question_order(data[kinds == "share"])


def _in_question_order(rows: pd.DataFrame) -> pd.DataFrame:
    order = {q: i for i, q in enumerate(QUESTIONS)}
    return rows.assign(_q=rows["question"].map(order)).sort_values("_q", kind="stable").drop(columns="_q")


def citation_table(table: Table) -> pd.DataFrame:
    """The risk table for download: every row with its statistic label and the study's full citation and URL."""
    by_id = {s.id: s for s in table.sources}
    out = table.data.copy()
    out["statistic_label"] = out["statistic"].map(lambda s: STATISTICS[s]["label"])
    out["how_to_say"] = [how_to_say(r) for _, r in out.iterrows()]
    out["said_precisely"] = [say_it(r) for _, r in out.iterrows()]
    out["source_citation"] = out["source_id"].map(lambda s: by_id[s].citation)
    out["source_url"] = out["source_id"].map(lambda s: by_id[s].url)
    return out
