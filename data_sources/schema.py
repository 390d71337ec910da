"""The tidy contract every table in this project keeps.

One row per observation, every dimension a column, provenance beside the value. Loaders produce frames
with exactly ``COLUMNS`` and pass them through :func:`conform`, which fails loudly (naming expected and
found columns, or the offending values) instead of letting a schema change flow silently into a chart.

The data dictionary (what each drug key, measure, flag and column means) lives in
:mod:`data_sources.dictionary`; this module enforces it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from data_sources.dictionary import (
    BREAKDOWN_ALL,
    DRUGS,
    FLAGS,
    GEO_LEVELS,
    MEASURES,
    MISSING_REASON_FLAGS,
    PROVENANCE_GRADES,
)

#: Column name -> pandas dtype. Order here is the order of every tidy table and every CSV we write.
COLUMNS: dict[str, str] = {
    "source_id": "string",
    "geo_level": "string",
    "geo_code": "string",
    "geo_name": "string",
    "year": "Int64",
    "period_end_date": "datetime64[ns]",
    "period_months": "Int64",
    "drug": "string",
    "measure": "string",
    "sex": "string",
    "age_group": "string",
    "race_ethnicity": "string",
    "value": "Float64",
    "value_lower": "Float64",
    "value_upper": "Float64",
    "value_flag": "string",
    "provenance": "string",
    "source_detail": "string",
}

FLAG_SEPARATOR = ";"


class SchemaError(ValueError):
    """A frame broke the tidy contract. The message says what was expected and what was found."""


@dataclass(frozen=True)
class Source:
    """A publisher's dataset or publication that figures come from; printed under every chart."""

    id: str
    title: str
    publisher: str
    url: str
    license: str
    citation: str
    dataset_id: str | None = None  # data.cdc.gov four-by-four id, for Socrata sources
    update_days: int | None = None  # how often the publisher updates it; None = final, not updated
    coverage: str | None = None  # what the figures cover, in words: "1999-2018, United States"
    released: str | None = None  # when the publisher released them, as cited: "2021-12-30", "2021-12" or "2021"
    copy_from: str | None = None  # where the bundled copy was taken from, when not from the publisher itself

    def __post_init__(self) -> None:
        for name in ("id", "title", "publisher", "url", "license", "citation"):
            if not str(getattr(self, name)).strip():
                raise SchemaError(f"Source {self.id!r}: field {name!r} is empty")
        if not self.url.startswith("https://") and not self.url.startswith("http://"):
            raise SchemaError(f"Source {self.id!r}: url {self.url!r} is not a web address")
        if self.released is not None and not _is_iso_date(self.released):
            raise SchemaError(f"Source {self.id!r}: released {self.released!r} is not an ISO date, month or year")


@dataclass(frozen=True)
class Table:
    """A tidy frame with where it came from and how fresh it is.

    ``notice`` is a sentence for the reader when something about the data deserves attention (it came from
    the bundled snapshot because the live copy failed, it is older than the publisher's update cycle, ...).
    """

    name: str
    data: pd.DataFrame
    sources: tuple[Source, ...]
    retrieved_at: datetime
    from_snapshot: bool
    notice: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def source(self, source_id: str) -> Source:
        for src in self.sources:
            if src.id == source_id:
                return src
        raise KeyError(f"table {self.name!r} has no source {source_id!r}")


def _is_iso_date(text: str) -> bool:
    """'2021-12-30', '2021-12' or '2021', and a real date at that precision."""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return False
    try:
        datetime.strptime(text, {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}[len(text)])
    except ValueError:
        return False
    return True


def empty_frame() -> pd.DataFrame:
    """A zero-row frame with the contract's columns and dtypes."""
    return pd.DataFrame({col: pd.Series(dtype=dtype) for col, dtype in COLUMNS.items()})


def split_flags(flag: str | None) -> list[str]:
    """``"provisional;suppressed"`` -> ``["provisional", "suppressed"]``; empty or NA -> ``[]``."""
    if flag is None or pd.isna(flag) or flag == "":
        return []
    return [part for part in str(flag).split(FLAG_SEPARATOR) if part]


def join_flags(*flags: str | None) -> str:
    """Join flags in the dictionary's order, dropping blanks and duplicates."""
    wanted = {f for f in flags if f}
    unknown = wanted - set(FLAGS)
    if unknown:
        raise SchemaError(f"unknown value_flag {sorted(unknown)}; known flags: {sorted(FLAGS)}")
    return FLAG_SEPARATOR.join(f for f in FLAGS if f in wanted)


