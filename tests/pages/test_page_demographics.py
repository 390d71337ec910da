"""Demographics page (AppTest, bundled data): small multiples by sex, age and race and Hispanic origin, with
source, summary and table twin; selections in the URL round-trip and hostile parameters are ignored."""

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
    assert "crude death rate, United States" in at.get("plotly_chart")[0].proto.spec


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
    assert f"{measure.lower()}, United States" in at.get("plotly_chart")[0].proto.spec


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
    assert link == {"drug": "heroin", "by": "sex", "years": "2005-2015"}
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
    }  # breakdowns run to 2018 (95ax-ymtc); the state table's 2018-2021 rows are states and the nation only
