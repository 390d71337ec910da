"""The classroom deck: it validates, its numbers are computed from the tables, broken decks are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.lesson import deck as lesson
from data_sources import nchs_national_final, nchs_state_drug_poisoning, risk


@pytest.fixture(scope="module")
def tables() -> lesson.Tables:
    return lesson.Tables(nchs_national_final.load(), nchs_state_drug_poisoning.load(), risk.load())


@pytest.fixture(scope="module")
def deck(tables) -> list[lesson.Slide]:
    return lesson.load(tables)


def test_deck_covers_the_lesson_and_ends_with_help(deck):
    assert [s.id for s in deck] == ["waves", "heroin", "fentanyl", "who", "risk", "help"]
    last = deck[-1].reveal
    assert "988" in last and "1-800-662-4357" in last and "aloxone" in last


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("heroin_fold", "7.2 times"),
        ("heroin_sum", "129,587"),
        ("heroin_1999", "1,960"),
        ("heroin_2019", "14,019"),
        ("synthetic_2021", "70,601"),
        ("who_top_age", "35-44"),
        ("who_top_rate", "39.0"),
        ("muhuri_times", "19"),
    ],
)
def test_facts_are_computed_from_the_tables(tables, name, value):
    assert lesson.facts(tables)[name] == value


def test_numbers_are_filled_into_the_slides(deck):
    heroin = next(s for s in deck if s.id == "heroin")
    assert "7.2 times as many" in heroin.reveal and "{" not in heroin.reveal


def test_every_slide_has_a_chart_or_none_and_sources(deck, tables):
    for slide in deck:
        figure = lesson.figure(slide, tables)
        assert (figure is None) == (slide.chart == "none")
        if figure is not None:
            assert figure.data and figure.layout.font.size == lesson.PROJECTOR_FONT
        assert lesson.source_notes(slide, tables), slide.id


GOOD = {"id": "x", "title": "T", "chart": "none", "reveal": "R", "notes": "N", "sources": ["help_lines"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"chart": "pie"}, "unknown chart 'pie'"),
        ({"sources": []}, "no sources"),
        ({"sources": ["wikipedia"]}, "unknown sources ['wikipedia']"),
        ({"reveal": "{made_up_number} deaths"}, "uses ['made_up_number']"),
        ({"title": ""}, "'title' is missing or empty"),
        ({"colour": "red"}, "unknown fields ['colour']"),
    ],
    ids=["chart", "no-sources", "bad-source", "placeholder", "empty-title", "extra-field"],
)
def test_broken_slides_are_refused_with_the_slide_named(change, message):
    with pytest.raises(lesson.DeckError, match="slide 2") as caught:
        lesson.build_deck([GOOD, {**GOOD, "id": "y", **change}], {})
    assert message in str(caught.value)


def test_duplicate_ids_and_bad_toml_are_refused(tmp_path: Path):
    with pytest.raises(lesson.DeckError, match="used twice"):
        lesson.build_deck([GOOD, GOOD], {})
    broken = tmp_path / "deck.toml"
    broken.write_text("[[slide]]\nid = \n")
    with pytest.raises(lesson.DeckError, match="not valid TOML"):
        lesson.read_deck(broken)
    broken.write_text("title = 'no slides'\n")
    with pytest.raises(lesson.DeckError, match="no \\[\\[slide\\]\\]"):
        lesson.read_deck(broken)


def test_fentanyl_chart_title_ends_at_the_last_sourced_year(tables):
    data = tables.national.data
    counted = data[data["drug"].isin(["synthetic_opioids", "heroin"]) & (data["measure"] == "deaths")]
    last = int(counted.dropna(subset=["value"])["year"].max())
    fig = lesson.CHARTS["fentanyl"](tables)
    assert fig.layout.title.text.endswith(f"2010-{last}")
    assert max(max(t.x) for t in fig.data) == last


def test_icons_chart_shows_the_multiplier_as_people(tables):
    """The risk slide's picture: filled dots are the people (out of 10,000) who started heroin in each group."""
    base = risk.baseline(tables.risk.row("muhuri_2013_nmpr_to_heroin_start"))
    fig = lesson.figure(lesson.Slide("r", "t", "icons", "x", "n", ("risk_multipliers",)), tables)
    filled = [len(t.x) for t in fig.data if t.name != "Did not"]
    assert filled == [round(base.exposed), round(base.baseline)] and filled[0] > 10 * filled[1]
    assert fig.layout.title.text.endswith(f"Out of {base.per:,} people, in a year")
    assert all(a.font.size == lesson.PROJECTOR_FONT - 4 for a in fig.layout.annotations)


def test_who_chart_leaves_axis_titles_to_the_chart_title(tables):
    fig = lesson.CHARTS["who"](tables)
    assert "per 100,000" in fig.layout.title.text
    assert not any(axis.title.text for axis in fig.select_yaxes())
