"""View models: everything a page draws for one choice, built from the tables without streamlit.

A :class:`ChartView` is one chart with its rows (what the CSV download holds), the same rows as a display table,
the plain-language summary (also the chart's alt text), the source line, and the legend that explains its
marks. ``app.ui.chart_with_table`` draws any of them the same way. ``app.cached`` builds each view once per
choice and shares it between readers; nothing here changes a table it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from app import rows as select
from app import stats, words
from app.charts import groups, local, maps, risk_charts, trends
from app.charts.style import series_style
from app.tables import county_table, display_table, revision_table
from data_sources import change, counties, geography, revisions, risk
from data_sources import nchs_county_model as county_model
from data_sources import trends as joinpoint
from data_sources.dictionary import DRUGS, MEASURES, drug_title
from data_sources.schema import Table

#: Outlines for the state map are served by this app (static/usa_110m.json), never fetched from a CDN.
MAP_CONFIG: Mapping[str, str] = {"topojsonURL": "/app/static/"}

#: Drug groups whose name means different things in different sources: the chart says which one it drew.
DEFINED_UNDER_CHART = ("rx_opioids", "rx_opioids_incl_methadone", "synthetic_opioids", "psychostimulants")

SECONDARY_LEGEND = (
    "Hollow markers: figures read in a text quoting CDC or NIDA, because the primary table was not "
    "reachable; the table below says where each was read."
)


@dataclass(frozen=True)
class ChartView:
    """One chart and everything drawn around it. Shared read-only between readers (see ``app.cached``)."""

    key: str  # widget keys and the CSV file name derive from it
    figure: go.Figure
    rows: pd.DataFrame  # the tidy rows drawn: what the CSV holds
    table: pd.DataFrame  # the same rows with readable headers
    summary: tuple[str, ...]  # plain-language lines, also the chart's alt text
    source: str  # "Source: ..." (markdown)
    legend: str = ""  # what the marks mean (gaps, hollow markers, bands), printed before the source
    notes: tuple[str, ...] = ()  # further lines under the summary (what is missing, how to read it)
    config: Mapping[str, str] = field(default_factory=dict)  # plotly config (map outlines)
    segments: pd.DataFrame | None = None  # joinpoint trend segments (APC with 95% CI) of the series drawn

    @property
    def alt(self) -> str:
        return " ".join(self.summary)


# --- trend segments, for every chart over time -----------------------------------------------------------------
SEGMENTS_LEGEND = "Dotted lines: trend segments fitted by joinpoint regression; the summary gives each one's change."


@dataclass(frozen=True)
class Segments:
    """Joinpoint trend segments drawn over a chart, and what the chart block says about them."""

    summary: tuple[str, ...]  # one line per series: its segments in words, or why it has none
    notes: tuple[str, ...]  # the method, then each series' years left out and why
    rows: pd.DataFrame | None  # one row per segment (data_sources.trends columns) with the series' name first


def draw_segments(
    figure: go.Figure,
    fits: Sequence[joinpoint.TrendResult],
    names: Sequence[str],
    *,
    colours: Sequence[str] = (),
    panels: Sequence[tuple[int, int]] = (),
) -> Segments:
    """Draw each fitted series' trend segments over ``figure`` (in its colour, in its panel of a grid of small
    charts) and say them in words; a series with no trend says why (too few years, gaps, flagged years).

    ``fits``, ``names`` and, when given, ``colours`` and ``panels`` hold one entry per series, in order."""
    drawn = [(i, fit) for i, fit in enumerate(fits) if isinstance(fit, joinpoint.TrendFit)]
    trends.add_segments(
        figure,
        [fit for _, fit in drawn],
        names=[names[i] for i, _ in drawn],
        colours=[colours[i] for i, _ in drawn] if colours else (),
        panels=[panels[i] for i, _ in drawn] if panels else (),
    )
    found = [fit.segments.assign(series=names[i])[["series", *fit.segments.columns]] for i, fit in drawn]
    return Segments(
        summary=tuple(words.segment_summary(fits, names)),
        notes=tuple(words.segment_notes(fits, names)),
        rows=pd.concat(found, ignore_index=True) if found else None,
    )


# --- national trend ------------------------------------------------------------------------------------------
def trend_view(
    table: Table,
    *,
    drugs: Sequence[str],
    measure: str,
    years: tuple[int, int],
    log_y: bool,
    show_waves: bool,
    segments: bool = False,
) -> ChartView:
    """The Overview's deaths or rates by drug since 1999 (national final table), with each series' joinpoint
    trend segments when ``segments`` is set."""
    data = table.data
    shown = select.national_series(data, drugs=drugs, measure=measure, years=years)
    missing = select.missing_series(data, drugs=drugs, measure=measure)
    legend = "Gaps in a line are years with no sourced final figure; they are left empty, not estimated."
    if words.has_secondary(shown):
        legend += " " + SECONDARY_LEGEND
    notes = [
        f"{drug_title(d)}: {DRUGS[d].description}"
        for d in DEFINED_UNDER_CHART
        if d in set(shown.dropna(subset=["value"])["drug"])
    ]
    if missing:
        notes.append(
            f"Not drawn, because this table has no {MEASURES[measure].title.lower()} series for: "
            + ", ".join(drug_title(d) for d in missing)
            + "."
        )
    source = words.source_line(table, shown) + (" " + words.OPIOID_WAVES_SOURCE if show_waves else "")
    figure = trends.trend_chart(
        data,
        drugs=drugs,
        measure=measure,
        years=years,
        log_y=log_y,
        show_waves=show_waves,
        title=words.trend_title(shown, measure=measure),
    )
    summary = list(words.trend_summary(data, drugs=drugs, measure=measure, years=years))
    segment_rows = None
    if segments:
        fitted = [d for d in drugs if d not in missing]
        fits = [
            joinpoint.trend(data, drug=d, measure=measure, start_year=years[0], end_year=years[1], table=table.name)
            for d in fitted
        ]
        found = draw_segments(figure, fits, [drug_title(d) for d in fitted])
        summary += found.summary
        notes += found.notes
        segment_rows = found.rows
        legend += " " + SEGMENTS_LEGEND
    return ChartView(
        key="trend",
        figure=figure,
        rows=shown,
        table=display_table(shown),
        summary=tuple(summary),
        source=source,
        legend=legend,
        notes=tuple(notes),
        segments=segment_rows,
    )


@dataclass(frozen=True)
class ProvisionalHeadline:
    """The Overview's card: CDC's latest complete provisional 12-month count against a year earlier."""

    label: str
    value: str
    delta: str
    is_clear: bool  # the change's 95% interval excludes zero
    sentence: str
    notes: tuple[str, ...]
    source: str


def provisional_headline(table: Table) -> ProvisionalHeadline | None:
    """The latest 12-month US count that CDC does not mark underreported and that has a year-earlier twin
    (VSRR provisional table); None when there is none. Skipped incomplete periods are named."""
    data = table.data
    recent = stats.latest_comparable(data, drug="all_drugs", geo_code="US")
    if recent is None:
        return None
    found = change.count_change(float(recent["value"]), float(recent["previous_value"]))
    est = f"{found.percent:+.1f}%"
    end = pd.Timestamp(recent["period_end_date"])
    later = select.underreported_after(data, drug="all_drugs", geo_code="US", period_end=end)
    notes = []
    if later:
        notes.append(
            "CDC marks the later period"
            + ("s" if len(later) > 1 else "")
            + f" (12 months ending {words.join_months(later)}) as underreported because data are incomplete, "
            "so the card shows the latest complete period."
        )
    return ProvisionalHeadline(
        label=f"Provisional: 12 months ending {end:%b %Y}",
        value=f"{recent['value']:,.0f}",
        delta=f"{est} on a year earlier" if found.is_clear else f"{est}: within normal variation",
        is_clear=found.is_clear,
        sentence=f"Provisional, not final. {stats.change_sentence(recent, place_name='the United States')}",
        notes=tuple(notes),
        source=words.source_line(table, recent.to_frame().T),
    )


# --- states --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StateYear:
    """One measure and year across the states: the "my state" card, the maps, the summary and the ranking."""

    rows: pd.DataFrame  # one row per state (rows.state_rows)
    nation_rows: pd.DataFrame  # the United States row, when there is one
    ranked: pd.DataFrame  # stats.rank_places: flagged values listed, not ranked
    ranking: ChartView | None  # not a chart: the ranking table with its download (figure unused)
    map: ChartView
    tiles: ChartView

    @property
    def nation(self) -> pd.Series | None:
        return self.nation_rows.iloc[0] if len(self.nation_rows) == 1 else None


def state_year(table: Table, *, measure: str, year: int, highlight: str | None) -> StateYear:
    """Rates by state for one year: map, tile grid, ranks and the national figure (state final table)."""
    data = table.data
    rows = select.state_rows(data, measure=measure, year=year)
    nation_rows = select.nation_row(data, measure=measure, year=year)
    nation = nation_rows.iloc[0] if len(nation_rows) == 1 else None
    ranked = stats.rank_places(rows)
    summary = tuple(words.state_map_summary(rows, measure=measure, nation=nation))
    title = words.state_map_title(ranked, measure=measure, year=year, nation=nation)
    unit = words.upper_first(MEASURES[measure].unit) + "."
    source = words.source_line(table, rows)
    ranked_table = display_table(ranked)
    computed = "computed_interval" in ";".join(rows["value_flag"].fillna(""))
    interval_note = (" " + words.COMPUTED_INTERVAL_NOTE) if computed else ""
    map_view = ChartView(
        key=f"state_map_{measure}_{year}",
        figure=maps.state_map_chart(rows, measure=measure, title=title),
        rows=rows,
        table=ranked_table,
        summary=summary,
        source=source,
        legend=f"Grey: no value. {unit}{interval_note}",
        config=MAP_CONFIG,
    )
    tiles = ChartView(
        key=f"tile_map_{measure}_{year}",
        figure=maps.tile_map_chart(rows, measure=measure, title=title, highlight=highlight),
        rows=rows,
        table=ranked_table,
        summary=summary,
        source=source,
        legend=f"n/a: no value; *: unreliable rate. {unit}{interval_note}",
    )
    ranking = ChartView(
        key=f"state_{measure}_{year}",
        figure=go.Figure(),
        rows=ranked,
        table=ranked_table,
        summary=summary,
        source=source,
    )
    return StateYear(rows, nation_rows, ranked, ranking, map_view, tiles)


@dataclass(frozen=True)
class MyStateCard:
    """A state against the nation in one year, in words."""

    heading: str
    sentence: str
    rank: str


VERDICT_HEADINGS = {
    "higher": "Higher than the nation",
    "lower": "Lower than the nation",
    "not distinguishable": "Not clearly different from the nation",
    "no interval": "No comparison possible",
}


def my_state_card(view: StateYear, geo_code: str) -> MyStateCard | None:
    """The "my state" card: its rate against the nation's (by their confidence intervals) and its rank; None
    when the state or the nation has no row that year."""
    mine = view.rows[view.rows["geo_code"] == geo_code]
    if mine.empty or view.nation is None:
        return None
    result = stats.compare_with_nation(mine.iloc[0], view.nation)
    sentence = result.sentence
    if "computed_interval" in str(mine.iloc[0]["value_flag"]):
        sentence += " " + words.COMPUTED_INTERVAL_NOTE
    return MyStateCard(VERDICT_HEADINGS[result.verdict], sentence, stats.rank_sentence(view.ranked, geo_code))


def state_trend_view(
    table: Table,
    *,
    geo_codes: Sequence[str],
    measure: str,
    drug: str,
    include_nation: bool,
    title: str,
    key: str,
    segments: bool = False,
) -> ChartView:
    """Chosen places against the nation over time (the state final table, or VSRR's 12-month counts), with each
    yearly series' joinpoint trend segments when ``segments`` is set."""
    data = table.data
    codes = list(geo_codes)
    rows = select.state_trend_rows(data, geo_codes=codes, measure=measure, drug=drug, include_nation=include_nation)
    monthly = bool((rows["period_end_date"].dt.month != 12).any()) if not rows.empty else False
    if monthly:
        legend = (
            "Counts, not rates. Each point covers the 12 months ending that month, so neighbouring points share "
            "11 months."
        )
    else:
        legend = (
            "Black line: the United States, with its 95% confidence interval shaded. Hollow markers: unreliable rates."
        )
    if not monthly:
        # Yearly final figures carry 95% intervals, so the title can say what changed; the 12-month-ending
        # provisional counts overlap month to month and keep the plain title.
        title = words.place_trend_title(rows, geo_code=codes[0] if codes else "US", measure=measure, subtitle=title)
    figure = trends.state_trend_chart(
        data, geo_codes=codes, measure=measure, drug=drug, include_nation=include_nation, title=title
    )
    summary = words.state_trend_summary(
        data, geo_codes=codes, measure=measure, drug=drug, include_nation=include_nation
    )
    segment_rows = None
    notes: list[str] = []
    if segments and not monthly:
        places = [c for c in dict.fromkeys([*codes, *(["US"] if include_nation else [])]) if c in set(rows["geo_code"])]
        fits = [joinpoint.trend(data, drug=drug, measure=measure, geo_code=c, table=table.name) for c in places]
        names = [str(rows.loc[rows["geo_code"] == c, "geo_name"].iloc[0]) for c in places]
        colours = ["#000000" if c == "US" else series_style(codes.index(c))["color"] for c in places]
        found = draw_segments(figure, fits, names, colours=colours)
        summary += found.summary
        notes += found.notes
        segment_rows = found.rows
        legend += " " + SEGMENTS_LEGEND
    return ChartView(
        key=key,
        figure=figure,
        rows=rows,
        table=display_table(rows),
        summary=tuple(summary),
        source=words.source_line(table, rows),
        legend=legend,
        notes=tuple(notes),
        segments=segment_rows,
    )


@dataclass(frozen=True)
class ProvisionalCard:
    """One place's provisional 12-month count against a year earlier, with CDC's data-quality figures."""

    sentence: str | None  # None when the table has no count for the place and period
    quality: tuple[tuple[str, str, str], ...]  # (title, shown value, help) for each data-quality figure
    rows: pd.DataFrame  # every row the card reads (for its source line)
    source: str


QUALITY_MEASURES = ("percent_complete_pct", "percent_pending_investigation_pct", "percent_drug_specified_pct")


def provisional_card(
    table: Table, changes: pd.DataFrame, *, place_code: str, place_name: str, drug: str, period_end: pd.Timestamp
) -> ProvisionalCard:
    """The "recent months" card of the states page (VSRR provisional table)."""
    data = table.data
    drug_words = "drug overdose" if drug == "all_drugs" else drug_title(drug).lower() + " overdose"
    mine = changes[changes["geo_code"] == place_code]
    sentence = None
    if not mine.empty:
        sentence = stats.change_sentence(mine.iloc[0], drug_words=drug_words, place_name=place_name)
    at = data[(data["geo_code"] == place_code) & (data["period_end_date"] == period_end)]
    quality = at[at["measure"].isin(QUALITY_MEASURES)]
    predicted = at[(at["drug"] == drug) & (at["measure"] == "predicted_deaths")]
    shown = []
    for key in QUALITY_MEASURES:
        q = quality[quality["measure"] == key]
        value = q["value"].iloc[0] if len(q) else pd.NA
        shown.append(
            (MEASURES[key].title, "not given" if pd.isna(value) else f"{value:,.1f}%", MEASURES[key].description)
        )
    p_value = predicted["value"].iloc[0] if len(predicted) else pd.NA
    shown.append(
        (
            "Predicted count",
            "not given" if pd.isna(p_value) else f"{p_value:,.0f}",
            MEASURES["predicted_deaths"].description,
        )
    )
    rows = pd.concat([mine, quality, predicted])
    return ProvisionalCard(sentence, tuple(shown), rows, words.source_line(table, rows) if not rows.empty else "")


def change_view(table: Table, changes: pd.DataFrame, *, drug: str, period: str) -> ChartView:
    """Every place's provisional count against a year earlier, as a table with its download."""
    return ChartView(
        key=f"provisional_change_{drug}_{period}",
        figure=go.Figure(),
        rows=changes,
        table=display_table(changes),
        summary=(),
        source=words.source_line(table, changes) if not changes.empty else "No rows for this choice.",
    )


# --- who is affected -----------------------------------------------------------------------------------------
def demographics_view(
    table: Table, *, drug: str, by: str, measure: str, years: tuple[int, int], segments: bool = False
) -> ChartView:
    """Small multiples of one drug's rate by sex, age group, or race and Hispanic origin, with each group's
    joinpoint trend segments in its own panel when ``segments`` is set."""
    data = table.data
    shown = select.demographic_rows(data, drug=drug, by=by, measure=measure, years=years)
    figure = groups.demographics_chart(
        data,
        drug=drug,
        by=by,
        measure=measure,
        years=years,
        title=words.group_title(shown, drug=drug, by=by, measure=measure),
    )
    summary = words.demographics_summary(data, drug=drug, by=by, measure=measure, years=years)
    legend = (
        f"{words.upper_first(MEASURES[measure].unit)}. Gaps: no figure published (withheld, never 0). "
        "Hollow markers: rates NCHS marks unreliable (too few deaths)."
    )
    notes: list[str] = []
    segment_rows = None
    if segments:
        order = select.group_order(shown[by], by)
        fits = [
            joinpoint.trend(
                data,
                drug=drug,
                measure=measure,
                sex=group if by == "sex" else "all",
                age_group=group if by == "age_group" else "all",
                race_ethnicity=group if by == "race_ethnicity" else "all",
                start_year=years[0],
                end_year=years[1],
                table=table.name,
            )
            for group in order
        ]
        found = draw_segments(
            figure, fits, [words.group_label(g, by) for g in order], panels=groups.panel_positions(len(order))
        )
        summary += found.summary
        notes += found.notes
        segment_rows = found.rows
        legend += " " + SEGMENTS_LEGEND
    return ChartView(
        key=f"overdose_{drug}_by_{by}",
        figure=figure,
        rows=shown,
        table=display_table(shown),
        summary=tuple(summary),
        source=words.source_line(table, shown),
        legend=legend,
        notes=tuple(notes),
        segments=segment_rows,
    )


# --- risk figures --------------------------------------------------------------------------------------------
def risk_view(table: Table, ratios: pd.DataFrame, questions: Sequence[str]) -> ChartView:
    """The multipliers chart for the chosen questions; its CSV carries each figure's full citation."""
    shown = ratios[ratios["question"].isin(list(questions))]
    cited = risk.citation_table(table)
    return ChartView(
        key="risk_multipliers_shown",
        figure=risk_charts.risk_chart(shown),
        rows=cited.loc[shown.index],
        table=display_table(shown),
        summary=tuple(words.risk_chart_summary(shown)),
        source=words.risk_source_line(table, shown),
        legend="Dots are published figures; whiskers are 95% confidence intervals where the study gives one. "
        "Hollow dots were read only in texts quoting the study (the study's own table was not reachable). The "
        "scale is logarithmic: each step doubles or more.",
        notes=(
            "Figures answer different questions in different groups of people, so compare them with care: a "
            "bigger number is not a bigger danger to you unless it was measured in people like you.",
        ),
    )


def share_view(table: Table, shares: pd.DataFrame) -> ChartView:
    """The shares chart (percent of one group), with cited rows."""
    cited = risk.citation_table(table)
    return ChartView(
        key="risk_shares",
        figure=risk_charts.share_chart(shares),
        rows=cited.loc[shares.index],
        table=display_table(shares),
        summary=tuple(f"{risk.share_sentence(r)}." for _, r in shares.iterrows()),
        source=words.risk_source_line(table, shares),
        legend="Hatched bars were read only in texts quoting the study; whiskers are 95% confidence intervals "
        "where given.",
    )


# --- a reader's upload ---------------------------------------------------------------------------------------
def upload_view(table: Table, *, measure: str, series: Sequence[str]) -> ChartView:
    """A chart of the chosen series of an uploaded CDC WONDER export."""
    data = table.data
    shown = select.upload_rows(data, measure=measure, series=series)
    return ChartView(
        key="wonder_chart_rows",
        figure=trends.upload_chart(
            data, measure=measure, series=series, title=f"{MEASURES[measure].title}: {table.sources[0].title}"
        ),
        rows=shown.drop(columns="series"),
        table=display_table(shown),
        summary=tuple(words.upload_chart_summary(data, measure=measure, series=series)),
        source=words.upload_source_line(table),
        legend="Gaps are values CDC did not give (suppressed, unreliable without a figure, not applicable or "
        "missing); they are never drawn as zero. Hollow markers are figures CDC gives but marks unreliable.",
    )


# --- provisional against final -------------------------------------------------------------------------------
def revisions_view(provisional: Table, final: Table, *, drug: str = "all_drugs") -> ChartView:
    """How CDC's provisional 12-month counts for the year (reported and predicted) compared with the final
    count, year by year, for the nation (VSRR provisional table against the national final table)."""
    rows = revisions.compare_provisional_final(provisional.data, final.data, drugs=[drug])
    both = rows[rows["status"] == "complete"]
    summary = []
    if not both.empty:
        first, last = int(both["year"].min()), int(both["year"].max())
        low, high = float(both["provisional_percent"].min()), float(both["provisional_percent"].max())
        p_low, p_high = float(both["predicted_percent"].min()), float(both["predicted_percent"].max())
        summary.append(
            f"In {first}-{last}, CDC's provisional count for the 12 months ending December was {low:.1f}% to "
            f"{high:.1f}% {'above' if low >= 0 else 'off from'} the final count, and the predicted count {p_low:.1f}% "
            f"to {p_high:.1f}% {'above' if p_low >= 0 else 'off from'} it."
        )
    missing = rows[rows["status"] != "complete"]
    if not missing.empty:
        summary.append(
            "Not compared: "
            + "; ".join(f"{int(r['year'])} ({r['status']})" for r in missing.to_dict("records"))
            + ". Missing figures are left empty, never filled in."
        )
    return ChartView(
        key=f"provisional_vs_final_{drug}",
        figure=trends.revisions_chart(both, title=f"{drug_title(drug)}: provisional counts against final counts"),
        rows=rows,
        table=revision_table(rows),
        summary=tuple(summary),
        source=words.source_line(provisional, provisional.data.head(0)).replace("Source: .", "")
        + " "
        + words.source_line(final, final.data[final.data["year"].isin(both["year"]) & (final.data["drug"] == drug)]),
        legend="Bars: how far each provisional figure was above (or below) the final count, in percent.",
        notes=(
            "Provisional counts come out within months and count deaths where they happened; final counts come "
            "about a year later and count deaths by where people lived. CDC's predicted count adds an estimate "
            "for death records still being investigated, so it runs higher.",
        ),
    )


# --- counties and nonfatal overdoses -------------------------------------------------------------------------
MODEL_BASED_SENTENCE = (
    "These are model-based estimates: NCHS estimated each county's rate with a statistical model that borrows "
    "strength from neighbouring counties and years, because many counties have too few deaths for a stable rate, "
    "and published each one only as a range."
)


def county_view(table: Table, *, state_fips: str, year: int) -> ChartView | None:
    """A state's counties coloured by NCHS's modelled death-rate range in one year; None when it has none."""
    rows = select.county_rows(table.data, state_fips=state_fips, year=year, measure=county_model.MEASURE)
    if rows.empty:
        return None
    labels = county_model.RANGE_LABELS
    rows["range_label"] = [
        county_model.range_label(lo, hi) for lo, hi in zip(rows["value_lower"], rows["value_upper"], strict=True)
    ]
    rows["range_index"] = [labels.index(label) for label in rows["range_label"]]
    ids = [counties.outline_fips(code) for code in rows["geo_code"]]
    drawn = rows.assign(outline_id=pd.Series(ids, index=rows.index, dtype="string")).dropna(subset=["outline_id"])
    drawn["population"] = [f"{p:,.0f}" if pd.notna(p) else "not given" for p in drawn["population"]]
    state = drawn["geo_name"].iloc[0].rsplit(", ", 1)[-1] if not drawn.empty else state_fips
    top_label = labels[int(rows["range_index"].max())]
    top = rows[rows["range_label"] == top_label]
    state_name = geography.BY_FIPS[state_fips].name if state_fips in geography.BY_FIPS else state
    finding = (
        f"{len(top)} of {len(rows)} counties in the highest range, {top_label} deaths per 100,000"
        if len(rows) > 1
        else f"{top_label} deaths per 100,000"
    )
    title = words.wrap(f"{state_name}, {year}: {finding}", words.TITLE_WIDTH)
    figure = local.county_range_chart(
        drawn,
        counties.load_outlines(state_fips),
        labels=labels,
        title=f"{title}<br><sup>Drug overdose death rate by county (model-based ranges)</sup>",
    )
    summary = [
        f"{len(rows)} counties. The highest range in {year}, {top_label} deaths per 100,000, held "
        + (f"{len(top)} counties" if len(top) > 1 else "1 county")
        + ": "
        + ", ".join(top["geo_name"].str.replace(f", {state}", "", regex=False).head(8))
        + (" and others" if len(top) > 8 else "")
        + ".",
        MODEL_BASED_SENTENCE,
    ]
    not_drawn = [counties.outline_note(code) for code in rows["geo_code"] if counties.outline_fips(code) is None]
    shown = table.data[
        (table.data["geo_level"] == "county")
        & (table.data["year"] == year)
        & table.data["geo_code"].str.startswith(state_fips)
    ]
    return ChartView(
        key=f"county_rates_{state_fips}_{year}",
        figure=figure,
        rows=shown,
        table=county_table(rows),
        summary=tuple(summary),
        source=words.source_line(table, shown),
        legend="Each colour is one of the 16 ranges NCHS publishes; a county's exact rate is not published.",
        notes=tuple(not_drawn),
        config=MAP_CONFIG,
    )


def nonfatal_views(
    dose: Table, deaths: Table, *, state_fips: str, drug: str, segments: bool = False
) -> tuple[ChartView, ChartView] | None:
    """A state's nonfatal overdose visit rates (CDC DOSE) and, beside them, its death rate (state final table):
    two charts with separate axes and titles, never one divided by the other, each with its series' joinpoint
    trend segments when ``segments`` is set. None when the state does not report to DOSE."""
    visits = select.place_series(dose.data, geo_code=state_fips, drug=drug, measures=tuple(words.VISIT_KINDS))
    if visits.empty:
        return None
    name = str(visits["geo_name"].iloc[0])
    counts = select.place_series(dose.data, geo_code=state_fips, drug=drug, measures=("ed_visits", "hospitalizations"))
    rows = pd.concat([visits, counts], ignore_index=True)
    first, last = int(visits["year"].min()), int(visits["year"].max())
    ed_rows = visits[visits["measure"] == "ed_visit_rate_per_100k"]
    visit_title = words.place_trend_title(
        ed_rows,
        geo_code=state_fips,
        measure="ed_visit_rate_per_100k",
        subtitle=f"Nonfatal overdose visits: {words.nonfatal_drug_words(drug)}",
        rate_words="the emergency visit rate",
    )
    visit_figure = local.visits_chart(visits, title=visit_title)
    visit_summary = words.visit_summary(visits, name=name, drug=drug)
    visit_legend = (
        "Visits, not people: one person can visit more than once. Gaps: values CDC withholds (small counts) "
        "or did not receive."
    )
    visit_notes: list[str] = []
    visit_segments = None
    death_rows = select.place_series(
        deaths.data, geo_code=state_fips, drug="all_drugs", measures=("age_adjusted_rate_per_100k",)
    )
    death_rows = death_rows[death_rows["year"].between(first - 5, last)]
    death_title = words.place_trend_title(
        death_rows,
        geo_code=state_fips,
        measure="age_adjusted_rate_per_100k",
        subtitle="Drug overdose deaths (all drugs), age-adjusted",
        rate_words="the death rate",
    )
    death_figure = local.death_rate_chart(death_rows, title=death_title)
    death_summary = words.state_trend_summary(
        death_rows, geo_codes=[state_fips], measure="age_adjusted_rate_per_100k", include_nation=False
    )[:1]
    death_legend = "Deaths per 100,000 people, age-adjusted: a different count from a different system."
    death_notes: list[str] = []
    death_segments = None
    if segments:
        kinds = [m for m in words.VISIT_KINDS if m in set(visits["measure"])]
        fits = [joinpoint.trend(dose.data, drug=drug, measure=m, geo_code=state_fips, table=dose.name) for m in kinds]
        found = draw_segments(
            visit_figure,
            fits,
            [words.VISIT_KINDS[m] for m in kinds],
            colours=[series_style(local.visit_style_index(m))["color"] for m in kinds],
        )
        visit_summary += found.summary
        visit_notes += found.notes
        visit_segments = found.rows
        visit_legend += " " + SEGMENTS_LEGEND
        if not death_rows.empty:
            death_fit = joinpoint.trend(
                deaths.data,
                drug="all_drugs",
                measure="age_adjusted_rate_per_100k",
                geo_code=state_fips,
                start_year=int(death_rows["year"].min()),
                end_year=int(death_rows["year"].max()),
                table=deaths.name,
            )
            found = draw_segments(death_figure, [death_fit], ["Deaths"], colours=[series_style(0)["color"]])
            death_summary += found.summary
            death_notes += found.notes
            death_segments = found.rows
            death_legend += " " + SEGMENTS_LEGEND
    visit_view = ChartView(
        key=f"nonfatal_{drug}_{state_fips}",
        figure=visit_figure,
        rows=rows,
        table=display_table(rows),
        summary=tuple(visit_summary),
        source=words.source_line(dose, rows),
        legend=visit_legend,
        notes=tuple(visit_notes),
        segments=visit_segments,
    )
    death_view = ChartView(
        key=f"deaths_beside_nonfatal_{state_fips}",
        figure=death_figure,
        rows=death_rows,
        table=display_table(death_rows),
        summary=tuple(death_summary),
        source=words.source_line(deaths, death_rows),
        legend=death_legend,
        notes=tuple(death_notes),
        segments=death_segments,
    )
    return visit_view, death_view
