"""Joinpoint trends: where a yearly series changed pace, and how fast it rose or fell in each stretch.

This is the segmented log-linear regression of NCI's Joinpoint Regression Program (Kim HJ, Fay MP, Feuer EJ,
Midthune DN. Permutation tests for joinpoint regression with applications to cancer rates. Stat Med
2000;19:335-351; https://surveillance.cancer.gov/help/joinpoint), the method NCHS uses for the trend sentences
of its Data Briefs, e.g. NCHS Data Brief 329: "The rate increased on average by 10% per year from 1999 through
2006, by 3% per year from 2006 through 2014, and by 16% per year from 2014 through 2017"
(https://www.cdc.gov/nchs/products/databriefs/db329.htm). The unit tests check that the bundled all-drug
age-adjusted rate 1999-2017 gives those joinpoints and APCs.

The method, setting by setting (Joinpoint's names and defaults):

* Model: ``ln(y) = b0 + b1*x + sum_j d_j * (x - tau_j)+``, straight lines on the log scale joined at the
  joinpoints ``tau_j``; each segment's slope ``s`` is an annual percent change ``APC = 100 * (exp(s) - 1)``.
* Grid search: joinpoints sit on observed years; at least 2 observations between a joinpoint and either end
  of the series and at least 2 between two joinpoints (joinpoints themselves not counted).
* Weights (heteroscedastic errors): weighted least squares with weight ``1 / var(ln y)``. With a standard
  error, ``var(ln y) ~ (SE / y)^2`` (Joinpoint's "standard error" option; SE from the publisher's 95%
  limits as ``(upper - lower) / 3.92``). With a death count ``d`` behind a rate or count,
  ``var(ln y) ~ 1 / d`` (NCHS: the SE of an age-adjusted rate is about ``rate / sqrt(d)``). Otherwise
  constant variance. The weights are relative: the residual variance is estimated from the fit, as Joinpoint
  does, because yearly national rates scatter more than Poisson counting error alone.
* Number of joinpoints: 0 up to Joinpoint's recommended maximum for the number of observations (0-6: 0,
  7-11: 1, 12-16: 2, 17-21: 3, 22-26: 4, 27 or more: 5), lowered when the segment rules leave no room.
* Model selection, ``method="wbic"`` (the default, as in Joinpoint since version 5.0): the weighted BIC of
  Joinpoint's help (https://surveillance.cancer.gov/help/joinpoint/setting-parameters/method-and-parameters-tab/
  model-selection-method/weighted-bic-wbic; Kim HJ, Chen HS, Midthune D, Wheeler B, Buckman DW, Green D, Byrne J,
  Luo J, Feuer EJ. Data-driven choice of a model selection method in joinpoint regression. J Appl Stat
  2023;50(9):1992-2013, doi:10.1080/02664763.2022.2063265):
  ``WBIC(k) = ln(SSE_k / n) + ((2 + R2max) k + 2) ln(n) / n``, that is ``BIC * (1 - R2max) + BIC3 * R2max``,
  where ``R2max`` is the largest partial R^2 of the k-joinpoint model's joinpoints (:func:`_wbic_weight` says
  how each is computed), smallest wins (a tie goes to fewer joinpoints). A large change of slope gets nearly
  BIC3's harsher penalty, a small one nearly the BIC's. Joinpoint 5.0 made it the default
  (https://surveillance.cancer.gov/help/joinpoint/joinpoint-5-0-default-settings-changes). It reproduces NCHS
  Data Brief 329, and on all-drug deaths 1999-2023 it finds the 2014 change of pace that BIC3 misses. In the
  seeded simulation of ``bench/fits.py`` (:func:`bench.fits.selection_rates`: straight lines on the log scale
  with noise, 19 and 25 years) it finds a joinpoint that is not there more often than BIC3 and less often than
  the plain BIC, and finds small real changes of slope more often than BIC3 or the permutation test: the
  trade Joinpoint 5 chose. ``tests/unit/test_trends.py`` keeps a smaller copy.
  ``method="bic3"``: Joinpoint's BIC3, ``ln(SSE_k / n) + (3k + 2) ln(n) / n`` with the weighted SSE; its help
  says BIC3 "performs similarly to the permutation test". It was this dashboard's default before WBIC.
  ``method="bic"``: the traditional ``BIC(k) = ln(SSE_k / n) + 2(k + 1) ln(n) / n``, the most eager to find a
  joinpoint.
  ``method="permutation"``: Kim et al.'s sequential permutation tests (H0: ka joinpoints vs H1: kb), each
  at level ``alpha / (Kmax - ka)`` as Joinpoint does since version 3.0, permuting the null model's
  standardised residuals 4,499 times with a fixed seed (reproducible). It was Joinpoint's default before
  version 5.0 and is the test NCHS's Health, United States names
  (https://www.cdc.gov/nchs/hus/sources-definitions/joinpoint.htm); it gives the same answer for Data Brief
  329 but takes a second or more. The information criteria are closed-form, so a 25-year series fits in a
  few milliseconds (``bench/fits.py`` times it).
* Confidence intervals (Joinpoint's parametric method): a segment's slope ``s`` has a t-based 95% interval
  with ``n - p`` degrees of freedom, ``p = 2k + 2`` parameters counting the joinpoint locations, given the
  joinpoint locations; the APC interval is ``100 * (exp(s -/+ t * se) - 1)``. A segment's APC "differs from
  zero" when that interval excludes 0.
* AAPC (Clegg LX et al. Stat Med 2009;28:3670-82): over a span, the average of the segment slopes weighted
  by the years each segment covers, ``100 * (exp(sum w_j s_j / sum w_j) - 1)``; its interval uses the t
  distribution when the span lies inside one segment and the normal distribution otherwise.

What goes into a fit: one series (drug, measure, place, sex, age group, race and ethnicity), calendar years
(12-month periods ending in December), one row per year. Values the publisher withheld or qualified
(``EXCLUDED_FLAGS``), zeros (no logarithm) and years with no row are left out and named, and the fit uses the
longest unbroken run of usable years only, so no segment is ever drawn across a missing year. Fewer than
``MIN_YEARS`` usable consecutive years gives a :class:`NoTrend` the page can print, not an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

# scipy.special has the t and normal quantiles this needs without scipy.stats' ~45 MB more per server process.
from scipy.special import ndtri, stdtr, stdtrit

from data_sources import geography
from data_sources.change import EXCLUDED_FLAGS, format_percents
from data_sources.dictionary import DRUGS, MEASURES, measure_title
from data_sources.schema import split_flags

#: A trend needs at least this many consecutive usable years; fewer gives "too few years for trend segments".
MIN_YEARS = 6

#: A value carrying one of the flags in ``EXCLUDED_FLAGS`` (shared with :mod:`data_sources.change`) is left
#: out of a fit: withheld (suppressed, missing, not applicable), or marked by the publisher as too few deaths
#: for a stable rate (unreliable), low quality, or incomplete (underreported, as VSRR marks its latest
#: months). Whole-series qualifiers (provisional, predicted, secondary_source) do not exclude a year; they
#: stay with the series and are reported with it.

#: Series identity columns of the tidy contract, in the order every output frame carries them.
IDENTITY: tuple[str, ...] = ("drug", "measure", "geo_code", "sex", "age_group", "race_ethnicity")

#: Joinpoint's recommended maximum number of joinpoints by number of observations: (fewest points, maximum).
_RECOMMENDED_MAX: tuple[tuple[int, int], ...] = ((27, 5), (22, 4), (17, 3), (12, 2), (7, 1), (0, 0))

Method = Literal["wbic", "bic", "bic3", "permutation"]
#: Every model-selection method, the default first (the command line offers them in this order).
METHODS: tuple[Method, ...] = ("wbic", "bic3", "bic", "permutation")
DEFAULT_METHOD: Method = "wbic"
Weighting = Literal["standard_error", "deaths", "constant"]

_Z95 = float(ndtri(0.975))
#: An APC whose whole 95% interval lies within this many percent a year either side of zero "changed little".
_LITTLE_PCT = 5.0
_PERMUTATION_CHUNK = 256


class TrendInputError(ValueError):
    """A series that cannot be fitted as given: the message names the series, the year and the problem."""


class TooFewYears(TrendInputError):
    """Fewer usable consecutive years than a trend with segments needs."""


@dataclass(frozen=True)
class LeftOut:
    """A year left out of a fit, and why, in words a reader can take."""

    year: int
    reason: str


@dataclass(frozen=True)
class Aapc:
    """Average annual percent change over ``start_year``-``end_year`` with its 95% confidence interval."""

    start_year: int
    end_year: int
    aapc: float
    aapc_lower: float
    aapc_upper: float
    is_significant: bool
    subject: str = "the rate"

    def sentence(self) -> str:
        """E.g. "From 1999 to 2017 the rate rose on average about 7% a year (95% CI 6% to 8%)"."""
        return _change_sentence(
            self.start_year,
            self.end_year,
            self.subject,
            self.aapc,
            self.aapc_lower,
            self.aapc_upper,
            self.is_significant,
            on_average=True,
        )


@dataclass(frozen=True)
class JoinpointModel:
    """A fitted joinpoint model for one series of consecutive years (log-linear, see the module notes).

    ``coef`` is ``[b0, b1, d_1..d_k]`` on ``x = year - years[0]``; ``cov`` its covariance (given the joinpoint
    locations); ``selection`` one row per number of joinpoints tried with the best joinpoints, weighted SSE, BIC,
    BIC3, WBIC and its weight (``wbic_weight``, the largest partial R^2), plus the permutation tests' p-values
    when that method chose the model.
    """

    years: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    joinpoints: tuple[int, ...]
    coef: np.ndarray
    cov: np.ndarray
    sse: float
    df: int
    method: Method
    selection: pd.DataFrame

    @property
    def boundaries(self) -> tuple[int, ...]:
        """First year, each joinpoint, last year: segment j runs from boundaries[j] to boundaries[j + 1]."""
        return (int(self.years[0]), *self.joinpoints, int(self.years[-1]))

    def fitted(self) -> np.ndarray:
        """The model's value for each fitted year, on the series' own scale."""
        return np.exp(_design(self.years - self.years[0], self._joinpoint_offsets()) @ self.coef)

    def segment_table(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per segment: start_year, end_year, apc, apc_lower, apc_upper, is_significant, p_value."""
        t_crit = _t_quantile(alpha, self.df)
        rows = []
        bounds = self.boundaries
        for j in range(len(bounds) - 1):
            contrast = np.zeros(len(self.coef))
            contrast[1 : 2 + j] = 1.0
            slope = float(contrast @ self.coef)
            se = float(np.sqrt(max(contrast @ self.cov @ contrast, 0.0)))
            lower, upper = slope - t_crit * se, slope + t_crit * se
            p_value = _p_value(slope, se, self.df)
            rows.append(
                {
                    "start_year": bounds[j],
                    "end_year": bounds[j + 1],
                    "apc": _apc(slope),
                    "apc_lower": _apc(lower),
                    "apc_upper": _apc(upper),
                    "is_significant": bool(lower > 0 or upper < 0),
                    "p_value": p_value,
                }
            )
        return pd.DataFrame(rows)

    def aapc(self, start_year: int | None = None, end_year: int | None = None, *, subject: str = "the rate") -> Aapc:
        """AAPC over ``start_year``-``end_year`` (default: the whole fitted span), as Joinpoint computes it."""
        first, last = int(self.years[0]), int(self.years[-1])
        start = first if start_year is None else int(start_year)
        end = last if end_year is None else int(end_year)
        if not first <= start < end <= last:
            raise TrendInputError(
                f"AAPC span {start}-{end} must be at least one year long and inside the fitted years {first}-{last}"
            )
        bounds = self.boundaries
        lengths = np.array(
            [max(0, min(bounds[j + 1], end) - max(bounds[j], start)) for j in range(len(bounds) - 1)], dtype=float
        )
        # Segment j's slope is b1 + d_1 + ... + d_j: express the weighted mean slope as one contrast on coef.
        contrast = np.zeros(len(self.coef))
        share = lengths / lengths.sum()
        for j, weight in enumerate(share):
            contrast[1 : 2 + j] += weight
        slope = float(contrast @ self.coef)
        se = float(np.sqrt(max(contrast @ self.cov @ contrast, 0.0)))
        within_one = int((lengths > 0).sum()) == 1
        crit = _t_quantile(0.05, self.df) if within_one else _Z95
        lower, upper = slope - crit * se, slope + crit * se
        return Aapc(start, end, _apc(slope), _apc(lower), _apc(upper), bool(lower > 0 or upper < 0), subject)

    def _joinpoint_offsets(self) -> np.ndarray:
        return np.array(self.joinpoints, dtype=float) - float(self.years[0])


