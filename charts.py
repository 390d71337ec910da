"""Chart builders: tidy frame (and options) in, plotly figure out. Pure: no streamlit, no I/O.

Conventions every builder keeps, so the dashboard reads the same everywhere and works for readers who cannot
tell colours apart:
* colours come from the Okabe-Ito palette and every series also differs by line dash and marker symbol;
* figures carry their own title and axis titles with units; the source line is printed by the page under
  the chart (:func:`source_line`), and a plain-language summary beside it (:func:`trend_summary`);
* missing values are gaps, never zeros; secondary-source figures get hollow markers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_sources.dictionary import DRUGS, MEASURES, drug_title, measure_unit
from data_sources.schema import Table, has_flag

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

# The three waves as CDC describes them (https://www.cdc.gov/overdose-prevention/about/understanding-the-opioid-overdose-epidemic.html):
# prescription opioids from the 1990s, heroin from 2010, synthetic opioids (illicitly made fentanyl) from 2013.
OPIOID_WAVES: tuple[tuple[int, str], ...] = (
    (1999, "Wave 1: prescription opioids (from the 1990s)"),
    (2010, "Wave 2: heroin (from 2010)"),
    (2013, "Wave 3: synthetic opioids such as fentanyl (from 2013)"),
)
OPIOID_WAVES_SOURCE = (
    "Waves: CDC, Understanding the Opioid Overdose Epidemic, "
    "https://www.cdc.gov/overdose-prevention/about/understanding-the-opioid-overdose-epidemic.html"
)


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


def drug_choices(data: pd.DataFrame, measure: str = "deaths") -> list[str]:
    """Drug keys that have at least one value for ``measure``, in the dashboard's standard order."""
    present = set(data.loc[(data["measure"] == measure) & data["value"].notna(), "drug"])
    return [d for d in DRUG_ORDER if d in present]


def trend_drug_choices(data: pd.DataFrame, measures: Sequence[str]) -> list[str]:
    """Drug keys with a value for any of ``measures``: one list of options whatever measure is shown, so a
    reader's selection (and a permalink) survives switching between counts and rates."""
    present = set(data.loc[data["measure"].isin(list(measures)) & data["value"].notna(), "drug"])
    return [d for d in DRUG_ORDER if d in present]


def missing_series(data: pd.DataFrame, *, drugs: Sequence[str], measure: str) -> list[str]:
    """Chosen drugs with no national value for ``measure`` (named under the chart, never drawn as zero)."""
    present = set(national_series(data, drugs=drugs, measure=measure).dropna(subset=["value"])["drug"])
    return [d for d in drugs if d not in present]


def national_series(
    data: pd.DataFrame, *, drugs: Sequence[str], measure: str, years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """The national rows a trend chart shows: chosen drugs and measure, within ``years``, sorted."""
    rows = data[(data["geo_code"] == "US") & (data["measure"] == measure) & data["drug"].isin(list(drugs))]
    rows = rows[(rows["sex"] == "all") & (rows["age_group"] == "all") & (rows["race_ethnicity"] == "all")]
    if years is not None:
        rows = rows[rows["year"].between(years[0], years[1])]
    return rows.sort_values(["drug", "year"]).reset_index(drop=True)


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
    base_layout(fig, title=title or f"{MEASURES[measure].title}, United States", y_title=unit.capitalize())
    fig.update_yaxes(type="log" if log_y else "linear", rangemode="tozero" if not log_y else None)
    if show_waves and not rows.empty:
        lo, hi = int(rows["year"].min()), int(rows["year"].max())
        for year, label in OPIOID_WAVES:
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
                )
    return fig


def value_at(data: pd.DataFrame, *, drug: str, year: int, measure: str = "deaths") -> pd.Series | None:
    """The single national row for (drug, year, measure), or None when there is none."""
    rows = national_series(data, drugs=[drug], measure=measure, years=(year, year))
    if rows.empty:
        return None
    if len(rows) > 1:
        raise ValueError(f"{len(rows)} rows for {drug} {measure} {year}; expected one")
    return rows.iloc[0]


