"""About the data: sources, definitions and caveats, generated from the data dictionary and the catalog."""

import streamlit as st

from app import cached, frame, words
from data_sources.dictionary import COLUMN_DESCRIPTIONS, DRUGS, FLAGS, MEASURES

frame.require_frame()

st.title("About the data")
st.markdown(
    "This dashboard shows official U.S. figures on drug overdose deaths. Nothing is typed in by hand: every "
    "number on every page is read from the tables listed below, and every table row names the publication or "
    "dataset it came from."
)

st.header("Sources")
for name, table in cached.catalog_tables().items():
    with st.expander(f"{name}: {len(table.data):,} rows"):
        st.caption(words.as_of_line(table))
        for source in table.sources:
            st.markdown(
                f"**[{source.title}]({source.url})** ({source.publisher}). {source.citation} "
                f"*Licence:* {source.license}."
            )

st.header("What the drug categories mean")
st.markdown(
    "CDC counts a death as a drug overdose when the underlying cause is drug poisoning, and records the drugs "
    "involved with ICD-10 codes. **One death can involve several drugs**, so it can be counted under heroin and "
    'under fentanyl at once; that is why the drug lines do not add up to the total. **"Prescription opioids"** '
    "means natural and semisynthetic opioids (T40.2) in CDC's narrow use; NIDA's charts add methadone (T40.3), "
    "shown here as a separate series so the two are never mixed."
)
st.table(
    [
        {"Key": key, "Name": term.title, "ICD-10 codes": term.icd10 or "-", "Definition": term.description}
        for key, term in DRUGS.items()
    ]
)

st.header("Measures and units")
st.table(
    [
        {"Key": key, "Name": term.title, "Unit": term.unit, "Definition": term.description}
        for key, term in MEASURES.items()
    ]
)

st.header("Flags: why a value is missing or qualified")
st.table([{"Flag": flag, "Meaning": meaning} for flag, meaning in FLAGS.items()])

st.header("Columns of every table and download")
st.table([{"Column": col, "Meaning": meaning} for col, meaning in COLUMN_DESCRIPTIONS.items()])

st.header("Caveats")
st.markdown(
    """
- **Final and provisional figures are kept apart.** Final counts (NCHS, by state of residence) are published
  about a year after the year ends. CDC's provisional counts (VSRR) come sooner, count deaths where they
  occurred and change as records arrive; they are always labelled *provisional*.
- **Rates are age-adjusted** to the 2000 U.S. standard population unless a chart says *crude*; use rates, not
  counts, to compare places or groups of different size.
- **Suppressed and unreliable values are never shown as zero.** CDC withholds small counts (under 10 deaths) and
  each publisher marks unreliable rates by its own rule, which this site keeps: NCHS's state tables
  (*Drug Poisoning Mortality by State* and *Drug Overdose Mortality by State*) call a rate on **20 or fewer**
  deaths unreliable; CDC WONDER calls one on **fewer than 20** unreliable (and now prints 0.0 where there were no
  deaths, which is not a measured rate); *Health, United States* (95ax-ymtc) marks its own with an asterisk.
  They appear as gaps or hollow markers and are left out of rankings.
- **Figures read from secondary texts** (a page quoting CDC or NIDA when the primary table was not reachable)
  are flagged `secondary_source` and drawn with hollow markers. Heroin deaths in 2018 (14,996) and 2019
  (14,019) are among them; CDC's own pages give "nearly 15,000" and "more than 14,000".
- **Gaps.** Final counts for several drugs after 2019 (heroin 2020 and 2022-2023, methadone, natural and
  semisynthetic opioids, cocaine 2019 and 2021-2023, psychostimulants 2022-2023) and some rates after 2018 were
  not found in a citable text, so they are left out rather than estimated.
- **Waves of the opioid epidemic** follow CDC's description: prescription opioids from the 1990s, heroin from
  2010, synthetic opioids such as illicitly made fentanyl from 2013.
"""
)
