"""Provisional against final: how far CDC's early counts were from the final figures, drug by drug, year by year.

Inputs are two tidy frames (the :mod:`data_sources.schema` contract): the VSRR provisional table
(``nchs_vsrr``: 12-month-ending counts; ``deaths`` is the reported provisional count, ``predicted_deaths``
NCHS's count adjusted for records pending investigation) and the national final table
(``nchs_national_final``: final NVSS counts by drug). Only 12-month periods ending in December are used,
so each provisional figure covers the same calendar year as the final one.

The two are not counted the same way: VSRR counts deaths by where they occurred, final data count US residents
(the project's data dictionary, flag ``provisional``), and a provisional figure keeps changing until the final
file closes. The bundled VSRR snapshot is one export (data through April 2025), so for older years it holds
VSRR's figure as of that export, not the first provisional figure published: the differences show how far the
provisional series sits from the final one, not how much a first estimate was later revised.

A figure one side lacks stays missing: its cell is empty and its flag says ``missing``, never filled in from
the other side or from a neighbouring year.
"""

from __future__ import annotations

import pandas as pd

from data_sources.schema import split_flags

#: Output columns, in order.
COLUMNS: tuple[str, ...] = (
    "drug",
    "year",
    "geo_code",
    "final_deaths",
    "provisional_deaths",
    "predicted_deaths",
    "provisional_difference",
    "provisional_percent",
    "predicted_difference",
    "predicted_percent",
    "final_flag",
    "provisional_flag",
    "predicted_flag",
    "final_source_id",
    "provisional_source_id",
    "final_source_detail",
    "provisional_source_detail",
    "status",
)

_NEEDED = (
    "source_id",
    "geo_code",
    "year",
    "period_end_date",
    "period_months",
    "drug",
    "measure",
    "sex",
    "age_group",
    "race_ethnicity",
    "value",
    "value_flag",
    "source_detail",
)


class RevisionInputError(ValueError):
    """A frame that cannot be compared: the message names the frame, the rows and the problem."""


def compare_provisional_final(
    provisional: pd.DataFrame,
    final: pd.DataFrame,
    *,
    geo_code: str = "US",
    drugs: list[str] | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
) -> pd.DataFrame:
    """One row per drug and calendar year with the final count, the provisional reported and predicted counts,
    and each provisional figure's difference from final (``provisional - final``) and percent
    (``100 * difference / final``; positive: the provisional figure was higher).

    ``drugs`` defaults to every drug with a provisional count; years default to the first provisional year
    through the last year either frame has. A drug-year appears when at least one of the three figures exists.
    Missing figures are empty with flag ``missing`` and ``status`` says which side lacks one. Flags the
    publisher set (provisional, predicted, underreported, secondary_source, ...) are kept as they are.
    Raises :class:`RevisionInputError` when a frame lacks contract columns or holds two rows for one figure.
    """
    prov = _december_rows(provisional, "provisional", geo_code)
    fin = _december_rows(final, "final", geo_code)
    reported = _one_per_drug_year(prov[prov["measure"] == "deaths"], "provisional", "deaths")
    predicted = _one_per_drug_year(prov[prov["measure"] == "predicted_deaths"], "provisional", "predicted_deaths")
    final_counts = _one_per_drug_year(fin[fin["measure"] == "deaths"], "final", "deaths")

    wanted = sorted(set(reported.index.get_level_values("drug"))) if drugs is None else list(drugs)
    provisional_years = [y for frame in (reported, predicted) for y in frame.index.get_level_values("year")]
    if not provisional_years and start_year is None:
        raise RevisionInputError(f"provisional: no 12-month rows ending in December for {geo_code}")
    first = min(provisional_years) if start_year is None else int(start_year)
    all_years = provisional_years + list(final_counts.index.get_level_values("year"))
    last = max(all_years) if end_year is None else int(end_year)

    # Each (drug, year) is unique in these frames (_one_per_drug_year refuses a second row), so one row per key.
    final_by_key = dict(final_counts.iterrows())
    reported_by_key = dict(reported.iterrows())
    predicted_by_key = dict(predicted.iterrows())
    rows = []
    for drug in wanted:
        for year in range(first, last + 1):
            key = (drug, year)
            fin_row = final_by_key.get(key)
            rep_row = reported_by_key.get(key)
            pred_row = predicted_by_key.get(key)
            if fin_row is None and rep_row is None and pred_row is None:
                continue
            final_value = _value(fin_row)
            rows.append(
                {
                    "drug": drug,
                    "year": year,
                    "geo_code": geo_code,
                    "final_deaths": final_value,
                    "provisional_deaths": _value(rep_row),
                    "predicted_deaths": _value(pred_row),
                    "provisional_difference": _difference(_value(rep_row), final_value),
                    "provisional_percent": _percent(_value(rep_row), final_value),
                    "predicted_difference": _difference(_value(pred_row), final_value),
                    "predicted_percent": _percent(_value(pred_row), final_value),
                    "final_flag": _flag(fin_row),
                    "provisional_flag": _flag(rep_row),
                    "predicted_flag": _flag(pred_row),
                    "final_source_id": _text(fin_row, "source_id"),
                    "provisional_source_id": _text(rep_row if rep_row is not None else pred_row, "source_id"),
                    "final_source_detail": _text(fin_row, "source_detail"),
                    "provisional_source_detail": _text(rep_row if rep_row is not None else pred_row, "source_detail"),
                    "status": _status(fin_row, rep_row, pred_row),
                }
            )
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in (
        "final_deaths",
        "provisional_deaths",
        "predicted_deaths",
        "provisional_difference",
        "provisional_percent",
        "predicted_difference",
        "predicted_percent",
    ):
        out[col] = out[col].astype("Float64")
    out["year"] = out["year"].astype("Int64")
    for col in COLUMNS:
        if col not in ("year",) and out[col].dtype == object:
            out[col] = out[col].astype("string")
    return out


