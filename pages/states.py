"""States: how is my state doing? A rate map and tile grid, ranks that respect uncertainty, a state against
the nation, trends, and CDC's recent provisional counts with their data-quality figures.

Final figures: NCHS Drug Poisoning Mortality by State (data.cdc.gov jx6g-fdh6, ``cached.state_drug_poisoning``).
Recent figures: CDC VSRR Provisional Drug Overdose Death Counts (data.cdc.gov xkb8-kh2a,
``cached.vsrr_provisional``). Every selection lives in the URL (``permalink``), so a copied link reproduces
the view.
"""

from functools import partial

import streamlit as st

from app import cached, frame, permalink, ui, views, words
from app.charts.maps import MAP_MEASURES
from data_sources import geography
from data_sources.dictionary import MEASURES, drug_title

frame.require_frame()

final = cached.state_drug_poisoning()
provisional = cached.vsrr_provisional()
choices = cached.state_choices()

# --- what the URL may hold ------------------------------------------------------------------------------
by_name = sorted(geography.STATES, key=lambda s: s.name)
USPS = tuple(s.usps for s in by_name)
STATE_ALIASES = {s.fips: s.usps for s in by_name} | {s.name.lower(): s.usps for s in by_name}
years = choices.years
v_drugs = choices.provisional_drugs
v_periods = choices.provisional_periods
SPECS: dict[str, permalink.Spec] = {
    "state": permalink.Choice(("none", *USPS), "none", STATE_ALIASES),
    "compare": permalink.MultiChoice(USPS, (), STATE_ALIASES, max_items=8),
    "measure": permalink.Choice(
        MAP_MEASURES,
        "age_adjusted_rate_per_100k",
        {"age_adjusted": "age_adjusted_rate_per_100k", "crude": "crude_rate_per_100k"},
    ),
    "year": permalink.Year(years[0], years[-1], years[-1]),
    "segments": permalink.Flag(),
    "lang": permalink.Choice(("en", "es"), "en"),
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
    "nation as a whole, and how it changed."
)
ui.url_notice(cleaned.ignored)

# The state picker stays in view; the rate and the year sit in one button, so on a phone the map starts on the
# first screen.
controls = st.columns([2, 1], vertical_alignment="bottom")
with controls[0]:
    my_state = st.selectbox(
        "My state",
        ("none", *USPS),
        key=KEYS["state"],
        format_func=lambda c: "Choose a state" if c == "none" else geography.BY_USPS[c].name,
    )
with controls[1], st.popover("Change the map", icon=":material/tune:"):
    measure = st.radio(
        "Rate",
        MAP_MEASURES,
        key=KEYS["measure"],
        horizontal=True,
        format_func={"age_adjusted_rate_per_100k": "Age-adjusted", "crude_rate_per_100k": "Crude"}.get,
        help="Age-adjusted rates allow for states with older or younger people; crude rates do not.",
    )
    year = st.selectbox("Year", years[::-1], key=KEYS["year"])
my_fips = None if my_state == "none" else geography.usps_to_fips(my_state)

view = cached.state_year(measure, year, my_fips)

# --- my state against the nation ------------------------------------------------------------------------
if my_fips is not None:
    with st.container(border=True):
        card = views.my_state_card(view, my_fips)
        if card is None:
            st.warning(f"No {MEASURES[measure].title.lower()} for {geography.BY_FIPS[my_fips].name} in {year}.")
        else:
            st.subheader(f"{geography.BY_FIPS[my_fips].name}, {year}: {card.heading}")
            st.markdown(card.sentence)
            st.markdown(
                card.rank + " The range after each rate is its 95% confidence interval: the values the true rate "
                "most likely lies between, given the number of deaths."
            )
            st.caption(view.map.source)
            if cached.can_print():
                lang = st.radio(
                    "Language of the printout",
                    ("en", "es"),
                    format_func={"en": "English", "es": "Español"}.get,
                    horizontal=True,
                    key=KEYS["lang"],
                )
                base = permalink.site_root(st.context.url, "/states")
                st.download_button(
                    "Print a one-page brief (PDF)",
                    partial(cached.state_brief_pdf, my_state, lang, year, base),
                    file_name=f"brief-{my_state}{'' if lang == 'en' else '.' + lang}.pdf",
                    mime="application/pdf",
                    icon=":material/print:",
                    help="One page for this state: its rate against the nation with intervals, its rank, its trend, "
                    "data notes, sources, help lines and a QR code that opens this view.",
                )

