"""CDC WONDER exports in, tidy tables out.

CDC WONDER (https://wonder.cdc.gov/) lets anyone query the NCHS Multiple and Underlying Cause of Death files and
export the result as tab-delimited text: a header row, one row per group (labels quoted, numbers not), rows
marked ``Total`` in the ``Notes`` column when totals are switched on, then a footer after a ``"---"`` line that
describes the query (dataset, ICD-10 codes, filters, group-by, query date, suggested citation) followed by
numbered Messages, Footnotes and Caveats. Values WONDER withholds are words, never numbers: ``Suppressed``
(confidentiality, fewer than 10 deaths), ``Unreliable`` (a rate from 20 or fewer deaths), ``Not Applicable``
(e.g. no population for a month) and ``Missing``.

* :func:`read_export` checks the bytes (size, binary, encoding) and parses them into a :class:`WonderExport`
  (cells as text, totals apart from data, the footer as query metadata). It interprets nothing. It reads line
  by line from bytes, a path or the open upload itself, keeps each distinct cell text once, and stops at the
  first data row past :data:`MAX_ROWS`.
* :func:`tidy` maps an export into the tidy contract (:mod:`data_sources.schema`); markers become
  ``value_flag`` with an empty ``value``.
* :func:`to_table` wraps the tidy frame with a :class:`Source` built from the footer's Dataset line and
  Suggested Citation.

Limits a page can print: :data:`MAX_BYTES` (20 MB per file), :data:`MAX_ROWS` data rows (the row budget, far
below what 20 MB could hold, so an accepted upload costs at most :data:`PARSE_BUDGET_MB` MB to parse and about a
third of that to keep), :data:`MAX_COLUMNS` columns and :data:`MAX_CELL_CHARS` characters a cell.
:func:`load_upload` hands the parse's memory back to the operating system (:mod:`data_sources.memory`) and returns
the export without its cells; years outside 1968 to next year are refused, and WONDER's 0.0 rate for zero
deaths is flagged ``unreliable``.

Anything wrong raises :class:`WonderError` with a sentence saying what was wrong; nothing is half-parsed.
Command line: ``python -m data_sources wonder FILE [--out CSV]`` (:mod:`data_sources.cli`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from data_sources import memory
from data_sources.checks import FIRST_YEAR as FIRST_DATA_YEAR
from data_sources.checks import RATE_ROUNDING, TIDY_KEY, last_year
from data_sources.dictionary import BREAKDOWN_ALL, DRUGS, MEASURES
from data_sources.schema import COLUMNS, SchemaError, Source, Table, conform, join_flags, split_flags

#: Largest export accepted, in bytes; the same limit as ``maxUploadSize`` in .streamlit/config.toml (20 MB).
MAX_BYTES = 20 * 1024 * 1024
#: Most data rows an export may have. A county-by-year export of one state for 1999-2023 has about 6,000;
#: every US county for ten years about 31,000. The tidy table has one row per data row and statistic, so this
#: keeps an upload's table (and the server's memory for it) small whatever the file's size.
MAX_ROWS = 20_000
#: Most memory, in MB, parsing one accepted export may take (Python's traced allocations at their peak); the
#: tests hold an export at MAX_ROWS with four measures a row to it (about 36 MB measured). The table it leaves
#: is about a third of that (15 MB).
PARSE_BUDGET_MB = 44
#: Most columns a header may have (WONDER's widest export: five group-by columns with codes, nine statistics).
MAX_COLUMNS = 40
#: Longest cell, in characters: WONDER writes labels and numbers, never long text.
MAX_CELL_CHARS = 500
#: Most footer lines (the query description, messages, footnotes and caveats run to about a hundred).
MAX_FOOTER_LINES = 5_000
#: Years an export may cover: CDC WONDER's mortality files run from 1968 (Compressed Mortality) to date.
FIRST_YEAR = FIRST_DATA_YEAR
WONDER_URL = "https://wonder.cdc.gov/"
TABLE = "wonder_upload"

#: WONDER's words for a value it does not give, and the contract's flag for each. Never read as numbers.
MARKERS: dict[str, str] = {
    "suppressed": "suppressed",
    "unreliable": "unreliable",
    "not applicable": "not_applicable",
    "missing": "missing",
}

#: Export column -> measure key. WONDER has written both spellings of the age-adjusted rate.
MEASURE_COLUMNS: dict[str, str] = {
    "Deaths": "deaths",
    "Population": "population",
    "Crude Rate": "crude_rate_per_100k",
    "Age Adjusted Rate": "age_adjusted_rate_per_100k",
    "Age-Adjusted Rate": "age_adjusted_rate_per_100k",
}
RATE_MEASURES = {"crude_rate_per_100k", "age_adjusted_rate_per_100k"}
#: Export column -> (measure, which confidence limit).
INTERVAL_COLUMNS: dict[str, tuple[str, str]] = {
    f"{label} {side} 95% Confidence Interval": (measure, "value_" + side.lower())
    for label, measure in (
        ("Crude Rate", "crude_rate_per_100k"),
        ("Age Adjusted Rate", "age_adjusted_rate_per_100k"),
        ("Age-Adjusted Rate", "age_adjusted_rate_per_100k"),
    )
    for side in ("Lower", "Upper")
}
#: Statistic columns WONDER can add; any other column is a group-by column.
STATISTIC_PATTERN = re.compile(r"^(Deaths|Population|Crude Rate.*|Age[- ]Adjusted Rate.*|% of Total Deaths)$")

AGE_COLUMNS = (
    "Ten-Year Age Groups",
    "Five-Year Age Groups",
    "Single-Year Ages",
    "Age Group",
    "Age Groups",
    "Infant Age Groups",
)
SEX_COLUMNS = ("Sex", "Gender")
NOTE_BLOCKS = ("Messages", "Footnotes", "Caveats")
FOOTER_KEY = re.compile(r"^([A-Z][A-Za-z0-9 /&().,'%+-]{0,80}?): ?(.*)$")
NUMBER = re.compile(r"^-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
NUMBER_UNRELIABLE = re.compile(r"^(-?[\d,]*\.?\d+)\s*\(\s*unreliable\s*\)$", re.IGNORECASE)
ICD_CODE = re.compile(r"^([A-Z]\d{2}(?:\.\d)?)\b")
QUERY_DATE_FORMATS = ("%b %d, %Y %I:%M:%S %p", "%b %d, %Y %H:%M:%S", "%b %d, %Y")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Magic numbers of files people mistake for an export, so the message can say what the file is.
KNOWN_BINARY = {
    b"PK\x03\x04": "a ZIP archive or an Excel (.xlsx) workbook",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip-compressed file",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file",
}


class WonderError(ValueError):
    """The file is not a usable CDC WONDER export. The message says what was wrong, in plain words."""


class TooManyRows(WonderError):
    """The export has more data rows than :data:`MAX_ROWS`."""


@dataclass(frozen=True)
class WonderExport:
    """A parsed WONDER export: every cell as text (trailing spaces removed), nothing interpreted yet.

    ``rows`` are the data rows; ``totals`` the rows WONDER marks ``Total`` in ``Notes`` (sums of data rows,
    not data); ``metadata`` the footer's ``key: value`` lines (Dataset, each query parameter, Help, Query Date,
    Suggested Citation) in file order; ``notes`` its numbered Messages, Footnotes and Caveats. Once tidied,
    an upload keeps the export without its data cells (:meth:`without_rows`): ``released_rows`` then says how
    many there were, and ``row_count`` is right either way.
    """

    columns: tuple[str, ...]
    rows: pd.DataFrame
    totals: pd.DataFrame
    metadata: dict[str, str]
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    released_rows: int | None = None

    @property
    def row_count(self) -> int:
        """How many data rows the export has (also after :meth:`without_rows`)."""
        return len(self.rows) if self.released_rows is None else self.released_rows

    def without_rows(self) -> WonderExport:
        """The same export with its data cells let go (the tidy table holds them now); columns, totals, footer
        and the row count stay."""
        return replace(self, rows=self.rows.iloc[:0].copy(), released_rows=self.row_count)

    @property
    def dataset(self) -> str:
        return self.metadata["Dataset"]

    @property
    def citation(self) -> str:
        return self.metadata["Suggested Citation"]

    @property
    def statistic_columns(self) -> list[str]:
        return [c for c in self.columns if STATISTIC_PATTERN.match(c)]

    @property
    def group_columns(self) -> list[str]:
        """The group-by columns (labels and their codes), in export order; ``Notes`` excluded."""
        return [c for c in self.columns if c != "Notes" and not STATISTIC_PATTERN.match(c)]


# --- reading: bytes -> WonderExport -------------------------------------------------------------------------
def read_export(source: bytes | Path | BinaryIO) -> WonderExport:
    """Check and parse a WONDER export given as bytes, a path or an open binary file (an upload, read in place
    without a copy). Raises :class:`WonderError`.

    The file is read line by line: the size is checked first, each line is decoded and checked on its own, data
    rows are kept as deduplicated text (a county name or a marker is stored once however often it repeats), and
    reading stops at the first data row past :data:`MAX_ROWS` (refused with :class:`TooManyRows`), so a large
    file costs little memory or time whatever its size.
    """
    if isinstance(source, Path):
        if not source.is_file():
            raise WonderError("There is no file at this path.")
        _check_size(source.stat().st_size)
        with source.open("rb") as handle:
            return _parse_lines(_text_lines(handle))
    if isinstance(source, bytes | bytearray | memoryview):
        _check_size(len(source))
        return _parse_lines(_text_lines(io.BytesIO(source)))
    source.seek(0, io.SEEK_END)
    _check_size(source.tell())
    source.seek(0)
    return _parse_lines(_text_lines(source))


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise WonderError(
            f"The file is too large ({size / 1024 / 1024:.1f} MB); the limit is {MAX_BYTES // 1024 // 1024} MB. "
            "Export fewer rows from WONDER (fewer group-by columns or a shorter period)."
        )


def _refuse_known_binary(head: bytes) -> None:
    for magic, what in KNOWN_BINARY.items():
        if head.startswith(magic):
            raise WonderError(
                f"The file is {what}, not a WONDER export. In WONDER, choose Export to save the "
                "results as a tab-delimited .txt file and upload that file."
            )


def _refuse_control(text: str, offset: int) -> None:
    control = CONTROL.search(text)
    if control:
        raise WonderError(
            f"The file is binary, not text (control character {ord(control.group()):#04x} at "
            f"position {offset + control.start()})."
        )


def decode(data: bytes) -> str:
    """The export's text. Refuses empty, oversized, binary and non-UTF-8 files with a message naming the problem."""
    _check_size(len(data))
    if not data.strip():
        raise WonderError("The file is empty.")
    _refuse_known_binary(data)
    if b"\x00" in data:
        raise WonderError("The file is binary (it contains NUL bytes), not a WONDER text export.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise WonderError(
            f"The file is not UTF-8 text (byte 0x{data[err.start]:02x} at position {err.start} cannot be read). "
            "WONDER exports are plain text; was the file re-saved by another program?"
        ) from err
    _refuse_control(text, 0)
    if not text.strip():
        raise WonderError("The file is empty.")
    return text


