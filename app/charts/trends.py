"""Lines over time: the national trend by drug, places against the nation, and a reader's uploaded export."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from app.charts.style import DRUG_ORDER, base_layout, drug_style, series_style
from app.rows import national_series, state_trend_rows, upload_rows
from app.words import upper_first
from data_sources.dictionary import MEASURES, drug_title, measure_unit
from data_sources.schema import has_flag
from data_sources.trends import TrendFit

# The three waves as CDC describes them (https://www.cdc.gov/overdose-prevention/about/understanding-the-opioid-overdose-epidemic.html):
# prescription opioids from the 1990s, heroin from 2010, synthetic opioids (illicitly made fentanyl) from 2013.
OPIOID_WAVES: tuple[tuple[int, str], ...] = (
    (1999, "Wave 1: prescription opioids (from the 1990s)"),
    (2010, "Wave 2: heroin (from 2010)"),
    (2013, "Wave 3: synthetic opioids such as fentanyl (from 2013)"),
)


def trend_chart(
    data: pd.DataFrame,
    *,
    drugs: Sequence[str],
    measure: str = "deaths",
    years: tuple[int, int] | None = None,
    log_y: bool = False,
    show_waves: bool = True,
    title: str | None = None,
) -> go.Figure:
    """Lines of ``measure`` over years, one per drug, from a tidy national table.

    Years with no figure are gaps (``connectgaps=False``); secondary-source figures have hollow markers.
    With ``show_waves`` the three waves of the opioid epidemic are marked where they fall in the range.
    """
    rows = national_series(data, drugs=drugs, measure=measure, years=years)
    fig = go.Figure()
    for drug in [d for d in DRUG_ORDER if d in set(drugs)] + [d for d in drugs if d not in DRUG_ORDER]:
        series = rows[rows["drug"] == drug]
        if series.empty:
            continue
        full = pd.DataFrame({"year": range(int(series["year"].min()), int(series["year"].max()) + 1)})
        series = full.merge(series, on="year", how="left")
        secondary = has_flag(series["value_flag"], "secondary_source").tolist()
        style = drug_style(drug)
        fig.add_trace(
            go.Scatter(
                x=series["year"].astype(int),
                y=series["value"].astype(float),
                name=drug_title(drug),
                mode="lines+markers",
                connectgaps=False,
                line={"color": style["color"], "dash": style["dash"], "width": 3},
                marker={
                    "symbol": [style["symbol"] + ("-open" if s else "") for s in secondary],
                    "size": 8,
                    "color": style["color"],
                },
                hovertemplate="%{y:,.1f}" if measure != "deaths" else "%{y:,.0f}",
            )
        )
    unit = measure_unit(measure)
    # Room between the title and the plot for the wave labels.
    base_layout(
        fig,
        title=title or f"{MEASURES[measure].title}, United States",
        y_title=unit.capitalize(),
        room_above_plot=24 if show_waves else 0,
    )
    fig.update_yaxes(type="log" if log_y else "linear", rangemode="tozero" if not log_y else None)
    if show_waves and not rows.empty:
        lo, hi = int(rows["year"].min()), int(rows["year"].max())
        for i, (year, label) in enumerate(OPIOID_WAVES):
            if lo <= year <= hi:
                fig.add_vline(x=year, line={"color": "#666666", "dash": "dot", "width": 1})
                fig.add_annotation(
                    x=year,
                    y=1,
                    yref="paper",
                    text=label.split(":")[0],
                    showarrow=False,
                    xanchor="left",
                    yanchor="bottom",
                    font={"size": 12, "color": "#444444"},
                    hovertext=label,
                    # Waves 2 and 3 start three years apart: the later label sits lower so they never overlap.
                    yshift=-16 * (i % 2 == 0 and i > 0),
                )
    return fig


def with_every_period(series: pd.DataFrame, *, monthly: bool) -> pd.DataFrame:
    """One series with a row for every year (or month end) from its first to its last, empty where the table
    has none: plotly then leaves a gap there (``connectgaps=False``) instead of drawing a line across it."""
    if series.empty:
        return series
    if monthly:
        ends = pd.date_range(series["period_end_date"].min(), series["period_end_date"].max(), freq="ME")
        frame = pd.DataFrame({"period_end_date": ends.astype("datetime64[ns]")})
        out = frame.merge(series, on="period_end_date", how="left")
    else:
        years = range(int(series["year"].min()), int(series["year"].max()) + 1)
        out = pd.DataFrame({"year": pd.array(list(years), dtype="Int64")}).merge(series, on="year", how="left")
    out["geo_name"] = out["geo_name"].fillna(series["geo_name"].iloc[0])
    return out


def state_trend_chart(
    data: pd.DataFrame,
    *,
    geo_codes: Sequence[str],
    measure: str,
    drug: str = "all_drugs",
    include_nation: bool = True,
    title: str,
) -> go.Figure:
    """Lines over time for chosen states against the United States (thick black line), one drug and measure.

    Yearly data are drawn by year; CDC's 12-month-ending periods by the month each period ends. Withheld
    values are gaps; unreliable ones have hollow markers. Rates get a shaded 95% interval for the nation.
    """
    rows = state_trend_rows(data, geo_codes=geo_codes, measure=measure, drug=drug, include_nation=include_nation)
    monthly = bool((rows["period_end_date"].dt.month != 12).any())
    x_col = "period_end_date" if monthly else "year"
    fig = go.Figure()
    order = list(dict.fromkeys([*geo_codes, *(["US"] if include_nation else [])]))
    hover = "%{y:,.0f}" if measure in ("deaths", "predicted_deaths", "population") else "%{y:,.1f}"
    for i, code in enumerate(c for c in order if c in set(rows["geo_code"])):
        part = with_every_period(rows[rows["geo_code"] == code], monthly=monthly)
        x = part[x_col] if monthly else part[x_col].astype(int)
        hollow = has_flag(part["value_flag"].fillna(""), "unreliable").tolist()
        if code == "US":
            style = {"color": "#000000", "dash": "solid", "symbol": "circle"}
            width = 4.0
            if part["value_lower"].notna().any():
                fig.add_trace(
                    go.Scatter(
                        x=list(x) + list(x)[::-1],
                        y=list(part["value_upper"].astype(float)) + list(part["value_lower"].astype(float))[::-1],
                        fill="toself",
                        fillcolor="rgba(0,0,0,0.12)",
                        line={"width": 0},
                        hoverinfo="skip",
                        name="United States, 95% interval",
                    )
                )
        else:
            style = series_style(i)
            width = 2.5
        fig.add_trace(
            go.Scatter(
                x=x,
                y=part["value"].astype(float),
                name=str(part["geo_name"].iloc[0]),
                mode="lines+markers",
                connectgaps=False,
                line={"color": style["color"], "dash": style["dash"], "width": width},
                marker={
                    "symbol": [style["symbol"] + ("-open" if h else "") for h in hollow],
                    "size": 7,
                    "color": style["color"],
                },
                hovertemplate=hover,
            )
        )
    x_title = "12 months ending" if monthly else "Year"
    base_layout(fig, title=title, y_title=upper_first(measure_unit(measure)), x_title=x_title)
    fig.update_yaxes(rangemode="tozero")
    return fig


def upload_chart(rows: pd.DataFrame, *, measure: str, series: Sequence[str], title: str) -> go.Figure:
    """Lines over time (bars when the export has one period) of ``measure`` for the chosen ``series``.

    Suppressed, not-applicable and missing values are gaps; figures WONDER marks unreliable but still gives are
    drawn with hollow markers.
    """
    shown = upload_rows(rows, measure=measure, series=series)
    monthly = bool((shown["period_months"] == 1).any())
    x_col = "period_end_date" if monthly else "year"
    single_period = shown[x_col].nunique() <= 1
    fig = go.Figure()
    for i, name in enumerate([s for s in series if s in set(shown["series"])]):
        part = shown[shown["series"] == name].sort_values(x_col)
        style = series_style(i)
        hollow = has_flag(part["value_flag"], "unreliable").tolist()
        hover = "%{y:,.0f}" if measure in ("deaths", "population") else "%{y:,.1f}"
        if single_period:
            fig.add_trace(
                go.Bar(
                    x=[name],
                    y=part["value"].astype(float),
                    name=name,
                    hovertemplate=hover,
                    marker={"color": style["color"], "pattern": {"shape": ["/" if h else "" for h in hollow]}},
                )
            )
            continue
        fig.add_trace(
            go.Scatter(
                x=part[x_col] if monthly else part[x_col].astype(int),
                y=part["value"].astype(float),
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": style["color"], "dash": style["dash"], "width": 2},
                marker={
                    "symbol": [style["symbol"] + ("-open" if h else "") for h in hollow],
                    "size": 8,
                    "color": style["color"],
                },
                hovertemplate=hover,
            )
        )
    x_title = "" if single_period else ("Month" if monthly else "Year")
    base_layout(fig, title=title, y_title=measure_unit(measure).capitalize(), x_title=x_title)
    fig.update_yaxes(rangemode="tozero")
    return fig


def add_segments(
    fig: go.Figure,
    fits: Sequence[TrendFit],
    *,
    names: Sequence[str] = (),
    colours: Sequence[str] = (),
    panels: Sequence[tuple[int, int]] = (),
) -> go.Figure:
    """Overlay each series' fitted joinpoint trend (dotted, in the series' colour) with its joinpoints marked.

    ``names`` and ``colours`` name and colour each fit (places on a state chart); by default the drug's.
    ``panels`` puts each fit in its (row, column) of a grid of small charts, where the dotted line needs no
    legend entry of its own."""
    for i, fit in enumerate(fits):
        drug = fit.identity["drug"]
        style = drug_style(drug)
        colour = colours[i] if i < len(colours) else style["color"]
        name = names[i] if i < len(names) else drug_title(drug)
        row, col = panels[i] if i < len(panels) else (None, None)
        fitted = fit.fitted
        fig.add_trace(
            go.Scatter(
                x=fitted["year"].astype(int),
                y=fitted["fitted"].astype(float),
                name=f"{name}: trend segments",
                mode="lines+markers",
                line={"color": colour, "dash": "dot", "width": 2},
                marker={
                    "size": [9 if j else 0 for j in fitted["is_joinpoint"]],
                    "symbol": "line-ns-open",
                    "color": colour,
                },
                showlegend=row is None,
                hovertemplate="fitted %{y:,.1f}<extra></extra>",
            ),
            row=row,
            col=col,
        )
    return fig


def revisions_chart(rows: pd.DataFrame, *, title: str) -> go.Figure:
    """Bars per year: how far CDC's provisional reported and predicted counts were above the final count (%)."""
    fig = go.Figure()
    for i, (column, name) in enumerate(
        (("provisional_percent", "Provisional count"), ("predicted_percent", "Predicted count"))
    ):
        style = series_style(i)
        fig.add_trace(
            go.Bar(
                x=rows["year"].astype(int),
                y=rows[column].astype(float),
                name=name,
                marker={"color": style["color"], "pattern": {"shape": "" if i == 0 else "/"}},
                hovertemplate="%{y:+.1f}% against the final count<extra>" + name + "</extra>",
            )
        )
    base_layout(fig, title=title, y_title="Percent above the final count")
    fig.update_layout(barmode="group", hovermode="closest")
    fig.add_hline(y=0, line={"color": "#333333", "width": 1})
    return fig
