"""The shared look of every chart: palette, a fixed style per drug, layout, label wrapping."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

# Colours for series that are not drugs (places, statistics): hues after Okabe & Ito (2008), "Color Universal
# Design", darkened where needed so every line and marker has at least 3:1 contrast on white (WCAG 1.4.11;
# Okabe-Ito's orange, sky blue and yellow have 2.3:1, 2.3:1 and 1.3:1). Series also differ by dash and marker.
PALETTE = ["#0072B2", "#C04E00", "#007A5A", "#B0427F", "#2A6F97", "#8F6A00", "#6B4E9B", "#595959"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"]

#: A fixed style per drug, so heroin is the same colour, dash and marker on every page, and no two drugs share
#: one (psychostimulants once drew exactly like all drugs). Every colour has at least 3:1 contrast on white.
DRUG_STYLES: dict[str, dict[str, str]] = {
    "all_drugs": {"color": "#000000", "dash": "solid", "symbol": "circle"},
    "any_opioid": {"color": "#6B4E9B", "dash": "dash", "symbol": "square"},
    "synthetic_opioids": {"color": "#C04E00", "dash": "solid", "symbol": "diamond"},
    "heroin": {"color": "#0072B2", "dash": "dashdot", "symbol": "triangle-up"},
    "rx_opioids": {"color": "#007A5A", "dash": "longdash", "symbol": "x"},
    "rx_opioids_incl_methadone": {"color": "#009E73", "dash": "dot", "symbol": "cross"},
    "methadone": {"color": "#595959", "dash": "dashdot", "symbol": "star"},
    "cocaine": {"color": "#8F6A00", "dash": "dash", "symbol": "triangle-down"},
    "psychostimulants": {"color": "#B0427F", "dash": "longdashdot", "symbol": "pentagon"},
    "rx_and_synthetic_opioids": {"color": "#A66300", "dash": "dot", "symbol": "hexagon"},
    "benzodiazepines": {"color": "#2A6F97", "dash": "longdash", "symbol": "hourglass"},
    "all_causes": {"color": "#3B7A2A", "dash": "dash", "symbol": "bowtie"},
}
#: The order drugs are listed in, on every page.
DRUG_ORDER = list(DRUG_STYLES)


FONT = "Source Sans Pro, Arial, sans-serif"


def drug_style(drug: str) -> dict[str, str]:
    """Colour, dash and marker for a drug key; stable across pages (a drug outside the list: grey, dotted)."""
    return dict(DRUG_STYLES.get(drug, {"color": "#595959", "dash": "dot", "symbol": "circle"}))


def series_style(i: int) -> dict[str, str]:
    """Colour, dash and marker for the i-th series of a chart whose series are not drugs."""
    n = len(PALETTE)
    return {"color": PALETTE[i % n], "dash": DASHES[i % n], "symbol": SYMBOLS[i % n]}


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
