"""The offline lesson pack: one self-contained HTML file with every slide, chart, note and source."""

from __future__ import annotations

import re
from datetime import date

import pytest
from markupsafe import escape

from app.lesson import deck as lesson
from app.lesson import pack as lesson_pack
from app.printing.pdf import find_chromium


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
        assert str(escape(slide.title)) in page
        assert str(escape(slide.notes)) in page
        if slide.chart != "none":
            assert f'id="chart-{slide.id}"' in page
    assert page.count("Presenter notes.") == len(deck)
    assert "Cite as: US Drug Overdose Data Dashboard" in page and "2026-11-22" in page


def test_make_lesson_writes_the_file(tmp_path, capsys):
    out = tmp_path / "dist" / "lesson.html"
    assert lesson_pack.main(["--out", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "6 slides" in capsys.readouterr().out


def test_png_slides_without_a_chromium_say_so_and_write_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(lesson_pack, "find_chromium", lambda: None)
    code = lesson_pack.main(["--out", str(tmp_path / "lesson.html"), "--png", str(tmp_path / "slides")])
    assert code == 1
    err = capsys.readouterr().err
    assert "PNG slides not written: no Chromium found" in err and "apt install chromium" in err
    assert (tmp_path / "lesson.html").exists() and not (tmp_path / "slides").exists()


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@pytest.mark.browser
def test_png_slides_at_projector_resolution(tmp_path, capsys):
    """`make slides`: one 1920x1080 PNG per slide, drawn from the pack by the local Chromium (no download)."""
    if find_chromium() is None:
        pytest.skip("no Chromium on this machine (`make browser` installs Debian's chromium where it can)")
    slides = tmp_path / "slides"
    assert lesson_pack.main(["--out", str(tmp_path / "lesson.html"), "--png", str(slides)]) == 0
    pictures = sorted(slides.iterdir())
    assert [p.name for p in pictures] == [f"slide-{n:02d}.png" for n in range(1, 7)]
    assert {png_size(p) for p in pictures} == {(1920, 1080)}
    assert all(p.stat().st_size > 30_000 for p in pictures)  # drawn slides, not blank white pages
    assert "wrote 6 PNG slides" in capsys.readouterr().out
