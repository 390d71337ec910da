"""The one-page state brief: its figures follow the States page's rules, it refuses blanks by name, its QR code
opens the same view, and (where Chromium is installed) it prints on one page with its words, numbers, help
lines and fonts inside the PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pandas as pd
import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app import views
from app.lesson.pack import find_chromium
from app.printing import brief, i18n
from data_sources import nchs_state_drug_poisoning
from data_sources.dictionary import FLAGS
from data_sources.schema import Table

DAY = date(2026, 11, 29)
BASE = "https://dashboard.example.org"


@pytest.fixture(scope="module")
def tables() -> dict[str, Table]:
    return {brief.TABLE: nchs_state_drug_poisoning.load()}


def with_rows(table: Table, change) -> dict[str, Table]:
    """The same table with its frame changed by ``change`` (a function of a copy of the frame)."""
    data = change(table.data.copy())
    return {brief.TABLE: Table(table.name, data, table.sources, table.retrieved_at, table.from_snapshot, table.notice)}


def latest_year(table: Table) -> int:
    """The table's latest year of age-adjusted rates: the year a brief prints by default."""
    return int(table.data.loc[table.data["measure"] == brief.MEASURE, "year"].max())


def rate_mask(data: pd.DataFrame, fips: str, year: int) -> pd.Series:
    return (
        (data["geo_code"] == fips)
        & (data["year"] == year)
        & (data["measure"] == brief.MEASURE)
        & (data["drug"] == "all_drugs")
        & (data["sex"] == "all")
        & (data["age_group"] == "all")
        & (data["race_ethnicity"] == "all")
    )


def test_brief_figures_are_the_tables_and_the_verdict_is_the_pages(tables):
    data = brief.collect("wv", tables)
    table = tables[brief.TABLE]
    latest = latest_year(table)
    assert data.year == latest == data.latest_year == 2021
    row = table.data[rate_mask(table.data, "54", latest)].iloc[0]
    assert data.rate.value == pytest.approx(float(row["value"]))
    assert data.rate.lower == pytest.approx(float(row["value_lower"]))
    view = views.state_year(table, measure=brief.MEASURE, year=latest, highlight="54")
    card = views.my_state_card(view, "54")
    assert card is not None and card.heading == brief.VERDICT_HEADINGS[data.verdict]
    assert card.rank.startswith(f"Rank {data.rank.rank} of {data.rank.ranked} ")
    assert isinstance(data.trend, brief.joinpoint.TrendFit)
    # Every source behind a figure printed is cited, and only those: jx6g-fdh6 to 2017, NCHS's state file for the
    # state after 2017, and the national final table's own citations for the nation after 2017.
    shown = data.trend_rows
    used = {row["source_id"], *shown["source_id"], *table.data[rate_mask(table.data, "US", latest)]["source_id"]}
    assert {s.id for s in data.sources} == used
    assert [s.id for s in data.sources][:2] == ["nchs_jx6g_fdh6", "nchs_state_overdose_mortality"]
    assert len(data.sources) > 2
    # After 2017 NCHS's state file gives no interval: the one printed is computed here, and the notes say so.
    assert "computed_interval" in data.rate.flags and "computed_interval" in data.nation.flags
    notes = " ".join(brief.quality_notes(i18n.language("en"), data))
    assert "Interval computed here (West Virginia 2018-2021; United States 2018-2021): The publisher gave no" in notes


@pytest.mark.parametrize(("state", "years"), [("WV", "2005, 2009"), ("NJ", "2009")])
def test_years_nchs_warns_may_be_low_are_noted_from_the_tables_flag(tables, state, years):
    data = brief.collect(state, tables)
    name = data.state.name
    for code, lang in (("en", "May be underestimated"), ("es", "Puede estar subestimado")):
        notes = " ".join(brief.quality_notes(i18n.language(code), data))
        assert f"{lang} ({name} {years}): " in notes and "pbkm-d27e" in notes
    assert "may be underestimated" not in " ".join(
        brief.quality_notes(i18n.language("en"), brief.collect("OH", tables))
    )


