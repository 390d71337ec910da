"""Shared machinery for the real-browser tests, the load test and the benchmark.

* :class:`AppServer` starts ``streamlit run`` on a free 127.0.0.1 port in its own process group, waits for
  ``/_stcore/health`` and kills the whole group at the end (never a broad ``pkill``).
* :func:`launch_chromium` drives Debian's Chromium (``/usr/bin/chromium``) through Playwright's Python API;
  no browser is ever downloaded (``playwright install`` is never run).
* :class:`OutsideRequestGuard` lets a browser context reach 127.0.0.1/localhost only and records every other
  request, so a page that loads anything from outside (fonts, icons, map outlines, usage statistics) fails.
* :func:`websocket_session` opens one Streamlit session over ``/_stcore/stream`` without a browser, the way
  the frontend does, and reports which elements the script sent and any exception box.
* Page discovery reads ``SECTIONS`` from ``dashboard.py`` (without running it), so pages that land later are
  covered as soon as their files exist; the browser test cross-checks it against the navigation bar.

It lives in the package (not under tests/) so the tests and ``bench/run.py`` import it without path tricks;
the pytest fixtures built on it are in ``tests/browser/conftest.py``.
"""

from __future__ import annotations

import ast
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
#: The streamlit beside the Python running the tests (the project's .venv, or another checkout's when a second
#: working tree borrows it), so the server runs this checkout's code with the same packages; else the .venv's.
STREAMLIT = next(
    (p for p in (Path(sys.executable).with_name("streamlit"), ROOT / ".venv" / "bin" / "streamlit") if p.exists()),
    ROOT / ".venv" / "bin" / "streamlit",
)
ARTIFACTS = ROOT / "test-artifacts"

