"""Lesson mode through AppTest: every slide renders, predict-then-reveal, navigation, notes, links."""

from __future__ import annotations

import pytest
from paths import PAGES
from streamlit.testing.v1 import AppTest

from app.lesson import deck as lesson
from app.lesson import pack as lesson_pack

PAGE = str(PAGES / "classroom.py")
DECK = lesson.load(lesson_pack.load_tables())


@pytest.mark.parametrize("slide", DECK, ids=[s.id for s in DECK])
def test_every_slide_renders_from_its_link(slide):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["slide"] = slide.id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == slide.title
    if slide.predict:  # the answer waits for the class's guesses
        assert slide.reveal not in [m.value for m in at.markdown]
        at.button(key=f"reveal_{slide.id}").click().run()
        assert "Reveal the answer" not in [b.label for b in at.button]  # gone once the answer shows
    assert slide.reveal in [m.value for m in at.markdown]
    assert len(at.get("plotly_chart")) == (0 if slide.chart == "none" else 1)
    assert any(c.value.startswith("Source: [") for c in at.caption)


def test_next_and_previous_move_and_update_the_link():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert at.caption[0].value == f"Lesson mode · slide 1 of {len(DECK)}"
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    assert at.title[0].value == DECK[1].title and at.query_params["slide"] == DECK[1].id
    next(b for b in at.button if b.label == "Previous").click().run()
    assert at.title[0].value == DECK[0].title


def test_notes_are_hidden_until_asked_for():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not any("Presenter notes" in i.value for i in at.info)
    at.toggle(key="notes").set_value(True).run()
    assert any(DECK[0].notes in i.value for i in at.info)


@pytest.mark.parametrize("bad", ["nope", "<script>alert(1)</script>", "x" * 5000])
def test_unknown_slide_in_the_link_opens_the_first_with_a_notice(bad):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["slide"] = bad
    at.run()
    assert not at.exception
    assert at.title[0].value == DECK[0].title
    assert any("ignored" in i.value for i in at.info) and not any("<script>" in i.value for i in at.info)


def _without(table, keep):
    """``table`` with only the rows ``keep`` (a row mask function) allows, as a refresh could deliver it."""
    import dataclasses

    return dataclasses.replace(table, data=table.data[keep(table.data)].reset_index(drop=True))


@pytest.mark.parametrize(
    ("which", "keep", "named"),
    [
        ("national", lambda d: ~((d["drug"] == "heroin") & (d["year"] == 1999)), "Heroin deaths for 1999"),
        ("national", lambda d: d["drug"] != "all_drugs", "national all-drug deaths"),
        ("states", lambda d: d["year"] != lesson.WHO_YEAR, f"crude rates by age group for {lesson.WHO_YEAR}"),
        ("states", lambda d: ~((d["sex"] == "female") & (d["age_group"] == "all")), "female people"),
        ("risk", lambda d: d["risk_id"] != "muhuri_2013_nmpr_to_heroin_start", "muhuri_2013_nmpr_to_heroin_start"),
    ],
)
def test_a_table_without_the_lessons_rows_gets_a_notice_not_a_crash(monkeypatch, which, keep, named):
    """A refreshed table can lack a year or a group the lesson quotes: Lesson mode says which, keeps the help
    line, and the next visit with complete tables works again."""
    import dataclasses

    from streamlit.runtime import caching

    from app import cached

    full = cached.lesson_tables()
    broken = dataclasses.replace(full, **{which: _without(getattr(full, which), keep)})
    monkeypatch.setattr(cached, "lesson_tables", lambda: broken)
    caching.cache_data.clear()  # lesson_deck() was built from the full tables by earlier tests
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert named in at.warning[0].value and "cannot be shown" in at.warning[0].value
    assert any("988" in c.value for c in at.caption)
    monkeypatch.undo()
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == DECK[0].title
    assert not any("cannot be shown" in w.value for w in at.warning)
