"""The shared look of every chart: palette, a fixed style per drug, layout, label wrapping."""

from __future__ import annotations

import re

import numpy as np
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
#: Type size of a chart's words (ticks, legend, labels), px.
BASE_FONT = 15


def drug_style(drug: str) -> dict[str, str]:
    """Colour, dash and marker for a drug key; stable across pages (a drug outside the list: grey, dotted)."""
    return dict(DRUG_STYLES.get(drug, {"color": "#595959", "dash": "dot", "symbol": "circle"}))


def series_style(i: int) -> dict[str, str]:
    """Colour, dash and marker for the i-th series of a chart whose series are not drugs."""
    n = len(PALETTE)
    return {"color": PALETTE[i % n], "dash": DASHES[i % n], "symbol": SYMBOLS[i % n]}


#: Characters per line of a chart title: at the title's 18 px (bold) a line of 40 fits a 390 px phone, whose
#: charts are 358 px wide.
TITLE_WIDTH = 40
#: Characters per line of an axis title or a subtitle (14-15 px type): fits the same phone chart.
LABEL_WIDTH = 46
#: Pixels kept free above a chart's title for plotly's mode bar (its buttons are 26 px tall, 2 px from the top),
#: so the toolbar never sits on the title, even on a phone where the title spans the whole width.
MODEBAR_ROOM = 34
#: Pixels between the title block and the plot when nothing else sits there: clear of the top y tick label,
#: whose upper half stands above the plot.
TITLE_GAP = 12
#: Pixels between the title's last line and the subtitle.
SUBTITLE_GAP = 8
#: Type size of the title and of the subtitle (the chart's unit, or the title's small print), px.
TITLE_PX = 18
SUBTITLE_PX = 14
#: plotly sets lines of text 1.3 em apart.
LINE_HEIGHT = 1.3


def base_layout(
    fig: go.Figure, *, title: str, y_title: str, x_title: str = "Year", room_above_plot: int = 0
) -> go.Figure:
    """Shared layout that fits a 390 px phone as well as a laptop or a projector.

    * The title is wrapped into lines that fit a phone and starts below the mode bar, the top margin sized to
      it (see :func:`retitle`), so it is never cut or covered. ``room_above_plot`` keeps that many pixels free
      between the title block and the plot for what a chart draws there (panel titles, wave labels).
    * The y-axis unit is the title's subtitle, written across, not an axis title turned on its side: a turned
      title costs a phone about 30 px of plot width. A title's closing ``<sup>`` line (its small print) becomes
      the start of the subtitle, and the unit is added unless that line already names it.
    * The legend is anchored to the bottom of the figure (``yref="container"``), which plotly stacks below the
      x-axis labels and title; a legend placed in plot units covers them when the plot is short.
    """
    head, small_print = _split_small_print(wrap_title(title))
    lines = [wrap(small_print, LABEL_WIDTH)] if small_print else []
    if y_title and y_title.lower() not in small_print.lower():
        lines.append(wrap(y_title, LABEL_WIDTH))
    fig.update_layout(
        title={
            "text": head,
            "subtitle": {"text": "<br>".join(lines), "font": {"size": SUBTITLE_PX}},
            "font": {"size": TITLE_PX},  # a <sup> line is drawn at 70%: 12.6 px, still at least 12
            "x": 0,
            "xanchor": "left",
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
            "automargin": False,
            "pad": {"b": 0},
        },
        font={"family": FONT, "size": BASE_FONT},
        # An empty axis title still takes its room in plotly; an axis without one is given None.
        xaxis_title=wrap(x_title, LABEL_WIDTH) or None,
        yaxis_title=None,
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 10, "b": 10},
        hovermode="x unified",
        template="plotly_white",
    )
    whole_year_ticks(fig)
    return _place_title(fig, TITLE_GAP + room_above_plot)


#: A year axis spanning at most this many years gets a tick every year (plotly would put half years between).
YEARLY_TICKS_UP_TO = 8


