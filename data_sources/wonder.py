"""CDC WONDER exports in, tidy tables out.

CDC WONDER (https://wonder.cdc.gov/) lets anyone query the NCHS Multiple and Underlying Cause of Death files and
export the result as tab-delimited text: a header row, one row per group (labels quoted, numbers not), rows
marked ``Total`` in the ``Notes`` column when totals are switched on, then a footer after a ``"---"`` line that
describes the query (dataset, ICD-10 codes, filters, group-by, query date, suggested citation) followed by
numbered Messages, Footnotes and Caveats. Values WONDER withholds are words, never numbers: ``Suppressed``
(confidentiality, fewer than 10 deaths), ``Unreliable`` (a rate from 20 or fewer deaths), ``Not Applicable``
(e.g. no population for a month) and ``Missing``.

* :func:`read_export` checks the bytes (size, binary, encoding) and parses them into a :class:`WonderExport`
  (cells as text, totals apart from data, the footer as query metadata). It interprets nothing.
* :func:`tidy` maps an export into the tidy contract (:mod:`data_sources.schema`); markers become
  ``value_flag`` with an empty ``value``.
* :func:`to_table` wraps the tidy frame with a :class:`Source` built from the footer's Dataset line and
  Suggested Citation.

Anything wrong raises :class:`WonderError` with a sentence saying what was wrong; nothing is half-parsed.
Command line: ``python -m data_sources wonder FILE [--out CSV]`` (:mod:`data_sources.cli`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from data_sources.dictionary import BREAKDOWN_ALL, DRUGS, MEASURES
from data_sources.schema import COLUMNS, SchemaError, Source, Table, conform, join_flags

#: Largest export accepted, in bytes; the same limit as ``maxUploadSize`` in .streamlit/config.toml (20 MB).
MAX_BYTES = 20 * 1024 * 1024
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
# Magic numbers of files people mistake for an export, so the message can say what the file is.
KNOWN_BINARY = {
    b"PK\x03\x04": "a ZIP archive or an Excel (.xlsx) workbook",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip-compressed file",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file",
}


class WonderError(ValueError):
    """The file is not a usable CDC WONDER export. The message says what was wrong, in plain words."""


@dataclass(frozen=True)
class WonderExport:
    """A parsed WONDER export: every cell as text (trailing spaces removed), nothing interpreted yet.

    ``rows`` are the data rows; ``totals`` the rows WONDER marks ``Total`` in ``Notes`` (sums of data rows,
    not data); ``metadata`` the footer's ``key: value`` lines (Dataset, each query parameter, Help, Query Date,
    Suggested Citation) in file order; ``notes`` its numbered Messages, Footnotes and Caveats.
    """

    columns: tuple[str, ...]
    rows: pd.DataFrame
    totals: pd.DataFrame
    metadata: dict[str, str]
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)

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
def read_export(source: bytes | Path) -> WonderExport:
    """Check and parse a WONDER export given as bytes (an upload) or a path. Raises :class:`WonderError`."""
    if isinstance(source, Path):
        if not source.is_file():
            raise WonderError("There is no file at this path.")
        _check_size(source.stat().st_size)
        source = source.read_bytes()
    return parse_text(decode(source))


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise WonderError(
            f"The file is too large ({size / 1024 / 1024:.1f} MB); the limit is {MAX_BYTES // 1024 // 1024} MB. "
            "Export fewer rows from WONDER (fewer group-by columns or a shorter period)."
        )


def decode(data: bytes) -> str:
    """The export's text. Refuses empty, oversized, binary and non-UTF-8 files with a message naming the problem."""
    _check_size(len(data))
    if not data.strip():
        raise WonderError("The file is empty.")
    for magic, what in KNOWN_BINARY.items():
        if data.startswith(magic):
            raise WonderError(
                f"The file is {what}, not a WONDER export. In WONDER, choose Export to save the "
                "results as a tab-delimited .txt file and upload that file."
            )
    if b"\x00" in data:
        raise WonderError("The file is binary (it contains NUL bytes), not a WONDER text export.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise WonderError(
            f"The file is not UTF-8 text (byte 0x{data[err.start]:02x} at position {err.start} cannot be read). "
            "WONDER exports are plain text; was the file re-saved by another program?"
        ) from err
    control = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if control:
        raise WonderError(
            f"The file is binary, not text (control character {ord(control.group()):#04x} at "
            f"position {control.start()})."
        )
    if not text.strip():
        raise WonderError("The file is empty.")
    return text


