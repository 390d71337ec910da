"""Charts of a reader's uploaded CDC WONDER export: series, gaps for withheld values, and their summary."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from paths import FIXTURES

from app import rows as select
from app import words
from app.charts import trends
from data_sources import wonder


def load(name: str) -> tuple[wonder.WonderExport, pd.DataFrame]:
    export = wonder.read_export(FIXTURES / name)
    return export, wonder.tidy(export)


def test_upload_chart_lines_gaps_and_summary():

    _, data = load("wonder_county_year_heroin.txt")
    choices = select.upload_series_choices(data, measure="deaths")
    assert choices == ["Baldwin County, AL", "Autauga County, AL"]  # largest total first
    fig = trends.upload_chart(data, measure="deaths", series=choices, title="Deaths")
    assert [t.name for t in fig.data] == choices
    autauga = fig.data[1]
    assert list(autauga.x) == [2018, 2019, 2020]
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"  # never "2,018.5"
    assert math.isnan(autauga.y[0]) and autauga.connectgaps is False  # suppressed: a gap, never zero
    summary = words.upload_chart_summary(data, measure="deaths", series=choices)
    assert (
        summary[1] == "Autauga County, AL: 12 in 2019, 27 in 2020; 1 value(s) withheld by CDC (suppressed, "
        "unreliable or not applicable)."
    )


def test_upload_chart_marks_unreliable_figures_and_uses_bars_for_one_period():

    _, data = load("wonder_sex_age_cocaine.txt")
    choices = select.upload_series_choices(data, measure="crude_rate_per_100k")
    assert "female, 25-34" in choices and "male, not stated" in choices
    fig = trends.upload_chart(data, measure="crude_rate_per_100k", series=choices, title="Rate")
    assert {t.type for t in fig.data} == {"bar"}
    female = next(t for t in fig.data if t.name == "female, 25-34")
    assert list(female.marker.pattern.shape) == ["/"] and list(female.y) == [pytest.approx(2.1534)]


def test_upload_chart_monthly_axis():

    _, data = load("wonder_state_month_synthetic.txt")
    fig = trends.upload_chart(data, measure="deaths", series=["Delaware", "Vermont"], title="Deaths")
    assert fig.layout.xaxis.title.text == "Month"
    assert [str(x)[:10] for x in fig.data[0].x] == ["2020-01-31", "2020-02-29"]
