"""Who is affected: US overdose death rates by sex, age group, and race and Hispanic origin over time.

All drug overdoses: NCHS Drug Poisoning Mortality by State, United States rows (data.cdc.gov jx6g-fdh6,
1999-2017, with 95% confidence limits; ``cached.state_drug_poisoning``). Single drugs: NCHS drug overdose
death rates by drug type, sex, age, race and Hispanic origin (data.cdc.gov 95ax-ymtc, 1999-2018;
``cached.drug_overdose_rates``). Each group's joinpoint trend segments on request. Selections live in the URL
(``permalink``), trend segments as ``segments=yes``.
"""

import streamlit as st

from app import cached, frame, permalink, ui
from app.rows import BREAKDOWNS
from data_sources.dictionary import drug_title

frame.require_frame()

choices = cached.group_choices()
drugs, all_years = choices.drugs, choices.years
SPECS: dict[str, permalink.Spec] = {
    "drug": permalink.Choice(drugs, "all_drugs"),
    "by": permalink.Choice(tuple(BREAKDOWNS), "age_group", {"age": "age_group", "race": "race_ethnicity"}),
    "years": permalink.YearRange(all_years[0], all_years[-1], (all_years[0], all_years[-1])),
    "segments": permalink.Flag(),
}
KEYS = {name: f"demo_{name}" for name in SPECS}
cleaned = permalink.clean({k: st.query_params.get_all(k) for k in st.query_params}, SPECS)
permalink.seed(st.session_state, cleaned, SPECS, KEYS)

st.title("Who is affected")
st.markdown(
    "Overdose death rates for groups of people in the United States: by sex, by age group, and by race and "
    "Hispanic origin. Each small chart is one group, on the same scale, so the heights can be compared."
)
ui.url_notice(cleaned.ignored)

controls = st.columns([2, 2, 3])
with controls[0]:
    drug = st.selectbox("Drug", drugs, key=KEYS["drug"], format_func=drug_title)
with controls[1]:
    by = st.radio("Group by", list(BREAKDOWNS), key=KEYS["by"], format_func=BREAKDOWNS.get)
with controls[2]:
    years = st.slider("Years", all_years[0], all_years[-1], key=KEYS["years"])
    segments = st.toggle(
        "Trend segments",
        key=KEYS["segments"],
        help="Where each group's trend changed pace, and how fast it rose or fell each year, with its 95% interval.",
    )

table = cached.group_table(drug)
ui.table_notices(table)
view = cached.demographics_view(drug, by, tuple(years), segments)
st.header(f"{drug_title(drug)} by {BREAKDOWNS[by].lower()}")
if view is None:
    by_race_alone = by == "race_ethnicity" and drug != "all_drugs"
    st.info(
        f"There are no published rates for {drug_title(drug).lower()} by {BREAKDOWNS[by].lower()} in "
        f"{years[0]}-{years[1]}."
        + (
            " NCHS publishes rates for single drugs by race and Hispanic origin only separately for women and "
            "men, not for everyone together."
            if by_race_alone
            else ""
        )
        + " All drug overdoses have every breakdown."
    )
else:
    ui.chart_with_table(view, title="What the charts show")
st.markdown(
    "Race and Hispanic origin groups are named as NCHS reports them. A rate says how often overdose deaths "
    "happened in a group; on its own it does not say why."
)

values = {name: st.session_state[key] for name, key in KEYS.items()}
values["years"] = tuple(values["years"])
ui.link_box(permalink.share_url(st.context.url, "/demographics", values, SPECS))
st.query_params.from_dict(permalink.encode(values, SPECS))
