"""The shared look of every chart: palette, a fixed style per drug, layout, label wrapping."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]


DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash"]


SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"]


#: A fixed style per drug, so heroin is the same colour, dash and marker on every page.
DRUG_ORDER = [
    "all_drugs",
    "any_opioid",
    "synthetic_opioids",
    "heroin",
    "rx_opioids",
    "rx_opioids_incl_methadone",
    "methadone",
    "cocaine",
    "psychostimulants",
    "rx_and_synthetic_opioids",
    "benzodiazepines",
    "all_causes",
]


FONT = "Source Sans Pro, Arial, sans-serif"


def drug_style(drug: str) -> dict[str, str]:
    """Colour, dash and marker for a drug key; stable across pages."""
    i = DRUG_ORDER.index(drug) if drug in DRUG_ORDER else len(DRUG_ORDER) - 1
    n = len(OKABE_ITO)
    return {"color": OKABE_ITO[i % n], "dash": DASHES[i % n], "symbol": SYMBOLS[i % n]}


def series_style(i: int) -> dict[str, str]:
    """Colour, dash and marker for the i-th series of a chart whose series are not drugs."""
    n = len(OKABE_ITO)
    return {"color": OKABE_ITO[i % n], "dash": DASHES[i % n], "symbol": SYMBOLS[i % n]}


def base_layout(fig: go.Figure, *, title: str, y_title: str, x_title: str = "Year") -> go.Figure:
    """Shared layout: readable type, legend below the plot (fits phones), no plotly logo clutter."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 15},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hovermode="x unified",
        template="plotly_white",
    )
    return fig


def wrap_label(text: str, width: int = 28) -> str:
    """Break a long panel or axis label into lines ('<br>' between words)."""
    return wrap(text, width)


def wrap(text: str, width: int = 46) -> str:
    """Break a long label into lines for a chart axis ('<br>' between words)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def or_none(series: pd.Series) -> list[float | None]:
    """Error-bar lengths with None where there is no interval, so plotly draws no whisker (0 would draw a cap)."""
    return [None if pd.isna(v) else float(v) for v in series]
