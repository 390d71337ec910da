"""The printed lesson kit: a student worksheet and a teacher's answer key, in English and Spanish, as PDF.

The tasks are the ``[[worksheet]]`` tables of ``lessons/deck.toml`` (the deck the slides come from), and the
answer key's grade band, minutes, materials, objectives and standards its ``[kit]`` table, so a teacher edits
words there without Python. Numbers are never typed in the deck: ``{names}`` are computed here from the same
tables and functions as the slides (:func:`app.lesson.deck.facts`; fold changes and sums from
:mod:`app.headlines`; cells from :mod:`data_sources.query`; the claim check from :mod:`data_sources.claims`;
the relative-risk figures from the risk table) and printed with the year of the data they come from.

``make lesson`` writes ``dist/worksheet.pdf``, ``dist/answer_key.pdf`` and the Spanish ``dist/worksheet.es.pdf``,
``dist/answer_key.es.pdf``; the Lesson mode page offers the same files through :func:`build_pdfs`. A task the
data cannot support (an unknown chart, a missing figure, a claim the data cannot check, a name the kit does not
compute, a missing Spanish text) is refused with :class:`KitError` naming the task and the problem.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from app import headlines
from app.lesson import deck
from app.lesson.deck import DECK_FILE, Tables
from app.printing import i18n, pdf
from app.printing.i18n import N_, Language
from app.printing.render import chart_html, plotly_script, template
from app.rows import risk_row, state_rows
from data_sources import claims, geography, risk
from data_sources.dictionary import drug_title
from data_sources.query import FigureUnavailable, national

#: Charts a worksheet may show (the deck's builders); "none" and the icon array are not for reading trends.
WORKSHEET_CHARTS = ("waves", "heroin", "fentanyl", "who")
KINDS = ("chart", "compute", "claim")
COMPUTES = ("fold_change", "rate_per_100k", "relative_absolute")
#: Claim checks the answer key can explain from their parts in both languages.
CLAIM_CHECKS = ("ratio_of_years", "sum_over_years", "count_in_year", "share_of_drug", "study_figure")

#: Fields each task kind takes: (required, optional). Texts are translated in the task's ``es`` table.
FIELDS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "chart": (("id", "kind", "chart", "caption", "notice", "wonder", "headline", "look_for"), ("es",)),
    "compute": (
        ("id", "kind", "compute", "question"),
        ("note", "es", "drug", "start", "end", "state", "year", "risk_id"),
    ),
    "claim": (("id", "kind", "claim_id", "question"), ("note", "es")),
}
TEXTS: Mapping[str, tuple[str, ...]] = {
    "chart": ("caption", "notice", "wonder", "headline", "look_for"),
    "compute": ("question", "note"),
    "claim": ("question", "note"),
}
PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "fold_change": ("drug", "start", "end"),
    "rate_per_100k": ("state", "year"),
    "relative_absolute": ("risk_id",),
}
KIT_FIELDS = ("grade_band", "minutes", "materials", "objectives", "standards")

NUMBER_VERDICTS: Mapping[str, str] = {
    claims.MATCHES: N_("matches"),
    claims.CLOSE: N_("close"),
    claims.NO_MATCH: N_("does not match"),
    claims.CANNOT_CHECK: N_("cannot check with these data"),
}
WORDING_VERDICTS: Mapping[str, str] = {
    claims.WORDING_RIGHT: N_("right"),
    claims.IMPRECISE: N_("imprecise"),
    claims.OVERSTATES: N_("overstates"),
    claims.NOT_JUDGED: N_("not judged"),
}
#: The wording rules of data_sources.claims in words for the answer key; {words} is the claim's own words.
WORDING_PROBLEMS: Mapping[str, str] = {
    "odds_as_likely": N_(
        'It says "{words}", but the figure is an odds ratio: it compares odds, not chances. Say "N times the odds".'
    ),
    "order_from_same_period": N_(
        'It says "{words}", but both things were measured over the same period: the figure shows that they occur '
        "together, not that one comes first or leads to the other."
    ),
    "stronger_term": N_(
        'It says "{words}", but the survey counted any nonmedical use of prescription pain relievers (without a '
        "prescription, or only for the feeling), which is wider than abuse or addiction."
    ),
    "times_more": N_(
        'It says "{words}": read literally, "N {words}" is N + 1 times as many. Say "N times as many" (or N times '
        "the rate)."
    ),
    "no_year": N_("The claim does not name {words}, the year it speaks of; said about another year it can be false."),
    "wider_group": N_("It speaks of a wider group than the study counted."),
}
UNITS: Mapping[str, str] = {"times": N_("{number} times"), "percent": N_("{number}%"), "deaths": N_("{number} deaths")}


class KitError(ValueError):
    """The kit cannot be printed as the deck asks; the message names the task and the problem."""


@dataclass(frozen=True)
class Task:
    """One worksheet task with its words in one language and everything computed for its answer."""

    id: str
    kind: str
    number: int
    texts: Mapping[str, str]  # caption, notice, ... or question, note: filled, in the task's language
    chart: Markup | None = None
    chart_source: str = ""
    answer: tuple[str, ...] = ()  # computed answer lines (answer key)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class KitInfo:
    """The answer key's front matter from the deck's ``[kit]`` table, in one language."""

    grade_band: str
    minutes: int
    materials: tuple[str, ...]
    objectives: tuple[str, ...]
    standards: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Kit:
    """Everything both documents print, in one language."""

    lang: Language
    info: KitInfo
    tasks: tuple[Task, ...]
    vocabulary: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]
    facts: Mapping[str, str] = field(default_factory=dict)


# --- numbers ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Values:
    """The lesson's numbers, unformatted (the same cells as :func:`app.lesson.deck.facts`), with their years."""

    heroin: headlines.FoldChange
    heroin_sum: headlines.YearSum
    synthetic: headlines.FoldChange
    peak: float
    peak_year: int
    who_male: float
    who_female: float
    who_top_sentence: str
    who_top: tuple[str, float]  # (age group, crude rate) with the highest rate in deck.WHO_YEAR
    who_close: tuple[tuple[str, float], ...]  # groups whose 95% interval overlaps the top one's
    muhuri: pd.Series
    base: risk.Baseline


