"""Demographics page (AppTest, bundled data): small multiples by sex, age and race and Hispanic origin, with
source, summary and table twin; each group's trend segments on request; selections in the URL round-trip and
hostile parameters are ignored."""

import json

import pytest
from paths import PAGES
from streamlit.testing.v1 import AppTest

PAGE = str(PAGES / "demographics.py")


def run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.value.startswith("Some settings in this link were ignored")]


def test_default_view_is_age_groups_for_all_drugs():
    at = run()
    assert not at.exception and not notices(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in spec["data"]]
    assert names == [
        "Ages 0-14",
        "Ages 15-24",
        "Ages 25-34",
        "Ages 35-44",
        "Ages 45-54",
        "Ages 55-64",
        "Ages 65-74",
        "Ages 75+",
    ]
    assert any("Ages 25-34: 38.4 in 2017 (was 8.1 in 1999)." in m.value for m in at.markdown)
    assert any("Source:" in c.value and "jx6g-fdh6" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == 8 * 19 and "Measure" not in table  # one measure, named in the chart's title
    assert "crude death rate, United States" in title_text(at)


def title_text(at) -> str:
    """The first chart's title and subtitle as one line of words (wrapped lines joined)."""
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]
    return " ".join([title["text"], title.get("subtitle", {}).get("text", "")]).replace("<br>", " ")


@pytest.mark.parametrize(
    ("params", "first_sentence", "measure"),
    [
        ({"by": "race_ethnicity"}, "Hispanic: 10.6 in 2017 (was 5.4 in 1999).", "Age-adjusted death rate"),
        ({"by": "sex"}, "Female:", "Age-adjusted death rate"),
        ({"by": "sex", "drug": "heroin"}, "Female: 2.3 in 2018 (was 0.2 in 1999).", "Age-adjusted death rate"),
    ],
)
def test_breakdowns(params, first_sentence, measure):
    at = run(params)
    assert not at.exception
    assert any(m.value.startswith(f"- {first_sentence}") for m in at.markdown)
    assert f"{measure.lower()}, United States" in title_text(at)


def test_a_choice_the_bundled_copy_lacks_is_explained():
    at = run({"by": "race_ethnicity", "drug": "heroin"})
    assert not at.exception
    assert any(i.value.startswith("There are no published rates for heroin by race") for i in at.info)
    assert not at.get("plotly_chart")


def test_permalink_round_trip():
    at = run()
    at.selectbox(key="demo_drug").set_value("heroin").run()
    at.radio(key="demo_by").set_value("sex").run()
    at.slider(key="demo_years").set_value((2005, 2015)).run()
    link = dict(at.query_params)
    assert link == {"drug": "heroin", "by": "sex", "years": "2005-2015", "segments": "no"}
    fresh = run(link)
    assert not fresh.exception and not notices(fresh)
    assert fresh.selectbox(key="demo_drug").value == "heroin"
    assert fresh.radio(key="demo_by").value == "sex"
    assert fresh.slider(key="demo_years").value == (2005, 2015)
    assert fresh.dataframe[0].value["Year"].between(2005, 2015).all()


@pytest.mark.parametrize(
    "params",
    [
        {"drug": "<script>alert(1)</script>"},
        {"by": "income"},
        {"years": "1850-2100"},
        {"years": "A" * 5000},
        {"evil": "1", "<b>": "x"},
        {"segments": "maybe"},
    ],
)
def test_hostile_parameters(params):
    at = run(params)
    assert not at.exception
    found = notices(at)
    assert len(found) == 1 and "<" not in found[0] and "alert" not in found[0]
    assert dict(at.query_params) == {
        "drug": "all_drugs",
        "by": "age_group",
        "years": "1999-2018",
        "segments": "no",
    }  # breakdowns run to 2018 (95ax-ymtc); the state table's 2018-2021 rows are states and the nation only


def segment_traces(at: AppTest) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [t["name"] for t in spec["data"] if t["name"].endswith(": trend segments")]


def summary_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_trend_segments_are_off_until_asked():
    at = run()
    assert at.toggle(key="demo_segments").value is False
    assert segment_traces(at) == []
    assert "trend." not in summary_text(at)


def test_the_toggle_draws_each_groups_segments_says_them_and_keeps_them_in_the_link():
    at = run()
    at.toggle(key="demo_segments").set_value(True).run()
    assert not at.exception
    groups = ["0-14", "15-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
    assert segment_traces(at) == [f"Ages {g}: trend segments" for g in groups]
    text = summary_text(at)
    for group in groups:
        assert f"Ages {group}, trend. From 1999 to " in text
    assert "a year (95% CI " in text
    assert "weighted BIC (WBIC)" in text  # the method that chose the joinpoints is named
    assert any("Dotted lines: trend segments" in c.value for c in at.caption)
    # The segments table (one row per segment, named by group) and its CSV are under the chart.
    segments = at.dataframe[1].value
    assert set(segments["Series"]) == {f"Ages {g}" for g in groups}
    assert {"From", "To", "Change a year (%)", "95% CI low", "95% CI high"} <= set(segments.columns)
    assert any(b.proto.label == "Download the segments (CSV)" for b in at.get("download_button"))

    link = dict(at.query_params)
    assert link["segments"] == "yes"
    fresh = run(link)  # a new browser opening the copied link
    assert not fresh.exception and not notices(fresh)
    assert fresh.toggle(key="demo_segments").value is True
    assert segment_traces(fresh) == segment_traces(at)
    assert dict(fresh.query_params) == link


def test_groups_without_enough_usable_years_say_why():
    """Heroin by age: NCHS marks every year of the youngest and oldest bands unreliable, so those panels have no
    trend, and the page says so with the years left out and why, rather than drawing one."""
    at = run({"drug": "heroin", "segments": "yes"})
    assert not at.exception
    text = summary_text(at)
    assert "Ages 0-14: Too few years for trend segments" in text
    assert "Ages 0-14: 1999-2018 left out: the publisher marks it unreliable." in text
    traces = segment_traces(at)
    assert "Ages 0-14: trend segments" not in traces and "Ages 25-34: trend segments" in traces
