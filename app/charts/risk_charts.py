"""Risk figures from published studies: ratios with intervals on a log scale, shares, and icon arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.charts.style import LABEL_WIDTH, TITLE_GAP, base_layout, or_none, series_style, wrap
from data_sources.risk import QUESTIONS, STATISTICS

#: Labels are the chart's words, not its furniture: the page's text colour, not the grey of axis labels.
LABEL_COLOUR = "#31333F"
#: Labels stand on white, so the dotted line at 1 passes behind them, not through their words.
LABEL_BACKGROUND = "#FFFFFF"
#: Label rows are 18 px a line; the dot or bar of a row sits in the 30 px under its label.
LINE_PX = 18
MARK_PX = 30
#: Room between two question panels for the question's title (up to two lines).
PANEL_GAP_PX = 60
#: What the title, the axis and the legend take above and below the panels, as drawn on a phone (the legend wraps
#: into more rows there); the figure is this much taller than its rows, so a pixel of plot is at least a unit of y.
FRAME_PX = 320


def risk_label(row: pd.Series, value: str = "") -> str:
    """Label of one risk figure: its value in bold (when given), the group, then the outcome in italics."""
    group = wrap(f"<b>{value}</b> {row['factor']}" if value else str(row["factor"]))
    return f"{group}<br><i>{wrap(str(row['outcome']))}</i>"


def _label_lines(label: str) -> int:
    return label.count("<br>") + 1


def _stack(labels: Sequence[str]) -> tuple[list[float], list[float], float]:
    """Rows from the top, in plot units of one pixel: (label tops, mark centres, total height). Each row is its
    label's lines and, under them, the mark, so the labels span the plot's whole width instead of taking a
    column beside it (which left a phone ~100 px of plot)."""
    heights = [LINE_PX * _label_lines(label) + MARK_PX for label in labels]
    total = float(sum(heights))
    tops, marks, y = [], [], total
    for label, height in zip(labels, heights, strict=True):
        tops.append(y)
        marks.append(y - LINE_PX * _label_lines(label) - MARK_PX / 2)
        y -= height
    return tops, marks, total


def _row_labels(fig: go.Figure, labels: Sequence[str], tops: Sequence[float], *, row: int | None = None) -> None:
    """Each row's label above its mark, from the left edge of the plot."""
    for label, top in zip(labels, tops, strict=True):
        fig.add_annotation(
            text=label,
            x=0,
            xref="x domain" if row in (None, 1) else f"x{row} domain",
            y=top,
            yref="y" if row in (None, 1) else f"y{row}",
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": 14, "color": LABEL_COLOUR},
            bgcolor=LABEL_BACKGROUND,
        )


