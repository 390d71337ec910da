"""Page tests run each page file through ``streamlit.testing.v1.AppTest``, with the query string a link holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from paths import PAGES
from streamlit.testing.v1 import AppTest


@pytest.fixture
def open_page() -> Callable[..., AppTest]:
    """open_page("states", state="WV") -> an AppTest of pages/states.py with those URL parameters, not yet run."""

    def make(name: str, *, timeout: float = 60, **query: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=timeout)
        for key, value in query.items():
            at.query_params[key] = value
        return at

    return make
