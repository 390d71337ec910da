"""Tables out as CSV, and back in: the one CSV writer, its reader, and the data dictionary as tables.

Every CSV this project writes comes from :func:`to_csv_bytes`: bundled snapshots and the refresh cache, the
risk snapshot, the data package, every download button and the WONDER converter. So every file keeps the same
rules:

* UTF-8, a header row, LF line endings, no index; ISO dates (``YYYY-MM-DD``); codes such as FIPS stay text.
* **One number format per measure.** A measure's values are written with the decimals the data dictionary
  gives it (``Term.decimals``: a heroin count is ``1960``, never ``1960.0``; a rate of 20 is ``20.0``), and
  with more only when the publisher gave more digits, which are never rounded away (NCHS gives state rates
  to four decimals). Other numbers are written in their shortest exact form; whole numbers have no ``.0``.
* **Formula-safe.** A text cell that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``,
  tab or carriage return) gets a leading apostrophe, as OWASP recommends against CSV injection
  (https://owasp.org/www-community/attacks/CSV_Injection). Numbers are never touched. A text that already
  starts with apostrophes before such a character gets one more, so :func:`read_csv_bytes` can take exactly
  one off and every table reads back as it was written.

The data package built from these CSVs is :mod:`data_sources.package`.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from data_sources import dictionary
from data_sources.dictionary import Field, TableSchema
from data_sources.schema import SchemaError, split_flags

#: A text cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The apostrophe :func:`neutralise` added: one, before any others and a formula character.
_ADDED_APOSTROPHE = r"^'(?='*[=+\-@\t\r])"
_NEEDS_QUOTES = re.compile('[",\r\n]')
#: Cell values :func:`_text` writes once per column and reuses (hashable, and the usual contents of a table).
_REUSABLE = (str, int, float, np.generic, type(None), type(pd.NA))
#: Tidy columns whose numbers are in the unit of the row's measure.
MEASURED_COLUMNS = ("value", "value_lower", "value_upper")
#: Text columns with more distinct values than this are not offered as filters.
FILTER_LIMIT = 80


# --- the writer ----------------------------------------------------------------------------------------------
def neutralise(text: str) -> str:
    """Prefix a text cell a spreadsheet would run as a formula with an apostrophe; leave other text alone."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`: take off the one apostrophe it added."""
    return re.sub(_ADDED_APOSTROPHE, "", text)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes by the rules in the module docstring (any frame: tidy, risk, claims, a view's rows).

    Raises :class:`SchemaError` naming the column for a number that is not finite (infinity has no honest
    place in a table of figures).
    """
    columns = [_text(frame[name], _decimals(frame, str(name)), column=str(name)) for name in frame.columns]
    lines = [_line([_quote(str(name)) for name in frame.columns])]
    lines += [_line(cells) for cells in zip(*columns, strict=True)]
    return "".join(lines).encode("utf-8")


def _line(cells: Sequence[str]) -> str:
    """One CSV record of cells already quoted by :func:`_quote`, LF-terminated."""
    if len(cells) == 1 and cells[0] == "":
        return '""\n'  # a lone empty cell, not a blank line
    return ",".join(cells) + "\n"


def _quote(cell: str) -> str:
    """A cell quoted when it holds a comma, a quote, a line feed or a carriage return (Python's csv module, told
    that lines end in LF alone, would leave a bare carriage return unquoted)."""
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell


def _decimals(frame: pd.DataFrame, column: str) -> list[int | None] | int | None:
    """The decimals each value of ``column`` is written with: per row from its measure, or for the column."""
    if column in MEASURED_COLUMNS and "measure" in frame:
        places = {
            m: dictionary.MEASURES[m].decimals if isinstance(m, str) and m in dictionary.MEASURES else None
            for m in frame["measure"].unique()
        }
        return [places[m] for m in frame["measure"]]
    if column in dictionary.MEASURES:  # a wide table with one column per measure
        return dictionary.MEASURES[column].decimals
    return None


def _text(series: pd.Series, decimals: list[int | None] | int | None, *, column: str) -> list[str]:
    """Each cell of ``series`` as quoted CSV text. A column repeats few distinct cells (codes, flags, sources,
    years), so each distinct value is written once per column and reused: a table of 100,000 rows is written
    in about a second, not ten."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return _dates(series)
    if pd.api.types.is_bool_dtype(series):
        return ["" if pd.isna(v) else str(bool(v)) for v in series]
    places = decimals if isinstance(decimals, list) else [decimals] * len(series)
    written: dict[tuple[type, object, int | None], str] = {}
    out = []
    for value, d in zip(series.tolist(), places, strict=True):
        if not isinstance(value, _REUSABLE):  # anything else may not be hashable: written each time
            out.append(_quote(_cell(value, d, column=column)))
            continue
        key = (type(value), value, d)  # the type too: True, 1 and 1.0 are equal keys but different text
        text = written.get(key)
        if text is None:
            text = written[key] = _quote(_cell(value, d, column=column))
        out.append(text)
    return out


def _dates(series: pd.Series) -> list[str]:
    """ISO dates; full ISO timestamps only where a value has a time of day."""
    stamps = pd.to_datetime(series)
    with_time = bool((stamps.dropna() != stamps.dropna().dt.normalize()).any())
    if with_time:
        return ["" if pd.isna(v) else v.isoformat() for v in stamps]
    return stamps.dt.strftime("%Y-%m-%d").fillna("").tolist()


def _cell(value: object, decimals: int | None, *, column: str) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value)) + ("." + "0" * decimals if decimals else "")
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else _number(float(value), decimals, column=column)
    return neutralise(str(value))


