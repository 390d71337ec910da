"""The frame around every page: the help lines (sidebar box and footer), the data-as-of footer, the page-wide
style rules, and the guard that keeps a deep-linked page inside the navigation frame.

Reachable from every page because a reader looking at overdose numbers may be looking for help.
Numbers: 988 Suicide & Crisis Lifeline (https://988lifeline.org), SAMHSA National Helpline
(https://www.samhsa.gov/find-help/helplines/national-helpline), naloxone information from SAMHSA
(https://www.samhsa.gov/substance-use/treatment/overdose-prevention/naloxone).
"""

from __future__ import annotations

import streamlit as st

HELP_MARKDOWN = (
    "**Need help now?** Call or text **988** (Suicide & Crisis Lifeline, 24/7). "
    "For treatment referral and information, call the **SAMHSA National Helpline, "
    "1-800-662-4357** (free, confidential, 24/7, English and Spanish), or visit "
    "[findtreatment.gov](https://findtreatment.gov). "
    "**Naloxone** reverses opioid overdoses and is sold without a prescription: "
    "[how to get and use it](https://www.samhsa.gov/substance-use/treatment/overdose-prevention/naloxone). "
    "In an emergency, call **911**."
)


def require_frame() -> None:
    """Make sure this page runs inside ``dashboard.py``'s frame (navigation, help box, footer).

    Streamlit 1.67 treats a ``pages/`` folder beside the entry script as an old-style multipage app until
    ``st.navigation`` has run once in the server process. So on a fresh server whose first visitor follows a
    link straight to a page (a teacher's ``/classroom?slide=heroin``), Streamlit runs that page file alone:
    no navigation bar, no help footer, and every later visitor gets the same until someone opens ``/``.
    Called first thing by every page: in that state it switches the old mode off and reruns, so the entry
    script frames the page (query parameters and the page are kept). Otherwise it does nothing.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


FOOTER_MARKDOWN = (
    "Figures from the U.S. Centers for Disease Control and Prevention (CDC), its National Center for Health "
    "Statistics (NCHS), the National Institute on Drug Abuse (NIDA) and peer-reviewed studies, cited under "
    "each chart; public-domain U.S. Government data. This site sets no cookies for tracking and sends no "
    "usage statistics."
)


#: The word written beside the control that opens the sidebar (the sidebar holds the help lines).
SIDEBAR_LABEL = "Help"

#: Page-wide rules, for what Streamlit's own styles get wrong on a phone or a laptop:
#: * a headline card's label wraps onto a second line instead of ending in "..." ("Heroin deaths: 2019 v...");
#: * the control that opens the sidebar, otherwise a bare "»", says what it opens.
STYLE = f"""
<style>
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {{
  white-space: normal;
  overflow: visible;
  text-overflow: clip;
}}
[data-testid="stExpandSidebarButton"] {{
  width: auto;
  padding: 0 0.5rem 0 0.25rem;
  gap: 0.25rem;
}}
[data-testid="stExpandSidebarButton"]::after {{
  content: "{SIDEBAR_LABEL}";
  font-size: 1rem;
  font-weight: 600;
  color: rgb(49, 51, 63);
}}
</style>
"""


def style() -> None:
    """Add the page-wide style rules (a style-only ``st.html`` takes no room on the page)."""
    st.html(STYLE)


def sidebar() -> None:
    with st.sidebar:
        st.markdown("### Help and support")
        st.markdown(HELP_MARKDOWN)


def footer(as_of: str | None = None) -> None:
    """Help lines, then where the figures come from and (from the dashboard frame) how fresh each table is."""
    st.divider()
    st.info(HELP_MARKDOWN, icon=":material/support:")
    st.caption(FOOTER_MARKDOWN)
    if as_of:
        st.caption(as_of)


def help_line() -> None:
    """The help lines in one small line, for pages where the full footer would crowd the screen (Lesson mode)."""
    st.caption(
        "Need help now? Call or text 988 · SAMHSA National Helpline 1-800-662-4357 (free, 24/7) · "
        "naloxone reverses opioid overdoses · emergency: 911. This site sends no usage statistics."
    )
