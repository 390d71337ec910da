"""A one-page printable brief for one state: its latest final overdose death rate against the nation, its rank,
its trend in joinpoint segments, data-quality notes, sources, help lines and a QR code of the same view.

``make brief STATE=WV`` (``python -m app.printing.brief --state WV``) writes ``dist/brief-WV.pdf``; the States
page offers the same file through :func:`build_pdf`. Every figure comes from the final state table
(``state_drug_poisoning``: NCHS Drug Poisoning Mortality by State, data.cdc.gov jx6g-fdh6, to 2017; after that
NCHS's Drug Overdose Mortality by State file for the states and the final national table for the nation, each
cited where used) through the dashboard's own rules: the comparison with the nation by 95% intervals
(:func:`app.stats.compare_with_nation`), ranks that leave suppressed and unreliable rates out and let ties share
a rank (:func:`app.stats.rank_places`), and joinpoint trend segments (:func:`data_sources.trends.trend`). A brief
is never printed with a blank: an unknown state, a missing table or a missing figure raises :class:`BriefError`
naming it.

The words are in English or Spanish (``lang``), from the gettext catalog (:mod:`app.printing.i18n`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pandas as pd
import plotly.graph_objects as go
import segno

from app import rows as select
from app import stats
from app.charts import trends as trend_charts
from app.printing import i18n, pdf
from app.printing.i18n import N_, Language
from app.printing.render import chart_html, plotly_script, template
from data_sources import geography
from data_sources import trends as joinpoint
from data_sources.dictionary import FLAGS, MISSING_REASON_FLAGS, drug_title
from data_sources.schema import Source, Table, split_flags

TABLE = "state_drug_poisoning"
MEASURE = "age_adjusted_rate_per_100k"
DRUG = "all_drugs"
#: Where the QR code points when no address is given (``make brief``); the States page passes its own.
DEFAULT_BASE_URL = "http://localhost:8501"

#: Short words for each flag, for lists ("1999 (unreliable)"); the dictionary's full sentence goes in the notes.
FLAG_LABELS: Mapping[str, str] = {
    "provisional": N_("provisional"),
    "predicted": N_("predicted"),
    "underreported": N_("underreported"),
    "suppressed": N_("suppressed"),
    "unreliable": N_("unreliable"),
    "low_quality": N_("low data quality"),
    "not_applicable": N_("not applicable"),
    "missing": N_("not reported"),
    "secondary_source": N_("read in a secondary text"),
    "model_based": N_("model-based"),
    "range_only": N_("published only as a range"),
    "may_be_underestimated": N_("may be underestimated"),
    "participating_jurisdictions": N_("participating states only"),
    "no_diagnosis_code": N_("no diagnosis code yet"),
    "computed_interval": N_("interval computed here"),
}

#: The brief's own note for some flags, in place of the dictionary's definition: where the publisher says it, or
#: the same point in fewer words, so the notes fit one page. Other flags get the dictionary's definition.
FLAG_NOTES: Mapping[str, str] = {
    "may_be_underestimated": N_(
        "NCHS warns (notes to its county estimates, data.cdc.gov pbkm-d27e) that these death rates may be low: "
        "many deaths were still pending investigation or were coded to an ill-defined cause (R99). They are drawn "
        "and fitted as published."
    ),
    "computed_interval": N_(
        "The publisher gave no 95% confidence interval, so this site computed it from the number of deaths the way "
        "NCHS does; for an age-adjusted rate it is close to, not exactly, NCHS's own."
    ),
}

VERDICT_HEADINGS: Mapping[str, str] = {
    "higher": N_("Higher than the nation"),
    "lower": N_("Lower than the nation"),
    "not distinguishable": N_("Not clearly different from the nation"),
    "no interval": N_("No comparison possible"),
}

VERDICT_SENTENCES: Mapping[str, str] = {
    "higher": N_("{state}'s rate was higher than the nation's: the two 95% confidence intervals do not overlap."),
    "lower": N_("{state}'s rate was lower than the nation's: the two 95% confidence intervals do not overlap."),
    "not distinguishable": N_(
        "{state}'s rate was not clearly different from the nation's: the 95% confidence intervals overlap, so "
        "the gap could be due to chance."
    ),
    "no interval": N_(
        "The source gives no 95% confidence interval for one of the two rates, so this brief does not say "
        "whether the difference is real."
    ),
}

#: Why a place is not ranked, as app.stats says it (``stats._STATUS_WORDS``), listed here for the catalog.
STATUS_WORDS: tuple[str, ...] = (
    N_("Suppressed: fewer than 10 deaths"),
    N_("Not shown: low data quality"),
    N_("Unreliable: too few deaths for a stable rate"),
    N_("Underreported: incomplete data"),
    N_("Not applicable"),
    N_("Not reported"),
)

WEIGHTING_WORDS: Mapping[str, str] = {
    "standard_error": N_("each year weighted by its published standard error"),
    "deaths": N_("each year weighted by its number of deaths"),
    "constant": N_("all years weighted equally"),
}


class BriefError(ValueError):
    """The brief cannot be printed; the message names the state, table, year or figure that is missing."""


@dataclass(frozen=True)
class Figure:
    """One published figure with its interval and flags (a row of the state table)."""

    value: float
    lower: float | None
    upper: float | None
    flags: tuple[str, ...]
    source_id: str
    provenance: str


@dataclass(frozen=True)
class Rank:
    """Where the state stands among the places ranked that year (stats.rank_places)."""

    rank: int | None  # None: not ranked
    ranked: int  # how many places are ranked
    status: str  # "Ranked" or stats' reason for leaving it out (English; translated when printed)
    tied_with: tuple[str, ...]
    unranked: tuple[tuple[str, str], ...]  # (place, reason) of every place left out of the ranks


@dataclass(frozen=True)
class BriefData:
    """Everything a state's brief prints, computed from the state table; no words yet (see :func:`build_html`)."""

    state: geography.State
    year: int
    latest_year: int  # the table's latest year (for any state)
    rate: Figure
    nation: Figure
    deaths: Figure | None  # None when the count is withheld; ``deaths_reason`` says why
    deaths_reason: str
    verdict: str  # stats.compare_with_nation's verdict
    rank: Rank
    trend: joinpoint.TrendResult
    trend_rows: pd.DataFrame
    sources: tuple[Source, ...]
    table: Table