def _number(value: float, decimals: int | None, *, column: str) -> str:
    """Shortest exact text for ``value`` with at least ``decimals`` decimal places, never in exponent form."""
    if not math.isfinite(value):
        raise SchemaError(f"column {column!r}: {value} is not a finite number")
    text = f"{value:.15g}"
    if "e" in text:
        text = np.format_float_positional(float(text), trim="-")
    whole, _, fraction = text.partition(".")
    if decimals and len(fraction) < decimals:
        return f"{whole}.{fraction.ljust(decimals, '0')}"
    return text


# --- the reader ----------------------------------------------------------------------------------------------
def read_csv_bytes(raw: bytes, *, name: str) -> pd.DataFrame:
    """A CSV in this project's form as a frame of text cells (empty cells are ``""``), each text as it was
    before :func:`to_csv_bytes` neutralised it. Types are the schema's business: pass the frame to the table's
    check (:func:`data_sources.schema.conform`, ``risk.validate``, ...).

    Raises :class:`SchemaError` naming ``name`` when the bytes are not a readable UTF-8 CSV.
    """
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise SchemaError(f"{name}: not a readable CSV file ({err})") from err
    for column in frame.columns:
        # only a cell that starts with an apostrophe can carry one the writer added; each distinct one is
        # restored once, so a large table is not run through the pattern cell by cell
        marked = [text for text in pd.unique(frame[column]) if text.startswith("'")]
        if marked:
            frame[column] = frame[column].replace({text: restore(text) for text in marked})
    return frame


# --- the data dictionary as tables ---------------------------------------------------------------------------
class HasSchema(Protocol):
    """Anything that says which schema its rows keep (a :class:`~data_sources.schema.Table`, a package table)."""

    @property
    def schema(self) -> TableSchema: ...


def dictionary_frame(schemas: Iterable[TableSchema] | None = None) -> pd.DataFrame:
    """The whole data dictionary as one table, from :mod:`data_sources.dictionary`: each table schema (what a
    row is and where its figures come from), each of its columns (type, header, unit, meaning), and every drug,
    measure (with unit and decimals), flag, geography level, provenance grade, risk question and statistic,
    and claim check and wording."""
    rows: list[tuple[str, str, str, str, str, str, str, str, str]] = []
    for schema in dictionary.SCHEMAS.values() if schemas is None else schemas:
        rows.append(("table", schema.name, schema.name, schema.title, "", "", "", "", schema.description))
        rows += [("column", schema.name, f.name, f.label, f.type, f.unit, "", "", f.description) for f in schema.fields]
    vocab: list[tuple[str, Mapping[str, str]]] = [
        ("value_flag", dictionary.FLAGS),
        ("geo_level", dictionary.GEO_LEVELS),
        ("provenance", dictionary.PROVENANCE_GRADES),
        ("question", dictionary.QUESTIONS),
        ("check", dictionary.CLAIM_CHECKS),
        ("wording", dictionary.CLAIM_WORDINGS),
    ]
    rows += [("drug", "", k, t.title, "", t.unit, "", t.icd10, t.description) for k, t in dictionary.DRUGS.items()]
    rows += [
        ("measure", "", k, t.title, "", t.unit, "" if t.decimals is None else str(t.decimals), "", t.description)
        for k, t in dictionary.MEASURES.items()
    ]
    for kind, terms in vocab:
        rows += [(kind, "", k, k, "", "", "", "", text) for k, text in terms.items()]
    rows += [
        ("statistic", "", k, s["label"], "", "", "", "", f"A {s['kind']}: it {s['meaning']}")
        for k, s in dictionary.STATISTICS.items()
    ]
    columns = [f.name for f in DICTIONARY.fields]
    return pd.DataFrame(rows, columns=columns, dtype="string")