def values(tables: Tables) -> Values:
    """The numbers the kit's words may use, computed as the slides compute them."""
    national_data = tables.national.data
    totals = national(national_data, drug="all_drugs", measure="deaths").dropna(subset=["value"])
    if totals.empty:
        raise KitError("national_final has no all-drug death counts")
    peak = totals.loc[totals["value"].astype(float).idxmax()]
    states = tables.states.data
    us = states[(states["geo_code"] == "US") & (states["year"] == deck.WHO_YEAR) & (states["race_ethnicity"] == "all")]
    bands = us[(us["sex"] == "all") & (us["age_group"] != "all") & (us["measure"] == "crude_rate_per_100k")]
    by_sex = us[(us["age_group"] == "all") & (us["measure"] == "age_adjusted_rate_per_100k")].set_index("sex")
    if bands.empty or not {"male", "female"} <= set(by_sex.index):
        raise KitError(f"state_drug_poisoning lacks the US rates by age group or sex for {deck.WHO_YEAR}")
    top = bands.loc[bands["value"].astype(float).idxmax()]
    others = bands[bands["age_group"] != top["age_group"]]
    # The same rule as deck.top_group_sentence: a group is "not clearly different" when its interval reaches
    # the top group's lower limit.
    close: pd.DataFrame = (
        others[others["value_upper"] >= top["value_lower"]] if not pd.isna(top["value_lower"]) else others.head(0)
    )
    sexes = {str(k): float(v) for k, v in by_sex["value"].items()}
    muhuri = risk_row(tables.risk.data, "muhuri_2013_nmpr_to_heroin_start")
    base = risk.baseline(muhuri)
    if base is None:
        raise KitError("risk table: muhuri_2013_nmpr_to_heroin_start has no absolute rates")
    try:
        return Values(
            heroin=headlines.fold_change(national_data, drug="heroin", start=1999, end=2019),
            heroin_sum=headlines.year_sum(national_data, drug="heroin", start=1999, end=2019),
            synthetic=headlines.fold_change(national_data, drug="synthetic_opioids", start=2013, end=2021),
            peak=float(peak["value"]),
            peak_year=int(peak["year"]),
            who_male=sexes["male"],
            who_female=sexes["female"],
            who_top_sentence=deck.top_group_sentence(bands, deck.WHO_YEAR),
            who_top=(str(top["age_group"]), float(top["value"])),
            who_close=tuple(
                (str(age), float(value)) for age, value in zip(close["age_group"], close["value"], strict=True)
            ),
            muhuri=muhuri,
            base=base,
        )
    except FigureUnavailable as err:
        raise KitError(f"a figure the lesson needs is missing: {err}") from err


