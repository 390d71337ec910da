"""stats: ranks leave flagged values out; state-vs-nation wording follows the confidence intervals (cases from
real jx6g-fdh6 rows); change on a year earlier compares like with like and never sums 12-month periods."""

import csv

import pandas as pd
import pytest
from paths import PACK

from app import stats
from data_sources.geography import state_fips
from data_sources.schema import conform

STATE_CSV = PACK / "state_drug_poisoning_mortality_1999_2017.csv"


def tidy_rows(records: list[dict]) -> pd.DataFrame:
    """Tidy frame from short dicts: the contract's other columns get neutral values."""
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
    rows = [{**base, **r} for r in records]
    for r in rows:
        r["geo_name"] = r["geo_name"] or f"Place {r['geo_code']}"
    return conform(pd.DataFrame(rows), table="test")


def test_rank_leaves_flagged_and_missing_values_out():
    rows = tidy_rows(
        [
            {"geo_code": "01", "value": 10.0},
            {"geo_code": "02", "value": 30.0},
            {"geo_code": "04", "value": 99.0, "value_flag": "unreliable"},  # highest, but unreliable
            {"geo_code": "05", "value": None, "value_flag": "suppressed"},
            {"geo_code": "06", "value": 20.0},
            {"geo_code": "08", "value": 5.0, "value_flag": "provisional;underreported"},
            {"geo_code": "09", "value": 20.0},
        ]
    )
    ranked = stats.rank_places(rows).set_index("geo_code")
    assert ranked.loc["02", "rank"] == 1
    assert ranked.loc["06", "rank"] == ranked.loc["09", "rank"] == 2  # ties share the better rank
    assert ranked.loc["01", "rank"] == 4
    for code in ("04", "05", "08"):
        assert pd.isna(ranked.loc[code, "rank"])
    assert ranked.loc["04", "status"].startswith("Unreliable")
    assert ranked.loc["05", "status"].startswith("Suppressed")
    assert pd.isna(ranked.loc["05", "value"])  # withheld stays withheld, never 0
    assert list(stats.rank_places(rows)["geo_code"][:4]) == ["02", "06", "09", "01"]


def test_provisional_values_are_ranked():
    rows = tidy_rows(
        [
            {"geo_code": "01", "value": 3.0, "value_flag": "provisional"},
            {"geo_code": "02", "value": 4.0, "value_flag": "provisional"},
        ]
    )
    assert list(stats.rank_places(rows)["rank"]) == [1, 2]


def test_rank_refuses_a_place_twice():
    rows = tidy_rows(
        [
            {"geo_code": "01", "value": 3.0},
            {"geo_code": "01", "value": 4.0, "year": 2016, "period_end_date": "2016-12-31"},
        ]
    )
    with pytest.raises(ValueError, match="more than once"):
        stats.rank_places(rows)


def _real_rows(state: str, year: int) -> tuple[pd.Series, pd.Series]:
    """The state's and the nation's all-ages, both-sexes, all-races age-adjusted rows from the CDC file."""
    if not STATE_CSV.exists():
        pytest.skip(f"shared data pack not found at {STATE_CSV}")
    found = {}
    with STATE_CSV.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            if (
                rec["Year"] == str(year)
                and rec["State"] in (state, "United States")
                and rec["Sex"] == "Both Sexes"
                and rec["Age Group"] == "All Ages"
                and rec["Race and Hispanic Origin"] == "All Races-All Origins"
            ):
                found[rec["State"]] = rec
    frame = tidy_rows(
        [
            {
                "geo_code": code,
                "geo_name": name,
                "geo_level": level,
                "year": year,
                "period_end_date": f"{year}-12-31",
                "value": float(found[name]["Age-adjusted Rate"]),
                "value_lower": float(found[name]["Lower Confidence Limit for Age-adjusted Rate"]),
                "value_upper": float(found[name]["Upper Confidence for Age-adjusted Rate"]),
            }
            for code, name, level in ((state_fips(state), state, "state"), ("US", "United States", "nation"))
        ]
    )
    return frame.iloc[0], frame.iloc[1]


