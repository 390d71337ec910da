"""The caches around the tables and views: the only module pages call for data, and the only one with ``st.cache_*``.

Pages call these functions, never the loaders, so each table is read once per server process (per ``ttl``)
and each view is built once per choice, not on every rerun.

Tables, views, figures and big immutable bytes are :func:`app.shared.shared`: every session gets the same
object, and a reader's "clear cache" message (which empties Streamlit's own caches for everyone) cannot make
the server read every table again. ``st.cache_data`` would also unpickle a fresh copy on every call (9 MB for
the state table, on every rerun of every reader). So pages treat what they get as read-only, and
``tests/pages/test_pages.py`` runs every page and checks the shared tables are unchanged. Small computed
results stay ``st.cache_data``.

Live tables read the freshest good copy (refreshed cache, else the bundled snapshot) and never the network;
the hour's ``ttl`` lets a server pick up a refresh written by ``python -m data_sources refresh`` without a
restart.

Importing this module (a server's first page run) fixes the C allocator's mmap threshold
(:func:`data_sources.memory.keep_mmap_threshold`), so the large arrays of an upload or a table read go back to
the system when freed instead of fragmenting the heap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from app import headlines, rows, stats, views
from app.charts import risk_charts
from app.headlines import Cell, FoldChange, YearSum
from app.lesson import deck as lesson
from app.lesson import pack as lesson_pack
from app.printing import brief, kit, pdf
from app.shared import shared
from app.words import risk_figure_label
from data_sources import (
    catalog,
    cdc_dose_nonfatal,
    claims,
    freshness,
    memory,
    nchs_county_model,
    nchs_drug_overdose_rates,
    nchs_national_final,
    nchs_state_drug_poisoning,
    nchs_vsrr,
    package,
    risk,
    wonder,
)
from data_sources import export as data_export
from data_sources.schema import Table

TREND_MEASURES = ("deaths", "age_adjusted_rate_per_100k")

memory.keep_mmap_threshold()


# --- tables --------------------------------------------------------------------------------------------------
@shared(ttl=3600, max_entries=len(catalog.TABLES))
def table(name: str) -> Table:
    """The registered table ``name`` (data_sources.catalog): one copy per process, shared by every page.

    Pages, the About list, the Data page and the data package all read through here, so a table is held once.
    """
    return catalog.TABLES[name]()


def national_final() -> Table:
    """Final US deaths and age-adjusted rates by drug, 1999 onward (bundled; compiled from publications)."""
    return table(nchs_national_final.TABLE)


def vsrr_provisional() -> Table:
    """CDC VSRR provisional 12-month-ending counts by state and drug (data.cdc.gov xkb8-kh2a)."""
    return table(nchs_vsrr.TABLE)


def state_drug_poisoning() -> Table:
    """NCHS final drug poisoning deaths and rates by state with confidence limits (jx6g-fdh6)."""
    return table(nchs_state_drug_poisoning.TABLE)


def drug_overdose_rates() -> Table:
    """NCHS rates by drug, sex, age, race and Hispanic origin, 1999-2018 (95ax-ymtc)."""
    return table(nchs_drug_overdose_rates.TABLE)


def risk_table() -> Table:
    """Relative-risk style figures from published studies (bundled snapshot, built from the data pack)."""
    return table(risk.TABLE)


def catalog_tables() -> dict[str, Table]:
    """Every registered table (data_sources.catalog), for the About page's source list."""
    return {name: table(name) for name in catalog.TABLES}


#: Views name the table they draw from, so a cache key stays small.
TABLES = {
    "national_final": national_final,
    "state_drug_poisoning": state_drug_poisoning,
    "vsrr_provisional": vsrr_provisional,
    "drug_overdose_rates": drug_overdose_rates,
}


# --- frame ---------------------------------------------------------------------------------------------------
@st.cache_data(ttl=3600, show_spinner=False)
def data_as_of() -> str:
    """One line for the frame's footer: every table's as-of date and whether it is bundled or live."""
    parts = []
    for table in catalog_tables().values():
        where = "copy shipped with this dashboard" if table.from_snapshot else "fetched from CDC"
        stale = "; CDC has likely published newer figures since" if freshness.is_stale(table) else ""
        title = table.sources[0].title if table.sources else table.schema.title
        parts.append(f"{title}: {table.retrieved_at:%d %b %Y} ({where}{stale})")
    return "Figures as of: " + "; ".join(dict.fromkeys(parts)) + "."