def facts(v: Values, lang: Language) -> dict[str, str]:
    """The deck's ``{names}`` written in ``lang`` (English gives exactly :func:`app.lesson.deck.facts`'s text for
    the names both define, which a test checks)."""
    _ = lang.gettext
    top_sentence = v.who_top_sentence if lang.code == "en" else _top_sentence(v, lang)
    return {
        "heroin_1999": lang.number(v.heroin.start.value),
        "heroin_2019": lang.number(v.heroin.end.value),
        "heroin_fold": times(lang, v.heroin.ratio, 1),
        "heroin_sum": lang.number(v.heroin_sum.total),
        "synthetic_2013": lang.number(v.synthetic.start.value),
        "synthetic_2021": lang.number(v.synthetic.end.value),
        "synthetic_fold": times(lang, v.synthetic.ratio, 1),
        "all_peak": lang.number(v.peak),
        "all_peak_year": str(v.peak_year),
        "who_year": str(deck.WHO_YEAR),
        "who_male": lang.number(v.who_male, 1),
        "who_female": lang.number(v.who_female, 1),
        "who_top_sentence": top_sentence,
        "muhuri_times": f"{float(v.muhuri['value']):g}",
        "muhuri_exposed": f"{v.base.exposed:g}",
        "muhuri_baseline": f"{v.base.baseline:g}",
        "muhuri_per": lang.number(v.base.per),
    }


def _top_sentence(v: Values, lang: Language) -> str:
    """deck.top_group_sentence in another language, from the same rows."""
    _ = lang.gettext
    age, rate = v.who_top
    text = _("People aged {age} had the highest rate: {rate} deaths per 100,000 in {year}").format(
        age=age, rate=lang.number(rate, 1), year=deck.WHO_YEAR
    )
    if not v.who_close:
        return text + "."
    names = _(" and ").join(f"{group} ({lang.number(value, 1)})" for group, value in v.who_close)
    return text + _(", but {groups}: not clearly different (the 95% intervals overlap).").format(groups=names)


def times(lang: Language, ratio: float, decimals: int) -> str:
    """'7.2 times' in ``lang``."""
    return lang.gettext("{number} times").format(number=lang.number(ratio, decimals))


