"""States page (AppTest, bundled data): map with local outlines, honest comparison and ranks, provisional
counts with their data quality and NCHS's caution, and permalinks that round-trip and shrug off hostile input."""

import json

import pytest
from paths import PAGES
from streamlit.testing.v1 import AppTest

PAGE = str(PAGES / "states.py")


def run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.value.startswith("Some settings in this link were ignored")]


def charts_of(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def test_default_view():
    at = run()
    assert not at.exception
    assert at.title[0].value == "Overdose deaths by state"
    assert not notices(at)  # no link, no notice
    specs = [json.loads(c.proto.spec) for c in charts_of(at)]
    assert specs[0]["data"][0]["type"] == "choropleth" and specs[1]["data"][0]["type"] == "heatmap"
    # the map's outlines come from this app (static/usa_110m.json), never from plotly's CDN
    assert json.loads(charts_of(at)[0].proto.config) == {"topojsonURL": "/app/static/"}
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("Source:") >= 4 and "jx6g-fdh6" in captions and "xkb8-kh2a" in captions
    assert any("Highest: West Virginia, 90.9 deaths per 100,000 people." in m.value for m in at.markdown)
    assert any("Not ranked: District of Columbia (not reported)." in m.value for m in at.markdown)
    assert any(
        "comparisons of death rates involving specific drugs across selected jurisdictions should not be "
        "made" in w.value
        for w in at.warning
    )
    assert at.query_params["measure"] == "age_adjusted_rate_per_100k" and at.query_params["year"] == "2021"


@pytest.mark.parametrize(
    ("params", "heading", "words"),
    [
        (
            {"state": "WV", "year": "2017"},
            "West Virginia, 2017: Higher than the nation",
            "57.8 deaths per 100,000 people (95% confidence interval 54.0 to 61.5)",
        ),
        (
            {"state": "WV"},
            "West Virginia, 2021: Higher than the nation",
            "90.9 deaths per 100,000 people (95% confidence interval 86.3 to 95.5), against 32.4 (32.2 to 32.6)",
        ),
        ({"state": "TX", "year": "2017"}, "Texas, 2017: Lower than the nation", "The two ranges do not overlap."),
        (
            {"state": "IL", "year": "2017"},
            "Illinois, 2017: Not clearly different from the nation",
            "could be due to chance",
        ),
        (
            {"state": "ND", "year": "1999"},
            "North Dakota, 1999: Lower than the nation",
            "NCHS marks this rate unreliable",
        ),
    ],
)
def test_my_state_card_says_it_in_words(params, heading, words):
    at = run(params)
    assert not at.exception
    assert heading in [s.value for s in at.subheader]
    assert any(words in m.value for m in at.markdown)


def test_ranking_lists_unreliable_rates_out_of_the_ranks():
    at = run({"year": "1999"})
    table = at.dataframe[0].value
    unranked = table[table["Rank"].isna()]
    # NCHS's state file: 20 or fewer deaths is unreliable (Wyoming had exactly 20 in 1999)
    assert set(unranked["Place"]) == {"North Dakota", "South Dakota", "Wyoming"}
    assert set(unranked["Status"]) == {"Unreliable: too few deaths for a stable rate"}
    assert table["Rank"].dropna().max() == 48
    assert any("Not ranked: North Dakota (unreliable" in m.value for m in at.markdown)


def test_trend_compares_the_chosen_states_with_the_nation():
    at = run({"state": "WV", "compare": ["WV", "OH"]})
    trend = json.loads(charts_of(at)[2].proto.spec)
    assert [t["name"] for t in trend["data"]] == [
        "West Virginia",
        "Ohio",
        "United States, 95% interval",
        "United States",
    ]
    assert any("Ohio: 4.2 in 1999, 48.1 in 2021" in m.value for m in at.markdown)


def test_provisional_change_on_a_year_earlier_and_data_quality():
    at = run({"period": "2024-12", "drug": "heroin"})
    assert not at.exception
    assert any(
        m.value.startswith(
            "2,795 heroin overdose deaths were reported in the United States in the 12 months "
            "ending December 2024, down 31.2% from 4,062"
        )
        for m in at.markdown
    )
    labels = [m.label for m in at.metric]
    assert labels == ["Records complete", "Records pending investigation", "Records naming a drug", "Predicted count"]
    at = run({"period": "2025-04"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Records complete"] == "100.0%" and metrics["Records pending investigation"] == "0.3%"


def test_counts_are_never_mapped():
    at = run({"measure": "deaths"})
    assert at.radio(key="states_measure").value == "age_adjusted_rate_per_100k"
    assert any("“measure”" in n for n in notices(at))


def test_permalink_round_trip():
    at = run()
    at.selectbox(key="states_state").set_value("KY").run()
    at.radio(key="states_measure").set_value("crude_rate_per_100k").run()
    at.selectbox(key="states_year").set_value(2010).run()
    at.multiselect(key="states_compare").set_value(["KY", "TN"]).run()
    at.selectbox(key="states_drug").set_value("heroin").run()
    at.selectbox(key="states_period").set_value("2024-12").run()
    assert not at.exception
    link = dict(at.query_params)
    assert link == {
        "state": "KY",
        "compare": ["KY", "TN"],
        "measure": "crude_rate_per_100k",
        "year": "2010",
        "segments": "no",
        "lang": "en",
        "drug": "heroin",
        "period": "2024-12",
    }
    assert at.code[-1].value == (
        "/states?state=KY&compare=KY&compare=TN&measure=crude_rate_per_100k&year=2010&segments=no&lang=en"
        "&drug=heroin&period=2024-12"
    )

    fresh = run(link)  # a new browser opening the copied link
    assert not fresh.exception and not notices(fresh)
    assert fresh.selectbox(key="states_state").value == "KY"
    assert fresh.radio(key="states_measure").value == "crude_rate_per_100k"
    assert fresh.selectbox(key="states_year").value == 2010
    assert fresh.multiselect(key="states_compare").value == ["KY", "TN"]
    assert fresh.selectbox(key="states_period").value == "2024-12"
    assert dict(fresh.query_params) == link


def test_an_emptied_comparison_stays_empty_in_the_link():
    at = run({"state": "WV"})
    at.multiselect(key="states_compare").set_value([]).run()
    fresh = run(dict(at.query_params))
    assert fresh.multiselect(key="states_compare").value == []


@pytest.mark.parametrize(
    "params",
    [
        {"state": "ZZ"},
        {"state": "<script>alert(1)</script>"},
        {"compare": ["XX", "<img src=x onerror=alert(1)>", "A" * 5000]},
        {"year": "1850"},
        {"year": "99999999999999999999"},
        {"measure": "A" * 5000},
        {"period": "2099-01"},
        {"drug": "javascript:alert(1)"},
        {"<script>": "1", "utm_source": "newsletter"},
    ],
)
def test_hostile_parameters_are_ignored_with_a_notice(params):
    at = run(params)
    assert not at.exception
    found = notices(at)
    assert len(found) == 1
    assert "<" not in found[0] and "alert" not in found[0] and "AAAA" not in found[0]
    assert at.selectbox(key="states_state").value == "none" or "state" not in params
    assert at.selectbox(key="states_year").value == 2021
    # the cleaned link keeps only the page's own settings, with valid values
    assert set(at.query_params) == {"state", "compare", "measure", "year", "segments", "lang", "drug", "period"}
    assert "<" not in json.dumps(at.query_params) and len(json.dumps(at.query_params)) < 400


def test_my_state_offers_a_printed_brief_in_the_links_language():
    at = run({"state": "WV", "lang": "es"})
    assert not at.exception
    assert at.radio(key="states_lang").value == "es"
    buttons = [b for b in at.get("download_button") if "brief" in b.proto.label]
    assert len(buttons) == 1


def test_trend_segments_from_a_link_are_drawn_said_and_kept():
    at = run({"compare": ["WV", "KY"], "segments": "yes"})
    assert not at.exception and not notices(at)
    assert at.toggle(key="states_segments").value is True
    trend = next(
        json.loads(c.proto.spec)
        for c in charts_of(at)
        if "trend segments" in c.proto.spec and "West Virginia" in c.proto.spec
    )
    names = [t["name"] for t in trend["data"] if t["name"].endswith(": trend segments")]
    assert names == ["West Virginia: trend segments", "Kentucky: trend segments", "United States: trend segments"]
    text = " ".join(m.value for m in at.markdown)
    assert "Kentucky, trend. From 1999 to " in text and "weighted BIC (WBIC)" in text
    assert dict(at.query_params)["segments"] == "yes"
    at.toggle(key="states_segments").set_value(False).run()
    assert dict(at.query_params)["segments"] == "no"
