"""What the printed pages share: the Jinja2 templates (autoescaped) and charts as static plotly SVG.

Charts are plotly figures drawn in the page by plotly.js, which is embedded once per document (from the
installed plotly package, so nothing is fetched); Chromium prints them as vector graphics.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup
from plotly.offline import get_plotlyjs

TEMPLATE_DIR = Path(__file__).parent / "templates"

#: StrictUndefined: a template asking for a value the code did not give fails, instead of printing a blank.
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def template(name: str) -> Template:
    """A template from ``templates/``."""
    return _ENV.get_template(name)


def chart_html(fig: go.Figure, div_id: str) -> Markup:
    """A figure as a static chart (no hover, no toolbar) at its own width and height, for print."""
    html = pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"staticPlot": True, "displayModeBar": False},
    )
    # Trusted: plotly's own output for a figure built here, never text from a reader.
    return Markup(html)


@cache
def plotly_script() -> Markup:
    """plotly.js itself, for one inline ``<script>`` per document."""
    return Markup(get_plotlyjs())