# --- the deck's kit tables ------------------------------------------------------------------------------
def read_kit(path: Path = DECK_FILE) -> tuple[dict, list[dict]]:
    """The raw ``[kit]`` table and ``[[worksheet]]`` tasks of the deck file; KitError when absent."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise KitError(f"{path.name} is not valid TOML: {err}") from err
    info, tasks = document.get("kit"), document.get("worksheet")
    if not isinstance(info, dict):
        raise KitError(f"{path.name} has no [kit] table (grade band, minutes, materials, objectives, standards)")
    if not isinstance(tasks, list) or not tasks:
        raise KitError(f"{path.name} has no [[worksheet]] tasks")
    return info, tasks


def kit_info(raw: Mapping, lang: Language) -> KitInfo:
    """The ``[kit]`` table in ``lang`` (its ``es`` table for Spanish; minutes are shared)."""
    missing = [name for name in KIT_FIELDS if name not in raw]
    if missing:
        raise KitError(f"[kit]: missing {missing}")
    words = raw if lang.code == "en" else raw.get(lang.code)
    if not isinstance(words, Mapping):
        raise KitError(f"[kit]: no [kit.{lang.code}] table with the {lang.code!r} texts")
    for name in ("grade_band", "materials", "objectives", "standards"):
        if not words.get(name):
            raise KitError(
                f"[kit.{lang.code}]: '{name}' is missing or empty" if lang.code != "en" else f"[kit]: '{name}' is empty"
            )
    standards = tuple((str(code), str(text)) for code, text in words["standards"])
    codes = [code for code, _text in standards]
    english = [str(code) for code, _text in raw["standards"]]
    if codes != english:
        raise KitError(f"[kit.{lang.code}]: standards {codes} differ from the English list {english}")
    minutes = raw["minutes"]
    if not isinstance(minutes, int) or minutes <= 0:
        raise KitError(f"[kit]: minutes must be a whole number of minutes, not {minutes!r}")
    return KitInfo(
        str(words["grade_band"]),
        minutes,
        tuple(str(m) for m in words["materials"]),
        tuple(str(o) for o in words["objectives"]),
        standards,
    )


def _fill(text: str, known: Mapping[str, str], where: str, name: str) -> str:
    names = [n for _lit, n, _spec, _conv in string.Formatter().parse(text) if n is not None]
    missing = sorted(set(names) - set(known))
    if missing:
        raise KitError(f"{where}: '{name}' uses {missing}, which the kit does not compute; known: {sorted(known)}")
    return text.format_map(known)


def _texts(entry: Mapping, lang: Language, where: str) -> Mapping[str, str]:
    """A task's texts in ``lang``: the task's own fields (English) or its ``es`` table; every English text
    needs its translation."""
    names = [n for n in TEXTS[str(entry["kind"])] if n in entry]
    if lang.code == "en":
        return {n: str(entry[n]) for n in names}
    table = entry.get(lang.code)
    if not isinstance(table, Mapping):
        raise KitError(f"{where}: no [worksheet.{lang.code}] table with the {lang.code!r} texts")
    missing = [n for n in names if not str(table.get(n, "")).strip()]
    if missing:
        raise KitError(f"{where}: [worksheet.{lang.code}] lacks {missing}")
    return {n: str(table[n]) for n in names}


def validate(entry: Mapping, number: int) -> str:
    """Check one raw task's kind and fields; returns its ``where`` label for messages."""
    where = f"worksheet task {number} ({entry.get('id', 'no id')!r})"
    kind = entry.get("kind")
    if kind not in KINDS:
        raise KitError(f"{where}: unknown kind {kind!r}; choose one of {list(KINDS)}")
    required, optional = FIELDS[str(kind)]
    absent = [n for n in required if not str(entry.get(n, "")).strip()]
    if absent:
        raise KitError(f"{where}: missing {absent}")
    unknown = sorted(set(entry) - set(required) - set(optional))
    if unknown:
        raise KitError(f"{where}: unknown fields {unknown}; a {kind} task takes {sorted(required + optional)}")
    if kind == "chart" and entry["chart"] not in WORKSHEET_CHARTS:
        raise KitError(f"{where}: chart {entry['chart']!r} is not one of {list(WORKSHEET_CHARTS)}")
    if kind == "compute":
        if entry["compute"] not in COMPUTES:
            raise KitError(f"{where}: compute {entry['compute']!r} is not one of {list(COMPUTES)}")
        params = PARAMETERS[str(entry["compute"])]
        lacking = [p for p in params if p not in entry]
        extra = [p for p in ("drug", "start", "end", "state", "year", "risk_id") if p in entry and p not in params]
        if lacking or extra:
            raise KitError(f"{where}: {entry['compute']} takes {list(params)}; missing {lacking}, not used {extra}")
    return where


# --- charts ---------------------------------------------------------------------------------------------------
#: Labels the deck's charts draw, for the catalog: each is translated for a Spanish kit.
CHART_LABELS = (
    N_("Synthetic opioids (mainly fentanyl)"),
    N_("Heroin"),
    N_("Prescription opioids (incl. methadone)"),
    N_("Wave 1"),
    N_("Wave 2"),
    N_("Wave 3"),
    N_("Ages 0-14"),
    N_("Ages 15-24"),
    N_("Ages 25-34"),
    N_("Ages 35-44"),
    N_("Ages 45-54"),
    N_("Ages 55-64"),
    N_("Ages 65-74"),
    N_("Ages 75+"),
    N_("Year"),
    N_("Deaths"),
)


def print_chart(fig: go.Figure, lang: Language, *, height: int) -> go.Figure:
    """A deck chart for paper: no title (the worksheet prints the caption), print type, and every label in
    ``lang`` (a label with no translation is an error, not English left on a Spanish page)."""
    _ = lang.gettext
    fig = go.Figure(fig)
    for trace in fig.data:
        if trace.name:
            trace.name = _(trace.name)
    for note in fig.layout.annotations:
        if note.text:
            note.text = _(note.text)
    # On screen the unit is the title's subtitle; on paper, with no title, it goes back on the y-axis.
    unit = fig.layout.title.subtitle.text
    if unit and not fig.layout.yaxis.title.text:
        fig.layout.yaxis.title.text = unit
    for axis in fig.layout:
        if axis.startswith(("xaxis", "yaxis")) and fig.layout[axis].title.text:
            fig.layout[axis].title.text = _(fig.layout[axis].title.text)
    fig.update_layout(
        title=None,
        width=690,
        height=height,
        font={"family": "DejaVu Sans, Liberation Sans, sans-serif", "size": 11},
        margin={"l": 55, "r": 10, "t": 25, "b": 10},
        legend={"orientation": "h", "yref": "paper", "y": -0.15, "x": 0, "font": {"size": 10}},
    )
    return fig.update_annotations(font={"size": 10})


