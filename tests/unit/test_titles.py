"""Chart titles state the finding, computed from the rows and judged by 95% intervals where there are any."""

from __future__ import annotations

import pandas as pd

from app import words


def _state(code: str, name: str, value: float, lower: float | None, upper: float | None) -> dict:
    return {
        "geo_code": code,
        "geo_name": name,
        "value": value,
        "value_lower": lower,
        "value_upper": upper,
        "status": "Ranked",
    }


def test_state_map_title_names_the_top_state_and_the_nation_when_it_is_clearly_highest():
    ranked = pd.DataFrame(
        [_state("54", "West Virginia", 90.9, 86.0, 95.8), _state("47", "Tennessee", 56.6, 55.0, 58.2)]
    )
    title = words.state_map_title(
        ranked, measure="age_adjusted_rate_per_100k", year=2021, nation=pd.Series({"value": 32.4})
    )
    assert title.replace("<br>", " ").startswith("West Virginia had the highest rate in 2021: 90.9 per 100,000")
    assert "(United States: 32.4)" in title.replace("<br>", " ")
    assert "<sup>Age-adjusted death rate, drug overdose deaths, 2021</sup>" in title


def test_state_map_title_says_not_clearly_above_when_intervals_overlap():
    ranked = pd.DataFrame(
        [_state("35", "New Mexico", 19.3, 17.0, 21.6), _state("54", "West Virginia", 18.9, 16.5, 21.3)]
    )
    title = words.state_map_title(ranked, measure="crude_rate_per_100k", year=2005, nation=None).replace("<br>", " ")
    assert "not clearly above West Virginia (18.9)" in title and "highest rate in 2005 (19.3 per 100,000)" in title


def test_state_map_title_leaves_unranked_states_out():
    ranked = pd.DataFrame(
        [
            {**_state("11", "District of Columbia", 99.0, None, None), "status": "Unreliable"},
            _state("54", "West Virginia", 50.0, 45.0, 55.0),
        ]
    )
    title = words.state_map_title(ranked, measure="crude_rate_per_100k", year=2010, nation=None)
    assert title.startswith("West Virginia")


def _series(values: list[tuple[int, float, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "geo_code": "02",
                "geo_name": "Alaska",
                "year": y,
                "period_end_date": pd.Timestamp(f"{y}-12-31"),
                "value": v,
                "value_lower": lo,
                "value_upper": hi,
            }
            for y, v, lo, hi in values
        ]
    )


def test_place_trend_title_says_times_as_high_for_a_large_rise():
    rows = _series([(1999, 4.0, 3.0, 5.0), (2021, 90.0, 85.0, 95.0)])
    title = words.place_trend_title(rows, geo_code="02", measure="age_adjusted_rate_per_100k", subtitle="s")
    assert title.replace("<br>", " ").startswith("Alaska: the rate 22.5 times as high in 2021 as in 1999")


def test_place_trend_title_says_not_clearly_different_when_the_intervals_overlap():
    rows = _series([(2010, 12.0, 9.0, 15.0), (2016, 14.0, 11.0, 17.0)])
    title = words.place_trend_title(rows, geo_code="02", measure="age_adjusted_rate_per_100k", subtitle="s")
    assert "was not clearly different from 2010" in title.replace("<br>", " ")


def test_place_trend_title_gives_a_percent_below_one_and_a_half_times_and_says_lower():
    rows = _series([(2018, 200.0, None, None), (2023, 176.0, None, None)])
    title = words.place_trend_title(
        rows, geo_code="02", measure="ed_visit_rate_per_100k", subtitle="s", rate_words="the emergency visit rate"
    )
    assert title.replace("<br>", " ").startswith("Alaska: the emergency visit rate 12% lower in 2023 than in 2018")


def test_group_title_names_the_highest_group_and_a_close_one():
    shown = pd.DataFrame(
        [
            {"sex": s, "year": 2017, "value": v, "value_lower": lo, "value_upper": hi}
            for s, v, lo, hi in [("all", 21.7, 21.5, 21.9), ("male", 29.1, 28.8, 29.4), ("female", 14.4, 14.2, 14.6)]
        ]
    )
    title = words.group_title(shown, drug="all_drugs", by="sex", measure="age_adjusted_rate_per_100k")
    assert title.replace("<br>", " ").startswith("All drug overdoses, 2017: highest among males (29.1 per 100,000)")
    close = shown.assign(value_lower=[21.5, 14.0, 14.0], value_upper=[21.9, 30.0, 29.5])
    title = words.group_title(close, drug="all_drugs", by="sex", measure="age_adjusted_rate_per_100k")
    assert "not clearly above females (14.4)" in title.replace("<br>", " ")
