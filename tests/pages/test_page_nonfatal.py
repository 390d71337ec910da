"""Nonfatal overdoses page (AppTest, bundled data): visits beside deaths on separate charts; non-reporting
states say so."""

import pytest


@pytest.fixture
def run(open_page):
    def go(**query):
        at = open_page("nonfatal", **query).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return go


def test_a_reporting_state_shows_visits_2018_2023_beside_its_death_rate(run):
    at = run(state="KY", drug="nonfatal_all_drugs")
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # visits and deaths: two charts, two axes, two titles
    visits, deaths = (c.proto.spec for c in charts)
    assert "Visits per 100,000 people" in visits and "Deaths" not in visits.split('"title"')[1][:80]
    assert "Drug overdose deaths, Kentucky" in deaths
    text = " ".join(m.value for m in at.markdown)
    assert "Emergency department visits for an overdose of any drug" in text and "2018" in text and "2023" in text
    assert any("do not divide one by the other" in c.value for c in at.caption)


def test_a_state_that_does_not_report_says_so(run):
    at = run(state="WV")
    assert not at.get("plotly_chart")
    assert any("West Virginia does not report nonfatal overdose visits" in i.value for i in at.info)


def test_visits_are_never_zero_where_cdc_withheld_them(run):
    at = run(state="KY", drug="nonfatal_fentanyl")
    table = at.dataframe[0].value
    assert table["Value"].isna().any() or (table["Flags"].str.contains("no_diagnosis_code|suppressed").any())
    assert not (table["Value"] == 0).all()
