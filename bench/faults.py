"""Load and fault benchmark (``make bench-faults``): many readers, large uploads and a slow server.

Not a timed test: it measures this machine on this run and writes the figures to ``bench/RESULTS.md`` (the
section below the speed benchmark's table, replaced on each run) and ``bench/results/faults-<stamp>.json``.

1. **Crowd**: ``SESSIONS`` websocket sessions at once against a fresh ``streamlit run dashboard.py``; each
   visits every page (starting at a different one, so all pages run at once) and stays connected until all
   are done. Recorded: exception boxes (errors), sessions that failed or timed out, page-run times, and the
   server's peak resident memory (VmHWM from /proc).
2. **Uploads**: on a fresh server, a session opens the Data page, then uploads through Streamlit's own
   protocol (``file_urls_request``, an HTTP PUT to the upload URL, a rerun carrying the file uploader's
   state), as the browser does: a SYNTHETIC 19 MB WONDER export, then the largest export the row budget
   accepts (``wonder.MAX_ROWS`` rows, four measures a row). For each: the server's resident memory before,
   its peak during (VmHWM, reset through ``/proc/PID/clear_refs`` before each step) and after, and what the page
   said. Then the session closes and the server's memory is read again once Streamlit has dropped the session
   (``server.disconnectedSessionTTL``, 120 s by default, plus a margin). Last, three sessions upload the largest
   accepted export at once.
3. **Slow server**: a refresh of one source against a local server that sends its body one byte every 2 s
   (which never trips the 60 s per-read timeout) ends at the request deadline with a named reason; and one
   against a server that ignores ``$offset`` ends at its second page.
4. **Clearing caches**: one reader reruns a page quietly, then while another session sends Streamlit's
   "clear cache" message twice a second; the reader's median page time and the server's peak memory for both.

Every file uploaded is synthetic (``bench/synthetic_wonder.py``) and says so in its Dataset line.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.testing import AppServer, DripServer, dashboard_pages
from bench import synthetic_wonder
from data_sources import refresh, socrata, wonder

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
#: Where this benchmark's section of RESULTS.md starts; everything from here on is replaced on each run.
SECTION = "## Load and fault benchmark"
SESSIONS = 50
PAGE_TIMEOUT = 600.0  # seconds a page run may take with 50 sessions on 2 cores before it counts as failed
UPLOAD_BYTES = 19_000_000
DRIP_INTERVAL = 2.0  # seconds between bytes, as in the report that found refreshes running for 420 s
DRIP_DEADLINE = 30.0  # the request deadline the drip refresh runs with (the default is 180 s)
STANDARD_TTL = 120  # Streamlit's server.disconnectedSessionTTL default, seconds
CLEAR_INTERVAL = 0.5  # seconds between a visitor's "clear cache" messages (twice a second, as in the report)


# --- /proc ------------------------------------------------------------------------------------------------------
def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of ``pid`` in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0]) / 1024
    return out


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current resident size (Linux: write 5 to clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


# --- one Streamlit session, as the browser drives it ------------------------------------------------------------
@dataclass
class PageRun:
    """What one page run sent back."""

    page: str
    seconds: float
    exceptions: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    uploader_id: str = ""


class Session:
    """A websocket session on ``/_stcore/stream`` that can run pages and upload a file."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.ws: Any = None
        self.session_id = ""
        self.xsrf = ""

    async def __aenter__(self) -> Session:
        import websockets
        from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
        from websockets.typing import Origin, Subprotocol

        self.xsrf = generate_xsrf_token_string(None, None)
        self.ws = await websockets.connect(
            self.base_url.replace("http://", "ws://") + "/_stcore/stream",
            origin=Origin(self.base_url),
            subprotocols=[Subprotocol("streamlit")],
            max_size=None,
            open_timeout=PAGE_TIMEOUT,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def run(self, page: str, widgets: list[Any] | None = None) -> PageRun:
        """Run ``page`` (with ``widgets`` states) and read until the script finishes."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.page_name = page
        message.rerun_script.query_string = ""
        for state in widgets or []:
            message.rerun_script.widget_states.widgets.append(state)
        start = time.monotonic()
        await self.ws.send(message.SerializeToString())
        result = PageRun(page, 0.0)
        async with asyncio.timeout(PAGE_TIMEOUT):
            while True:
                forward = await self._receive()
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    element = forward.delta.new_element
                    what = element.WhichOneof("type")
                    if what == "exception":
                        result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
                    elif what == "alert":
                        result.alerts.append(element.alert.body[:240])
                    elif what == "file_uploader":
                        result.uploader_id = element.file_uploader.id
                elif kind == "script_finished":
                    if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        # The script asked for a rerun (the frame does on a first visit): the page the reader
                        # sees is the next run's, so what this run sent is dropped.
                        result = PageRun(page, 0.0, uploader_id=result.uploader_id)
                        continue
                    result.seconds = time.monotonic() - start
                    return result

    async def clear_cache(self) -> None:
        """Send Streamlit's "clear cache" message (the developer menu's item; any session may send it)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        message.clear_cache = True
        await self.ws.send(message.SerializeToString())

    async def _receive(self) -> Any:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        forward = ForwardMsg()
        forward.ParseFromString(await self.ws.recv())
        if forward.WhichOneof("type") == "new_session":
            self.session_id = forward.new_session.initialize.session_id
        return forward

    async def upload(self, uploader_id: str, name: str, data: bytes) -> PageRun:
        """Upload ``data`` as ``name`` to the file uploader ``uploader_id`` and rerun the Data page with it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.session_id = self.session_id
        request.file_urls_request.file_names.append(name)
        await self.ws.send(request.SerializeToString())
        while True:
            forward = await self._receive()
            if forward.WhichOneof("type") == "file_urls_response":
                urls = forward.file_urls_response.file_urls[0]
                break
        await asyncio.to_thread(self._put, urls.upload_url, name, data)
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls)
        state = WidgetState(id=uploader_id, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))
        return await self.run("data", [state])

    def _put(self, upload_url: str, name: str, data: bytes) -> None:
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode(),
                b"Content-Type: text/plain\r\n\r\n",
                data,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        url = upload_url if upload_url.startswith("http") else self.base_url + upload_url
        request = urllib.request.Request(url, data=body, method="PUT")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        request.add_header("X-Xsrftoken", self.xsrf)
        request.add_header("Cookie", f"_streamlit_xsrf={self.xsrf}")
        with urllib.request.urlopen(request, timeout=PAGE_TIMEOUT) as response:
            if response.status not in (200, 204):
                raise RuntimeError(f"upload answered HTTP {response.status}")


# --- 1. crowd ---------------------------------------------------------------------------------------------------
async def _crowd(url: str, pages: list[str], sessions: int) -> tuple[list[list[PageRun]], list[str]]:
    """``sessions`` sessions at once, each visiting every page from its own starting page; all stay
    connected until every one has finished or failed. Returns each session's page runs and each failed
    session's error."""
    settled = 0
    everyone = asyncio.Event()

    def settle() -> None:
        nonlocal settled
        settled += 1
        if settled == sessions:
            everyone.set()

    async def one(i: int) -> list[PageRun]:
        order = pages[i % len(pages) :] + pages[: i % len(pages)]
        try:
            async with Session(url) as session:
                runs = [await session.run(page) for page in order]
                settle()
                await everyone.wait()
                return runs
        except BaseException:
            if not everyone.is_set():
                settle()  # a failed session must not leave the others waiting
            raise

    results = await asyncio.gather(*(one(i) for i in range(sessions)), return_exceptions=True)
    runs = [r for r in results if isinstance(r, list)]
    failures = [f"{type(r).__name__}: {r}"[:200] for r in results if isinstance(r, BaseException)]
    return runs, failures


