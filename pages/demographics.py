"""Who is affected: US overdose death rates by sex, age group, and race and Hispanic origin over time.

All drug overdoses: NCHS Drug Poisoning Mortality by State, United States rows (data.cdc.gov jx6g-fdh6,
1999-2017, with 95% confidence limits; ``cached.state_drug_poisoning``). Single drugs: NCHS drug overdose
death rates by drug type, sex, age, race and Hispanic origin (data.cdc.gov 95ax-ymtc, 1999-2018;
``cached.drug_overdose_rates``). Selections live in the URL (``permalink``).
"""

from functools import partial

import streamlit as st

import cached
import charts
import help_resources
import permalink
from data_sources.dictionary import MEASURES, drug_title
from data_sources.snapshot import to_csv_bytes

help_resources.require_frame()

final = cached.state_drug_poisoning()
by_drug = cached.drug_overdose_rates()
RATES = ("age_adjusted_rate_per_100k", "crude_rate_per_100k")


def table_for(drug: str):
    """All drug overdoses come from jx6g-fdh6 (every breakdown, with confidence limits); single drugs from
    95ax-ymtc, the only one of the two that splits deaths by drug."""
    return final if drug == "all_drugs" else by_drug


drugs = ["all_drugs"] + [d for d in charts.trend_drug_choices(by_drug.data, RATES) if d != "all_drugs"]
all_years = sorted({int(y) for t in (final, by_drug) for y in t.data["year"].unique()})
SPECS: dict[str, permalink.Spec] = {
    "drug": permalink.Choice(tuple(drugs), "all_drugs"),
    "by": permalink.Choice(tuple(charts.BREAKDOWNS), "age_group", {"age": "age_group", "race": "race_ethnicity"}),
    "years": permalink.YearRange(all_years[0], all_years[-1], (all_years[0], all_years[-1])),
}
KEYS = {name: f"demo_{name}" for name in SPECS}
cleaned = permalink.clean({k: st.query_params.get_all(k) for k in st.query_params}, SPECS)
permalink.seed(st.session_state, cleaned, SPECS, KEYS)

st.title("Who is affected")
st.markdown(
    "Overdose death rates for groups of people in the United States: by sex, by age group, and by race and "
    "Hispanic origin. Each small chart is one group, on the same scale, so the heights can be compared."
)
if note := permalink.notice(cleaned.ignored):
    st.info(note, icon=":material/link_off:")

controls = st.columns([2, 2, 3])
with controls[0]:
    drug = st.selectbox("Drug", drugs, key=KEYS["drug"], format_func=charts.drug_label)
with controls[1]:
    by = st.radio("Group by", list(charts.BREAKDOWNS), key=KEYS["by"], format_func=charts.BREAKDOWNS.get)
with controls[2]:
    years = st.slider("Years", all_years[0], all_years[-1], key=KEYS["years"])

table = table_for(drug)
if table.notice:
    st.caption(f"{table.sources[0].title}: {table.notice}")
# Age-specific rates are crude by definition (a rate within one age band needs no age adjustment); for sex
# and race NCHS gives age-adjusted rates, which allow for groups with older or younger people.
measure = "crude_rate_per_100k" if by == "age_group" else "age_adjusted_rate_per_100k"
rows = charts.demographic_rows(table.data, drug=drug, by=by, measure=measure, years=years)
if rows.empty and measure == "age_adjusted_rate_per_100k":
    measure = "crude_rate_per_100k"
    rows = charts.demographic_rows(table.data, drug=drug, by=by, measure=measure, years=years)

st.header(f"{drug_title(drug)}: {MEASURES[measure].title.lower()} by {charts.BREAKDOWNS[by].lower()}")
if rows.empty:
    st.info(
        f"This copy of the data has no {MEASURES[measure].title.lower()} for {drug_title(drug).lower()} by "
        f"{charts.BREAKDOWNS[by].lower()} in {years[0]}-{years[1]}. The bundled copy of the by-drug table "
        "(95ax-ymtc) holds only part of CDC's file; `make refresh` fetches all of it. All drug overdoses have "
        "every breakdown."
    )
else:
    summary = charts.demographics_summary(table.data, drug=drug, by=by, measure=measure, years=years)
    st.plotly_chart(
        cached.demographics_figure(
            table.name,
            drug,
            by,
            measure,
            tuple(years),
            f"{drug_title(drug)}, {MEASURES[measure].title.lower()}, United States",
        ),
        key="demographics",
        alt=" ".join(summary),
    )
    st.caption(
        f"{charts.upper_first(MEASURES[measure].unit)}. Gaps: no figure published (withheld, never 0). Hollow markers: "
        "rates NCHS marks unreliable (too few deaths). " + charts.source_line(table, rows)
    )
    with st.container(border=True):
        st.markdown("**What the charts show**")
        st.markdown("\n".join(f"- {s}" for s in summary))
    with st.expander("The charts as a table, and download"):
        st.dataframe(charts.demographics_display_table(rows), hide_index=True)
        st.download_button(
            "Download these rows (CSV)",
            partial(to_csv_bytes, rows),  # built on the click, not on every rerun
            mime="text/csv",
            file_name=f"overdose_{drug}_by_{by}.csv",
            icon=":material/download:",
        )
st.markdown(
    "Race and Hispanic origin groups are named as NCHS reports them. A rate says how often overdose deaths "
    "happened in a group; on its own it does not say why."
)

values = {name: st.session_state[key] for name, key in KEYS.items()}
values["years"] = tuple(values["years"])
with st.expander("Copy a link to this view", icon=":material/link:"):
    st.markdown("Anyone who opens this link sees the same choices. Use the copy button at the right of the box.")
    st.code(permalink.share_url(st.context.url, "/demographics", values, SPECS), language=None, wrap_lines=True)
st.query_params.from_dict(permalink.encode(values, SPECS))
