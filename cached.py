"""Streamlit caching around the loaders: the only module that imports both streamlit and data_sources.

Pages call these functions, never the loaders, so each table is read and transformed once per server
process (per ``ttl``), not on every rerun. Each section belongs to one area of the dashboard.

Tables, figures and big immutable bytes are ``st.cache_resource``: every session gets the same object.
``st.cache_data`` would unpickle a fresh copy on every call (9 MB for the state table, on every rerun of every
reader), which cost more memory than anything else with many readers at once (bench/RESULTS.md). So pages
treat what they get as read-only: they filter and copy, never assign into a shared frame, and
``tests/test_pages.py`` runs every page and checks the shared tables are unchanged. Small computed results
stay ``st.cache_data``.
"""

from __future__ import annotations

import streamlit as st

from data_sources import catalog, nchs_national_final
from data_sources.schema import Table
from data_sources.snapshot import to_csv_bytes


# --- national final figures (overview, about) -------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def national_final() -> Table:
    """Final US deaths and age-adjusted rates by drug, 1999 onward (bundled; compiled from publications)."""
    return nchs_national_final.load()


@st.cache_resource(ttl=3600, show_spinner=False)
def catalog_tables() -> dict[str, Table]:
    """Every registered tidy table (data_sources.catalog), for the About page's source list."""
    return catalog.load_all()


# --- overview: headlines and the trend view, worked out once per process (issue 8: cheap reruns) ----------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
from dataclasses import dataclass as _dataclass  # noqa: E402

import plotly.graph_objects as _go  # noqa: E402

import charts as _charts  # noqa: E402
import headlines as _headlines  # noqa: E402


@_dataclass(frozen=True)
class OverviewHeadlines:
    """The overview's computed cards (national final table)."""

    heroin_fold: _headlines.FoldChange
    heroin_sum: _headlines.YearSum
    latest: _headlines.Cell
    years: tuple[int, ...]
    trend_choices: tuple[str, ...]  # drugs with deaths or rates
    count_choices: tuple[str, ...]  # drugs with deaths


@st.cache_data(show_spinner=False)
def overview_headlines() -> OverviewHeadlines:
    """Heroin 2019 vs 1999, heroin deaths 1999-2019 summed, and the latest final all-drug count."""
    data = national_final().data
    return OverviewHeadlines(
        heroin_fold=_headlines.fold_change(data, drug="heroin", start=1999, end=2019),
        heroin_sum=_headlines.year_sum(data, drug="heroin", start=1999, end=2019),
        latest=_headlines.latest_cell(data, drug="all_drugs"),
        years=tuple(_headlines.available_years(data, drug="all_drugs")),
        trend_choices=tuple(_charts.trend_drug_choices(data, ["deaths", "age_adjusted_rate_per_100k"])),
        count_choices=tuple(_charts.drug_choices(data, "deaths")),
    )


@st.cache_data(show_spinner=False)
def fold_change(drug: str, start: int, end: int) -> _headlines.FoldChange:
    """A fold change in national final deaths; raises headlines.FigureUnavailable (not cached) when a year
    has no sourced count."""
    return _headlines.fold_change(national_final().data, drug=drug, start=start, end=end)


@_dataclass(frozen=True)
class TrendView:
    """Everything the overview draws for one choice of drugs, measure, years and options."""

    figure: _go.Figure
    shown: pd.DataFrame  # the rows drawn (tidy contract)
    table: pd.DataFrame  # the same rows with readable headers
    csv: bytes
    missing: tuple[str, ...]  # chosen drugs with no series for the measure
    summary: tuple[str, ...]  # plain-language lines


# A resource, not data: st.cache_data would copy the figure on every rerun, which costs as much as building
# it. The view is shared between sessions and must not be changed by a page (none does).
@st.cache_resource(show_spinner=False, max_entries=256)
def trend_view(
    drugs: tuple[str, ...], measure: str, years: tuple[int, int], log_y: bool, show_waves: bool
) -> TrendView:
    """The national trend chart with its rows, table twin, CSV and summary (charts.trend_chart and friends)."""
    data = national_final().data
    shown = _charts.national_series(data, drugs=drugs, measure=measure, years=years)
    return TrendView(
        figure=_charts.trend_chart(data, drugs=drugs, measure=measure, years=years, log_y=log_y, show_waves=show_waves),
        shown=shown,
        table=_charts.display_table(shown),
        csv=to_csv_bytes(shown),
        missing=tuple(_charts.missing_series(data, drugs=drugs, measure=measure)),
        summary=tuple(_charts.trend_summary(data, drugs=drugs, measure=measure, years=years)),
    )


