"""Speed and memory benchmark of the dashboard against a floor and a naive peer (``make bench``).

Measured in one run, on this machine, for every page of the dashboard and for two reference apps kept here:
* ``floor_app.py``: a bare Streamlit page with one plotly chart and one selectbox (the least a page can cost);
* ``naive_app.py``: a first-draft peer that runs ``pd.read_csv`` on a VSRR-sized CSV on every rerun. The CSV is
  SYNTHETIC, written at bench time into a temporary folder in the layout of CDC's VSRR export (about 14.5 MB).

Measures:
1. time to first chart in headless Chromium: from navigation start to the first plotly chart drawn
   (``.js-plotly-plot .main-svg``), for the first visit after the server starts and as the median of 5 warm
   visits (new tab, same browser profile). Pages with no chart are timed to the frame's footer instead.
   Then again as a mid-range phone: a 390x844 viewport with Chromium's CPU slowed 4x (DevTools
   ``Emulation.setCPUThrottlingRate``), warm visits only, each app against the floor under the same profile.
2. server-side rerun time: ``AppTest`` reruns of the page script, median of 20 after one warm-up run.
3. peak RSS (VmHWM) of a fresh server process after 20 concurrent websocket sessions each visited every page.
4. joinpoint trend fits (``bench/fits.py``): the fit of the longest series, as a ratio to a straight-line fit.

Writes ``bench/RESULTS.md`` (the table with ratios to the floor) and ``bench/results/<timestamp>.json`` (raw
numbers, git-ignored), and prints the table. Targets: warm time to chart within 1.10x the floor;
warm rerun under 100 ms; RSS under 300 MB with 20 sessions.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.testing import (
    DESKTOP,
    FIRST_CHART_JS,
    FOOTER_DRAWN_JS,
    PHONE,
    AppServer,
    chromium_skip_reason,
    dashboard_pages,
    launch_chromium,
    websocket_session,
)
from bench.fits import measure_fits

ROOT = Path(__file__).resolve().parent.parent
FAULTS_SECTION = "## Load and fault benchmark"  # bench/faults.py's part of RESULTS.md
WARM_VISITS = 5
PHONE_VISITS = 3  # warm visits on the slowed phone profile (each takes several times a desktop visit)
RERUNS = 20
SESSIONS = 20
TARGET_TTC_RATIO = 1.10
TARGET_RERUN_MS = 100.0
TARGET_RSS_MB = 300.0
PHONE_CPU_SLOWDOWN = 4  # a mid-range phone against this desktop CPU, as Chrome DevTools' "4x slowdown" preset
VSRR_TARGET_BYTES = 14_500_000  # the real xkb8-kh2a CSV export is about 14.5 MB (shared data README)


@dataclass
class Row:
    """One page of one app."""

    app: str
    page: str  # URL path ("" = default page)
    script: str  # the file AppTest runs
    timed_to: str = "chart"  # "chart", or "footer" for pages that draw none
    first_ms: float | None = None
    warm_ms: float | None = None
    phone_warm_ms: float | None = None
    rerun_ms: float | None = None


# --- the synthetic VSRR-sized CSV -------------------------------------------------------------------------

JURISDICTIONS = ["US", "YC", *[f"S{i:02d}" for i in range(1, 52)]]  # 53 like VSRR (states, DC, NYC, US)
INDICATORS = [
    "Number of Deaths",
    "Number of Drug Overdose Deaths",
    "Percent with drugs specified",
    "Opioids (T40.0-T40.4,T40.6)",
    "Heroin (T40.1)",
    "Natural & semi-synthetic opioids (T40.2)",
    "Methadone (T40.3)",
    "Synthetic opioids, excl. methadone (T40.4)",
    "Cocaine (T40.5)",
    "Psychostimulants with abuse potential (T43.6)",
    "Natural & semi-synthetic opioids, incl. methadone",
    "Natural, semi-synthetic, & synthetic opioids, incl. methadone",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
FOOTNOTE = "SYNTHETIC benchmark row, not CDC data. Numbers may differ from published reports using final data."


def write_synthetic_vsrr(path: Path, target_bytes: int = VSRR_TARGET_BYTES) -> int:
    """Write a synthetic CSV with VSRR's columns and about ``target_bytes``; return its size. Seeded."""
    rng = random.Random(8)
    header = [
        "State",
        "Year",
        "Month",
        "Period",
        "Indicator",
        "Data Value",
        "Percent Complete",
        "Percent Pending Investigation",
        "State Name",
        "Footnote",
        "Footnote Symbol",
        "Predicted Value",
    ]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        year = 2015
        while handle.tell() < target_bytes:
            for state in JURISDICTIONS:
                for month in MONTHS:
                    for indicator in INDICATORS:
                        value = rng.randint(10, 100_000)
                        writer.writerow(
                            [
                                state,
                                year,
                                month,
                                "12 month-ending",
                                indicator,
                                value,
                                100,
                                0.1,
                                f"Synthetic {state}",
                                FOOTNOTE,
                                "**",
                                value + rng.randint(0, 50),
                            ]
                        )
            year += 1
    return path.stat().st_size