def _chart_years(fig: go.Figure) -> tuple[int, int]:
    years = [int(x) for trace in fig.data if trace.x is not None for x in trace.x if not pd.isna(x)]
    if not years:
        raise KitError("a worksheet chart has no years")
    return min(years), max(years)


# --- tasks ----------------------------------------------------------------------------------------------------
def _compute(entry: Mapping, tables: Tables, lang: Language, where: str) -> tuple[dict[str, str], list[str], list[str]]:
    """A compute task's given numbers (names for its question), answer lines and sources."""
    _ = lang.gettext
    kind = str(entry["compute"])
    try:
        if kind == "fold_change":
            return _fold(entry, tables, lang)
        if kind == "rate_per_100k":
            return _rate(entry, tables, lang, where)
        return _relative(entry, tables, lang, where)
    except FigureUnavailable as err:
        raise KitError(f"{where}: {err}") from err


def _fold(entry: Mapping, tables: Tables, lang: Language) -> tuple[dict[str, str], list[str], list[str]]:
    _ = lang.gettext
    drug, start, end = str(entry["drug"]), int(entry["start"]), int(entry["end"])
    found = headlines.fold_change(tables.national.data, drug=drug, start=start, end=end)
    given = {
        "drug": _(drug_title(drug)).lower(),
        "start": str(start),
        "end": str(end),
        "start_value": lang.number(found.start.value),
        "end_value": lang.number(found.end.value),
    }
    answer = [
        _("{end_value} ÷ {start_value} = {ratio}").format(**given, ratio=lang.number(found.ratio, 2)),
        _("In {end} there were about {times} as many deaths as in {start} (final national counts).").format(
            end=end, start=start, times=times(lang, found.ratio, 1)
        ),
    ]
    return given, answer, _cell_sources(tables, [found.start, found.end])


def _rate(entry: Mapping, tables: Tables, lang: Language, where: str) -> tuple[dict[str, str], list[str], list[str]]:
    _ = lang.gettext
    usps, year = str(entry["state"]).upper(), int(entry["year"])
    state = geography.BY_USPS.get(usps)
    if state is None:
        raise KitError(f"{where}: unknown state {usps!r}")
    data = tables.states.data

    def one(measure: str) -> pd.Series:
        rows = state_rows(data, measure=measure, year=year)
        rows = rows[rows["geo_code"] == state.fips]
        if len(rows) != 1 or pd.isna(rows.iloc[0]["value"]):
            raise KitError(f"{where}: state_drug_poisoning has no {measure} for {state.name} in {year}")
        return rows.iloc[0]

    deaths, people, crude, adjusted = (
        one(m) for m in ("deaths", "population", "crude_rate_per_100k", "age_adjusted_rate_per_100k")
    )
    computed = float(deaths["value"]) / float(people["value"]) * 100_000
    if abs(computed - float(crude["value"])) > 0.05:
        raise KitError(
            f"{where}: deaths / population x 100,000 = {computed:.2f}, but NCHS publishes a crude rate of "
            f"{float(crude['value']):.2f} for {state.name} in {year}; the table disagrees with itself"
        )
    given = {
        "state": state.name,
        "year": str(year),
        "deaths": lang.number(float(deaths["value"])),
        "population": lang.number(float(people["value"])),
    }
    answer = [
        _("{deaths} ÷ {population} × 100,000 = {rate} deaths per 100,000 people (a crude rate).").format(
            **given, rate=lang.number(computed, 1)
        ),
        _(
            "NCHS publishes {published} for {state} in {year}. Its age-adjusted rate, {adjusted}, allows for the "
            "state's mix of older and younger people."
        ).format(
            published=lang.number(float(crude["value"]), 1),
            state=state.name,
            year=year,
            adjusted=lang.number(float(adjusted["value"]), 1),
        ),
    ]
    used = {str(r["source_id"]) for r in (deaths, people, crude, adjusted)}
    sources = [f"{s.publisher}: {s.title}. {s.url}" for s in tables.states.sources if s.id in used]
    return given, answer, sources