@pytest.mark.parametrize(
    ("state", "year", "verdict", "words"),
    [
        # 57.8 (54.0-61.5) vs US 21.7 (21.5-21.9)
        (
            "West Virginia",
            2017,
            "higher",
            "West Virginia's age-adjusted death rate in 2017 was higher than the nation's",
        ),
        # 10.5 (10.1-10.9)
        ("Texas", 2017, "lower", "Texas's age-adjusted death rate in 2017 was lower than the nation's"),
        # 21.6 (20.8-22.4): overlaps the nation's interval
        ("Illinois", 2017, "not distinguishable", "was not clearly different from the nation's"),
        # 21.6 (19.9-23.2)
        ("Nevada", 2017, "not distinguishable", "The ranges overlap, so the gap could be due to chance."),
    ],
)
def test_state_vs_nation_on_real_rows(state, year, verdict, words):
    place, nation = _real_rows(state, year)
    result = stats.compare_with_nation(place, nation)
    assert result.verdict == verdict
    assert words in result.sentence
    assert "95% confidence interval" in result.sentence and "per 100,000 people" in result.sentence


def test_real_west_virginia_numbers_are_quoted():
    place, nation = _real_rows("West Virginia", 2017)
    sentence = stats.compare_with_nation(place, nation).sentence
    assert "57.8 deaths per 100,000 people (95% confidence interval 54.0 to 61.5)" in sentence
    assert "against 21.7 (21.5 to 21.9) for the United States" in sentence


@pytest.mark.parametrize(
    ("place", "verdict", "words"),
    [
        ({"value": 12.0}, "no interval", "gives no confidence interval"),
        ({"value": None, "value_flag": "suppressed"}, "no interval", "is not available (suppressed"),
        ({"value": 12.0, "value_lower": 10.0, "value_upper": 14.0}, "not distinguishable", "not clearly different"),
        ({"value": 12.0, "value_lower": 11.1, "value_upper": 14.0}, "higher", "was higher"),
        ({"value": 8.0, "value_lower": 6.0, "value_upper": 8.9}, "lower", "was lower"),
    ],
)
def test_state_vs_nation_edge_cases(place, verdict, words):
    frame = tidy_rows(
        [
            {"geo_code": "01", "geo_name": "Alabama", **place},
            {
                "geo_code": "US",
                "geo_level": "nation",
                "geo_name": "United States",
                "value": 10.0,
                "value_lower": 9.0,
                "value_upper": 11.0,
            },
        ]
    )
    result = stats.compare_with_nation(frame.iloc[0], frame.iloc[1])
    assert result.verdict == verdict
    assert words in result.sentence


def vsrr_rows(values: dict[str, float | None], geo_code: str = "54") -> pd.DataFrame:
    return tidy_rows(
        [
            {
                "geo_code": geo_code,
                "geo_name": "West Virginia",
                "year": int(end[:4]),
                "period_end_date": end,
                "measure": "deaths",
                "value": v,
                "value_flag": "provisional" if v is not None else "provisional;suppressed",
            }
            for end, v in values.items()
        ]
    )


@pytest.mark.parametrize(
    ("end", "earlier"),
    [
        ("2024-04-30", "2023-04-30"),
        ("2024-02-29", "2023-02-28"),
        ("2023-02-28", "2022-02-28"),
        ("2021-12-31", "2020-12-31"),
    ],
)
def test_year_earlier_is_the_same_month_end(end, earlier):
    assert stats.year_earlier(pd.Timestamp(end)) == pd.Timestamp(earlier)