def state_by_code(state_usps: str) -> geography.State:
    """The state (or DC) with this two-letter postal code; :class:`BriefError` for any other code."""
    found = geography.BY_USPS.get(str(state_usps).strip().upper())
    if found is None:
        raise BriefError(
            f"unknown state {state_usps!r}: give a two-letter postal code of a state or DC, such as WV "
            f"({len(geography.BY_USPS)} are known)"
        )
    return found


def _figure(row: pd.Series) -> Figure:
    def limit(name: str) -> float | None:
        return None if pd.isna(row[name]) else float(row[name])

    return Figure(
        float(row["value"]),
        limit("value_lower"),
        limit("value_upper"),
        tuple(split_flags(row["value_flag"])),
        str(row["source_id"]),
        str(row["provenance"]),
    )


def _why_missing(row: pd.Series | None) -> str:
    if row is None:
        return "the table has no row"
    reasons = [f for f in split_flags(row["value_flag"]) if f in MISSING_REASON_FLAGS]
    return ", ".join(reasons) or "no value"


def collect(state_usps: str, tables: Mapping[str, Table], *, year: int | None = None) -> BriefData:
    """The brief's figures for one state: the given ``year``, else the latest year with the state's final
    age-adjusted rate. Raises :class:`BriefError` naming whatever is missing."""
    state = state_by_code(state_usps)
    table = tables.get(TABLE)
    if table is None:
        raise BriefError(f"the brief needs the table {TABLE!r}; given: {sorted(tables)}")
    data = table.data
    mine = select.state_rows(data, measure=MEASURE)
    mine = mine[mine["geo_code"] == state.fips]
    if mine.empty:
        raise BriefError(f"{TABLE} has no age-adjusted death rate for {state.name} in any year")
    latest_year = int(select.state_rows(data, measure=MEASURE)["year"].max())
    usable = mine.dropna(subset=["value"])
    if year is None:
        if usable.empty:
            raise BriefError(f"{TABLE} has no age-adjusted death rate with a value for {state.name}")
        year = int(usable["year"].max())
    year_rows = select.state_rows(data, measure=MEASURE, year=year)
    row = year_rows[year_rows["geo_code"] == state.fips]
    if row.empty or pd.isna(row.iloc[0]["value"]):
        found = None if row.empty else row.iloc[0]
        raise BriefError(
            f"{TABLE}: no age-adjusted death rate for {state.name} in {year} ({_why_missing(found)}); "
            f"years with one: {sorted(int(y) for y in usable['year'])}"
        )
    nation_rows = select.nation_row(data, measure=MEASURE, year=year)
    if len(nation_rows) != 1 or pd.isna(nation_rows.iloc[0]["value"]):
        raise BriefError(f"{TABLE}: no single age-adjusted death rate for the United States in {year}")
    place, nation = row.iloc[0], nation_rows.iloc[0]
    verdict = stats.compare_with_nation(place, nation).verdict

    deaths_rows = select.state_rows(data, measure="deaths", year=year)
    deaths_row = deaths_rows[deaths_rows["geo_code"] == state.fips]
    if deaths_row.empty:
        raise BriefError(f"{TABLE}: no row of deaths for {state.name} in {year}")
    deaths_ok = not pd.isna(deaths_row.iloc[0]["value"])
    deaths = _figure(deaths_row.iloc[0]) if deaths_ok else None

    trend = joinpoint.trend(data, drug=DRUG, measure=MEASURE, geo_code=state.fips, end_year=year, table=TABLE)
    if isinstance(trend, joinpoint.NoTrend) and trend.reason == "no_data":
        raise BriefError(f"{TABLE}: no yearly rates for {state.name} to draw a trend: {trend.message}")
    trend_rows = select.state_trend_rows(data, geo_codes=[state.fips], measure=MEASURE, drug=DRUG, include_nation=True)
    trend_rows = trend_rows[trend_rows["year"] <= year]

    # The rows after ``year`` say why the state has no later figure (DC is not in NCHS's file from 2018): cited too.
    later = mine[mine["year"] > year]
    used = {
        str(place["source_id"]),
        str(nation["source_id"]),
        *trend_rows["source_id"].astype(str),
        *later["source_id"].astype(str),
    }
    sources = tuple(s for s in table.sources if s.id in used)
    if not sources:
        raise BriefError(f"{TABLE}: none of the sources {sorted(used)} behind {state.name}'s figures is described")
    return BriefData(
        state=state,
        year=year,
        latest_year=latest_year,
        rate=_figure(place),
        nation=_figure(nation),
        deaths=deaths,
        deaths_reason="" if deaths_ok else _why_missing(deaths_row.iloc[0]),
        verdict=verdict,
        rank=_rank(year_rows, state),
        trend=trend,
        trend_rows=trend_rows,
        sources=sources,
        table=table,
    )