def risk_chart(
    rows: pd.DataFrame, *, title: str = "How many times higher: risk multipliers with their intervals"
) -> go.Figure:
    """Dot-and-interval chart of ratio figures on a log scale, one panel per question, from the risk table.

    Each dot is a published ratio; the whiskers are its 95% confidence interval where the study gives one (no
    whisker = none available). Hollow dots: read only in texts quoting the study. Colour, marker and legend
    entry name the statistic type (odds ratio, hazard ratio, ...). The dotted line at 1 means "no difference".
    Each figure's label (its value, group and outcome) is written above its dot, across the plot.
    """
    questions = [q for q in QUESTIONS if q in set(rows["question"])]
    groups = [rows[rows["question"] == q] for q in questions]
    labels = [[risk_label(row, f"{row['value']:g}×") for _, row in group.iterrows()] for group in groups]
    stacks = [_stack(panel) for panel in labels]
    totals = [total for _, _, total in stacks] or [1.0]
    panels_px = sum(totals) + PANEL_GAP_PX * (len(totals) - 1)
    height = int(panels_px + FRAME_PX)
    fig = make_subplots(
        rows=max(len(questions), 1),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=PANEL_GAP_PX / panels_px if len(questions) > 1 else 0,
        row_heights=totals,
        subplot_titles=[f"<b>{wrap(QUESTIONS[q])}</b>" for q in questions],
    )
    stats = [s for s in STATISTICS if s in set(rows["statistic"])]
    shown_legend: set[str] = set()
    for r, (group, (_tops, marks, total)) in enumerate(zip(groups, stacks, strict=True), start=1):
        mark_of = dict(zip(group.index, marks, strict=True))
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
                    y=[mark_of[i] for i in part.index],
                    mode="markers",
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
        fig.update_yaxes(range=[0, total], row=r, col=1)
    # Question titles first (make_subplots added them), then the row labels.
    fig.update_annotations(
        xanchor="left", x=0, font={"size": 15, "color": LABEL_COLOUR}, align="left", bgcolor=LABEL_BACKGROUND
    )
    for r, (panel, (tops, _marks, _total)) in enumerate(zip(labels, stacks, strict=True), start=1):
        _row_labels(fig, panel, tops, row=r)
    base_layout(fig, title=title, y_title="", x_title="", room_above_plot=PANEL_GAP_PX - TITLE_GAP)
    # The axis is shared: its title goes under the bottom panel, where its numbers are.
    fig.update_xaxes(
        title_text=wrap("Times higher (log scale; the dotted line at 1 = no difference)", LABEL_WIDTH),
        row=max(len(questions), 1),
        col=1,
    )
    fig.update_layout(hovermode="closest", height=height)
    fig.update_xaxes(type="log", range=[-0.15, 2.4], tickvals=[1, 2, 3, 5, 10, 20, 50, 100, 200])
    fig.update_yaxes(visible=False, fixedrange=True)
    return fig


def share_chart(rows: pd.DataFrame, *, title: str = "Shares: percent of one group (not multipliers)") -> go.Figure:
    """Horizontal bars of share figures (0-100%) from the risk table, with 95% intervals where given; hatched
    bars were read only in texts quoting the study. Each bar's label (its value, group and outcome) is written
    above it, across the plot."""
    style = series_style(0)
    value = rows["value"].astype(float)
    secondary = (rows["provenance"] == "secondary").tolist()
    labels = [risk_label(row, f"{row['value']:g}%") for _, row in rows.iterrows()]
    tops, marks, total = _stack(labels)
    fig = go.Figure(
        go.Bar(
            x=value,
            y=marks,
            width=MARK_PX * 0.6,
            orientation="h",
            name="Share",
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
    _row_labels(fig, labels, tops)
    base_layout(fig, title=title, y_title="", x_title="Percent of the group")
    fig.update_layout(hovermode="closest", height=int(total + FRAME_PX), showlegend=False)
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(visible=False, fixedrange=True, range=[0, total])
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
    two panels can be compared at a glance; the count is also written under each panel (its x-axis title). Up to
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
    panel_lines = max((wrap(label, 24).count("<br>") + 1 for label, _ in groups), default=1)
    base_layout(fig, title=title, y_title="", x_title="", room_above_plot=20 * panel_lines)
    # Fixed ranges: the grid, not the filled dots, sets the panel (a block has no points to autorange on).
    # Square cells are kept by shrinking the panel, not by widening its ranges: plotly writes a widened range
    # back into the figure, so each resize (a window or a slide) widened it again until the grid was a speck.
    fig.update_xaxes(
        range=[-0.5, cols - 0.5],
        constrain="domain",
        showticklabels=False,
        ticks="",
        showgrid=False,
        zeroline=False,
        showline=False,
        fixedrange=True,
    )
    fig.update_yaxes(
        visible=False,
        range=[-0.5, n_rows - 0.5],
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        constraintoward="top",  # the grid stays under its panel title
    )
    for c in range(2, len(groups) + 1):
        fig.update_yaxes(scaleanchor=f"x{c}", row=1, col=c)
    # Each count is its panel's x-axis title: drawn under the grid, and plotly keeps the legend below it.
    for c, (_label, count) in enumerate(groups, start=1):
        fig.update_xaxes(title={"text": f"about {count:,.1f}<br>out of {per:,}", "standoff": 6}, row=1, col=c)
    fig.update_layout(hovermode=False, height=540)
    return fig