def has_flag(flags: pd.Series, flag: str) -> pd.Series:
    """Boolean mask: which rows carry ``flag`` in their ``value_flag``."""
    if flag not in FLAGS:
        raise SchemaError(f"unknown value_flag {flag!r}")
    return flags.fillna("").str.split(FLAG_SEPARATOR).apply(lambda parts: flag in parts).astype(bool)


def conform(frame: pd.DataFrame, *, table: str) -> pd.DataFrame:
    """Check ``frame`` against the contract and return a copy with the contract's dtypes and column order.

    Raises :class:`SchemaError` naming the table and the problem: missing or unexpected columns, a value
    that cannot take its column's dtype, an unknown drug, measure, flag or geography level, a missing value
    with no reason flag, or confidence limits that do not bracket their value.
    """
    expected, found = list(COLUMNS), list(frame.columns)
    if set(expected) != set(found):
        missing = [c for c in expected if c not in found]
        extra = [c for c in found if c not in expected]
        raise SchemaError(
            f"{table}: columns do not match the contract. Missing: {missing or 'none'}; "
            f"unexpected: {extra or 'none'}. Expected {expected}; found {found}."
        )
    out = pd.DataFrame(index=frame.index)
    for col, dtype in COLUMNS.items():
        out[col] = _cast(frame[col], dtype, table=table, column=col)
    out = out.reset_index(drop=True)

    for col in ("value_flag", "source_detail"):
        out[col] = out[col].fillna("")
    for col in ("sex", "age_group", "race_ethnicity"):
        out[col] = out[col].fillna(BREAKDOWN_ALL)

    _check_known(out, "drug", DRUGS, table)
    _check_known(out, "measure", MEASURES, table)
    _check_known(out, "geo_level", GEO_LEVELS, table)
    _check_known(out, "provenance", PROVENANCE_GRADES, table)
    for col in ("source_id", "geo_code", "geo_name", "period_end_date", "year", "period_months"):
        blank = out[col].isna()
        if COLUMNS[col] == "string":  # only text can be an empty string; formatting dates to check is slow
            blank = blank | (out[col] == "").fillna(False)
        if blank.any():
            raise SchemaError(f"{table}: column {col!r} has empty cells (rows {_rows(blank)})")

    # A table holds a handful of distinct flag strings: parse each once, not once per row.
    parts_by_flag = {flag: split_flags(flag) for flag in out["value_flag"].unique()}
    unknown = sorted({f for parts in parts_by_flag.values() for f in parts} - set(FLAGS))
    if unknown:
        raise SchemaError(f"{table}: unknown value_flag {unknown}; known flags: {sorted(FLAGS)}")
    reason = {flag: bool(set(parts) & MISSING_REASON_FLAGS) for flag, parts in parts_by_flag.items()}
    no_reason = out["value"].isna() & ~out["value_flag"].map(reason).astype(bool)
    if no_reason.any():
        raise SchemaError(
            f"{table}: value is missing with no reason flag ({sorted(MISSING_REASON_FLAGS)}) in rows {_rows(no_reason)}"
        )
    low_ok = out["value_lower"].isna() | out["value"].isna() | (out["value_lower"] <= out["value"])
    high_ok = out["value_upper"].isna() | out["value"].isna() | (out["value_upper"] >= out["value"])
    if not (low_ok & high_ok).all():
        raise SchemaError(f"{table}: confidence limits do not bracket the value in rows {_rows(~(low_ok & high_ok))}")
    return out


def _cast(series: pd.Series, dtype: str, *, table: str, column: str) -> pd.Series:
    try:
        if dtype == "datetime64[ns]":
            return pd.to_datetime(series, errors="raise").astype("datetime64[ns]")
        if dtype in ("Int64", "Float64") and series.dtype == object:
            series = pd.to_numeric(series, errors="raise")
        if dtype == "Int64" and pd.api.types.is_float_dtype(series):
            whole = series.dropna()
            if not (whole == whole.round()).all():
                raise ValueError("non-integer values")
        return series.astype(dtype)
    except (ValueError, TypeError) as err:
        raise SchemaError(f"{table}: column {column!r} cannot be read as {dtype}: {err}") from err


def _check_known(frame: pd.DataFrame, column: str, known: dict[str, object], table: str) -> None:
    unknown = sorted(set(frame[column].dropna().unique()) - set(known))
    if unknown:
        raise SchemaError(f"{table}: unknown {column} {unknown}; known: {sorted(known)}")


def _rows(mask: pd.Series, limit: int = 5) -> str:
    rows = list(mask[mask].index[:limit])
    more = int(mask.sum()) - len(rows)
    return ", ".join(map(str, rows)) + (f" and {more} more" if more > 0 else "")
