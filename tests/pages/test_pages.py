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


def test_one_copy_of_each_table_is_shared_by_every_page():
    """The pages, the About list, the Data page and the package read the same object: one copy per table."""
    from app import cached

    catalog = cached.catalog_tables()
    packaged = {item.name: item.table for item in cached.all_tables()}
    assert catalog.keys() == packaged.keys()
    for name, table in catalog.items():
        assert packaged[name] is table, f"{name} is held twice"
    assert cached.national_final() is catalog["national_final"]
    assert cached.state_drug_poisoning() is catalog["state_drug_poisoning"]


def test_a_readers_clear_cache_does_not_drop_the_shared_tables_and_views():
    """Streamlit answers any session's ``clear_cache`` message by emptying st.cache_data and st.cache_resource
    for everyone (AppSession._handle_clear_cache_request). The tables, views and figures must survive it, or
    one visitor could make every reader's page load and check every table again."""
    from streamlit.runtime import caching

    from app import cached

    before = shared_frames()
    view = cached.trend_view(("heroin",), "deaths", (1999, 2019), False, False, False)
    caching.cache_data.clear()
    caching.cache_resource.clear()
    after = shared_frames()
    for name, frame in after.items():
        assert frame is before[name], f"{name} was read again after a reader cleared the caches"
    assert cached.trend_view(("heroin",), "deaths", (1999, 2019), False, False, False) is view