#: Debian's Chromium; CHROMIUM_PATH overrides it (e.g. a distribution that names it chromium-browser).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a quiet, offline, container-friendly headless Chromium: no sandbox (containers run as root), no
# GPU, and none of Chrome's own background calls home (component updates, sync, QUIC probing).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def chromium_skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM}: `make browser` installs Debian's chromium (needs root and apt)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (requirements-dev.txt)"
    return None


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now (the OS picks it; never the lead's 8501)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    """One ``streamlit run <script>`` process group on 127.0.0.1, started and stopped by us."""

    script: str = "dashboard.py"
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    startup_timeout: float = 90.0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        """Start the server and wait until its health endpoint answers; raise with the log tail if it dies."""
        self.log_path = Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
        command = [
            str(STREAMLIT),
            "run",
            self.script,
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",  # nothing edits the files under test; saves a watcher thread
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.env},
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"streamlit did not answer on {self.url} within {self.startup_timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminate the process group we started (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) of the server process, in MB (Linux /proc)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("VmHWM not found in /proc status")

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self.log_path is not None and not any(exc):
            self.log_path.unlink(missing_ok=True)  # kept only when something went wrong, for its tail


# --- pages ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    """One navigation entry of dashboard.py whose file exists."""

    file: str  # "pages/states.py"
    title: str  # "States"

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    @property
    def url_path(self) -> str:
        """Streamlit's URL path: the file name without .py; the default page (overview) is served at "/"."""
        return "" if self.stem == "overview" else self.stem


def dashboard_pages() -> list[PageInfo]:
    """The pages dashboard.SECTIONS lists and that exist, in navigation order (parsed, not executed)."""
    tree = ast.parse((ROOT / "dashboard.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SECTIONS" for t in node.targets):
            sections = ast.literal_eval(node.value)
            return [
                PageInfo(path, title)
                for entries in sections.values()
                for path, title, _icon in entries
                if (ROOT / path).exists()
            ]
    raise RuntimeError("dashboard.py has no SECTIONS assignment")


# --- browser --------------------------------------------------------------------------------------------


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's Chromium headless with a throw-away profile (Playwright's plain launch())."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class OutsideRequestGuard:
    """Route handler for a browser context: 127.0.0.1/localhost pass, everything else is aborted and recorded."""

    def __init__(self) -> None:
        self.blocked: list[str] = []

    def install(self, context: Any) -> OutsideRequestGuard:
        context.route("**/*", self._handle)
        return self

    def _handle(self, route: Any) -> None:
        url = route.request.url
        scheme, netloc = urlsplit(url)[:2]
        host = netloc.rsplit(":", 1)[0] if not netloc.startswith("[") else netloc.split("]")[0] + "]"
        if scheme in ("data", "blob") or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


#: Set in the page once Streamlit's footer (added by dashboard.py after the page script) is on screen.
FOOTER_TEXT = "sends no usage statistics"


def wait_for_page(page: Any, *, timeout_ms: int = 45_000) -> None:
    """Wait until the whole script has run: the frame's footer is drawn and the 'running' indicator is gone."""
    page.locator('[data-testid="stMain"]').get_by_text(FOOTER_TEXT).wait_for(timeout=timeout_ms)
    wait_for_idle(page, timeout_ms=timeout_ms)


#: JS: true when no rerun is running and no element on the page is left over from the previous run (stale).
IDLE_JS = (
    "!document.querySelector('[data-testid=\"stStatusWidget\"]') && !document.querySelector('[data-stale=\"true\"]')"
)
#: JS: a promise that resolves after two animation frames (a redraw queued now has then happened).
NEXT_FRAMES_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


def wait_for_idle(page: Any, *, timeout_ms: int = 45_000) -> None:
    """Wait until Streamlit shows no 'running' status widget (a rerun after a widget change has finished)."""
    page.wait_for_function(f"() => {IDLE_JS}", timeout=timeout_ms, polling=100)
    # Plotly redraws a chart on the animation frame after the delta arrives: wait for two frames to pass.
    page.evaluate(NEXT_FRAMES_JS)


def wait_for_figures(page: Any, count: int, *, timeout_ms: int = 30_000) -> None:
    """Wait until ``count`` plotly charts are drawn and the app is idle: a page streams its charts in one by one,
    so comparing views after the first chart alone races the rest (seen in CI on the risk page)."""
    page.wait_for_function(
        # Count charts, not SVGs: plotly draws several .main-svg layers inside one chart.
        "n => [...document.querySelectorAll('.js-plotly-plot')].filter(d => d.querySelector('.main-svg')).length >= n",
        arg=count,
        timeout=timeout_ms,
        polling=100,
    )
    wait_for_idle(page, timeout_ms=timeout_ms)


#: JS: a summary of every drawn plotly figure (one still being set up is left out), to compare two views of a
#: page (a permalink and its origin).
FIGURES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(div => div.querySelector('.main-svg'))
  .map(div => ({
    title: (div.layout && div.layout.title && (div.layout.title.text || div.layout.title)) || '',
    yaxis: (div.layout && div.layout.yaxis && div.layout.yaxis.type) || '',
    traces: (div._fullData || []).map(t => [t.name || '', Math.max((t.x || []).length, (t.y || []).length)]),
}))"""


def wait_for_charts(page: Any, check: str, *, timeout_ms: int = 30_000) -> list[dict]:
    """Wait until the app is idle and the drawn charts pass ``check`` (a JS function of :data:`FIGURES_JS`'s
    summaries), and return those summaries.

    Waiting for the new state itself, not for "some chart": after a widget change the previous run's chart can
    still be on the page, and counting it compares the wrong view.
    """
    page.wait_for_function(f"() => ({IDLE_JS}) && ({check})(({FIGURES_JS})())", timeout=timeout_ms, polling=100)
    page.evaluate(NEXT_FRAMES_JS)
    return page.evaluate(FIGURES_JS)


#: JS: true when every displayed plotly chart is drawn, visible, at the size of its box. In the app each of
#: Streamlit's chart elements must hold its drawn chart (Streamlit mounts the element, then draws the chart hidden
#: until it knows its width); in the lesson pack every displayed chart counts. Measuring before that measures a
#: chart about to be redrawn, or misses it.
CHARTS_SIZED_JS = """() => {
  const shown = e => e.getBoundingClientRect().width > 0;
  const elements = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(shown);
  const charts = elements.length ? elements.map(e => e.querySelector('.js-plotly-plot'))
    : [...document.querySelectorAll('.js-plotly-plot')].filter(shown);
  return charts.every(div => div && div.querySelector('.main-svg') && div._fullLayout
    && getComputedStyle(div).visibility !== 'hidden'
    && Math.abs(div._fullLayout.width - div.clientWidth) <= 1
    && Math.abs(div._fullLayout.height - div.clientHeight) <= 1);
}"""


#: JS: true while Streamlit still shows a grey placeholder for an element whose code is loading (charts, tables);
#: the page is drawn and idle by then, but the element is not there yet.
LOADING_JS = "!!document.querySelector('[data-testid=\"stSkeleton\"]')"


def wait_for_sized_charts(page: Any, count: int = 1, *, timeout_ms: int = 30_000) -> None:
    """Wait until the app is idle, no element is still loading, and at least ``count`` charts are displayed,
    each drawn at its box's size."""
    page.wait_for_function(
        f"""() => ({IDLE_JS}) && !({LOADING_JS})
          && [...document.querySelectorAll('.js-plotly-plot .main-svg')].length >= {count}
          && ({CHARTS_SIZED_JS})()""",
        timeout=timeout_ms,
        polling=100,
    )
    page.evaluate(NEXT_FRAMES_JS)


#: JS: the geometry of every displayed plotly chart, measured in the page (bounding boxes of the SVG text plotly
#: drew), with the problems found: {title, top, bottom, left, right, plotWidth, problems: [...]}. Problems: a plot
#: narrower than ``minPlot`` px; text under ``minFont`` px; text running past the chart's edges (cut off); two
#: pieces of text on top of each other (tick labels piled up, an axis title run into the title, a label on a
#: label); the mode bar over the title; the legend over any other text. ``arg`` = {minPlot, minFont}.
CHART_GEOMETRY_JS = """({minPlot, minFont}) => {
  const box = e => e.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const drawn = e => {
    const r = box(e), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && e.textContent.trim() !== '';
  };
  const name = e => JSON.stringify(e.textContent.trim().slice(0, 40));
  const all = (div, selector) => [...div.querySelectorAll(selector)]
    .filter(e => !e.closest('.hoverlayer')).filter(drawn);
  return [...document.querySelectorAll('.js-plotly-plot')]
    .filter(div => div.querySelector('.main-svg') && box(div).width > 0)
    .map(div => {
      const chart = box(div), problems = [], say = text => problems.push(text);
      const plotWidth = div._fullLayout._size.w;
      if (plotWidth < minPlot) say(`plot area ${Math.round(plotWidth)} px wide (< ${minPlot})`);
      for (const e of all(div, 'text, tspan')) {
        const size = parseFloat(getComputedStyle(e).fontSize);
        if (size < minFont) say(`text ${size.toFixed(1)} px (< ${minFont}): ${name(e)}`);
      }
      const texts = all(div, 'text');
      for (const e of texts) {
        const r = box(e);
        const out = r.left < chart.left - 1 || r.right > chart.right + 1
          || r.top < chart.top - 1 || r.bottom > chart.bottom + 1;
        if (out) say(`text cut at the chart's edge: ${name(e)}`);
      }
      const kind = e => e.matches('.xtick text, .ytick text') ? 'tick label'
        : e.matches('.gtitle, .gtitle-subtitle') ? 'title' : e.matches('text[class$="title"]') ? 'axis title' : 'text';
      texts.forEach((a, i) => texts.slice(i + 1).forEach(b => {
        if (meet(box(a), box(b))) say(`${kind(a)} ${name(a)} and ${kind(b)} ${name(b)} overlap`);
      }));
      const modebar = div.querySelector('.modebar');
      for (const t of texts.filter(e => kind(e) === 'title')) {
        if (modebar && meet(box(modebar), box(t))) say(`the mode bar covers the title ${name(t)}`);
      }
      const legend = div.querySelector('.legend');
      if (legend && box(legend).height > 0) {
        for (const t of texts.filter(e => !legend.contains(e))) {
          if (meet(box(legend), box(t))) say(`the legend covers ${kind(t)} ${name(t)}`);
        }
      }
      const rawTitle = (div.layout && div.layout.title && (div.layout.title.text || div.layout.title)) || '';
      return {title: String(rawTitle).replace(/<[^>]+>/g, ' ').slice(0, 60), top: chart.top, bottom: chart.bottom,
              left: chart.left, right: chart.right, plotWidth, problems};
    });
}"""

#: JS: ms since navigation start when a plotly chart has its SVG drawn, else null (for wait_for_function).
FIRST_CHART_JS = "() => document.querySelector('.js-plotly-plot .main-svg') ? performance.now() : null"

#: JS: ms since navigation start when the frame's footer is drawn (pages with no chart), else null.
FOOTER_DRAWN_JS = (
    '() => [...document.querySelectorAll(\'[data-testid="stMain"] [data-testid="stCaptionContainer"]\')]'
    f".some(e => e.innerText.includes('{FOOTER_TEXT}')) ? performance.now() : null"
)


# --- websocket sessions (no browser) --------------------------------------------------------------------


@dataclass
class SessionResult:
    """What one Streamlit session received for one page run."""

    page: str
    elements: dict[str, int]
    exceptions: list[str]
    seconds: float
    page_not_found: bool


async def websocket_session(
    base_url: str, pages: str | Sequence[str], *, timeout: float = 60.0, hold: Any = None
) -> list[SessionResult]:
    """Open one session on ``/_stcore/stream`` and visit ``pages`` in turn ("" = default page), as the frontend
    does when a reader follows the navigation.

    Returns, per page, the element types the script sent and the text of every exception box. With ``hold``,
    the session stays connected until ``await hold.wait()`` returns (an asyncio.Event or alike), to measure a
    server holding many sessions at once.
    """
    import websockets
    from websockets.typing import Origin, Subprotocol

    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    results = []
    async with websockets.connect(
        ws_url,
        origin=Origin(base_url),
        subprotocols=[Subprotocol("streamlit")],
        max_size=None,
        open_timeout=timeout,
    ) as ws:
        for page_name in [pages] if isinstance(pages, str) else pages:
            async with asyncio.timeout(timeout):
                results.append(await _run_page(ws, page_name))
        if hold is not None:
            await hold.wait()
    return results


async def _run_page(ws: Any, page_name: str) -> SessionResult:
    """Ask the server to run one page in this session and read its messages until the script finishes."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start = time.monotonic()
    elements: dict[str, int] = {}
    exceptions: list[str] = []
    not_found = False
    message = BackMsg()
    message.rerun_script.query_string = ""
    message.rerun_script.page_name = page_name
    await ws.send(message.SerializeToString())
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(await ws.recv())
        kind = forward.WhichOneof("type")
        if kind == "page_not_found":
            not_found = True
        elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element.WhichOneof("type") or "empty"
            elements[element] = elements.get(element, 0) + 1
            if element == "exception":
                exc = forward.delta.new_element.exception
                exceptions.append(f"{exc.type}: {exc.message}")
        elif kind == "script_finished":
            if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                # The script asked for a rerun (the frame does on a reader's first visit): the page the reader
                # sees is the next run's, so what this run sent is dropped and reading goes on.
                elements, exceptions = {}, []
                continue
            return SessionResult(page_name, elements, exceptions, time.monotonic() - start, not_found)


def artifact_path(name: str) -> Path:
    """test-artifacts/screenshots/<name>.png (git-ignored), creating the folder."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


if __name__ == "__main__":  # pragma: no cover - a manual smoke run: python -m app.testing
    with AppServer() as server:
        print(server.url, [p.url_path for p in dashboard_pages()], file=sys.stderr)
        for info in dashboard_pages():
            print(asyncio.run(websocket_session(server.url, info.url_path)))


# --- a server that drips ---------------------------------------------------------------------------------------
class DripServer:
    """Answers every connection on 127.0.0.1 by sending ``head`` at once, then ``drip`` one byte every
    ``interval`` seconds, for at most ``lasts`` seconds (None: until closed); each connection in its own thread.

    Stands in for a data server so slow that no single read times out (the refresh tests and the fault
    benchmark)."""

    def __init__(self, head: bytes, drip: bytes, *, interval: float = 0.2, lasts: float | None = 8.0) -> None:
        self.head, self.drip, self.interval, self.lasts = head, drip, interval, lasts
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        end = time.monotonic() + (self.lasts if self.lasts is not None else float("inf"))
        try:
            conn.recv(65536)
            conn.sendall(self.head)
            for byte in self.drip:
                if time.monotonic() > end or self.stopped.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.interval)
        except OSError:
            pass  # the client hung up: that is what a deadline does
        finally:
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
