"""The classroom lesson: a deck of slides read from ``lessons/deck.toml``, with every number computed.

Pure (no streamlit): used by the Lesson mode page (``pages/classroom.py``) and the offline pack
(``lesson_pack.py``). The deck file holds words only; numbers are written as ``{name}`` and filled from
:func:`facts`, which computes them from the project's tables (``national_final``, ``state_drug_poisoning``,
the risk table). A deck with an unknown chart, a missing source or an unknown ``{name}`` is refused with a
:class:`DeckError` naming the slide and the problem.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from app import headlines
from app.charts import groups, risk_charts, trends
from app.charts.style import BASE_FONT, retitle, wrap_title
from app.rows import national_series, risk_row
from data_sources import risk
from data_sources.query import FigureUnavailable
from data_sources.schema import Table

DECK_FILE = Path(__file__).resolve().parents[2] / "lessons" / "deck.toml"

#: Where the help slide's words come from (988 Lifeline, SAMHSA's helpline and naloxone pages).
HELP_SOURCES = (
    ("988 Suicide & Crisis Lifeline", "https://988lifeline.org"),
    ("SAMHSA National Helpline", "https://www.samhsa.gov/find-help/helplines/national-helpline"),
    ("SAMHSA: Naloxone", "https://www.samhsa.gov/substance-use/treatment/overdose-prevention/naloxone"),
)
SOURCE_NAMES = ("national_final", "state_drug_poisoning", "risk_multipliers", "help_lines")
FIELDS = {"id", "title", "chart", "predict", "reveal", "notes", "sources"}
WHO_YEAR = 2017  # the latest year of the state table (jx6g-fdh6, 1999-2017 release)
PROJECTOR_FONT = 22
PROJECTOR_TITLE_WIDTH = 60


class DeckError(ValueError):
    """The deck file cannot be used; the message names the slide and the problem."""


class MissingFigure(DeckError):
    """The tables lack a figure the deck quotes (say, a refreshed table without a year); the message names it."""


@dataclass(frozen=True)
class Slide:
    id: str
    title: str
    chart: str
    reveal: str
    notes: str
    sources: tuple[str, ...]
    predict: str = ""


@dataclass(frozen=True)
class Tables:
    """The tables a lesson draws on."""

    national: Table
    states: Table
    risk: Table


# --- facts: every number in the deck, computed -----------------------------------------------------------


def facts(tables: Tables) -> dict[str, str]:
    """Formatted numbers the deck may use, by name.

    Raises :class:`MissingFigure` naming the first figure the tables lack (a refreshed table without a year or a
    group the lesson quotes), so Lesson mode can say what is missing instead of failing.
    """
    national = tables.national.data
    try:
        fold = headlines.fold_change(national, drug="heroin", start=1999, end=2019)
        heroin_sum = headlines.year_sum(national, drug="heroin", start=1999, end=2019)
        synthetic = headlines.fold_change(national, drug="synthetic_opioids", start=2013, end=2021)
    except FigureUnavailable as err:
        raise MissingFigure(f"national table: {err}") from err
    totals = _present(national_series(national, drugs=["all_drugs"], measure="deaths"), "national all-drug deaths")
    peak = totals.loc[totals["value"].idxmax()]

    states = tables.states.data
    us = states[(states["geo_code"] == "US") & (states["year"] == WHO_YEAR) & (states["race_ethnicity"] == "all")]
    bands = us[(us["sex"] == "all") & (us["age_group"] != "all") & (us["measure"] == "crude_rate_per_100k")]
    bands = _present(bands, f"state table: US crude rates by age group for {WHO_YEAR}")
    top = bands.loc[bands["value"].idxmax()]
    heroin = _present(national_series(national, drugs=["heroin"], measure="deaths"), "national heroin deaths")
    by_sex = us[(us["age_group"] == "all") & (us["measure"] == "age_adjusted_rate_per_100k")].dropna(subset=["value"])
    by_sex = by_sex.set_index("sex")
    for sex in ("male", "female"):
        if sex not in by_sex.index:
            raise MissingFigure(f"state table: no US age-adjusted rate for {sex} people in {WHO_YEAR}")

    try:
        muhuri = risk_row(tables.risk.data, "muhuri_2013_nmpr_to_heroin_start")
    except KeyError as err:
        raise MissingFigure(f"risk table: {err.args[0]}") from err
    base = risk.baseline(muhuri)
    if base is None:
        raise MissingFigure("risk table: the Muhuri 2013 figure has no absolute rates to explain it with")
    return {
        "heroin_1999": f"{fold.start.value:,.0f}",
        "heroin_2019": f"{fold.end.value:,.0f}",
        "heroin_fold": fold.label().replace("x", " times"),
        "heroin_sum": f"{heroin_sum.total:,.0f}",
        "synthetic_2013": f"{synthetic.start.value:,.0f}",
        "synthetic_2021": f"{synthetic.end.value:,.0f}",
        "synthetic_fold": synthetic.label().replace("x", " times"),
        "all_peak": f"{peak['value']:,.0f}",
        "all_peak_year": str(int(peak["year"])),
        "who_year": str(WHO_YEAR),
        "who_top_age": str(top["age_group"]),
        "who_top_rate": f"{top['value']:.1f}",
        "who_top_sentence": top_group_sentence(bands, WHO_YEAR),
        "heroin_peak_sentence": peak_sentence(heroin, "Heroin-involved deaths"),
        "who_male": f"{by_sex.loc['male', 'value']:.1f}",
        "who_female": f"{by_sex.loc['female', 'value']:.1f}",
        "muhuri_times": f"{muhuri['value']:g}",
        "muhuri_exposed": f"{base.exposed:g}",
        "muhuri_baseline": f"{base.baseline:g}",
        "muhuri_per": f"{base.per:,}",
    }


def _present(rows: pd.DataFrame, what: str) -> pd.DataFrame:
    """``rows`` with a value; :class:`DeckError` naming ``what`` when none has one."""
    found = rows.dropna(subset=["value"])
    if found.empty:
        raise MissingFigure(f"{what}: no figures")
    return found


def peak_sentence(series: pd.DataFrame, what: str) -> str:
    """'Heroin-involved deaths peaked at 15,482 in 2017; the latest figure, 9,173 in 2021, is lower.' computed
    from the yearly rows of one series (missing years are skipped, not filled)."""
    peak = series.loc[series["value"].astype(float).idxmax()]
    last = series.iloc[-1]
    text = f"{what} peaked at {peak['value']:,.0f} in {int(peak['year'])}"
    if int(last["year"]) == int(peak["year"]):
        return text + ", the latest year with a figure."
    change = "lower" if last["value"] < peak["value"] else "higher"
    return text + f"; the latest figure, {last['value']:,.0f} in {int(last['year'])}, is {change}."


def top_group_sentence(bands: pd.DataFrame, year: int) -> str:
    """The age group with the highest rate, and any group whose 95% interval overlaps it (not clearly
    different, by the dashboard's rule for comparing rates)."""
    top = bands.loc[bands["value"].idxmax()]
    text = f"People aged {top['age_group']} had the highest rate: {top['value']:.1f} deaths per 100,000 in {year}"
    if pd.isna(top["value_lower"]):
        return text + "."
    others = bands[bands["age_group"] != top["age_group"]]
    close = others[others["value_upper"] >= top["value_lower"]]
    if close.empty:
        return text + "."
    names = " and ".join(f"{r['age_group']} ({r['value']:.1f})" for _, r in close.iterrows())
    return (
        text + f", but {names} {'is' if len(close) == 1 else 'are'} not clearly different (the 95% intervals overlap)."
    )


# --- charts: one builder per chart key -------------------------------------------------------------------


def _projector(fig: go.Figure) -> go.Figure:
    """Large type for a projector at the back of a classroom."""
    # 340 px leaves the title, the question, the answer and the sources on one 1280x800 or 1024x768 screen.
    # A projector is wide: the legend takes smaller type than the rest, so it stays on one line.
    fig.update_layout(font={"size": PROJECTOR_FONT}, legend_font={"size": PROJECTOR_FONT - 4}, height=340)
    # The title takes longer lines than on a phone; what sits between it and the plot (panel titles, wave labels:
    # annotations, enlarged below) grows with their type. A slide's chart is short, so the unit is not repeated
    # when the title names it, and a year axis needs no title.
    title, unit = fig.layout.title.text or "", fig.layout.title.subtitle.text or ""
    retitle(
        fig,
        text=wrap_title(title, PROJECTOR_TITLE_WIDTH),
        size=PROJECTOR_FONT + 6,
        subtitle="" if unit and unit.lower() in title.lower() else None,
        subtitle_size=PROJECTOR_FONT - 2,
        room_scale=(PROJECTOR_FONT - 4) / BASE_FONT,
    )
    if fig.layout.xaxis.title.text == "Year":
        fig.update_xaxes(title_text=None)
    # Panel titles and counts under icon arrays are annotations with their own small size; enlarge them too.
    return fig.update_annotations(font={"size": PROJECTOR_FONT - 4})


def _waves(t: Tables) -> go.Figure:
    return trends.trend_chart(
        t.national.data,
        drugs=["rx_opioids_incl_methadone", "heroin", "synthetic_opioids"],
        measure="deaths",
        title="Overdose deaths by opioid type, United States",
    )


def _heroin(t: Tables) -> go.Figure:
    return trends.trend_chart(
        t.national.data,
        drugs=["heroin"],
        measure="deaths",
        years=(1999, 2019),
        show_waves=False,
        title="Overdose deaths involving heroin, 1999-2019",
    )


def _fentanyl(t: Tables) -> go.Figure:
    drugs = ["synthetic_opioids", "heroin"]
    data = t.national.data
    counted = data[data["drug"].isin(drugs) & (data["measure"] == "deaths") & data["value"].notna()]
    last = int(counted["year"].max())  # the title says how far the sourced counts reach, not a hoped-for year
    return trends.trend_chart(
        data,
        drugs=drugs,
        measure="deaths",
        years=(2010, last),
        show_waves=False,
        title=f"Synthetic opioids (mainly fentanyl) and heroin, 2010-{last}",
    )


def _who(t: Tables) -> go.Figure:
    fig = groups.demographics_chart(
        t.states.data,
        drug="all_drugs",
        by="age_group",
        measure="crude_rate_per_100k",
        title="Overdose death rate by age group (deaths per 100,000)",
        columns=4,
    )
    # The chart title already gives the unit; in projector type the slide has no room to say it twice, nor
    # for more than three values up each short panel or two years along it (2005 and 2015, clear of the corner
    # where the panel's 0 stands).
    fig.update_yaxes(nticks=3).update_xaxes(dtick=10, tick0=2005)
    return retitle(fig, subtitle="")


def _risk(t: Tables) -> go.Figure:
    ratios = risk.ratio_rows(t.risk.data)
    return risk_charts.risk_chart(
        ratios[ratios["question"] == risk_row(t.risk.data, "muhuri_2013_nmpr_to_heroin_start")["question"]]
    )


def _icons(t: Tables) -> go.Figure:
    """Muhuri et al.'s multiplier as people: how many in 10,000 started heroin in a year, in each group."""
    row = risk_row(t.risk.data, "muhuri_2013_nmpr_to_heroin_start")
    base = risk.baseline(row)
    if base is None:
        raise DeckError("chart 'icons' needs the baseline rates of muhuri_2013_nmpr_to_heroin_start; none found")
    return risk_charts.icon_array_chart(
        [(base.exposed_label.capitalize(), base.exposed), (base.baseline_label.capitalize(), base.baseline)],
        per=base.per,
        outcome=str(row["outcome"]).capitalize(),
        title=f"Out of {base.per:,} people, in a year",
    )


CHARTS: dict[str, Callable[[Tables], go.Figure] | None] = {
    "waves": _waves,
    "heroin": _heroin,
    "fentanyl": _fentanyl,
    "who": _who,
    "risk": _risk,
    "icons": _icons,
    "none": None,
}


def figure(slide: Slide, tables: Tables) -> go.Figure | None:
    """The slide's chart in projector type, or None for a slide without one."""
    build = CHARTS[slide.chart]
    return None if build is None else _projector(build(tables))


# --- the deck file -----------------------------------------------------------------------------------------


def read_deck(path: Path = DECK_FILE) -> list[dict]:
    """The raw [[slide]] tables of a deck file; DeckError when it is not valid TOML or has no slides."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise DeckError(f"{path.name} is not valid TOML: {err}") from err
    slides = document.get("slide")
    if not isinstance(slides, list) or not slides:
        raise DeckError(f"{path.name} has no [[slide]] entries")
    return slides


def build_deck(raw: list[dict], known: Mapping[str, str]) -> list[Slide]:
    """Validate raw slides and fill their ``{names}`` from ``known`` (see :func:`facts`)."""
    slides, seen = [], set()
    for number, entry in enumerate(raw, start=1):
        where = f"slide {number} ({entry.get('id', 'no id')!r})"
        unknown_fields = set(entry) - FIELDS
        if unknown_fields:
            raise DeckError(f"{where}: unknown fields {sorted(unknown_fields)}; allowed: {sorted(FIELDS)}")
        for name in ("id", "title", "chart", "reveal", "notes"):
            if not str(entry.get(name, "")).strip():
                raise DeckError(f"{where}: '{name}' is missing or empty")
        if entry["id"] in seen:
            raise DeckError(f"{where}: the id {entry['id']!r} is used twice")
        seen.add(entry["id"])
        if entry["chart"] not in CHARTS:
            raise DeckError(f"{where}: unknown chart {entry['chart']!r}; choose one of {sorted(CHARTS)}")
        sources = entry.get("sources") or []
        if not sources:
            raise DeckError(f"{where}: no sources; every slide names where its words and numbers come from")
        bad = [s for s in sources if s not in SOURCE_NAMES]
        if bad:
            raise DeckError(f"{where}: unknown sources {bad}; choose from {list(SOURCE_NAMES)}")
        text = {
            name: _fill(str(entry.get(name, "")), known, where, name)
            for name in ("title", "predict", "reveal", "notes")
        }
        slides.append(Slide(id=str(entry["id"]), chart=str(entry["chart"]), sources=tuple(sources), **text))
    return slides


def load(tables: Tables, path: Path = DECK_FILE) -> list[Slide]:
    """The deck, validated, with its numbers filled from ``tables``."""
    return build_deck(read_deck(path), facts(tables))


def _fill(text: str, known: Mapping[str, str], where: str, field: str) -> str:
    names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    missing = sorted(set(names) - set(known))
    if missing:
        raise DeckError(
            f"{where}: '{field}' uses {missing}, which the lesson does not compute; known names: {sorted(known)}"
        )
    return text.format_map(known)


# --- sources ---------------------------------------------------------------------------------------------


def source_notes(slide: Slide, tables: Tables) -> list[tuple[str, str]]:
    """(title, url) of every source behind a slide, for the small print under it."""
    found: list[tuple[str, str]] = []
    for name in slide.sources:
        if name == "help_lines":
            found += list(HELP_SOURCES)
        elif name == "risk_multipliers":
            row = risk_row(tables.risk.data, "muhuri_2013_nmpr_to_heroin_start")
            src = tables.risk.source(str(row["source_id"]))
            # A citation ends in its own full stop; the line that lists the sources adds one after the last.
            found.append((src.citation.rstrip("."), src.url))
        else:
            table = tables.national if name == "national_final" else tables.states
            shown = _shown_rows(slide, table)
            used = set(shown["source_id"]) if not shown.empty else {s.id for s in table.sources}
            found += [(f"{s.publisher}: {s.title}", s.url) for s in table.sources if s.id in used]
    return list(dict.fromkeys(found))


def _shown_rows(slide: Slide, table: Table) -> pd.DataFrame:
    """The national rows a slide draws, so its small print names only the sources actually used."""
    drugs = {
        "waves": ["rx_opioids_incl_methadone", "heroin", "synthetic_opioids"],
        "heroin": ["heroin"],
        "fentanyl": ["synthetic_opioids", "heroin"],
    }.get(slide.chart)
    if drugs is None:
        return table.data.head(0)
    return national_series(table.data, drugs=drugs, measure="deaths")
