"""Small multiples of a rate by sex, age group, or race and Hispanic origin, on one shared scale."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.charts.style import base_layout, drug_style, wrap_label
from app.rows import demographic_rows, group_order
from app.words import group_label, upper_first
from data_sources.dictionary import measure_unit
from data_sources.schema import has_flag

#: Panels per row of the small multiples.
COLUMNS = 3


def panel_positions(n_groups: int, columns: int = COLUMNS) -> list[tuple[int, int]]:
    """(row, column), counted from 1, of each group's panel, filled row by row."""
    cols = max(min(columns, n_groups), 1)
    return [(i // cols + 1, i % cols + 1) for i in range(n_groups)]


def demographics_chart(
    data: pd.DataFrame,
    *,
    drug: str,
    by: str,
    measure: str,
    title: str,
    years: tuple[int, int] | None = None,
    columns: int = COLUMNS,
) -> go.Figure:
    """Small multiples: one panel per group (each sex, age band or race and Hispanic origin group), the same
    y-axis in every panel so heights compare. Withheld values are gaps; unreliable ones hollow markers."""
    rows = demographic_rows(data, drug=drug, by=by, measure=measure, years=years)
    groups = group_order(rows[by], by)
    n = max(len(groups), 1)
    cols = min(columns, n)
    n_rows = -(-n // cols)
    panels = panel_positions(len(groups), columns)
    fig = make_subplots(
        rows=n_rows,
        cols=cols,
        shared_yaxes=True,
        shared_xaxes=True,
        subplot_titles=[wrap_label(group_label(g, by)) for g in groups],
        vertical_spacing=0.16 if n_rows > 1 else 0.1,
        horizontal_spacing=0.04,
    )
    style = drug_style(drug)
    for i, group in enumerate(groups):
        part = rows[rows[by] == group]
        full = pd.DataFrame({"year": range(int(part["year"].min()), int(part["year"].max()) + 1)})
        part = full.merge(part, on="year", how="left")
        hollow = has_flag(part["value_flag"], "unreliable").tolist()
        fig.add_trace(
            go.Scatter(
                x=part["year"].astype(int),
                y=part["value"].astype(float),
                name=group_label(group, by),
                mode="lines+markers",
                connectgaps=False,
                showlegend=False,
                line={"color": style["color"], "dash": style["dash"], "width": 2.5},
                marker={
                    "symbol": [style["symbol"] + ("-open" if h else "") for h in hollow],
                    "size": 6,
                    "color": style["color"],
                },
                hovertemplate=f"{group_label(group, by)}: " + "%{y:,.1f}<extra>%{x}</extra>",
            ),
            row=panels[i][0],
            col=panels[i][1],
        )
    # The unit is said once, under the title (an axis title per row would cost every panel width on a phone);
    # the panel titles of the top row sit between the title and the plot.
    panel_lines = max((wrap_label(group_label(g, by)).count("<br>") + 1 for g in groups), default=1)
    base_layout(
        fig, title=title, y_title=upper_first(measure_unit(measure)), x_title="", room_above_plot=20 * panel_lines
    )
    fig.update_layout(height=max(320, 260 * n_rows), hovermode="closest")
    # One scale for every panel, across rows too (shared_yaxes only links panels within a row), so heights
    # can be compared, as the page tells readers.
    fig.update_yaxes(rangemode="tozero", matches="y")
    fig.layout.yaxis.matches = None  # the first axis is the one the others follow
    return fig
