"""Nonfatal overdoses page (AppTest, bundled data): visits beside deaths on separate charts, each with its trend
segments on request; non-reporting states say so; the choices round-trip through the link."""

import json

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
    assert "Kentucky: the death rate" in deaths and "Deaths per 100,000 population" in deaths
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


def segment_traces(at) -> list[list[str]]:
    """The trend-segment lines of each chart (visits, then deaths)."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [[t["name"] for t in spec["data"] if t["name"].endswith(": trend segments")] for spec in specs]


def test_the_toggle_draws_segments_on_both_charts_says_them_and_keeps_them_in_the_link(run):
    at = run(state="KY", drug="nonfatal_all_drugs")
    assert at.toggle(key="nonfatal_segments").value is False
    assert segment_traces(at) == [[], []]
    assert dict(at.query_params)["segments"] == "no"

    at.toggle(key="nonfatal_segments").set_value(True).run()
    assert not at.exception
    assert segment_traces(at) == [
        ["Emergency department visits: trend segments", "Hospital stays: trend segments"],
        ["Deaths: trend segments"],
    ]
    text = " ".join(m.value for m in at.markdown)
    assert "Emergency department visits, trend. From 2018 to 2023 " in text
    assert "Hospital stays, trend. From 2018 to 2023 " in text
    assert "Deaths, trend. From " in text
    assert "a year, 95% CI " in text or "a year (95% CI " in text
    series = [set(d.value["Series"]) for d in at.dataframe if "Series" in d.value]
    assert series == [{"Emergency department visits", "Hospital stays"}, {"Deaths"}]
    assert sum(b.proto.label == "Download the segments (CSV)" for b in at.get("download_button")) == 2

    link = dict(at.query_params)
    assert link == {"state": "KY", "drug": "nonfatal_all_drugs", "segments": "yes"}
    fresh = run(**link)  # a new browser opening the copied link
    assert fresh.toggle(key="nonfatal_segments").value is True
    assert segment_traces(fresh) == segment_traces(at)
    assert dict(fresh.query_params) == link


def test_visits_with_too_few_reported_years_say_why_instead_of_a_trend(run):
    """Kentucky's nonfatal methamphetamine visits: CDC gives one usable year in a row, too few for a trend."""
    at = run(state="KY", drug="nonfatal_methamphetamine", segments="yes")
    text = " ".join(m.value for m in at.markdown)
    assert "Emergency department visits: Too few years for trend segments" in text
    assert "left out: " in text
    assert segment_traces(at)[0] == []
