"""Headline computations: arithmetic checked by hand, refusals for missing or flagged cells."""

import pandas as pd
import pytest

from app import headlines
from data_sources import nchs_national_final


@pytest.fixture(scope="module")
def data():
    return nchs_national_final.load().data


def test_heroin_fold_change_1999_2019(data):
    fold = headlines.fold_change(data, drug="heroin", start=1999, end=2019)
    assert (fold.start.value, fold.end.value) == (1960, 14019)
    assert fold.ratio == pytest.approx(14019 / 1960)  # 7.1525...
    assert fold.label() == "7.2x"
    assert "7.2 times as many in 2019 as in 1999 (14,019 vs 1,960)" in fold.sentence()
    assert "higher" not in fold.sentence()  # "7.2 times higher" would be 8.2 times as many


def test_heroin_sum_1999_2019_matches_cdc_nearly_130000(data):
    total = headlines.year_sum(data, drug="heroin", start=1999, end=2019)
    assert total.total == 129587
    assert len(total.cells) == 21


def test_latest_total(data):
    latest = headlines.latest_cell(data, drug="all_drugs")
    assert (latest.year, latest.value) == (2023, 105007)


def test_a_decrease_is_said_as_times_as_many_the_other_way(data):
    fold = headlines.fold_change(data, drug="heroin", start=2017, end=2021)
    assert "times as many in 2017 as in 2021" in fold.sentence()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"drug": "heroin", "start": 1999, "end": 2020}, "No sourced figure"),
        ({"drug": "heroin", "start": 2019, "end": 2019}, "two different years"),
        ({"drug": "fentanil", "start": 1999, "end": 2019}, "Unknown drug"),
    ],
)
def test_fold_change_refuses_with_reason(data, kwargs, message):
    with pytest.raises(headlines.FigureUnavailable, match=message):
        headlines.fold_change(data, **kwargs)


def test_suppressed_and_unreliable_cells_are_refused(data):
    rows = data[(data.drug == "heroin") & (data.measure == "deaths") & data.year.isin([1999, 2019])].copy()
    rows.loc[rows.year == 1999, ["value", "value_flag"]] = [pd.NA, "suppressed"]
    with pytest.raises(headlines.FigureUnavailable, match="suppressed"):
        headlines.fold_change(rows, drug="heroin", start=1999, end=2019)
    rows.loc[rows.year == 1999, ["value", "value_flag"]] = [5.0, "unreliable"]
    with pytest.raises(headlines.FigureUnavailable, match="unreliable"):
        headlines.fold_change(rows, drug="heroin", start=1999, end=2019)


def test_rates_cannot_be_summed(data):
    with pytest.raises(headlines.FigureUnavailable, match="only counts"):
        headlines.year_sum(data, drug="heroin", start=1999, end=2005, measure="age_adjusted_rate_per_100k")