# --- measurements ------------------------------------------------------------------------------------------


def browser_times(server: AppServer, rows: list[Row]) -> None:
    """First and warm time to first chart (or footer) per page, in ms since navigation start; then warm times
    as a phone (390x844, CPU slowed ``PHONE_CPU_SLOWDOWN`` times)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=DESKTOP)
        for row in rows:
            times = [_visit(context, f"{server.url}/{row.page}", row) for _ in range(1 + WARM_VISITS)]
            row.first_ms, row.warm_ms = times[0], statistics.median(times[1:])
        context.close()
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
        # The phone target is the chart pages against the floor; a slowed visit takes several times a desktop
        # one, so the naive peer and the pages without a chart are not timed this way.
        for row in [r for r in rows if r.app != "naive peer" and r.timed_to == "chart"]:
            _visit(phone, f"{server.url}/{row.page}", row, slowdown=PHONE_CPU_SLOWDOWN)  # this profile's cache
            times = [
                _visit(phone, f"{server.url}/{row.page}", row, slowdown=PHONE_CPU_SLOWDOWN) for _ in range(WARM_VISITS)
            ]
            row.phone_warm_ms = statistics.median(times)
        phone.close()
        browser.close()


def _visit(context: Any, url: str, row: Row, *, slowdown: int = 1) -> float:
    """One visit in a new tab: ms from navigation start to the first chart (or the footer)."""
    page = context.new_page()
    if slowdown > 1:
        # Set before navigating, so the page's whole load runs on the slowed CPU.
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    probe = FIRST_CHART_JS if row.timed_to == "chart" else FOOTER_DRAWN_JS
    page.goto(url, wait_until="commit")
    elapsed = float(page.wait_for_function(probe, timeout=180_000, polling="raf").json_value())
    page.close()
    return elapsed


def rerun_times(rows: list[Row], env: dict[str, str]) -> None:
    """Median server-side rerun time per page script under AppTest (after one warm-up run)."""
    from streamlit.testing.v1 import AppTest

    os.environ.update(env)
    os.chdir(ROOT)
    for row in rows:
        app = AppTest.from_file(str(ROOT / row.script), default_timeout=120)
        app.run()
        if app.exception:
            raise RuntimeError(f"{row.script} raised: {[e.value for e in app.exception]}")
        times = []
        for _ in range(RERUNS):
            start = time.perf_counter()
            app.run()
            times.append((time.perf_counter() - start) * 1000)
        row.rerun_ms = statistics.median(times)


def peak_rss(script: str, pages: list[str], env: dict[str, str]) -> tuple[float, list[str]]:
    """Peak RSS (MB) of a fresh server after SESSIONS concurrent sessions each visited every page; and errors."""
    with AppServer(script=script, env=env) as server:
        results = asyncio.run(_crowd(server.url, pages))
        errors = [f"{r.page}: {e}" for session in results for r in session for e in r.exceptions]
        return server.peak_rss_mb(), errors


async def _crowd(url: str, pages: list[str]) -> list[list]:
    """SESSIONS sessions at once; each visits every page and stays connected until all of them have."""
    gate = _Gate(SESSIONS)
    tasks = [asyncio.create_task(websocket_session(url, pages, hold=gate, timeout=180)) for _ in range(SESSIONS)]
    # Sessions hold until all have arrived; a session that fails ends early and must not leave the rest waiting.
    arrived = asyncio.create_task(gate.all_arrived.wait())
    await asyncio.wait([arrived, *tasks], return_when=asyncio.FIRST_COMPLETED)
    gate.release.set()
    arrived.cancel()
    return await asyncio.gather(*tasks)


class _Gate:
    """Passed as a session's ``hold``: counts sessions that finished their pages; all wait for ``release``."""

    def __init__(self, expected: int) -> None:
        self.expected, self.arrived = expected, 0
        self.all_arrived, self.release = asyncio.Event(), asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        if self.arrived == self.expected:
            self.all_arrived.set()
        await self.release.wait()