def _rank(year_rows: pd.DataFrame, state: geography.State) -> Rank:
    ranked = stats.rank_places(year_rows)
    mine = ranked[ranked["geo_code"] == state.fips].iloc[0]
    count = int(ranked["rank"].notna().sum())
    unranked = ranked[ranked["rank"].isna()]
    left_out = tuple((str(r["geo_name"]), str(r["status"])) for r in unranked.to_dict("records"))
    if pd.isna(mine["rank"]):
        return Rank(None, count, str(mine["status"]), (), left_out)
    tied = ranked[(ranked["rank"] == mine["rank"]) & (ranked["geo_code"] != state.fips)]
    return Rank(int(mine["rank"]), count, "Ranked", tuple(str(n) for n in tied["geo_name"]), left_out)


def permalink(base_url: str, state_usps: str, year: int) -> str:
    """The States page showing this state's age-adjusted rate in ``year``: ``{base}/states?state=WV&...``."""
    state = state_by_code(state_usps)
    query = urlencode({"state": state.usps, "measure": MEASURE, "year": str(year)})
    return f"{base_url.rstrip('/')}/states?{query}"


def _url_year(url: str, state: geography.State) -> int | None:
    """Check that ``url`` is a web address of this state's view; the year it names, if any."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BriefError(f"the QR code needs a web address (http or https), not {url!r}")
    query = parse_qs(parts.query)
    if query.get("state", [""])[-1].upper() != state.usps:
        raise BriefError(f"the address {url!r} does not show {state.name} (state={state.usps} is missing)")
    measure = query.get("measure", [MEASURE])[-1]
    if measure != MEASURE:
        raise BriefError(f"the address {url!r} shows the measure {measure!r}; the brief prints {MEASURE!r}")
    year = query.get("year", [""])[-1]
    if not year:
        return None
    if not (year.isdigit() and len(year) == 4):
        raise BriefError(f"the address {url!r} names the year {year!r}, which is not a year")
    return int(year)


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno; error correction M, quiet zone of 4 modules)."""
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=3, border=4, dark="#000000", light="#ffffff", omitsize=True
    )


