"""Drawing helpers shared by every page: one chart block, one summary box, one table-and-download, one link box.

Every chart goes through :func:`chart_with_table`, so every chart gets the same care: screen-reader alt text
from its summary, what its marks mean and its source underneath, the summary in words beside it, and the exact
rows as a table with a CSV download. CSVs come from the one writer (``data_sources.export.to_csv_bytes``),
built when the button is clicked rather than on every rerun.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import pandas as pd
import streamlit as st

from app import permalink
from app.tables import segment_table
from app.views import ChartView
from data_sources import geography
from data_sources.export import to_csv_bytes
from data_sources.schema import Table


def chart_with_table(view: ChartView, *, notes: Sequence[str] = (), title: str = "What the chart shows") -> None:
    """The chart, its legend and source, its summary (also its alt text), and its rows as a table + CSV."""
    st.plotly_chart(view.figure, key=view.key, config=dict(view.config), alt=view.alt)
    caption(view)
    summary_box([*view.summary, *view.notes, *notes], title=title)
    table_and_download(view)


def chart_only(view: ChartView) -> None:
    """A chart with its legend and source, for a view whose summary and table are drawn once for several charts
    (the map and the tile grid show the same rows)."""
    st.plotly_chart(view.figure, key=view.key, config=dict(view.config), alt=view.alt)
    caption(view)


def caption(view: ChartView) -> None:
    """What the marks mean, then the source."""
    st.caption(" ".join(p for p in (view.legend, view.source) if p))


def summary_box(lines: Sequence[str], *, title: str = "What the chart shows") -> None:
    """Plain-language lines in a bordered box."""
    if not lines:
        return
    with st.container(border=True):
        st.markdown(f"**{title}**")
        st.markdown("\n".join(f"- {line}" for line in lines))


def download(view: ChartView, label: str = "Download these rows (CSV)") -> None:
    """A CSV download of the view's rows, written when clicked."""
    csv_button(label, view.rows, f"{view.key}.csv", key=f"download_{view.key}")


def csv_button(
    label: str, rows: pd.DataFrame, file_name: str, *, icon: str = ":material/download:", key: str | None = None
) -> None:
    """A download button for ``rows`` as CSV, from the one writer, built when clicked (not on every rerun)."""
    st.download_button(
        label, partial(to_csv_bytes, rows), file_name=file_name, mime="text/csv", icon=icon, key=key or file_name
    )


def table_and_download(view: ChartView, *, heading: str = "The chart as a table, and download") -> None:
    """The view's display table and CSV download, in an expander; its trend segments too when it has them."""
    with st.expander(heading):
        st.dataframe(view.table, hide_index=True)
        download(view)
        if view.segments is not None:
            st.markdown("**Trend segments** (annual percent change with its 95% confidence interval)")
            st.dataframe(segment_table(view.segments), hide_index=True)
            csv_button("Download the segments (CSV)", view.segments, f"{view.key}_segments.csv")


def url_notice(ignored: Sequence[permalink.Ignored]) -> None:
    """Tell the reader when a link held values this page cannot use (they were ignored)."""
    if note := permalink.notice(ignored):
        st.info(note, icon=":material/link_off:")


#: The states and DC by postal code, in the order of their names; a link may also name one by FIPS code or name.
STATE_CODES: tuple[str, ...] = tuple(s.usps for s in sorted(geography.STATES, key=lambda s: s.name))
STATE_ALIASES: dict[str, str] = {s.fips: s.usps for s in geography.STATES} | {
    s.name.lower(): s.usps for s in geography.STATES
}


def state_name(code: str) -> str:
    """'WV' -> 'West Virginia' (for a picker's labels)."""
    return geography.BY_USPS[code].name


def state_picker(key: str) -> str:
    """A "State" picker (names shown, postal code kept under ``key``); returns the chosen state's FIPS code."""
    code = st.selectbox("State", STATE_CODES, key=key, format_func=state_name)
    return geography.usps_to_fips(str(code))


def linked_choices(specs: Mapping[str, permalink.Spec], prefix: str) -> tuple[dict[str, str], permalink.Cleaned]:
    """The page's choices as the link gives them: each widget key (``prefix_name``) seeded once from the URL,
    and a notice for any value that was ignored. Returns the widget keys by parameter name, and what was read."""
    keys = {name: f"{prefix}_{name}" for name in specs}
    cleaned = permalink.clean({k: st.query_params.get_all(k) for k in st.query_params}, specs)
    permalink.seed(st.session_state, cleaned, specs, keys)
    url_notice(cleaned.ignored)
    return keys, cleaned


def keep_link(page_path: str, specs: Mapping[str, permalink.Spec], values: Mapping[str, permalink.Value]) -> None:
    """Put the page's current choices in its address and offer the link to copy."""
    link_box(permalink.share_url(st.context.url, page_path, values, specs))
    st.query_params.from_dict(permalink.encode(values, specs))


def link_box(url: str) -> None:
    """A copyable link to the view on screen."""
    with st.expander("Copy a link to this view", icon=":material/link:"):
        st.markdown("Anyone who opens this link sees the same choices. Use the copy button at the right of the box.")
        st.code(url, language=None, wrap_lines=True)


def table_notices(*tables: Table) -> None:
    """A short caption for each table that has something to say about its copy (stale, bundled fallback)."""
    for table in tables:
        if table.notice:
            st.caption(f"{table.sources[0].title}: {table.notice}")