def _text_lines(handle: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line of a binary file, decoded and checked one line at a time; CRLF, LF and
    CR line endings all end a line. Refuses binary and non-UTF-8 files as :func:`decode` does, and an empty one."""
    head = handle.read(8)
    _refuse_known_binary(head)
    handle.seek(0)
    position = 0
    number = 0
    content = False
    for raw in handle:
        if b"\x00" in raw:
            raise WonderError("The file is binary (it contains NUL bytes), not a WONDER text export.")
        body = raw[3:] if position == 0 and raw.startswith(codecs.BOM_UTF8) else raw
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            at = position + (len(raw) - len(body)) + err.start
            raise WonderError(
                f"The file is not UTF-8 text (byte 0x{body[err.start]:02x} at position {at} cannot be read). "
                "WONDER exports are plain text; was the file re-saved by another program?"
            ) from err
        _refuse_control(text, position)
        position += len(raw)
        content = content or bool(text.strip())
        for line in LINE_BREAK.split(text.removesuffix("\n").removesuffix("\r")):
            number += 1
            yield number, line
    if not content:
        raise WonderError("The file is empty.")


def parse_text(text: str) -> WonderExport:
    """Parse an export's text (CRLF or LF line endings) into a :class:`WonderExport`."""
    return _parse_lines(enumerate(LINE_BREAK.split(text), start=1))


def _parse_lines(lines: Iterable[tuple[int, str]]) -> WonderExport:
    """The table part (header, data rows, Total rows) up to the first ``---`` line, then the footer.

    A problem in the table part is kept until the footer is known to be there, so a file cut short is reported
    as cut short rather than by its last broken line. Cells are kept once: identical texts share one string.
    """
    pool: dict[str, str] = {}
    header: list[str] | None = None
    notes_at: int | None = None
    data: list[list[str]] = []
    totals: list[list[str]] = []
    problem: WonderError | None = None
    footer: list[str] | None = None
    seen_table_line = False
    for number, line in lines:
        if footer is not None:
            footer.append(line)
            if len(footer) > MAX_FOOTER_LINES:
                raise WonderError(f"The footer runs past {MAX_FOOTER_LINES:,} lines; this is not a WONDER export.")
            continue
        if _unquote(line) == "---":
            footer = [line]
            continue
        if problem is not None or not line.strip():
            continue
        seen_table_line = True
        try:
            cells = _split_row(number, line)
            if header is None:
                header = _check_header(cells)
                notes_at = header.index("Notes") if "Notes" in header else None
                continue
            if len(cells) != len(header):
                raise WonderError(
                    f"Line {number} has {len(cells)} cells but the header has {len(header)}: the file looks "
                    "cut short or edited."
                )
            row = [pool.setdefault(c, c) for c in (c.strip() for c in cells)]
            if len(line) > MAX_CELL_CHARS and any(len(c) > MAX_CELL_CHARS for c in row):
                raise WonderError(
                    f"Line {number} has a cell of more than {MAX_CELL_CHARS:,} characters; a WONDER export holds "
                    "short labels and numbers."
                )
            is_total = notes_at is not None and row[notes_at].lower() == "total"
            (totals if is_total else data).append(row)
            if len(data) > MAX_ROWS:  # refused at once: reading on would only cost time and memory
                raise TooManyRows(
                    f"The export has more than {MAX_ROWS:,} data rows; the limit is {MAX_ROWS:,}. Export fewer "
                    "rows from WONDER (fewer group-by columns, fewer places or a shorter period), or split the "
                    "query into several files."
                )
        except TooManyRows:
            raise
        except WonderError as err:
            problem = err
            data, totals = [], []  # nothing more is kept once the file is refused
    if footer is None:
        raise WonderError(
            "No WONDER footer found: an export ends with a '---' line followed by the query description (Dataset, "
            "Query Parameters, Suggested Citation). The file is not a WONDER export, or it was cut short."
        )
    if problem is not None:
        raise problem
    if not seen_table_line or header is None:
        raise WonderError("The file has a footer but no header row or data rows.")
    if not data:
        raise WonderError("The export has no data rows (only a header" + (" and Total rows)." if totals else ")."))
    metadata, notes = parse_footer(footer)
    for key in ("Dataset", "Suggested Citation"):
        if not metadata.get(key):
            raise WonderError(
                f"The footer has no '{key}:' line; the file is not a complete WONDER export (was it cut short?)."
            )
    return WonderExport(
        columns=tuple(header),
        rows=_frame(header, data),
        totals=_frame(header, totals),
        metadata=metadata,
        notes=notes,
    )


def _check_header(cells: list[str]) -> list[str]:
    header = [c.strip() for c in cells]
    if len(header) < 2:
        raise WonderError(
            "The first line is not a tab-delimited header row, so this is not a WONDER export "
            "(WONDER separates columns with tabs)."
        )
    if len(header) > MAX_COLUMNS:
        raise WonderError(f"The header row has {len(header)} columns; a WONDER export has at most {MAX_COLUMNS}.")
    if len(set(header)) != len(header) or "" in header:
        raise WonderError(f"The header row has empty or repeated column names: {header}.")
    if not any(STATISTIC_PATTERN.match(c) for c in header):
        raise WonderError(
            f"The header row has no Deaths, Population or rate column (found {header}); this is not "
            "a WONDER Multiple or Underlying Cause of Death export."
        )
    return header


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """Rows of text as a frame of ``string`` columns, built column by column (no per-row dicts)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    return pd.DataFrame({h: pd.array(list(col), dtype="string") for h, col in zip(header, columns, strict=True)})


def _split_row(number: int, line: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter="\t", quotechar='"', strict=True))
    except csv.Error as err:
        raise WonderError(f"Line {number} cannot be read as tab-delimited cells ({err}).") from err


def _unquote(line: str) -> str:
    line = line.strip()
    if len(line) >= 2 and line.startswith('"') and line.endswith('"'):
        line = line[1:-1].replace('""', '"')
    return line.strip()


def parse_footer(lines: list[str]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The footer's ``key: value`` lines (wrapped lines joined) and its numbered note blocks.

    WONDER wraps long values over several quoted lines; a line that does not start a new ``Key:`` continues the
    previous value, and the Suggested Citation runs to the next ``---``.
    """
    metadata: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    key: str | None = None
    block: str | None = None
    for raw in lines:
        line = _unquote(raw)
        if line == "---":
            key = block = None
            continue
        if not line or line == "Query Parameters:":
            continue
        if line.rstrip(":") in NOTE_BLOCKS and line.endswith(":"):
            block = line.rstrip(":")
            notes.setdefault(block, [])
            continue
        if block is not None:
            if re.match(r"^\d+\.\s", line) or not notes[block]:
                notes[block].append(line)
            else:
                notes[block][-1] += " " + line
            continue
        match = FOOTER_KEY.match(line)
        if match and key != "Suggested Citation":
            key, value = match.group(1), match.group(2).strip()
            metadata[key] = f"{metadata[key]}; {value}" if key in metadata else value
        elif key is not None:
            metadata[key] = f"{metadata[key]} {line}".strip()
        else:
            metadata.setdefault("Footer", "")
            metadata["Footer"] = f"{metadata['Footer']} {line}".strip()
    return metadata, {k: tuple(v) for k, v in notes.items()}


# --- interpreting: WonderExport -> tidy contract ------------------------------------------------------------
def parse_cell(text: str) -> tuple[float | None, str | None]:
    """One statistic cell -> (number or None, flag or None). Markers never become numbers.

    ``"12"`` -> (12.0, None); ``"Suppressed"`` -> (None, "suppressed"); ``"4.2 (Unreliable)"`` -> (4.2,
    "unreliable"); ``""`` -> (None, "missing"). Anything else raises :class:`WonderError`.
    """
    cell = text.strip()
    if not cell:
        return None, "missing"
    if cell.lower() in MARKERS:
        return None, MARKERS[cell.lower()]
    if NUMBER.match(cell):
        return float(cell.replace(",", "")), None
    flagged = NUMBER_UNRELIABLE.match(cell)
    if flagged and NUMBER.match(flagged.group(1)):
        return float(flagged.group(1).replace(",", "")), "unreliable"
    raise WonderError(f"{cell!r} is neither a number nor one of WONDER's markers ({', '.join(MARKERS)}).")


def tidy(export: WonderExport, *, table: str = TABLE) -> pd.DataFrame:
    """The export as a tidy-contract frame: one row per data row and measure; totals left out (they are sums).

    CDC WONDER now prints a rate of 0.0 where a place had no deaths (it used to print "Unreliable"); such a
    rate is kept as printed but flagged ``unreliable`` with a note saying why, so it is never shown as a
    measured rate. Rates are checked against deaths / population to the rounding WONDER prints.
    """
    frame = pd.concat([_geography(export), _period(export)], axis=1)
    frame["drug"] = _drugs(export)
    frame["sex"], frame["age_group"], frame["race_ethnicity"] = _breakdowns(export)
    frame["source_id"] = source_for(export).id
    frame["provenance"] = "primary"
    frame["source_detail"] = _details(export)
    scale, scale_note = _rate_scale(export)
    measures = {col: m for col, m in MEASURE_COLUMNS.items() if col in export.columns}
    if not measures:
        raise WonderError(f"The export has no Deaths, Population or rate column (columns: {list(export.columns)}).")
    zero_deaths = None
    if "Deaths" in export.columns:
        deaths, _ = _parse_column(export, "Deaths")
        zero_deaths = (deaths == 0).to_numpy()
    # One array per column, all measures end to end, handed to conform without another copy in between.
    shared = {c: frame[c].to_numpy() for c in frame.columns if c != "source_detail"}
    pieces: dict[str, list[np.ndarray]] = {c: [] for c in (*shared, "measure", "value", "value_flag", "source_detail")}
    pieces |= {"value_lower": [], "value_upper": []}
    n = len(frame)
    for column, measure in measures.items():
        values, flags = _parse_column(export, column)
        details = frame["source_detail"]
        if measure in RATE_MEASURES:
            values = values * scale
        if measure in RATE_MEASURES and zero_deaths is not None:
            printed_zero = zero_deaths & (values == 0).to_numpy()
            if printed_zero.any():
                flagged = {f: join_flags(*split_flags(f), "unreliable") for f in pd.unique(flags[printed_zero])}
                flags = flags.where(~printed_zero, flags.map(flagged))
                details = details.where(~printed_zero, _suffixed(details, ZERO_RATE_NOTE))
        if measure in RATE_MEASURES and scale_note:
            details = _suffixed(details, scale_note)
        for c, array in shared.items():
            pieces[c].append(array)
        # np.full would make a separate copy of the text for every row; repeat keeps one, referenced n times
        pieces["measure"].append(np.repeat(np.array([measure], dtype=object), n))
        pieces["value"].append(values.to_numpy(dtype="float64"))
        pieces["value_flag"].append(flags.to_numpy(dtype=object))
        pieces["source_detail"].append(details.to_numpy(dtype=object))
        for limit in ("value_lower", "value_upper"):
            interval = next(
                (
                    c
                    for c, (m, side) in INTERVAL_COLUMNS.items()
                    if m == measure and side == limit and c in export.columns
                ),
                None,
            )
            bounds = np.full(n, np.nan) if interval is None else _parse_column(export, interval, limits=True)[0] * scale
            pieces[limit].append(np.asarray(bounds, dtype="float64"))
    del shared, frame
    try:
        # Extra group-by columns (e.g. place of death) live in source_detail, so it is part of the row key;
        # WONDER prints rates to 1-3 decimals, and a rate converted from another base scales that rounding.
        # The long frame is handed over without a name here, so conform can free it once it has its copy.
        return conform(
            pd.DataFrame({c: np.concatenate(pieces.pop(c)) for c in COLUMNS}, copy=False),
            table=table,
            key=(*TIDY_KEY, "source_detail"),
            rate_rounding=RATE_ROUNDING * max(scale, 1.0),
        )
    except SchemaError as err:
        raise WonderError(f"The export could not be turned into a tidy table: {err}") from err


#: Why a 0.0 rate for zero deaths is flagged (CDC WONDER used to print "Unreliable" there).
ZERO_RATE_NOTE = (
    "WONDER printed a rate of 0.0 for zero deaths; flagged unreliable because a rate on fewer than 20 deaths is "
    "not reliable by WONDER's own rule (earlier WONDER releases printed Unreliable)"
)


def _parse_column(export: WonderExport, column: str, *, limits: bool = False) -> tuple[pd.Series, pd.Series]:
    """(values as float with NaN, flags as text) of one statistic column; each distinct cell is read once.

    A confidence limit (``limits``) keeps only the number. Raises :class:`WonderError` naming the first data
    row and the column of a cell that is neither a number nor a marker.
    """
    cells = export.rows[column].reset_index(drop=True)
    parsed: dict[str, tuple[float, str]] = {}
    for text in pd.unique(cells.dropna()):
        try:
            value, flag = parse_cell(str(text))
        except WonderError as err:
            row = int((cells == text).to_numpy().nonzero()[0][0])
            raise WonderError(f"Data row {row + 1}, column {column!r}: {err}") from err
        parsed[str(text)] = (float("nan") if value is None else value, "" if limits else join_flags(flag))
    texts = cells.fillna("").astype(object)
    if "" not in parsed:
        parsed[""] = (float("nan"), "" if limits else join_flags("missing"))
    values = texts.map({t: v for t, (v, _) in parsed.items()}).astype("float64")
    flags = texts.map({t: f for t, (_, f) in parsed.items()}).astype(object)
    return values, flags


def _suffixed(details: pd.Series, note: str) -> pd.Series:
    """Each detail with ``; note`` added; each distinct detail is joined once (they repeat row after row)."""
    joined = {d: f"{d}; {note}" for d in pd.unique(details)}
    return details.map(joined).astype("string")


def _rate_scale(export: WonderExport) -> tuple[float, str]:
    """Factor that turns the export's rates into rates per 100,000 (WONDER lets users pick another base)."""
    per = export.metadata.get("Calculate Rates Per", "100,000").replace(",", "").strip()
    if not per.isdigit() or int(per) == 0:
        raise WonderError(f"The footer's 'Calculate Rates Per: {per}' is not a number.")
    if int(per) == 100_000:
        return 1.0, ""
    return 100_000 / int(per), f"rate per {int(per):,} in the export, converted to per 100,000"


def _column(export: WonderExport, suffix: str) -> str | None:
    return next((c for c in export.columns if c == suffix or c.endswith(" " + suffix)), None)


def _geography(export: WonderExport) -> pd.DataFrame:
    """geo_level, geo_code, geo_name per row: from County Code / State Code, else from the query's filters."""
    rows, n = export.rows, len(export.rows)
    for suffix, level, width in (("County Code", "county", 5), ("State Code", "state", 2)):
        code_col = _column(export, suffix)
        if code_col is None:
            continue
        codes = rows[code_col].str.strip()
        bad = codes[~codes.str.fullmatch(rf"\d{{1,{width}}}").fillna(False)]
        if len(bad):
            raise WonderError(f"Column {code_col!r} holds {bad.iloc[0]!r}, not a FIPS code.")
        label_col = code_col.removesuffix(" Code")
        names = rows[label_col] if label_col in export.columns else codes
        return pd.DataFrame(
            {"geo_level": level, "geo_code": codes.str.zfill(width), "geo_name": names.astype("string")}
        )
    place_groups = [c for c in export.group_columns if re.search(r"Region|Division|HHS|Urbanization", c)]
    if place_groups:
        raise WonderError(
            f"The export is grouped by {place_groups[0]!r}, which the dashboard cannot place on a "
            "map; group by State or County in WONDER instead."
        )
    for key, value in export.metadata.items():
        if not re.search(r"(^|\s)(States|Counties)$", key):
            continue
        picks = [p.strip() for p in value.split(";") if p.strip()]
        found = [re.fullmatch(r"(.+?)\s*\((\d{2}|\d{5})\)", p) for p in picks]
        if len(picks) == 1 and found[0]:
            code = found[0].group(2)
            return pd.DataFrame(
                {
                    "geo_level": ["state" if len(code) == 2 else "county"] * n,
                    "geo_code": code,
                    "geo_name": found[0].group(1),
                }
            )
        if picks and not (len(picks) == 1 and re.search(r"\*All\*|United States", picks[0])):
            raise WonderError(
                f"Each row adds up several places ({key}: {value}) but the export has no State or "
                "County column; group by State or County in WONDER so each row is one place."
            )
    return pd.DataFrame({"geo_level": ["nation"] * n, "geo_code": "US", "geo_name": "United States"})


def _period(export: WonderExport) -> pd.DataFrame:
    """year, period_end_date, period_months per row: Month Code (YYYY/MM), Year Code, or the query's years.

    A year outside :data:`FIRST_YEAR` to next year is refused by name (WONDER has no such data, and pandas
    cannot even hold a date in 3000 or 1000).
    """
    rows, n = export.rows, len(export.rows)
    month_col = _column(export, "Month Code")
    if month_col is not None:
        codes = rows[month_col].str.strip()
        shaped = codes.str.fullmatch(r"\d{4}/\d{2}").fillna(False).astype(bool)
        if not shaped.all():
            raise WonderError(f"Column {month_col!r} holds {codes[~shaped].iloc[0]!r}, not a month code like 2017/01.")
        _check_years(codes.str.slice(0, 4).astype(int), month_col, codes)
        parsed = pd.to_datetime(codes, format="%Y/%m", errors="coerce")
        if parsed.isna().any():
            unreadable = codes[parsed.isna()].iloc[0]
            raise WonderError(f"Column {month_col!r} holds {unreadable!r}, not a month code like 2017/01.")
        end = parsed + pd.offsets.MonthEnd(0)
        return pd.DataFrame({"year": end.dt.year, "period_end_date": end, "period_months": 1})
    year_col = _column(export, "Year Code") or ("Year" if "Year" in export.columns else None)
    if year_col is not None:
        years = rows[year_col].str.strip()
        bad = years[~years.str.fullmatch(r"\d{4}").fillna(False)]
        if len(bad):
            raise WonderError(f"Column {year_col!r} holds {bad.iloc[0]!r}, not a year.")
        numbers = years.astype(int)
        _check_years(numbers, year_col, years)
        ends = {y: pd.Timestamp(year=int(y), month=12, day=31) for y in pd.unique(numbers)}
        return pd.DataFrame(
            {"year": numbers, "period_end_date": numbers.map(ends).astype("datetime64[ns]"), "period_months": 12}
        )
    first, last = _query_years(export)
    return pd.DataFrame(
        {
            "year": [last] * n,
            "period_end_date": pd.Timestamp(year=last, month=12, day=31),
            "period_months": 12 * (last - first + 1),
        }
    )


def _check_years(years: pd.Series, column: str, cells: pd.Series) -> None:
    """Refuse a year outside what WONDER covers, naming the cell and the data row."""
    outside = ((years < FIRST_YEAR) | (years > last_year())).to_numpy()
    if outside.any():
        row = int(outside.nonzero()[0][0])
        raise WonderError(
            f"Data row {row + 1}, column {column!r}: {cells.iloc[row]!r} is outside the years CDC WONDER covers "
            f"({FIRST_YEAR} to {last_year()}); the file was edited or is not a WONDER export."
        )


def _query_years(export: WonderExport) -> tuple[int, int]:
    """The years every row covers when the export is not grouped by year: the Year/Month filter, else the dataset."""
    chosen = next((v for k, v in export.metadata.items() if k.endswith("Year/Month")), None)
    if chosen is not None:
        years = [p.strip() for p in chosen.split(";") if p.strip()]
        if all(re.fullmatch(r"\d{4}", y) for y in years):
            numbers = sorted(int(y) for y in years)
            if numbers == list(range(numbers[0], numbers[-1] + 1)):
                return _within_years(numbers[0], numbers[-1], chosen)
        raise WonderError(
            f"The rows cover the query's period ({chosen}), which is not a run of whole years; group "
            "by Year or Month in WONDER."
        )
    span = re.search(r"\b(\d{4})-(\d{4})\b", export.dataset)
    if span is None:
        raise WonderError(
            f"The export is not grouped by Year or Month and its dataset ({export.dataset}) names no "
            "years; group by Year in WONDER."
        )
    return _within_years(int(span.group(1)), int(span.group(2)), export.dataset)


def _within_years(first: int, last: int, what: str) -> tuple[int, int]:
    if first < FIRST_YEAR or last > last_year():
        raise WonderError(
            f"The query's years ({what}) reach outside the years CDC WONDER covers ({FIRST_YEAR} to "
            f"{last_year()}); the file was edited or is not a WONDER export."
        )
    return first, last


def _expand(codes: str) -> set[str]:
    """'X40-X44, X85' -> {'X40', ..., 'X44', 'X85'}; 'T40.0-T40.4' -> {'T40.0', ..., 'T40.4'}."""
    out: set[str] = set()
    for match in re.finditer(r"\b([A-Z])(\d{2})(?:\.(\d))?(?:-([A-Z])(\d{2})(?:\.(\d))?)?\b", codes):
        letter, num, dec, _, num2, dec2 = match.groups()
        if num2 is None:
            out.add(f"{letter}{num}" + (f".{dec}" if dec else ""))
        elif dec is not None and dec2 is not None and num == num2:
            out.update(f"{letter}{num}.{d}" for d in range(int(dec), int(dec2) + 1))
        else:
            out.update(f"{letter}{n:02d}" for n in range(int(num), int(num2) + 1))
    return out


#: ICD-10 multiple-cause code sets -> drug key, generated from the data dictionary so they cannot drift.
DRUG_BY_CODES: dict[frozenset[str], str] = {
    frozenset(_expand(term.icd10)): key for key, term in DRUGS.items() if term.icd10.startswith("T")
}
ALL_DRUG_POISONING = frozenset(_expand(DRUGS["all_drugs"].icd10))


def _drugs(export: WonderExport) -> pd.Series:
    """Drug key per row. The footer's (or a grouped column's) MCD codes decide it, when the underlying cause is
    drug poisoning of every intent as the dictionary defines it; otherwise ``wonder_query``."""
    n = len(export.rows)
    ucd = set().union(*[_expand(v) for k, v in export.metadata.items() if k.startswith("UCD")] or [set()])
    is_overdose = ucd == ALL_DRUG_POISONING
    mcd_col = next(
        (c for c in export.group_columns if c.endswith("Code") and re.match(r"(Multiple Cause|MCD)", c, re.IGNORECASE)),
        None,
    )
    if mcd_col is not None:
        codes = export.rows[mcd_col].str.strip()
        return pd.Series(
            [DRUG_BY_CODES.get(frozenset({c}), "wonder_query") if is_overdose else "wonder_query" for c in codes],
            dtype="string",
        )
    mcd_keys = [k for k in export.metadata if k.startswith("MCD")]
    if not mcd_keys:
        return pd.Series(["all_drugs" if is_overdose else "wonder_query"] * n, dtype="string")
    listed: set[str] = set()
    for part in export.metadata[mcd_keys[0]].split(";"):
        match = ICD_CODE.match(part.strip())
        listed.add(match.group(1) if match else part.strip())
    drug = DRUG_BY_CODES.get(frozenset(listed)) if is_overdose and len(mcd_keys) == 1 else None
    return pd.Series([drug or "wonder_query"] * n, dtype="string")


def _age_label(label: str) -> str:
    """'25-34 years' -> '25-34'; '< 1 year' -> '<1'; '85+ years' -> '85+'; 'Not Stated' -> 'not stated'."""
    text = re.sub(r"\s*years?$", "", label.strip()).replace("< ", "<")
    return text.lower() if not re.search(r"\d", text) else text


def _breakdowns(export: WonderExport) -> tuple[pd.Series, pd.Series, pd.Series]:
    rows, n = export.rows, len(export.rows)
    all_rows = pd.Series([BREAKDOWN_ALL] * n, dtype="string")
    sex_col = next((c for c in SEX_COLUMNS if c in export.columns), None)
    sex = rows[sex_col].str.strip().str.lower() if sex_col else all_rows
    age_col = next((c for c in AGE_COLUMNS if c in export.columns), None)
    age = _mapped(rows[age_col], _age_label) if age_col else all_rows
    race_cols = _race_columns(export)
    race = all_rows
    if race_cols:
        joined = rows[race_cols[0]].str.strip()
        for col in race_cols[1:]:
            joined = joined + ", " + rows[col].str.strip()
        race = _mapped(joined, str)
    return sex.reset_index(drop=True), age.reset_index(drop=True), race.reset_index(drop=True)


def _mapped(cells: pd.Series, how: Callable[[str], str]) -> pd.Series:
    """``how`` applied to each distinct cell once, the result shared by every row that has it."""
    table = {c: how(c) for c in pd.unique(cells.dropna())}
    return cells.map(table).astype("string")


def _race_columns(export: WonderExport) -> list[str]:
    return [c for c in export.group_columns if re.search(r"Race|Hispanic", c) and not c.endswith("Code")]


def _details(export: WonderExport) -> pd.Series:
    """Where each figure was read: the dataset and query date, the query's causes when the drug key cannot say
    them, any other group-by values (which the contract has no column for) and the row's own Notes. Rows with
    the same detail share one string."""
    rows = export.rows
    base = f"CDC WONDER, {export.dataset}, query of {export.metadata.get('Query Date', 'unknown date')}"
    causes = "; ".join(f"{k}: {v}" for k, v in export.metadata.items() if k.startswith(("MCD", "UCD")))
    drugs = _drugs(export)
    mapped = {c for s in ("County Code", "State Code", "Month Code", "Year Code") if (c := _column(export, s))}
    mapped |= {c.removesuffix(" Code") for c in mapped} | {"Year"}
    mapped |= set(SEX_COLUMNS) | set(AGE_COLUMNS) | set(_race_columns(export))
    others = [
        c
        for c in export.group_columns
        if c not in mapped and not c.endswith(" Code") and not re.match(r"(Multiple Cause|MCD)", c, re.IGNORECASE)
    ]
    columns = [drugs.tolist(), *(rows[c].fillna("").tolist() for c in others)]
    columns.append(rows["Notes"].fillna("").tolist() if "Notes" in rows else [""] * len(rows))
    pool: dict[tuple[str, ...], str] = {}
    out = []
    for drug, *values, note in zip(*columns, strict=True):
        key = (drug, *values, note)
        detail = pool.get(key)
        if detail is None:
            parts = [base]
            if drug == "wonder_query" and causes:
                parts.append(causes)
            parts += [f"{c}: {v}" for c, v in zip(others, values, strict=True)]
            if note:
                parts.append(f"Notes: {note}")
            detail = pool[key] = "; ".join(parts)
        out.append(detail)
    return pd.Series(out, dtype="string")


# --- provenance -------------------------------------------------------------------------------------------
def source_for(export: WonderExport) -> Source:
    """The export's source: its Dataset line as title and its Suggested Citation, at https://wonder.cdc.gov/."""
    slug = re.sub(r"[^a-z0-9]+", "_", export.dataset.lower()).strip("_")
    return Source(
        id=f"cdc_wonder_{slug}"[:80],
        title=f"{export.dataset} (CDC WONDER query)",
        publisher="Centers for Disease Control and Prevention, CDC WONDER",
        url=WONDER_URL,
        license="Public domain (U.S. Government work)",
        citation=export.citation,
    )


def query_date(export: WonderExport) -> datetime | None:
    """The footer's Query Date, or None when the export has none in a known format."""
    text = export.metadata.get("Query Date", "").strip()
    for fmt in QUERY_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def to_table(export: WonderExport, *, name: str = TABLE) -> Table:
    """The export as a :class:`Table`: tidy data, its source, the query date as as-of, the footer as ``extra``."""
    data = tidy(export, table=name)
    when = query_date(export)
    notice = None
    if when is None:
        when = datetime.now(UTC).replace(tzinfo=None)
        notice = "The export's Query Date could not be read, so the as-of date shown is the upload time."
    extra = dict(export.metadata)
    for block, lines in export.notes.items():
        extra[block] = " ".join(lines)
    return Table(
        name=name,
        data=data,
        sources=(source_for(export),),
        retrieved_at=when,
        from_snapshot=False,
        notice=notice,
        extra=extra,
    )


#: Uploads are parsed one at a time in a process: a parse briefly needs about twice what its table keeps, so
#: readers uploading at once would add those peaks up (bench/RESULTS.md, three uploads at once). A second
#: reader waits a few seconds behind the first instead.
_ONE_PARSE_AT_A_TIME = threading.Lock()


def load_upload(data: bytes | BinaryIO, *, name: str = TABLE) -> tuple[WonderExport, Table]:
    """An uploaded file (its bytes, or the open upload itself, read in place) -> (parsed export, tidy table).

    The export comes back without its data cells (:meth:`WonderExport.without_rows`): the table holds the
    figures, and keeping both would double what a reader's session holds. Memory the parse used is handed
    back to the operating system before returning (:func:`data_sources.memory.release`). Raises :class:`WonderError`;
    keeps nothing.
    """
    try:
        with _ONE_PARSE_AT_A_TIME:
            export = read_export(data)
            table = to_table(export, name=name)
        # When the reader's session lets the table go, hand its memory back too (a moment later, once the
        # frame's arrays are freed; no hook of the web framework is needed).
        weakref.finalize(table.data, memory.release_soon)
        return export.without_rows(), table
    finally:
        memory.release()


def limits_text() -> str:
    """The upload limits in one sentence for the page: 'Up to 20 MB and 20,000 data rows per file.'"""
    return f"Up to {MAX_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} data rows per file."


def summary(export: WonderExport, table: Table) -> str:
    """One paragraph saying what was read: rows, totals left out, measures, drug, flags."""
    data = table.data
    flags = data.loc[data["value"].isna(), "value_flag"].value_counts()
    flag_text = ", ".join(f"{n} {str(flag).replace('_', ' ')}" for flag, n in flags.items()) or "none"
    return (
        f"Read {export.row_count:,} data rows"
        + (f" and left out {len(export.totals):,} Total rows (sums, not data)" if len(export.totals) else "")
        + f" from {export.dataset}. Tidy table: {len(data):,} rows; measures: "
        + ", ".join(MEASURES[m].title.lower() for m in MEASURES if m in set(data["measure"]))
        + "; drugs: "
        + ", ".join(DRUGS[d].title for d in DRUGS if d in set(data["drug"]))
        + f"; values CDC did not give: {flag_text}."
    )
