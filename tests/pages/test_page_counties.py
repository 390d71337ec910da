"""Counties page (AppTest, bundled data): a state's counties by published range, never a single number."""

import pytest


@pytest.fixture
def run(open_page):
    def go(**query):
        at = open_page("counties", **query).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return go


def test_west_virginia_2016_draws_55_counties_with_kanawha_in_the_top_range(run):
    at = run(state="WV", year="2016")
    figure = at.get("plotly_chart")[0].proto.spec
    assert '"featureidkey":"id"' in figure.replace(" ", "")
    table = at.dataframe[0].value
    assert len(table) == 55
    kanawha = table[table["FIPS"] == "54039"].iloc[0]
    assert kanawha["Deaths per 100,000 (model-based range)"] == "30+"
    summary = " ".join(m.value for m in at.markdown)
    assert "model-based estimates" in summary and "Kanawha County" in summary


def test_only_the_chosen_states_outlines_go_to_the_browser(run):
    spec = run(state="RI", year="2010").get("plotly_chart")[0].proto.spec
    assert '"id": "44001"' in spec or '"id":"44001"' in spec
    assert "54039" not in spec  # West Virginia's Kanawha County is not sent with Rhode Island's map


def test_a_link_to_a_state_or_year_without_data_falls_back_with_a_notice(run):
    at = run(state="ZZ", year="3000")
    assert any(i.value.startswith("Some settings in this link were ignored") for i in at.info)
    assert at.selectbox(key="county_state").value == "WV"
    assert at.selectbox(key="county_year").value == 2016
