"""States: how is my state doing? A rate map and tile grid, ranks that respect uncertainty, a state against
the nation, trends, and CDC's recent provisional counts with their data-quality figures.

Final figures: NCHS Drug Poisoning Mortality by State (data.cdc.gov jx6g-fdh6, ``cached.state_drug_poisoning``).
Recent figures: CDC VSRR Provisional Drug Overdose Death Counts (data.cdc.gov xkb8-kh2a,
``cached.vsrr_provisional``). Every selection lives in the URL (``permalink``), so a copied link reproduces
the view.
"""

from functools import partial

import pandas as pd
import streamlit as st

import cached
import charts
import help_resources
import permalink
import stats
from data_sources import geography
from data_sources.dictionary import MEASURES, drug_title
from data_sources.snapshot import to_csv_bytes

help_resources.require_frame()

TOPOJSON = {"topojsonURL": "/app/static/"}  # map outlines served by this app (static/usa_110m.json), no CDN

final = cached.state_drug_poisoning()
fd = final.data
provisional = cached.vsrr_provisional()
vd = provisional.data

# --- what the URL may hold ------------------------------------------------------------------------------
by_name = sorted(geography.STATES, key=lambda s: s.name)
USPS = tuple(s.usps for s in by_name)
STATE_ALIASES = {s.fips: s.usps for s in by_name} | {s.name.lower(): s.usps for s in by_name}
years = sorted(int(y) for y in fd.loc[fd["geo_level"] == "state", "year"].unique())
v_deaths = vd[vd["measure"] == "deaths"]
v_drugs = charts.drug_choices(vd, "deaths")
v_periods = sorted({f"{d:%Y-%m}" for d in v_deaths["period_end_date"]})
SPECS: dict[str, permalink.Spec] = {
    "state": permalink.Choice(("none", *USPS), "none", STATE_ALIASES),
    "compare": permalink.MultiChoice(USPS, (), STATE_ALIASES, max_items=8),
    "measure": permalink.Choice(
        charts.MAP_MEASURES,
        "age_adjusted_rate_per_100k",
        {"age_adjusted": "age_adjusted_rate_per_100k", "crude": "crude_rate_per_100k"},
    ),
    "year": permalink.Year(years[0], years[-1], years[-1]),
}
if v_drugs:
    SPECS["drug"] = permalink.Choice(tuple(v_drugs), "all_drugs" if "all_drugs" in v_drugs else v_drugs[0])
    SPECS["period"] = permalink.Choice(tuple(v_periods), v_periods[-1])
KEYS = {name: f"states_{name}" for name in SPECS}

cleaned = permalink.clean({k: st.query_params.get_all(k) for k in st.query_params}, SPECS)
if "compare" not in cleaned.from_url and cleaned.values["state"] != "none":
    cleaned.values["compare"] = (cleaned.values["state"],)  # a link naming a state compares it by default
permalink.seed(st.session_state, cleaned, SPECS, KEYS)

st.title("Overdose deaths by state")
st.markdown(
    "Pick your state to see where it stands: its death rate on the map, its rank, whether it differs from the "
    "nation as a whole, and how it changed. Rates are deaths per 100,000 people, so states of different sizes "
    "can be compared; counts are not used for that."
)
if note := permalink.notice(cleaned.ignored):
    st.info(note, icon=":material/link_off:")
for table in (final, provisional):
    if table.notice:
        st.caption(f"{table.sources[0].title}: {table.notice}")

controls = st.columns([2, 2, 1])
with controls[0]:
    my_state = st.selectbox(
        "My state",
        ("none", *USPS),
        key=KEYS["state"],
        format_func=lambda c: "Choose a state" if c == "none" else geography.BY_USPS[c].name,
    )
with controls[1]:
    measure = st.radio(
        "Rate",
        charts.MAP_MEASURES,
        key=KEYS["measure"],
        horizontal=True,
        format_func={"age_adjusted_rate_per_100k": "Age-adjusted", "crude_rate_per_100k": "Crude"}.get,
        help="Age-adjusted rates allow for states with older or younger people; crude rates do not.",
    )
with controls[2]:
    year = st.selectbox("Year", years[::-1], key=KEYS["year"])
my_fips = None if my_state == "none" else geography.usps_to_fips(my_state)
unit = MEASURES[measure].unit

view = cached.state_year(measure, year)
rows, nation_rows, nation, ranked = view.rows, view.nation_rows, view.nation, view.ranked

# --- my state against the nation ------------------------------------------------------------------------
if my_fips is not None:
    with st.container(border=True):
        mine = rows[rows["geo_code"] == my_fips]
        if mine.empty or nation is None:
            st.warning(f"No {MEASURES[measure].title.lower()} for {geography.BY_FIPS[my_fips].name} in {year}.")
        else:
            result = stats.compare_with_nation(mine.iloc[0], nation)
            heading = {
                "higher": "Higher than the nation",
                "lower": "Lower than the nation",
                "not distinguishable": "Not clearly different from the nation",
                "no interval": "No comparison possible",
            }[result.verdict]
            st.subheader(f"{geography.BY_FIPS[my_fips].name}, {year}: {heading}")
            st.markdown(result.sentence)
            rank_row = ranked[ranked["geo_code"] == my_fips].iloc[0]
            rank_text = (
                f"Rank {int(rank_row['rank'])} of {int(ranked['rank'].notna().sum())} (1 = highest rate)."
                if not pd.isna(rank_row["rank"])
                else f"Not ranked: {rank_row['status'].lower()}."
            )
            st.markdown(
                rank_text + " The range after each rate is its 95% confidence interval: the values the "
                "true rate most likely lies between, given the number of deaths."
            )
            st.caption(charts.source_line(final, pd.concat([mine, nation_rows])))

