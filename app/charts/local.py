"""Local pictures: a state's counties coloured by NCHS's modelled rate range, and nonfatal overdose visits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from app.charts.maps import RATE_COLORBAR
from app.charts.style import base_layout, series_style, wrap
from app.words import VISIT_KINDS
from data_sources.dictionary import measure_unit

#: Sixteen ordered ranges need a sequential scale; light = low, dark = high (ColorBrewer YlOrRd, 9 classes,
#: stretched over the ranges). Each range gets one flat colour, so a county is never shown as a point value.
RANGE_COLOURS = (
    "#ffffcc", "#fff3b2", "#ffeda0", "#fed976", "#fec660", "#feb24c", "#fd9f44", "#fd8d3c",
    "#fc6c33", "#fc4e2a", "#ef3b2c", "#e31a1c", "#d00d21", "#bd0026", "#a10026", "#800026",
)  # fmt: skip


def county_range_chart(
    rows: pd.DataFrame, outlines: Mapping[str, Any], *, labels: Sequence[str], title: str
) -> go.Figure:
    """Counties of one state coloured by the published range of their modelled rate.

    ``rows``: one row per county with ``outline_id`` (the feature id in ``outlines``), ``range_index`` (position in
    ``labels``), ``range_label``, ``geo_name`` and ``population``. Only the ranges' colours and bounds are drawn:
    the colour bar marks the 16 published ranges at their bounds, and the hover names the range, never a single
    number.
    """
    n = len(labels)
    scale = []
    for i, colour in enumerate(RANGE_COLOURS[:n]):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    hover = [
        f"{r['geo_name']}<br>{r['range_label']} deaths per 100,000 (model-based range)<br>Population {r['population']}"
        for r in rows.to_dict("records")
    ]
    fig = go.Figure(
        go.Choropleth(
            geojson=outlines,
            featureidkey="id",
            locations=rows["outline_id"],
            z=rows["range_index"].astype(float) + 0.5,
            zmin=0,
            zmax=n,
            colorscale=scale,
            text=hover,
            hoverinfo="text",
            marker={"line": {"color": "#ffffff", "width": 0.6}},
            # Under the map, across its width (at the side it took a third of a phone's width), marked at the
            # ranges' bounds: sixteen range labels side by side would not fit a phone.
            colorbar={
                **RATE_COLORBAR,
                "title": {
                    "text": wrap("Deaths per 100,000 people (each colour is one published range)", 34),
                    "side": "top",
                },
                "tickvals": list(range(n)),
                "ticktext": [label.split("-")[0].strip("<+") if i else "0" for i, label in enumerate(labels)],
            },
            name="County",
        )
    )
    base_layout(fig, title=title, y_title="", x_title="")
    # Zoomed to the state's counties. Plotly still loads its base map (static/world_110m.json, served by this
    # app through the chart's topojsonURL, never its CDN) even though it is hidden here.
    fig.update_geos(projection={"type": "mercator"}, fitbounds="locations", visible=False)
    fig.update_layout(hovermode="closest", height=520, margin={"l": 0, "r": 0, "b": 0})
    return fig


def visit_style_index(measure: str) -> int:
    """The series style (``series_style``) of a kind of visit; style 0 is the death rate's, on its own chart."""
    return list(VISIT_KINDS).index(measure) + 1


def visits_chart(rows: pd.DataFrame, *, title: str) -> go.Figure:
    """Nonfatal overdose visit rates by year: emergency department visits and hospitalizations, one line each.

    ``rows``: tidy DOSE rows of one place and drug group, measures ``ed_visit_rate_per_100k`` and
    ``hospitalization_rate_per_100k``. Withheld values are gaps.
    """
    fig = go.Figure()
    for measure, name in VISIT_KINDS.items():
        part = rows[rows["measure"] == measure].sort_values("year")
        if part.empty:
            continue
        style = series_style(visit_style_index(measure))
        fig.add_trace(
            go.Scatter(
                x=part["year"].astype(int),
                y=part["value"].astype(float),
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": style["color"], "dash": style["dash"], "width": 3},
                marker={"symbol": style["symbol"], "size": 8, "color": style["color"]},
                hovertemplate="%{y:,.1f} per 100,000<extra>" + name + "</extra>",
            )
        )
    base_layout(fig, title=title, y_title="Visits per 100,000 people")
    fig.update_yaxes(rangemode="tozero")
    return fig


def death_rate_chart(rows: pd.DataFrame, *, title: str) -> go.Figure:
    """A state's age-adjusted overdose death rate by year, on its own axis (never shared with visits)."""
    part = rows.sort_values("year")
    style = series_style(0)
    fig = go.Figure(
        go.Scatter(
            x=part["year"].astype(int),
            y=part["value"].astype(float),
            name="Deaths",
            mode="lines+markers",
            connectgaps=False,
            line={"color": style["color"], "width": 3},
            marker={"size": 8, "color": style["color"]},
            hovertemplate="%{y:,.1f} per 100,000<extra>Deaths</extra>",
        )
    )
    base_layout(fig, title=title, y_title=measure_unit("age_adjusted_rate_per_100k").split(" (")[0].capitalize())
    fig.update_yaxes(rangemode="tozero")
    return fig
