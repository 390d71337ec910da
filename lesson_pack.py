"""The offline lesson pack: the classroom deck as ONE self-contained HTML file.

``python -m lesson_pack --out dist/lesson.html`` (``make lesson``) writes it; the Lesson mode page offers the
same file as a download. Everything is inside the file: plotly.js (embedded once), the interactive charts,
the slides, the presenter notes, sources and a citation, so it plays from a USB stick in any browser with no
network. Keys: right arrow or space = next, left arrow = previous, N = show or hide the notes, R = reveal.
The address names the slide: ``lesson.html#3`` opens slide 3, ``#3/answer`` with its answer shown, and
``/still`` hides the buttons (for pictures of a slide).

``--png DIR`` also writes one 1920x1080 PNG per slide, answer shown, drawn from the pack by the Chromium on
this machine (``chromium --headless``; nothing is downloaded). Without a Chromium it says so and exits 1.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

import lesson
from data_sources import nchs_national_final, nchs_state_drug_poisoning, risk
from data_sources.snapshot import atomic_write

CITATION = (
    "US Drug Overdose Data Dashboard, classroom lesson (generated {day}). Figures from CDC/NCHS, NIDA "
    "and SAMHSA as cited on each slide."
)

STYLE = """
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #fff;
       color: #111; }