# --- words ---------------------------------------------------------------------------------------------------
def _interval(lang: Language, fig: Figure) -> str:
    if fig.lower is None or fig.upper is None:
        return lang.gettext("no 95% interval published")
    return lang.gettext("95% CI {lower} to {upper}").format(
        lower=lang.number(fig.lower, 1), upper=lang.number(fig.upper, 1)
    )


def _flag_label(lang: Language, flag: str) -> str:
    if flag not in FLAG_LABELS:
        raise BriefError(f"the flag {flag!r} has no printed label; add it to app.printing.brief.FLAG_LABELS")
    return lang.gettext(FLAG_LABELS[flag])


def _flag_note(lang: Language, flag: str) -> str:
    if flag not in FLAGS:
        raise BriefError(f"the flag {flag!r} is not defined in data_sources.dictionary.FLAGS")
    return lang.gettext(FLAGS[flag])


def year_runs(years: Iterable[int | str]) -> str:
    """Years as the notes print them, three or more in a row as a span: 1999, 2000, 2001, 2004, 2006, 2007 ->
    "1999-2001, 2004, 2006, 2007"."""
    ordered = sorted({int(y) for y in years})
    runs: list[list[int]] = []
    for year in ordered:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts: list[str] = []
    for run in runs:
        parts.extend([f"{run[0]}-{run[-1]}"] if len(run) >= 3 else [str(y) for y in run])
    return ", ".join(parts)


def _percent_words(lang: Language, *values: float) -> tuple[str, ...]:
    # The same rule as data_sources.change.format_percents: whole percents unless a value is under 1%.
    decimals = 0 if all(abs(v) >= 0.995 for v in values) else 1
    # A value that rounds to zero is written 0, never -0.
    return tuple(lang.percent(0.0 if round(v, decimals) == 0 else v, decimals) for v in values)


def segment_lines(lang: Language, fit: joinpoint.TrendFit) -> list[str]:
    """One line per joinpoint segment: the years and the annual percent change with its 95% interval, said as
    the dashboard says it (a change whose interval includes zero is never called a rise or a fall)."""
    _ = lang.gettext
    lines = []
    for seg in fit.segments.to_dict("records"):
        apc, low, high = float(seg["apc"]), float(seg["apc_lower"]), float(seg["apc_upper"])
        years = {"start": int(seg["start_year"]), "end": int(seg["end_year"])}
        if not seg["is_significant"]:
            est, lo, hi = _percent_words(lang, apc, low, high)
            little = max(abs(low), abs(high)) < joinpoint._LITTLE_PCT  # the dashboard's own threshold
            words = _("changed little") if little else _("showed no clear change")
            text = _("{start}-{end}: {words} ({apc} a year, 95% CI {lower} to {upper})")
            lines.append(text.format(**years, words=words, apc=est, lower=lo, upper=hi))
        elif apc > 0:
            est, lo, hi = _percent_words(lang, apc, low, high)
            text = _("{start}-{end}: rose about {apc} a year (95% CI {lower} to {upper})")
            lines.append(text.format(**years, apc=est, lower=lo, upper=hi))
        else:
            est, lo, hi = _percent_words(lang, -apc, -high, -low)
            text = _("{start}-{end}: fell about {apc} a year (95% CI {lower} to {upper})")
            lines.append(text.format(**years, apc=est, lower=lo, upper=hi))
    return lines