# --- live CDC sources: VSRR, 95ax-ymtc, jx6g-fdh6 (issue 3) -----------------------------------------------
# Each reads the freshest good copy (refreshed cache, else bundled snapshot) and never the network; the hour's
# ttl lets a server pick up a refresh written by `python -m data_sources refresh` without a restart.
from data_sources import live, nchs_drug_overdose_rates, nchs_state_drug_poisoning, nchs_vsrr  # noqa: E402


@st.cache_resource(ttl=3600, show_spinner=False)
def vsrr_provisional() -> Table:
    """CDC VSRR provisional 12-month-ending counts by state and drug (data.cdc.gov xkb8-kh2a)."""
    return nchs_vsrr.load()


@st.cache_resource(ttl=3600, show_spinner=False)
def state_drug_poisoning() -> Table:
    """NCHS final drug poisoning deaths and rates by state with confidence limits, 1999-2017 (jx6g-fdh6)."""
    return nchs_state_drug_poisoning.load()


@st.cache_resource(ttl=3600, show_spinner=False)
def drug_overdose_rates() -> Table:
    """NCHS rates by drug, sex, age, race and Hispanic origin, 1999-2018 (95ax-ymtc)."""
    return nchs_drug_overdose_rates.load()


@st.cache_data(ttl=3600, show_spinner=False)
def data_as_of() -> str:
    """One line for the frame's footer: every table's as-of date and whether it is bundled or live."""
    parts = []
    for name, table in catalog_tables().items():
        where = "bundled snapshot" if table.from_snapshot else "live copy"
        stale = ", older than its update cycle" if live.is_stale(table) else ""
        parts.append(f"{name.replace('_', ' ')} {table.retrieved_at:%d %b %Y} ({where}{stale})")
    return "Data as of: " + "; ".join(parts) + "."


def freshness_line(table: Table) -> str:
    """'Data as of ... (publisher; bundled snapshot|live copy).' with a staleness clause where it applies."""
    return live.freshness(table)


# --- states and demographics (issue 4) --------------------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
import pandas as _pd  # noqa: E402

import stats as _stats  # noqa: E402


@st.cache_data(ttl=3600, show_spinner=False)
def vsrr_changes(drug: str, period_end: str) -> _pd.DataFrame:
    """Every place's VSRR 12-month-ending count ending ``period_end`` (ISO date) against the same period a year
    earlier (stats.changes_at), computed once per drug and period rather than on every rerun."""
    return _stats.changes_at(vsrr_provisional().data, drug=drug, period_end=_pd.Timestamp(period_end))


# Figures as resources (shared between sessions, never changed by a page): building them is most of a
# rerun's cost otherwise. Each takes the name of the table it draws from, so the key stays small.
_TABLES = {
    "state_drug_poisoning": lambda: state_drug_poisoning(),
    "vsrr_provisional": lambda: vsrr_provisional(),
    "drug_overdose_rates": lambda: drug_overdose_rates(),
}


@_dataclass(frozen=True)
class StateYear:
    """One measure and year across the states (state table): what the "my state" card, the map summary and the
    ranking show. Shared read-only frames (see the module docstring)."""

    rows: _pd.DataFrame  # one row per state (charts.state_rows)
    nation_rows: _pd.DataFrame  # the United States row, when there is one
    ranked: _pd.DataFrame  # stats.rank_places: flagged values listed, not ranked
    ranking_table: _pd.DataFrame  # charts.state_display_table of ``ranked``
    summary: tuple[str, ...]  # charts.state_map_summary, the words beside the map

    @property
    def nation(self) -> _pd.Series | None:
        return self.nation_rows.iloc[0] if len(self.nation_rows) == 1 else None


@st.cache_resource(show_spinner=False, max_entries=64)
def state_year(measure: str, year: int) -> StateYear:
    """The states page's per-year view, worked out once per measure and year rather than on every rerun."""
    data = state_drug_poisoning().data
    rows = _charts.state_rows(data, measure=measure, year=year)
    everyone = (data["sex"] == "all") & (data["age_group"] == "all") & (data["race_ethnicity"] == "all")
    nation_rows = data[(data["geo_code"] == "US") & (data["measure"] == measure) & (data["year"] == year) & everyone]
    ranked = _stats.rank_places(rows)
    nation = nation_rows.iloc[0] if len(nation_rows) == 1 else None
    return StateYear(
        rows=rows,
        nation_rows=nation_rows,
        ranked=ranked,
        ranking_table=_charts.state_display_table(ranked),
        summary=tuple(_charts.state_map_summary(rows, measure=measure, nation=nation)),
    )


@_dataclass(frozen=True)
class ChartView:
    """The rows behind a chart, as a display table, and the words beside it (states and risk pages)."""

    rows: _pd.DataFrame
    table: _pd.DataFrame
    summary: tuple[str, ...]


