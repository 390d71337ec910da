"""Joinpoint trends: NCHS's published segments, Joinpoint's rules, bad input, the command line."""

import io

import numpy as np
import pandas as pd
import pytest

from data_sources import cli, nchs_national_final, nchs_state_drug_poisoning, trends
from data_sources.schema import empty_frame

# NCHS Data Brief 329 (https://www.cdc.gov/nchs/products/databriefs/db329.htm): "The rate increased on average
# by 10% per year from 1999 through 2006, by 3% per year from 2006 through 2014, and by 16% per year from 2014
# through 2017."
NCHS_DB329 = [(1999, 2006, 10), (2006, 2014, 3), (2014, 2017, 16)]
ALL_DRUG_RATE = {"drug": "all_drugs", "measure": "age_adjusted_rate_per_100k"}


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return nchs_national_final.load().data


def _published_segments(fit: trends.TrendFit) -> list[tuple[int, int, int]]:
    return [(int(r.start_year), int(r.end_year), round(r.apc)) for r in fit.segments.itertuples()]


@pytest.mark.parametrize("method", ["wbic", "bic3", "bic", "permutation"])
def test_all_drug_rate_1999_2017_matches_nchs_data_brief_329(national, method):
    fit = trends.trend(national, **ALL_DRUG_RATE, start_year=1999, end_year=2017, method=method)
    assert isinstance(fit, trends.TrendFit)
    assert fit.joinpoints == (2006, 2014)
    assert _published_segments(fit) == NCHS_DB329
    assert fit.segments["is_significant"].all()
    assert fit.weighting == "deaths"
    assert fit.left_out == ()


def test_unrounded_rates_with_published_limits_give_the_same_segments():
    """The jx6g-fdh6 table gives the US rate unrounded with 95% limits: the standard-error weighting."""
    data = nchs_state_drug_poisoning.load().data
    fit = trends.trend(data, **ALL_DRUG_RATE, start_year=1999, end_year=2017)
    assert fit.weighting == "standard_error"
    assert fit.joinpoints == (2006, 2014)
    assert _published_segments(fit) == NCHS_DB329


def test_segment_frame_has_the_columns_and_identity(national):
    fit = trends.trend(national, **ALL_DRUG_RATE, start_year=1999, end_year=2017)
    segments = fit.segments
    for col in ("start_year", "end_year", "apc", "apc_lower", "apc_upper", "is_significant", *trends.IDENTITY):
        assert col in segments.columns
    assert set(segments["geo_code"]) == {"US"} and set(segments["sex"]) == {"all"}
    assert (segments["apc_lower"] < segments["apc"]).all() and (segments["apc"] < segments["apc_upper"]).all()
    assert fit.sentences()[2] == "From 2014 to 2017 the rate rose about 16% a year (95% CI 13% to 18%)"
    assert list(fit.fitted["year"]) == list(range(1999, 2018))
    assert list(fit.fitted.loc[fit.fitted["is_joinpoint"], "year"]) == [2006, 2014]
    # The fitted line passes close to the published rates (within 6%; 2000 is the farthest, 6.2 vs 6.5).
    ratio = fit.fitted["fitted"] / fit.fitted["value"]
    assert ratio.between(0.94, 1.06).all()
    assert fit.source_ids == ("nchs_95ax_ymtc",)


def test_aapc_is_the_length_weighted_mean_of_segment_slopes(national):
    fit = trends.trend(national, **ALL_DRUG_RATE, start_year=1999, end_year=2017)
    slopes = np.log1p(fit.segments["apc"].to_numpy() / 100)
    lengths = np.array([7, 8, 3])
    expected = 100 * np.expm1((slopes * lengths).sum() / lengths.sum())
    aapc = fit.aapc()
    assert aapc.aapc == pytest.approx(expected)
    assert aapc.aapc_lower < aapc.aapc < aapc.aapc_upper
    assert aapc.sentence().startswith("From 1999 to 2017 the rate rose on average about 8% a year")
    # Inside one segment the AAPC is that segment's APC, with the same (t-based) interval.
    inside = fit.aapc(2015, 2017)
    last = fit.segments.iloc[2]
    assert inside.aapc == pytest.approx(last["apc"])
    assert (inside.aapc_lower, inside.aapc_upper) == pytest.approx((last["apc_lower"], last["apc_upper"]))
    with pytest.raises(trends.TrendInputError, match="inside the fitted years"):
        fit.aapc(1990, 2017)


