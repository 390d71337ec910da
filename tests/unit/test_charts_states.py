"""State and demographic chart builders (app.charts.maps, trends, groups): figure structure, rates-only maps,
withheld values drawn as no value (never 0), and the plain-language summaries."""

import pandas as pd
import pytest

from app import rows as select
from app import tables, words
from app.charts import groups, maps, trends
from data_sources.schema import conform


def tidy_rows(records: list[dict]) -> pd.DataFrame:
    base = {
        "source_id": "test",
        "geo_level": "state",
        "geo_name": "",
        "year": 2017,
        "period_end_date": "2017-12-31",
        "period_months": 12,
        "drug": "all_drugs",
        "measure": "age_adjusted_rate_per_100k",
        "sex": "all",
        "age_group": "all",
        "race_ethnicity": "all",
        "value_lower": None,
        "value_upper": None,
        "value_flag": "",
        "provenance": "primary",
        "source_detail": "test fixture",
    }
    return conform(pd.DataFrame([{**base, **r} for r in records]), table="test")


STATES = tidy_rows(
    [
        {"geo_code": "54", "geo_name": "West Virginia", "value": 57.8, "value_lower": 54.0, "value_upper": 61.5},
        {"geo_code": "48", "geo_name": "Texas", "value": 10.5, "value_lower": 10.1, "value_upper": 10.9},
        {"geo_code": "38", "geo_name": "North Dakota", "value": 9.2, "value_flag": "unreliable"},
        {"geo_code": "56", "geo_name": "Wyoming", "value": None, "value_flag": "suppressed"},
        {
            "geo_code": "US",
            "geo_level": "nation",
            "geo_name": "United States",
            "value": 21.7,
            "value_lower": 21.5,
            "value_upper": 21.9,
        },
    ]
)


def test_state_rows_keeps_states_only():
    rows = select.state_rows(STATES, measure="age_adjusted_rate_per_100k", year=2017)
    assert list(rows["geo_name"]) == ["North Dakota", "Texas", "West Virginia", "Wyoming"]


def test_choropleth_uses_postal_codes_and_greys_withheld_states():
    rows = select.state_rows(STATES, measure="age_adjusted_rate_per_100k", year=2017)
    fig = maps.state_map_chart(rows, measure="age_adjusted_rate_per_100k", title="Rates")
    assert [t.type for t in fig.data] == ["choropleth", "choropleth"]
    rate, blank = fig.data
    assert rate.locationmode == "USA-states"
    assert list(rate.locations) == ["ND", "TX", "WV"]
    assert list(blank.locations) == ["WY"] and blank.showscale is False
    assert 0.0 not in list(rate.z)  # the suppressed state is not a zero on the colour scale
    assert "Unreliable" in rate.text[0]
    assert "Suppressed" in blank.text[0]
    assert fig.layout.geo.scope == "usa" and fig.layout.geo.resolution == 110


@pytest.mark.parametrize("builder", [maps.state_map_chart, maps.tile_map_chart])
def test_maps_refuse_counts(builder):
    rows = select.state_rows(STATES, measure="age_adjusted_rate_per_100k", year=2017).assign(measure="deaths")
    with pytest.raises(ValueError, match="rates only"):
        builder(rows, measure="deaths", title="Counts")


def test_tile_grid_has_every_state_and_marks_missing_and_unreliable():
    rows = select.state_rows(STATES, measure="age_adjusted_rate_per_100k", year=2017)
    fig = maps.tile_map_chart(rows, measure="age_adjusted_rate_per_100k", title="Tiles", highlight="54")
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    labels = [a.text for a in fig.layout.annotations]
    assert len(labels) == 51
    assert "<b>WV</b><br>57.8" in labels and "<b>WY</b><br>n/a" in labels and "<b>ND</b><br>9.2*" in labels
    assert "<b>CA</b><br>n/a" in labels  # not in the rows: shown as no value, not dropped
    values = [v for row in fig.data[1].z for v in row if v is not None]
    assert sorted(values) == [9.2, 10.5, 57.8]
    assert len(fig.layout.shapes) == 1  # the highlighted state


def test_map_summary_names_extremes_and_unranked():
    rows = select.state_rows(STATES, measure="age_adjusted_rate_per_100k", year=2017)
    nation = STATES[STATES["geo_code"] == "US"].iloc[0]
    text = " ".join(words.state_map_summary(rows, measure="age_adjusted_rate_per_100k", nation=nation))
    assert "Highest: West Virginia, 57.8 deaths per 100,000 people." in text
    assert "Lowest: Texas, 10.5" in text
    assert "North Dakota (unreliable" in text and "Wyoming (suppressed" in text
    assert "United States as a whole: 21.7" in text


def _trend_frame() -> pd.DataFrame:
    recs = []
    for year, wv, us in ((2015, 41.5, 16.3), (2016, 52.0, 19.8), (2017, 57.8, 21.7)):
        end = f"{year}-12-31"
        recs += [
            {"geo_code": "54", "geo_name": "West Virginia", "year": year, "period_end_date": end, "value": wv},
            {
                "geo_code": "US",
                "geo_level": "nation",
                "geo_name": "United States",
                "year": year,
                "period_end_date": end,
                "value": us,
                "value_lower": us - 0.2,
                "value_upper": us + 0.2,
            },
        ]
    return tidy_rows(recs)


