"""The printed lesson kit: worksheet tasks from the deck file, answers computed from the tables with the years
they describe, the same numbers as the slides, both languages, refusals that name the task, and (where Chromium
is installed) PDFs with their words, answers, help lines and fonts inside."""

from __future__ import annotations

import io
import tomllib
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import headlines
from app.lesson import deck
from app.lesson import pack as lesson_pack
from app.lesson.pack import find_chromium
from app.printing import i18n, kit

DAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def tables() -> deck.Tables:
    return lesson_pack.load_tables()


@pytest.fixture(scope="module")
def english(tables) -> kit.Kit:
    return kit.build_kit(tables, i18n.language("en"))


@pytest.fixture(scope="module")
def spanish(tables) -> kit.Kit:
    return kit.build_kit(tables, i18n.language("es"))


def task(k: kit.Kit, task_id: str) -> kit.Task:
    return next(t for t in k.tasks if t.id == task_id)


def test_the_kit_says_the_slides_numbers(tables):
    printed = kit.facts(kit.values(tables), i18n.language("en"))
    slides = deck.facts(tables)
    shared = set(printed) & set(slides)
    assert len(shared) >= 15
    assert {name: printed[name] for name in shared} == {name: slides[name] for name in shared}


def test_worksheet_has_two_charts_three_computations_and_a_claim_in_deck_order(english):
    kinds = [t.kind for t in english.tasks]
    assert kinds.count("chart") == 2 and kinds.count("compute") == 3 and kinds.count("claim") == 1
    assert [t.number for t in english.tasks] == list(range(1, len(english.tasks) + 1))
    raw = tomllib.loads(deck.DECK_FILE.read_text(encoding="utf-8"))["worksheet"]
    assert [t.id for t in english.tasks] == [entry["id"] for entry in raw]


def test_charts_carry_their_data_years_and_sources(english):
    for t in (t for t in english.tasks if t.kind == "chart"):
        assert t.chart is not None and "Plotly.newPlot" in str(t.chart)
        assert t.chart_source.startswith("Data: 1999-") and "Source:" in t.chart_source
        assert t.texts["notice"] and t.texts["wonder"] and t.texts["headline"] and t.texts["look_for"]
    assert "Data: 1999-2017" in task(english, "chart_who").chart_source  # the state table ends in 2017


def test_a_printed_chart_has_its_unit_on_the_y_axis_in_the_kits_language(tables):
    """On screen a chart's unit is its subtitle; on paper the title is dropped, so the unit goes on the y-axis."""
    figure = deck.CHARTS["heroin"](tables)  # as the kit builds it
    assert figure is not None and figure.layout.title.subtitle.text == "Deaths"
    assert kit.print_chart(figure, i18n.language("en"), height=300).layout.yaxis.title.text == "Deaths"
    assert kit.print_chart(figure, i18n.language("es"), height=300).layout.yaxis.title.text == "Muertes"


def test_fold_change_answer_is_the_headline_computation(english, tables):
    fold = headlines.fold_change(tables.national.data, drug="heroin", start=1999, end=2019)
    t = task(english, "fold_heroin")
    assert "In 1999, 1,960 people" in t.texts["question"] and "In 2019, 14,019 did" in t.texts["question"]
    assert t.answer[0] == f"14,019 ÷ 1,960 = {fold.ratio:.2f}"
    assert "about 7.2 times as many deaths as in 1999" in t.answer[1]


def test_rate_answer_is_deaths_over_people_and_matches_nchs(english, tables):
    t = task(english, "rate_wv")
    assert "974 people in West Virginia" in t.texts["question"] and "1,815,857 residents" in t.texts["question"]
    assert t.answer[0] == "974 ÷ 1,815,857 × 100,000 = 53.6 deaths per 100,000 people (a crude rate)."
    assert "NCHS publishes 53.6" in t.answer[1] and "age-adjusted rate, 57.8" in t.answer[1]
    assert any("jx6g-fdh6" in s for s in t.sources)


def test_relative_and_absolute_risk_answers(english):
    t = task(english, "risk_muhuri")
    assert "about 39 in 10,000" in t.texts["question"] and "2 in 10,000" in t.texts["question"]
    assert t.answer[0].startswith("(a) Relative risk: 39 ÷ 2 = 19.5. The study published 19 times")
    assert "37 more people out of 10,000 a year (0.37 percentage points)" in t.answer[1]
    assert "9,961 of 10,000 did not start heroin" in t.answer[2]


