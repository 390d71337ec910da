"""Streamlit caching around the loaders: the only module that imports both streamlit and data_sources.

Pages call these functions, never the loaders, so each table is read and transformed once per server
process (per ``ttl``), not on every rerun. Each section belongs to one area of the dashboard.
"""

from __future__ import annotations

import streamlit as st

from data_sources import catalog, nchs_national_final
from data_sources.schema import Table


# --- national final figures (overview, about) -------------------------------------------------------------
@st.cache_data(show_spinner=False)
def national_final() -> Table:
    """Final US deaths and age-adjusted rates by drug, 1999 onward (bundled; compiled from publications)."""
    return nchs_national_final.load()


@st.cache_data(ttl=3600, show_spinner=False)
def catalog_tables() -> dict[str, Table]:
    """Every registered tidy table (data_sources.catalog), for the About page's source list."""
    return catalog.load_all()


# --- live CDC sources: VSRR, 95ax-ymtc, jx6g-fdh6 (issue 3) -----------------------------------------------
# Each reads the freshest good copy (refreshed cache, else bundled snapshot) and never the network; the hour's
# ttl lets a server pick up a refresh written by `python -m data_sources refresh` without a restart.
from data_sources import live, nchs_drug_overdose_rates, nchs_state_drug_poisoning, nchs_vsrr  # noqa: E402


@st.cache_data(ttl=3600, show_spinner=False)
def vsrr_provisional() -> Table:
    """CDC VSRR provisional 12-month-ending counts by state and drug (data.cdc.gov xkb8-kh2a)."""
    return nchs_vsrr.load()


@st.cache_data(ttl=3600, show_spinner=False)
def state_drug_poisoning() -> Table:
    """NCHS final drug poisoning deaths and rates by state with confidence limits, 1999-2017 (jx6g-fdh6)."""
    return nchs_state_drug_poisoning.load()


@st.cache_data(ttl=3600, show_spinner=False)
def drug_overdose_rates() -> Table:
    """NCHS rates by drug, sex, age, race and Hispanic origin, 1999-2018 (95ax-ymtc)."""
    return nchs_drug_overdose_rates.load()


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


# --- risk multipliers and public claims (issue 5) ---------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from data_sources import claims, risk  # noqa: E402


@st.cache_data(show_spinner=False)
def risk_table() -> risk.RiskTable:
    """Relative-risk style figures from published studies (bundled snapshot, built from the data pack)."""
    return risk.load()


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


# --- data page, uploads and data package (issue 7) --------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
from datetime import UTC, datetime  # noqa: E402

from data_sources import export as data_export  # noqa: E402
from data_sources import wonder  # noqa: E402


@st.cache_data(ttl=3600, show_spinner=False)
def all_tables() -> list[data_export.PackageTable]:
    """Every registered table (data_sources.catalog) with its field list, for the Data page and the package."""
    return data_export.collect()


@st.cache_data(ttl=3600, show_spinner="Building the data package...")
def data_package_zip() -> bytes:
    """The data package of every registered table as one zip (CSVs, datapackage.json, README, citations)."""
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
