"""Overdoses people survive: nonfatal overdose emergency department visits and hospital stays by state.

Figures: CDC DOSE nonfatal overdose discharge data, 2018-2023 (``cached.nonfatal_visits``), for the states that
take part; beside them, the state's death rate from NCHS (``cached.state_drug_poisoning``) on its own chart.
Visits and deaths come from different systems: they are never divided into each other or drawn on one axis.
The state and drug group live in the URL (``?state=KY&drug=nonfatal_opioids``).
"""

import streamlit as st

from app import cached, frame, permalink, ui
from data_sources import geography
from data_sources.dictionary import drug_title

frame.require_frame()

by_name = sorted(geography.STATES, key=lambda s: s.name)
USPS = tuple(s.usps for s in by_name)
ALIASES = {s.fips: s.usps for s in by_name} | {s.name.lower(): s.usps for s in by_name}
drugs, reporting = cached.nonfatal_choices()
SPECS: dict[str, permalink.Spec] = {
    "state": permalink.Choice(USPS, "KY", ALIASES),
    "drug": permalink.Choice(drugs, "nonfatal_all_drugs"),
}
KEYS = {name: f"nonfatal_{name}" for name in SPECS}
cleaned = permalink.clean({k: st.query_params.get_all(k) for k in st.query_params}, SPECS)
permalink.seed(st.session_state, cleaned, SPECS, KEYS)

st.title("Overdoses people survive")
st.markdown(
    "Many more people overdose and survive than die. CDC counts nonfatal overdoses when people are treated in "
    "an emergency department or stay in hospital. These are **visits, not people**: one person can be counted "
    "more than once. Only some states send these data to CDC, and which ones changes by year."
)
ui.url_notice(cleaned.ignored)

controls = st.columns([2, 2])
with controls[0]:
    state = st.selectbox("State", USPS, key=KEYS["state"], format_func=lambda c: geography.BY_USPS[c].name)
with controls[1]:
    drug = st.selectbox("Drug", drugs, key=KEYS["drug"], format_func=drug_title)
fips = geography.usps_to_fips(state)

pair = cached.nonfatal_views(fips, drug)
if pair is None:
    names = ", ".join(geography.BY_FIPS[f].name for f in reporting if f in geography.BY_FIPS)
    st.info(
        f"{geography.BY_USPS[state].name} does not report nonfatal overdose visits to CDC's DOSE program, so "
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

values = {name: st.session_state[key] for name, key in KEYS.items()}
ui.link_box(permalink.share_url(st.context.url, "/nonfatal", values, SPECS))
st.query_params.from_dict(permalink.encode(values, SPECS))