def years_without_final(comparison: pd.DataFrame, drug: str = "all_drugs") -> list[int]:
    """Years of ``drug`` in a :func:`compare_provisional_final` result that have no final count."""
    rows = comparison[(comparison["drug"] == drug) & comparison["final_deaths"].isna()]
    return sorted(int(y) for y in rows["year"])


def _december_rows(frame: pd.DataFrame, name: str, geo_code: str) -> pd.DataFrame:
    missing = [c for c in _NEEDED if c not in frame.columns]
    if missing:
        raise RevisionInputError(f"{name}: columns {missing} are missing; found {list(frame.columns)}")
    dates = pd.to_datetime(frame["period_end_date"])
    mask = (frame["geo_code"] == geo_code) & (frame["period_months"] == 12) & (dates.dt.month == 12)
    for col in ("sex", "age_group", "race_ethnicity"):
        mask &= frame[col] == "all"
    return frame.loc[mask]


def _one_per_drug_year(rows: pd.DataFrame, name: str, measure: str) -> pd.DataFrame:
    twice = rows.duplicated(["drug", "year"], keep=False)
    if twice.any():
        pairs = sorted({(d, int(y)) for d, y in rows.loc[twice, ["drug", "year"]].itertuples(index=False)})
        raise RevisionInputError(f"{name}: more than one {measure} row for (drug, year) {pairs}")
    return rows.assign(year=rows["year"].astype(int)).set_index(["drug", "year"])


def _value(row: pd.Series | None) -> float | None:
    if row is None or pd.isna(row["value"]):
        return None
    return float(row["value"])


def _difference(figure: float | None, final: float | None) -> float | None:
    return None if figure is None or final is None else figure - final


def _percent(figure: float | None, final: float | None) -> float | None:
    return None if figure is None or final is None or final == 0 else 100 * (figure - final) / final


def _flag(row: pd.Series | None) -> str:
    """The row's own flags; ``missing`` when there is no row (or no value) for this figure."""
    if row is None:
        return "missing"
    flags = split_flags(row["value_flag"])
    if pd.isna(row["value"]) and not flags:
        flags = ["missing"]
    return ";".join(flags)


def _text(row: pd.Series | None, column: str) -> str:
    return "" if row is None else str(row[column])


def _status(final: pd.Series | None, reported: pd.Series | None, predicted: pd.Series | None) -> str:
    lacking = []
    if _value(final) is None:
        lacking.append("final count")
    if _value(reported) is None:
        lacking.append("provisional reported count")
    if _value(predicted) is None:
        lacking.append("provisional predicted count")
    return "complete" if not lacking else "no " + " and no ".join(lacking)