# --- map and tile grid ----------------------------------------------------------------------------------
st.header(f"{MEASURES[measure].title} by state, {year}")
tab_map, tab_tiles = st.tabs(["Map", "Tile grid (every state the same size)"])
with tab_map:
    ui.chart_only(view.map)
with tab_tiles:
    ui.chart_only(view.tiles)
st.markdown(
    "Rates are deaths per 100,000 people, so states of different sizes can be compared; counts are not used for that."
)
ui.summary_box(view.map.summary, title="What the map shows")
ui.table_notices(final, provisional)

st.subheader("Ranking")
st.markdown(
    "States are ranked from the highest rate (1) down. Rates that NCHS suppresses or marks unreliable are "
    "listed with the reason and left out of the ranks, because a rate from very few deaths can jump around "
    "by chance. Neighbouring ranks are often not really different: compare the confidence intervals."
)
st.dataframe(view.ranking.table, hide_index=True)
ui.download(view.ranking, "Download the ranking (CSV)")
st.caption(view.ranking.source)

# --- trends: chosen states against the nation -----------------------------------------------------------
st.header("Trend: states against the nation")
compare = st.multiselect(
    "States to compare with the nation",
    USPS,
    key=KEYS["compare"],
    max_selections=8,
    format_func=lambda c: geography.BY_USPS[c].name,
)
segments = st.toggle(
    "Trend segments",
    key=KEYS["segments"],
    help="Where each trend changed pace, and how fast it rose or fell each year, with its 95% interval.",
)
codes = tuple(geography.usps_to_fips(c) for c in compare)
title = f"{MEASURES[measure].title}, drug overdose deaths"
ui.chart_with_table(
    cached.state_trend_view(
        "state_drug_poisoning", codes, measure, "all_drugs", True, title, f"state_trend_{measure}", segments
    )
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
    'should not be made." (NCHS, notes to the provisional counts). Compare a state with itself over '
    "time, not with other states.",
    icon=":material/warning:",
)
if "drug" not in SPECS:
    st.info("CDC's recent provisional counts are not available here at the moment.")
else:
    vcols = st.columns(2)
    with vcols[0]:
        v_drug = st.selectbox("Drug", v_drugs, key=KEYS["drug"], format_func=drug_title)
    with vcols[1]:
        period = st.selectbox("12 months ending", v_periods[::-1], key=KEYS["period"], format_func=words.month_name)
    period_end = words.month_end(period)
    place_code = my_fips or "US"
    place_name = geography.BY_FIPS[my_fips].name if my_fips else "United States"
    card = cached.provisional_card(place_code, place_name if my_fips else "the United States", v_drug, period_end)
    with st.container(border=True):
        st.subheader(f"{place_name}: 12 months ending {words.month_name(period)}")
        if card.sentence is None:
            st.info(
                f"There is no recent provisional count for {place_name} for this drug and period here. The latest "
                f"final figures are in the map and the trend above ({years[-1]})."
            )
        else:
            st.markdown(card.sentence)
        if card.sentence is not None:
            for col, (label, value, help_text) in zip(st.columns(len(card.quality)), card.quality, strict=True):
                col.metric(label, value, help=help_text)
            st.caption(
                "Provisional: counted where the death occurred and likely to rise as records pending investigation "
                "are completed. " + card.source
            )
    if cached.has_provisional_series(place_code, v_drug):
        ui.chart_with_table(
            cached.state_trend_view(
                "vsrr_provisional",
                (place_code,),
                "deaths",
                v_drug,
                place_code == "US",
                f"{drug_title(v_drug)}: deaths in the 12 months ending each month, {place_name} (provisional counts)",
                f"provisional_{v_drug}_{place_code}",
            )
        )
    st.subheader(f"Change on a year earlier, every place: 12 months ending {words.month_name(period)}")
    st.markdown("Percent change of each place's own count; withheld counts are listed as such, never as 0.")
    changes = cached.change_view(v_drug, period_end, period)
    st.dataframe(changes.table, hide_index=True)
    ui.download(changes, "Download this table (CSV)")
    st.caption(changes.source)

# --- the link to this view ------------------------------------------------------------------------------
values = {name: st.session_state[key] for name, key in KEYS.items()}
values["compare"] = tuple(values["compare"])
ui.link_box(permalink.share_url(st.context.url, "/states", values, SPECS))
st.query_params.from_dict(permalink.encode(values, SPECS))