def _relative(
    entry: Mapping, tables: Tables, lang: Language, where: str
) -> tuple[dict[str, str], list[str], list[str]]:
    _ = lang.gettext
    try:
        row = risk_row(tables.risk.data, str(entry["risk_id"]))
    except KeyError as err:
        raise KitError(f"{where}: {err}") from err
    base = risk.baseline(row)
    if base is None:
        raise KitError(f"{where}: risk figure {entry['risk_id']!r} has no absolute rates to compare")
    ratio = base.exposed / base.baseline
    difference = base.exposed - base.baseline
    given = {
        "exposed": f"{base.exposed:g}",
        "baseline": f"{base.baseline:g}",
        "per": lang.number(base.per),
        "group": base.exposed_label,
        "comparison": base.baseline_label,
        "outcome": base.outcome,
    }
    answer = [
        _(
            "(a) Relative risk: {exposed} ÷ {baseline} = {ratio}. The study published {published}, from its "
            "unrounded rates."
        ).format(**given, ratio=lang.number(ratio, 1), published=times(lang, float(row["value"]), 0)),
        _(
            "(b) Absolute difference: {exposed} − {baseline} = {difference} more people out of {per} a year "
            "({points} percentage points)."
        ).format(
            **given,
            difference=f"{difference:g}",
            points=lang.number(difference / base.per * 100, 2),
        ),
        _("(c) {per} − {exposed} = {rest} of {per} did not start heroin that year.").format(
            **given, rest=lang.number(base.per - base.exposed)
        ),
    ]
    src = tables.risk.source(str(row["source_id"]))
    return given, answer, [f"{src.citation} {src.url}"]


def _cell_sources(tables: Tables, cells: Sequence) -> list[str]:
    used = {c.source_id for c in cells}
    return [f"{s.publisher}: {s.title}. {s.url}" for s in tables.national.sources if s.id in used]


def _claim(entry: Mapping, tables: Tables, lang: Language, where: str) -> tuple[dict[str, str], list[str], list[str]]:
    """A claim task: the claim's words (and number) for the question, the check's two verdicts for the key."""
    _ = lang.gettext
    table = claims.read_claims()
    found = table[table["claim_id"] == entry["claim_id"]]
    if len(found) != 1:
        raise KitError(f"{where}: claim_id {entry['claim_id']!r} is not in {claims.CLAIMS_FILE.name}")
    claim = found.iloc[0].to_dict()
    if claim["check"] not in CLAIM_CHECKS:
        raise KitError(f"{where}: claim {claim['claim_id']!r} is {claim['check']!r}; choose one the data can check")
    check = claims.check_all(table, tables.national.data, tables.risk)[found.index[0]]
    if check.computed is None:
        raise KitError(f"{where}: claim {claim['claim_id']!r} cannot be checked with these data: {check.working[0]}")
    if check.claim_id != claim["claim_id"]:
        raise KitError(f"{where}: the claim checks came back out of order")
    claimed = float(str(claim["claimed_value"]).replace(",", ""))
    given = {"claim": str(claim["claim"]), "attributed_to": str(claim["attributed_to"]), "claimed": f"{claimed:g}"}
    if lang.code != "en":
        own = entry.get(lang.code, {}).get("claim") if isinstance(entry.get(lang.code), Mapping) else None
        if not own:
            raise KitError(f"{where}: [worksheet.{lang.code}] lacks 'claim', the claim in {lang.code!r}")
        given["claim"] = _fill(str(own), given, where, "claim")
    unit = UNITS.get(check.unit)
    if unit is None:
        raise KitError(f"{where}: the check's unit {check.unit!r} has no printed form")
    decimals = 0 if check.unit == "deaths" else (1 if check.unit == "percent" else 2)
    answer = [
        _("The number: the claim says {claimed}; these data give {computed} ({context}). Number: {verdict}.").format(
            claimed=_(unit).format(number=lang.number(claimed, 0 if claimed == int(claimed) else 1)),
            computed=_(unit).format(number=lang.short_number(check.computed, decimals)),
            context=_context(check, lang),
            verdict=_(NUMBER_VERDICTS[check.number_verdict]),
        ),
        _("The words: {verdict}.").format(verdict=_(WORDING_VERDICTS[check.wording_verdict])),
    ]
    figure = tables.risk.row(str(claim["risk_id"])) if claim["check"] == "study_figure" else None
    years: tuple[int, ...] = ()
    if claim["check"] in ("count_in_year", "share_of_drug"):
        years = (int(claim["year"]),)
    elif claim["check"] != "study_figure":
        years = (int(claim["start_year"]), int(claim["end_year"]))
    problems = claims.wording_problems(claim, figure, years)
    if problems and lang.code != "en":
        answer.append(_("The words quoted below are the claim's English original."))
    for key, _english in problems:
        if key not in WORDING_PROBLEMS:
            raise KitError(f"{where}: the wording rule {key!r} has no printed explanation")
        words = _detected_words(key, claim, figure, years)
        answer.append(_(WORDING_PROBLEMS[key]).format(words=words))
    if not check.independent:
        answer.append(_("Not independent: the figure came into these data because this claim agrees with it."))
    if check.risk_id:
        src = tables.risk.source(str(tables.risk.row(check.risk_id)["source_id"]))
        sources = [f"{src.citation} {src.url}"]
    else:
        sources = [f"{s.publisher}: {s.title}. {s.url}" for s in tables.national.sources if s.id in check.source_ids]
    return given, answer, [*sources, f"{claims.CLAIMS_FILE.name}: {claim['quoted_in']}"]


