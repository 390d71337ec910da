"""Data and downloads: every table with its dictionary, source and citation; filtered or whole CSVs; the data
package; and a CDC WONDER export turned into a tidy table.

Tables come from ``cached.all_tables()`` (the catalog); an upload is read by ``cached.take_wonder_upload`` and
kept in this session only (``cached.wonder_upload``). CSVs are written by ``data_sources.export`` (formula-safe,
ISO dates, FIPS as text).
"""

from functools import partial

import streamlit as st

from app import cached, frame, ui, views, words
from app.rows import upload_series_choices
from data_sources import export, package
from data_sources.dictionary import MEASURES
from data_sources.wonder import MAX_BYTES, limits_text
from data_sources.wonder import summary as wonder_summary

frame.require_frame()

st.title("Data and downloads")
st.markdown(
    "Every table behind this dashboard, with what each column means, where the figures come from and how to "
    "cite them. Download a whole table, just the rows you filter, or everything at once as a data package. "
    "You can also bring your own query from [CDC WONDER](https://wonder.cdc.gov/) and get a tidy table back."
)

tables = {item.name: item for item in cached.all_tables()}

# The page reads: browse a table, download everything, bring a WONDER export. The upload is handled first, so
# that the table list and the package can include it; containers keep the reading order.
browse_box, package_box, upload_box = st.container(), st.container(), st.container()

# --- a reader's WONDER upload (kept in this session only) ------------------------------------------------------
with upload_box:
    st.header("Turn a CDC WONDER export into a tidy table")
    st.markdown(
        "In CDC WONDER (Multiple Cause of Death or Underlying Cause of Death), run a query, click **Export** and "
        "upload the `.txt` file here. You get a chart, a tidy table and a CSV. Values CDC withholds (*Suppressed*, "
        "*Unreliable*, *Not Applicable*, *Missing*) stay empty with a flag; they are never turned into numbers. "
        "*Total* rows are sums, so they are left out. The file is read once and not saved: its table stays in "
        "this browser session only, until you remove it or close the tab."
    )
    uploaded = st.file_uploader(
        "CDC WONDER export (.txt)",
        type=["txt"],
        key=cached.wonder_uploader_key(),
        max_upload_size=MAX_BYTES // 1024 // 1024,
        help="The tab-delimited text file WONDER's Export button saves, with its footer (the query description).",
    )
    st.caption(limits_text() + " Larger exports: group by fewer columns, or split the years into several files.")
    if uploaded is not None:
        # Read it once, then rerun with an empty uploader: Streamlit lets the file go, what was read stays.
        with st.spinner("Reading your file..."):
            cached.take_wonder_upload(uploaded)
        st.rerun()

    taken = cached.wonder_upload()
    upload = taken.table if taken is not None else None
    if taken is not None and taken.refusal is not None:
        st.error(
            f"**{words.literal(taken.name)} was not used.** {words.literal(taken.refusal)} Nothing from this file "
            "was kept.",
            icon=":material/error:",
        )
    if taken is not None and upload is not None and taken.export is not None:
        table = upload.table
        data = table.data
        # The file's name, dataset title and footer are the reader's text: printed as written, never rendered.
        st.success(
            f"**{words.literal(taken.name)}**: {words.literal(wonder_summary(taken.export, table))}",
            icon=":material/check_circle:",
        )
        st.button(
            "Remove this file", key="wonder_remove", on_click=cached.forget_wonder_upload, icon=":material/delete:"
        )
        if table.notice:
            st.warning(table.notice)
        measures = [m for m in MEASURES if m in set(data["measure"])]
        # Choices belong to one file: keyed by its round, a new file starts from its own defaults.
        round_key = cached.wonder_uploader_key()
        controls = st.columns([1, 2])
        with controls[0]:
            measure = st.selectbox(
                "Show", measures, format_func=lambda m: MEASURES[m].title, key=f"upload_measure_{round_key}"
            )
        choices = upload_series_choices(data, measure=measure)
        with controls[1]:
            series = st.multiselect(
                "Series (largest first)", choices, default=choices[:6], key=f"upload_series_{round_key}"
            )
        if not series:
            st.info("Choose at least one series to draw the chart.")
        else:
            ui.chart_with_table(views.upload_view(table, measure=measure, series=series))
        ui.csv_button("Download the whole tidy table (CSV)", data, "wonder_tidy.csv", key="upload_all")
        with st.expander("The query, as the export's footer describes it"):
            footer = table.extra.items()
            st.table([{"Item": words.literal(key), "Value": words.literal(value)} for key, value in footer])
        tables[upload.name] = upload