def test_change_compares_with_the_same_period_a_year_earlier_only():
    rows = vsrr_rows(
        {"2023-03-31": 900.0, "2023-04-30": 1000.0, "2024-03-31": 950.0, "2024-04-30": 1100.0, "2024-05-31": 1200.0}
    )
    out = stats.change_on_year_earlier(rows).set_index("period_end_date")
    assert out.loc["2024-04-30", "percent_change"] == pytest.approx(10.0)
    assert out.loc["2024-03-31", "percent_change"] == pytest.approx(950 / 900 * 100 - 100)
    assert out.loc["2024-04-30", "previous_value"] == 1000.0
    # May 2023 is absent: no comparison, not a comparison with a neighbouring month or an average
    assert pd.isna(out.loc["2024-05-31", "percent_change"])
    assert pd.isna(out.loc["2023-04-30", "percent_change"])


def test_change_with_a_withheld_count_is_missing_not_zero():
    rows = vsrr_rows({"2023-04-30": None, "2024-04-30": 12.0})
    out = stats.change_on_year_earlier(rows)
    assert out["percent_change"].isna().all()
    sentence = stats.change_sentence(out.iloc[1], place_name="West Virginia")
    assert "no comparable count for a year earlier" in sentence


def test_change_sentence_words():
    rows = vsrr_rows({"2023-04-30": 1000.0, "2024-04-30": 800.0})
    out = stats.change_on_year_earlier(rows)
    assert stats.change_sentence(out.iloc[1], drug_words="heroin overdose") == (
        "800 heroin overdose deaths were reported in West Virginia in the 12 months ending April 2024, down 20.0% "
        "from 1,000 in the 12 months ending April 2023 (200 fewer; 95% CI of the change -27% to -12%)."
    )


def test_a_small_change_is_within_normal_variation_not_a_rise():
    """87 against 85 deaths: +2%, but the interval runs from well below to well above zero."""
    rows = vsrr_rows({"2023-04-30": 85.0, "2024-04-30": 87.0})
    sentence = stats.change_sentence(stats.change_on_year_earlier(rows).iloc[1])
    assert "within normal year-to-year variation" in sentence
    assert " up " not in sentence and "rose" not in sentence


def test_change_refuses_to_mix_series_or_non_12_month_periods():
    mixed = pd.concat([vsrr_rows({"2024-04-30": 1.0}), vsrr_rows({"2024-04-30": 2.0}, geo_code="39")])
    with pytest.raises(ValueError, match="geo_code"):
        stats.change_on_year_earlier(mixed)
    monthly = vsrr_rows({"2024-04-30": 1.0}).assign(period_months=pd.array([1], dtype="Int64"))
    with pytest.raises(ValueError, match="12-month-ending"):
        stats.change_on_year_earlier(monthly)


def test_changes_at_one_row_per_place():
    rows = pd.concat(
        [
            vsrr_rows({"2023-04-30": 100.0, "2024-04-30": 110.0}),
            vsrr_rows({"2023-04-30": 50.0, "2024-04-30": 40.0}, geo_code="39").assign(geo_name="Ohio"),
        ]
    )
    out = stats.changes_at(rows, drug="all_drugs", period_end=pd.Timestamp("2024-04-30"))
    assert list(out["geo_name"]) == ["Ohio", "West Virginia"]
    assert list(out["percent_change"].round(1)) == [-20.0, 10.0]
    assert stats.changes_at(rows, drug="heroin", period_end=pd.Timestamp("2024-04-30")).empty


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(110, 100, 10.0), (90, 100, -10.0), (5, 0, None), (None, 5, None), (5, None, None)],
)
def test_percent_change(current, previous, expected):
    assert stats.percent_change(current, previous) == (pytest.approx(expected) if expected is not None else None)


def test_latest_comparable_provisional_count_skips_underreported_periods():
    from data_sources import nchs_vsrr

    row = stats.latest_comparable(nchs_vsrr.load().data)
    # The bundled copy ends with April 2025; CDC marks it and December 2024 underreported ('*'), so the latest
    # complete period with a year-earlier twin is December 2023 against December 2022 (VSRR xkb8-kh2a).
    assert row["period_end_date"] == pd.Timestamp("2023-12-31")
    assert (row["value"], row["previous_value"]) == (106881, 109413)
    assert round(float(row["percent_change"]), 1) == -2.3
