"""HTML to PDF with the Chromium already on this machine (``chromium --headless --print-to-pdf``).

The printed kit and brief are HTML pages with print CSS (``templates/``). Chromium lays them out, runs the
page's plotly.js (inline, so nothing is fetched), embeds the fonts it used and writes the PDF. It is found as
the machine has (:func:`find_chromium`: ``CHROMIUM_PATH``, else the usual names on
PATH). The page is loaded from a temporary file, so no server and no network are involved.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Paper sizes the templates know (CSS ``@page`` size names); a one-page brief must fit both.
PAPERS = ("letter", "a4")

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


class PdfError(RuntimeError):
    """No PDF could be made; the message says why and what to do."""


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


def render(html: str, *, timeout: float = 120.0) -> bytes:
    """The PDF Chromium prints from ``html`` (a whole document; its ``@page`` rule sets the paper)."""
    browser = find_chromium()
    if browser is None:
        raise PdfError(
            "no Chromium found to print the PDF (looked for $CHROMIUM_PATH, chromium, chromium-browser, "
            "google-chrome). Install one (Debian: apt install chromium) or set CHROMIUM_PATH."
        )
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "page.html"
        out = Path(scratch) / "page.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-pdf-header-footer",
            "--virtual-time-budget=10000",  # let plotly draw its charts before the page is printed
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox on
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        except (OSError, subprocess.SubprocessError) as err:
            raise PdfError(f"Chromium ({browser}) could not print the PDF: {err}") from err
        data = out.read_bytes() if out.exists() else b""
    if not data.startswith(b"%PDF-"):
        raise PdfError(f"Chromium ({browser}) wrote no PDF")
    return data


def page_count(pdf: bytes) -> int:
    """How many pages a PDF from :func:`render` has (Chromium writes each page object uncompressed)."""
    return len(_PAGE.findall(pdf))