def rank_words(lang: Language, rank: Rank) -> str:
    """'Rank 1 of 50 places (1 = highest rate).' with ties, or why the state is not ranked."""
    _ = lang.gettext
    if rank.rank is None:
        return _("Not ranked: {reason}.").format(reason=_(rank.status).lower())
    text = _("Rank {rank} of {count} places ranked (1 = highest rate).").format(rank=rank.rank, count=rank.ranked)
    if rank.tied_with:
        text += " " + _("Tied with {places}: equal rates share a rank.").format(places=", ".join(rank.tied_with))
    return text


def unranked_words(lang: Language, rank: Rank) -> str:
    """Which places were left out of the ranks, and why; '' when none was."""
    if not rank.unranked:
        return ""
    _ = lang.gettext
    names = "; ".join(f"{place} ({_(reason).lower()})" for place, reason in rank.unranked)
    return _("Not ranked: {places}.").format(places=names)


def quality_notes(lang: Language, data: BriefData) -> list[str]:
    """Data-quality notes: every flag on the figures printed (the dictionary's definition), years the trend
    leaves out and why, figures read in secondary texts, a withheld death count, and a state's missing later
    years."""
    _ = lang.gettext
    notes = []
    # flag -> place -> years, so a flag on many years is one line ("Wyoming 1999, 2000, 2003").
    flagged: dict[str, dict[str, list[int]]] = {}
    for who, fig in ((data.state.name, data.rate), (_("United States"), data.nation)):
        for flag in fig.flags:
            flagged.setdefault(flag, {}).setdefault(who, []).append(data.year)
    for r in data.trend_rows.to_dict("records"):
        who = data.state.name if r["geo_code"] == data.state.fips else _("United States")
        for flag in split_flags(r["value_flag"]):
            flagged.setdefault(flag, {}).setdefault(who, []).append(int(r["year"]))
    for flag, places in flagged.items():
        where = "; ".join(f"{who} {year_runs(years)}" for who, years in places.items())
        definition = _(FLAG_NOTES[flag]) if flag in FLAG_NOTES else _flag_note(lang, flag)
        notes.append(
            _("{label} ({where}): {definition}").format(
                label=_flag_label(lang, flag).capitalize(), where=where, definition=definition
            )
        )
    if isinstance(data.trend, joinpoint.TrendFit) and data.trend.left_out:
        years = year_runs(item.year for item in data.trend.left_out)
        notes.append(
            _("Left out of the trend segments: {years} (no usable figure in an unbroken run).").format(years=years)
        )
    if any(f.provenance == "secondary" for f in (data.rate, data.nation)):
        notes.append(_("Some figures were read in a secondary text quoting the publisher, not in its own table."))
    if data.deaths is None:
        notes.append(
            _("The death count for {year} is withheld ({reason}); it is not zero.").format(
                year=data.year, reason=_flag_label(lang, data.deaths_reason.split(", ")[0])
            )
        )
    if data.year < data.latest_year:
        rows = select.state_rows(data.table.data, measure=MEASURE)
        later = rows[(rows["geo_code"] == data.state.fips) & (rows["year"] > data.year)]
        reasons = {f for flag in later["value_flag"] for f in split_flags(flag) if f in MISSING_REASON_FLAGS}
        why = ", ".join(_flag_label(lang, f) for f in FLAGS if f in reasons) or _("no row in the table")
        notes.append(
            _(
                "The table runs to {latest}, but {state} has no final age-adjusted rate after {year} ({why}: {years})."
            ).format(
                latest=data.latest_year,
                state=data.state.name,
                year=data.year,
                why=why,
                years=year_runs(range(data.year + 1, data.latest_year + 1)),
            )
        )
    return notes