def parse_text(text: str) -> WonderExport:
    """Parse an export's text (CRLF or LF line endings) into a :class:`WonderExport`."""
    lines = re.split(r"\r\n|\r|\n", text)
    footer_at = next((i for i, line in enumerate(lines) if _unquote(line) == "---"), None)
    if footer_at is None:
        raise WonderError(
            "No WONDER footer found: an export ends with a '---' line followed by the query description (Dataset, "
            "Query Parameters, Suggested Citation). The file is not a WONDER export, or it was cut short."
        )
    table_lines = [(n, line) for n, line in enumerate(lines[:footer_at], start=1) if line.strip()]
    if not table_lines:
        raise WonderError("The file has a footer but no header row or data rows.")
    cells = _split_rows(table_lines)
    header = [c.strip() for c in cells[0][1]]
    if len(header) < 2:
        raise WonderError(
            "The first line is not a tab-delimited header row, so this is not a WONDER export "
            "(WONDER separates columns with tabs)."
        )
    if len(set(header)) != len(header) or "" in header:
        raise WonderError(f"The header row has empty or repeated column names: {header}.")
    if not any(STATISTIC_PATTERN.match(c) for c in header):
        raise WonderError(
            f"The header row has no Deaths, Population or rate column (found {header}); this is not "
            "a WONDER Multiple or Underlying Cause of Death export."
        )
    data: list[dict[str, str]] = []
    totals: list[dict[str, str]] = []
    for number, row in cells[1:]:
        if len(row) != len(header):
            raise WonderError(
                f"Line {number} has {len(row)} cells but the header has {len(header)}: the file looks "
                "cut short or edited."
            )
        row = [c.strip() for c in row]
        record = dict(zip(header, row, strict=True))
        (totals if record.get("Notes", "").lower() == "total" else data).append(record)
    if not data:
        raise WonderError("The export has no data rows (only a header" + (" and Total rows)." if totals else ")."))
    metadata, notes = parse_footer(lines[footer_at:])
    for key in ("Dataset", "Suggested Citation"):
        if not metadata.get(key):
            raise WonderError(
                f"The footer has no '{key}:' line; the file is not a complete WONDER export (was it cut short?)."
            )
    return WonderExport(
        columns=tuple(header),
        rows=pd.DataFrame(data, columns=header, dtype="string"),
        totals=pd.DataFrame(totals, columns=header, dtype="string"),
        metadata=metadata,
        notes=notes,
    )