# --- overview ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverviewHeadlines:
    """The overview's computed cards (national final table) and the choices its widgets offer."""

    heroin_fold: FoldChange
    heroin_sum: YearSum
    latest: Cell
    years: tuple[int, ...]
    trend_choices: tuple[str, ...]  # drugs with deaths or rates
    count_choices: tuple[str, ...]  # drugs with deaths
    lead: str  # the page's first sentence: the latest final count against the first year's


@st.cache_data(show_spinner=False)
def overview_headlines() -> OverviewHeadlines:
    """Heroin 2019 vs 1999, heroin deaths 1999-2019 summed, and the latest final all-drug count."""
    data = national_final().data
    return OverviewHeadlines(
        heroin_fold=headlines.fold_change(data, drug="heroin", start=1999, end=2019),
        heroin_sum=headlines.year_sum(data, drug="heroin", start=1999, end=2019),
        latest=headlines.latest_cell(data, drug="all_drugs"),
        years=tuple(headlines.available_years(data, drug="all_drugs")),
        trend_choices=tuple(rows.trend_drug_choices(data, TREND_MEASURES)),
        count_choices=tuple(rows.drug_choices(data, "deaths")),
        lead=headlines.lead_sentence(data),
    )


@st.cache_data(show_spinner=False)
def fold_change(drug: str, start: int, end: int) -> FoldChange:
    """A fold change in national final deaths; raises FigureUnavailable (not cached) when a year has no count."""
    return headlines.fold_change(national_final().data, drug=drug, start=start, end=end)


@shared(ttl=3600)
def provisional_headline() -> views.ProvisionalHeadline | None:
    """The latest complete provisional 12-month US count against a year earlier, with its interval."""
    return views.provisional_headline(vsrr_provisional())


@shared(max_entries=256)
def trend_view(
    drugs: tuple[str, ...], measure: str, years: tuple[int, int], log_y: bool, show_waves: bool, segments: bool
) -> views.ChartView:
    """The Overview's trend chart for one choice of drugs, measure, years and options."""
    return views.trend_view(
        national_final(),
        drugs=drugs,
        measure=measure,
        years=years,
        log_y=log_y,
        show_waves=show_waves,
        segments=segments,
    )


@shared(ttl=3600)
def revisions_view() -> views.ChartView:
    """CDC's provisional counts for each year against the final counts (nation, all drugs)."""
    return views.revisions_view(vsrr_provisional(), national_final())


# --- states --------------------------------------------------------------------------------------------------
@shared(max_entries=64)
def state_year(measure: str, year: int, highlight: str | None) -> views.StateYear:
    """The states page's per-year view: map, tiles, ranks, national figure."""
    return views.state_year(state_drug_poisoning(), measure=measure, year=year, highlight=highlight)


@shared(max_entries=256)
def state_trend_view(
    table: str,
    geo_codes: tuple[str, ...],
    measure: str,
    drug: str,
    include_nation: bool,
    title: str,
    key: str,
    segments: bool = False,
) -> views.ChartView:
    """Places against the nation over time, from ``table`` (a name in TABLES), with trend segments if asked."""
    return views.state_trend_view(
        TABLES[table](),
        geo_codes=geo_codes,
        measure=measure,
        drug=drug,
        include_nation=include_nation,
        title=title,
        key=key,
        segments=segments,
    )


@st.cache_data(ttl=3600, show_spinner=False)
def vsrr_changes(drug: str, period_end: str) -> pd.DataFrame:
    """Every place's VSRR 12-month count ending ``period_end`` (ISO date) against a year earlier."""
    return stats.changes_at(vsrr_provisional().data, drug=drug, period_end=pd.Timestamp(period_end))


def provisional_card(place_code: str, place_name: str, drug: str, period_end: str) -> views.ProvisionalCard:
    """One place's recent provisional count with CDC's data-quality figures."""
    changes = vsrr_changes(drug, period_end)
    return views.provisional_card(
        vsrr_provisional(),
        changes,
        place_code=place_code,
        place_name=place_name,
        drug=drug,
        period_end=pd.Timestamp(period_end),
    )


def change_view(drug: str, period_end: str, period: str) -> views.ChartView:
    """Every place's provisional change on a year earlier, as a table with its download."""
    return views.change_view(vsrr_provisional(), vsrr_changes(drug, period_end), drug=drug, period=period)


@dataclass(frozen=True)
class StateChoices:
    """What the states page offers: final years, provisional drugs and periods."""

    years: tuple[int, ...]
    provisional_drugs: tuple[str, ...]
    provisional_periods: tuple[str, ...]  # "YYYY-MM"


