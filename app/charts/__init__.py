"""Chart builders by subject: tidy rows in, plotly figure out. Pure: no streamlit, no I/O.

Conventions every builder keeps (``style``), so the dashboard reads the same everywhere and works for readers
who cannot tell colours apart: Okabe-Ito colours, and every series also differs by dash and marker; titles and
axis titles carry units; missing values are gaps, never zeros (``connectgaps=False``); secondary-source
figures get hollow markers. The words and source under a chart come from ``app.words``.
"""
