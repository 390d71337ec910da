"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright, against a live server.

Catches what in-process tests cannot: a red exception box, a chart that never draws, a page that scrolls
sideways on a phone, a request to the outside world, a permalink that does not reproduce the view, a chart that
does not fit a phone, a laptop or (in the offline lesson pack) a projector, measured from the boxes Chromium
draws.

Pages come from ``dashboard.SECTIONS`` (files that exist), cross-checked against the navigation bar, so a page
that lands later is tested as soon as it is listed. What each page must show is decided in ``EXPECT`` below; a
page missing from that table fails until someone decides. Screenshots of every page at desktop and phone size
go to ``test-artifacts/screenshots/`` (git-ignored). Skips with the reason where Chromium is absent.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from paths import FIXTURES
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from app import frame
from app.testing import (
    CHART_GEOMETRY_JS,
    CHARTS_SIZED_JS,
    DESKTOP,
    FIGURES_JS,
    NEXT_FRAMES_JS,
    PHONE,
    AppServer,
    OutsideRequestGuard,
    PageInfo,
    artifact_path,
    dashboard_pages,
    wait_for_charts,
    wait_for_idle,
    wait_for_page,
    wait_for_sized_charts,
)
from data_sources.schema import COLUMNS

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Expect:
    """What a page must show besides the frame (no exception box, the 988 help footer)."""

    chart: bool  # at least one drawn plotly chart
    source: bool = True  # a caption with "Source:" (or "Sources:" when a chart draws on several studies)
    why: str = ""  # the reason for a relaxed rule


#: Per page (file stem). Charts are required where the page exists to show one; the others may have none.
EXPECT: dict[str, Expect] = {
    "overview": Expect(chart=True),
    "states": Expect(chart=True),
    "counties": Expect(chart=True),
    "nonfatal": Expect(chart=True),
    "demographics": Expect(chart=True),
    "risk": Expect(chart=True),
    "classroom": Expect(chart=False, why="lesson slides: a chart only on some slides"),
    "data": Expect(chart=False, source=True, why="tables and downloads; charts only after an upload"),
    "about": Expect(chart=False, source=False, why="the page is the list of sources, by table"),
}

PAGES = dashboard_pages()
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@dataclass
class Visit:
    """One open page with its guards: outside requests blocked and recorded, JS errors recorded."""

    page: Any
    guard: OutsideRequestGuard
    errors: list[str]

    def assert_clean(self) -> None:
        assert not self.guard.blocked, f"the page asked for outside resources: {self.guard.blocked}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def visit(chromium, app_server) -> Iterator[Callable[..., Visit]]:
    """open(path, viewport=DESKTOP) -> Visit: a fresh browser context per call, closed after the test."""
    contexts = []

    def open_page(
        path: str, viewport: dict[str, int] = DESKTOP, *, wait: bool = True, color_scheme: str = "light"
    ) -> Visit:
        context = chromium.new_context(viewport=viewport, accept_downloads=True, color_scheme=color_scheme)
        contexts.append(context)
        guard = OutsideRequestGuard().install(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path if path.startswith("http") else f"{app_server.url}/{path.lstrip('/')}")
        if wait:
            wait_for_page(page)
        return Visit(page, guard, errors)

    yield open_page
    for context in contexts:
        context.close()


def figures(page: Any) -> list[dict]:
    return page.evaluate(FIGURES_JS)