def test_claim_answer_has_both_verdicts_from_the_claim_check(english):
    t = task(english, "claim_19x")
    assert "19 times more likely to start using heroin" in t.texts["question"]
    assert t.answer[0] == (
        "The number: the claim says 19 times; these data give 19 times (the study's own figure). Number: matches."
    )
    assert t.answer[1] == "The words: overstates."
    assert any('It says "abuse"' in line for line in t.answer)
    assert any('It says "times more"' in line for line in t.answer)


def test_answer_key_front_matter_and_vocabulary(english):
    info = english.info
    assert info.grade_band and info.minutes > 0 and info.materials and info.objectives
    codes = [code for code, _text in info.standards]
    assert "CCSS.MATH.CONTENT.6.RP.A.3" in codes and "CCSS.MATH.CONTENT.HSS.IC.B.6" in codes
    words = [word for word, _meaning in english.vocabulary]
    assert words == [
        "Rate per 100,000",
        "Age-adjusted rate",
        "Provisional",
        "Relative risk",
        "Absolute risk",
        "Odds ratio",
    ]
    meanings = dict(english.vocabulary)
    assert "39 in 10,000 against 2 in 10,000 is 19.5 times" in meanings["Relative risk"]
    assert "39 in 10,000 is 0.39%" in meanings["Absolute risk"]


def test_spanish_kit_is_in_spanish_with_the_same_numbers(spanish, english):
    assert spanish.info.grade_band == "Grados 7 a 12"
    assert [t.id for t in spanish.tasks] == [t.id for t in english.tasks]
    fold = task(spanish, "fold_heroin")
    assert "En 1999, 1,960 personas" in fold.texts["question"] and "7.2 veces" in fold.answer[1]
    claim = task(spanish, "claim_19x")
    assert (
        "tienen 19 veces más probabilidades" in claim.texts["question"]
        and "(traducido del inglés)" in (claim.texts["question"])
    )
    assert claim.answer[1] == "Las palabras: exageran."
    who = task(spanish, "chart_who")
    assert "Las personas de 35-44 años tuvieron la tasa más alta: 39.0" in who.texts["look_for"]
    assert dict(spanish.vocabulary)["Riesgo absoluto"].startswith("Cuántas personas de un grupo")


# --- refusals -----------------------------------------------------------------------------------------------
def deck_with(tmp_path: Path, worksheet: str) -> Path:
    """A copy of the real deck whose [[worksheet]] tasks are replaced by ``worksheet``."""
    text = deck.DECK_FILE.read_text(encoding="utf-8")
    head = text[: text.index("\n[[worksheet]]\n") + 1]
    path = tmp_path / "deck.toml"
    path.write_text(head + worksheet, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("worksheet", "message"),
    [
        ('[[worksheet]]\nid = "x"\nkind = "poem"\n', r"task 1 \('x'\): unknown kind 'poem'"),
        (
            '[[worksheet]]\nid = "x"\nkind = "compute"\ncompute = "fold_change"\ndrug = "heroin"\nstart = 1999\n'
            'question = "?"\n',
            r"fold_change takes \['drug', 'start', 'end'\]; missing \['end'\]",
        ),
        (
            '[[worksheet]]\nid = "x"\nkind = "compute"\ncompute = "fold_change"\ndrug = "heroin"\nstart = 1999\n'
            'end = 2019\nquestion = "{start_value} and {shoe_size}"\n',
            r"'question' uses \['shoe_size'\], which the kit does not compute",
        ),
        (
            '[[worksheet]]\nid = "x"\nkind = "compute"\ncompute = "fold_change"\ndrug = "heroin"\nstart = 1999\n'
            'end = 2030\nquestion = "?"\n',
            r"task 1 \('x'\): No sourced figure for Heroin deaths for 2030",
        ),
        (
            '[[worksheet]]\nid = "x"\nkind = "compute"\ncompute = "rate_per_100k"\nstate = "ZZ"\nyear = 2017\n'
            'question = "?"\n',
            "unknown state 'ZZ'",
        ),
        ('[[worksheet]]\nid = "x"\nkind = "claim"\nclaim_id = "genetics_40_60pct"\nquestion = "?"\n', "not_checkable"),
        ('[[worksheet]]\nid = "x"\nkind = "claim"\nclaim_id = "no_such_claim"\nquestion = "?"\n', "no_such_claim"),
        (
            '[[worksheet]]\nid = "x"\nkind = "chart"\nchart = "icons"\ncaption = "c"\nnotice = "n"\nwonder = "w"\n'
            'headline = "h"\nlook_for = "l"\n',
            "chart 'icons' is not one of",
        ),
    ],
)
def test_a_task_the_data_cannot_support_is_refused_by_name(tables, tmp_path, worksheet, message):
    with pytest.raises(kit.KitError, match=message):
        kit.build_kit(tables, i18n.language("en"), deck_with(tmp_path, worksheet))