def _detected_words(key: str, claim: Mapping, figure: pd.Series | None, years: tuple[int, ...]) -> str:
    rule = claims.WORDING_RULES[key]
    if rule.detect is None:
        return ""
    return rule.detect(claims.Wording(str(claim["claim"]), figure, years))


def _context(check: claims.ClaimCheck, lang: Language) -> str:
    _ = lang.gettext
    if check.context == "study figure":
        return _("the study's own figure")
    return check.context  # years only ("2019 vs 1999", "in 2020", "1999-2019")


def build_kit(tables: Tables, lang: Language, path: Path = DECK_FILE) -> Kit:
    """Every task of the deck's worksheet in ``lang``, computed from ``tables``."""
    raw_info, raw_tasks = read_kit(path)
    v = values(tables)
    known = facts(v, lang)
    tasks, seen = [], set()
    for number, entry in enumerate(raw_tasks, start=1):
        where = validate(entry, number)
        if entry["id"] in seen:
            raise KitError(f"{where}: the id {entry['id']!r} is used twice")
        seen.add(entry["id"])
        texts = _texts(entry, lang, where)
        kind = str(entry["kind"])
        if kind == "chart":
            tasks.append(_chart_task(entry, tables, lang, number, texts, known, where))
            continue
        build: Callable = _compute if kind == "compute" else _claim
        given, answer, sources = build(entry, tables, lang, where)
        names = {**known, **given}
        filled = {n: _fill(t, names, where, n) for n, t in texts.items()}
        tasks.append(Task(str(entry["id"]), kind, number, filled, answer=tuple(answer), sources=tuple(sources)))
    every = tuple(dict.fromkeys(s for t in tasks for s in t.sources))
    return Kit(lang, kit_info(raw_info, lang), tuple(tasks), vocabulary(lang, v), every, known)


def _chart_task(
    entry: Mapping,
    tables: Tables,
    lang: Language,
    number: int,
    texts: Mapping[str, str],
    known: Mapping[str, str],
    where: str,
) -> Task:
    _ = lang.gettext
    slide = deck.Slide(id=str(entry["id"]), title="", chart=str(entry["chart"]), reveal="", notes="", sources=())
    built = deck.CHARTS[slide.chart]
    if built is None:
        raise KitError(f"{where}: chart {slide.chart!r} draws nothing")
    fig = print_chart(built(tables), lang, height=300 if slide.chart != "who" else 330)
    first, last = _chart_years(fig)
    sources = deck.source_notes(
        deck.Slide(
            slide.id, "", slide.chart, "", "", ("state_drug_poisoning" if slide.chart == "who" else "national_final",)
        ),
        tables,
    )
    line = _("Data: {first}-{last}. Source: {sources}.").format(
        first=first, last=last, sources="; ".join(title for title, _url in sources)
    )
    if slide.chart != "who":
        line += " " + _(
            "Hollow markers: figures read in a text quoting CDC or NIDA. A gap is a year with no sourced figure."
        )
    filled = {n: _fill(t, known, where, n) for n, t in texts.items()}
    return Task(
        str(entry["id"]),
        "chart",
        number,
        filled,
        chart=chart_html(fig, f"chart-{entry['id']}"),
        chart_source=line,
        sources=tuple(f"{title}. {url}" for title, url in sources),
    )