def source_line(table: Table, data: pd.DataFrame | None = None) -> str:
    """'Source: ...' for the sources actually present in ``data`` (default: the whole table), with as-of."""
    rows = table.data if data is None else data
    used = set(rows["source_id"]) if "source_id" in rows else {s.id for s in table.sources}
    names = [f"{s.publisher}, [{s.title}]({s.url})" for s in table.sources if s.id in used]
    return "Source: " + "; ".join(names) + ". " + as_of_line(table)


def as_of_line(table: Table) -> str:
    """'Data as of 22 Nov 2026 (bundled snapshot)': when the figures were retrieved and from where."""
    where = "bundled snapshot" if table.from_snapshot else "live CDC data, cached"
    return f"Data as of {table.retrieved_at:%d %b %Y} ({where})."


def drug_label(drug: str) -> str:
    """Widget label for a drug key."""
    return drug_title(drug)


def has_secondary(rows: pd.DataFrame) -> bool:
    """Whether any shown row was read from a secondary text (so the chart's hollow markers need a key)."""
    return bool(has_flag(rows["value_flag"], "secondary_source").any()) if not rows.empty else False


def cell_citation(table: Table, cells: Iterable) -> str:
    """Full citations of the sources behind some cells (objects with ``source_id``), in table order."""
    used = {c.source_id for c in cells}
    return " ".join(s.citation + f" {s.url}" for s in table.sources if s.id in used)


def cell_source_note(table: Table, cells: Iterable) -> str:
    """Short 'Source: ...' for a headline card, naming secondary figures by year."""
    cells = list(cells)
    used = {c.source_id for c in cells}
    names = "; ".join(f"[{s.title}]({s.url})" for s in table.sources if s.id in used)
    secondary = sorted({c.year for c in cells if "secondary_source" in c.flags})
    note = f"Source: {names}."
    if secondary:
        note += f" Figures for {', '.join(map(str, secondary))} were read in texts quoting CDC (see About the data)."
    return note


DISPLAY_COLUMNS = {
    "year": "Year",
    "drug": "Drug",
    "measure": "Measure",
    "value": "Value",
    "value_flag": "Flags",
    "provenance": "Provenance",
    "source_id": "Source",
    "source_detail": "Where the figure was read",
}


def display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The chart-twin table a reader sees: readable headers, drug and measure titles instead of keys."""
    out = rows[[c for c in DISPLAY_COLUMNS if c in rows]].copy()
    out["drug"] = out["drug"].map(lambda d: DRUGS[d].title)
    out["measure"] = out["measure"].map(lambda m: MEASURES[m].title)
    return out.rename(columns=DISPLAY_COLUMNS)


def trend_summary(
    data: pd.DataFrame, *, drugs: Iterable[str], measure: str = "deaths", years: tuple[int, int] | None = None
) -> list[str]:
    """Plain-language sentences describing a trend chart: first and latest value, peak, per drug."""
    rows = national_series(data, drugs=list(drugs), measure=measure, years=years).dropna(subset=["value"])
    unit = "deaths" if measure == "deaths" else measure_unit(measure)
    fmt = "{:,.0f}" if measure == "deaths" else "{:,.1f}"
    sentences = []
    for drug in [d for d in DRUG_ORDER if d in set(rows["drug"])]:
        s = rows[rows["drug"] == drug]
        first, last = s.iloc[0], s.iloc[-1]
        peak = s.loc[s["value"].astype(float).idxmax()]
        text = (
            f"{DRUGS[drug].title}: {fmt.format(first['value'])} in {first['year']}, "
            f"{fmt.format(last['value'])} in {last['year']} ({unit})"
        )
        if peak["year"] not in (last["year"],):
            text += f"; highest {fmt.format(peak['value'])} in {peak['year']}"
        sentences.append(text + ".")
    return sentences


# --- states and demographics (issue 4) -------------------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
from plotly.subplots import make_subplots as _make_subplots  # noqa: E402

from data_sources.geography import BY_FIPS, STATES, tile_grid_size  # noqa: E402
from data_sources.schema import split_flags  # noqa: E402
from stats import rank_places, short_unit  # noqa: E402

#: Sequential blues (ColorBrewer "Blues", light = low, dark = high): one hue, so order reads without colour
#: names, and it stays ordered for the common colour-vision deficiencies. Missing states are grey.
STATE_SCALE = [[0.0, "#eff3ff"], [0.25, "#bdd7e7"], [0.5, "#6baed6"], [0.75, "#3182bd"], [1.0, "#08519c"]]
NO_VALUE_COLOUR = "#d9d9d9"
#: Flags that mean "no value to colour by" on a map (the value is withheld or not shown by the publisher).
_NO_VALUE_FLAGS = {"suppressed", "low_quality", "not_applicable", "missing"}
#: Measures a map may show: rates only. Counts depend on population size, so mapping them would show where
#: many people live, not where the risk is.
MAP_MEASURES = ("age_adjusted_rate_per_100k", "crude_rate_per_100k")


def upper_first(text: str) -> str:
    """First letter upper case, the rest untouched ("deaths per ... US standard"; str.capitalize would write "us")."""
    return text[:1].upper() + text[1:]


def state_rows(
    data: pd.DataFrame,
    *,
    measure: str,
    year: int | None = None,
    drug: str = "all_drugs",
    period_end_date: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One value per state and DC for a drug, measure and period (a year, or a 12-month-ending period)."""
    rows = data[(data["geo_level"] == "state") & (data["measure"] == measure) & (data["drug"] == drug)]
    rows = rows[(rows["sex"] == "all") & (rows["age_group"] == "all") & (rows["race_ethnicity"] == "all")]
    if year is not None:
        rows = rows[(rows["year"] == year) & (rows["period_end_date"].dt.month == 12)]
    if period_end_date is not None:
        rows = rows[rows["period_end_date"] == pd.Timestamp(period_end_date)]
    return rows.sort_values("geo_name").reset_index(drop=True)


