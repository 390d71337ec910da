"""Counties: a state's counties coloured by NCHS's model-based death-rate range, 1999-2016.

Figures: NCHS Drug Poisoning Mortality by County (data.cdc.gov pbkm-d27e, ``cached.county_rates``), published as
16 ranges, never as exact rates. Outlines are served by this app (``static/counties/``), one state at a time.
The state and year live in the URL (``?state=WV&year=2016``).
"""

import streamlit as st

from app import cached, frame, permalink, ui
from data_sources import geography

frame.require_frame()

by_name = sorted(geography.STATES, key=lambda s: s.name)
USPS = tuple(s.usps for s in by_name)
ALIASES = {s.fips: s.usps for s in by_name} | {s.name.lower(): s.usps for s in by_name}
years = cached.county_years()
SPECS: dict[str, permalink.Spec] = {
    "state": permalink.Choice(USPS, "WV", ALIASES),
    "year": permalink.Year(years[0], years[-1], years[-1]),
}
KEYS = {name: f"county_{name}" for name in SPECS}
cleaned = permalink.clean({k: st.query_params.get_all(k) for k in st.query_params}, SPECS)
permalink.seed(st.session_state, cleaned, SPECS, KEYS)

st.title("Overdose deaths by county")
st.markdown(
    "How high was the drug overdose death rate in each county of a state? Rates are deaths per 100,000 people: "
    "for every 100,000 people who live in a county, how many died of a drug overdose in a year."
)
ui.url_notice(cleaned.ignored)

controls = st.columns([2, 1])
with controls[0]:
    state = st.selectbox("State", USPS, key=KEYS["state"], format_func=lambda c: geography.BY_USPS[c].name)
with controls[1]:
    year = st.selectbox("Year", years[::-1], key=KEYS["year"])
fips = geography.usps_to_fips(state)

view = cached.county_view(fips, year)
if view is None:
    st.info(f"There are no county estimates for {geography.BY_USPS[state].name} in {year}.")
else:
    ui.chart_with_table(view, title="What the map shows")

values = {name: st.session_state[key] for name, key in KEYS.items()}
ui.link_box(permalink.share_url(st.context.url, "/counties", values, SPECS))
st.query_params.from_dict(permalink.encode(values, SPECS))
