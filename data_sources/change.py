"""Is a change between two periods real? Percent change with a 95% confidence interval, in plain words.

Two kinds of figure, two methods:

* Death counts (:func:`count_change`): the deaths in each period are treated as Poisson counts, the same
  assumption behind NCHS's ``rate / sqrt(deaths)`` standard error. Given the total ``now + before``, ``now`` is
  binomial with probability ``R / (1 + R)``, ``R`` the ratio of the two underlying rates of occurrence; the
  exact (Clopper-Pearson) interval for that probability gives an exact conditional interval for ``R`` and so
  for the percent change ``100 * (R - 1)``. The count is not adjusted for population change.
* Rates (:func:`rate_change`): the log-normal approximation ``var(ln R) = (SE_now / now)^2 + (SE_before /
  before)^2``, with each SE given, or taken from the rate's death count as NCHS does (SE of a rate ≈
  ``rate / sqrt(deaths)``), so ``var(ln R) ≈ 1 / d_now + 1 / d_before``. Such normal approximations are
  what NCHS and CDC WONDER use for rates based on 100 or more deaths (they switch to gamma-based intervals
  below that); below 100 deaths the result says its interval is rough.

A change "is clear" when its 95% interval excludes zero; otherwise the sentence says it is "within normal
year-to-year variation". :func:`change_between` reads both values from a tidy frame and gives a
:class:`NoChange` (a message the page prints) when a value is missing, withheld or flagged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

# scipy.special has the quantile functions this needs without scipy.stats' ~45 MB more per server process.
from scipy.special import betaincinv, ndtri

from data_sources.schema import split_flags

#: Flags that keep a value out of a comparison (withheld, too few deaths, low quality, incomplete).
EXCLUDED_FLAGS: frozenset[str] = frozenset(
    {"suppressed", "missing", "not_applicable", "unreliable", "low_quality", "underreported"}
)
#: NCHS's threshold for the normal approximation to a rate's confidence interval.
NORMAL_APPROXIMATION_MIN_DEATHS = 100
#: From this ratio up, a rise is said as "N times as many" rather than as a percent.
TIMES_AS_MANY_FROM = 2.0

Kind = Literal["count", "rate"]

_Z95 = float(ndtri(0.975))


class ChangeInputError(ValueError):
    """Values a change cannot be worked out from; the message names the value and the problem."""


@dataclass(frozen=True)
class Change:
    """A change from ``value_before`` to ``value_now`` with its 95% confidence interval.

    ``percent`` = 100 * (ratio - 1); ``percent_lower``/``percent_upper`` bound it; ``difference`` is
    ``value_now - value_before`` with its own interval. ``is_clear``: the percent interval excludes 0.
    ``method`` names how the interval was worked out; ``caveat`` says when that method is rough; ``flags``
    keeps the publisher's qualifiers of either value (e.g. provisional).
    """

    kind: Kind
    value_now: float
    value_before: float
    difference: float
    difference_lower: float
    difference_upper: float
    ratio: float
    ratio_lower: float
    ratio_upper: float
    percent: float
    percent_lower: float
    percent_upper: float
    is_clear: bool
    method: str
    label_now: str = ""
    label_before: str = ""
    subject: str = ""
    caveat: str = ""
    flags: tuple[str, ...] = ()

    def sentence(self) -> str:
        """Plain words: "Deaths rose 10% from 63,632 in 2016 to 70,237 in 2017 (95% CI 9% to 11%)", or
        "... : within normal year-to-year variation" when the interval includes zero."""
        subject = self.subject or ("deaths" if self.kind == "count" else "the rate")
        now, before = _value_words(self.value_now, self.kind), _value_words(self.value_before, self.kind)
        at_now = f" in {self.label_now}" if self.label_now else ""
        at_before = f" in {self.label_before}" if self.label_before else ""
        if not self.is_clear:
            est, low, high = format_percents(self.percent, self.percent_lower, self.percent_upper, signed=True)
            text = (
                f"{_capital(subject)} went from {before}{at_before} to {now}{at_now} ({est}, 95% CI {low} to {high}): "
                "within normal year-to-year variation"
            )
        elif self.ratio >= TIMES_AS_MANY_FROM:
            ratio, low, high = (_times(v) for v in (self.ratio, self.ratio_lower, self.ratio_upper))
            when_now = f"in {self.label_now}" if self.label_now else "now"
            when_before = f"in {self.label_before}" if self.label_before else "before"
            if self.kind == "count":
                text = f"There were {ratio} times as many {subject} {when_now} ({now}) as {when_before} ({before})"
            else:
                text = f"{_capital(subject)} {when_now} ({now}) was {ratio} times as high as {when_before} ({before})"
            text += f" (95% CI {low} to {high} times)"
        else:
            verb = "rose" if self.percent > 0 else "fell"
            if self.percent > 0:
                est, low, high = format_percents(self.percent, self.percent_lower, self.percent_upper)
            else:
                est, low, high = format_percents(-self.percent, -self.percent_upper, -self.percent_lower)
            text = (
                f"{_capital(subject)} {verb} {est} from {before}{at_before} to {now}{at_now} (95% CI {low} to {high})"
            )
        return text + (f". {self.caveat}" if self.caveat else "")


@dataclass(frozen=True)
class NoChange:
    """No change could be worked out; ``message`` says why, in words the page prints as is."""

    reason: str
    message: str


def count_change(
    now: float,
    before: float,
    *,
    label_now: str = "",
    label_before: str = "",
    subject: str = "deaths",
    flags: Sequence[str] = (),
) -> Change:
    """Percent change between two death counts with the exact conditional (binomial) 95% interval.

    Raises :class:`ChangeInputError` when a count is missing, negative or not a whole number, or when the
    earlier count is 0 (no percent change from zero).
    """
    a, b = _whole(now, label_now or "later"), _whole(before, label_before or "earlier")
    if b == 0:
        raise ChangeInputError("the earlier count is 0: a percent change from zero is not defined")
    total = a + b
    # beta.ppf(q, a, b) is the inverse regularised incomplete beta function betaincinv(a, b, q).
    p_low = 0.0 if a == 0 else float(betaincinv(a, b + 1, 0.025))
    p_high = float(betaincinv(a + 1, b, 0.975))
    ratio = a / b
    ratio_low = p_low / (1 - p_low)
    ratio_high = p_high / (1 - p_high)
    spread = _Z95 * math.sqrt(total)
    return Change(
        kind="count",
        value_now=float(a),
        value_before=float(b),
        difference=float(a - b),
        difference_lower=a - b - spread,
        difference_upper=a - b + spread,
        ratio=ratio,
        ratio_lower=ratio_low,
        ratio_upper=ratio_high,
        percent=100 * (ratio - 1),
        percent_lower=100 * (ratio_low - 1),
        percent_upper=100 * (ratio_high - 1),
        is_clear=bool(ratio_low > 1 or ratio_high < 1),
        method="exact conditional binomial interval for the ratio of two Poisson counts",
        label_now=label_now,
        label_before=label_before,
        subject=subject,
        flags=tuple(flags),
    )


def rate_change(
    now: float,
    before: float,
    *,
    se_now: float | None = None,
    se_before: float | None = None,
    deaths_now: float | None = None,
    deaths_before: float | None = None,
    label_now: str = "",
    label_before: str = "",
    subject: str = "the rate",
    flags: Sequence[str] = (),
) -> Change:
    """Percent change between two rates with a log-normal 95% interval.

    Each rate's standard error is ``se_*`` when given, else ``rate / sqrt(deaths_*)`` (NCHS). Raises
    :class:`ChangeInputError` when a rate is missing or not positive, or neither its SE nor its deaths are
    known (the uncertainty cannot then be worked out).
    """
    which_now, which_before = label_now or "later", label_before or "earlier"
    r1, r0 = _positive(now, which_now), _positive(before, which_before)
    s1 = _standard_error(r1, se_now, deaths_now, which_now)
    s0 = _standard_error(r0, se_before, deaths_before, which_before)
    log_se = math.sqrt((s1 / r1) ** 2 + (s0 / r0) ** 2)
    z = _Z95
    ratio = r1 / r0
    ratio_low, ratio_high = ratio * math.exp(-z * log_se), ratio * math.exp(z * log_se)
    diff_se = math.sqrt(s1**2 + s0**2)
    given = sum(se is not None and not pd.isna(se) for se in (se_now, se_before))
    source = ("death counts (SE = rate/sqrt(deaths))", "a standard error and a death count", "standard errors")[given]
    few = [d for d in (deaths_now, deaths_before) if d is not None and d < NORMAL_APPROXIMATION_MIN_DEATHS]
    caveat = (
        f"Based on fewer than {NORMAL_APPROXIMATION_MIN_DEATHS} deaths in a year, so the interval is rough"
        if few
        else ""
    )
    return Change(
        kind="rate",
        value_now=r1,
        value_before=r0,
        difference=r1 - r0,
        difference_lower=r1 - r0 - z * diff_se,
        difference_upper=r1 - r0 + z * diff_se,
        ratio=ratio,
        ratio_lower=ratio_low,
        ratio_upper=ratio_high,
        percent=100 * (ratio - 1),
        percent_lower=100 * (ratio_low - 1),
        percent_upper=100 * (ratio_high - 1),
        is_clear=bool(ratio_low > 1 or ratio_high < 1),
        method="log-normal approximation from " + source,
        label_now=label_now,
        label_before=label_before,
        subject=subject,
        caveat=caveat,
        flags=tuple(flags),
    )


def change_between(
    frame: pd.DataFrame,
    *,
    drug: str,
    measure: str,
    year_now: int,
    year_before: int,
    geo_code: str = "US",
    sex: str = "all",
    age_group: str = "all",
    race_ethnicity: str = "all",
) -> Change | NoChange:
    """The change in one series of a tidy frame between two calendar years (12-month periods ending December).

    Counts (``deaths``, ``predicted_deaths``) use :func:`count_change`; rates use :func:`rate_change` with the
    rows' 95% limits when both have them, else the same series' deaths. Returns :class:`NoChange` when a year
    has no row, its value is withheld or flagged (``EXCLUDED_FLAGS``), or a rate has no SE or deaths.
    """
    identity = {
        "drug": drug,
        "measure": measure,
        "geo_code": geo_code,
        "sex": sex,
        "age_group": age_group,
        "race_ethnicity": race_ethnicity,
    }
    label = f"{drug} {measure} in {geo_code}"
    rows = {year: _year_row(frame, identity, year) for year in (year_now, year_before)}
    usable: dict[int, pd.Series] = {}
    for year, row in rows.items():
        if row is None:
            return NoChange("no_data", f"No {label} figure for {year}: the change cannot be worked out.")
        bad = [f for f in split_flags(row["value_flag"]) if f in EXCLUDED_FLAGS]
        if bad or pd.isna(row["value"]):
            why = " and ".join(bad) or "missing"
            return NoChange("flagged", f"The {year} {label} figure is {why}: the change cannot be worked out.")
        usable[year] = row
    now, before = usable[year_now], usable[year_before]
    flags = tuple(sorted({f for row in (now, before) for f in split_flags(row["value_flag"])}))
    label_now, label_before = str(year_now), str(year_before)
    try:
        if measure in ("deaths", "predicted_deaths"):
            return count_change(
                now["value"], before["value"], label_now=label_now, label_before=label_before, flags=flags
            )
        limits = [row[col] for row in (now, before) for col in ("value_lower", "value_upper")]
        if all(pd.notna(v) for v in limits):
            z2 = 2 * _Z95
            return rate_change(
                now["value"],
                before["value"],
                se_now=(now["value_upper"] - now["value_lower"]) / z2,
                se_before=(before["value_upper"] - before["value_lower"]) / z2,
                label_now=label_now,
                label_before=label_before,
                flags=flags,
            )
        deaths = {y: _year_row(frame, {**identity, "measure": "deaths"}, y) for y in (year_now, year_before)}
        counts = {y: (None if r is None or pd.isna(r["value"]) else float(r["value"])) for y, r in deaths.items()}
        return rate_change(
            now["value"],
            before["value"],
            deaths_now=counts[year_now],
            deaths_before=counts[year_before],
            label_now=label_now,
            label_before=label_before,
            flags=flags,
        )
    except ChangeInputError as err:
        return NoChange("cannot_compute", f"{label}, {year_before} to {year_now}: {err}.")


def format_percents(*values: float, signed: bool = False) -> tuple[str, ...]:
    """Percents for one sentence, with the same decimals: whole numbers when every value is at least 1%, one
    decimal otherwise (``format_percents(15.7, 13.4, 18.1) == ("16%", "13%", "18%")``). ``signed`` puts a "+"
    on positive values."""
    decimals = 0 if all(abs(v) >= 0.995 for v in values) else 1
    out = []
    for value in values:
        text = f"{abs(value):.{decimals}f}"
        is_zero = float(text) == 0
        sign = "-" if value < 0 and not is_zero else ("+" if signed and value > 0 and not is_zero else "")
        out.append(f"{sign}{text}%")
    return tuple(out)


def _year_row(frame: pd.DataFrame, identity: dict[str, str], year: int) -> pd.Series | None:
    mask = (frame["year"] == year) & (frame["period_months"] == 12)
    mask &= pd.to_datetime(frame["period_end_date"]).dt.month == 12
    for col, wanted in identity.items():
        mask &= frame[col] == wanted
    found = frame.loc[mask]
    if len(found) > 1:
        raise ChangeInputError(f"{len(found)} rows for {identity} in {year}; one is needed")
    return None if found.empty else found.iloc[0]


def _whole(value: float | None, which: str) -> int:
    if value is None or pd.isna(value):
        raise ChangeInputError(f"the {which} count is missing")
    number = float(value)
    if number < 0 or number != round(number):
        raise ChangeInputError(f"the {which} count {value!r} is not a whole number of deaths")
    return int(number)


def _positive(value: float | None, which: str) -> float:
    if value is None or pd.isna(value):
        raise ChangeInputError(f"the {which} rate is missing")
    number = float(value)
    if not number > 0:
        raise ChangeInputError(f"the {which} rate {value!r} is not above zero")
    return number


def _standard_error(rate: float, se: float | None, deaths: float | None, which: str) -> float:
    if se is not None and not pd.isna(se):
        if not se > 0:
            raise ChangeInputError(f"the {which} standard error {se!r} is not above zero")
        return float(se)
    if deaths is not None and not pd.isna(deaths):
        if not deaths > 0:
            raise ChangeInputError(f"the {which} death count {deaths!r} is not above zero")
        return rate / math.sqrt(float(deaths))
    raise ChangeInputError(f"no standard error or death count for the {which} rate, so its uncertainty is unknown")


def _value_words(value: float, kind: Kind) -> str:
    return f"{value:,.0f}" if kind == "count" else f"{value:,.1f}"


def _times(ratio: float) -> str:
    return f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
