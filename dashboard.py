"""US Drug Overdose Data Dashboard: the entry point (``streamlit run dashboard.py``).

A picture frame only: page config, navigation over ``pages/``, and the help resources every page shares.
No data logic lives here.
"""

from pathlib import Path

import streamlit as st

from app import cached, frame

ROOT = Path(__file__).parent


st.set_page_config(
    page_title="US Drug Overdose Data",
    # A local file: a Material icon name would make the browser fetch the icon from Google.
    page_icon=str(ROOT / "static" / "favicon.png"),
    layout="wide",
    menu_items={"About": "US drug overdose data from CDC, NCHS and NIDA, with every figure cited."},
)
frame.style()

# (file, title, icon): the order here is the order of the navigation bar.
SECTIONS = {
    "Explore": [
        ("pages/overview.py", "Overview", ":material/home:"),
        ("pages/states.py", "States", ":material/map:"),
        ("pages/counties.py", "Counties", ":material/location_city:"),
        ("pages/nonfatal.py", "Overdoses people survive", ":material/local_hospital:"),
        ("pages/demographics.py", "Who is affected", ":material/groups:"),
        ("pages/risk.py", "Risk and claims", ":material/balance:"),
    ],
    "Teach and download": [
        ("pages/classroom.py", "Lesson mode", ":material/school:"),
        ("pages/data.py", "Data and downloads", ":material/download:"),
        ("pages/about.py", "About the data", ":material/info:"),
    ],
}

pages = {
    section: [
        st.Page(path, title=title, icon=icon, default=(path == "pages/overview.py")) for path, title, icon in entries
    ]
    for section, entries in SECTIONS.items()
}
page = st.navigation(pages, position="top")
# Lesson mode is projected to a class: one idea per screen, so no sidebar or footer there (its last slide and a
# one-line note carry the help lines instead).
presenting = page.url_path == "classroom"
if not presenting:
    frame.sidebar()
page.run()
if presenting:
    frame.help_line()
else:
    frame.footer(cached.data_as_of())