@st.cache_data(ttl=3600, show_spinner=False)
def state_choices() -> StateChoices:
    """The years of the state table and the drugs and periods of the provisional table."""
    final = state_drug_poisoning().data
    provisional = vsrr_provisional().data
    deaths = provisional[provisional["measure"] == "deaths"]
    return StateChoices(
        years=tuple(sorted(int(y) for y in final.loc[final["geo_level"] == "state", "year"].unique())),
        provisional_drugs=tuple(rows.drug_choices(provisional, "deaths")),
        provisional_periods=tuple(sorted({f"{d:%Y-%m}" for d in deaths["period_end_date"]})),
    )


def has_provisional_series(place_code: str, drug: str) -> bool:
    """Whether the provisional table has more than one count for the place and drug (enough for a line)."""
    data = vsrr_provisional().data
    mask = (data["geo_code"] == place_code) & (data["drug"] == drug) & (data["measure"] == "deaths")
    return int(mask.sum()) > 1


# --- counties and nonfatal overdoses ------------------------------------------------------------------------
def county_rates() -> Table:
    """NCHS model-based county death-rate ranges, 1999-2016 (pbkm-d27e, bundled)."""
    return table(nchs_county_model.TABLE)


def nonfatal_visits() -> Table:
    """CDC DOSE nonfatal overdose ED visits and hospitalizations, 2018-2023 (bundled)."""
    return table(cdc_dose_nonfatal.TABLE)


@st.cache_data(ttl=3600, show_spinner=False)
def county_years() -> tuple[int, ...]:
    """Years of the county table."""
    return tuple(sorted(int(y) for y in county_rates().data["year"].unique()))


