"""Chart builders (core): figure structure, not pixels."""

import pytest

from app import rows as select
from app import words
from app.charts import risk_charts, style, trends
from data_sources import nchs_national_final
from data_sources.trends import LeftOut


@pytest.fixture(scope="module")
def national():
    return nchs_national_final.load()


def test_trend_chart_one_trace_per_drug_in_standard_order(national):
    fig = trends.trend_chart(national.data, drugs=["heroin", "all_drugs"], measure="deaths")
    assert [t.name for t in fig.data] == ["All drug overdoses", "Heroin"]
    # the unit is written across, under the title, not turned on its side beside the axis
    assert fig.layout.title.subtitle.text == "Deaths" and not fig.layout.yaxis.title.text


def test_missing_years_are_gaps_not_zeros(national):
    fig = trends.trend_chart(national.data, drugs=["synthetic_opioids"], measure="deaths")
    points = dict(zip(fig.data[0].x, fig.data[0].y, strict=True))
    assert points[2019] == 36359 and points[2021] == 70601
    assert points[2020] != points[2020]  # NaN: no sourced 2020 count, drawn as a gap
    assert fig.data[0].connectgaps is False


def test_series_differ_by_dash_and_marker_not_only_colour(national):
    fig = trends.trend_chart(national.data, drugs=["heroin", "all_drugs", "cocaine"], measure="deaths")
    assert len({t.line.dash for t in fig.data}) == 3
    assert len({t.marker.symbol[0] for t in fig.data}) == 3


def test_secondary_figures_get_hollow_markers(national):
    fig = trends.trend_chart(national.data, drugs=["heroin"], measure="deaths")
    symbols = dict(zip(fig.data[0].x, fig.data[0].marker.symbol, strict=True))
    assert symbols[2019].endswith("-open") and not symbols[1999].endswith("-open")


def test_year_range_log_scale_and_waves(national):
    fig = trends.trend_chart(national.data, drugs=["heroin"], years=(2005, 2015), log_y=True)
    assert min(fig.data[0].x) == 2005 and max(fig.data[0].x) == 2015
    assert fig.layout.yaxis.type == "log"
    assert [a.text for a in fig.layout.annotations] == ["Wave 2", "Wave 3"]
    no_waves = trends.trend_chart(national.data, drugs=["heroin"], show_waves=False)
    assert not no_waves.layout.annotations


def test_rate_chart_carries_unit(national):
    fig = trends.trend_chart(national.data, drugs=["heroin"], measure="age_adjusted_rate_per_100k")
    assert "per 100,000" in fig.layout.title.subtitle.text


def test_source_line_names_only_sources_shown(national):
    shown = select.national_series(national.data, drugs=["heroin"], measure="deaths", years=(1999, 2010))
    line = words.source_line(national, shown)
    assert line.startswith("Source: ") and "Drug Overdose Death Rates" in line
    assert "Data Brief" not in line and "Figures as of" in line


def test_summary_states_first_last_and_peak(national):
    sentences = words.trend_summary(national.data, drugs=["heroin"], years=(1999, 2019))
    assert sentences == ["Heroin: 1,960 in 1999, 14,019 in 2019 (deaths); highest 15,482 in 2017."]


def test_trend_choices_are_the_same_for_counts_and_rates(national):
    """One option list for both measures, so switching keeps the reader's drugs (and the permalink)."""
    choices = select.trend_drug_choices(national.data, ["deaths", "age_adjusted_rate_per_100k"])
    assert {"rx_opioids", "rx_opioids_incl_methadone", "heroin"} <= set(choices)
    # counts exist only for prescription opioids incl. methadone (NIDA), rates only for T40.2 (NCHS)
    assert select.missing_series(national.data, drugs=["heroin", "rx_opioids"], measure="deaths") == ["rx_opioids"]
    assert select.missing_series(
        national.data, drugs=["heroin", "rx_opioids_incl_methadone"], measure="age_adjusted_rate_per_100k"
    ) == ["rx_opioids_incl_methadone"]


# --- icon arrays -------------------------------------------------------------------------------------------


def _points(fig, name_start: str) -> list[int]:
    return [sum(x is not None for x in t.x) for t in fig.data if t.name.startswith(name_start)]


def test_icon_array_of_100_draws_every_person():
    fig = risk_charts.icon_array_chart([("Group A", 12.4), ("Group B", 3.0)], per=100, outcome="Had it", title="t")
    assert _points(fig, "Had it") == [12, 3]
    assert _points(fig, "Did not") == [88, 97]
    assert not fig.layout.shapes
    assert [t.showlegend for t in fig.data] == [True, True, False, False]  # one legend entry per kind