def test_a_task_without_its_spanish_text_is_refused_for_the_spanish_kit(tables, tmp_path):
    worksheet = (
        '[[worksheet]]\nid = "x"\nkind = "compute"\ncompute = "fold_change"\ndrug = "heroin"\nstart = 1999\n'
        'end = 2019\nquestion = "{start_value}"\nnote = "n"\n[worksheet.es]\nquestion = "{start_value}"\n'
    )
    path = deck_with(tmp_path, worksheet)
    assert kit.build_kit(tables, i18n.language("en"), path).tasks[0].texts["question"] == "1,960"
    with pytest.raises(kit.KitError, match=r"task 1 \('x'\): \[worksheet.es\] lacks \['note'\]"):
        kit.build_kit(tables, i18n.language("es"), path)


def test_unknown_document_paper_or_language_is_refused(english, tables):
    with pytest.raises(kit.KitError, match="unknown document 'poster'"):
        kit.build_html(english, "poster", today=DAY)
    with pytest.raises(kit.KitError, match="unknown paper 'legal'"):
        kit.build_html(english, "worksheet", today=DAY, paper="legal")
    with pytest.raises(i18n.UnsupportedLanguage, match="'fr'"):
        kit.build_pdfs(tables, "fr")


# --- printed, where a Chromium is installed ----------------------------------------------------------------
@pytest.fixture(scope="module", params=["en", "es"])
def printed(request, tables) -> tuple[str, dict[str, bytes]]:
    if find_chromium() is None:
        pytest.skip("no Chromium on this machine (`make browser` installs Debian's chromium)")
    return request.param, kit.build_pdfs(tables, request.param, today=DAY)


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_printed_kit_holds_the_tasks_answers_help_lines_and_fonts(printed):
    lang, files = printed
    suffix = "" if lang == "en" else ".es"
    assert sorted(files) == sorted([f"worksheet{suffix}.pdf", f"answer_key{suffix}.pdf"])
    pages, worksheet = text_of(files[f"worksheet{suffix}.pdf"])
    assert 2 <= pages <= 4
    key_pages, key = text_of(files[f"answer_key{suffix}.pdf"])
    assert 2 <= key_pages <= 4
    for text in (worksheet, key):
        assert "1-800-662-4357" in text and "988" in text
    assert "974" in worksheet and "1,815,857" in worksheet and "14,019" in worksheet
    assert "53.6" not in worksheet  # the worksheet asks; only the key answers
    assert "974 ÷ 1,815,857 × 100,000 = 53.6" in key and "14,019 ÷ 1,960 = 7.15" in key
    assert "CCSS.MATH.CONTENT.7.RP.A.3" in key
    if lang == "es":
        assert "oprima 2 para español" in worksheet and "Hoja de trabajo" in worksheet
        assert "Clave de respuestas para docentes" in key and "Vocabulario" in key
    else:
        assert "Student worksheet" in worksheet and "Teacher's answer key" in key and "Odds ratio" in key
    for pdf in files.values():
        assert b"/FontFile" in pdf


def test_make_lesson_writes_the_pack_and_all_four_pdfs(tables, tmp_path, monkeypatch):
    if find_chromium() is None:
        pytest.skip("no Chromium on this machine (`make browser` installs Debian's chromium)")
    written = {}

    def fake_build_pdfs(_tables, lang, **_kwargs):
        names = [kit.file_name(doc, lang) for doc in kit.DOCUMENTS]
        written[lang] = names
        return {name: b"%PDF-1.4 " + name.encode() for name in names}

    monkeypatch.setattr(kit, "build_pdfs", fake_build_pdfs)  # the real printing is tested above
    assert lesson_pack.main(["--out", str(tmp_path / "lesson.html"), "--kit", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "answer_key.es.pdf",
        "answer_key.pdf",
        "worksheet.es.pdf",
        "worksheet.pdf",
    ]