def _no_value(rows: pd.DataFrame) -> pd.Series:
    return rows["value"].isna() | rows["value_flag"].map(lambda f: bool(set(split_flags(f)) & _NO_VALUE_FLAGS))


def _hover(rows: pd.DataFrame, measure: str) -> list[str]:
    """Hover text per state: name, value with unit and interval, and any flag in words."""
    unit = measure_unit(measure)
    texts = []
    for row in rows.itertuples():
        if pd.isna(row.value):
            text = f"{row.geo_name}: no value"
        else:
            text = f"{row.geo_name}: {row.value:,.1f} {unit}"
            if not pd.isna(row.value_lower) and not pd.isna(row.value_upper):
                text += f"<br>95% CI {row.value_lower:,.1f} to {row.value_upper:,.1f}"
        flags = [f for f in split_flags(row.value_flag) if f != "provisional"]
        if flags:
            text += "<br>" + "; ".join(FLAGS_SHORT.get(f, f) for f in flags)
        texts.append(text)
    return texts


FLAGS_SHORT = {
    "suppressed": "Suppressed: fewer than 10 deaths",
    "unreliable": "Unreliable: too few deaths for a stable rate",
    "low_quality": "Not shown: low data quality",
    "underreported": "Underreported",
    "missing": "Not reported",
    "not_applicable": "Not applicable",
    "predicted": "Predicted",
}


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
            colorbar={"title": {"text": "Deaths per<br>100,000"}, "thickness": 14},
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
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
    )
    return fig


def tile_map_chart(rows: pd.DataFrame, *, measure: str, title: str, highlight: str | None = None) -> go.Figure:
    """Equal-area tile grid: every state one square, so small states are as visible as large ones.

    Each tile shows the postal code and the rate (or "n/a"); grey tiles have no value. ``highlight`` (a FIPS
    code) draws a thick outline round one state.
    """
    _check_map_measure(measure)
    n_rows, n_cols = tile_grid_size()
    by_code = {r.geo_code: r for r in rows.itertuples()}
    blank = dict(zip(rows["geo_code"], _no_value(rows), strict=True))
    values = rows.loc[~_no_value(rows), "value"].astype(float)
    lo, hi = (float(values.min()), float(values.max())) if not values.empty else (0.0, 1.0)
    z = [[None] * n_cols for _ in range(n_rows)]
    grey = [[None] * n_cols for _ in range(n_rows)]
    hover = [[""] * n_cols for _ in range(n_rows)]
    texts = dict(zip(rows["geo_code"], _hover(rows, measure), strict=True))
    fig = go.Figure()
    annotations = []
    for state in STATES:
        row = by_code.get(state.fips)
        has_value = row is not None and not blank[state.fips]
        hover[state.row][state.col] = texts.get(state.fips, f"{state.name}: not in this table")
        if has_value:
            z[state.row][state.col] = float(row.value)
        else:
            grey[state.row][state.col] = 0.0
        share = (float(row.value) - lo) / (hi - lo) if has_value and hi > lo else 0.0
        label = f"<b>{state.usps}</b><br>{row.value:,.1f}" if has_value else f"<b>{state.usps}</b><br>n/a"
        if has_value and "unreliable" in split_flags(row.value_flag):
            label += "*"
        annotations.append(
            {
                "x": state.col,
                "y": state.row,
                "text": label,
                "showarrow": False,
                "font": {"size": 11, "color": "#ffffff" if share > 0.55 else "#1a1a1a"},
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
            colorbar={"title": {"text": "Deaths per<br>100,000"}, "thickness": 14},
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
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
    )
    fig.update_xaxes(visible=False, range=[-0.6, n_cols - 0.4])
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1)
    return fig