@st.cache_resource(show_spinner=False, max_entries=256)
def state_trend_view(
    table: str, geo_codes: tuple[str, ...], measure: str, drug: str, include_nation: bool
) -> ChartView:
    """charts.state_trend_rows and _summary of places (and the nation) from ``table`` (a name in _TABLES)."""
    data = _TABLES[table]().data
    args = {"geo_codes": list(geo_codes), "measure": measure, "drug": drug, "include_nation": include_nation}
    rows = _charts.state_trend_rows(data, **args)
    return ChartView(rows, _charts.state_display_table(rows), tuple(_charts.state_trend_summary(data, **args)))


@st.cache_resource(show_spinner=False, max_entries=256)
def state_map_figures(measure: str, year: int, highlight: str | None, title: str) -> tuple[_go.Figure, _go.Figure]:
    """The choropleth and the tile grid of one measure and year, from the rows of ``state_year``."""
    rows = state_year(measure, year).rows
    return (
        _charts.state_map_chart(rows, measure=measure, title=title),
        _charts.tile_map_chart(rows, measure=measure, title=title, highlight=highlight),
    )


@st.cache_resource(show_spinner=False, max_entries=256)
def state_trend_figure(
    table: str, geo_codes: tuple[str, ...], measure: str, drug: str, include_nation: bool, title: str
) -> _go.Figure:
    """charts.state_trend_chart of places against the nation, from ``table`` (a name in _TABLES)."""
    return _charts.state_trend_chart(
        _TABLES[table]().data,
        geo_codes=geo_codes,
        measure=measure,
        drug=drug,
        include_nation=include_nation,
        title=title,
    )


@st.cache_resource(show_spinner=False, max_entries=256)
def demographics_figure(table: str, drug: str, by: str, measure: str, years: tuple[int, int], title: str) -> _go.Figure:
    """charts.demographics_chart small multiples from ``table`` (a name in _TABLES)."""
    return _charts.demographics_chart(
        _TABLES[table]().data, drug=drug, by=by, measure=measure, years=years, title=title
    )


# --- risk multipliers and public claims (issue 5) ---------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from data_sources import claims, risk  # noqa: E402


@st.cache_resource(show_spinner=False)
def risk_table() -> risk.RiskTable:
    """Relative-risk style figures from published studies (bundled snapshot, built from the data pack)."""
    return risk.load()


@_dataclass(frozen=True)
class RiskRows:
    """The risk table split as the page shows it: multipliers and shares, each in question order."""

    ratios: pd.DataFrame
    shares: pd.DataFrame


@st.cache_resource(show_spinner=False)
def risk_rows() -> RiskRows:
    """risk.ratio_rows and risk.share_rows of the risk table, once per process."""
    data = risk_table().data
    return RiskRows(risk.ratio_rows(data), risk.share_rows(data))


@st.cache_resource(show_spinner=False)
def risk_share_table() -> pd.DataFrame:
    """The shares as the risk page's display table."""
    return _charts.risk_display_table(risk_rows().shares)


@st.cache_resource(show_spinner=False, max_entries=64)
def risk_view(questions: tuple[str, ...]) -> ChartView:
    """What the risk page shows beside its chart for one choice of questions."""
    ratios = risk_rows().ratios
    rows = ratios[ratios["question"].isin(questions)]
    return ChartView(rows, _charts.risk_display_table(rows), tuple(_charts.risk_chart_summary(rows)))


# Figures as resources (shared, never changed by a page): building these plotly figures costs far more than
# a rerun should, and st.cache_data would copy them every time.
@st.cache_resource(show_spinner=False, max_entries=64)
def risk_figure(questions: tuple[str, ...]) -> _go.Figure:
    """charts.risk_chart of the ratio figures for the chosen questions."""
    ratios = risk.ratio_rows(risk_table().data)
    return _charts.risk_chart(ratios[ratios["question"].isin(questions)])


@st.cache_data(show_spinner=False)
def risk_figure_labels() -> dict[str, str]:
    """Picker label of every risk figure, by risk_id (charts.risk_figure_label)."""
    return {str(row["risk_id"]): _charts.risk_figure_label(row) for _, row in risk_table().data.iterrows()}


@st.cache_resource(show_spinner=False)
def share_figure() -> _go.Figure:
    """charts.share_chart of every share figure."""
    return _charts.share_chart(risk.share_rows(risk_table().data))


@st.cache_resource(show_spinner=False, max_entries=64)
def icon_array_figure(groups: tuple[tuple[str, float], ...], per: int, outcome: str, title: str) -> _go.Figure:
    """charts.icon_array_chart for one risk figure."""
    return _charts.icon_array_chart(list(groups), per=per, outcome=outcome, title=title)