def test_state_trend_has_states_then_the_nation_with_its_interval():
    fig = trends.state_trend_chart(
        _trend_frame(), geo_codes=["54"], measure="age_adjusted_rate_per_100k", title="Trend"
    )
    assert [t.name for t in fig.data] == ["West Virginia", "United States, 95% interval", "United States"]
    assert list(fig.data[0].x) == [2015, 2016, 2017]
    assert fig.data[2].line.color == "#000000"
    assert fig.layout.xaxis.title.text == "Year"
    summary = words.state_trend_summary(_trend_frame(), geo_codes=["54"], measure="age_adjusted_rate_per_100k")
    assert summary[0] == "West Virginia: 41.5 in 2015, 57.8 in 2017 (deaths per 100,000 people)."


def test_state_trend_of_12_month_ending_counts_uses_the_month():
    recs = [
        {
            "geo_code": "54",
            "geo_name": "West Virginia",
            "year": y,
            "period_end_date": d,
            "measure": "deaths",
            "value": v,
            "value_flag": "provisional",
        }
        for y, d, v in ((2024, "2024-03-31", 900.0), (2024, "2024-04-30", None), (2024, "2024-05-31", 950.0))
    ]
    recs[1]["value_flag"] = "provisional;suppressed"
    data = tidy_rows(recs)
    fig = trends.state_trend_chart(data, geo_codes=["54"], measure="deaths", include_nation=False, title="VSRR")
    assert [t.name for t in fig.data] == ["West Virginia"]
    assert fig.layout.xaxis.title.text == "12 months ending"
    assert pd.isna(fig.data[0].y[1])  # withheld: a gap, not 0
    summary = words.state_trend_summary(data, geo_codes=["54"], measure="deaths")
    assert summary == [
        "West Virginia: 900 in the 12 months ending March 2024, 950 in the 12 months ending "
        "May 2024 (deaths); 1 value(s) withheld."
    ]


def _demo_frame() -> pd.DataFrame:
    recs = []
    for age, values in (("25-34", (8.1, None, 38.4)), ("0-14", (0.1, 0.1, 0.2)), ("75+", (2.0, 2.5, 3.0))):
        for year, v in zip((1999, 2000, 2001), values, strict=True):
            recs.append(
                {
                    "geo_code": "US",
                    "geo_level": "nation",
                    "geo_name": "United States",
                    "year": year,
                    "period_end_date": f"{year}-12-31",
                    "measure": "crude_rate_per_100k",
                    "age_group": age,
                    "value": v,
                    "value_flag": "" if v is not None else "suppressed",
                }
            )
    recs.append(
        {
            "geo_code": "US",
            "geo_level": "nation",
            "geo_name": "United States",
            "year": 2001,
            "period_end_date": "2001-12-31",
            "measure": "crude_rate_per_100k",
            "value": 6.8,
        }
    )
    return tidy_rows(recs)


def test_demographics_small_multiples_one_panel_per_group_in_age_order():
    fig = groups.demographics_chart(
        _demo_frame(), drug="all_drugs", by="age_group", measure="crude_rate_per_100k", title="By age"
    )
    assert [t.name for t in fig.data] == ["Ages 0-14", "Ages 25-34", "Ages 75+"]
    assert [a.text for a in fig.layout.annotations] == ["Ages 0-14", "Ages 25-34", "Ages 75+"]
    assert pd.isna(fig.data[1].y[1])
    assert fig.data[0].xaxis != fig.data[1].xaxis  # separate panels
    # ...on one y scale, across rows as well, so heights compare
    yaxes = [fig.layout[name] for name in fig.layout if name.startswith("yaxis") and name != "yaxis"]
    assert yaxes and all(axis.matches == "y" for axis in yaxes) and fig.layout.yaxis.matches is None


def test_demographics_summary():
    summary = words.demographics_summary(_demo_frame(), drug="all_drugs", by="age_group", measure="crude_rate_per_100k")
    assert summary[0] == "Ages 0-14: 0.2 in 2001 (was 0.1 in 1999)."
    assert summary[-1] == "In 2001 the highest rate was in the group Ages 25-34: 38.4 deaths per 100,000 people."


def test_demographic_rows_refuse_unknown_breakdown():
    with pytest.raises(ValueError, match="unknown breakdown"):
        select.demographic_rows(_demo_frame(), drug="all_drugs", by="income", measure="crude_rate_per_100k")


def test_display_tables_have_readable_headers():
    table = tables.display_table(select.state_rows(STATES, measure="age_adjusted_rate_per_100k", year=2017))
    assert {"Place", "Value", "Lower limit", "Flags"} <= set(table.columns)
    demo = tables.display_table(_demo_frame())
    assert "Age group" in demo.columns and "Measure" not in demo.columns  # one measure: said by the title
    assert "Year" not in table.columns and "Drug" not in table.columns  # the same in every row: not repeated
    mixed = tables.display_table(select.state_rows(STATES, measure="age_adjusted_rate_per_100k", year=2017).head(1))
    assert "Year" in mixed.columns  # a single row keeps its context


def test_highest_group_says_when_another_is_not_clearly_different(state_table):
    """CORRECTIONS 17: 35-44 (39.0) tops 25-34 (38.4) in 2017, but their 95% intervals overlap."""
    text = " ".join(
        words.demographics_summary(
            state_table.data, drug="all_drugs", by="age_group", measure="crude_rate_per_100k", years=(1999, 2017)
        )
    )
    assert "highest rate was in the group Ages 35-44" in text
    assert "Ages 25-34 (38.4) is not clearly different" in text
