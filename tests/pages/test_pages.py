"""Every page through Streamlit's AppTest: it runs without an exception, and the frame shows help lines."""

import pytest
from paths import ROOT
from streamlit.testing.v1 import AppTest

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
    assert "Figures as of: " in as_of and "VSRR Provisional Drug Overdose Death Counts" in as_of
    assert "(copy shipped with this dashboard" in as_of
    assert "national_final" not in as_of and "vsrr" not in as_of  # no table or dataset keys on public pages


# --- shared tables stay read-only -----------------------------------------------------------------------------


def shared_frames() -> dict[str, object]:
    """Every frame cached.py hands out as one shared object (st.cache_resource), by a readable name."""
    from app import cached

    frames = {
        "national_final": cached.national_final().data,
        "vsrr_provisional": cached.vsrr_provisional().data,
        "state_drug_poisoning": cached.state_drug_poisoning().data,
        "drug_overdose_rates": cached.drug_overdose_rates().data,
        "risk_table": cached.risk_table().data,
    }
    frames |= {f"catalog_tables[{k}]": t.data for k, t in cached.catalog_tables().items()}
    frames |= {f"all_tables[{t.name}]": t.table.data for t in cached.all_tables()}
    return frames


def fingerprint(frame) -> tuple:
    import pandas as pd

    return (tuple(frame.columns), tuple(map(str, frame.dtypes)), int(pd.util.hash_pandas_object(frame).sum()))


def test_pages_never_change_the_shared_tables():
    """The tables are shared by every reader (no per-rerun copy), so a page that assigned into one would change
    what everyone else sees. Run every page, with filters and choices moved, and check nothing changed."""
    before = shared_frames()
    prints = {name: fingerprint(frame) for name, frame in before.items()}
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / page), default_timeout=60).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page.endswith("data.py"):
            at.selectbox(key="table").set_value("state_drug_poisoning").run()
            at.multiselect(key="filter_state_drug_poisoning_sex").set_value(["female"]).run()
            assert not at.exception, [e.value for e in at.exception]
    after = shared_frames()
    for name, frame in after.items():
        assert frame is before[name], f"{name} was rebuilt, so this test checked a copy"
        assert fingerprint(frame) == prints[name], f"a page changed the shared table {name}"
