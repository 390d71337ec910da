"""The offline lesson pack: one self-contained HTML file with every slide, chart, note and source."""

from __future__ import annotations

import re
from datetime import date

import pytest

import lesson
import lesson_pack


@pytest.fixture(scope="module")
def tables() -> lesson.Tables:
    return lesson_pack.load_tables()


@pytest.fixture(scope="module")
def page(tables) -> str:
    return lesson_pack.build(tables, today=date(2026, 11, 22))


def test_pack_is_self_contained(page):
    # No script, stylesheet, font or image fetched from elsewhere: every src and stylesheet is inline.
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"@import|@font-face|url\(\s*['\"]?https?:", page)
    assert not re.search(r"<img[^>]+src=['\"]?https?:", page)
    assert page.count("<script>") >= 2 and "Plotly" in page  # plotly.js embedded, once
    assert page.count('"plotlyjs_version"') == 0


def test_pack_holds_every_slide_with_its_figure_notes_and_sources(page, tables):
    deck = lesson.load(tables)
    for slide in deck:
        assert f'<section class="slide" id="slide-{slide.id}"' in page
        assert lesson_pack.html.escape(slide.title) in page
        assert lesson_pack.html.escape(slide.notes) in page
        if slide.chart != "none":
            assert f'id="chart-{slide.id}"' in page
    assert page.count("Presenter notes.") == len(deck)
    assert "Cite as: US Drug Overdose Data Dashboard" in page and "2026-11-22" in page


def test_make_lesson_writes_the_file(tmp_path, capsys):
    out = tmp_path / "dist" / "lesson.html"
    assert lesson_pack.main(["--out", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "6 slides" in capsys.readouterr().out