def trend_figure(lang: Language, data: BriefData) -> go.Figure:
    """The state's age-adjusted rate against the nation's over the years, with its joinpoint segments."""
    _ = lang.gettext
    fig = trend_charts.state_trend_chart(
        data.table.data[data.table.data["year"] <= data.year],
        geo_codes=[data.state.fips],
        measure=MEASURE,
        drug=DRUG,
        include_nation=True,
        title="",
    )
    if isinstance(data.trend, joinpoint.TrendFit):
        trend_charts.add_segments(fig, [data.trend])
    names = {
        "United States, 95% interval": _("United States, 95% interval"),
        "United States": _("United States"),
        data.state.name: data.state.name,
        # Only the state's segments are drawn, so its name is not repeated: a long one would be cut off the legend.
        f"{drug_title(DRUG)}: trend segments": _("Trend segments"),
    }
    for trace in fig.data:
        if trace.name not in names:
            raise BriefError(f"the trend chart has a line named {trace.name!r} that the brief cannot label")
        trace.name = names[trace.name]
    fig.update_layout(
        title=None,
        height=200,
        width=430,
        font={"family": "DejaVu Sans, Liberation Sans, sans-serif", "size": 11},
        margin={"l": 45, "r": 5, "t": 5, "b": 5},
        # Two legend entries a row: plotly otherwise gives each its own row once the longest does not fit twice,
        # and the page has no room for four rows.
        legend={
            "orientation": "h",
            "yref": "paper",
            "y": -0.16,
            "x": 0,
            "font": {"size": 8},
            "entrywidth": 0.5,
            "entrywidthmode": "fraction",
        },
        xaxis_title=None,
        yaxis_title={"text": _("Deaths per 100,000"), "font": {"size": 10}},
    )
    return fig


