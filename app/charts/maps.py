"""Maps of a rate by state: a choropleth drawn from outlines the app serves itself, and an equal-area tile grid."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.charts.style import base_layout
from app.words import FLAGS_SHORT
from data_sources.dictionary import measure_unit
from data_sources.geography import BY_FIPS, STATES, tile_grid_size
from data_sources.schema import split_flags

#: Sequential blues (ColorBrewer "Blues", light = low, dark = high): one hue, so order reads without colour
#: names, and it stays ordered for the common colour-vision deficiencies. Missing states are grey.
STATE_SCALE = [[0.0, "#eff3ff"], [0.25, "#bdd7e7"], [0.5, "#6baed6"], [0.75, "#3182bd"], [1.0, "#08519c"]]


NO_VALUE_COLOUR = "#d9d9d9"

#: The colour key lies under the map, across its width: standing at the side it took a third of a phone's
#: width from the map.
RATE_COLORBAR = {
    "title": {"text": "Deaths per 100,000 people", "side": "top"},
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "y": 0,
    "yanchor": "top",
    "len": 1,
    "thickness": 14,
}


#: Flags that mean "no value to colour by" on a map (the value is withheld or not shown by the publisher).
_NO_VALUE_FLAGS = {"suppressed", "low_quality", "not_applicable", "missing"}


#: Measures a map may show: rates only. Counts depend on population size, so mapping them would show where
#: many people live, not where the risk is.
MAP_MEASURES = ("age_adjusted_rate_per_100k", "crude_rate_per_100k")


def _no_value(rows: pd.DataFrame) -> pd.Series:
    return rows["value"].isna() | rows["value_flag"].map(lambda f: bool(set(split_flags(f)) & _NO_VALUE_FLAGS))


def _hover(rows: pd.DataFrame, measure: str) -> list[str]:
    """Hover text per state: name, value with unit and interval, and any flag in words."""
    unit = measure_unit(measure)
    texts = []
    for row in rows.to_dict("records"):
        if pd.isna(row["value"]):
            text = f"{row['geo_name']}: no value"
        else:
            text = f"{row['geo_name']}: {row['value']:,.1f} {unit}"
            if not pd.isna(row["value_lower"]) and not pd.isna(row["value_upper"]):
                text += f"<br>95% CI {row['value_lower']:,.1f} to {row['value_upper']:,.1f}"
        flags = [f for f in split_flags(row["value_flag"]) if f != "provisional"]
        if flags:
            text += "<br>" + "; ".join(FLAGS_SHORT.get(f, f) for f in flags)
        texts.append(text)
    return texts


def _check_map_measure(measure: str) -> None:
    if measure not in MAP_MEASURES:
        raise ValueError(
            f"maps show rates only ({', '.join(MAP_MEASURES)}), not {measure!r}: counts follow "
            "population size, not risk"
        )


def state_map_chart(rows: pd.DataFrame, *, measure: str, title: str) -> go.Figure:
    """US choropleth of a rate by state (rows from :func:`state_rows`), offline-ready.

    The outlines come from plotly's ``usa_110m`` topojson, which the page serves itself (``static/``, pass
    ``config={"topojsonURL": "/app/static/"}`` to ``st.plotly_chart``). States without a value are grey and
    say why on hover; unreliable rates keep their colour and say so on hover.
    """
    _check_map_measure(measure)
    usps = rows["geo_code"].map(lambda c: BY_FIPS[c].usps)
    blank = _no_value(rows)
    hover = _hover(rows, measure)
    fig = go.Figure()
    shown = rows[~blank]
    fig.add_trace(
        go.Choropleth(
            locationmode="USA-states",
            locations=usps[~blank],
            z=shown["value"].astype(float),
            text=[h for h, b in zip(hover, blank, strict=True) if not b],
            hoverinfo="text",
            name="Rate",
            colorscale=STATE_SCALE,
            marker={"line": {"color": "#ffffff", "width": 0.8}},
            colorbar=RATE_COLORBAR,
        )
    )
    if blank.any():
        fig.add_trace(
            go.Choropleth(
                locationmode="USA-states",
                locations=usps[blank],
                z=[0.0] * int(blank.sum()),
                text=[h for h, b in zip(hover, blank, strict=True) if b],
                hoverinfo="text",
                name="No value",
                colorscale=[[0, NO_VALUE_COLOUR], [1, NO_VALUE_COLOUR]],
                showscale=False,
                marker={"line": {"color": "#ffffff", "width": 0.8}},
            )
        )
    base_layout(fig, title=title, y_title="", x_title="")
    fig.update_layout(
        geo={
            "scope": "usa",
            "projection": {"type": "albers usa"},
            "resolution": 110,
            "showlakes": False,
            "bgcolor": "rgba(0,0,0,0)",
        },
        hovermode="closest",
        height=460,
        margin={"l": 0, "r": 0, "b": 0},
    )
    return fig


def tile_map_chart(rows: pd.DataFrame, *, measure: str, title: str, highlight: str | None = None) -> go.Figure:
    """Equal-area tile grid: every state one square, so small states are as visible as large ones.

    Each tile shows the postal code and the rate (or "n/a"); grey tiles have no value. ``highlight`` (a FIPS
    code) draws a thick outline round one state.
    """
    _check_map_measure(measure)
    n_rows, n_cols = tile_grid_size()
    by_code = {str(r["geo_code"]): r for r in rows.to_dict("records")}
    blank = dict(zip(rows["geo_code"], _no_value(rows), strict=True))
    values = rows.loc[~_no_value(rows), "value"].astype(float)
    lo, hi = (float(values.min()), float(values.max())) if not values.empty else (0.0, 1.0)
    z: list[list[float | None]] = [[None] * n_cols for _ in range(n_rows)]
    grey: list[list[float | None]] = [[None] * n_cols for _ in range(n_rows)]
    hover = [[""] * n_cols for _ in range(n_rows)]
    texts = dict(zip(rows["geo_code"], _hover(rows, measure), strict=True))
    fig = go.Figure()
    annotations = []
    for state in STATES:
        row = by_code.get(state.fips)
        value = float(row["value"]) if row is not None and not blank[state.fips] else None
        hover[state.row][state.col] = texts.get(state.fips, f"{state.name}: not in this table")
        if value is not None:
            z[state.row][state.col] = value
        else:
            grey[state.row][state.col] = 0.0
        share = (value - lo) / (hi - lo) if value is not None and hi > lo else 0.0
        label = f"<b>{state.usps}</b><br>{value:,.1f}" if value is not None else f"<b>{state.usps}</b><br>n/a"
        if row is not None and value is not None and "unreliable" in split_flags(row["value_flag"]):
            label += "*"
        annotations.append(
            {
                "x": state.col,
                "y": state.row,
                "text": label,
                "showarrow": False,
                "font": {"size": 12, "color": "#ffffff" if share > 0.55 else "#1a1a1a"},
            }
        )
    fig.add_trace(
        go.Heatmap(
            z=grey,
            colorscale=[[0, NO_VALUE_COLOUR], [1, NO_VALUE_COLOUR]],
            showscale=False,
            xgap=3,
            ygap=3,
            text=hover,
            hoverinfo="text",
            name="No value",
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            colorscale=STATE_SCALE,
            zmin=lo,
            zmax=hi,
            xgap=3,
            ygap=3,
            text=hover,
            hoverinfo="text",
            name="Rate",
            colorbar=RATE_COLORBAR,
        )
    )
    if highlight in BY_FIPS:
        s = BY_FIPS[highlight]
        fig.add_shape(
            type="rect",
            x0=s.col - 0.5,
            x1=s.col + 0.5,
            y0=s.row - 0.5,
            y1=s.row + 0.5,
            line={"color": "#000000", "width": 4},
        )
    base_layout(fig, title=title, y_title="", x_title="")
    fig.update_layout(
        annotations=annotations,
        hovermode="closest",
        height=460,
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 0, "r": 0, "b": 0},
    )
    fig.update_xaxes(visible=False, range=[-0.6, n_cols - 0.4])
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1)
    return fig