def vocabulary(lang: Language, v: Values) -> tuple[tuple[str, str], ...]:
    """The words the lesson uses, defined with the lesson's own numbers."""
    _ = lang.gettext
    per = lang.number(v.base.per)
    exposed, baseline = f"{v.base.exposed:g}", f"{v.base.baseline:g}"
    return (
        (
            _("Rate per 100,000"),
            _(
                "Deaths divided by the number of people, times 100,000: how many died for every 100,000 people, so "
                "places and groups of different sizes can be compared."
            ),
        ),
        (
            _("Age-adjusted rate"),
            _(
                "A rate computed as if every place had the same mix of ages (the 2000 US standard population), so a "
                "state with many older people can be compared fairly with a younger one."
            ),
        ),
        (
            _("Provisional"),
            _(
                "An early count that CDC publishes before every death record is complete. It can change; final "
                "data replace it later."
            ),
        ),
        (
            _("Relative risk"),
            _(
                "How many times as high an outcome's rate is in one group as in another: {exposed} in {per} "
                "against {baseline} in {per} is {ratio}."
            ).format(
                exposed=exposed, baseline=baseline, per=per, ratio=times(lang, v.base.exposed / v.base.baseline, 1)
            ),
        ),
        (
            _("Absolute risk"),
            _(
                "How many people out of a group have the outcome: {exposed} in {per} is {percent}. A large "
                "relative risk can be a small absolute difference."
            ).format(exposed=exposed, per=per, percent=lang.percent(v.base.exposed / v.base.per * 100, 2)),
        ),
        (
            _("Odds ratio"),
            _(
                "Compares the odds (people with the outcome ÷ people without it) in two groups. Close to the "
                'relative risk only when the outcome is rare; it does not mean "times as likely".'
            ),
        ),
    )


# --- documents ------------------------------------------------------------------------------------------------
DOCUMENTS = ("worksheet", "answer_key")


def build_html(kit: Kit, document: str, *, today: date, paper: str = "letter") -> str:
    """The worksheet or the answer key as one HTML document with print CSS."""
    if document not in DOCUMENTS:
        raise KitError(f"unknown document {document!r}; choose one of {list(DOCUMENTS)}")
    if paper not in pdf.PAPERS:
        raise KitError(f"unknown paper {paper!r}; choose one of {list(pdf.PAPERS)}")
    lang = kit.lang
    return template(f"{document}.html").render(
        _=lang.gettext,
        lang=lang.code,
        paper=paper,
        kit=kit,
        today=lang.date(today),
        help=i18n.help_lines(lang),
        plotlyjs=plotly_script() if document == "worksheet" else "",
    )


def file_name(document: str, lang: str) -> str:
    """``worksheet.pdf``, ``answer_key.es.pdf``, ..."""
    return f"{document}.pdf" if lang == "en" else f"{document}.{lang}.pdf"


def build_pdfs(tables: Tables, lang: str, *, paper: str = "letter", today: date | None = None) -> dict[str, bytes]:
    """The worksheet and the answer key in ``lang`` ("en" or "es") as PDF, by file name
    (``{"worksheet.pdf": ..., "answer_key.pdf": ...}``; Spanish: ``worksheet.es.pdf``, ``answer_key.es.pdf``).

    ``tables``: the lesson's tables (``app.cached.lesson_tables()``). Raises :class:`KitError` for a task the
    data cannot support, :class:`app.printing.i18n.UnsupportedLanguage` for another language,
    :class:`app.printing.pdf.PdfError` when no Chromium can print.
    """
    language = i18n.language(lang)
    kit = build_kit(tables, language)
    day = today or date.today()
    return {file_name(doc, lang): pdf.render(build_html(kit, doc, today=day, paper=paper)) for doc in DOCUMENTS}


def write_kit(out_dir: Path, tables: Tables, langs: Sequence[str] = ("en", "es")) -> list[Path]:
    """Write every PDF of the kit into ``out_dir`` (``make lesson``); returns the paths written."""
    from data_sources.snapshot import atomic_write

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in langs:
        for name, data in build_pdfs(tables, lang).items():
            atomic_write(out_dir / name, data)
            written.append(out_dir / name)
    return written