@pytest.mark.parametrize("method", ["wbic", "bic3", "bic", "permutation"])
def test_an_exact_straight_line_has_no_joinpoint_and_its_apc(method):
    years = np.arange(2000, 2020)
    fit = trends.fit_joinpoint(years, 5 * 1.07 ** (years - 2000), method=method, permutations=99)
    assert fit.joinpoints == ()
    table = fit.segment_table()
    assert table["apc"].iloc[0] == pytest.approx(7.0)


def test_a_planted_joinpoint_is_found():
    years = np.arange(2000, 2021)
    t = years - 2000
    rng = np.random.default_rng(1)
    values = np.exp(1 + 0.10 * t - 0.15 * np.clip(t - 9, 0, None) + rng.normal(0, 0.01, len(t)))
    fit = trends.fit_joinpoint(years, values)
    assert fit.joinpoints == (2009,)
    table = fit.segment_table()
    assert table["apc"].tolist() == pytest.approx([100 * np.expm1(0.10), 100 * np.expm1(-0.05)], abs=0.5)
    assert table["is_significant"].all()


def test_information_criteria_seldom_find_a_joinpoint_that_is_not_there():
    """Seeded straight-line series with noise (a small copy of bench.fits.selection_rates): WBIC invents a
    change less often than the plain BIC, BIC3 least often, and none of them often."""
    rng = np.random.default_rng(7)
    years = np.arange(2000, 2019)
    found = {"bic3": 0, "wbic": 0, "bic": 0}
    for _ in range(60):
        values = np.exp(1 + 0.05 * (years - 2000) + rng.normal(0, 0.03, len(years)))
        for method in found:
            found[method] += bool(trends.fit_joinpoint(years, values, method=method).joinpoints)
    assert found["bic3"] <= 6  # at most 10%
    assert found["wbic"] <= 9  # at most 15%
    assert found["bic3"] <= found["wbic"] < found["bic"]


def test_wbic_finds_small_real_changes_more_often_than_bic3():
    """Seeded series with one small change of slope (0.01 on the log scale, noise 0.03): WBIC uses a penalty
    near the BIC's when the change is small, so it finds the joinpoint more often than BIC3 does."""
    rng = np.random.default_rng(11)
    years = np.arange(2000, 2025)
    t = years - 2000
    found = {"bic3": 0, "wbic": 0}
    for _ in range(60):
        values = np.exp(1 + 0.05 * t + 0.01 * np.clip(t - 12, 0, None) + rng.normal(0, 0.03, len(t)))
        for method in found:
            found[method] += len(trends.fit_joinpoint(years, values, method=method).joinpoints) == 1
    assert found["wbic"] > found["bic3"]


def test_wbic_is_the_default_and_finds_the_2014_change_in_all_drug_deaths_that_bic3_misses(national):
    """All-drug deaths 1999-2023: BIC3 draws one straight line; WBIC (Joinpoint 5's default) finds 2014."""
    default = trends.trend(national, drug="all_drugs", measure="deaths")
    bic3 = trends.trend(national, drug="all_drugs", measure="deaths", method="bic3")
    assert isinstance(default, trends.TrendFit) and isinstance(bic3, trends.TrendFit)
    assert default.model.method == "wbic"
    assert bic3.joinpoints == ()
    assert default.joinpoints == (2014,)
    first, second = default.segments["apc"]
    assert 0 < first < second  # rose, then rose faster
    table = default.model.selection
    assert table.loc[0, "wbic_weight"] == 0
    assert table["wbic_weight"].between(0, 1).all()
    assert "weighted BIC (WBIC)" in default.notes()[0]