# Downloads pass a function, not bytes: Streamlit calls it when the button is clicked, so a visit does not
# build every CSV and the zip (memory with many readers at once, bench/RESULTS.md).

# --- everything at once ------------------------------------------------------------------------------------------
with package_box:
    st.header("Download everything")
    st.markdown(
        "One zip with every table as CSV, a data dictionary, the list of sources, a machine-readable description "
        "(`datapackage.json`, [Frictionless Data](https://specs.frictionlessdata.io/data-package/) format), a README "
        "and citations in APA and BibTeX." + (" It includes your upload." if upload is not None else "")
    )
    st.download_button(
        "Download the data package (zip)",
        cached.data_package_zip if upload is None else partial(cached.data_package_zip_with, upload),
        file_name=f"{package.PACKAGE_NAME}.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        type="primary",
        key="package",
    )

# --- one table: dictionary, source, preview with filters -------------------------------------------------------
with browse_box:
    st.header("Browse a table")
    name = st.selectbox("Table", list(tables), key="table", bind="query-params")
    item = tables[name]
    table, data = item.table, item.table.data
    cards = st.columns(3)
    cards[0].metric("Rows", f"{len(data):,}", border=True)
    cards[1].metric("As of", f"{table.retrieved_at:%d %b %Y}", border=True)
    cards[2].metric("Sources", len(table.sources), border=True)
    st.markdown(item.description)
    if table.notice:
        st.warning(table.notice)
    st.caption(words.upload_source_line(table) if item is upload else words.source_line(table))

    with st.expander("Dictionary: what each column means"):
        st.table(export.table_dictionary(item))
        if item.tidy:
            st.markdown("**Measures and units**")
            st.table(export.measures_used(data))
            flags = export.flags_used(data)
            if not flags.empty:
                st.markdown("**Flags in this table**")
                st.table(flags)
    with st.expander("Sources and how to cite them"):
        for source in table.sources:
            st.markdown(f"**[{source.title}]({source.url})** ({source.publisher}). *Licence:* {source.license}.")
            st.code(package.apa(source, table.retrieved_at.date()).replace("*", ""), language=None, wrap_lines=True)
            st.caption(f"As the source gives it: {source.citation}")

    st.subheader("Preview and filter")
    choices = export.filter_choices(data, item.fields)
    chosen = {}
    columns = st.columns(3)
    for i, (col, values) in enumerate(choices.items()):
        with columns[i % 3]:
            chosen[col] = st.multiselect(col, values, key=f"filter_{name}_{col}", placeholder="All")
    span = export.year_span(data)
    years = None if span is None else st.slider("Years", *span, span, key=f"filter_{name}_years")
    filtered = export.apply_filters(data, chosen, years)
    st.markdown(f"**{len(filtered):,} of {len(data):,} rows** match the filters.")
    dates = {c: st.column_config.DateColumn(format="YYYY-MM-DD") for c in ("period_end_date",) if c in filtered}
    st.dataframe(filtered, hide_index=True, column_config=dates)
    for column, (label, rows, file_name, icon) in zip(
        st.columns(3),
        (
            ("Filtered rows (CSV)", filtered, f"{name}_filtered.csv", ":material/filter_alt:"),
            ("Whole table (CSV)", data, f"{name}.csv", ":material/download:"),
            ("Dictionary (CSV)", export.table_dictionary(item), f"{name}_dictionary.csv", ":material/menu_book:"),
        ),
        strict=True,
    ):
        with column:
            ui.csv_button(label, rows, file_name, icon=icon)
    st.caption(
        "In these CSVs, text that a spreadsheet would run as a formula starts with an apostrophe ('); dates "
        "are YYYY-MM-DD and FIPS codes are text."
    )