@st.cache_data(ttl=3600, show_spinner=False)
def nonfatal_choices() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(drug groups, FIPS codes of the states and DC that report) of the DOSE table."""
    data = nonfatal_visits().data
    states = data[data["geo_level"] == "state"]
    return tuple(d for d in DOSE_DRUGS if d in set(data["drug"])), tuple(sorted(states["geo_code"].unique()))


DOSE_DRUGS = (
    "nonfatal_all_drugs",
    "nonfatal_opioids",
    "nonfatal_heroin",
    "nonfatal_fentanyl",
    "nonfatal_stimulants",
    "nonfatal_cocaine",
    "nonfatal_methamphetamine",
    "nonfatal_benzodiazepines",
)


@shared(max_entries=128)
def county_view(state_fips: str, year: int) -> views.ChartView | None:
    """A state's county map for one year (only that state's outlines are sent to the browser)."""
    return views.county_view(county_rates(), state_fips=state_fips, year=year)


@shared(max_entries=128)
def nonfatal_views(
    state_fips: str, drug: str, segments: bool = False
) -> tuple[views.ChartView, views.ChartView] | None:
    """A state's nonfatal visits beside its death rate, with trend segments if asked, or None when it does not
    report to DOSE."""
    return views.nonfatal_views(
        nonfatal_visits(), state_drug_poisoning(), state_fips=state_fips, drug=drug, segments=segments
    )


# --- who is affected -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupChoices:
    """What the demographics page offers."""

    drugs: tuple[str, ...]
    years: tuple[int, ...]


RATES = ("age_adjusted_rate_per_100k", "crude_rate_per_100k")


@st.cache_data(ttl=3600, show_spinner=False)
def group_choices() -> GroupChoices:
    """All drug overdoses (state table, every breakdown) and the single drugs of 95ax-ymtc."""
    by_drug = drug_overdose_rates().data
    drugs = ("all_drugs", *(d for d in rows.trend_drug_choices(by_drug, RATES) if d != "all_drugs"))
    # Only years that have a breakdown (the state table's 2018-2021 rows are states and the nation as a whole).
    years = sorted(
        {
            int(y)
            for t in (state_drug_poisoning(), drug_overdose_rates())
            for y in t.data.loc[(t.data["geo_code"] == "US") & ~rows.everyone(t.data), "year"].unique()
        }
    )
    return GroupChoices(drugs, tuple(years))


def group_table(drug: str) -> Table:
    """All drug overdoses come from jx6g-fdh6 (every breakdown, with confidence limits); single drugs from
    95ax-ymtc, the only one of the two that splits deaths by drug."""
    return state_drug_poisoning() if drug == "all_drugs" else drug_overdose_rates()


@shared(max_entries=256)
def demographics_view(drug: str, by: str, years: tuple[int, int], segments: bool = False) -> views.ChartView | None:
    """Small multiples for one drug and breakdown, with each group's trend segments if asked, or None when the
    table has no such rows.

    Age-specific rates are crude by definition (a rate within one age band needs no age adjustment); for sex
    and race NCHS gives age-adjusted rates, which allow for groups with older or younger people.
    """
    table = group_table(drug)
    measure = "crude_rate_per_100k" if by == "age_group" else "age_adjusted_rate_per_100k"
    if rows.demographic_rows(table.data, drug=drug, by=by, measure=measure, years=years).empty:
        measure = "crude_rate_per_100k"
    if rows.demographic_rows(table.data, drug=drug, by=by, measure=measure, years=years).empty:
        return None
    return views.demographics_view(table, drug=drug, by=by, measure=measure, years=years, segments=segments)


# --- risk and claims -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskRows:
    """The risk table split as the page shows it: multipliers and shares, each in question order."""

    ratios: pd.DataFrame
    shares: pd.DataFrame


@shared()
def risk_rows() -> RiskRows:
    """risk.ratio_rows and risk.share_rows of the risk table, once per process."""
    data = risk_table().data
    return RiskRows(risk.ratio_rows(data), risk.share_rows(data))


@shared(max_entries=64)
def risk_view(questions: tuple[str, ...]) -> views.ChartView:
    """The multipliers chart for the chosen questions."""
    return views.risk_view(risk_table(), risk_rows().ratios, questions)


@shared()
def share_view() -> views.ChartView:
    """The shares chart."""
    return views.share_view(risk_table(), risk_rows().shares)


@st.cache_data(show_spinner=False)
def risk_figure_labels() -> dict[str, str]:
    """Picker label of every risk figure, by risk_id."""
    return {str(row["risk_id"]): risk_figure_label(row) for _, row in risk_table().data.iterrows()}


@shared(max_entries=64)
def icon_array_figure(groups: tuple[tuple[str, float], ...], per: int, outcome: str, title: str) -> go.Figure:
    """An icon array for one risk figure."""
    return risk_charts.icon_array_chart(list(groups), per=per, outcome=outcome, title=title)


def risk_csv() -> bytes:
    """The whole risk table with full citations, as CSV (built when clicked)."""
    return data_export.to_csv_bytes(risk.citation_table(risk_table()))


def claim_checks() -> list[claims.ClaimCheck]:
    """Every public claim checked against the national final table and the risk table.

    Keyed on the claims file's path and modification time, so a claim a teacher adds shows on the next rerun.
    Raises ``claims.ClaimFileError`` (with the row and the problem) when the file is broken.
    """
    path = claims.CLAIMS_FILE
    return _claim_checks(str(path), path.stat().st_mtime_ns)


@st.cache_data(show_spinner=False)
def _claim_checks(path: str, mtime_ns: int) -> list[claims.ClaimCheck]:
    return claims.check_all(claims.read_claims(Path(path)), national_final().data, risk_table())


def claims_csv() -> bytes:
    """The claim checks with working and full citations, as CSV (built when clicked)."""
    national = national_final()
    cites = {s.id: f"{s.citation} {s.url}" for s in national.sources}
    table = claims.checks_table(claim_checks(), national_sources=cites, risk=risk_table())
    return data_export.to_csv_bytes(table)


# --- lesson --------------------------------------------------------------------------------------------------
def lesson_tables() -> lesson.Tables:
    """The tables the lesson draws on (each one cached above)."""
    return lesson.Tables(national_final(), state_drug_poisoning(), risk_table())


@st.cache_data(ttl=3600, show_spinner=False)
def lesson_deck() -> list[lesson.Slide]:
    """The classroom deck (lessons/deck.toml) with its numbers computed; raises lesson.DeckError."""
    return lesson.load(lesson_tables())


@shared(max_entries=64)
def lesson_figure(slide_id: str) -> go.Figure | None:
    """One slide's chart in projector type."""
    slide = next(s for s in lesson_deck() if s.id == slide_id)
    return lesson.figure(slide, lesson_tables())


@st.cache_data(ttl=3600, show_spinner=False)
def lesson_sources(slide_id: str) -> list[tuple[str, str]]:
    """(title, url) of the sources behind one slide."""
    slide = next(s for s in lesson_deck() if s.id == slide_id)
    return lesson.source_notes(slide, lesson_tables())


@shared(ttl=3600)
def lesson_pack_html() -> bytes:
    """The offline lesson pack (one self-contained HTML file, about 5 MB), built on the first click.

    Shared immutable bytes: cache_data would hand every caller its own 5 MB copy.
    """
    return lesson_pack.build(lesson_tables()).encode("utf-8")


