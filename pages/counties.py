"""Counties: a state's counties coloured by NCHS's model-based death-rate range, 1999-2016.

Figures: NCHS Drug Poisoning Mortality by County (data.cdc.gov pbkm-d27e, ``cached.county_rates``), published as
16 ranges, never as exact rates. Outlines are served by this app (``static/counties/``), one state at a time.
The state and year live in the URL (``?state=WV&year=2016``).
"""

import streamlit as st

from app import cached, frame, permalink, ui
from data_sources import geography

frame.require_frame()

years = cached.county_years()
SPECS: dict[str, permalink.Spec] = {
    "state": permalink.Choice(ui.STATE_CODES, "WV", ui.STATE_ALIASES),
    "year": permalink.Year(years[0], years[-1], years[-1]),
}

st.title("Overdose deaths by county")
st.markdown(
    "How high was the drug overdose death rate in each county of a state? Rates are deaths per 100,000 people: "
    "for every 100,000 people who live in a county, how many died of a drug overdose in a year."
)
KEYS, cleaned = ui.linked_choices(SPECS, "county")

controls = st.columns([2, 1])
with controls[0]:
    fips = ui.state_picker(KEYS["state"])
with controls[1]:
    year = st.selectbox("Year", years[::-1], key=KEYS["year"])

view = cached.county_view(fips, year)
if view is None:
    st.info(f"There are no county estimates for {geography.BY_FIPS[fips].name} in {year}.")
else:
    ui.chart_with_table(view, title="What the map shows")

ui.keep_link("/counties", SPECS, {name: st.session_state[key] for name, key in KEYS.items()})
