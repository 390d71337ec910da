"""The one table type, and the checks every table passes before anyone reads it.

A :class:`Table` is a frame with its schema (:class:`data_sources.dictionary.TableSchema`), where it came from
and how fresh it is. Mortality tables keep the tidy contract (:data:`COLUMNS`, the dictionary's ``TIDY``
schema): one row per observation, every dimension a column, provenance beside the value. The risk figures and
the public claims have schemas of their own in the same dictionary.

:func:`validate` is the one check every table goes through: the schema's columns, each column's dtype, no
empty required cell, only known keys, a unique row key, no infinite number. :func:`conform` adds the tidy
contract's own rules (a missing value needs a reason flag, confidence limits bracket their value) and the value
checks of :mod:`data_sources.checks` (a unique place-period-drug-measure key, whole non-negative counts, rates
and percentages in range, plausible years, rates that agree with their count and population);
:mod:`data_sources.risk` and :mod:`data_sources.claims` add theirs. Every problem raises :class:`SchemaError`
naming the table, the column and the rows, instead of letting a schema change flow silently into a chart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

import pandas as pd

from data_sources.checks import RATE_ROUNDING, TIDY_KEY, finite_problems, value_problems
from data_sources.dictionary import (
    BREAKDOWN_ALL,
    FLAGS,
    MISSING_REASON_FLAGS,
    TIDY,
    TableSchema,
)

#: Column name -> pandas dtype of the tidy contract. Order here is the order of every tidy table and CSV.
COLUMNS: dict[str, str] = TIDY.columns

FLAG_SEPARATOR = ";"


class SchemaError(ValueError):
    """A frame broke its schema. The message names the table and says what was expected and what was found."""


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


def _is_iso_date(text: str) -> bool:
    """'2021-12-30', '2021-12' or '2021', and a real date at that precision."""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return False
    try:
        datetime.strptime(text, {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}[len(text)])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Table:
    """A frame with its schema, where it came from and how fresh it is.

    ``notice`` is a sentence for the reader when something about the data deserves attention (it came from
    the bundled snapshot because the live copy failed, it is older than the publisher's update cycle, ...).
    ``extra`` carries metadata worth keeping beside the rows (a WONDER query's footer, the file it was read
    from). The frame's columns must be the schema's, in order; :func:`validate` checks the values.
    """

    name: str
    data: pd.DataFrame
    sources: tuple[Source, ...]
    retrieved_at: datetime
    from_snapshot: bool
    notice: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    schema: TableSchema = TIDY

    def __post_init__(self) -> None:
        expected, found = list(self.schema.columns), list(self.data.columns)
        if expected != found:
            raise SchemaError(
                f"{self.name}: columns are not those of the {self.schema.title} schema. Expected {expected}; "
                f"found {found}."
            )

    def source(self, source_id: str) -> Source:
        """The registered source with id ``source_id``; KeyError naming the table when there is none."""
        for src in self.sources:
            if src.id == source_id:
                return src
        raise KeyError(f"table {self.name!r} has no source {source_id!r}")

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Row key -> row position, built on first use (:func:`validate` refuses repeated keys)."""
        key = self.schema.primary_key
        if key is None:
            raise KeyError(f"table {self.name!r} ({self.schema.title}) has no row key")
        return {str(value): i for i, value in enumerate(self.data[key])}

    def row(self, key: str) -> pd.Series:
        """The row whose key column (the schema's ``primary_key``, e.g. ``risk_id``) is ``key``."""
        position = self._positions.get(key)
        if position is None:
            raise KeyError(f"table {self.name!r} has no row with {self.schema.primary_key} {key!r}")
        return self.data.iloc[position]


class Check(Protocol):
    """A table's checks: a frame in, the typed frame out, :class:`SchemaError` naming ``table`` when it fails."""

    def __call__(self, frame: pd.DataFrame, *, table: str) -> pd.DataFrame: ...


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


def validate(
    frame: pd.DataFrame, schema: TableSchema, *, table: str, fill: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Check ``frame`` against ``schema`` and return a copy with the schema's dtypes and column order.

    Raises :class:`SchemaError` naming the table and the problem: missing or unexpected columns, a value that
    cannot take its column's dtype, an empty required cell, a key not in its column's list, a repeated row
    key, an infinite number. Empty text cells become ``""`` (or, for a column in ``fill``, its default);
    numbers written as text (``"1960"``, ``""``) are read as numbers. Each column is copied once: large
    uploads go through here too.
    """
    expected, found = list(schema.columns), list(frame.columns)
    if set(expected) != set(found) or len(found) != len(expected):
        missing = [c for c in expected if c not in found]
        extra = [c for c in found if c not in expected]
        raise SchemaError(
            f"{table}: columns do not match the {schema.title} schema. Missing: {missing or 'none'}; "
            f"unexpected: {extra or 'none'}. Expected {expected}; found {found}."
        )
    columns = {}
    for f in schema.fields:
        series = frame[f.name]
        if fill and f.name in fill and series.isna().any():
            series = series.fillna(fill[f.name])
        cast = _cast(series, f.dtype, table=table, column=f.name)
        if f.dtype == "string" and cast.isna().any():
            cast = cast.fillna("")
        columns[f.name] = cast.array
    out = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)), copy=False)
    key = schema.primary_key
    for f in schema.fields:
        blank = _blank(out[f.name])
        if f.required and blank.any():
            raise SchemaError(f"{table}: column {f.name!r} has empty cells in rows {_rows(blank, out, key)}")
        if f.enum:
            unknown_mask = ~blank & ~out[f.name].isin(f.enum)
            if unknown_mask.any():
                unknown = sorted(set(out.loc[unknown_mask, f.name]))
                raise SchemaError(
                    f"{table}: unknown {f.name} {unknown} in rows {_rows(unknown_mask, out, key)}; "
                    f"{f.name} is not one of {list(f.enum)}"
                )
    if key is not None:
        repeated = out[key].duplicated(keep=False)
        if repeated.any():
            raise SchemaError(f"{table}: {key} is not unique in rows {_rows(repeated, out, key)}")
    infinite = finite_problems(out, [f.name for f in schema.fields if f.dtype == "Float64"])
    if infinite:
        raise SchemaError(f"{table}: values refused: {'; '.join(infinite)}")
    return out


def conform(
    frame: pd.DataFrame,
    *,
    table: str,
    key: Sequence[str] = TIDY_KEY,
    rate_rounding: float = RATE_ROUNDING,
) -> pd.DataFrame:
    """Check ``frame`` against the tidy contract and return a copy with its dtypes and column order.

    :func:`validate` with the ``TIDY`` schema (a blank breakdown means ``"all"``), then the contract's own
    rules: a flag the dictionary does not define, a missing value with no reason flag, or confidence limits
    that do not bracket their value raise :class:`SchemaError` naming the table and the rows. Last, the value
    checks (:func:`data_sources.checks.value_problems`: ``key`` unique, counts, rates, percentages and years
    possible, rates equal to count / population within ``rate_rounding``) raise one :class:`SchemaError`
    naming the table and every problem.
    """
    out = validate(frame, TIDY, table=table, fill=dict.fromkeys(("sex", "age_group", "race_ethnicity"), BREAKDOWN_ALL))
    # The checks below work on the copy; a caller that passed a frame it keeps no name for gets its columns
    # freed now rather than after them (an upload at the row limit: 11 MB less at the parse's peak).
    del frame

    # a table repeats few distinct flag texts, so each is split and checked once
    flag_parts = {text: set(split_flags(text)) for text in out["value_flag"].unique()}
    unknown = sorted(set().union(*flag_parts.values()) - set(FLAGS))
    if unknown:
        raise SchemaError(f"{table}: unknown value_flag {unknown}; known flags: {sorted(FLAGS)}")
    explained = out["value_flag"].map({text: bool(parts & MISSING_REASON_FLAGS) for text, parts in flag_parts.items()})
    no_reason = out["value"].isna() & ~explained.astype(bool)
    if no_reason.any():
        raise SchemaError(
            f"{table}: value is missing with no reason flag ({sorted(MISSING_REASON_FLAGS)}) in rows "
            f"{_rows(no_reason, out)}"
        )
    low_ok = out["value_lower"].isna() | out["value"].isna() | (out["value_lower"] <= out["value"])
    high_ok = out["value_upper"].isna() | out["value"].isna() | (out["value_upper"] >= out["value"])
    bracket = (low_ok & high_ok).fillna(False).astype(bool)
    if not bracket.all():
        raise SchemaError(f"{table}: confidence limits do not bracket the value in rows {_rows(~bracket, out)}")
    problems = value_problems(out, key=key, rate_rounding=rate_rounding)
    if problems:
        raise SchemaError(f"{table}: values refused: {'; '.join(problems)}")
    return out


def _cast(series: pd.Series, dtype: str, *, table: str, column: str) -> pd.Series:
    try:
        if dtype == "datetime64[ns]":
            return pd.to_datetime(series, errors="raise").astype("datetime64[ns]")
        if dtype in ("Int64", "Float64") and not pd.api.types.is_numeric_dtype(series):
            text = series.astype("string").str.strip()
            series = pd.to_numeric(text.mask(text == "", pd.NA), errors="raise")
        if dtype == "Int64" and pd.api.types.is_float_dtype(series):
            whole = series.dropna()
            if not (whole == whole.round()).all():
                raise ValueError("non-integer values")
        return series.astype(pd.api.types.pandas_dtype(dtype))
    except (ValueError, TypeError) as err:
        raise SchemaError(f"{table}: column {column!r} cannot be read as {dtype}: {err}") from err


def _blank(series: pd.Series) -> pd.Series:
    """Empty cells: missing, or text with nothing but spaces."""
    if pd.api.types.is_string_dtype(series) or series.dtype == object:
        # each distinct text is stripped once: a column repeats few of them, and a large table has many rows
        spaces = [v for v in pd.unique(series.dropna()) if not str(v).strip()]
        return (series.isna() | series.isin(spaces)).fillna(True).astype(bool)
    return series.isna().astype(bool)


def _rows(mask: pd.Series, frame: pd.DataFrame | None = None, key: str | None = None, limit: int = 5) -> str:
    """'3, 7 and 2 more', or with a row key '3 (heroin_7x), 7 (cocaine_15x)'."""
    rows = list(mask[mask].index[:limit])
    named = [
        f"{i} ({str(frame.at[i, key]) or 'no ' + key})" if frame is not None and key is not None else str(i)
        for i in rows
    ]
    more = int(mask.sum()) - len(rows)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")