.slide { display: none; min-height: 100vh; box-sizing: border-box; padding: 3vh 5vw 9vh; }
/* A slide is one screen: the chart takes whatever height the words leave, so the sources stay in view. */
.slide.active { display: flex; flex-direction: column; height: 100vh; overflow-y: auto; }
.answer:not(.hidden) { flex: 1 1 auto; display: flex; flex-direction: column; min-height: 0; }
.chart { flex: 1 1 auto; min-height: 300px; }
.revealed .reveal-button { display: none; }
body.still nav button { display: none; }
h1 { font-size: 3.2rem; margin: 0 0 1.5rem; line-height: 1.15; }
.predict { font-size: 2rem; background: #FFF4D6; border-left: 0.5rem solid #E69F00; padding: 1rem 1.5rem; }
.reveal { font-size: 2rem; line-height: 1.35; }
.hidden { display: none; }
button { font-size: 1.4rem; padding: 0.5rem 1.2rem; margin: 0.3rem; border: 2px solid #0072B2; background: #fff;
         color: #0072B2; border-radius: 0.4rem; cursor: pointer; }
button.primary { background: #0072B2; color: #fff; }
.notes { font-size: 1.2rem; background: #F3F5F7; border: 1px dashed #555; padding: 1rem; margin-top: 1rem; }
.sources { font-size: 0.95rem; color: #333; margin-top: 1rem; }
.sources a { color: #0056A3; }
nav { position: fixed; bottom: 0; left: 0; right: 0; background: #fff; border-top: 1px solid #ccc;
      display: flex; align-items: center; justify-content: center; gap: 1rem; padding: 0.4rem; }
#counter { font-size: 1.3rem; min-width: 8rem; text-align: center; }
"""

SCRIPT = """
const slides = [...document.querySelectorAll('.slide')];
let current = -1, notes = false;
function show(i) {
  current = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach((s, k) => s.classList.toggle('active', k === current));
  document.getElementById('counter').textContent = `Slide ${current + 1} of ${slides.length}`;
  // The address names the slide, so a bookmark or a screenshot tool can open it directly (#3, #3/answer).
  if (location.hash.split('/')[0] !== `#${current + 1}`) location.replace(`#${current + 1}`);
  window.dispatchEvent(new Event('resize'));  // let plotly size charts that were hidden
}
function reveal() {
  slides[current].classList.add('revealed');
  slides[current].querySelectorAll('.answer').forEach(e => e.classList.remove('hidden'));
  window.dispatchEvent(new Event('resize'));
}
function toggleNotes() {
  notes = !notes;
  document.querySelectorAll('.notes').forEach(e => e.classList.toggle('hidden', !notes));
}
function fromHash() {  // #3 or #heroin (a slide id from the deck), then /answer to reveal, /still to hide buttons
  const [where, ...words] = decodeURIComponent(location.hash.slice(1)).split('/');
  const i = /^[0-9]+$/.test(where) ? Number(where) - 1 : slides.findIndex(s => s.id === `slide-${where}`);
  const target = Math.max(0, Math.min(slides.length - 1, i));  // unknown or out of range: the nearest slide
  document.body.classList.toggle('still', words.includes('still'));
  if (target !== current) show(target);
  if (words.includes('answer')) reveal();
}
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowRight' || e.key === ' ' || e.key === 'PageDown') { show(current + 1); e.preventDefault(); }
  if (e.key === 'ArrowLeft' || e.key === 'PageUp') show(current - 1);
  if (e.key === 'n' || e.key === 'N') toggleNotes();
  if (e.key === 'r' || e.key === 'R') reveal();
});
window.addEventListener('hashchange', fromHash);
fromHash();
"""


def load_tables() -> lesson.Tables:
    """The tables the lesson uses, from their freshest good copies (no network)."""
    return lesson.Tables(nchs_national_final.load(), nchs_state_drug_poisoning.load(), risk.load())


def build(tables: lesson.Tables, today: date | None = None) -> str:
    """The whole lesson as one HTML document (a string)."""
    day = (today or date.today()).isoformat()
    deck = lesson.load(tables)
    parts = []
    for number, slide in enumerate(deck, start=1):
        fig = lesson.figure(slide, tables)
        chart = "" if fig is None else f'<div class="chart">{_chart_html(fig, slide.id)}</div>'

        hidden = " hidden" if slide.predict else ""
        predict = (
            ""
            if not slide.predict
            else (
                f'<p class="predict">{html.escape(slide.predict)}</p>'
                '<button class="primary reveal-button" onclick="reveal()">Reveal the answer (R)</button>'
            )
        )
        sources = "; ".join(
            f'<a href="{html.escape(url)}">{html.escape(title)}</a>'
            for title, url in lesson.source_notes(slide, tables)
        )
        parts.append(
            f'<section class="slide" id="slide-{html.escape(slide.id)}" data-number="{number}">'
            f"<h1>{html.escape(slide.title)}</h1>{predict}"
            f'<div class="answer{hidden}"><p class="reveal">{html.escape(slide.reveal)}</p>{chart}</div>'
            f'<aside class="notes hidden"><strong>Presenter notes.</strong> {html.escape(slide.notes)}</aside>'
            f'<p class="sources">Sources: {sources}.</p></section>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Drug overdose in the United States: a lesson</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
        + "".join(parts)
        + '<nav><button onclick="show(current - 1)">Previous</button><span id="counter"></span>'
        '<button class="primary" onclick="show(current + 1)">Next</button>'
        '<button onclick="toggleNotes()">Notes (N)</button></nav>'
        f'<footer class="sources" style="padding: 0 5vw 5rem">Cite as: {html.escape(CITATION.format(day=day))}'
        "</footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def _chart_html(fig: go.Figure, slide_id: str) -> str:
    """The chart filling its ``.chart`` box, so it fits the screen (a projector at 1024x768 or 1920x1080)
    and leaves the sources line in view; the page embeds plotly.js once, so no script here."""
    fig = go.Figure(fig).update_layout(height=None, autosize=True)
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{slide_id}",
        default_height="100%",
        config={"displaylogo": False, "responsive": True},
    )


class ScreenshotError(RuntimeError):
    """The PNG slides could not be drawn; the message says why and what to do."""


def find_chromium() -> str | None:
    """A Chromium (or Chrome) on this machine: ``CHROMIUM_PATH``, else the usual names on PATH."""
    named = os.environ.get("CHROMIUM_PATH")
    if named:
        return named if Path(named).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshots(pack: Path, out_dir: Path, slides: int, *, size: tuple[int, int] = (1920, 1080)) -> list[Path]:
    """One PNG per slide (``slide-01.png`` ...), answer shown and buttons hidden, at projector resolution.

    Drawn by the local Chromium from the pack itself (``file://``), so it needs no network and no browser
    download. Each file is written under a temporary name and renamed, so a failure leaves no half-drawn PNG.
    """
    browser = find_chromium()
    if browser is None:
        raise ScreenshotError(
            "no Chromium found (looked for $CHROMIUM_PATH, chromium, chromium-browser, google-chrome). "
            "Install one (Debian: apt install chromium), or open the pack in a browser at 1920x1080 and take a "
            "screenshot of each slide."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    width, height = size
    written = []
    for number in range(1, slides + 1):
        target = out_dir / f"slide-{number:02d}.png"
        with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
            shot = Path(scratch) / target.name
            command = [
                browser,
                "--headless",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--disable-background-networking",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",  # let plotly draw before the picture is taken
                f"--screenshot={shot}",
                f"{pack.resolve().as_uri()}#{number}/answer/still",
            ]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                command.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox on
            try:
                subprocess.run(command, check=True, capture_output=True, timeout=120)
            except (OSError, subprocess.SubprocessError) as err:
                raise ScreenshotError(f"Chromium ({browser}) failed on slide {number}: {err}") from err
            if not shot.exists() or shot.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
                raise ScreenshotError(f"Chromium ({browser}) wrote no PNG for slide {number}")
            shot.replace(target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("dist/lesson.html"))
    parser.add_argument("--png", type=Path, metavar="DIR", help="also write one 1920x1080 PNG per slide into DIR")
    args = parser.parse_args(argv)
    try:
        text = build(load_tables())
    except lesson.DeckError as err:
        print(f"lesson_pack: the deck cannot be used: {err}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out, text.encode("utf-8"))
    slides = text.count('<section class="slide"')
    print(f"wrote {args.out} ({len(text) / 1e6:.1f} MB, {slides} slides)")
    if args.png:
        try:
            pictures = screenshots(args.out, args.png, slides)
        except ScreenshotError as err:
            print(f"lesson_pack: PNG slides not written: {err}", file=sys.stderr)
            return 1
        print(f"wrote {len(pictures)} PNG slides (1920x1080) to {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