def test_wbic_is_bic_and_bic3_weighted_by_the_largest_partial_r2():
    """The weight computed as Joinpoint's help writes it, with explicit hat matrices: R^2_{i,i+1} =
    {y'(I - H0)z}^2 / ({y'(I - H0)y}{z'(I - H0)z}) over the two segments meeting at joinpoint i."""
    years = np.arange(2000, 2021)
    t = (years - 2000).astype(float)
    rng = np.random.default_rng(3)
    log_y = 2 + 0.08 * t - 0.12 * np.clip(t - 7, 0, None) + 0.1 * np.clip(t - 14, 0, None) + rng.normal(0, 0.02, 21)
    model = trends.fit_joinpoint(years, np.exp(log_y), method="bic")
    assert model.joinpoints == (2007, 2014)
    bounds = [-1, 7, 14, 20]  # indices: before the first year, the two joinpoints, the last year
    r2 = []
    for i in (1, 2):
        window = slice(bounds[i - 1] + 1, bounds[i + 1] + 1)
        x, y = t[window], log_y[window]
        line = np.column_stack([np.ones_like(x), x])
        rest = np.eye(len(x)) - line @ np.linalg.inv(line.T @ line) @ line.T
        z = np.clip(x - t[bounds[i]], 0, None)
        r2.append((y @ rest @ z) ** 2 / ((y @ rest @ y) * (z @ rest @ z)))
    row = model.selection.loc[2]
    assert row["wbic_weight"] == pytest.approx(max(r2))
    n = len(years)
    expected = np.log(row["sse"] / n) + ((2 + max(r2)) * 2 + 2) * np.log(n) / n
    assert row["wbic"] == pytest.approx(expected)
    assert row["wbic"] == pytest.approx(row["bic"] * (1 - max(r2)) + row["bic3"] * max(r2))


def test_joinpoints_keep_joinpoint_segment_rules():
    # Two observations at least between a joinpoint and either end, and between two joinpoints.
    assert trends._placements(10, 1, 2, 2).min() == 2
    assert trends._placements(10, 1, 2, 2).max() == 7
    pairs = trends._placements(12, 2, 2, 2)
    assert (np.diff(pairs, axis=1) >= 3).all()
    assert [trends.recommended_max_joinpoints(n) for n in (6, 7, 11, 12, 17, 22, 27, 40)] == [0, 1, 1, 2, 3, 4, 5, 5]


@pytest.mark.parametrize("n", [0, 1, 5])
def test_fewer_than_six_years_is_refused(n):
    with pytest.raises(trends.TooFewYears, match="too few years for trend segments"):
        trends.fit_joinpoint(list(range(2000, 2000 + n)), [1.0] * n)


@pytest.mark.parametrize(
    ("years", "values", "problem"),
    [
        ([2000, 2001, 2003, 2004, 2005, 2006], [1, 2, 3, 4, 5, 6], "consecutive"),
        ([2000, 2001, 2002, 2003, 2004, 2005], [1, 2, 0, 4, 5, 6], "positive"),
        ([2000, 2001, 2002, 2003, 2004, 2005], [1, 2, float("nan"), 4, 5, 6], "positive"),
    ],
)
def test_bad_arrays_are_refused_with_the_problem(years, values, problem):
    with pytest.raises(trends.TrendInputError, match=problem):
        trends.fit_joinpoint(years, values)


def _frame(values: dict[int, float | None], flags: dict[int, str] | None = None, measure: str = "deaths"):
    flags = flags or {}
    rows = []
    for year, value in values.items():
        rows.append(
            {
                "source_id": "test",
                "geo_level": "nation",
                "geo_code": "US",
                "geo_name": "United States",
                "year": year,
                "period_end_date": pd.Timestamp(year, 12, 31),
                "period_months": 12,
                "drug": "heroin",
                "measure": measure,
                "sex": "all",
                "age_group": "all",
                "race_ethnicity": "all",
                "value": value,
                "value_lower": None,
                "value_upper": None,
                "value_flag": flags.get(year, ""),
                "provenance": "primary",
                "source_detail": "made up for a test",
            }
        )
    frame = pd.DataFrame(rows, columns=list(empty_frame().columns))
    return frame.astype(empty_frame().dtypes.to_dict())


