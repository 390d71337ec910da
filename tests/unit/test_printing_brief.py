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
    latest = int(table.data.loc[table.data["measure"] == brief.MEASURE, "year"].max())
    assert data.year == latest == data.latest_year
    row = table.data[rate_mask(table.data, "54", latest)].iloc[0]
    assert data.rate.value == pytest.approx(float(row["value"]))
    assert data.rate.lower == pytest.approx(float(row["value_lower"]))
    view = views.state_year(table, measure=brief.MEASURE, year=latest, highlight="54")
    card = views.my_state_card(view, "54")
    assert card is not None and card.heading == brief.VERDICT_HEADINGS[data.verdict]
    assert card.rank.startswith(f"Rank {data.rank.rank} of {data.rank.ranked} ")
    assert isinstance(data.trend, brief.joinpoint.TrendFit)
    assert [s.id for s in data.sources] == ["nchs_jx6g_fdh6"]


def test_ties_share_a_rank_and_say_so(tables):
    table = tables[brief.TABLE]

    def tie(frame: pd.DataFrame) -> pd.DataFrame:
        ohio = frame.loc[rate_mask(frame, "39", 2017), "value"].iloc[0]
        frame.loc[rate_mask(frame, "42", 2017), "value"] = ohio  # Pennsylvania gets Ohio's rate
        return frame

    data = brief.collect("OH", with_rows(table, tie))
    assert data.rank.tied_with == ("Pennsylvania",)
    words = brief.rank_words(i18n.language("en"), data.rank)
    assert f"Rank {data.rank.rank} of" in words and "Tied with Pennsylvania" in words


def test_an_unreliable_rate_is_printed_with_its_flag_but_not_ranked(tables):
    table = tables[brief.TABLE]

    def flag(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[rate_mask(frame, "56", 2017), "value_flag"] = "unreliable"
        return frame

    data = brief.collect("WY", with_rows(table, flag))
    assert data.rank.rank is None and data.rank.status == "Unreliable: too few deaths for a stable rate"
    lang = i18n.language("es")
    assert (
        brief.rank_words(lang, data.rank) == "Sin clasificar: poco confiable: muy pocas muertes para una tasa estable."
    )
    notes = " ".join(brief.quality_notes(lang, data))
    assert "Poco confiable (Wyoming 2017)" in notes and lang.gettext(FLAGS["unreliable"]) in notes
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

    def blank(frame: pd.DataFrame) -> pd.DataFrame:
        mask = rate_mask(frame, "54", 2017)
        frame.loc[mask, "value"] = pd.NA
        frame.loc[mask, "value_flag"] = "suppressed"
        return frame

    with pytest.raises(brief.BriefError, match=r"no age-adjusted death rate for West Virginia in 2017 \(suppressed\)"):
        brief.collect("WV", with_rows(table, blank), year=2017)
    # Without a year, the brief falls back to the state's latest year with a figure and says so.
    data = brief.collect("WV", with_rows(table, blank))
    assert data.year == 2016
    assert any("runs to 2017" in n for n in brief.quality_notes(i18n.language("en"), data))

    def no_nation(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[~rate_mask(frame, "US", 2017)]

    with pytest.raises(brief.BriefError, match="United States in 2017"):
        brief.collect("WV", with_rows(table, no_nation))


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
    assert "West Virginia" in html and "57.8" in html and "21.7" in html
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
    url = brief.permalink(BASE, "WV", 2017)
    return request.param, url, brief.build_pdf("WV", request.param, tables, url, today=DAY)


@needs_chromium
def test_printed_brief_is_one_page_with_its_figures_help_lines_and_fonts(printed):
    lang, _url, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (612, 792)  # US Letter
    text = " ".join(reader.pages[0].extract_text().split())
    assert "West Virginia" in text and "57.8" in text and "21.7" in text
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
    url = brief.permalink(BASE, "NJ", 2017)
    pdf = brief.build_pdf("NJ", "es", tables, url, paper="a4", today=DAY)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_unsupported_language_is_refused_before_printing(tables):
    with pytest.raises(i18n.UnsupportedLanguage):
        brief.build_pdf("WV", "de", tables, brief.permalink(BASE, "WV", 2017))