def crowd(sessions: int) -> dict[str, Any]:
    """Measure ``sessions`` concurrent sessions over every page of a fresh server."""
    pages = [p.url_path for p in dashboard_pages()]
    with AppServer() as server:
        assert server.process is not None
        start = time.monotonic()
        runs, failures = asyncio.run(_crowd(server.url, pages, sessions))
        wall = time.monotonic() - start
        peak = memory(server.process.pid)["VmHWM"]
    times = sorted(r.seconds for session in runs for r in session)
    errors = [f"{r.page or 'overview'}: {e}" for session in runs for r in session for e in r.exceptions]
    by_page = {
        page or "overview": statistics.median(r.seconds for s in runs for r in s if r.page == page)
        for page in pages
        if any(r.page == page for s in runs for r in s)
    }
    return {
        "sessions": sessions,
        "pages": len(pages),
        "page_runs": len(times),
        "errors": errors,
        "failed_sessions": failures,
        "wall_seconds": wall,
        "median_page_seconds": statistics.median(times) if times else None,
        "p95_page_seconds": times[int(0.95 * (len(times) - 1))] if times else None,
        "max_page_seconds": times[-1] if times else None,
        "median_seconds_by_page": by_page,
        "peak_rss_mb": peak,
    }


# --- 2. uploads -------------------------------------------------------------------------------------------------
async def _upload_steps(server: AppServer, files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    assert server.process is not None
    pid = server.process.pid
    steps = []
    async with Session(server.url) as session:
        opened = await session.run("data")
        await asyncio.sleep(2)
        steps.append({"step": "Data page open, no upload", **_rss(pid), "seconds": opened.seconds})
        uploader = opened.uploader_id
        for name, data in files:
            before = memory(pid)["VmRSS"]
            reset_peak(pid)
            run = await session.upload(uploader, name, data)
            uploader = run.uploader_id  # the page gives its uploader a new key after each file
            await asyncio.sleep(2)
            after = memory(pid)
            steps.append(
                {
                    "step": f"{name} ({len(data) / 1e6:.1f} MB)",
                    "rss_before_mb": before,
                    "peak_mb": after["VmHWM"],
                    "rss_after_mb": after["VmRSS"],
                    "seconds": run.seconds,
                    "page_said": (run.alerts or ["(no notice)"])[0][:160],
                    "exceptions": run.exceptions,
                }
            )
    return steps


def _rss(pid: int) -> dict[str, float]:
    now = memory(pid)
    return {"rss_before_mb": now["VmRSS"], "peak_mb": now["VmHWM"], "rss_after_mb": now["VmRSS"]}


async def _concurrent_uploads(url: str, name: str, data: bytes, count: int) -> list[PageRun]:
    async def one() -> PageRun:
        async with Session(url) as session:
            opened = await session.run("data")
            return await session.upload(opened.uploader_id, name, data)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def _warm_upload(url: str) -> None:
    async with Session(url) as session:
        opened = await session.run("data")
        await session.upload(
            opened.uploader_id, "synthetic_warm_up.txt", synthetic_wonder.export_text(50, age_adjusted=True).encode()
        )


async def _visit(url: str, page: str) -> None:
    async with Session(url) as session:
        await session.run(page)


def uploads() -> dict[str, Any]:
    """Memory of a fresh server through a 19 MB upload, the largest accepted one, the session's end and three
    uploads at once."""
    large = synthetic_wonder.export_of_size(UPLOAD_BYTES)
    widest = synthetic_wonder.export_text(wonder.MAX_ROWS, age_adjusted=True).encode()
    files = [("synthetic_19mb.txt", large), ("synthetic_at_row_limit.txt", widest)]
    with AppServer() as server:
        assert server.process is not None
        pid = server.process.pid
        fresh = memory(pid)["VmRSS"]
        # The About page is what the next reader opens after the session ends (below): opened once first, its
        # own cached views are in the baseline too, so the comparison is of the upload alone. So is the code a
        # process loads on its first upload (about 9 MB, once): a reader uploads a small file first.
        asyncio.run(_visit(server.url, "about"))
        asyncio.run(_warm_upload(server.url))
        steps = asyncio.run(_upload_steps(server, files))
        closed_at = time.monotonic()
        after_close = memory(pid)["VmRSS"]
        time.sleep(STANDARD_TTL + 15)
        after_ttl = memory(pid)["VmRSS"]
        # Streamlit forgets an expired session only when its session store is next used: a new reader.
        asyncio.run(_visit(server.url, "about"))
        time.sleep(5)
        after_next = memory(pid)["VmRSS"]
        waited = time.monotonic() - closed_at
    with AppServer() as server:
        assert server.process is not None
        pid = server.process.pid
        asyncio.run(_visit(server.url, "data"))  # the Data page's tables loaded, as for any reader
        before = memory(pid)["VmRSS"]
        reset_peak(pid)
        runs = asyncio.run(_concurrent_uploads(server.url, files[1][0], widest, 3))
        three = {
            "rss_before_mb": before,
            "peak_mb": memory(pid)["VmHWM"],
            "seconds": max(r.seconds for r in runs),
            "exceptions": [e for r in runs for e in r.exceptions],
            "page_said": sorted({(r.alerts or ["(no notice)"])[0][:120] for r in runs}),
        }
    return {
        "fresh_server_mb": fresh,
        "steps": steps,
        "rss_right_after_close_mb": after_close,
        "rss_after_ttl_mb": after_ttl,
        "rss_after_next_reader_mb": after_next,
        "seconds_waited_after_close": waited,
        "three_at_once": three,
        "limits": wonder.limits_text(),
    }


# --- 3. slow and looping servers -------------------------------------------------------------------------------
def slow_servers() -> dict[str, Any]:
    """A refresh against a dripping server and against one that ignores $offset, in a throw-away cache."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        os.environ["DATA_CACHE_DIR"] = cache
        drip = DripServer(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[",
            b" " * 100_000,  # far more bytes than the deadline lets through: a body that never ends
            interval=DRIP_INTERVAL,
            lasts=None,
        )
        try:
            out = io.StringIO()
            start = time.monotonic()
            code = refresh.refresh(
                ["vsrr_provisional"], socrata.Settings(base_url=drip.url, request_deadline=DRIP_DEADLINE), out=out
            )
            results["drip"] = {
                "exit": code,
                "seconds": time.monotonic() - start,
                "request_deadline": DRIP_DEADLINE,
                "read_timeout": socrata.Settings().read_timeout,
                "reason": _failure_line(out.getvalue()),
                "cache_files": sorted(p.name for p in Path(cache).rglob("*") if p.is_file()),
            }
        finally:
            drip.close()
        loop = _OffsetIgnoringServer()
        try:
            out = io.StringIO()
            start = time.monotonic()
            code = refresh.refresh(["vsrr_provisional"], socrata.Settings(base_url=loop.url, page_size=1000), out=out)
            results["ignores_offset"] = {
                "exit": code,
                "seconds": time.monotonic() - start,
                "requests": loop.requests,
                "reason": _failure_line(out.getvalue()),
            }
        finally:
            loop.close()
    return results


class _OffsetIgnoringServer:
    """On 127.0.0.1: every request gets the same full page of 1,000 synthetic records."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        page = json.dumps([{"state": "US", "year": "2019", "note": f"SYNTHETIC {i}"} for i in range(1000)]).encode()
        outer = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- 4. a reader clearing the caches ---------------------------------------------------------------------------
async def _reader_runs(session: Session, page: str, count: int) -> list[float]:
    return [(await session.run(page)).seconds for _ in range(count)]


async def _clearing(url: str, page: str, runs: int, pid: int) -> dict[str, Any]:
    """One reader reruns ``page`` ``runs`` times quietly, then again while another session sends "clear cache"
    every ``CLEAR_INTERVAL`` seconds."""
    async with Session(url) as reader, Session(url) as visitor:
        await reader.run(page)  # fills the caches
        await reader.run(page)
        reset_peak(pid)
        quiet = await _reader_runs(reader, page, runs)
        quiet_peak = memory(pid)["VmHWM"]
        reset_peak(pid)
        sent = 0
        stop = asyncio.Event()

        async def keep_clearing() -> None:
            nonlocal sent
            while not stop.is_set():
                await visitor.clear_cache()
                sent += 1
                await asyncio.sleep(CLEAR_INTERVAL)

        clearing = asyncio.create_task(keep_clearing())
        try:
            during = await _reader_runs(reader, page, runs)
        finally:
            stop.set()
            await clearing
        return {
            "page": page,
            "runs": runs,
            "clear_messages": sent,
            "quiet_median_seconds": statistics.median(quiet),
            "clearing_median_seconds": statistics.median(during),
            "quiet_peak_mb": quiet_peak,
            "clearing_peak_mb": memory(pid)["VmHWM"],
        }


def clearing(page: str = "states", runs: int = 20) -> dict[str, Any]:
    """A reader's page time and the server's memory, quiet and while another session keeps clearing caches."""
    with AppServer() as server:
        assert server.process is not None
        return asyncio.run(_clearing(server.url, page, runs, server.process.pid))


def _failure_line(text: str) -> str:
    line = next((x for x in text.splitlines() if "FAILED" in x), text.strip().splitlines()[-1] if text else "")
    return line.replace("vsrr_provisional: FAILED, previous copy kept: ", "")[:300]


# --- report -----------------------------------------------------------------------------------------------------
def report(results: dict[str, Any], meta: dict[str, str]) -> str:
    """This run's section of RESULTS.md."""
    lines = [
        SECTION,
        "",
        f"One run of `make bench-faults` on {meta['when']}: {meta['machine']}, Streamlit {meta['streamlit']}, "
        f"Python {meta['python']}. Not a timed test: figures from this machine on this run (it is shared, so "
        "times vary). Uploaded files are SYNTHETIC (bench/synthetic_wonder.py), never CDC data.",
        "",
    ]
    c = results.get("crowd")
    if c:
        lines += [
            f"### {c['sessions']} sessions at once, every page each",
            "",
            "| Sessions | Page runs | Errors (exception boxes) | Failed sessions | Wall time (s) | Page run median / "
            "p95 / max (s) | Peak RSS (MB) |",
            "|---:|---:|---:|---:|---:|---|---:|",
            f"| {c['sessions']} | {c['page_runs']} | {len(c['errors'])} | {len(c['failed_sessions'])} | "
            f"{c['wall_seconds']:.0f} | {c['median_page_seconds']:.1f} / {c['p95_page_seconds']:.1f} / "
            f"{c['max_page_seconds']:.1f} | {c['peak_rss_mb']:.0f} |",
            "",
            "Median page-run time by page (s): "
            + ", ".join(f"{p} {s:.1f}" for p, s in c["median_seconds_by_page"].items())
            + ".",
            "",
        ]
        for problem in (c["errors"] + c["failed_sessions"])[:5]:
            lines.append(f"- {problem}")
        if c["errors"] or c["failed_sessions"]:
            lines.append("")
    u = results.get("uploads")
    if u:
        lines += [
            f"### Upload memory (server process; limits: {u['limits']})",
            "",
            f"A fresh server: {u['fresh_server_mb']:.0f} MB. One reader opened the About page and another uploaded a "
            "50-row file (so code loaded on a process's first upload is in the baseline); then one session, in "
            "turn:",
            "",
            "| Step | RSS before (MB) | Peak during (MB) | RSS after (MB) | Page run (s) | What the page said |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for s in u["steps"]:
            said = s.get("page_said", "").replace("|", "/").replace("\n", " ")
            lines.append(
                f"| {s['step']} | {s['rss_before_mb']:.0f} | {s['peak_mb']:.0f} | {s['rss_after_mb']:.0f} | "
                f"{s['seconds']:.1f} | {said} |"
            )
        t = u["three_at_once"]
        lines += [
            "",
            f"After the session closed: {u['rss_right_after_close_mb']:.0f} MB at once; "
            f"{u['rss_after_ttl_mb']:.0f} MB once server.disconnectedSessionTTL ({STANDARD_TTL} s) had passed; "
            f"{u['rss_after_next_reader_mb']:.0f} MB after the next reader opened the About page (Streamlit drops "
            "an expired session only when its session store is next used). Baseline to compare: the Data page "
            "open with no upload, first row.",
            "",
            f"Three sessions uploading the largest accepted export at once (fresh server): {t['rss_before_mb']:.0f} "
            f"MB before, {t['peak_mb']:.0f} MB peak, slowest page run {t['seconds']:.1f} s, "
            f"{len(t['exceptions'])} exception boxes.",
            "",
        ]
    s = results.get("slow")
    if s:
        d, o = s["drip"], s["ignores_offset"]
        lines += [
            "### Refresh against misbehaving servers",
            "",
            f"- A server that sends one byte every {DRIP_INTERVAL:g} s (per-read timeout {d['read_timeout']:g} s, "
            f"never tripped): exit {d['exit']} after {d['seconds']:.1f} s (request deadline {d['request_deadline']:g}"
            f" s; default {socrata.REQUEST_DEADLINE:g} s). Reason: {d['reason']}. Cache files left: "
            f"{', '.join(d['cache_files']) or 'none'}.",
            f"- A server that ignores `$offset`: exit {o['exit']} after {o['seconds']:.1f} s and {o['requests']} "
            f"requests. Reason: {o['reason']}",
            "",
        ]
    k = results.get("clearing")
    if k:
        ratio = k["clearing_median_seconds"] / k["quiet_median_seconds"]
        lines += [
            "### A visitor clearing the caches",
            "",
            f"One reader reran the {k['page']} page {k['runs']} times quietly, then {k['runs']} times while another "
            f'session sent Streamlit\'s "clear cache" message every {CLEAR_INTERVAL:g} s ({k["clear_messages"]} '
            "messages). Tables, views and figures are kept where that message does not reach (app/shared.py).",
            "",
            "| | Reader's median page run (s) | Server peak RSS (MB) |",
            "|---|---:|---:|",
            f"| quiet | {k['quiet_median_seconds']:.2f} | {k['quiet_peak_mb']:.0f} |",
            f"| while clearing | {k['clearing_median_seconds']:.2f} ({ratio:.2f}x) | {k['clearing_peak_mb']:.0f} |",
            "",
        ]
    lines += [
        "How: `python -m bench.faults` (`make bench-faults`); raw figures in `bench/results/faults-<stamp>.json`. "
        "RSS is the server process's VmRSS, peaks its VmHWM (reset before each upload step).",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Put this run's section in RESULTS.md in place of the previous one, keeping the speed benchmark's table."""
    existing = RESULTS.read_text() if RESULTS.exists() else ""
    head = existing.split(SECTION, 1)[0].rstrip()
    RESULTS.write_text((head + "\n\n" if head else "") + text)


SCENARIOS = ("slow", "uploads", "clearing", "crowd")


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--sessions", type=int, default=SESSIONS)
    options.add_argument("--only", choices=list(SCENARIOS), action="append")
    args = options.parse_args(argv)
    chosen = args.only or list(SCENARIOS)
    import streamlit

    # A run of some scenarios keeps the others' figures from the latest run, so the section stays whole.
    raw = ROOT / "bench" / "results"
    earlier = sorted(raw.glob("faults-*.json"))
    results: dict[str, Any] = json.loads(earlier[-1].read_text())["results"] if earlier and args.only else {}
    if "slow" in chosen:
        print("bench-faults: slow servers", file=sys.stderr)
        results["slow"] = slow_servers()
    if "uploads" in chosen:
        print("bench-faults: uploads (waits for Streamlit to drop the closed session)", file=sys.stderr)
        results["uploads"] = uploads()
    if "clearing" in chosen:
        print("bench-faults: a visitor clearing the caches", file=sys.stderr)
        results["clearing"] = clearing()
    if "crowd" in chosen:
        print(f"bench-faults: {args.sessions} sessions", file=sys.stderr)
        results["crowd"] = crowd(args.sessions)
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "streamlit": streamlit.__version__,
        "python": platform.python_version(),
    }
    text = report(results, meta)
    write_section(text)
    raw.mkdir(exist_ok=True)
    (raw / f"faults-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2, default=str)
    )
    print(text)
    crowd_result = results.get("crowd", {})
    return 1 if crowd_result.get("errors") or crowd_result.get("failed_sessions") else 0


if __name__ == "__main__":
    sys.exit(main())