def test_dc_falls_back_to_2017_and_says_so(tables):
    """NCHS's state file for 2018 onward has no DC row, so DC's brief prints 2017, its latest final rate."""
    data = brief.collect("DC", tables)
    assert (data.year, data.latest_year) == (2017, 2021)
    # The file that has no DC row is cited beside the one the figures come from.
    assert [s.id for s in data.sources] == ["nchs_jx6g_fdh6", "nchs_state_overdose_mortality"]
    for code, words in (
        (
            "en",
            "The table runs to 2021, but District of Columbia has no final age-adjusted rate after 2017 "
            "(not reported: 2018-2021).",
        ),
        (
            "es",
            "La tabla llega hasta 2021, pero District of Columbia no tiene una tasa final ajustada por edad "
            "después de 2017 (no informado: 2018-2021).",
        ),
    ):
        assert words in brief.quality_notes(i18n.language(code), data), code
    with pytest.raises(brief.BriefError, match=r"District of Columbia in 2021 \(missing\)"):
        brief.collect("DC", tables, year=2021)
    # Elsewhere DC is listed as not ranked in 2021, never ranked as if zero.
    assert ("District of Columbia", "Not reported") in brief.collect("WV", tables).rank.unranked


def test_ties_share_a_rank_and_say_so(tables):
    table = tables[brief.TABLE]

    latest = latest_year(table)

    def tie(frame: pd.DataFrame) -> pd.DataFrame:
        ohio = frame.loc[rate_mask(frame, "39", latest), "value"].iloc[0]
        frame.loc[rate_mask(frame, "42", latest), "value"] = ohio  # Pennsylvania gets Ohio's rate
        return frame

    data = brief.collect("OH", with_rows(table, tie))
    assert data.rank.tied_with == ("Pennsylvania",)
    words = brief.rank_words(i18n.language("en"), data.rank)
    assert f"Rank {data.rank.rank} of" in words and "Tied with Pennsylvania" in words


def test_an_unreliable_rate_is_printed_with_its_flag_but_not_ranked(tables):
    table = tables[brief.TABLE]

    latest = latest_year(table)

    def flag(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[rate_mask(frame, "56", latest), "value_flag"] = "unreliable"
        return frame

    data = brief.collect("WY", with_rows(table, flag))
    assert data.rank.rank is None and data.rank.status == "Unreliable: too few deaths for a stable rate"
    lang = i18n.language("es")
    assert (
        brief.rank_words(lang, data.rank) == "Sin clasificar: poco confiable: muy pocas muertes para una tasa estable."
    )
    notes = " ".join(brief.quality_notes(lang, data))
    assert f"Poco confiable (Wyoming 1999, {latest})" in notes and lang.gettext(FLAGS["unreliable"]) in notes
    others = brief.collect("WV", with_rows(table, flag))
    assert "Wyoming (unreliable: too few deaths" in brief.unranked_words(i18n.language("en"), others.rank)


@pytest.mark.parametrize(
    ("state", "message"),
    [("ZZ", "unknown state 'ZZ'"), ("", "unknown state ''"), ("West Virginia", "two-letter postal code")],
)
def test_an_unknown_state_is_an_error_naming_it(tables, state, message):
    with pytest.raises(brief.BriefError, match=message):
        brief.collect(state, tables)


def test_a_missing_table_or_figure_is_an_error_naming_it(tables):
    with pytest.raises(brief.BriefError, match="needs the table 'state_drug_poisoning'"):
        brief.collect("WV", {})
    table = tables[brief.TABLE]
    latest = latest_year(table)

    def blank(frame: pd.DataFrame) -> pd.DataFrame:
        mask = rate_mask(frame, "54", latest)
        frame.loc[mask, "value"] = pd.NA
        frame.loc[mask, "value_flag"] = "suppressed"
        return frame

    with pytest.raises(
        brief.BriefError, match=rf"no age-adjusted death rate for West Virginia in {latest} \(suppressed\)"
    ):
        brief.collect("WV", with_rows(table, blank), year=latest)
    # Without a year, the brief falls back to the state's latest year with a figure and says so.
    data = brief.collect("WV", with_rows(table, blank))
    assert data.year == latest - 1
    notes = brief.quality_notes(i18n.language("en"), data)
    assert any(f"runs to {latest}" in n and f"(suppressed: {latest})" in n for n in notes)

    def no_nation(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[~rate_mask(frame, "US", latest)]

    with pytest.raises(brief.BriefError, match=f"United States in {latest}"):
        brief.collect("WV", with_rows(table, no_nation))


@pytest.mark.parametrize(
    ("years", "words"),
    [
        ([2009], "2009"),
        ([2005, 2009], "2005, 2009"),
        ([2019, 2018], "2018, 2019"),
        (range(1999, 2014), "1999-2013"),
        ([1999, 2000, 2001, 2002, 2004, 2005, 2006, 2011, 2013, 2013], "1999-2002, 2004-2006, 2011, 2013"),
    ],
)
def test_years_are_printed_as_runs(years, words):
    assert brief.year_runs(years) == words


def test_a_flag_without_a_printed_label_is_refused():
    with pytest.raises(brief.BriefError, match="'made_up' has no printed label"):
        brief._flag_label(i18n.language("en"), "made_up")


def test_permalink_names_the_state_year_and_measure_and_a_wrong_one_is_refused():
    url = brief.permalink(BASE + "/", "wv", 2016)
    assert url == f"{BASE}/states?state=WV&measure=age_adjusted_rate_per_100k&year=2016"
    wv = brief.state_by_code("WV")
    assert brief._url_year(url, wv) == 2016
    assert brief._url_year(f"{BASE}/states?state=WV", wv) is None
    for bad, message in [
        (f"{BASE}/states?state=OH&year=2016", "does not show West Virginia"),
        ("/states?state=WV", "needs a web address"),
        (f"{BASE}/states?state=WV&measure=crude_rate_per_100k", "measure 'crude_rate_per_100k'"),
        (f"{BASE}/states?state=WV&year=20x6", "not a year"),
    ]:
        with pytest.raises(brief.BriefError, match=message):
            brief._url_year(bad, wv)


def test_qr_code_decodes_to_the_permalink():
    url = brief.permalink(BASE, "WV", 2017)
    assert "<svg" in brief.qr_svg(url)
    picture = io.BytesIO()
    segno.make(url, error="m", micro=False).save(picture, kind="png", scale=4, border=4)
    picture.seek(0)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(picture))] == [url]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_brief_html_has_every_field_filled_in_its_language(tables, lang):
    data = brief.collect("WV", tables)
    url = brief.permalink(BASE, "WV", data.year)
    html = brief.build_html(data, i18n.language(lang), url, today=DAY)
    assert "{" not in html.split("<script>")[0].split("</style>")[-1]  # no placeholder left unfilled
    assert data.year == 2021 and "West Virginia" in html and "90.9" in html and "32.4" in html
    assert "1-800-662-4357" in html and "988" in html
    if lang == "es":
        assert "oprima 2 para español" in html and "Más alta que la del país" in html
        assert "29 de noviembre de 2026" in html
    else:
        assert "Higher than the nation" in html and "November 29, 2026" in html