# --- printed material (built when the reader clicks) --------------------------------------------------------
def can_print() -> bool:
    """Whether this server has the Chromium that turns printed pages into PDF."""
    return pdf.find_chromium() is not None


@shared(ttl=3600, max_entries=64)
def state_brief_pdf(state_usps: str, lang: str, year: int, base_url: str) -> bytes:
    """The one-page brief of a state (PDF), its QR code opening the States page on the same view."""
    return brief.build_pdf(state_usps, lang, catalog_tables(), brief.permalink(base_url, state_usps, year))


@shared(ttl=3600, max_entries=8)
def lesson_kit_pdfs(lang: str) -> dict[str, bytes]:
    """The printed worksheet and answer key (PDF, by file name) in ``lang``."""
    return kit.build_pdfs(lesson_tables(), lang)


def lesson_kit_pdf(lang: str, file_name: str) -> bytes:
    """One printed lesson document by its file name (``worksheet.es.pdf``), for a download button."""
    return lesson_kit_pdfs(lang)[file_name]


# --- data page -----------------------------------------------------------------------------------------------
@shared(ttl=3600)
def all_tables() -> list[package.PackageTable]:
    """Every registered table with its field list, for the Data page and the package (the shared copies)."""
    return [package.package_table(table(name), name=name) for name in catalog.TABLES]


@shared(ttl=3600)
def data_package_zip() -> bytes:
    """The data package of every registered table as one zip, built on the first click."""
    created = datetime.now(UTC)
    return package.zip_bytes(package.package_files(all_tables(), created=created), created=created)


def data_package_zip_with(extra: package.PackageTable) -> bytes:
    """The data package plus a reader's upload. Not cached: it belongs to one session only."""
    created = datetime.now(UTC)
    return package.zip_bytes(package.package_files([*all_tables(), extra], created=created), created=created)


@dataclass(frozen=True)
class WonderUpload:
    """What this session's reader uploaded: the file's name (their text: print it with ``words.literal``) and
    either the export and its table or, for a refused file, why."""

    name: str
    export: wonder.WonderExport | None = None
    table: package.PackageTable | None = None
    refusal: str | None = None


_UPLOAD = "wonder_upload"
_UPLOADER_ROUND = "wonder_uploader_round"


def wonder_uploader_key() -> str:
    """The WONDER uploader's widget key: a new one after each file is read (:func:`take_wonder_upload`)."""
    return f"wonder_file_{st.session_state.get(_UPLOADER_ROUND, 0)}"


def take_wonder_upload(file: UploadedFile) -> WonderUpload:
    """Read an uploaded WONDER export into this session, then let the server drop the file.

    The export is read in place, line by line; its table (or why it was refused) is kept in this session's
    state only, never in a shared cache: an upload belongs to one reader. Any earlier upload is forgotten first,
    so a refused file leaves nothing behind. Then the file goes: Streamlit keeps an uploaded file's bytes for
    the whole session and hands every page run a copy while the uploader holds it (a 19 MB file kept 35 MB for
    as long as the reader stayed), so the file is removed from its store, as ``st.chat_input`` does with its
    files, and the uploader gets a new key (:func:`wonder_uploader_key`). Rerun the page after this.
    """
    st.session_state.pop(_UPLOAD, None)
    try:
        export, table = wonder.load_upload(file)
        taken = WonderUpload(file.name, export=export, table=package.package_table(table))
    except wonder.WonderError as err:
        taken = WonderUpload(file.name, refusal=str(err))
    st.session_state[_UPLOAD] = taken
    st.session_state[_UPLOADER_ROUND] = st.session_state.get(_UPLOADER_ROUND, 0) + 1
    context = get_script_run_ctx()
    # Only the in-memory store can remove one file (Streamlit's own check before it does the same).
    if context is not None and isinstance(context.uploaded_file_mgr, MemoryUploadedFileManager):
        context.uploaded_file_mgr.remove_file(session_id=context.session_id, file_id=file.file_id)
    return taken


def wonder_upload() -> WonderUpload | None:
    """This session's last upload, read or refused; None if there is none (or the reader removed it)."""
    taken = st.session_state.get(_UPLOAD)
    return taken if isinstance(taken, WonderUpload) else None


def forget_wonder_upload() -> None:
    """Drop this session's upload (the reader removed the file)."""
    st.session_state.pop(_UPLOAD, None)


@st.cache_data(show_spinner=False)
def available_years(drug: str) -> list[int]:
    """Years with a sourced national final count for ``drug`` (named when the calculator refuses a year)."""
    return headlines.available_years(national_final().data, drug=drug)