@dataclass(frozen=True)
class TrendFit:
    """A series' joinpoint trend, ready to print and draw.

    ``segments``: one row per segment (start_year, end_year, apc, apc_lower, apc_upper, is_significant, p_value,
    the series identity, sentence, method, weighting). ``fitted``: one row per fitted year (identity, year,
    value, fitted, is_joinpoint) for drawing. ``left_out``: years in the asked span that are not in the fit,
    each with its reason. ``flags``: whole-series qualifiers the fitted values carry (e.g. provisional).
    """

    identity: dict[str, str]
    model: JoinpointModel
    segments: pd.DataFrame
    fitted: pd.DataFrame
    left_out: tuple[LeftOut, ...]
    weighting: Weighting
    source_ids: tuple[str, ...]
    flags: tuple[str, ...] = ()
    table: str = ""

    @property
    def joinpoints(self) -> tuple[int, ...]:
        return self.model.joinpoints

    def sentences(self) -> tuple[str, ...]:
        """One plain-language sentence per segment, earliest first."""
        return tuple(self.segments["sentence"])

    def aapc(self, start_year: int | None = None, end_year: int | None = None) -> Aapc:
        """Average annual percent change over a span of the fitted years (default: all of them)."""
        return self.model.aapc(start_year, end_year, subject=_subject(self.identity["measure"]))

    def notes(self) -> tuple[str, ...]:
        """What a reader should know about the fit: method, weights, qualifiers and each left-out year."""
        first, last = self.model.boundaries[0], self.model.boundaries[-1]
        out = [
            f"Joinpoint regression on {len(self.model.years)} years ({first}-{last}), "
            f"{_METHOD_WORDS[self.model.method]}, {_WEIGHT_WORDS[self.weighting]}."
        ]
        if self.flags:
            out.append(
                "Some figures are " + " and ".join(_FLAG_WORDS.get(f, f.replace("_", " ")) for f in self.flags) + "."
            )
        out.extend(f"{item.year} left out: {item.reason}." for item in self.left_out)
        return tuple(out)