# --- printed, where a Chromium is installed ----------------------------------------------------------------
needs_chromium = pytest.mark.skipif(
    find_chromium() is None, reason="no Chromium on this machine (`make browser` installs Debian's chromium)"
)


@pytest.fixture(scope="module", params=["en", "es"])
def printed(request, tables) -> tuple[str, str, bytes]:
    if find_chromium() is None:
        pytest.skip("no Chromium on this machine (`make browser` installs Debian's chromium)")
    url = brief.permalink(BASE, "WV", brief.collect("WV", tables).year)
    return request.param, url, brief.build_pdf("WV", request.param, tables, url, today=DAY)


@needs_chromium
def test_printed_brief_is_one_page_with_its_figures_help_lines_and_fonts(printed):
    lang, _url, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (612, 792)  # US Letter
    text = " ".join(reader.pages[0].extract_text().split())
    assert "West Virginia" in text and "90.9" in text and "32.4" in text and "2021" in text
    assert "1-800-662-4357" in text and "988" in text and "911" in text
    if lang == "es":
        assert "oprima 2 para español" in text and "Línea Nacional de Ayuda de SAMHSA" in text
        assert "Muertes por sobredosis de drogas en West Virginia" in text
    else:
        assert "988 Suicide & Crisis Lifeline" in text and "SAMHSA National Helpline" in text
    assert b"/FontFile" in pdf  # fonts embedded, so it prints the same anywhere


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) is not installed")
def test_printed_qr_code_opens_the_same_view(printed, tmp_path):
    _lang, url, pdf = printed
    (tmp_path / "brief.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "brief.pdf", "page"], cwd=tmp_path, check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [r.text for r in found] == [url]


@needs_chromium
def test_a4_brief_is_one_a4_page(tables):
    url = brief.permalink(BASE, "NJ", brief.collect("NJ", tables).year)
    pdf = brief.build_pdf("NJ", "es", tables, url, paper="a4", today=DAY)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_unsupported_language_is_refused_before_printing(tables):
    with pytest.raises(i18n.UnsupportedLanguage):
        brief.build_pdf("WV", "de", tables, brief.permalink(BASE, "WV", 2017))