def _split_rows(numbered: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    out = []
    for number, line in numbered:
        try:
            out.append((number, next(csv.reader([line], delimiter="\t", quotechar='"', strict=True))))
        except csv.Error as err:
            raise WonderError(f"Line {number} cannot be read as tab-delimited cells ({err}).") from err
    return out


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
    """The export as a tidy-contract frame: one row per data row and measure; totals left out (they are sums)."""
    rows = export.rows.reset_index(drop=True)
    frame = pd.concat([_geography(export), _period(export)], axis=1)
    frame["drug"] = _drugs(export)
    frame["sex"], frame["age_group"], frame["race_ethnicity"] = _breakdowns(export)
    frame["source_id"] = source_for(export).id
    frame["provenance"] = "primary"
    frame["source_detail"] = _details(export)
    scale, scale_note = _rate_scale(export)
    pieces = []
    measures = {col: m for col, m in MEASURE_COLUMNS.items() if col in export.columns}
    if not measures:
        raise WonderError(f"The export has no Deaths, Population or rate column (columns: {list(export.columns)}).")
    for column, measure in measures.items():
        part = frame.copy()
        part["measure"] = measure
        values, flags = [], []
        for i, cell in enumerate(rows[column]):
            try:
                value, flag = parse_cell(cell)
            except WonderError as err:
                raise WonderError(f"Data row {i + 1}, column {column!r}: {err}") from err
            values.append(value * scale if value is not None and measure in RATE_MEASURES else value)
            flags.append(join_flags(flag))
        part["value"] = pd.array(values, dtype="Float64")
        part["value_flag"] = flags
        for limit in ("value_lower", "value_upper"):
            part[limit] = pd.array([None] * len(rows), dtype="Float64")
        for interval_col, (interval_measure, limit) in INTERVAL_COLUMNS.items():
            if interval_measure == measure and interval_col in export.columns:
                part[limit] = pd.array([_limit(c, scale) for c in rows[interval_col]], dtype="Float64")
        if measure in RATE_MEASURES and scale_note:
            part["source_detail"] = part["source_detail"] + "; " + scale_note
        pieces.append(part)
    long = pd.concat(pieces, ignore_index=True)[list(COLUMNS)]
    try:
        return conform(long, table=table)
    except SchemaError as err:
        raise WonderError(f"The export could not be turned into a tidy table: {err}") from err


def _limit(cell: str, scale: float) -> float | None:
    value, _ = parse_cell(cell)
    return None if value is None else value * scale


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
    """year, period_end_date, period_months per row: Month Code (YYYY/MM), Year Code, or the query's years."""
    rows, n = export.rows, len(export.rows)
    month_col = _column(export, "Month Code")
    if month_col is not None:
        parsed = pd.to_datetime(rows[month_col].str.strip(), format="%Y/%m", errors="coerce")
        if parsed.isna().any():
            bad = rows[month_col][parsed.isna()].iloc[0]
            raise WonderError(f"Column {month_col!r} holds {bad!r}, not a month code like 2017/01.")
        end = parsed + pd.offsets.MonthEnd(0)
        return pd.DataFrame({"year": end.dt.year, "period_end_date": end, "period_months": 1})
    year_col = _column(export, "Year Code") or ("Year" if "Year" in export.columns else None)
    if year_col is not None:
        years = rows[year_col].str.strip()
        bad = years[~years.str.fullmatch(r"\d{4}").fillna(False)]
        if len(bad):
            raise WonderError(f"Column {year_col!r} holds {bad.iloc[0]!r}, not a year.")
        return pd.DataFrame(
            {"year": years.astype(int), "period_end_date": pd.to_datetime(years + "-12-31"), "period_months": 12}
        )
    first, last = _query_years(export)
    return pd.DataFrame(
        {"year": [last] * n, "period_end_date": pd.Timestamp(f"{last}-12-31"), "period_months": 12 * (last - first + 1)}
    )


def _query_years(export: WonderExport) -> tuple[int, int]:
    """The years every row covers when the export is not grouped by year: the Year/Month filter, else the dataset."""
    chosen = next((v for k, v in export.metadata.items() if k.endswith("Year/Month")), None)
    if chosen is not None:
        years = [p.strip() for p in chosen.split(";") if p.strip()]
        if all(re.fullmatch(r"\d{4}", y) for y in years):
            numbers = sorted(int(y) for y in years)
            if numbers == list(range(numbers[0], numbers[-1] + 1)):
                return numbers[0], numbers[-1]
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
    return int(span.group(1)), int(span.group(2))


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
    age = rows[age_col].map(_age_label).astype("string") if age_col else all_rows
    race_cols = _race_columns(export)
    race = rows[race_cols].apply(lambda r: ", ".join(r.str.strip()), axis=1).astype("string") if race_cols else all_rows
    return sex.reset_index(drop=True), age.reset_index(drop=True), race.reset_index(drop=True)


def _race_columns(export: WonderExport) -> list[str]:
    return [c for c in export.group_columns if re.search(r"Race|Hispanic", c) and not c.endswith("Code")]


def _details(export: WonderExport) -> pd.Series:
    """Where each figure was read: the dataset and query date, the query's causes when the drug key cannot say
    them, any other group-by values (which the contract has no column for) and the row's own Notes."""
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
    out = []
    for i in range(len(rows)):
        parts = [base]
        if drugs.iloc[i] == "wonder_query" and causes:
            parts.append(causes)
        parts += [f"{c}: {rows[c].iloc[i]}" for c in others]
        note = rows["Notes"].iloc[i] if "Notes" in rows else ""
        if note and not pd.isna(note):
            parts.append(f"Notes: {note}")
        out.append("; ".join(parts))
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


def load_upload(data: bytes, *, name: str = TABLE) -> tuple[WonderExport, Table]:
    """An uploaded file's bytes -> (parsed export, tidy table). Raises :class:`WonderError`; keeps nothing."""
    export = read_export(data)
    return export, to_table(export, name=name)


def summary(export: WonderExport, table: Table) -> str:
    """One paragraph saying what was read: rows, totals left out, measures, drug, flags."""
    data = table.data
    flags = data.loc[data["value"].isna(), "value_flag"].value_counts()
    flag_text = ", ".join(f"{n} {str(flag).replace('_', ' ')}" for flag, n in flags.items()) or "none"
    return (
        f"Read {len(export.rows):,} data rows"
        + (f" and left out {len(export.totals):,} Total rows (sums, not data)" if len(export.totals) else "")
        + f" from {export.dataset}. Tidy table: {len(data):,} rows; measures: "
        + ", ".join(MEASURES[m].title.lower() for m in MEASURES if m in set(data["measure"]))
        + "; drugs: "
        + ", ".join(DRUGS[d].title for d in DRUGS if d in set(data["drug"]))
        + f"; values CDC did not give: {flag_text}."
    )