def state_map_summary(rows: pd.DataFrame, *, measure: str, nation: pd.Series | None = None) -> list[str]:
    """Plain-language sentences for the map and tile grid: highest and lowest ranked states, what is left out,
    and the national figure."""
    ranked = rank_places(rows)
    ok = ranked[ranked["status"] == "Ranked"]
    unit = short_unit(measure)
    sentences = []
    if not ok.empty:
        top, low = ok.iloc[0], ok.iloc[-1]
        sentences.append(f"Highest: {top['geo_name']}, {top['value']:,.1f} {unit}.")
        sentences.append(f"Lowest: {low['geo_name']}, {low['value']:,.1f} {unit}.")
        sentences.append(f"{len(ok)} places (states and DC) are ranked; darker colours mean higher rates.")
    left_out = ranked[ranked["status"] != "Ranked"]
    if not left_out.empty:
        names = "; ".join(f"{r.geo_name} ({r.status.lower()})" for r in left_out.itertuples())
        sentences.append(f"Not ranked: {names}.")
    if nation is not None and not pd.isna(nation["value"]):
        sentences.append(f"United States as a whole: {nation['value']:,.1f} {unit}.")
    return sentences


def state_trend_rows(
    data: pd.DataFrame, *, geo_codes: Sequence[str], measure: str, drug: str = "all_drugs", include_nation: bool = True
) -> pd.DataFrame:
    """The rows a state trend chart shows: chosen states (and the nation), one drug and measure, all years."""
    codes = list(dict.fromkeys([*geo_codes, *(["US"] if include_nation else [])]))
    rows = data[data["geo_code"].isin(codes) & (data["measure"] == measure) & (data["drug"] == drug)]
    rows = rows[(rows["sex"] == "all") & (rows["age_group"] == "all") & (rows["race_ethnicity"] == "all")]
    return rows.sort_values(["geo_code", "period_end_date"]).reset_index(drop=True)


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
        part = rows[rows["geo_code"] == code]
        x = part[x_col] if monthly else part[x_col].astype(int)
        hollow = has_flag(part["value_flag"], "unreliable").tolist()
        if code == "US":
            style = {"color": "#000000", "dash": "solid", "symbol": "circle"}
            width = 4
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


def state_trend_summary(
    data: pd.DataFrame, *, geo_codes: Sequence[str], measure: str, drug: str = "all_drugs", include_nation: bool = True
) -> list[str]:
    """Per place: first and latest value on the chart, and how many values are withheld."""
    rows = state_trend_rows(data, geo_codes=geo_codes, measure=measure, drug=drug, include_nation=include_nation)
    unit = short_unit(measure)
    fmt = "{:,.0f}" if measure in ("deaths", "predicted_deaths") else "{:,.1f}"
    monthly = bool((rows["period_end_date"].dt.month != 12).any())

    def when(r: pd.Series) -> str:
        return f"the 12 months ending {r['period_end_date']:%B %Y}" if monthly else str(int(r["year"]))

    sentences = []
    for code in dict.fromkeys([*geo_codes, "US"]):
        part = rows[rows["geo_code"] == code]
        if part.empty:
            continue
        known = part.dropna(subset=["value"])
        name = str(part["geo_name"].iloc[0])
        if known.empty:
            sentences.append(f"{name}: every value is withheld.")
            continue
        first, last = known.iloc[0], known.iloc[-1]
        text = (
            f"{name}: {fmt.format(first['value'])} in {when(first)}, "
            f"{fmt.format(last['value'])} in {when(last)} ({unit})"
        )
        if len(known) < len(part):
            text += f"; {len(part) - len(known)} value(s) withheld"
        sentences.append(text + ".")
    return sentences


