"""Load: 20 readers at once on 127.0.0.1, each following the navigation through every page.

Bounded (one server, 20 websocket sessions, a time limit per page) and asserts rendering, not speed: every
session must get every page drawn with no exception box and no "page not found". Speed and memory are for
``make bench`` (bench/run.py), not for tests.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from app.testing import dashboard_pages, websocket_session

SESSIONS = 20


async def _crowd(url: str, pages: list[str]) -> list:
    return await asyncio.gather(*(websocket_session(url, pages, timeout=120) for _ in range(SESSIONS)))


def test_twenty_concurrent_sessions_render_every_page(app_server):
    pages = [p.url_path for p in dashboard_pages()]
    # In its own thread: the session-scoped Playwright fixture of the browser tests keeps an event loop
    # running in the main thread, and asyncio.run() refuses to start a second one there.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sessions = pool.submit(asyncio.run, _crowd(app_server.url, pages)).result(timeout=600)

    assert len(sessions) == SESSIONS
    for number, results in enumerate(sessions):
        assert [r.page for r in results] == pages
        for result in results:
            where = f"session {number}, page /{result.page}"
            assert not result.page_not_found, f"{where}: page not found"
            assert not result.exceptions, f"{where}: {result.exceptions}"
            # Every page draws its heading and the frame's help footer (st.info) at the least.
            assert result.elements.get("heading", 0) + result.elements.get("markdown", 0) > 0, where
            assert result.elements.get("alert", 0) > 0, f"{where}: no help footer: {result.elements}"