def test_icon_array_of_10000_draws_the_rest_as_one_block_per_panel():
    """20,000 SVG circles are too slow to draw; the people without the outcome become one pale block each,
    sized to the whole grid, behind the filled dots."""
    fig = risk_charts.icon_array_chart([("Used", 39.0), ("Did not use", 2.0)], per=10_000, outcome="Started", title="t")
    assert _points(fig, "Started") == [39, 2]
    assert _points(fig, "Did not") == [0, 0]  # legend only
    assert len(fig.layout.shapes) == 2 and all(s.layer == "below" for s in fig.layout.shapes)
    assert {(s.x0, s.x1, s.y0, s.y1) for s in fig.layout.shapes} == {(-0.5, 99.5, -0.5, 99.5)}
    assert list(fig.layout.xaxis.range) == [-0.5, 99.5] and list(fig.layout.yaxis2.range) == [-0.5, 99.5]
    assert sum(len(t.x) for t in fig.data) < 100  # nothing like 20,000 markers


@pytest.mark.parametrize(
    ("years", "text"),
    [
        ([2010], "2010"),
        ([1999, 2000, 2001, 2005], "1999-2001 and 2005"),
        ([2005, 1999, 2000, 2010, 2011], "1999-2000, 2005 and 2010-2011"),
    ],
)
def test_year_spans(years, text):
    assert words.year_spans(years) == text


def test_left_out_years_are_said_once_per_reason():
    left = [
        LeftOut(1999, "no value"),
        LeftOut(2000, "no value"),
        LeftOut(2003, "unreliable"),
        LeftOut(2004, "no value"),
    ]
    assert words.left_out_words(left) == "1999-2000 and 2004 left out: no value. 2003 left out: unreliable."


# --- the shared layout: phones, laptops, projectors --------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "wrapped"),
    [
        # a title wrapped for a wider line is re-flowed, not left with a one-word line
        (
            "All drug overdoses: 6.2 times as many deaths<br>in 2023 as in 1999",
            "All drug overdoses: 6.2 times as many<br>deaths in 2023 as in 1999",
        ),
        ("Short", "Short"),
        ("Title<br><sup>Deaths, United States</sup>", "Title<br><sup>Deaths, United States</sup>"),
        ("Bold <b>in</b> the middle, left as written", "Bold <b>in</b> the middle, left as written"),
    ],
)
def test_titles_wrap_to_a_phone(title, wrapped):
    assert style.wrap_title(title) == wrapped
    assert all(len(line) <= style.TITLE_WIDTH for line in style.wrap_title(title).split("<br>") if "<" not in line)


def test_small_print_becomes_the_subtitle_and_the_unit_is_not_repeated(national):
    title = "All drug overdoses: 6.2 times as many deaths<br>in 2023 as in 1999<br><sup>Deaths, United States</sup>"
    fig = trends.trend_chart(national.data, drugs=["all_drugs"], measure="deaths", title=title)
    assert fig.layout.title.text == "All drug overdoses: 6.2 times as many<br>deaths in 2023 as in 1999"
    assert fig.layout.title.subtitle.text == "Deaths, United States"


def test_title_block_clears_the_mode_bar_and_the_legend_stacks_under_the_axis(national):
    """The top margin holds the mode bar's strip, the title's first line and the padding below it (where the rest
    of the title, the subtitle and the wave labels hang); the legend is anchored to the figure's bottom."""
    fig = trends.trend_chart(national.data, drugs=["heroin"], measure="deaths", show_waves=True)
    first, rest = style._title_block(fig)
    assert fig.layout.title.pad.b == rest + style.TITLE_GAP + 24  # 24 px for the wave labels
    assert fig.layout.margin.t == style.MODEBAR_ROOM + first + fig.layout.title.pad.b
    assert fig.layout.title.automargin is False
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0


def test_retitle_keeps_the_room_a_chart_keeps_above_its_plot(national):
    fig = trends.trend_chart(national.data, drugs=["heroin"], measure="deaths", show_waves=True)
    style.retitle(fig, size=28, subtitle_size=20, room_scale=2)
    first, rest = style._title_block(fig)
    assert fig.layout.title.pad.b == rest + 2 * (style.TITLE_GAP + 24)
    assert fig.layout.margin.t == style.MODEBAR_ROOM + first + fig.layout.title.pad.b


def test_risk_chart_writes_each_label_above_its_dot_across_the_plot():
    """On a phone a column of labels beside the plot left it ~100 px wide: each label now stands above its dot,
    from the plot's left edge, and the y-axis draws nothing."""
    from data_sources import risk

    ratios = risk.ratio_rows(risk.load().data)
    fig = risk_charts.risk_chart(ratios)
    questions = ratios["question"].nunique()
    labels = [a for a in fig.layout.annotations if a.yanchor == "top"]
    assert len(labels) == len(ratios) and all(a.x == 0 and a.xanchor == "left" for a in labels)
    assert all(axis.visible is False for axis in fig.select_yaxes())
    # the shared axis's title is under the bottom panel, where its numbers are
    titled = [axis for axis in fig.select_xaxes() if axis.title.text]
    assert len(titled) == 1 and titled[0] == fig.layout[f"xaxis{questions}"]
    # every dot lies under its own label, inside its panel
    for trace in fig.data:
        panel = fig.layout[trace.yaxis.replace("y", "yaxis")]
        assert all(0 < y < panel.range[1] for y in trace.y)
