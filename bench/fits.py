"""Joinpoint fits: how long a fit takes, and how often each model-selection method finds the right number.

Not a timed test: it measures this machine on this run.

* :func:`measure_fits` times the joinpoint fit (``data_sources.trends``) of the longest real series the
  dashboard draws, all-drug deaths in the national final table (1999-2023) and West Virginia's all-drug
  age-adjusted rate in the state table (1999-2021), read from the tables as the pages read them (the bundled
  snapshot unless a refresh has been cached; each row says which). Each time is the median of ``repeats``
  calls after one warm-up call (the grid of joinpoint placements is built once per process), and is given as a
  ratio to a trivial fit of the same series, ``numpy.polyfit`` of a straight line to the logarithms, so the
  figure says "so many straight-line fits" rather than a raw time that depends on the machine; the raw
  milliseconds are there too.
* :func:`selection_rates` is the seeded simulation behind the model-selection notes in
  ``data_sources/trends.py``: straight lines on the log scale with noise, with and without one planted change of
  slope, and how often each criterion chooses the true number of joinpoints.

Call either from the project root::

    python -c "from bench.fits import measure_fits; print(*measure_fits(), sep='\\n')"
    python -c "from bench.fits import selection_rates; print(*selection_rates(), sep='\\n')"
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import pandas as pd

from data_sources import nchs_national_final, nchs_state_drug_poisoning, trends
from data_sources.schema import Table

#: (table loader, drug, measure, place) of each timed fit: the longest national series and one state's.
SERIES: tuple[tuple[Callable[[], Table], str, str, str], ...] = (
    (nchs_national_final.load, "all_drugs", "deaths", "US"),
    (nchs_state_drug_poisoning.load, "all_drugs", "age_adjusted_rate_per_100k", "54"),
)


def _median_ms(call: Callable[[], object], repeats: int) -> float:
    call()  # warm-up: caches built once per process are not what a reader waits for
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure_fits(repeats: int = 21, methods: Sequence[trends.Method] = ("wbic", "bic3")) -> list[dict[str, object]]:
    """One row per series and method: the fit's median time in ms and as a ratio to a straight-line fit.

    Row keys: ``series``, ``table``, ``from_snapshot``, ``years``, ``n_years``, ``method``, ``joinpoints``,
    ``fit_ms`` (``trends.fit_joinpoint`` on the series' years, values and weights), ``trend_ms`` (the whole
    ``trends.trend`` call a page makes: picking the rows out of the table, then the fit and its sentences),
    ``straight_line_ms`` (``numpy.polyfit`` of the same logarithms), ``fit_ratio`` and ``trend_ratio`` (each
    divided by ``straight_line_ms``), and ``repeats``.
    """
    rows: list[dict[str, object]] = []
    for load, drug, measure, geo_code in SERIES:
        table = load()
        for method in methods:
            fit_series = partial(
                trends.trend, table.data, drug=drug, measure=measure, geo_code=geo_code, method=method, table=table.name
            )
            fit = fit_series()
            if not isinstance(fit, trends.TrendFit):
                raise RuntimeError(fit.message)
            years, values = fit.model.years, fit.model.values
            variances = None if fit.weighting == "constant" else 1.0 / fit.model.weights
            logs = np.log(values)
            fit_ms = _median_ms(
                partial(trends.fit_joinpoint, years, values, variances=variances, method=method), repeats
            )
            trend_ms = _median_ms(fit_series, repeats)
            line_ms = _median_ms(partial(np.polyfit, years, logs, 1), repeats)
            rows.append(
                {
                    "series": f"{drug} {measure} {geo_code}",
                    "table": table.name,
                    "from_snapshot": table.from_snapshot,
                    "years": f"{int(years[0])}-{int(years[-1])}",
                    "n_years": len(years),
                    "method": method,
                    "joinpoints": " ".join(str(y) for y in fit.joinpoints) or "none",
                    "fit_ms": round(fit_ms, 3),
                    "trend_ms": round(trend_ms, 3),
                    "straight_line_ms": round(line_ms, 4),
                    "fit_ratio": round(fit_ms / line_ms, 1),
                    "trend_ratio": round(trend_ms / line_ms, 1),
                    "repeats": repeats,
                }
            )
    return rows


def selection_rates(
    series: int = 400,
    years: Sequence[int] = (19, 25),
    slope_changes: Sequence[float] = (0.0, 0.005, 0.01, 0.02, 0.04),
    noise: float = 0.03,
    seed: int = 2024,
    permutations: int = 0,
) -> list[dict[str, object]]:
    """How often each criterion chooses the true number of joinpoints, in seeded simulated series.

    Each series is ``ln y = 1 + 0.05 t + d (t - t_mid)+ + e`` with ``e ~ N(0, noise)``: a straight line when the
    slope change ``d`` is 0 (the truth is 0 joinpoints), else one joinpoint in the middle year (the truth is 1).
    One row per number of years and slope change, with the share (percent) of series for which each of BIC,
    BIC3 and WBIC chose the true number, and the permutation test too when ``permutations`` > 0 (that many
    permutations per test; slow).
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for n in years:
        x = np.arange(2000, 2000 + n)
        t = (x - 2000).astype(float)
        for change in slope_changes:
            truth = 0 if change == 0 else 1
            right = {"bic": 0, "bic3": 0, "wbic": 0, "permutation": 0}
            for _ in range(series):
                values = np.exp(1 + 0.05 * t + change * np.clip(t - n // 2, 0, None) + rng.normal(0, noise, n))
                model = trends.fit_joinpoint(x, values, method="bic")
                for method in ("bic", "bic3", "wbic"):
                    right[method] += int(model.selection[method].to_numpy().argmin()) == truth
                if permutations:
                    tested = trends.fit_joinpoint(x, values, method="permutation", permutations=permutations)
                    right["permutation"] += len(tested.joinpoints) == truth
            row: dict[str, object] = {"n_years": n, "slope_change": change, "true_joinpoints": truth, "series": series}
            for method, count in right.items():
                if method != "permutation" or permutations:
                    row[f"{method}_right_pct"] = round(100 * count / series, 1)
            rows.append(row)
    return rows


if __name__ == "__main__":
    print(pd.DataFrame(measure_fits()).to_string(index=False))
    print(pd.DataFrame(selection_rates()).to_string(index=False))
