"""Risk figures from published studies: ratios with intervals on a log scale, shares, and icon arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.charts.style import base_layout, or_none, series_style, wrap
from data_sources.risk import QUESTIONS, STATISTICS


def risk_label(row: pd.Series) -> str:
    """Axis label of one risk figure: the group, then the outcome in italics."""
    return f"{wrap(str(row['factor']))}<br><i>{wrap(str(row['outcome']))}</i>"


def risk_chart(
    rows: pd.DataFrame, *, title: str = "How many times higher: risk multipliers with their intervals"
) -> go.Figure:
    """Dot-and-interval chart of ratio figures on a log scale, one panel per question, from the risk table.

    Each dot is a published ratio; the whiskers are its 95% confidence interval where the study gives one (no
    whisker = none available). Hollow dots: read only in texts quoting the study. Colour, marker and legend
    entry name the statistic type (odds ratio, hazard ratio, ...). The dotted line at 1 means "no difference".
    """
    questions = [q for q in QUESTIONS if q in set(rows["question"])]
    counts = [int((rows["question"] == q).sum()) for q in questions]
    height = 180 + 80 * max(sum(counts), 1) + 70 * len(questions)
    fig = make_subplots(
        rows=max(len(questions), 1),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=90 / height if len(questions) > 1 else 0,
        row_heights=counts or [1],
        subplot_titles=[f"<b>{wrap(QUESTIONS[q], 60)}</b>" for q in questions],
    )
    stats = [s for s in STATISTICS if s in set(rows["statistic"])]
    shown_legend: set[str] = set()
    for r, question in enumerate(questions, start=1):
        group = rows[rows["question"] == question].iloc[::-1]  # first row at the top
        for stat in stats:
            part = group[group["statistic"] == stat]
            if part.empty:
                continue
            style = series_style(list(STATISTICS).index(stat))
            value = part["value"].astype(float)
            lower = part["value_lower"].astype(float)
            upper = part["value_upper"].astype(float)
            secondary = (part["provenance"] == "secondary").tolist()
            fig.add_trace(
                go.Scatter(
                    x=value,
                    y=[risk_label(row) for _, row in part.iterrows()],
                    mode="markers+text",
                    text=[f"{v:g}×" for v in value],
                    textposition="top center",
                    name=STATISTICS[stat]["label"],
                    legendgroup=stat,
                    showlegend=stat not in shown_legend,
                    marker={
                        "symbol": [style["symbol"] + ("-open" if s else "") for s in secondary],
                        "size": 12,
                        "color": style["color"],
                        "line": {"width": 2, "color": style["color"]},
                    },
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": or_none(upper - value),
                        "arrayminus": or_none(value - lower),
                        "color": style["color"],
                        "thickness": 2,
                        "width": 6,
                    },
                    customdata=[
                        [
                            f"{lo:g} to {hi:g}" if pd.notna(lo) else "not available",
                            "secondary (read where quoted)" if s else "primary",
                        ]
                        for lo, hi, s in zip(lower, upper, secondary, strict=True)
                    ],
                    hovertemplate="%{x:g} times<br>95% CI: %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
                ),
                row=r,
                col=1,
            )
            shown_legend.add(stat)
        fig.add_vline(x=1, line={"color": "#666666", "dash": "dot", "width": 1}, row=r, col=1)
    base_layout(fig, title=title, y_title="", x_title="Times higher (log scale; the dotted line at 1 = no difference)")
    fig.update_layout(
        hovermode="closest",
        height=height,
        legend={"y": -60 / height - 0.02},
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
    )
    fig.update_xaxes(type="log", range=[-0.15, 2.4], tickvals=[1, 2, 3, 5, 10, 20, 50, 100, 200])
    # Question titles are right-aligned to the panel edge, so a long one runs over the label column, not off the plot.
    fig.update_annotations(xanchor="right", x=1, font={"size": 14}, align="right")
    return fig


def share_chart(rows: pd.DataFrame, *, title: str = "Shares: percent of one group (not multipliers)") -> go.Figure:
    """Horizontal bars of share figures (0-100%) from the risk table, with 95% intervals where given; hatched
    bars were read only in texts quoting the study."""
    rows = rows.iloc[::-1]
    style = series_style(0)
    value = rows["value"].astype(float)
    secondary = (rows["provenance"] == "secondary").tolist()
    fig = go.Figure(
        go.Bar(
            x=value,
            y=[risk_label(row) for _, row in rows.iterrows()],
            orientation="h",
            name="Share",
            text=[f"{v:g}%" for v in value],
            textposition="outside",
            marker={"color": style["color"], "pattern": {"shape": ["/" if s else "" for s in secondary]}},
            error_x={
                "type": "data",
                "symmetric": False,
                "color": "#000000",
                "array": or_none(rows["value_upper"].astype(float) - value),
                "arrayminus": or_none(value - rows["value_lower"].astype(float)),
            },
            hovertemplate="%{x:g}%<extra></extra>",
        )
    )
    base_layout(fig, title=title, y_title="", x_title="Percent of the group")
    fig.update_layout(hovermode="closest", height=160 + 80 * len(rows), showlegend=False)
    fig.update_xaxes(range=[0, 110], ticksuffix="%")
    return fig


def icon_grid(per: int) -> tuple[int, int]:
    """(columns, rows) of an icon array of ``per`` icons: 10x10, 40x25 or 100x100."""
    return {100: (10, 10), 1000: (40, 25), 10_000: (100, 100)}[per]


#: Above this many people per panel, the people without the outcome are drawn as one pale block, not a dot each:
#: 2 x 10,000 SVG circles took over a second to draw on a laptop (bench/NOTES.md) and longer on a phone.
MAX_EMPTY_DOTS = 1000


def icon_array_chart(groups: Sequence[tuple[str, float]], *, per: int, outcome: str, title: str) -> go.Figure:
    """One icon array per group: ``per`` people, of whom round(count) are filled (people with the outcome).

    ``groups`` is [(label, count out of per), ...]. Filled dots fill row by row from the top left, so the
    two panels can be compared at a glance; the count is also written under each panel. Up to
    ``MAX_EMPTY_DOTS`` every person is a dot; beyond that the rest of the grid is one pale block behind the
    filled dots, which reads the same and draws in a fraction of the time.
    """
    cols, n_rows = icon_grid(per)
    size = {100: 16, 1000: 7, 10_000: 3}[per]
    block = per > MAX_EMPTY_DOTS
    fig = make_subplots(
        rows=1, cols=len(groups), horizontal_spacing=0.06, subplot_titles=[wrap(label, 24) for label, _ in groups]
    )
    filled_style = series_style(4)
    # Open dots at 3.5:1 on white (WCAG 1.4.11); the pale block behind thousands of people is an area, not a mark.
    empty_colour = "#E3E3E3" if block else "#8A8A8A"
    filled_size = max(size, 6)  # with tiny cells the filled dots are drawn larger, so a few dozen still show
    for c, (_label, count) in enumerate(groups, start=1):
        k = round(count)
        # numpy arrays, not lists: plotly sends them to the browser as compact typed arrays.
        index = np.arange(per)
        xs, ys = index % cols, n_rows - 1 - index // cols
        if block:
            fig.add_shape(
                type="rect",
                x0=-0.5,
                x1=cols - 0.5,
                y0=-0.5,
                y1=n_rows - 0.5,
                fillcolor=empty_colour,
                line_width=0,
                layer="below",
                row=1,
                col=c,
            )
            # The legend still names the grey: one marker with no point on the chart.
            empty = go.Scatter(x=[None], y=[None], marker={"symbol": "square", "size": 12, "color": empty_colour})
        else:
            idx = index[index >= k]
            empty = go.Scatter(
                x=xs[idx], y=ys[idx], marker={"symbol": "circle-open", "size": size, "color": empty_colour}
            )
        empty.update(mode="markers", name="Did not", legendgroup="Did not", showlegend=c == 1, hoverinfo="skip")
        fig.add_trace(empty, row=1, col=c)
        idx = index[index < k]
        fig.add_trace(
            go.Scatter(
                x=xs[idx],
                y=ys[idx],
                mode="markers",
                name=wrap(outcome, 40),
                legendgroup=outcome,
                showlegend=c == 1,
                marker={"symbol": "circle", "size": filled_size, "color": filled_style["color"]},
                hoverinfo="skip",
            ),
            row=1,
            col=c,
        )
        fig.add_annotation(
            text=f"about {count:,.1f} out of {per:,}",
            x=0.5,
            y=-0.03,
            yanchor="top",  # under the grid, not over its bottom row
            yref="paper",
            xref="x domain" if c == 1 else f"x{c} domain",
            showarrow=False,
            font={"size": 14},
        )
    base_layout(fig, title=title, y_title="", x_title="")
    # Fixed ranges: the grid, not the filled dots, sets the panel (a block has no points to autorange on).
    fig.update_xaxes(visible=False, range=[-0.5, cols - 0.5])
    fig.update_yaxes(visible=False, range=[-0.5, n_rows - 0.5], scaleanchor="x", scaleratio=1)
    for c in range(2, len(groups) + 1):
        fig.update_yaxes(scaleanchor=f"x{c}", row=1, col=c)
    fig.update_layout(hovermode=False, height=540, legend={"y": -0.1}, margin={"l": 10, "r": 10, "t": 160, "b": 10})
    return fig