def test_too_few_years_is_a_result_the_page_can_print():
    result = trends.trend(_frame({2019: 10.0, 2020: 12.0, 2021: 14.0}), drug="heroin", measure="deaths")
    assert isinstance(result, trends.NoTrend)
    assert result.reason == "too_few_years"
    assert result.message.startswith("Too few years for trend segments")


def test_gaps_zeros_and_flags_are_left_out_and_named_and_never_bridged():
    values = {year: 100.0 * 1.05 ** (year - 2000) for year in range(2000, 2016)}
    values[2003] = None  # suppressed
    values[2005] = 0.0
    del values[2007]  # no row
    flags = {2003: "suppressed", 2014: "unreliable", 2015: "provisional;underreported"}
    result = trends.trend(_frame(values, flags), drug="heroin", measure="deaths", start_year=2000, end_year=2015)
    assert isinstance(result, trends.TrendFit)
    # Usable years: 2000-02, 2004, 2006, 2008-13; the fit takes only the longest unbroken run.
    assert list(result.model.years) == list(range(2008, 2014))
    reasons = {item.year: item.reason for item in result.left_out}
    assert reasons[2003] == "the publisher marks it suppressed"
    assert reasons[2005].startswith("zero")
    assert reasons[2007] == "no figure for this year in the table"
    assert reasons[2014] == "the publisher marks it unreliable"
    assert reasons[2015] == "the publisher marks it underreported"
    assert reasons[2000].startswith("outside the longest unbroken run")
    assert set(reasons) == {2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2014, 2015}
    assert any("2007 left out" in note for note in result.notes())


def test_two_rows_for_one_year_is_refused(national):
    doubled = pd.concat([national, national.iloc[[0]]], ignore_index=True)
    with pytest.raises(trends.TrendInputError, match=r"more than one row for year\(s\) \[1999\]"):
        trends.trend(doubled, **ALL_DRUG_RATE)


def test_a_flat_noisy_series_changed_little():
    values = {year: v for year, v in zip(range(2000, 2008), [50, 52, 49, 51, 50, 48, 51, 50], strict=True)}
    fit = trends.trend(_frame(values), drug="heroin", measure="deaths")
    assert fit.joinpoints == ()
    assert not fit.segments["is_significant"].iloc[0]
    assert "changed little" in fit.sentences()[0]
    assert "within normal year-to-year variation" in fit.sentences()[0]


def test_a_falling_segment_says_fell_with_sizes_of_the_fall():
    values = {year: 1000 * 0.9 ** (year - 2000) for year in range(2000, 2008)}
    fit = trends.trend(_frame(values), drug="heroin", measure="deaths")
    assert fit.sentences()[0].startswith("From 2000 to 2007 the number of deaths fell about 10% a year")


def test_cli_prints_segments_as_csv(capfdbinary):
    code = cli.main(
        ["trend", "--drug", "all_drugs", "--measure", "age_adjusted_rate_per_100k", "--from", "1999", "--to", "2017"]
    )
    captured = capfdbinary.readouterr()
    assert code == 0
    table = pd.read_csv(io.BytesIO(captured.out))
    assert list(table.columns[:5]) == ["start_year", "end_year", "apc", "apc_lower", "apc_upper"]
    assert list(table.columns) == list(trends.SEGMENT_COLUMNS)
    assert [(r.start_year, r.end_year, round(r.apc)) for r in table.itertuples()] == NCHS_DB329
    assert "Joinpoint regression on 19 years" in captured.err.decode()


def test_cli_says_why_no_trend(capsys):
    code = cli.main(["trend", "--drug", "psychostimulants", "--measure", "deaths"])
    assert code == 1
    assert "Too few years for trend segments" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["trend", "--measure", "deaths"],
        ["trend", "--drug", "all_drugs", "--measure", "deaths", "--table", "nope"],
        ["trend", "--drug", "all_drugs", "--measure", "no_such_measure"],
    ],
)
def test_cli_refuses_bad_arguments(args, capsys):
    try:
        code = cli.main(args)
    except SystemExit as stop:  # argparse refuses unknown choices and missing options itself
        code = int(stop.code or 0)
    assert code == 2
