"""The offline lesson pack: the classroom deck as ONE self-contained HTML file.

``python -m app.lesson.pack --out dist/lesson.html`` (``make lesson``) writes it; the Lesson mode page offers the
same file as a download. Everything is inside the file: plotly.js (embedded once), the interactive charts,
the slides, the presenter notes, sources and a citation, so it plays from a USB stick in any browser with no
network. Keys: right arrow or space = next, left arrow = previous, N = show or hide the notes, R = reveal.
The address names the slide: ``lesson.html#3`` opens slide 3, ``#3/answer`` with its answer shown, and
``/still`` hides the buttons (for pictures of a slide).

``--kit DIR`` also prints the worksheet and answer key in English and Spanish (:mod:`app.printing.kit`).
``--png DIR`` also writes one 1920x1080 PNG per slide, answer shown, drawn from the pack by the Chromium on
this machine (``chromium --headless``; nothing is downloaded). Without a Chromium it says so and exits 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from plotly.offline import get_plotlyjs

from app.lesson import deck
from app.printing.pdf import find_chromium
from data_sources import nchs_national_final, nchs_state_drug_poisoning, risk
from data_sources.snapshot import atomic_write

CITATION = (
    "US Drug Overdose Data Dashboard, classroom lesson (generated {day}). Figures from CDC/NCHS, NIDA "
    "and SAMHSA as cited on each slide."
)

#: The pack's page, style and script live beside this module as template files (Jinja2, autoescaped).
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


def load_tables() -> deck.Tables:
    """The tables the lesson uses, from their freshest good copies (no network)."""
    return deck.Tables(nchs_national_final.load(), nchs_state_drug_poisoning.load(), risk.load())


def build(tables: deck.Tables, today: date | None = None) -> str:
    """The whole lesson as one HTML document (a string)."""
    day = (today or date.today()).isoformat()
    slides = []
    for slide in deck.load(tables):
        fig = deck.figure(slide, tables)
        slides.append(
            {
                "id": slide.id,
                "title": slide.title,
                "predict": slide.predict,
                "reveal": slide.reveal,
                "notes": slide.notes,
                "chart": None if fig is None else _chart_json(fig),
                "sources": deck.source_notes(slide, tables),
            }
        )
    page = TEMPLATES.get_template("pack.html")
    return page.render(slides=slides, plotlyjs=get_plotlyjs(), citation=CITATION.format(day=day))


def _chart_json(fig: go.Figure) -> str:
    """The chart as plotly JSON, which the page draws once its slide and answer are on screen, filling its
    ``.chart`` box so it fits the screen (a projector at 1024x768 or 1920x1080) and leaves the sources line in
    view. A chart drawn in a hidden slide cannot measure its words, and plotly then lays it out wrong (a plot of
    negative height). ``</`` is escaped so the JSON cannot end the script element that holds it."""
    fig = go.Figure(fig).update_layout(height=None, autosize=True)
    return fig.to_json().replace("</", "<\\/")


class ScreenshotError(RuntimeError):
    """The PNG slides could not be drawn; the message says why and what to do."""


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
    parser.add_argument(
        "--kit", type=Path, metavar="DIR", help="also print the worksheet and answer key (English, Spanish) into DIR"
    )
    args = parser.parse_args(argv)
    try:
        tables = load_tables()
        text = build(tables)
    except deck.DeckError as err:
        print(f"lesson pack: the deck cannot be used: {err}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out, text.encode("utf-8"))
    slides = text.count('<section class="slide"')
    print(f"wrote {args.out} ({len(text) / 1e6:.1f} MB, {slides} slides)")
    if args.png:
        try:
            pictures = screenshots(args.out, args.png, slides)
        except ScreenshotError as err:
            print(f"lesson pack: PNG slides not written: {err}", file=sys.stderr)
            return 1
        print(f"wrote {len(pictures)} PNG slides (1920x1080) to {args.png}")
    if args.kit:
        # Imported here: the printed kit needs Babel and a Chromium, which the HTML pack alone does not.
        from app.printing import kit

        try:
            printed = kit.write_kit(args.kit, tables)
        except (kit.KitError, kit.i18n.MissingTranslation, kit.pdf.PdfError) as err:
            print(f"lesson kit: not printed: {err}", file=sys.stderr)
            return 1
        print(f"wrote {', '.join(p.name for p in printed)} to {args.kit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