def state_display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Chart-twin table for state rows (ranked or not): readable headers; rank and status when present."""
    cols = [
        c
        for c in (
            "rank",
            "status",
            "geo_name",
            "geo_code",
            "year",
            "period_end_date",
            "drug",
            "measure",
            "value",
            "value_lower",
            "value_upper",
            "value_flag",
            "source_id",
        )
        if c in rows
    ]
    out = rows[cols].copy()
    out["drug"] = out["drug"].map(drug_title)
    out["measure"] = out["measure"].map(lambda m: MEASURES[m].title)
    if "period_end_date" in out:
        out["period_end_date"] = out["period_end_date"].dt.strftime("%Y-%m-%d")
    return out.rename(
        columns={
            "rank": "Rank",
            "status": "Status",
            "geo_name": "Place",
            "geo_code": "FIPS",
            "year": "Year",
            "period_end_date": "Period ends",
            "drug": "Drug",
            "measure": "Measure",
            "value": "Value",
            "value_lower": "95% CI low",
            "value_upper": "95% CI high",
            "value_flag": "Flags",
            "source_id": "Source",
        }
    )


#: The breakdowns the demographics page offers, and the column each lives in.
BREAKDOWNS = {"sex": "Sex", "age_group": "Age group", "race_ethnicity": "Race and Hispanic origin"}


def demographic_rows(
    data: pd.DataFrame, *, drug: str, by: str, measure: str, years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """National rows broken down by one of sex, age group or race and Hispanic origin (the others "all")."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; choose one of {list(BREAKDOWNS)}")
    rows = data[(data["geo_code"] == "US") & (data["drug"] == drug) & (data["measure"] == measure)]
    for col in BREAKDOWNS:
        rows = rows[rows[col] != "all"] if col == by else rows[rows[col] == "all"]
    if years is not None:
        rows = rows[rows["year"].between(years[0], years[1])]
    return rows.sort_values([by, "year"]).reset_index(drop=True)


def _wrap_label(text: str, width: int = 28) -> str:
    """Break a long panel or axis label into lines ('<br>' between words)."""
    return _wrap(text, width)


def group_label(group: str, by: str) -> str:
    """Reader-facing name of a breakdown group: "Female", "Ages 25-34", or the race group as NCHS names it."""
    if by == "sex":
        return str(group).capitalize()
    if by == "age_group":
        return f"Ages {group}"
    return str(group)


def _group_order(values: Iterable[str], by: str) -> list[str]:
    groups = sorted(set(values))
    if by == "age_group":  # numeric order of bands: "0-14" < "15-24" < ... < "75+"/"85+"
        return sorted(groups, key=lambda g: int("".join(ch for ch in g.split("-")[0] if ch.isdigit()) or 0))
    return groups