# --- map and tile grid ----------------------------------------------------------------------------------
st.header(f"{MEASURES[measure].title} by state, {year}")
map_title = f"{MEASURES[measure].title}, drug overdose deaths, {year}"
summary = view.summary
map_figure, tile_figure = cached.state_map_figures(measure, year, my_fips, map_title)
tab_map, tab_tiles = st.tabs(["Map", "Tile grid (every state the same size)"])
with tab_map:
    st.plotly_chart(map_figure, config=TOPOJSON, key="state_map", alt=" ".join(summary))
    st.caption(f"Grey: no value. {charts.upper_first(unit)}. " + charts.source_line(final, rows))
with tab_tiles:
    st.plotly_chart(tile_figure, key="tile_map", alt=" ".join(summary))
    st.caption(f"n/a: no value; *: unreliable rate. {charts.upper_first(unit)}. " + charts.source_line(final, rows))
with st.container(border=True):
    st.markdown("**What the map shows**")
    st.markdown("\n".join(f"- {s}" for s in summary))

st.subheader("Ranking")
st.markdown(
    "States are ranked from the highest rate (1) down. Rates that NCHS suppresses or marks unreliable are "
    "listed with the reason and left out of the ranks, because a rate from very few deaths can jump around "
    "by chance. Neighbouring ranks are often not really different: compare the confidence intervals."
)
st.dataframe(view.ranking_table, hide_index=True)
st.download_button(
    "Download the ranking (CSV)",
    partial(to_csv_bytes, ranked),  # built on the click, not on every rerun
    file_name=f"state_{measure}_{year}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="dl_ranking",
)
st.caption(charts.source_line(final, rows))

# --- trends: chosen states against the nation -----------------------------------------------------------
st.header("Trend: states against the nation")
compare = st.multiselect(
    "States to compare with the nation",
    USPS,
    key=KEYS["compare"],
    max_selections=8,
    format_func=lambda c: geography.BY_USPS[c].name,
)
codes = [geography.usps_to_fips(c) for c in compare]
trend = cached.state_trend_view("state_drug_poisoning", tuple(codes), measure, "all_drugs", True)
trend_rows, trend_summary = trend.rows, trend.summary
st.plotly_chart(
    cached.state_trend_figure(
        "state_drug_poisoning",
        tuple(codes),
        measure,
        "all_drugs",
        True,
        f"{MEASURES[measure].title}, drug overdose deaths",
    ),
    key="state_trend",
    alt=" ".join(trend_summary),
)
st.caption(
    "Black line: the United States, with its 95% confidence interval shaded. Hollow markers: unreliable "
    "rates. " + charts.source_line(final, trend_rows)
)
with st.container(border=True):
    st.markdown("**What the chart shows**")
    st.markdown("\n".join(f"- {s}" for s in trend_summary))
with st.expander("The chart as a table, and download"):
    st.dataframe(trend.table, hide_index=True)
    st.download_button(
        "Download these rows (CSV)",
        partial(to_csv_bytes, trend_rows),
        file_name=f"state_trend_{measure}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="dl_trend",
    )

# --- recent provisional counts (VSRR) -------------------------------------------------------------------
st.header("Recent months: provisional counts")
st.markdown(
    "CDC publishes provisional counts each month: the number of overdose deaths in the **12 months ending** "
    "in a given month. Each count is compared with the same 12 months a year earlier; counts for overlapping "
    "periods are never added up or averaged. These are counts, not rates: a large state has more deaths "
    "because more people live there, so the counts are not shown on a map."
)
st.warning(
    'NCHS cautions: "Reporting of the specific drugs and drug classes involved in drug overdose deaths varies '
    "by jurisdiction, and comparisons of death rates involving specific drugs across selected jurisdictions "
    'should not be made." (dataset description, data.cdc.gov xkb8-kh2a). Compare a state with itself over '
    "time, not with other states.",
    icon=":material/warning:",
)
if "drug" not in SPECS:
    st.info("This copy of the provisional table has no death counts; run `make refresh` for CDC's latest.")
