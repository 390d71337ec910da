"""Overdoses people survive: nonfatal overdose emergency department visits and hospital stays by state.

Figures: CDC DOSE nonfatal overdose discharge data, 2018-2023 (``cached.nonfatal_visits``), for the states that
take part; beside them, the state's death rate from NCHS (``cached.state_drug_poisoning``) on its own chart.
Visits and deaths come from different systems: they are never divided into each other or drawn on one axis.
Each chart's joinpoint trend segments on request. The state, drug group and trend segments live in the URL
(``?state=KY&drug=nonfatal_opioids&segments=yes``).
"""

import streamlit as st

from app import cached, frame, permalink, ui
from data_sources import geography
from data_sources.dictionary import drug_title

frame.require_frame()

drugs, reporting = cached.nonfatal_choices()
SPECS: dict[str, permalink.Spec] = {
    "state": permalink.Choice(ui.STATE_CODES, "KY", ui.STATE_ALIASES),
    "drug": permalink.Choice(drugs, "nonfatal_all_drugs"),
    "segments": permalink.Flag(),
}

st.title("Overdoses people survive")
st.markdown(
    "Many more people overdose and survive than die. CDC counts nonfatal overdoses when people are treated in "
    "an emergency department or stay in hospital. These are **visits, not people**: one person can be counted "
    "more than once. Only some states send these data to CDC, and which ones changes by year."
)
KEYS, cleaned = ui.linked_choices(SPECS, "nonfatal")

controls = st.columns([2, 2, 1])
with controls[0]:
    fips = ui.state_picker(KEYS["state"])
with controls[1]:
    drug = st.selectbox("Drug", drugs, key=KEYS["drug"], format_func=drug_title)
with controls[2]:
    segments = st.toggle(
        "Trend segments",
        key=KEYS["segments"],
        help="How fast visits and deaths rose or fell each year, with its 95% interval, and where the pace changed.",
    )

pair = cached.nonfatal_views(fips, drug, segments)
if pair is None:
    names = ", ".join(geography.BY_FIPS[f].name for f in reporting if f in geography.BY_FIPS)
    st.info(
        f"{geography.BY_FIPS[fips].name} does not report nonfatal overdose visits to CDC's DOSE program, so "
        f"there are no figures to show. States that report: {names}."
    )
else:
    visits, deaths = pair
    st.caption(
        "Two charts, two systems: visits come from hospital records, deaths from death certificates. Compare "
        "how each changes over time; do not divide one by the other."
    )
    left, right = st.columns(2)
    with left:
        ui.chart_with_table(visits)
    with right:
        ui.chart_with_table(deaths)

ui.keep_link("/nonfatal", SPECS, {name: st.session_state[key] for name, key in KEYS.items()})