def demographics_chart(
    data: pd.DataFrame,
    *,
    drug: str,
    by: str,
    measure: str,
    title: str,
    years: tuple[int, int] | None = None,
    columns: int = 3,
) -> go.Figure:
    """Small multiples: one panel per group (each sex, age band or race and Hispanic origin group), the same
    y-axis in every panel so heights compare. Withheld values are gaps; unreliable ones hollow markers."""
    rows = demographic_rows(data, drug=drug, by=by, measure=measure, years=years)
    groups = _group_order(rows[by], by)
    n = max(len(groups), 1)
    cols = min(columns, n)
    n_rows = -(-n // cols)
    fig = _make_subplots(
        rows=n_rows,
        cols=cols,
        shared_yaxes=True,
        shared_xaxes=True,
        subplot_titles=[_wrap_label(group_label(g, by)) for g in groups],
        vertical_spacing=0.16 if n_rows > 1 else 0.1,
        horizontal_spacing=0.04,
    )
    style = drug_style(drug)
    for i, group in enumerate(groups):
        part = rows[rows[by] == group]
        full = pd.DataFrame({"year": range(int(part["year"].min()), int(part["year"].max()) + 1)})
        part = full.merge(part, on="year", how="left")
        hollow = has_flag(part["value_flag"], "unreliable").tolist()
        fig.add_trace(
            go.Scatter(
                x=part["year"].astype(int),
                y=part["value"].astype(float),
                name=group_label(group, by),
                mode="lines+markers",
                connectgaps=False,
                showlegend=False,
                line={"color": style["color"], "dash": style["dash"], "width": 2.5},
                marker={
                    "symbol": [style["symbol"] + ("-open" if h else "") for h in hollow],
                    "size": 6,
                    "color": style["color"],
                },
                hovertemplate=f"{group_label(group, by)}: " + "%{y:,.1f}<extra>%{x}</extra>",
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    base_layout(fig, title=title, y_title="", x_title="")
    fig.update_layout(height=max(320, 260 * n_rows), hovermode="closest", margin={"l": 10, "r": 10, "t": 90, "b": 10})
    # One scale for every panel, across rows too (shared_yaxes only links panels within a row), so heights
    # can be compared, as the page tells readers.
    fig.update_yaxes(rangemode="tozero", matches="y")
    fig.layout.yaxis.matches = None  # the first axis is the one the others follow
    fig.update_yaxes(title_text=_wrap_label(upper_first(measure_unit(measure))), col=1)
    return fig


def demographics_summary(
    data: pd.DataFrame, *, drug: str, by: str, measure: str, years: tuple[int, int] | None = None
) -> list[str]:
    """Per group: latest value and year; then which group was highest in the latest year all groups share."""
    rows = demographic_rows(data, drug=drug, by=by, measure=measure, years=years).dropna(subset=["value"])
    unit = short_unit(measure)
    sentences = []
    for group in _group_order(rows[by], by):
        part = rows[rows[by] == group]
        first, last = part.iloc[0], part.iloc[-1]
        text = f"{group_label(group, by)}: {last['value']:,.1f} in {last['year']}"
        if first["year"] != last["year"]:
            text += f" (was {first['value']:,.1f} in {first['year']})"
        sentences.append(text + ".")
    if not rows.empty:
        latest = int(rows["year"].max())
        at_latest = rows[rows["year"] == latest]
        if len(at_latest) > 1:
            top = at_latest.loc[at_latest["value"].astype(float).idxmax()]
            sentences.append(
                f"In {latest} the highest rate was in the group {group_label(top[by], by)}: {top['value']:,.1f} {unit}."
            )
    return sentences


def demographics_display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Chart-twin table for the demographics chart."""
    cols = [
        "year",
        "drug",
        "measure",
        "sex",
        "age_group",
        "race_ethnicity",
        "value",
        "value_lower",
        "value_upper",
        "value_flag",
        "source_id",
    ]
    out = rows[cols].copy()
    out["drug"] = out["drug"].map(drug_title)
    out["measure"] = out["measure"].map(lambda m: MEASURES[m].title)
    return out.rename(
        columns={
            "year": "Year",
            "drug": "Drug",
            "measure": "Measure",
            "sex": "Sex",
            "age_group": "Age group",
            "race_ethnicity": "Race and Hispanic origin",
            "value": "Value",
            "value_lower": "95% CI low",
            "value_upper": "95% CI high",
            "value_flag": "Flags",
            "source_id": "Source",
        }
    )


# --- risk multipliers and claims (issue 5) ---------------------------------------------------------------
# Imported here, not at the top, so this section stays self-contained in a file others edit at the same time.
from plotly.subplots import make_subplots  # noqa: E402

from data_sources.risk import QUESTIONS, STATISTICS, RiskTable  # noqa: E402

#: How a claim's verdict is shown: a Material icon and a word; colour is never the only signal.
VERDICT_BADGES: dict[str, tuple[str, str]] = {
    "supported": (":material/check_circle:", "green"),
    "close": (":material/change_history:", "orange"),
    "not supported": (":material/cancel:", "red"),
    "cannot check with these data": (":material/help:", "gray"),
}


def _wrap(text: str, width: int = 46) -> str:
    """Break a long label into lines for a chart axis ('<br>' between words)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _or_none(series: pd.Series) -> list[float | None]:
    """Error-bar lengths with None where there is no interval, so plotly draws no whisker (0 would draw a cap)."""
    return [None if pd.isna(v) else float(v) for v in series]


def risk_label(row: pd.Series) -> str:
    """Axis label of one risk figure: the group, then the outcome in italics."""
    return f"{_wrap(str(row['factor']))}<br><i>{_wrap(str(row['outcome']))}</i>"


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
        subplot_titles=[f"<b>{_wrap(QUESTIONS[q], 60)}</b>" for q in questions],
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
                        "array": _or_none(upper - value),
                        "arrayminus": _or_none(value - lower),
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


def risk_chart_summary(rows: pd.DataFrame) -> list[str]:
    """Plain-language sentences for the risk chart: per question, the figures from highest to lowest."""
    sentences = []
    for question in [q for q in QUESTIONS if q in set(rows["question"])]:
        group = rows[rows["question"] == question].sort_values("value", ascending=False)
        parts = [f"{row['factor']} ({row['outcome']}): {float(row['value']):g} times" for _, row in group.iterrows()]
        sentences.append(f"**{QUESTIONS[question]}** From highest to lowest: " + "; ".join(parts) + ".")
    return sentences


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
                "array": _or_none(rows["value_upper"].astype(float) - value),
                "arrayminus": _or_none(value - rows["value_lower"].astype(float)),
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
        rows=1, cols=len(groups), horizontal_spacing=0.06, subplot_titles=[_wrap(label, 24) for label, _ in groups]
    )
    filled_style = series_style(4)
    empty_colour = "#E3E3E3" if block else "#BBBBBB"
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
                name=_wrap(outcome, 40),
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


def risk_figure_label(row: pd.Series) -> str:
    """'19×: people who used prescription pain relievers non-medically (started heroin)' for a picker."""
    value = f"{row['value']:g}{'×' if row['unit'] == 'times' else '%'}"
    return f"{value}: {row['factor']} ({row['outcome']})"


def risk_display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The risk chart's twin table: readable headers, statistic labels instead of keys."""
    out = rows[
        [
            "question",
            "factor",
            "comparison",
            "outcome",
            "statistic",
            "value",
            "value_lower",
            "value_upper",
            "unit",
            "population",
            "period",
            "provenance",
            "source_id",
        ]
    ].copy()
    out["question"] = out["question"].map(QUESTIONS)
    out["statistic"] = out["statistic"].map(lambda s: STATISTICS[s]["label"])
    return out.rename(
        columns={
            "question": "Question",
            "factor": "Group",
            "comparison": "Compared with",
            "outcome": "Outcome",
            "statistic": "Statistic",
            "value": "Value",
            "value_lower": "95% CI low",
            "value_upper": "95% CI high",
            "unit": "Unit",
            "population": "Who was studied",
            "period": "When",
            "provenance": "Provenance",
            "source_id": "Study",
        }
    )


def risk_source_line(table: RiskTable, rows: pd.DataFrame | None = None) -> str:
    """'Sources: ...' for the studies behind the shown risk rows (a RiskTable), with the snapshot date."""
    rows = table.data if rows is None else rows
    used = set(rows["source_id"])
    names = [f"{s.citation.split('.')[0]} ({s.publisher}), [{s.title}]({s.url})" for s in table.sources if s.id in used]
    return "Sources: " + "; ".join(names) + f". Figures as read on {table.retrieved_at:%d %b %Y} (bundled)."


# --- lesson slides (issue 6) ------------------------------------------------------------------------------


# --- data page and uploads (issue 7) -----------------------------------------------------------------------
# Generic charts for a tidy table the reader brings (a CDC WONDER export), where the series are whatever the
# query grouped by: places, sexes, age groups... rather than the dashboard's fixed drug list.
_SERIES_COLUMNS = ("geo_name", "drug", "sex", "age_group", "race_ethnicity")


def upload_series_labels(rows: pd.DataFrame) -> pd.Series:
    """A readable series name per row, from the columns that vary (place, drug, sex, age, race, other groups).

    Group-by values the tidy contract has no column for live in ``source_detail``; the parts of it that differ
    between rows are added to the name so two series never share one.
    """
    parts: list[pd.Series] = []
    for col in _SERIES_COLUMNS:
        if rows[col].nunique() > 1:
            values = rows[col].astype(str)
            parts.append(values.map(drug_title) if col == "drug" else values)
    if rows["source_detail"].nunique() > 1:
        split = rows["source_detail"].astype(str).str.split("; ")
        common = set.intersection(*(set(p) for p in split))
        parts.append(split.map(lambda p: "; ".join(x for x in p if x not in common)))
    if not parts:
        return pd.Series(rows["geo_name"].astype(str), index=rows.index)
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label


def upload_series_choices(rows: pd.DataFrame, *, measure: str) -> list[str]:
    """Series names of a measure, largest total first (missing values count as nothing, never as zero)."""
    shown = rows[rows["measure"] == measure]
    totals = shown.assign(series=upload_series_labels(shown)).groupby("series")["value"].sum(min_count=1)
    return list(totals.fillna(-1).sort_values(ascending=False, kind="stable").index)


def upload_rows(rows: pd.DataFrame, *, measure: str, series: Sequence[str]) -> pd.DataFrame:
    """The rows an upload chart shows: one measure, the chosen series (named in a ``series`` column)."""
    part = rows[rows["measure"] == measure]
    part = part.assign(series=upload_series_labels(part))
    return part[part["series"].isin(list(series))]


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


def upload_chart_summary(rows: pd.DataFrame, *, measure: str, series: Sequence[str]) -> list[str]:
    """Plain-language sentences for the upload chart: per series, first and latest value, and how many are
    withheld."""
    shown = upload_rows(rows, measure=measure, series=series)
    fmt = "{:,.0f}" if measure in ("deaths", "population") else "{:,.1f}"
    x_col = "period_end_date" if bool((shown["period_months"] == 1).any()) else "year"
    sentences = []
    for name in series:
        part = shown[shown["series"] == name].sort_values(x_col)
        known = part.dropna(subset=["value"])
        withheld = len(part) - len(known)
        when = (lambda r: f"{r[x_col]:%b %Y}") if x_col == "period_end_date" else (lambda r: str(r["year"]))
        if known.empty:
            text = f"{name}: no value given ({withheld} withheld or not applicable)"
        elif len(known) == 1:
            text = f"{name}: {fmt.format(known.iloc[0]['value'])} in {when(known.iloc[0])}"
        else:
            first, last = known.iloc[0], known.iloc[-1]
            text = f"{name}: {fmt.format(first['value'])} in {when(first)}, {fmt.format(last['value'])} in {when(last)}"
        if withheld and not known.empty:
            text += f"; {withheld} value(s) withheld by CDC (suppressed, unreliable or not applicable)"
        sentences.append(text + ".")
    return sentences


def upload_source_line(table: Table) -> str:
    """'Source: ...' for an uploaded export: its dataset, its query date and its suggested citation."""
    src = table.sources[0]
    return (
        f"Source: your upload of a {src.publisher} export, [{src.title}]({src.url}); query of "
        f"{table.retrieved_at:%d %b %Y}. Suggested citation: {src.citation}"
    )


def upload_display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The upload's chart-twin table: readable headers, drug and measure titles instead of keys."""
    cols = [
        "geo_name",
        "geo_code",
        "year",
        "period_end_date",
        "period_months",
        "drug",
        "measure",
        "sex",
        "age_group",
        "race_ethnicity",
        "value",
        "value_lower",
        "value_upper",
        "value_flag",
    ]
    out = rows[cols].copy()
    out["drug"] = out["drug"].map(drug_title)
    out["measure"] = out["measure"].map(lambda m: MEASURES[m].title)
    out["period_end_date"] = out["period_end_date"].dt.strftime("%Y-%m-%d")
    return out.rename(
        columns={
            "geo_name": "Place",
            "geo_code": "FIPS",
            "year": "Year",
            "period_end_date": "Period ends",
            "period_months": "Months",
            "drug": "Drug",
            "measure": "Measure",
            "sex": "Sex",
            "age_group": "Age group",
            "race_ethnicity": "Race and ethnicity",
            "value": "Value",
            "value_lower": "95% CI low",
            "value_upper": "95% CI high",
            "value_flag": "Flags",
        }
    )