# --- report ------------------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(value: float | None, base: float | None) -> str:
    return "-" if value is None or not base else f"{value / base:.2f}x"


def report(
    rows: list[Row], rss: dict[str, tuple[float, list[str]]], meta: dict, fits: list[dict[str, Any]] | None = None
) -> str:
    """The markdown table of results with ratios to the floor and the targets met or missed."""
    floor = next(r for r in rows if r.app == "floor")
    lines = [
        "# Benchmark results",
        "",
        f"One run of `make bench` on {meta['when']}: {meta['machine']}. Chromium {meta['chromium']}, "
        f"Streamlit {meta['streamlit']}, Python {meta['python']}.",
        "",
        "Ratios are to the **floor** (a bare Streamlit page with one plotly chart and one selectbox). The "
        f"**naive peer** re-reads a **synthetic** VSRR-sized CSV ({meta['vsrr_mb']:.1f} MB, generated at bench "
        "time, not CDC data) with `pd.read_csv` on every rerun.",
        "",
        f"Targets: warm time to chart <= {TARGET_TTC_RATIO:.2f}x floor; warm rerun < {TARGET_RERUN_MS:.0f} ms; "
        f"peak RSS < {TARGET_RSS_MB:.0f} MB with {SESSIONS} sessions.",
        "",
        f"| App | Page | First visit (ms) | Warm, median of {WARM_VISITS} (ms) | Warm vs floor | Phone, warm (ms) | "
        f"Phone vs floor | Rerun, median of {RERUNS} (ms) | Rerun vs floor | Targets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        misses = []
        if r.app == "dashboard":
            if r.warm_ms and floor.warm_ms and r.warm_ms > TARGET_TTC_RATIO * floor.warm_ms:
                misses.append("time to chart")
            if r.phone_warm_ms and floor.phone_warm_ms and r.phone_warm_ms > TARGET_TTC_RATIO * floor.phone_warm_ms:
                misses.append("time to chart on a phone")
            if r.rerun_ms is not None and r.rerun_ms >= TARGET_RERUN_MS:
                misses.append("rerun")
        verdict = "-" if r.app != "dashboard" else ("met" if not misses else "MISSED: " + ", ".join(misses))
        page = (r.page or "/ (overview)" if r.app == "dashboard" else "/") + (
            " (no chart: timed to footer)" if r.timed_to == "footer" else ""
        )
        lines.append(
            f"| {r.app} | {page} | {fmt(r.first_ms)} | {fmt(r.warm_ms)} | {ratio(r.warm_ms, floor.warm_ms)} | "
            f"{fmt(r.phone_warm_ms)} | {ratio(r.phone_warm_ms, floor.phone_warm_ms)} | "
            f"{fmt(r.rerun_ms, 1)} | {ratio(r.rerun_ms, floor.rerun_ms)} | {verdict} |"
        )
    lines += [
        "",
        f"| App | Peak RSS with {SESSIONS} sessions (MB) | vs floor | Target | Errors in sessions |",
        "|---|---:|---:|---|---|",
    ]
    for app, (mb, errors) in rss.items():
        target = "-" if app != "dashboard" else ("met" if mb < TARGET_RSS_MB else "MISSED")
        lines.append(f"| {app} | {mb:,.0f} | {ratio(mb, rss['floor'][0])} | {target} | {len(errors)} |")
    if fits:
        lines += [
            "",
            "| Trend fit (joinpoint) | Years | Method | Joinpoints | Fit (ms) | vs straight line | Whole trend() "
            "call a page makes (ms) |",
            "|---|---|---|---|---:|---:|---:|",
        ]
        lines += [
            f"| {f['series']} | {f['years']} | {f['method']} | {f['joinpoints']} | {f['fit_ms']:.1f} | "
            f"{f['fit_ratio']:.0f}x | {f['trend_ms']:.1f} |"
            for f in fits
        ]
    lines += [
        "",
        "How: first visit = the first load of that page after the server started (so the overview's includes "
        "the server's first imports); warm = a new tab in the same browser profile, server caches filled. Time "
        "is `performance.now()` when the first plotly SVG appears, i.e. from navigation start. Phone = median of "
        f"{PHONE_VISITS} warm visits "
        f"at 390x844 (mobile, touch) with Chromium's CPU slowed {PHONE_CPU_SLOWDOWN}x, after one visit to fill that "
        "profile's cache; the floor is measured the same way. Rerun = "
        "`AppTest.run()` of the page script in one process (the page alone, without the navigation frame). "
        f"RSS = VmHWM of a fresh server after {SESSIONS} concurrent websocket sessions each visited every page. "
        "Trend fit = median of 21 fits after a warm-up, against `numpy.polyfit` of a straight line to the same "
        "logarithms (bench/fits.py); a fit runs once per choice, then the view is cached.",
        "",
        "What misses, by how much and why, and what was changed to meet the rest: `bench/NOTES.md` (written by "
        "hand; this file is rewritten by every run).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    reason = chromium_skip_reason()
    if reason:
        print(f"bench: cannot run: {reason}", file=sys.stderr)
        return 2
    import streamlit

    pages = dashboard_pages()
    no_chart = {"classroom", "data", "about"}  # as in tests/test_browser.py EXPECT
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        vsrr = Path(tmp) / "synthetic_vsrr_not_cdc_data.csv"
        size = write_synthetic_vsrr(vsrr)
        env = {"BENCH_VSRR_CSV": str(vsrr)}
        rows = [Row("floor", "", "bench/floor_app.py"), Row("naive peer", "", "bench/naive_app.py")]
        rows += [Row("dashboard", p.url_path, p.file, "footer" if p.stem in no_chart else "chart") for p in pages]

        for app, script in (
            ("floor", "bench/floor_app.py"),
            ("naive peer", "bench/naive_app.py"),
            ("dashboard", "dashboard.py"),
        ):
            with AppServer(script=script, env=env) as server:
                print(f"bench: {app}: browser visits on {server.url}", file=sys.stderr)
                browser_times(server, [r for r in rows if r.app == app])
        print("bench: reruns (AppTest)", file=sys.stderr)
        rerun_times(rows, env)
        rss = {}
        apps = [
            ("floor", "bench/floor_app.py", [""]),
            ("naive peer", "bench/naive_app.py", [""]),
            ("dashboard", "dashboard.py", [p.url_path for p in pages]),
        ]
        for app, script, app_pages in apps:
            print(f"bench: {app}: {SESSIONS} sessions", file=sys.stderr)
            rss[app] = peak_rss(script, app_pages, env)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        chromium_version = browser.version
        browser.close()
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "chromium": chromium_version,
        "streamlit": streamlit.__version__,
        "python": platform.python_version(),
        "vsrr_mb": size / 1e6,
    }
    print("bench: trend fits", file=sys.stderr)
    fits = measure_fits()
    text = report(rows, rss, meta, fits)
    results = ROOT / "bench" / "RESULTS.md"
    # The load and fault benchmark (bench/faults.py) keeps its own section below this table: carry it over.
    kept = results.read_text().partition(FAULTS_SECTION) if results.exists() else ("", "", "")
    results.write_text(text + (f"\n{kept[1]}{kept[2]}" if kept[1] else ""))
    raw_dir = ROOT / "bench" / "results"
    raw_dir.mkdir(exist_ok=True)
    (raw_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(
        json.dumps({"meta": meta, "rows": [asdict(r) for r in rows], "rss": rss, "fits": fits}, indent=2)
    )
    print(text)
    errors = [e for _, errs in rss.values() for e in errs]
    if errors:
        print(f"bench: {len(errors)} exceptions in sessions: {errors[:5]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
