"""Data page: tables with dictionary and citation, filtered and whole downloads, the package, WONDER uploads."""

from __future__ import annotations

import pytest
from paths import FIXTURES, ROOT
from streamlit.testing.v1 import AppTest

PAGE = str(ROOT / "pages" / "data.py")


@pytest.fixture
def app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60)


def uploader(at: AppTest):
    """The page's one WONDER uploader (its key changes after each file it takes)."""
    (widget,) = at.file_uploader
    return widget


def downloads(at: AppTest) -> dict[str, object]:
    return {b.proto.label: b for b in at.get("download_button")}


def test_page_lists_tables_with_dictionary_source_and_counts(app):
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == [
        "Browse a table",
        "Download everything",
        "Turn a CDC WONDER export into a tidy table",
    ]
    assert "national_final" in at.selectbox(key="table").options
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows"] == "285" and metrics["Sources"] == "18"
    captions = " ".join(c.value for c in at.caption)
    assert "Source:" in captions and "Figures as of" in captions
    assert "As the source gives it: Hedegaard H" in captions
    labels = downloads(at)
    for label in (
        "Filtered rows (CSV)",
        "Whole table (CSV)",
        "Dictionary (CSV)",
        "Download the data package (zip)",
    ):
        assert label in labels


def test_filters_narrow_the_preview(app):
    at = app.run()
    at.multiselect(key="filter_national_final_drug").set_value(["heroin"]).run()
    at.multiselect(key="filter_national_final_measure").set_value(["deaths"]).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "of 285 rows** match" in text
    shown = at.dataframe[-1].value
    assert set(shown["drug"]) == {"heroin"} and set(shown["measure"]) == {"deaths"}


def test_upload_gives_chart_table_and_csv(app):
    at = app.run()
    uploader(at).set_value(
        ("county.txt", (FIXTURES / "wonder_county_year_heroin.txt").read_bytes(), "text/plain")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert "Read 6 data rows" in at.success[0].value
    assert at.get("plotly_chart"), "no chart drawn for the upload"
    assert "wonder_upload" in at.selectbox(key="table").options
    assert any("your upload" in c.value and "Suggested citation" in c.value for c in at.caption)
    assert any("Autauga County, AL" in m.value for m in at.markdown)  # the chart's plain-language summary
    assert "Download the whole tidy table (CSV)" in downloads(at)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", bytes(range(256)), "binary"),
        ("notes.txt", b"year,deaths\n2019,1\n", "No WONDER footer"),
        ("cut.txt", (FIXTURES / "wonder_year_totals_any_opioid.txt").read_bytes()[:250], "No WONDER footer"),
    ],
)
def test_broken_upload_gets_a_message_and_changes_nothing(app, name, content, message):
    at = app.run()
    before = at.selectbox(key="table").options
    uploader(at).set_value((name, content, "text/plain")).run()
    assert not at.exception
    assert message in at.error[0].value and "Nothing from this file was kept" in at.error[0].value
    assert at.selectbox(key="table").options == before
    assert not at.success


def test_a_broken_file_after_a_good_one_forgets_the_good_one(app):
    at = app.run()
    good = (FIXTURES / "wonder_state_month_synthetic.txt").read_bytes()
    uploader(at).set_value(("good.txt", good, "text/plain")).run()
    assert "wonder_upload" in at.selectbox(key="table").options
    uploader(at).set_value(("bad.txt", b"\x00\x01", "text/plain")).run()
    assert at.error and "wonder_upload" not in at.selectbox(key="table").options
    assert "bad\\.txt was not used" in at.error[0].value and not at.success


def test_a_read_file_leaves_the_uploader_empty_and_stays_until_removed(app):
    """Once read, the file is let go (Streamlit keeps an uploader's bytes, and a copy per page run, for as long
    as the widget holds it); what was read stays through reruns until the reader removes it."""
    at = app.run()
    first_key = uploader(at).key
    uploader(at).set_value(("county.txt", (FIXTURES / "wonder_county_year_heroin.txt").read_bytes(), "text/plain"))
    at.run()
    assert uploader(at).key != first_key and not uploader(at).value  # a fresh, empty uploader
    assert "county\\.txt" in at.success[0].value and "wonder_upload" in at.selectbox(key="table").options
    at.selectbox(key="table").set_value("national_final").run()  # any other choice: the upload stays
    assert "county\\.txt" in at.success[0].value and at.get("plotly_chart")
    at.button(key="wonder_remove").click().run()
    assert not at.success and not at.get("plotly_chart")
    assert "wonder_upload" not in at.selectbox(key="table").options


def test_the_upload_limits_are_said_beside_the_uploader(app):
    at = app.run()
    assert any("Up to 20 MB and 20,000 data rows per file." in c.value for c in at.caption)


HOSTILE = "![x](http://tracker.example/p.png) <img src=x onerror=alert(1)> :red[**loud**] $x^2$"


def no_markup(markdown: str) -> bool:
    """True when rendering ``markdown`` makes no image, link or HTML tag from the hostile text."""
    from markdown_it import MarkdownIt

    out = MarkdownIt("commonmark", {"html": True}).render(markdown)
    return "<img" not in out and "<a " not in out and "tracker.example/p.png)" in out


def test_an_uploads_own_text_is_printed_not_rendered(app):
    """The file name, dataset title and footer are the reader's text: markdown, HTML, Streamlit directives and
    LaTeX in them reach the page escaped (and, rendered, read exactly as written; tests/unit/test_words.py)."""
    from app.words import literal

    fixture = (FIXTURES / "wonder_county_year_heroin.txt").read_bytes()
    hostile_file = fixture.replace(b'"Dataset: Multiple Cause of Death, 1999-2020"', f'"Dataset: {HOSTILE}"'.encode())
    at = app.run()
    uploader(at).set_value((f"{HOSTILE}.txt", hostile_file, "text/plain")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [b.value for b in at.success] + [c.value for c in at.caption] + [m.value for m in at.markdown]
    shown += [str(cell) for t in at.table for cell in t.value.to_numpy().ravel()]
    hostile = [text for text in shown if "tracker" in text]
    assert len(hostile) >= 3, "the name, the dataset title and the footer should each be shown"
    assert literal(HOSTILE) in at.success[0].value
    for text in hostile:
        assert no_markup(text), text


def test_a_refused_uploads_name_is_printed_not_rendered(app):
    from app.words import literal

    at = app.run()
    uploader(at).set_value((f"{HOSTILE}.txt", b"\x00\x01", "text/plain")).run()
    assert not at.exception
    assert literal(HOSTILE) in at.error[0].value and no_markup(at.error[0].value)
