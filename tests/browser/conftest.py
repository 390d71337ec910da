"""Fixtures for the real-browser and load tests: one app server and one headless Chromium per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.testing import AppServer, chromium_skip_reason, launch_chromium


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """The dashboard served on a free 127.0.0.1 port for the whole test session."""
    with AppServer() as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session; skips with the reason when Chromium or Playwright is missing."""
    reason = chromium_skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