def _by_publisher(sources: Sequence[Source]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Sources grouped under their publisher, in the order cited: [(publisher, [(title, url), ...]), ...]."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for source in sources:
        grouped.setdefault(source.publisher, []).append((source.title, source.url))
    return list(grouped.items())


def build_html(
    data: BriefData,
    lang: Language,
    url: str,
    *,
    today: date,
    paper: str = "letter",
) -> str:
    """The brief as one HTML document with print CSS (``templates/brief.html``)."""
    if paper not in pdf.PAPERS:
        raise BriefError(f"unknown paper {paper!r}; choose one of {', '.join(pdf.PAPERS)}")
    _ = lang.gettext
    name = data.state.name
    fit = data.trend if isinstance(data.trend, joinpoint.TrendFit) else None
    if fit is not None:
        aapc = fit.aapc()
        est, lo, hi = _percent_words(lang, aapc.aapc, aapc.aapc_lower, aapc.aapc_upper)
        average = _("On average, {start}-{end}: {apc} a year (95% CI {lower} to {upper}).").format(
            start=aapc.start_year, end=aapc.end_year, apc=est, lower=lo, upper=hi
        )
        method = _("Joinpoint regression on {years} years ({start}-{end}), {weighting}.").format(
            years=len(fit.model.years),
            start=fit.model.boundaries[0],
            end=fit.model.boundaries[-1],
            weighting=_(WEIGHTING_WORDS[fit.weighting]),
        )
        segments = segment_lines(lang, fit)
    else:
        assert isinstance(data.trend, joinpoint.NoTrend)
        usable = len(data.trend_rows[data.trend_rows["geo_code"] == data.state.fips].dropna(subset=["value"]))
        average, method = "", ""
        segments = [
            _("Too few consecutive years with a usable rate for trend segments ({count}; at least {needed}).").format(
                count=usable, needed=joinpoint.MIN_YEARS
            )
        ]
    as_of = _("Data as of {date} ({where}).").format(
        date=lang.date(data.table.retrieved_at.date()),
        where=_("bundled snapshot") if data.table.from_snapshot else _("live CDC data, cached"),
    )
    deaths = (
        _("{count} people died of a drug overdose in {state} in {year}.").format(
            count=lang.number(data.deaths.value), state=name, year=data.year
        )
        if data.deaths is not None
        else _("The number of deaths in {state} in {year} is withheld.").format(state=name, year=data.year)
    )
    context = {
        "_": _,
        "lang": lang.code,
        "paper": paper,
        "title": _("Drug overdose deaths in {state}").format(state=name),
        "subtitle": _("State brief: final data for {year}. Printed {date}.").format(
            year=data.year, date=lang.date(today)
        ),
        "heading": _("{year}: {verdict}").format(year=data.year, verdict=_(VERDICT_HEADINGS[data.verdict])),
        "rate": lang.number(data.rate.value, 1),
        "rate_interval": _interval(lang, data.rate),
        "nation": lang.number(data.nation.value, 1),
        "nation_interval": _interval(lang, data.nation),
        "state": name,
        "year": data.year,
        "verdict": _(VERDICT_SENTENCES[data.verdict]).format(state=name),
        "unreliable": "unreliable" in data.rate.flags,
        "deaths": deaths,
        "rank": rank_words(lang, data.rank),
        "unranked": unranked_words(lang, data.rank),
        "segments": segments,
        "trend_start": int(data.trend_rows["year"].min()),
        "average": average,
        "method": method,
        "chart": chart_html(trend_figure(lang, data), "brief-trend"),
        "plotlyjs": plotly_script(),
        "notes": quality_notes(lang, data),
        "as_of": as_of,
        "table_notice": data.table.notice or "",
        "sources": _by_publisher(data.sources),
        "help": i18n.help_lines(lang),
        "qr": qr_svg(url),
        "url": url,
    }
    return template("brief.html").render(**context)


def build_pdf(
    state_usps: str,
    lang: str,
    tables: Mapping[str, Table],
    url: str,
    *,
    paper: str = "letter",
    today: date | None = None,
) -> bytes:
    """One page of PDF: the brief for ``state_usps`` ("WV") in ``lang`` ("en" or "es").

    ``tables``: catalog name -> Table (``app.cached.catalog_tables()``); it must hold ``state_drug_poisoning``.
    ``url``: the address the QR code opens, the States page showing this state (:func:`permalink` builds
    one); when it names a year, the brief prints that year, else the state's latest. ``paper``: "letter"
    (default) or "a4". Raises :class:`BriefError` for an unknown state or a missing figure,
    :class:`app.printing.i18n.UnsupportedLanguage` for another language, :class:`app.printing.pdf.PdfError`
    when no Chromium can print it.
    """
    language = i18n.language(lang)
    state = state_by_code(state_usps)
    data = collect(state.usps, tables, year=_url_year(url, state))
    html = build_html(data, language, url, today=today or date.today(), paper=paper)
    printed = pdf.render(html)
    pages = pdf.page_count(printed)
    if pages != 1:
        raise BriefError(f"the brief for {state.name} ({lang}, {paper}) ran to {pages} pages; it must fit one")
    return printed


def main(argv: Sequence[str] | None = None) -> int:
    from data_sources import nchs_state_drug_poisoning
    from data_sources.snapshot import atomic_write

    parser = argparse.ArgumentParser(description="Print a one-page state brief as PDF.")
    parser.add_argument("--state", required=True, help="two-letter postal code, e.g. WV")
    parser.add_argument("--lang", default="en", help="en or es")
    parser.add_argument("--paper", default="letter", choices=pdf.PAPERS)
    parser.add_argument("--year", type=int, help="the year to print (default: the state's latest)")
    parser.add_argument("--base-url", default=os.environ.get("DASHBOARD_URL", DEFAULT_BASE_URL))
    parser.add_argument("--out", type=Path, help="default dist/brief-<STATE>.pdf (.es.pdf in Spanish)")
    args = parser.parse_args(argv)
    try:
        state = state_by_code(args.state)
        tables = {TABLE: nchs_state_drug_poisoning.load()}
        year = args.year or collect(state.usps, tables).year
        printed = build_pdf(state.usps, args.lang, tables, permalink(args.base_url, state.usps, year), paper=args.paper)
    except (BriefError, i18n.UnsupportedLanguage, i18n.MissingTranslation, pdf.PdfError) as err:
        print(f"brief: {err}", file=sys.stderr)
        return 1
    suffix = "" if args.lang == "en" else f".{args.lang}"
    out = args.out or Path("dist") / f"brief-{state.usps}{suffix}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, printed)
    print(f"wrote {out} ({len(printed) / 1e3:.0f} kB, 1 page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