def query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def screenshot(page: Any, name: str) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its own container, so grow the viewport to fit."""
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stAppViewContainer'].map(id => "
        '(document.querySelector(`[data-testid="${id}"]`) || {scrollHeight: 0}).scrollHeight))'
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 12_000)})
    page.wait_for_timeout(400)  # let plotly reflow to the new size
    page.screenshot(path=artifact_path(name), full_page=True)


def test_every_page_has_expectations():
    missing = [p.stem for p in PAGES if p.stem not in EXPECT]
    assert not missing, f"add these pages to EXPECT in {__file__}: {missing}"


def test_navigation_bar_lists_every_page(visit):
    """The top navigation shows exactly the pages dashboard.SECTIONS lists (whose files exist)."""
    v = visit("/")
    found = set()
    for section in v.page.locator('[data-testid="stTopNavSection"]').all():
        section.click()
        links = v.page.locator('[data-testid="stTopNavDropdownLink"]')
        links.first.wait_for()
        found |= {
            urlsplit(href).path.strip("/") for href in (link.get_attribute("href") for link in links.all()) if href
        }
        v.page.keyboard.press("Escape")
    assert found == {p.url_path for p in PAGES}
    v.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("info", PAGES, ids=[p.stem for p in PAGES])
def test_page_renders_clean(visit, info: PageInfo, viewport: str):
    """No exception box, the chart drawn, the source line and help footer, headings in order, no sideways
    scrolling on a phone, nothing loaded from outside; a screenshot saved either way."""
    expect = EXPECT.get(info.stem)
    if expect is None:
        pytest.fail(f"{info.stem} is not in EXPECT")
    v = visit(info.url_path, VIEWPORTS[viewport])
    page = v.page
    try:
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()

        if expect.chart:
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=20_000)
            drawn = figures(page)
            assert drawn and all(f["traces"] for f in drawn), f"a chart without data: {drawn}"

        main = page.locator('[data-testid="stMain"]')
        captions = " ".join(main.locator('[data-testid="stCaptionContainer"]').all_inner_texts())
        if expect.source:
            assert "Source:" in captions or "Sources:" in captions, "no source line under the charts"
        # The frame's footer is a help box; Lesson mode, projected to a class, has the help lines in one caption.
        footer = " ".join(main.locator('[data-testid="stAlertContainer"]').all_inner_texts()) + captions
        assert "988" in footer and "1-800-662-4357" in footer, "the help lines are missing"

        levels = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=\"stMain\"] :is(h1,h2,h3,h4,h5,h6)')]"
            ".map(h => Number(h.tagName[1]))"
        )
        assert levels[:1] == [1] and levels.count(1) == 1, f"one h1 first, then the rest: {levels}"
        jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert not jumps, f"headings skip a level: {jumps} in {levels}"

        if viewport == "phone":
            overflow = page.evaluate(
                "() => ['html', 'body', '[data-testid=\"stAppViewContainer\"]', '[data-testid=\"stMain\"]']"
                ".map(s => document.querySelector(s)).filter(Boolean)"
                ".filter(e => e.scrollWidth > e.clientWidth + 1)"
                ".map(e => `${e.tagName}.${e.dataset.testid || ''}: ${e.scrollWidth} > ${e.clientWidth}`)"
            )
            assert not overflow, f"the page scrolls sideways on a 390 px phone: {overflow}"
        v.assert_clean()
    finally:
        screenshot(page, f"{info.stem}-{viewport}")


def test_overview_controls_and_permalink(visit):
    """Switching to rates and a log scale redraws the chart and lands in the URL; the URL reproduces the view."""
    v = visit("/")
    page = v.page
    before = wait_for_charts(page, "figs => figs.length >= 2 && figs[0].yaxis === 'linear'")
    page.get_by_role("button", name="Change the chart").click()  # the chart's choices sit in one popover
    page.get_by_role("radio", name="Rate per 100,000").click()
    wait_for_idle(page)
    log_scale = page.get_by_text("Log scale")
    if not log_scale.is_visible():  # the rerun after the first choice may have closed the popover
        page.get_by_role("button", name="Change the chart").click()
    log_scale.click()
    new_state = "figs => figs.length >= 2 && figs[0].yaxis === 'log' && /rate/i.test(figs[0].title)"
    after = wait_for_charts(page, new_state)
    assert after != before
    page.wait_for_function("() => /[?&]log=true/.test(location.search) && /[?&]measure=/.test(location.search)")
    params = query(page)
    # Streamlit writes a bound option as its label ("Rate per 100,000"), not its key.
    assert params.get("measure") == ["Rate per 100,000"] and params.get("log") == ["true"], params

    again = visit(page.url)
    assert wait_for_charts(again.page, new_state) == after, "the permalink shows a different chart"
    v.assert_clean()
    again.assert_clean()


def test_a_deep_link_as_the_first_visit_of_a_fresh_server_gets_the_whole_frame(chromium):
    """Streamlit runs a page file alone (no navigation, no help footer) while it still takes ``pages/`` for an
    old-style multipage app, i.e. until ``st.navigation`` has run once in the process. A teacher's link to a
    slide may be the first request a restarted server sees; it must still get the frame and the slide."""
    with AppServer() as fresh:
        context = chromium.new_context(viewport=DESKTOP)
        try:
            page = context.new_page()
            page.goto(f"{fresh.url}/classroom?slide=heroin")
            wait_for_page(page)  # the footer is drawn by the frame (dashboard.py) only
            assert page.locator('[data-testid="stTopNavSection"]').count() == 2, "no navigation bar"
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0, "Streamlit's page-folder sidebar"
            assert page.get_by_role("heading", name="How much did heroin deaths rise?").is_visible()
            assert query(page).get("slide") == ["heroin"], page.url
        finally:
            context.close()


@pytest.mark.skipif("risk" not in {p.stem for p in PAGES}, reason="pages/risk.py is not in the navigation yet")
def test_risk_question_filter_and_permalink(visit):
    """Dropping a question from the risk chart redraws it with fewer rows; the URL reproduces the view."""
    v = visit("/risk")
    page = v.page
    before = wait_for_charts(page, "figs => figs.length >= 1 && figs[0].traces.length > 0")
    pills = page.locator('[data-testid="stButtonGroup"]').first.get_by_role("button")
    assert pills.count() >= 2, "the risk page should offer at least two questions"
    points = sum(n for _, n in before[0]["traces"])
    pills.first.click()
    # Wait for the new state itself (the first chart with fewer points, the app idle, no stale chart left), not
    # for "a chart": the previous run's chart can still be on the page.
    fewer = f"figs => figs.length >= {len(before)} && figs[0].traces.reduce((s, t) => s + t[1], 0) < {points}"
    after = wait_for_charts(page, fewer)
    page.wait_for_function("() => /[?&]questions=/.test(location.search)")

    again = visit(page.url)
    assert wait_for_charts(again.page, fewer) == after, "the permalink shows a different chart"
    v.assert_clean()
    again.assert_clean()


@dataclass
class Downloads:
    """What :func:`download_first_csv` tried, so a failure says which buttons gave what."""

    csv: bytes | None = None
    tried: list[str] = field(default_factory=list)


def download_first_csv(page: Any) -> Downloads:
    """The first .csv the page's download buttons give, opening expanders one by one (Streamlit draws an
    expander's content only once it is opened).

    A button is marked once clicked (``data-tried``), so a button that only became visible after its expander
    opened is still tried, and none is clicked twice. Each round waits for the app to be idle first.
    """
    main = page.locator('[data-testid="stMain"]')
    untried = main.locator('[data-testid="stDownloadButton"] button:not([data-tried])')
    closed = main.locator('[data-testid="stExpander"] details:not([open]) > summary')
    result = Downloads()
    # Wait for the page's downloads or expanders to be drawn at all: on a loaded machine the footer can be
    # drawn and the status widget gone a moment before the rest of a rerun's elements arrive.
    main.locator('[data-testid="stDownloadButton"], [data-testid="stExpander"]').first.wait_for(timeout=45_000)
    while True:
        wait_for_idle(page)
        for button in untried.element_handles():  # handles, not nth() locators: marking shifts the nth
            if not button.is_visible():
                continue  # in a closed expander or tab: tried once it opens
            label = " ".join(button.text_content().split()[1:]) or "?"  # the first word is the icon's name
            try:
                button.evaluate("b => { b.dataset.tried = '1'; }")
                # The county page draws a large map while the CSV is requested; on a loaded 2-core machine the
                # download has taken over 30 s to start.
                with page.expect_download(timeout=90_000) as info:
                    button.click(timeout=10_000)
            except PlaywrightTimeout:
                result.tried.append(f"{label!r}: no download (timed out)")
                continue
            except PlaywrightError as err:  # redrawn by a rerun while we reached for it: its successor is untried
                result.tried.append(f"{label!r}: {str(err).splitlines()[0]}")
                continue
            name = info.value.suggested_filename
            result.tried.append(f"{label!r}: {name}")
            if name.lower().endswith(".csv"):
                result.csv = Path(info.value.path()).read_bytes()
                return result
        if closed.count() == 0:
            return result
        closed.first.click()


def test_overview_csv_download_has_the_contract_header(visit):
    v = visit("/")
    downloads = download_first_csv(v.page)
    content = downloads.csv
    assert content is not None, f"the overview offers no CSV download; tried {downloads.tried}"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows[0] == list(COLUMNS), rows[0]
    assert len(rows) > 10 and all(len(r) == len(COLUMNS) for r in rows)
    v.assert_clean()


def test_lesson_mode_downloads_the_offline_pack(visit):
    """The Lesson mode button hands out the whole offline lesson (built on the click, not on the visit)."""
    v = visit("/classroom")
    button = v.page.get_by_role("button", name="Offline lesson (HTML)")
    with v.page.expect_download(timeout=60_000) as info:
        button.click()
    assert info.value.suggested_filename == "overdose-lesson.html"
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count('<section class="slide"') >= 2
    assert "Cite as: US Drug Overdose Data Dashboard" in text
    v.assert_clean()


def test_data_page_downloads_the_whole_package(visit):
    """The zip is built when the button is clicked (not on every visit) and holds every table and its
    description."""
    v = visit("/data")
    with v.page.expect_download(timeout=90_000) as info:
        v.page.get_by_role("button", name="Download the data package (zip)").click()
    assert info.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(info.value.path()) as package:
        names = set(package.namelist())
        described = json.loads(package.read(next(n for n in names if n.endswith("datapackage.json"))))
    assert {r["name"] for r in described["resources"]} >= {"national_final", "state_drug_poisoning"}
    assert any(n.endswith("national_final.csv") for n in names), names
    v.assert_clean()


def test_a_wonder_export_chosen_in_the_browser_is_read_then_let_go(visit):
    """A reader picks a WONDER export: the page says what it read and draws it, the uploader is empty again (the
    server has dropped the file; only its table stays in the session), and "Remove this file" takes it away."""
    v = visit("/data")
    chooser = v.page.locator('[data-testid="stFileUploader"] input[type="file"]')
    chooser.set_input_files(str(FIXTURES / "wonder_county_year_heroin.txt"))
    main = v.page.locator('[data-testid="stMain"]')
    main.get_by_text("Read 6 data rows").wait_for(timeout=60_000)
    wait_for_idle(v.page)
    wait_for_sized_charts(v.page, 1)  # plotly.js loads on the first chart, so the drawing comes a moment later
    assert v.page.locator('[data-testid="stFileUploaderFile"]').count() == 0, "the uploader still holds the file"
    screenshot(v.page, "data-upload-desktop")
    v.page.get_by_role("button", name="Remove this file").click()
    main.get_by_text("Read 6 data rows").wait_for(state="detached", timeout=60_000)
    wait_for_idle(v.page)
    assert main.locator(".js-plotly-plot").count() == 0
    v.assert_clean()


#: Pages that offer no CSV on purpose.
NO_CSV = {"classroom": "its download is the offline lesson pack (HTML)"}
DOWNLOAD_PAGES = [p for p in PAGES if p.stem not in ("overview", "about")]


@pytest.mark.parametrize("info", DOWNLOAD_PAGES, ids=[p.stem for p in DOWNLOAD_PAGES])
def test_page_csv_download_is_a_table(visit, info: PageInfo):
    """Every page with a download button hands out a CSV with a named, unique header and at least one row."""
    v = visit(info.url_path)
    downloads = download_first_csv(v.page)
    content = downloads.csv
    if content is None:
        if info.stem in NO_CSV:
            pytest.skip(f"{info.stem} has no CSV download button (by design: {NO_CSV[info.stem]})")
        pytest.fail(f"{info.stem} gave no CSV download; tried {downloads.tried}")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    header = rows[0]
    assert all(h.strip() for h in header) and len(set(header)) == len(header), header
    assert len(rows) >= 2 and all(len(r) == len(header) for r in rows[1:]), "ragged or empty CSV"
    v.assert_clean()


#: JS: every text element in the main area whose contrast with its background is under WCAG AA (4.5:1).
#: The background is the nearest ancestor with an opaque fill; translucent text is blended onto it first.
LOW_CONTRAST_JS = """() => {
  const parse = c => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const low = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    // A slider thumb's value label is drawn above the thumb, on the page, not on the filled thumb it sits in.
    if (el.closest('[data-testid="stSliderThumbValue"]')) continue;
    // WCAG 1.4.3 exempts inactive controls (e.g. "Previous" on the first slide).
    if (el.closest('button:disabled')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const bg = background(el), fg = parse(style.color), a = fg.a * parseFloat(style.opacity || 1);
    const mixed = {r: fg.r * a + bg.r * (1 - a), g: fg.g * a + bg.g * (1 - a), b: fg.b * a + bg.b * (1 - a)};
    const [hi, lo] = [lum(mixed), lum(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) low.push(`${ratio.toFixed(2)}:1 "${el.textContent.trim().slice(0, 40)}" (${style.color})`);
  }
  return low;
}"""


@pytest.mark.parametrize("info", PAGES, ids=[p.stem for p in PAGES])
def test_text_contrast_meets_wcag_aa(visit, info: PageInfo):
    """Every piece of text in the page body, captions and source lines included, reads at 4.5:1 or better."""
    v = visit(info.url_path)
    low = v.page.evaluate(LOW_CONTRAST_JS)
    assert not low, f"text under 4.5:1 contrast on {info.stem}: {low[:10]}"


@pytest.mark.parametrize("stem", ["overview", "states", "classroom"])
def test_a_reader_whose_system_is_in_dark_mode_gets_the_same_readable_page(visit, stem):
    """The app has one theme (``.streamlit/config.toml``: light, and no theme switch in the viewer menu), so a
    phone or laptop set to dark mode must not turn it into dark text on a dark page, or light on light."""
    info = next((p for p in PAGES if p.stem == stem), None)
    if info is None:
        pytest.skip(f"pages/{stem}.py is not in the navigation")
    v = visit(info.url_path, color_scheme="dark")
    assert v.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    background = v.page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
    assert background == "rgb(255, 255, 255)", background
    low = v.page.evaluate(LOW_CONTRAST_JS)
    assert not low, f"text under 4.5:1 contrast on {stem} in dark mode: {low[:10]}"
    v.page.locator('[data-testid="stMainMenu"]').click()
    v.page.get_by_role("option", name="About").or_(v.page.get_by_text("About", exact=True)).first.wait_for()
    assert v.page.get_by_text("Settings", exact=True).count() == 0, "the viewer menu offers a theme switch"


def test_lesson_pack_plays_offline_in_chromium(tmp_path, chromium):
    """The offline lesson pack from file://, with every request but the file itself refused."""
    from app.lesson import pack as lesson_pack

    out = tmp_path / "lesson.html"
    lesson_pack.main(["--out", str(out)])
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    outside: list[str] = []

    def only_the_file(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(out.as_uri())
    page.keyboard.press("ArrowRight")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelector('#slide-heroin .js-plotly-plot .main-svg')")
    assert page.locator("#counter").inner_text() == "Slide 2 of 6"
    assert page.locator("#slide-heroin .reveal").is_visible()
    assert page.evaluate("location.hash") == "#2"  # the address follows the slide, for bookmarks

    # A link to a slide opens it (#4/answer with its answer shown), and a slide id works as well as a number.
    page.goto(f"{out.as_uri()}#4/answer")
    page.wait_for_function("() => document.querySelector('#slide-who .js-plotly-plot .main-svg')")
    assert page.locator("#counter").inner_text() == "Slide 4 of 6"
    assert page.locator("#slide-who .reveal").is_visible()
    assert not page.locator("#slide-who .reveal-button").is_visible()
    page.evaluate("location.hash = '#heroin'")
    page.wait_for_function("() => document.querySelector('#counter').textContent === 'Slide 2 of 6'")
    assert not outside and not errors, (outside, errors)
    context.close()


# --- the first screen: a phone, a laptop, a projector -----------------------------------------------------------
# Real geometry, measured by Chromium in the page: bounding boxes of the SVG text plotly drew, of the charts and
# of the page's parts. Each check waits for the state it measures (the app idle, every chart drawn at its box's
# size), never for a fixed time.

LAPTOP = {"width": 1280, "height": 800}
#: Every chart keeps a plot area at least this wide (px) and draws no text smaller than MIN_FONT_PX.
MIN_PLOT_PX = 300
MIN_FONT_PX = 12
CHART_PAGES = [p for p in PAGES if p.stem in EXPECT and EXPECT[p.stem].chart]

#: JS: the text of every headline card label that is cut short (its text wider than its box, e.g. "...").
METRIC_LABELS_CUT_JS = """() => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
  .filter(label => [label, ...label.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
  .map(label => label.textContent.trim())"""

#: JS: elements of the page that scroll sideways (wider than their box).
SIDEWAYS_JS = """() => ['html', 'body', '[data-testid="stAppViewContainer"]', '[data-testid="stMain"]']
  .map(s => document.querySelector(s)).filter(Boolean)
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName}.${e.dataset.testid || ''}: ${e.scrollWidth} > ${e.clientWidth}`)"""


def chart_geometry(page: Any, *, min_plot: int = MIN_PLOT_PX) -> tuple[list[dict], list[str]]:
    """Every displayed chart's geometry, and its problems as readable lines."""
    charts = page.evaluate(CHART_GEOMETRY_JS, {"minPlot": min_plot, "minFont": MIN_FONT_PX})
    return charts, [f"{c['title']!r}: {problem}" for c in charts for problem in c["problems"]]


def page_problems(page: Any, *, first_screen: bool) -> list[str]:
    """What does not fit on the open page, as readable lines: charts (see CHART_GEOMETRY_JS), headline card
    labels cut short, sideways scrolling, and (``first_screen``) a first chart that starts below the first
    screen."""
    charts, problems = chart_geometry(page)
    if not charts:
        problems.append("no chart drawn")
    elif first_screen:
        screen = page.evaluate("innerHeight")
        first = charts[0]
        if not 0 <= first["top"] < screen:
            problems.append(
                f"the first chart ({first['title']!r}) starts {first['top']:.0f} px down, below the first "
                f"{screen} px screen"
            )
    problems += [f"headline card label cut short: {label!r}" for label in page.evaluate(METRIC_LABELS_CUT_JS)]
    problems += [f"the page scrolls sideways: {e}" for e in page.evaluate(SIDEWAYS_JS)]
    return problems


@pytest.mark.parametrize("info", CHART_PAGES, ids=[p.stem for p in CHART_PAGES])
def test_phone_first_chart_on_the_first_screen_and_every_chart_fits(visit, info: PageInfo):
    """On a 390x844 phone the first chart starts on the first screen, and every chart drawn fits: a plot area at
    least 300 px wide, text of 12 px or more, no two labels on top of each other (tick labels, axis titles, the
    title), nothing cut at the edge, the mode bar off the title, the legend off the axis; headline card labels
    whole; no sideways scrolling."""
    _assert_charts_fit(visit, info, PHONE, "phone", first_screen=True)


#: JS: how wide the displayed state map's outlines are drawn, and how wide its chart is (null: no map drawn).
MAP_SPAN_JS = """() => {
  const div = [...document.querySelectorAll('.js-plotly-plot')]
    .find(d => d.getBoundingClientRect().width > 0 && d.querySelector('.choroplethlocation'));
  if (!div) return null;
  const states = [...div.querySelectorAll('.choroplethlocation')].map(e => e.getBoundingClientRect());
  return {map: Math.max(...states.map(b => b.right)) - Math.min(...states.map(b => b.left)),
          chart: div.getBoundingClientRect().width};
}"""


def test_phone_state_map_uses_the_full_width(visit):
    """The state map's colour key lies under it, not beside it, so the outlines span at least three quarters of
    the chart's width (they spanned about half beside the key). plotly's Albers USA frame keeps a margin round
    the states; zooming past it would crop the map on a wide screen, where the height limits it."""
    v = visit("/states", PHONE)
    v.page.wait_for_function(f"() => ({MAP_SPAN_JS})() !== null", timeout=30_000, polling=100)
    wait_for_sized_charts(v.page)
    span = v.page.evaluate(MAP_SPAN_JS)
    assert span["map"] >= 0.75 * span["chart"], f"the map spans {span['map']:.0f} of {span['chart']:.0f} px"
    v.assert_clean()


def test_phone_sidebar_control_has_a_visible_label(visit):
    """The control that opens the sidebar shows a word beside its "»", and opens the help lines."""
    v = visit("/", PHONE)
    # The button is drawn by Streamlit's frame before the page's style rules arrive with the script's output:
    # wait for the page to be idle, then for the rules to be in the document, before reading the label.
    wait_for_idle(v.page)
    v.page.wait_for_function(
        "() => [...document.querySelectorAll('style')].some(s => s.textContent.includes('stExpandSidebarButton'))"
    )
    button = v.page.get_by_test_id("stExpandSidebarButton")
    label = button.evaluate("b => getComputedStyle(b, '::after').content")
    assert label == f'"{frame.SIDEBAR_LABEL}"', label
    box = button.bounding_box()
    assert box is not None and box["width"] > 2 * box["height"], f"no room for the label: {box}"
    button.click()
    v.page.locator('[data-testid="stSidebar"]').get_by_text("Help and support").wait_for()
    v.assert_clean()


@pytest.mark.parametrize("info", CHART_PAGES, ids=[p.stem for p in CHART_PAGES])
def test_laptop_cards_and_charts_fit(visit, info: PageInfo):
    """At 1280x800 headline card labels are whole (not "Heroin deaths: 2019 v..."), and every chart fits as on
    a phone: long axis titles do not run into chart titles, the legend stays off the axis."""
    _assert_charts_fit(visit, info, LAPTOP, "laptop", first_screen=False)


def _assert_charts_fit(visit, info: PageInfo, size: dict, device: str, *, first_screen: bool) -> None:
    """Open ``info``'s page at ``size`` and assert the layout rules (page_problems); keep a screenshot."""
    v = visit(info.url_path, size)
    page = v.page
    try:
        wait_for_sized_charts(page)
        problems = page_problems(page, first_screen=first_screen)
        assert not problems, f"{info.stem} on a {device}:\n" + "\n".join(problems)
        v.assert_clean()
    finally:
        page.screenshot(path=artifact_path(f"{info.stem}-{device}-first-screen"))


def _known_bad_figures() -> dict[str, tuple[Any, str]]:
    """Charts drawn wrong on purpose, each with the problem the geometry check must report for it."""
    import plotly.graph_objects as go

    line = go.Scatter(x=[2000, 2010, 2020], y=[1, 3, 2], name="A series with a long name")
    months = [f"{m} 2023, provisional" for m in ("January", "February", "March", "April", "May", "June")]
    return {
        "narrow": (go.Figure(line, layout={"width": 250, "height": 300}), "plot area"),
        "small text": (
            go.Figure(line, layout={"width": 600, "height": 300, "xaxis": {"tickfont": {"size": 9}}}),
            "text 9.0 px",
        ),
        "cut": (
            go.Figure(line, layout={"width": 400, "height": 300, "title": {"text": "A title " * 12}}),
            "text cut at the chart's edge",
        ),
        "piled ticks": (
            go.Figure(go.Bar(x=months, y=[1, 2, 3, 4, 5, 6]), layout={"width": 400, "xaxis": {"tickangle": 0}}),
            'tick label "January 2023, provisional" and tick label "February 2023, provisional" overlap',
        ),
        "mode bar": (
            go.Figure(line, layout={"width": 700, "height": 300, "title": {"text": "T " * 40, "y": 0.99}}),
            "the mode bar covers the title",
        ),
        "legend": (
            go.Figure(
                [line, go.Scatter(x=[2000, 2010, 2020], y=[2, 1, 3], name="Another series")],
                layout={"width": 600, "height": 300, "legend": {"orientation": "h", "y": -0.02, "yanchor": "top"}},
            ),
            "the legend covers tick label",
        ),
    }


def test_chart_geometry_check_finds_each_problem(chromium, tmp_path):
    """The geometry check fails where it should: charts drawn wrong on purpose (too narrow, small text, a title
    cut off, tick labels piled up, the mode bar on the title, the legend on the axis) are each reported."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    bad = _known_bad_figures()
    charts = "".join(
        pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=f"chart{i}")
        for i, (fig, _problem) in enumerate(bad.values())
    )
    page_file = tmp_path / "bad.html"
    page_file.write_text(
        f"<!DOCTYPE html><html><head><script>{get_plotlyjs()}</script></head><body>{charts}</body></html>"
    )
    context = chromium.new_context(viewport={"width": 800, "height": 800})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_function(
            f"() => document.querySelectorAll('.main-svg').length >= {len(bad)} && ({CHARTS_SIZED_JS})()"
        )
        found = page.evaluate(CHART_GEOMETRY_JS, {"minPlot": MIN_PLOT_PX, "minFont": MIN_FONT_PX})
    finally:
        context.close()
    assert len(found) == len(bad)
    missed = [
        f"{name}: no {problem!r} in {chart['problems']}"
        for (name, (_fig, problem)), chart in zip(bad.items(), found, strict=True)
        if not any(problem in reported for reported in chart["problems"])
    ]
    assert not missed, "\n".join(missed)


PROJECTORS = {"1024x768": (1024, 768), "1280x800": (1280, 800), "1920x1080": (1920, 1080)}

#: JS: the open slide's parts (chart, answer, sources) and the navigation bar, as boxes; whether it scrolls.
SLIDE_JS = """() => {
  const slide = document.querySelector('.slide.active');
  const part = selector => {
    const e = slide.querySelector(selector);
    if (!e || e.getBoundingClientRect().height === 0) return null;
    const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
  };
  return {
    id: slide.id,
    scrolls: slide.scrollHeight > slide.clientHeight + 1,
    sideways: document.documentElement.scrollWidth > innerWidth + 1,
    width: innerWidth,
    navTop: document.querySelector('nav').getBoundingClientRect().top,
    parts: {chart: part('.chart .js-plotly-plot'), answer: part('.reveal'), sources: part('.sources')},
  };
}"""


@pytest.fixture(scope="module")
def lesson_file(tmp_path_factory) -> Path:
    from app.lesson import pack as lesson_pack

    out = tmp_path_factory.mktemp("lesson") / "lesson.html"
    assert lesson_pack.main(["--out", str(out)]) == 0
    return out


def open_slides(chromium, lesson_file: Path, width: int, height: int) -> Iterator[tuple[Any, dict]]:
    """Each slide of the pack, answer shown, at ``width`` x ``height``: (page, its SLIDE_JS boxes), after every
    chart on it is drawn at its box's size; a screenshot of each goes to test-artifacts/screenshots/."""
    context = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(lesson_file.as_uri())
        count = page.evaluate("document.querySelectorAll('.slide').length")
        assert count >= 2
        for number in range(1, count + 1):
            page.evaluate(f"location.hash = '#{number}/answer'")
            page.wait_for_function(
                f"""() => document.querySelector('#counter').textContent.startsWith('Slide {number} ')
                  && ({CHARTS_SIZED_JS})()""",
                timeout=20_000,
                polling=100,
            )
            page.evaluate(NEXT_FRAMES_JS)
            boxes = page.evaluate(SLIDE_JS)
            page.screenshot(path=artifact_path(f"lesson-{number}-{width}x{height}"))
            yield page, boxes
        assert not errors, errors
    finally:
        context.close()


def overlaps(a: dict | None, b: dict | None) -> bool:
    """Whether two parts of a slide share any height (each spans the slide's width)."""
    return bool(a and b) and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5


def slide_problems(page: Any, slide: dict, *, projector: bool) -> list[str]:
    """What does not fit on one open slide. On a projector: the slide scrolls, or its chart, answer or sources
    are not wholly between the top of the screen and the navigation bar, or the chart does not fit (see
    CHART_GEOMETRY_JS). Anywhere: the sources drawn over the answer or the chart, sideways scrolling."""
    parts, problems = slide["parts"], []
    if slide["sideways"]:
        problems.append("the page scrolls sideways")
    if projector:
        if slide["scrolls"]:
            problems.append("the slide scrolls")
        for name, part in parts.items():
            if part is None:
                continue
            inside = part["top"] >= 0 and part["bottom"] <= slide["navTop"] + 0.5
            if not (inside and part["left"] >= 0 and part["right"] <= slide["width"]):
                problems.append(f"the {name} is not wholly on screen above the navigation bar: {part}")
        problems += chart_geometry(page)[1]
    for name in ("answer", "chart"):
        if overlaps(parts["sources"], parts[name]):
            problems.append(f"the sources are drawn over the {name}")
    return [f"{slide['id']}: {problem}" for problem in problems]


@pytest.mark.parametrize("size", list(PROJECTORS))
def test_lesson_pack_slides_fit_a_projector_screen(chromium, lesson_file, size):
    """On a projector at 1024x768, 1280x800 or 1920x1080 each slide, answer shown, fits the screen without
    scrolling: its chart, answer and sources lie wholly between the top and the navigation bar, apart from each
    other, and the chart fits (the legend off the x-axis labels, nothing cut, a plot at least 300 px wide)."""
    width, height = PROJECTORS[size]
    problems = [
        line
        for page, slide in open_slides(chromium, lesson_file, width, height)
        for line in slide_problems(page, slide, projector=True)
    ]
    assert not problems, f"slides at {size}:\n" + "\n".join(problems)


def test_lesson_pack_on_a_phone_keeps_sources_apart_from_the_answer(chromium, lesson_file):
    """On a 390x844 phone a slide scrolls as one page: the sources line comes after the answer and its chart,
    never over them, nothing scrolls sideways, and the chart's words are whole (its projector-size type leaves
    a phone a narrower plot than the app's charts, so the plot width is not held to 300 px here)."""
    problems = [
        line
        for page, slide in open_slides(chromium, lesson_file, PHONE["width"], PHONE["height"])
        for line in [
            *slide_problems(page, slide, projector=False),
            *(f"{slide['id']}: {p}" for p in chart_geometry(page, min_plot=0)[1]),
        ]
    ]
    assert not problems, "slides on a phone:\n" + "\n".join(problems)