@dataclass(frozen=True)
class NoTrend:
    """No trend could be fitted; ``message`` says why in words the page prints as is."""

    identity: dict[str, str]
    reason: str
    message: str
    left_out: tuple[LeftOut, ...] = ()
    table: str = ""


TrendResult = TrendFit | NoTrend

#: Whole-series qualifiers in words a reader follows.
_FLAG_WORDS = {
    "provisional": "provisional (they may change)",
    "predicted": "CDC's predicted counts",
    "secondary_source": "read in texts quoting CDC or NIDA rather than in their own tables",
}

_METHOD_WORDS = {
    "wbic": "number of joinpoints chosen by Joinpoint's weighted BIC (WBIC), its default since version 5.0",
    "bic": "number of joinpoints chosen by the Bayesian Information Criterion (BIC)",
    "bic3": "number of joinpoints chosen by Joinpoint's BIC3 criterion",
    "permutation": "number of joinpoints chosen by permutation tests",
}


def method_words(method: Method) -> str:
    """How a method chose the number of joinpoints, in words ("number of joinpoints chosen by ...")."""
    return _METHOD_WORDS[method]


_WEIGHT_WORDS = {
    "standard_error": "each year weighted by its published standard error",
    "deaths": "each year weighted by its number of deaths",
    "constant": "all years weighted equally (no standard error or death count for every year)",
}


