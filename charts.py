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


def national_series(data: pd.DataFrame, *, drugs: Sequence[str], measure: str,
                    years: tuple[int, int] | None = None) -> pd.DataFrame:
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
                    x=year, y=1, yref="paper", text=label.split(":")[0], showarrow=False,
                    xanchor="left", yanchor="bottom", font={"size": 12, "color": "#444444"},
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


def trend_summary(data: pd.DataFrame, *, drugs: Iterable[str], measure: str = "deaths",
                  years: tuple[int, int] | None = None) -> list[str]:
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


# --- risk multipliers and claims (issue 5) ---------------------------------------------------------------


# --- lesson slides (issue 6) ------------------------------------------------------------------------------


# --- data page and uploads (issue 7) -----------------------------------------------------------------------
