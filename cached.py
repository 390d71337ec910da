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


# --- risk multipliers and public claims (issue 5) ---------------------------------------------------------


# --- lesson deck (issue 6) ---------------------------------------------------------------------------------


# --- data page, uploads and data package (issue 7) --------------------------------------------------------