# ---------------------------------------------------------------------------------------------------------
# The numerical core: arrays in, a JoinpointModel out.


def recommended_max_joinpoints(n_points: int) -> int:
    """Joinpoint's recommended maximum number of joinpoints for ``n_points`` observations."""
    for fewest, most in _RECOMMENDED_MAX:
        if n_points >= fewest:
            return most
    return 0


def fit_joinpoint(
    years: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    *,
    variances: Sequence[float] | np.ndarray | None = None,
    max_joinpoints: int | None = None,
    method: Method = DEFAULT_METHOD,
    min_end: int = 2,
    min_between: int = 2,
    alpha: float = 0.05,
    permutations: int = 4499,
    seed: int = 2000,
) -> JoinpointModel:
    """Fit a joinpoint model to consecutive ``years`` and positive ``values``.

    ``variances``: var(ln value) per year (``(SE/value)^2`` or ``1/deaths``), or None for constant variance.
    Raises :class:`TooFewYears` for fewer than ``MIN_YEARS`` points and :class:`TrendInputError` for years
    that are not consecutive and unique, or values that are not positive and finite.
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise TrendInputError(f"years and values differ in length ({x.shape} vs {y.shape})")
    if len(x) < MIN_YEARS:
        raise TooFewYears(f"too few years for trend segments: {len(x)} usable years, at least {MIN_YEARS} needed")
    if not np.all(np.diff(x) == 1):
        raise TrendInputError(f"years must be consecutive and in order; got {[int(v) for v in x]}")
    bad = ~np.isfinite(y) | (y <= 0)
    if bad.any():
        raise TrendInputError(
            f"values must be positive numbers; year(s) {[int(v) for v in x[bad]]} hold {list(y[bad])}"
        )
    if variances is None:
        w = np.ones_like(y)
    else:
        var = np.asarray(variances, dtype=float)
        if var.shape != y.shape or not np.all(np.isfinite(var) & (var > 0)):
            raise TrendInputError("variances must be one positive number per year")
        w = 1.0 / var
    if method not in _METHOD_WORDS:
        raise TrendInputError(f"unknown method {method!r}; use one of {sorted(_METHOD_WORDS)}")

    n = len(x)
    feasible = _feasible_max(n, min_end, min_between)
    k_max = min(recommended_max_joinpoints(n) if max_joinpoints is None else int(max_joinpoints), feasible)
    if k_max < 0:
        raise TrendInputError(f"max_joinpoints must be 0 or more, got {max_joinpoints}")

    xc = x - x[0]
    sw = np.sqrt(w)
    z = sw * np.log(y)
    grids = [_Grid.build(xc, sw, k, min_end, min_between) for k in range(k_max + 1)]
    best = [grid.combos[grid.best(z)] for grid in grids]
    fits = [_exact_fit(xc, sw, z, combo) for combo in best]
    table = pd.DataFrame(
        {
            "joinpoints": list(range(k_max + 1)),
            "joinpoint_years": [tuple(int(x[i]) for i in combo) for combo in best],
            "sse": [fit[2] for fit in fits],
        }
    )
    ks = table["joinpoints"].to_numpy()
    # An SSE at rounding-error level means the line fits exactly; floor it so such models tie and the
    # penalty (fewer joinpoints) decides, instead of rounding noise.
    centred = z - sw * (sw @ z) / (sw @ sw)
    floor = 1e-12 * float(centred @ centred) + 1e-300
    sse_floored = np.maximum(table["sse"].to_numpy(), floor)
    log_mse = np.log(sse_floored / n)
    table["bic"] = log_mse + (2 * ks + 2) * np.log(n) / n
    table["bic3"] = log_mse + (3 * ks + 2) * np.log(n) / n
    # WBIC = BIC * (1 - w) + BIC3 * w, i.e. the penalty ((2 + w) k + 2) ln(n) / n, with w the largest partial R^2
    # of the model's joinpoints; the 0-joinpoint model has no weight (its BIC and BIC3 are equal).
    table["wbic_weight"] = [_wbic_weight(xc, sw, z, combo) for combo in best]
    table["wbic"] = table["bic"] * (1 - table["wbic_weight"]) + table["bic3"] * table["wbic_weight"]

    if method in ("bic", "bic3", "wbic"):
        # argmin takes the first of equal values, so a tie goes to the model with fewer joinpoints.
        k_chosen = int(table[method].to_numpy().argmin())
    else:
        k_chosen, tests = _permutation_select(z, grids, fits, sse_floored, k_max, alpha, permutations, seed)
        table["permutation_tests"] = [tests.get(k, "") for k in range(k_max + 1)]

    joinpoints = tuple(int(x[i]) for i in best[k_chosen])
    coef, _, sse, weighted = fits[k_chosen]
    df = n - (2 * k_chosen + 2)
    cov = (sse / df) * np.linalg.inv(weighted.T @ weighted)
    return JoinpointModel(
        years=x.astype(int),
        values=y,
        weights=w,
        joinpoints=joinpoints,
        coef=coef,
        cov=cov,
        sse=sse,
        df=df,
        method=method,
        selection=table,
    )


@dataclass(frozen=True)
class _Grid:
    """Every allowed placement of k joinpoints, with what the weighted least-squares fit of each needs.

    Every design column is one of the same n + 2 candidates (intercept, year, a hinge at each year), so the
    fits share one Gram matrix: a placement's SSE is ``z'z - c_S' G_S^-1 c_S`` with ``G_S`` and ``c_S`` picked
    out of the shared ones. That keeps the whole grid search a few batched small solves.
    """

    combos: np.ndarray  # (m, k) indices of the joinpoint years
    columns: np.ndarray  # (m, p) candidate-column indices of each placement's design
    inverse: np.ndarray  # (m, p, p) inverse of each placement's weighted Gram matrix
    candidates: np.ndarray  # (n, n + 2) weighted candidate columns
    sw: np.ndarray  # (n,) square roots of the weights

    @classmethod
    def build(cls, xc: np.ndarray, sw: np.ndarray, k: int, min_end: int, min_between: int) -> _Grid:
        n = len(xc)
        combos = _placements(n, k, min_end, min_between)
        candidates = _design(xc, xc) * sw[:, None]
        gram = candidates.T @ candidates
        columns = np.concatenate([np.tile([0, 1], (len(combos), 1)), combos + 2], axis=1)
        inverse = np.linalg.inv(gram[columns[:, :, None], columns[:, None, :]])
        return cls(combos, columns, inverse, candidates, sw)

    def sse(self, z: np.ndarray) -> np.ndarray:
        """Weighted SSE of every placement for each column of ``z`` (n, P): shape (m, P)."""
        # Removing the weighted mean first changes no SSE (every design has an intercept) and keeps z'z small,
        # so the subtraction below loses no precision.
        z = z - np.outer(self.sw, (self.sw @ z) / (self.sw @ self.sw))
        picked = (self.candidates.T @ z)[self.columns]
        explained = np.einsum("mpq,mpP,mqP->mP", self.inverse, picked, picked)
        return np.maximum((z * z).sum(axis=0)[None, :] - explained, 0.0)

    def best(self, z: np.ndarray) -> int:
        """Index of the placement with the smallest weighted SSE for one response vector."""
        return int(self.sse(z[:, None])[:, 0].argmin())


@lru_cache(maxsize=64)
def _placements(n: int, k: int, min_end: int, min_between: int) -> np.ndarray:
    """All index tuples for k joinpoints with min_end points before the first and after the last, and
    min_between points between neighbours (joinpoints themselves not counted)."""
    found: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...], lowest: int) -> None:
        if len(prefix) == k:
            found.append(prefix)
            return
        remaining = k - len(prefix) - 1
        highest = n - 1 - min_end - remaining * (min_between + 1)
        for i in range(lowest, highest + 1):
            extend((*prefix, i), i + min_between + 1)

    extend((), min_end)
    out = np.array(found, dtype=int).reshape(len(found), k)
    out.flags.writeable = False
    return out


def _feasible_max(n: int, min_end: int, min_between: int) -> int:
    """Most joinpoints the segment rules allow on n points (Joinpoint's minimum-observations formula)."""
    k = 0
    while 2 * min_end + k * min_between + (k + 1) <= n:
        k += 1
    return k


def _design(xc: np.ndarray, taus: np.ndarray) -> np.ndarray:
    columns = [np.ones_like(xc), xc] + [np.clip(xc - tau, 0.0, None) for tau in taus]
    return np.column_stack(columns)


def _exact_fit(
    xc: np.ndarray, sw: np.ndarray, z: np.ndarray, combo: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Weighted least squares for one placement: coefficients, weighted residuals, SSE, weighted design."""
    weighted = _design(xc, xc[list(combo)]) * sw[:, None]
    coef, *_ = np.linalg.lstsq(weighted, z, rcond=None)
    residual = z - weighted @ coef
    return coef, residual, float(residual @ residual), weighted


def _wbic_weight(xc: np.ndarray, sw: np.ndarray, z: np.ndarray, combo: np.ndarray) -> float:
    """WBIC's weight for one placement of joinpoints: the largest partial R^2 of its joinpoints (0 for none).

    Joinpoint's help (Weighted BIC page): ``R^2_{i,i+1} = {y_i' (I - H_0) z_i}^2 / ({y_i' (I - H_0) y_i}
    {z_i' (I - H_0) z_i})`` with ``y_i = (y_{j1+1}, ..., y_{j2})``, the observations of the two segments that
    meet at joinpoint i: from just after joinpoint i - 1 (the first observation for i = 1) up to and including
    joinpoint i + 1 (the last observation for i = k). ``H_0`` is the hat matrix of one straight line over those
    observations and ``z_i = (x - tau_i)+`` the hinge at joinpoint i, so ``R^2_{i,i+1}`` is the share of what a
    straight line leaves unexplained that the change of slope at tau_i explains. As in the fit, every quantity
    is weighted (rows multiplied by the square roots of the weights).
    """
    bounds = [-1, *(int(i) for i in combo), len(xc) - 1]
    best = 0.0
    for i in range(1, len(bounds) - 1):
        rows = slice(bounds[i - 1] + 1, bounds[i + 1] + 1)
        w, x, y = sw[rows], xc[rows], z[rows]
        hinge = w * np.clip(x - xc[bounds[i]], 0.0, None)
        line, _ = np.linalg.qr(np.column_stack([w, w * x]))
        y_rest = y - line @ (line.T @ y)
        hinge_rest = hinge - line @ (line.T @ hinge)
        unexplained = float(y_rest @ y_rest)
        # A window a straight line fits to rounding error has no change of slope to weigh.
        if unexplained <= 1e-12 * float(y @ y):
            continue
        best = max(best, float(y_rest @ hinge_rest) ** 2 / (unexplained * float(hinge_rest @ hinge_rest)))
    return best


def _permutation_select(
    z: np.ndarray,
    grids: list[_Grid],
    fits: list[tuple[np.ndarray, np.ndarray, float, np.ndarray]],
    sse: np.ndarray,
    k_max: int,
    alpha: float,
    permutations: int,
    seed: int,
) -> tuple[int, dict[int, str]]:
    """Kim et al.'s sequential permutation tests; returns the chosen k and, per null k, the tests run.

    Each test permutes the null model's weighted (standardised) residuals, adds them back to its fit, and
    counts how often the pseudo-data's statistic (SSE_null - SSE_alt) / SSE_alt reaches the observed one.
    """
    rng = np.random.default_rng(seed)
    k_a, k_b = 0, k_max
    log: dict[int, list[str]] = {}
    while k_a < k_b:
        residual = fits[k_a][1]
        null_fit = z - residual
        observed = (sse[k_a] - sse[k_b]) / sse[k_b]
        exceed = 0
        for start in range(0, permutations, _PERMUTATION_CHUNK):
            size = min(_PERMUTATION_CHUNK, permutations - start)
            order = np.argsort(rng.random((size, len(z))), axis=1)
            pseudo = null_fit[:, None] + residual[order].T
            sse_a = grids[k_a].sse(pseudo).min(axis=0)
            sse_b = grids[k_b].sse(pseudo).min(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = (sse_a - sse_b) / sse_b
            exceed += int(np.count_nonzero(ratio >= observed))
        p_value = (exceed + 1) / (permutations + 1)
        level = alpha / (k_max - k_a)
        log.setdefault(k_a, []).append(f"{k_a} vs {k_b}: p={p_value:.4f} (level {level:.4f})")
        if p_value < level:
            k_a += 1
        else:
            k_b -= 1
    return k_a, {k: "; ".join(tests) for k, tests in log.items()}


def _t_quantile(alpha: float, df: int) -> float:
    return float(stdtrit(df, 1 - alpha / 2))  # t.ppf(q, df)


def _p_value(slope: float, se: float, df: int) -> float:
    if se == 0:
        return 0.0 if slope != 0 else 1.0
    return float(2 * stdtr(df, -abs(slope / se)))  # 2 t.sf(|t|, df)


def _apc(slope: float) -> float:
    return float(100 * np.expm1(slope))


# ---------------------------------------------------------------------------------------------------------
# Tidy frames in, a TrendFit or NoTrend out.


def trend(
    frame: pd.DataFrame,
    *,
    drug: str,
    measure: str,
    geo_code: str = "US",
    sex: str = "all",
    age_group: str = "all",
    race_ethnicity: str = "all",
    start_year: int | None = None,
    end_year: int | None = None,
    method: Method = DEFAULT_METHOD,
    max_joinpoints: int | None = None,
    table: str = "",
) -> TrendResult:
    """Fit the joinpoint trend of one series of a tidy frame (data_sources.schema contract).

    Uses calendar-year rows (12 months ending in December) from ``start_year`` to ``end_year`` (default: the
    series' first and last year). Weights come from the rows' 95% limits when every year has them, else from
    the same series' ``deaths`` rows when every year has one, else all years count equally. Returns
    :class:`TrendFit`, or :class:`NoTrend` when too few usable consecutive years remain. Raises
    :class:`TrendInputError` for input no fit should be tried on: an unknown measure, two rows for one year,
    a negative value.
    """
    identity = {
        "drug": drug,
        "measure": measure,
        "geo_code": geo_code,
        "sex": sex,
        "age_group": age_group,
        "race_ethnicity": race_ethnicity,
    }
    label = _series_label(identity, table)
    if measure not in MEASURES:
        raise TrendInputError(f"{label}: unknown measure {measure!r}")
    rows = _series_rows(frame, identity)
    if start_year is not None and end_year is not None and start_year >= end_year:
        raise TrendInputError(f"{label}: the span {start_year}-{end_year} is empty")
    if rows.empty:
        return NoTrend(identity, "no_data", f"No yearly figures for {label}.", table=table)
    duplicated = rows["year"].duplicated(keep=False)
    if duplicated.any():
        years = sorted(set(rows.loc[duplicated, "year"].astype(int)))
        raise TrendInputError(f"{label}: more than one row for year(s) {years}; one row per year is needed")
    first = int(rows["year"].min()) if start_year is None else int(start_year)
    last = int(rows["year"].max()) if end_year is None else int(end_year)
    rows = rows[(rows["year"] >= first) & (rows["year"] <= last)].set_index("year").sort_index()
    negative = rows["value"].notna() & (rows["value"] < 0)
    if negative.any():
        raise TrendInputError(f"{label}: negative value in year(s) {sorted(rows.index[negative].astype(int))}")

    # rows is indexed by year and each year is unique (checked above), so one row per year.
    by_year = dict(rows.iterrows())
    left_out: list[LeftOut] = []
    usable: list[int] = []
    for year in range(first, last + 1):
        reason = _why_left_out(by_year.get(year))
        if reason:
            left_out.append(LeftOut(year, reason))
        else:
            usable.append(year)
    run = _longest_run(usable)
    if len(run) < len(usable):
        cut = sorted(set(usable) - set(run))
        left_out.extend(
            LeftOut(
                year,
                f"outside the longest unbroken run of usable years ({run[0]}-{run[-1]}); "
                "no trend is fitted across a missing year",
            )
            for year in cut
        )
    left = tuple(sorted(left_out, key=lambda item: item.year))
    if len(run) < MIN_YEARS:
        message = (
            f"Too few years for trend segments: {label} has {len(run)} usable consecutive "
            f"year{'s' if len(run) != 1 else ''} in {first}-{last}; at least {MIN_YEARS} are needed."
        )
        return NoTrend(identity, "too_few_years", message, left, table)

    fit_rows = rows.loc[run]
    variances, weighting = _variances(frame, identity, fit_rows)
    model = fit_joinpoint(
        run,
        fit_rows["value"].to_numpy(dtype=float),
        variances=variances,
        max_joinpoints=max_joinpoints,
        method=method,
    )
    subject = _subject(measure)
    segments = model.segment_table()
    segments["sentence"] = [
        _change_sentence(
            int(r["start_year"]),
            int(r["end_year"]),
            subject,
            float(r["apc"]),
            float(r["apc_lower"]),
            float(r["apc_upper"]),
            bool(r["is_significant"]),
        )
        for r in segments.to_dict("records")
    ]
    for col in reversed(IDENTITY):
        segments.insert(7, col, identity[col])
    segments["method"] = model.method
    segments["weighting"] = weighting
    fitted = pd.DataFrame(
        {
            **{col: identity[col] for col in IDENTITY},
            "year": model.years,
            "value": model.values,
            "fitted": model.fitted(),
            "is_joinpoint": np.isin(model.years, model.joinpoints),
        }
    )
    flags = sorted({f for flag in fit_rows["value_flag"] for f in split_flags(flag)})
    return TrendFit(
        identity=identity,
        model=model,
        segments=segments,
        fitted=fitted,
        left_out=left,
        weighting=weighting,
        source_ids=tuple(sorted(set(fit_rows["source_id"]))),
        flags=tuple(flags),
        table=table,
    )


def _series_rows(frame: pd.DataFrame, identity: dict[str, str]) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for col, wanted in identity.items():
        mask &= frame[col] == wanted
    mask &= frame["period_months"] == 12
    mask &= pd.to_datetime(frame["period_end_date"]).dt.month == 12
    return frame.loc[mask].copy()


def _why_left_out(row: pd.Series | None) -> str | None:
    """Why a year's row (None: the table has no row for it) cannot be fitted; None when it can."""
    if row is None:
        return "no figure for this year in the table"
    flags = [f for f in split_flags(row["value_flag"]) if f in EXCLUDED_FLAGS]
    if flags:
        return "the publisher marks it " + " and ".join(flags)
    if pd.isna(row["value"]):
        return "no value"
    if row["value"] == 0:
        return "zero, which a log-linear trend cannot use"
    return None


def _longest_run(years: list[int]) -> list[int]:
    """The longest stretch of consecutive years; the latest wins a tie, as the recent trend matters most."""
    best: list[int] = []
    current: list[int] = []
    for year in years:
        current = [*current, year] if current and year == current[-1] + 1 else [year]
        if len(current) >= len(best):
            best = current
    return best


def _variances(
    frame: pd.DataFrame, identity: dict[str, str], rows: pd.DataFrame
) -> tuple[np.ndarray | None, Weighting]:
    """var(ln y) per fitted year from the 95% limits, else from the series' deaths, else None."""
    values = rows["value"].to_numpy(dtype=float)
    lower = rows["value_lower"].to_numpy(dtype=float, na_value=np.nan)
    upper = rows["value_upper"].to_numpy(dtype=float, na_value=np.nan)
    if np.all(np.isfinite(lower) & np.isfinite(upper) & (upper > lower)):
        se = (upper - lower) / (2 * _Z95)
        return (se / values) ** 2, "standard_error"
    if identity["measure"] in ("deaths", "predicted_deaths"):
        return 1.0 / values, "deaths"
    death_rows = _series_rows(frame, {**identity, "measure": "deaths"})
    deaths = death_rows.drop_duplicates("year").set_index("year")["value"].reindex(rows.index)
    usable = deaths.notna() & (deaths > 0)
    if len(deaths) and usable.all():
        return 1.0 / deaths.to_numpy(dtype=float), "deaths"
    return None, "constant"


def _subject(measure: str) -> str:
    if measure.endswith("_rate_per_100k"):
        return "the rate"
    if measure == "deaths":
        return "the number of deaths"
    if measure == "predicted_deaths":
        return "the predicted number of deaths"
    return "the " + measure_title(measure).lower()


def _series_label(identity: dict[str, str], table: str) -> str:
    """The series in words a reader follows: "Heroin, crude death rate, United States, ages 0-14 (table
    drug_overdose_rates)"; a key the dictionary does not know is shown as it is."""
    drug, measure, code = identity["drug"], identity["measure"], identity["geo_code"]
    parts = [
        DRUGS[drug].title if drug in DRUGS else drug,
        MEASURES[measure].title.lower() if measure in MEASURES else measure,
        "United States" if code == "US" else geography.BY_FIPS[code].name if code in geography.BY_FIPS else code,
    ]
    if identity["sex"] != "all":
        parts.append(identity["sex"])
    if identity["age_group"] != "all":
        parts.append(f"ages {identity['age_group']}")
    if identity["race_ethnicity"] != "all":
        parts.append(identity["race_ethnicity"])
    text = ", ".join(parts)
    return f"{text} (table {table})" if table else text


def _change_sentence(
    start: int,
    end: int,
    subject: str,
    apc: float,
    lower: float,
    upper: float,
    is_significant: bool,
    *,
    on_average: bool = False,
) -> str:
    """ "From 2014 to 2017 the rate rose about 16% a year (95% CI 13% to 19%)"; a fall is said with the sizes of
    the fall; an interval that includes zero is "within normal year-to-year variation"."""
    average = " on average" if on_average else ""
    if not is_significant:
        # "Changed little" only when the whole interval is small; a wide one is "no clear change".
        words = "changed little" if max(abs(lower), abs(upper)) < _LITTLE_PCT else "showed no clear change"
        est, low, high = format_percents(apc, lower, upper, signed=True)
        return (
            f"From {start} to {end} {subject} {words}{average} ({est} a year, 95% CI {low} to {high}: "
            "within normal year-to-year variation)"
        )
    if apc > 0:
        est, low, high = format_percents(apc, lower, upper)
        return f"From {start} to {end} {subject} rose{average} about {est} a year (95% CI {low} to {high})"
    est, low, high = format_percents(-apc, -upper, -lower)
    return f"From {start} to {end} {subject} fell{average} about {est} a year (95% CI {low} to {high})"


# ---------------------------------------------------------------------------------------------------------
# Command line: segments as CSV on stdout, notes on stderr.

SEGMENT_COLUMNS: tuple[str, ...] = (
    "start_year",
    "end_year",
    "apc",
    "apc_lower",
    "apc_upper",
    "is_significant",
    "p_value",
    *IDENTITY,
    "method",
    "weighting",
    "sentence",
)


__all__ = [
    "EXCLUDED_FLAGS",
    "IDENTITY",
    "MIN_YEARS",
    "SEGMENT_COLUMNS",
    "Aapc",
    "JoinpointModel",
    "LeftOut",
    "NoTrend",
    "TooFewYears",
    "TrendFit",
    "TrendInputError",
    "TrendResult",
    "fit_joinpoint",
    "method_words",
    "recommended_max_joinpoints",
    "trend",
]
