"""Benchmark floor: the least a Streamlit page with one plotly chart and one selectbox can cost.

Not part of the dashboard. ``bench/run.py`` serves it next to the dashboard and reports every page's times as
ratios to this one. The numbers drawn are synthetic (a fixed arithmetic series), labelled as such on screen.
"""

import plotly.graph_objects as go
import streamlit as st

series = st.selectbox("Series", ["Series A", "Series B"], key="series")
step = 1 if series == "Series A" else 2
years = list(range(1999, 2024))
fig = go.Figure(go.Scatter(x=years, y=[step * (y - 1998) for y in years], mode="lines+markers", name=series))
fig.update_layout(title="Floor app: synthetic numbers, not data")
st.plotly_chart(fig, key="chart")