def whole_year_ticks(fig: go.Figure) -> go.Figure:
    """Ticks on whole years, written without a thousands comma, when every x value drawn so far is a year.

    plotly treats years as plain numbers: over a short span it ticks "2,018.5" between 2018 and 2019. Any other
    x axis (dates, categories, multipliers) is left alone.
    """
    xs = [x for trace in fig.data if getattr(trace, "x", None) is not None for x in trace.x]
    if not xs or not all(isinstance(x, int | np.integer) and 1900 <= x <= 2100 for x in xs):
        return fig
    fig.update_xaxes(tickformat="d")
    if max(xs) - min(xs) <= YEARLY_TICKS_UP_TO:
        fig.update_xaxes(dtick=1)
    return fig


def retitle(
    fig: go.Figure,
    *,
    text: str | None = None,
    size: float | None = None,
    subtitle: str | None = None,
    subtitle_size: float | None = None,
    room_scale: float = 1.0,
) -> go.Figure:
    """Change the title's or the subtitle's words or type size, keeping the title block placed: the room the
    chart keeps between the title block and the plot is kept, times ``room_scale`` (for larger type there)."""
    room = (fig.layout.title.pad.b or 0) - _title_block(fig)[1]
    changes = {"title_text": text, "title_font_size": size}
    changes |= {"title_subtitle_text": subtitle, "title_subtitle_font_size": subtitle_size}
    fig.update_layout({k: v for k, v in changes.items() if v is not None})
    return _place_title(fig, round(room * room_scale))


def _title_block(fig: go.Figure) -> tuple[int, int]:
    """(first line, the rest) of the title block, px. plotly stands a title's first line on its anchor (here
    the top of the plot, less the bottom padding) and hangs any further lines and the subtitle below it."""
    title = fig.layout.title
    text, size = title.text or "", title.font.size or TITLE_PX
    lines = text.count("<br>") + 1 if text else 0
    sub, sub_size = title.subtitle.text or "", title.subtitle.font.size or SUBTITLE_PX
    rest = round(max(lines - 1, 0) * LINE_HEIGHT * size)
    if sub:
        rest += SUBTITLE_GAP + round((sub.count("<br>") + 1) * LINE_HEIGHT * sub_size)
    return (round(LINE_HEIGHT * size) if lines else 0), rest


def _place_title(fig: go.Figure, room: int) -> go.Figure:
    """Make the bottom padding hold what hangs below the title's first line plus ``room``, and the top margin
    the mode bar's room, the first line and that padding. Computed here, not by plotly's title automargin,
    which on a resized chart with square panels (the icon arrays) redraws until it gives up and leaves the title
    no room at all."""
    first, rest = _title_block(fig)
    return fig.update_layout(title_pad_b=rest + room, margin_t=MODEBAR_ROOM + first + rest + room)


def wrap_title(text: str, width: int = TITLE_WIDTH) -> str:
    """Wrap a title into lines of at most ``width`` characters. Its plain lines are one paragraph, wrapped anew
    (a title wrapped for a wider line is re-flowed, not left with a one-word line); a line wholly inside one
    tag (``<sup>...</sup>``) is wrapped inside it; a line with markup in the middle is left as written."""
    lines: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            lines.append(wrap(" ".join(paragraph), width))
            paragraph.clear()

    for line in re.split(r"<br\s*/?>", text):
        whole = re.fullmatch(r"<(\w+)>([^<]*)</\1>", line)
        if "<" not in line:
            paragraph.append(line)
            continue
        flush()
        if whole:
            tag, inner = whole.groups()
            lines += [f"<{tag}>{part}</{tag}>" for part in wrap(inner, width).split("<br>")]
        else:
            lines.append(line)
    flush()
    return "<br>".join(lines)


def _split_small_print(title: str) -> tuple[str, str]:
    """('Main lines', 'small print') from a title whose last lines are ``<sup>`` lines; ('title', '') otherwise."""
    lines = title.split("<br>")
    small: list[str] = []
    while len(lines) > 1 and (whole := re.fullmatch(r"<sup>([^<]*)</sup>", lines[-1])):
        small.insert(0, whole.group(1))
        lines.pop()
    return "<br>".join(lines), " ".join(small)


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