DICTIONARY = TableSchema(
    name="data_dictionary",
    title="data dictionary",
    description="Definitions of every table, column, drug key, measure (with unit and decimals), flag, geography "
    "level, provenance grade, risk question and statistic, and claim check and wording.",
    fields=(
        Field(
            "kind",
            "string",
            "Kind",
            "What the entry defines: table, column, drug, measure, value_flag, geo_level, provenance, question, "
            "statistic, check or wording.",
            required=True,
            enum=(
                "table",
                "column",
                "drug",
                "measure",
                "value_flag",
                "geo_level",
                "provenance",
                "question",
                "check",
                "wording",
                "statistic",
            ),
        ),
        Field("table", "string", "Table schema", "For a table or column: which table schema it belongs to."),
        Field("key", "string", "Key", "The key as it appears in the tables.", required=True),
        Field("title", "string", "Title", "Short human-readable name (a column's header in display tables)."),
        Field("type", "string", "Type", "For a column: string, integer, number or date (ISO YYYY-MM-DD)."),
        Field("unit", "string", "Unit", "Unit of a measure or column."),
        Field("decimals", "string", "Decimals", "For a measure: decimal places it is shown and written with."),
        Field("icd10", "string", "ICD-10", "ICD-10 codes that define a drug group."),
        Field("description", "string", "Description", "Definition in plain words.", required=True),
    ),
)


def table_dictionary(item: HasSchema) -> pd.DataFrame:
    """The dictionary of one table as a reader sees it: column, header, type, unit, meaning."""
    return pd.DataFrame(
        [
            {"Column": f.name, "Header": f.label, "Type": f.type, "Unit": f.unit, "Meaning": f.description}
            for f in item.schema.fields
        ],
        columns=["Column", "Header", "Type", "Unit", "Meaning"],
    )


def measures_used(frame: pd.DataFrame) -> pd.DataFrame:
    """Measures present in a tidy frame with their unit and definition."""
    present = set(frame["measure"].unique())  # built once, not once per dictionary key
    keys = [k for k in dictionary.MEASURES if k in present]
    return pd.DataFrame(
        [
            {
                "Measure": k,
                "Name": dictionary.MEASURES[k].title,
                "Unit": dictionary.MEASURES[k].unit,
                "Definition": dictionary.MEASURES[k].description,
            }
            for k in keys
        ]
    )


def flags_used(frame: pd.DataFrame) -> pd.DataFrame:
    """Flags present in a tidy frame with what each means."""
    present = {f for flags in frame["value_flag"].unique() for f in split_flags(flags)}
    return pd.DataFrame([{"Flag": k, "Meaning": v} for k, v in dictionary.FLAGS.items() if k in present])


# --- filtering a preview -------------------------------------------------------------------------------------
def filter_choices(frame: pd.DataFrame, fields: Iterable[Field]) -> dict[str, list[str]]:
    """Text columns a reader can filter by (2 to FILTER_LIMIT distinct values), with their values sorted."""
    out = {}
    for f in fields:
        if f.type != "string" or f.name in ("source_detail", "value_flag"):
            continue
        values = frame[f.name].dropna().astype(str).unique()
        if 2 <= len(values) <= FILTER_LIMIT:
            out[f.name] = sorted(values)
    return out


def apply_filters(
    frame: pd.DataFrame, chosen: Mapping[str, Iterable[str]], years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Rows whose value in each filtered column is one of the chosen values (an empty choice keeps all), within
    ``years`` when the table has a year column."""
    mask = pd.Series(True, index=frame.index)
    for col, values in chosen.items():
        wanted = list(values)
        if wanted:
            mask &= frame[col].astype(str).isin(wanted)
    if years is not None and "year" in frame:
        mask &= frame["year"].between(years[0], years[1]).fillna(False).astype(bool)
    return frame[mask]


def year_span(frame: pd.DataFrame) -> tuple[int, int] | None:
    """(first, last) year of a table that spans more than one year, for a year filter; None otherwise."""
    if "year" not in frame or frame["year"].nunique(dropna=True) < 2:
        return None
    return int(frame["year"].min()), int(frame["year"].max())
