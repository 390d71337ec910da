"""Benchmark naive peer: a typical first-draft dashboard that re-reads a VSRR-sized CSV on every rerun.

Not part of the dashboard. ``bench/run.py`` writes a *synthetic* CSV in the layout of CDC's VSRR provisional
counts (data.cdc.gov ``xkb8-kh2a``), about the size of the real 14.5 MB export, into a temporary folder and
passes its path in ``BENCH_VSRR_CSV``. No figure here is real; the page says so.
"""

import os

import pandas as pd
import plotly.express as px
import streamlit as st

# The naive part, on purpose: no st.cache_data, so every rerun (every widget change) parses the whole file.
raw = pd.read_csv(os.environ["BENCH_VSRR_CSV"])
indicator = st.selectbox("Indicator", sorted(raw["Indicator"].unique()), key="indicator")
rows = raw[(raw["State"] == "US") & (raw["Indicator"] == indicator) & (raw["Period"] == "12 month-ending")]
rows = rows.assign(date=pd.to_datetime(rows["Year"].astype(str) + " " + rows["Month"], format="%Y %B"))
fig = px.line(rows.sort_values("date"), x="date", y="Data Value", title="Naive peer: SYNTHETIC data, not CDC figures")
st.plotly_chart(fig, key="chart")