def claim_checks() -> list[claims.ClaimCheck]:
    """Every public claim checked against the national final table and the risk table.

    Keyed on the claims file's path and modification time (no leading underscore: those arguments would not be
    hashed), so a claim a teacher adds shows on the next rerun. Raises ``claims.ClaimFileError`` (with the row
    and the problem) when the file is broken.
    """
    path = claims.CLAIMS_FILE
    return _claim_checks(str(path), path.stat().st_mtime_ns)


@st.cache_data(show_spinner=False)
def _claim_checks(path: str, mtime_ns: int) -> list[claims.ClaimCheck]:
    return claims.check_all(claims.read_claims(Path(path)), national_final().data, risk_table())


def claim_checks_table() -> pd.DataFrame:
    """The claim checks as one row per claim, with working and full citations (the CSV download)."""
    national = national_final()
    cites = {s.id: f"{s.citation} {s.url}" for s in national.sources}
    return claims.checks_table(claim_checks(), national_sources=cites, risk=risk_table())


# --- lesson deck (issue 6) ---------------------------------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
import lesson as _lesson  # noqa: E402
import lesson_pack as _lesson_pack  # noqa: E402


def lesson_tables() -> _lesson.Tables:
    """The tables the lesson draws on (each one cached above)."""
    return _lesson.Tables(national_final(), state_drug_poisoning(), risk_table())


@st.cache_data(ttl=3600, show_spinner=False)
def lesson_deck() -> list[_lesson.Slide]:
    """The classroom deck (lessons/deck.toml) with its numbers computed; raises lesson.DeckError."""
    return _lesson.load(lesson_tables())


@st.cache_resource(show_spinner=False, max_entries=64)
def lesson_figure(slide_id: str) -> _go.Figure | None:
    """One slide's chart in projector type (shared, never changed by a page)."""
    slide = next(s for s in lesson_deck() if s.id == slide_id)
    return _lesson.figure(slide, lesson_tables())


@st.cache_data(ttl=3600, show_spinner=False)
def lesson_sources(slide_id: str) -> list[tuple[str, str]]:
    """(title, url) of the sources behind one slide."""
    slide = next(s for s in lesson_deck() if s.id == slide_id)
    return _lesson.source_notes(slide, lesson_tables())


@st.cache_resource(ttl=3600, show_spinner=False)
def lesson_pack_html() -> bytes:
    """The offline lesson pack (one self-contained HTML file, about 5 MB), built once an hour at most.

    A shared resource, not cache_data: the bytes are immutable, and cache_data would hand every caller its own
    5 MB copy. The Lesson mode page passes this function itself to the download button, so it runs only when
    a teacher clicks, not on every visit.
    """
    return _lesson_pack.build(lesson_tables()).encode("utf-8")


# --- data page, uploads and data package (issue 7) --------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
from datetime import UTC, datetime  # noqa: E402

from data_sources import export as data_export  # noqa: E402
from data_sources import wonder  # noqa: E402


@st.cache_resource(ttl=3600, show_spinner=False)
def all_tables() -> list[data_export.PackageTable]:
    """Every registered table (data_sources.catalog) with its field list, for the Data page and the package."""
    return data_export.collect()


@st.cache_resource(ttl=3600, show_spinner=False)
def data_package_zip() -> bytes:
    """The data package of every registered table as one zip (CSVs, datapackage.json, README, citations).

    Shared immutable bytes (cache_resource: no per-caller copy); the Data page hands this function to its
    download button, so the zip is built on the first click, not on a visit.
    """
    created = datetime.now(UTC)
    return data_export.zip_bytes(data_export.package_files(all_tables(), created=created), created=created)


def data_package_zip_with(extra: data_export.PackageTable) -> bytes:
    """The data package plus one more table (a reader's upload). Not cached: it belongs to one session only."""
    created = datetime.now(UTC)
    files = data_export.package_files([*all_tables(), extra], created=created)
    return data_export.zip_bytes(files, created=created)


def wonder_upload(file_id: str, data: bytes) -> tuple[wonder.WonderExport, data_export.PackageTable]:
    """An uploaded WONDER export, parsed once per upload and kept in this session's state only.

    Deliberately not ``st.cache_data``: that cache is shared by every visitor and outlives the session. Raises
    ``wonder.WonderError`` for a broken file, after forgetting any earlier upload, so nothing is kept from it.
    """
    memo = st.session_state.get("wonder_upload_memo")
    if memo is None or memo[0] != file_id:
        st.session_state.pop("wonder_upload_memo", None)
        export, table = wonder.load_upload(data)
        st.session_state["wonder_upload_memo"] = (file_id, export, data_export.package_table(table))
        memo = st.session_state["wonder_upload_memo"]
    return memo[1], memo[2]


def forget_wonder_upload() -> None:
    """Drop this session's upload (the reader removed the file)."""
    st.session_state.pop("wonder_upload_memo", None)
