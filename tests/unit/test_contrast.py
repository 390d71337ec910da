"""Every line and marker the app draws has at least 3:1 contrast against the white page (WCAG 1.4.11), and no two
drugs share a style. Built from the real views over the bundled tables, so a new chart is covered when it is
added to ``figures`` below."""

from __future__ import annotations

from collections.abc import Iterator

import plotly.graph_objects as go
import pytest

from app import views
from app.charts import risk_charts
from app.charts.style import DRUG_STYLES
from app.lesson import deck
from data_sources import cdc_dose_nonfatal, risk

WHITE = "#ffffff"


def luminance(colour: str) -> float:
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str = WHITE) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mark_colours(fig: go.Figure) -> Iterator[tuple[str, str]]:
    """(trace name, colour) of every line and marker with points on the chart (legend-only swatches and filled
    areas such as map regions and confidence bands are areas, not marks)."""
    for trace in fig.data:
        if trace.type not in ("scatter", "bar"):
            continue
        xs = [x for x in (trace.x if trace.x is not None else []) if x is not None]
        if not xs:
            continue
        if trace.type == "scatter" and trace.fill in ("toself", "tonexty"):
            continue
        for part in (getattr(trace, "line", None), getattr(trace, "marker", None)):
            colour = getattr(part, "color", None) if part is not None else None
            if isinstance(colour, str) and colour.startswith("#"):
                yield str(trace.name), colour


def figures(national_table, state_table, vsrr_table, rates_table, risk_table) -> dict[str, go.Figure]:
    drugs = [d for d in DRUG_STYLES if d in set(national_table.data["drug"])]
    ratios, shares = risk.ratio_rows(risk_table.data), risk.share_rows(risk_table.data)
    states = ("54", "39", "21", "24", "34", "10", "44", "25")
    tables = deck.Tables(national_table, state_table, risk_table)
    out = {
        "trend": views.trend_view(
            national_table,
            drugs=drugs,
            measure="deaths",
            years=(1999, 2023),
            log_y=False,
            show_waves=True,
            segments=True,
        ).figure,
        "states": views.state_trend_view(
            state_table,
            geo_codes=states,
            measure="age_adjusted_rate_per_100k",
            drug="all_drugs",
            include_nation=True,
            title="t",
            key="k",
        ).figure,
        "groups": views.demographics_view(
            rates_table, drug="heroin", by="age_group", measure="crude_rate_per_100k", years=(1999, 2018)
        ).figure,
        "risk": views.risk_view(risk_table, ratios, list(ratios["question"].unique())).figure,
        "shares": views.share_view(risk_table, shares).figure,
        "icons": risk_charts.icon_array_chart([("a", 30.0), ("b", 5.0)], per=100, outcome="o", title="t"),
        "revisions": views.revisions_view(vsrr_table, national_table).figure,
    }
    pair = views.nonfatal_views(cdc_dose_nonfatal.load(), state_table, state_fips="21", drug="nonfatal_all_drugs")
    assert pair is not None
    out["visits"], out["deaths_beside_visits"] = pair[0].figure, pair[1].figure
    for slide in deck.load(tables):
        figure = deck.figure(slide, tables)
        if figure is not None:
            out[f"slide {slide.id}"] = figure
    return out


def test_every_line_and_marker_has_3_to_1_contrast(national_table, state_table, vsrr_table, rates_table, risk_table):
    low = [
        (name, trace, colour, round(contrast(colour), 2))
        for name, fig in figures(national_table, state_table, vsrr_table, rates_table, risk_table).items()
        for trace, colour in mark_colours(fig)
        if contrast(colour) < 3.0
    ]
    assert not low, low


@pytest.mark.parametrize("drug", list(DRUG_STYLES))
def test_drug_styles_are_unique_and_readable(drug):
    style = DRUG_STYLES[drug]
    assert contrast(style["color"]) >= 3.0
    others = [d for d, s in DRUG_STYLES.items() if d != drug]
    assert all(DRUG_STYLES[d]["color"] != style["color"] for d in others), "two drugs share a colour"
    assert all((DRUG_STYLES[d]["dash"], DRUG_STYLES[d]["symbol"]) != (style["dash"], style["symbol"]) for d in others)
