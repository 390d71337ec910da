"""Every page through Streamlit's AppTest: it runs without an exception, and the frame shows help lines."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))


def test_every_navigation_entry_has_a_page_file():
    import ast

    tree = ast.parse((ROOT / "dashboard.py").read_text())
    listed = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("pages/")
    }
    assert listed == set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title or at.header, f"{page} shows no heading"


def test_dashboard_frame_shows_help_on_every_page():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    help_text = " ".join(block.value for block in at.info)
    assert "988" in help_text and "1-800-662-4357" in help_text and "aloxone" in help_text
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "988" in sidebar
    as_of = " ".join(c.value for c in at.caption)
    assert "Data as of: national final" in as_of and "vsrr provisional" in as_of and "(bundled snapshot)" in as_of