else:
    vcols = st.columns(2)
    with vcols[0]:
        v_drug = st.selectbox("Drug", v_drugs, key=KEYS["drug"], format_func=charts.drug_label)
    with vcols[1]:
        period = st.selectbox(
            "12 months ending",
            v_periods[::-1],
            key=KEYS["period"],
            format_func=lambda p: f"{pd.Timestamp(p + '-01'):%B %Y}",
        )
    period_end = pd.Timestamp(period + "-01") + pd.offsets.MonthEnd(0)
    changes = cached.vsrr_changes(v_drug, period_end.strftime("%Y-%m-%d"))
    place_code = my_fips or "US"
    place_name = geography.BY_FIPS[my_fips].name if my_fips else "United States"
    drug_words = "drug overdose" if v_drug == "all_drugs" else drug_title(v_drug).lower() + " overdose"
    mine = changes[changes["geo_code"] == place_code]
    with st.container(border=True):
        st.subheader(f"{place_name}: 12 months ending {period_end:%B %Y}")
        if mine.empty:
            st.info(
                f"This copy of CDC's provisional table has no {drug_words} death count for "
                f"{place_name} for that period. Places with one: "
                + (", ".join(sorted(changes["geo_name"])) or "none")
                + "."
            )
        else:
            st.markdown(
                stats.change_sentence(
                    mine.iloc[0], drug_words=drug_words, place_name=place_name if my_fips else "the United States"
                )
            )
        quality = vd[
            (vd["geo_code"] == place_code)
            & (vd["period_end_date"] == period_end)
            & vd["measure"].isin(
                ["percent_complete_pct", "percent_pending_investigation_pct", "percent_drug_specified_pct"]
            )
        ]
        predicted = vd[
            (vd["geo_code"] == place_code)
            & (vd["period_end_date"] == period_end)
            & (vd["drug"] == v_drug)
            & (vd["measure"] == "predicted_deaths")
        ]
        qcols = st.columns(4)
        for col, key in zip(
            qcols[:3],
            ("percent_complete_pct", "percent_pending_investigation_pct", "percent_drug_specified_pct"),
            strict=True,
        ):
            q = quality[quality["measure"] == key]
            value = q["value"].iloc[0] if len(q) else pd.NA
            col.metric(
                MEASURES[key].title,
                "not in this copy" if pd.isna(value) else f"{value:,.1f}%",
                help=MEASURES[key].description,
            )
        p_value = predicted["value"].iloc[0] if len(predicted) else pd.NA
        qcols[3].metric(
            "Predicted count",
            "not given" if pd.isna(p_value) else f"{p_value:,.0f}",
            help=MEASURES["predicted_deaths"].description,
        )
        st.caption(
            "Provisional: counted where the death occurred and likely to rise as records pending investigation "
            "are completed. " + charts.source_line(provisional, pd.concat([mine, quality, predicted]))
        )
    v_series = vd[(vd["geo_code"] == place_code) & (vd["drug"] == v_drug) & (vd["measure"] == "deaths")]
    if len(v_series) > 1:
        v_trend = cached.state_trend_view("vsrr_provisional", (place_code,), "deaths", v_drug, False)
        v_rows, v_summary = v_trend.rows, v_trend.summary
        st.plotly_chart(
            cached.state_trend_figure(
                "vsrr_provisional",
                (place_code,),
                "deaths",
                v_drug,
                place_code == "US",
                f"{drug_title(v_drug)}: deaths in the 12 months ending each month, {place_name} (provisional counts)",
            ),
            key="vsrr_trend",
            alt=" ".join(v_summary),
        )
        st.caption(
            "Counts, not rates. Each point covers the 12 months ending that month, so neighbouring points "
            "share 11 months. " + charts.source_line(provisional, v_rows)
        )
        with st.container(border=True):
            st.markdown("**What the chart shows**")
            st.markdown("\n".join(f"- {s}" for s in v_summary))
        with st.expander("The chart as a table, and download"):
            st.dataframe(v_trend.table, hide_index=True)
            st.download_button(
                "Download these rows (CSV)",
                partial(to_csv_bytes, v_rows),
                mime="text/csv",
                file_name=f"provisional_{v_drug}_{place_code}.csv",
                icon=":material/download:",
                key="dl_vsrr_trend",
            )
    st.subheader(f"Change on a year earlier, every place: 12 months ending {period_end:%B %Y}")
    st.markdown("Percent change of each place's own count; withheld counts are listed as such, never as 0.")
    change_table = charts.state_display_table(changes).assign(
        **{"Year-earlier count": changes["previous_value"], "Change on a year earlier (%)": changes["percent_change"]}
    )
    st.dataframe(change_table, hide_index=True)
    st.download_button(
        "Download this table (CSV)",
        partial(to_csv_bytes, changes),
        mime="text/csv",
        file_name=f"provisional_change_{v_drug}_{period}.csv",
        icon=":material/download:",
        key="dl_changes",
    )
    st.caption(charts.source_line(provisional, changes) if not changes.empty else "No rows for this choice.")

# --- the link to this view ------------------------------------------------------------------------------
values = {name: st.session_state[key] for name, key in KEYS.items()}
values["compare"] = tuple(values["compare"])
with st.expander("Copy a link to this view", icon=":material/link:"):
    st.markdown("Anyone who opens this link sees the same choices. Use the copy button at the right of the box.")
    st.code(permalink.share_url(st.context.url, "/states", values, SPECS), language=None, wrap_lines=True)
st.query_params.from_dict(permalink.encode(values, SPECS))
