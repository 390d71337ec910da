"""Change between two periods: intervals, "within normal variation", sentences, refusals."""

import pandas as pd
import pytest
from scipy import stats

from data_sources import change, nchs_national_final, nchs_state_drug_poisoning


def test_87_versus_85_deaths_is_within_normal_variation():
    c = change.count_change(87, 85, label_now="2023", label_before="2022")
    assert c.difference == 2
    assert c.percent == pytest.approx(100 * (87 / 85 - 1))
    assert c.percent_lower < 0 < c.percent_upper
    assert not c.is_clear
    assert c.sentence() == (
        "Deaths went from 85 in 2022 to 87 in 2023 (+2%, 95% CI -25% to +40%): within normal year-to-year variation"
    )


def test_exact_interval_inverts_the_binomial_test():
    """At the interval's ends the conditional binomial test is exactly at the 2.5% tail (Clopper-Pearson)."""
    c = change.count_change(87, 85)
    p_low = c.ratio_lower / (1 + c.ratio_lower)
    p_high = c.ratio_upper / (1 + c.ratio_upper)
    assert stats.binom.sf(86, 172, p_low) == pytest.approx(0.025)
    assert stats.binom.cdf(87, 172, p_high) == pytest.approx(0.025)


def test_a_large_change_is_clear():
    # Final all-drug deaths, 2016 and 2017 (NCHS Data Brief 329: 63,632 and 70,237).
    c = change.count_change(70237, 63632, label_now="2017", label_before="2016")
    assert c.is_clear
    assert c.percent_lower > 0
    assert c.sentence() == "Deaths rose 10% from 63,632 in 2016 to 70,237 in 2017 (95% CI 9% to 12%)"


def test_a_fall_is_said_with_sizes_of_the_fall():
    c = change.count_change(4062, 15551, label_now="2023", label_before="2016", subject="heroin deaths")
    assert c.is_clear
    assert c.sentence().startswith("Heroin deaths fell 74% from 15,551 in 2016 to 4,062 in 2023 (95% CI 73% to 75%)")


def test_a_ratio_of_two_or_more_is_said_as_times_as_many():
    c = change.count_change(15469, 3036, label_now="2016", label_before="2010", subject="heroin deaths")
    assert c.sentence() == (
        "There were 5.1 times as many heroin deaths in 2016 (15,469) as in 2010 (3,036) (95% CI 4.9 to 5.3 times)"
    )


def test_rate_change_from_death_counts_matches_nchs_9_6_percent():
    # NCHS Data Brief 329: "The age-adjusted rate of drug overdose deaths in 2017 (21.7 per 100,000) was 9.6%
    # higher than the rate in 2016 (19.8)."
    c = change.rate_change(21.7, 19.8, deaths_now=70237, deaths_before=63632, label_now="2017", label_before="2016")
    assert round(c.percent, 1) == 9.6
    assert c.is_clear
    assert "death counts" in c.method
    assert c.sentence() == "The rate rose 10% from 19.8 in 2016 to 21.7 in 2017 (95% CI 8% to 11%)"


def test_rate_change_from_standard_errors():
    c = change.rate_change(10.0, 9.0, se_now=0.5, se_before=0.5)
    log_se = ((0.5 / 10) ** 2 + (0.5 / 9) ** 2) ** 0.5
    assert c.ratio_upper == pytest.approx(10 / 9 * 2.718281828459045 ** (1.959963984540054 * log_se))
    assert not c.is_clear
    assert "standard errors" in c.method


def test_few_deaths_carry_a_caveat():
    c = change.rate_change(2.1, 1.9, deaths_now=40, deaths_before=36)
    assert "fewer than 100 deaths" in c.caveat
    assert c.sentence().endswith("so the interval is rough")


@pytest.mark.parametrize(
    ("now", "before", "problem"),
    [(87, 0, "from zero"), (87.5, 85, "whole number"), (-1, 85, "whole number"), (None, 85, "missing")],
)
def test_bad_counts_are_refused(now, before, problem):
    with pytest.raises(change.ChangeInputError, match=problem):
        change.count_change(now, before)


def test_a_rate_without_se_or_deaths_is_refused():
    with pytest.raises(change.ChangeInputError, match="uncertainty is unknown"):
        change.rate_change(21.7, 19.8)


def test_change_between_reads_the_tidy_frame():
    national = nchs_national_final.load().data
    c = change.change_between(national, drug="all_drugs", measure="deaths", year_now=2017, year_before=2016)
    assert isinstance(c, change.Change)
    assert (c.value_before, c.value_now) == (63632, 70237)
    # 95ax-ymtc limits (state_drug_poisoning, unrounded) give the SE route.
    states = nchs_state_drug_poisoning.load().data
    r = change.change_between(
        states, drug="all_drugs", measure="age_adjusted_rate_per_100k", year_now=2017, year_before=2016
    )
    assert "standard errors" in r.method and r.is_clear


def test_change_between_says_why_not():
    national = nchs_national_final.load().data
    missing = change.change_between(
        national, drug="synthetic_opioids", measure="deaths", year_now=2020, year_before=2019
    )
    assert isinstance(missing, change.NoChange)
    assert missing.reason == "no_data" and "2020" in missing.message
    # The 2022 rate exists but no 2022 death count does, so its uncertainty is unknown.
    no_se = change.change_between(
        national, drug="synthetic_opioids", measure="age_adjusted_rate_per_100k", year_now=2022, year_before=2021
    )
    assert isinstance(no_se, change.NoChange)
    assert "uncertainty is unknown" in no_se.message


def test_change_between_refuses_flagged_values():
    national = nchs_national_final.load().data.copy()
    row = (national.drug == "heroin") & (national.measure == "deaths") & (national.year == 2017)
    national.loc[row, "value"] = pd.NA
    national.loc[row, "value_flag"] = "suppressed"
    result = change.change_between(national, drug="heroin", measure="deaths", year_now=2017, year_before=2016)
    assert isinstance(result, change.NoChange)
    assert result.message == "The 2017 heroin deaths in US figure is suppressed: the change cannot be worked out."


def test_provisional_flags_are_kept():
    c = change.count_change(107573, 92478, flags=("provisional",))
    assert c.flags == ("provisional",)


@pytest.mark.parametrize(
    ("values", "signed", "expected"),
    [
        ((15.7, 13.4, 18.1), False, ("16%", "13%", "18%")),
        ((2.0, 0.37, 3.7), False, ("2.0%", "0.4%", "3.7%")),
        ((2.35, -24.97, 39.7), True, ("+2%", "-25%", "+40%")),
        ((0.0, -0.04, 0.3), True, ("0.0%", "0.0%", "+0.3%")),
    ],
)
def test_format_percents(values, signed, expected):
    assert change.format_percents(*values, signed=signed) == expected
