"""Tables out: safe CSVs, the data dictionary, and a citable Frictionless data package.

Everything an analyst downloads comes from here, so every download keeps the same rules:

* **Safe CSV**: UTF-8, a header row, ISO dates (``YYYY-MM-DD``), FIPS codes as text, numbers as plain numbers,
  and text cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``, tab or carriage
  return) prefixed with an apostrophe, as OWASP recommends against CSV injection
  (https://owasp.org/www-community/attacks/CSV_Injection). Numeric columns are never touched.
* **Data package**: one CSV per table under ``data/``, ``sources.csv``, ``data_dictionary.csv`` (generated
  from :mod:`data_sources.dictionary`), a ``datapackage.json`` following the Frictionless Data Package spec
  (https://specs.frictionlessdata.io/data-package/: each table's fields and types, units, sources,
  licences, byte size and sha256), a README and citations in APA and BibTeX.

Tables come from :data:`data_sources.catalog.TABLES`. A table in the tidy contract is described from
:mod:`data_sources.schema`; a table with other columns is accepted when the module that defines it exposes
``COLUMNS = {name: (pandas dtype, description)}`` (as :mod:`data_sources.risk` does); anything else is refused
with a message rather than exported undocumented.

Command line: ``python -m data_sources export --out DIR [--zip]``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import inspect
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from data_sources import dictionary
from data_sources.schema import COLUMNS, SchemaError, Source, Table

PACKAGE_NAME = "us-drug-overdose-data"
PACKAGE_TITLE = "US drug overdose data: tables behind the dashboard"
PUBLIC_DOMAIN = "Public domain"
#: A text cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: pandas dtype -> Frictionless field type.
FIELD_TYPES = {
    "string": "string",
    "Int64": "integer",
    "Float64": "number",
    "datetime64[ns]": "date",
    "boolean": "boolean",
}
#: Tidy columns that may never be empty (the contract's ``conform`` enforces the same).
REQUIRED_TIDY = (
    "source_id",
    "geo_level",
    "geo_code",
    "geo_name",
    "year",
    "period_end_date",
    "period_months",
    "drug",
    "measure",
    "provenance",
)
TIDY_ENUMS: dict[str, tuple[str, ...]] = {
    "drug": tuple(dictionary.DRUGS),
    "measure": tuple(dictionary.MEASURES),
    "geo_level": tuple(dictionary.GEO_LEVELS),
    "provenance": tuple(dictionary.PROVENANCE_GRADES),
}
#: Columns a reader can filter the preview by, when the table has them (others are free text or numbers).
FILTER_LIMIT = 80


@dataclass(frozen=True)
class Field:
    """One column as the data package describes it."""

    name: str
    type: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()

    def as_frictionless(self) -> dict:
        out: dict = {"name": self.name, "type": self.type, "description": self.description}
        if self.type == "date":
            out["format"] = "default"  # ISO 8601, YYYY-MM-DD
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class PackageTable:
    """A table ready for export: its data, provenance and field list; ``tidy`` says which schema it keeps."""

    name: str
    table: Table
    fields: tuple[Field, ...]
    tidy: bool
    description: str = ""
    extra: dict = field(default_factory=dict)


# --- describing tables --------------------------------------------------------------------------------------
def is_tidy(frame: pd.DataFrame) -> bool:
    return list(frame.columns) == list(COLUMNS)


def fields_for(table: Table, loader: Callable | None = None) -> tuple[Field, ...]:
    """The table's fields: the tidy contract's, or the ``COLUMNS`` its own module exposes.

    Raises :class:`SchemaError` naming the table when neither describes its columns.
    """
    frame = table.data
    if is_tidy(frame):
        return tuple(
            Field(
                col,
                FIELD_TYPES[dtype],
                dictionary.COLUMN_DESCRIPTIONS[col],
                col in REQUIRED_TIDY,
                TIDY_ENUMS.get(col, ()),
            )
            for col, dtype in COLUMNS.items()
        )
    modules = [inspect.getmodule(obj) for obj in (loader, type(table)) if obj is not None]
    for module in modules:
        own = getattr(module, "COLUMNS", None)
        if (
            isinstance(own, Mapping)
            and list(own) == list(frame.columns)
            and all(isinstance(v, tuple) and len(v) == 2 and v[0] in FIELD_TYPES for v in own.values())
        ):
            return tuple(Field(col, FIELD_TYPES[dtype], text) for col, (dtype, text) in own.items())
    raise SchemaError(
        f"{table.name}: its columns {list(frame.columns)} are neither the tidy contract nor described by a "
        "COLUMNS = {name: (dtype, description)} in the module that defines it, so it cannot be exported with a "
        "data dictionary."
    )


def collect(tables: Mapping[str, Callable[[], Table]] | None = None) -> list[PackageTable]:
    """Load every registered table (default: :data:`data_sources.catalog.TABLES`) with its fields.

    A table that fails to load or to describe itself raises: nothing is silently left out.
    """
    if tables is None:
        from data_sources import catalog

        tables = catalog.TABLES
    out = []
    for name, loader in tables.items():
        table = loader()
        out.append(package_table(table, loader=loader, name=name))
    return out


def package_table(table: Table, *, loader: Callable | None = None, name: str | None = None) -> PackageTable:
    fields = fields_for(table, loader)
    return PackageTable(
        name=name or table.name, table=table, fields=fields, tidy=is_tidy(table.data), description=describe(table)
    )


def describe(table: Table) -> str:
    """One sentence: what the table holds, from its own rows."""
    data = table.data
    if not is_tidy(data) or data.empty:
        return f"{len(data):,} rows from {len(table.sources)} source(s)."
    years = f"{int(data['year'].min())}-{int(data['year'].max())}"
    levels = ", ".join(sorted(set(data["geo_level"])))
    return (
        f"{len(data):,} rows: {', '.join(sorted(set(data['measure'])))} for "
        f"{data['drug'].nunique()} drug group(s), {levels}, {years}."
    )


# --- safe CSV ------------------------------------------------------------------------------------------------
def neutralise(text: str) -> str:
    """Prefix a text cell a spreadsheet would run as a formula with an apostrophe; leave other text alone."""
    return "'" + text if text.startswith(FORMULA_START) else text


def table_csv(frame: pd.DataFrame, fields: Iterable[Field]) -> bytes:
    """``frame`` (a whole table or a filtered view) as a safe CSV in ``fields`` order: UTF-8, header row, ISO
    dates, text cells neutralised, numbers untouched."""
    fields = list(fields)
    out = pd.DataFrame(index=frame.index)
    for f in fields:
        col = frame[f.name]
        if f.type == "date":
            out[f.name] = pd.to_datetime(col).dt.strftime("%Y-%m-%d")
        elif f.type == "string":
            out[f.name] = col.astype("string").map(neutralise, na_action="ignore")
        else:
            out[f.name] = col
    buffer = io.StringIO()
    # %.15g: whole numbers without a trailing ".0" (16849, not 16849.0) and no binary noise (0.30000000000000004).
    out.to_csv(buffer, index=False, lineterminator="\n", float_format="%.15g")
    return buffer.getvalue().encode("utf-8")


# --- filtering the preview -----------------------------------------------------------------------------------
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
        values = list(values)
        if values:
            mask &= frame[col].astype(str).isin(values)
    if years is not None and "year" in frame:
        mask &= frame["year"].between(years[0], years[1]).fillna(False).astype(bool)
    return frame[mask]


# --- dictionary -----------------------------------------------------------------------------------------------
def dictionary_frame() -> pd.DataFrame:
    """The whole data dictionary as one table (kind, key, title, unit, ICD-10, description), from
    :mod:`data_sources.dictionary`."""
    rows = [("column", k, k, "", "", v) for k, v in dictionary.COLUMN_DESCRIPTIONS.items()]
    rows += [("drug", k, t.title, t.unit, t.icd10, t.description) for k, t in dictionary.DRUGS.items()]
    rows += [("measure", k, t.title, t.unit, t.icd10, t.description) for k, t in dictionary.MEASURES.items()]
    rows += [("value_flag", k, k, "", "", v) for k, v in dictionary.FLAGS.items()]
    rows += [("geo_level", k, k, "", "", v) for k, v in dictionary.GEO_LEVELS.items()]
    rows += [("provenance", k, k, "", "", v) for k, v in dictionary.PROVENANCE_GRADES.items()]
    return pd.DataFrame(rows, columns=["kind", "key", "title", "unit", "icd10", "description"], dtype="string")


DICTIONARY_FIELDS = (
    Field(
        "kind",
        "string",
        "What the entry defines: column, drug, measure, value_flag, geo_level or provenance.",
        True,
        ("column", "drug", "measure", "value_flag", "geo_level", "provenance"),
    ),
    Field("key", "string", "The key as it appears in the tables.", True),
    Field("title", "string", "Short human-readable name."),
    Field("unit", "string", "Unit of a measure."),
    Field("icd10", "string", "ICD-10 codes that define a drug group."),
    Field("description", "string", "Definition in plain words.", True),
)

SOURCE_FIELDS = (
    Field("id", "string", "Source key; tables refer to it in source_id.", True),
    Field("title", "string", "Title of the dataset or publication.", True),
    Field("publisher", "string", "Who published it.", True),
    Field("url", "string", "Where it is published.", True),
    Field("license", "string", "Licence or terms of the figures.", True),
    Field("citation", "string", "How to cite it.", True),
    Field("dataset_id", "string", "data.cdc.gov dataset id, for Socrata sources."),
    Field("tables", "string", "Tables (separated by ';') that use figures from it.", True),
)


DICTIONARY_VIEW_FIELDS = (
    Field("Column", "string", "Column name in the table's CSV.", True),
    Field("Type", "string", "string, integer, number or date (ISO YYYY-MM-DD).", True),
    Field("Unit", "string", "Unit of the column's values, where it has one."),
    Field("Meaning", "string", "What the column holds.", True),
)


def table_dictionary(item: PackageTable) -> pd.DataFrame:
    """The dictionary of one table as a reader sees it: column, type, unit, meaning."""
    rows = []
    for f in item.fields:
        unit = ""
        if item.tidy and f.name in ("value", "value_lower", "value_upper"):
            unit = "depends on the measure (see Measures)"
        rows.append({"Column": f.name, "Type": f.type, "Unit": unit, "Meaning": f.description})
    return pd.DataFrame(rows)


def measures_used(frame: pd.DataFrame) -> pd.DataFrame:
    """Measures present in a tidy frame with their unit and definition."""
    keys = [k for k in dictionary.MEASURES if k in set(frame["measure"])]
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
    from data_sources.schema import split_flags

    present = {f for flags in frame["value_flag"] for f in split_flags(flags)}
    return pd.DataFrame([{"Flag": k, "Meaning": v} for k, v in dictionary.FLAGS.items() if k in present])


# --- sources and citations --------------------------------------------------------------------------------------
def source_dict(source: Source) -> dict:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "license": source.license,
        "citation": source.citation,
        "dataset_id": source.dataset_id or "",
    }


def used_sources(items: Iterable[PackageTable]) -> dict[str, tuple[Source, list[str], date]]:
    """Each source once (first definition wins) with the tables that use it and the latest as-of date."""
    out: dict[str, tuple[Source, list[str], date]] = {}
    for item in items:
        used = set(item.table.data["source_id"]) if "source_id" in item.table.data else set()
        for src in item.table.sources:
            if src.id not in used:
                continue
            when = item.table.retrieved_at.date()
            if src.id in out:
                prev = out[src.id]
                out[src.id] = (prev[0], [*prev[1], item.name], max(prev[2], when))
            else:
                out[src.id] = (src, [item.name], when)
    return out


def licence_entry(text: str) -> dict:
    """A Frictionless licence object for a licence sentence (Open Definition ids: other-pd, other-at)."""
    return {"name": "other-pd" if text.startswith(PUBLIC_DOMAIN) else "other-at", "title": text}


def apa(source: Source, retrieved: date) -> str:
    """An APA 7 reference for a dataset or web page: dated by the publisher's release year where the source
    records one, else 'n.d.' with a retrieval date, as APA asks for pages that change. A copy taken from
    elsewhere (``copy_from``) is named as such, never as retrieved from the publisher's site."""
    head = f"{source.publisher}. ({source.released[:4] if source.released else 'n.d.'}). *{source.title}* [Data set]."
    when = f"{retrieved:%B} {retrieved.day}, {retrieved:%Y}"
    if source.copy_from:
        return f"{head} {source.url}. This site's copy: {source.copy_from}, taken {when}."
    return f"{head} Retrieved {when}, from {source.url}"


def _bibtex_escape(text: str) -> str:
    text = text.replace("\\", r"\textbackslash{}")
    text = re.sub(r"([&%$#_{}])", r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def bibtex(source: Source, retrieved: date) -> str:
    """A BibTeX ``@misc`` entry keyed by the source id."""
    key = re.sub(r"[^A-Za-z0-9_:-]", "_", source.id)
    url = source.url.replace("{", "%7B").replace("}", "%7D")
    return (
        f"@misc{{{key},\n"
        f"  author = {{{{{_bibtex_escape(source.publisher)}}}}},\n"
        f"  title = {{{{{_bibtex_escape(source.title)}}}}},\n"
        f"  howpublished = {{\\url{{{url}}}}},\n"
        f"  note = {{{_bibtex_escape(source.citation)} Licence: {_bibtex_escape(source.license)}.}},\n"
        f"  urldate = {{{retrieved.isoformat()}}}\n"
        "}\n"
    )


# --- the package -------------------------------------------------------------------------------------------------
def package_files(items: list[PackageTable], *, created: datetime) -> dict[str, bytes]:
    """Every file of the data package, path -> bytes, in the order they are written and zipped."""
    if not items:
        raise SchemaError("no tables to export")
    names = [i.name for i in items]
    if len(set(names)) != len(names):
        raise SchemaError(f"two tables share a name: {names}")
    files: dict[str, bytes] = {}
    resources = []
    sources = used_sources(items)
    for item in items:
        payload = table_csv(item.table.data, item.fields)
        path = f"data/{item.name}.csv"
        files[path] = payload
        resources.append(_resource(item, path, payload, sources))
    source_rows = pd.DataFrame(
        [{**source_dict(src), "tables": ";".join(tables)} for src, tables, _ in sources.values()],
        columns=[f.name for f in SOURCE_FIELDS],
    )
    files["sources.csv"] = table_csv(source_rows, SOURCE_FIELDS)
    resources.append(
        _plain_resource(
            "sources",
            "sources.csv",
            files["sources.csv"],
            SOURCE_FIELDS,
            "Every source the tables cite, with URL, licence and citation.",
            primary_key="id",
        )
    )
    files["data_dictionary.csv"] = table_csv(dictionary_frame(), DICTIONARY_FIELDS)
    resources.append(
        _plain_resource(
            "data_dictionary",
            "data_dictionary.csv",
            files["data_dictionary.csv"],
            DICTIONARY_FIELDS,
            "Definitions of every column, drug key, measure (with unit), flag, geography level and provenance grade.",
        )
    )
    package = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": PACKAGE_TITLE,
        "description": "US drug overdose deaths and rates from CDC, NCHS and NIDA as tidy tables, each figure with "
        "its source. Suppressed or unreliable values are empty with a value_flag, never zero.",
        "created": created.astimezone(UTC).isoformat(timespec="seconds"),
        "licenses": [licence_entry(t) for t in sorted({s.license for s, _, _ in sources.values()})],
        "sources": [{"title": s.title, "path": s.url, "x-publisher": s.publisher} for s, _, _ in sources.values()],
        "resources": resources,
    }
    files["datapackage.json"] = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files["README.md"] = readme(items, sources, created).encode("utf-8")
    files["CITATION.md"] = citation_text(sources, created).encode("utf-8")
    files["CITATION.bib"] = "\n".join(bibtex(s, when) for s, _, when in sources.values()).encode("utf-8")
    return files


def _resource(item: PackageTable, path: str, payload: bytes, sources: Mapping) -> dict:
    table = item.table
    used = [sources[s.id][0] for s in table.sources if s.id in sources]
    schema: dict = {"fields": [f.as_frictionless() for f in item.fields], "missingValues": [""]}
    if "source_id" in {f.name for f in item.fields}:
        schema["foreignKeys"] = [{"fields": "source_id", "reference": {"resource": "sources", "fields": "id"}}]
    resource = {
        "name": item.name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": item.name.replace("_", " ").capitalize(),
        "description": item.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(payload),
        "hash": "sha256:" + hashlib.sha256(payload).hexdigest(),
        "schema": schema,
        "sources": [{"title": s.title, "path": s.url} for s in used],
        "licenses": [licence_entry(t) for t in sorted({s.license for s in used})],
        "x-rows": len(table.data),
        "x-as-of": table.retrieved_at.date().isoformat(),
        "x-from-snapshot": table.from_snapshot,
    }
    if item.tidy:
        data = table.data
        resource["x-units"] = {k: dictionary.MEASURES[k].unit for k in dictionary.MEASURES if k in set(data["measure"])}
        resource["x-drugs"] = {
            k: {"title": t.title, "icd10": t.icd10} for k, t in dictionary.DRUGS.items() if k in set(data["drug"])
        }
    if getattr(table, "notice", None):
        resource["x-notice"] = table.notice
    if getattr(table, "extra", None):  # a WONDER upload's footer; tables with their own class may have none
        resource["x-query-metadata"] = dict(table.extra)
    return resource


def _plain_resource(
    name: str, path: str, payload: bytes, fields: Iterable[Field], description: str, primary_key: str | None = None
) -> dict:
    schema: dict = {"fields": [f.as_frictionless() for f in fields], "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(payload),
        "hash": "sha256:" + hashlib.sha256(payload).hexdigest(),
        "schema": schema,
    }


def readme(items: list[PackageTable], sources: Mapping, created: datetime) -> str:
    """The package's README: what is inside, how to read it, where it comes from."""
    lines = [
        f"# {PACKAGE_TITLE}",
        "",
        f"Exported {created.astimezone(UTC):%Y-%m-%d %H:%M} UTC by `python -m data_sources export`.",
        "",
        "## Files",
        "",
        "| file | rows | as of | what it holds |",
        "|---|---|---|---|",
    ]
    for item in items:
        where = "bundled snapshot" if item.table.from_snapshot else "refreshed or uploaded"
        lines.append(
            f"| `data/{item.name}.csv` | {len(item.table.data):,} | "
            f"{item.table.retrieved_at:%Y-%m-%d} ({where}) | {item.description} |"
        )
    lines += [
        "| `sources.csv` | | | Every source cited, with URL, licence and citation. |",
        "| `data_dictionary.csv` | | | Every column, drug key, measure (with unit) and flag defined. |",
        "| `datapackage.json` | | | Machine-readable description (Frictionless Data Package): fields, types, "
        "units, sources, licences, sha256 of each CSV. |",
        "| `CITATION.md`, `CITATION.bib` | | | How to cite the data (APA and BibTeX). |",
        "",
        "## How to read the tables",
        "",
        "- One row per figure: `value` is the number, `measure` says what it counts and `data_dictionary.csv` "
        "gives its unit (deaths, or deaths per 100,000 people).",
        "- An empty `value` is never zero: `value_flag` says why it is missing (`suppressed`: withheld by CDC "
        "because fewer than 10 deaths; `unreliable`: a rate on too few deaths by the publisher's rule; "
        "`not_applicable`; `missing`). `computed_interval`: the 95% limits were computed from the death count.",
        "- `provenance` is `primary` (read from the publisher's own table) or `secondary` (read in a text quoting "
        "it); `source_id` links to `sources.csv`, `source_detail` says exactly where the figure was read.",
        "- Dates are ISO (`YYYY-MM-DD`); `geo_code` is text (FIPS codes keep their leading zeros; `US` = nation).",
        "- Final and provisional figures are separate tables; do not add them together.",
        "- A death can involve several drugs, so drug counts do not add up to the all-drug total.",
        "- Text cells that a spreadsheet would read as a formula start with an apostrophe (') in these files.",
        "",
        "## Sources",
        "",
    ]
    for src, tables, _ in sources.values():
        lines.append(
            f"- **{src.title}** ({src.publisher}), <{src.url}>. Licence: {src.license}. Used in: {', '.join(tables)}."
        )
    lines += ["", "See `CITATION.md` for how to cite each source.", ""]
    return "\n".join(lines)


def citation_text(sources: Mapping, created: datetime) -> str:
    """CITATION.md: APA references for every source, with each publisher's own suggested citation."""
    lines = [
        "# How to cite these data",
        "",
        "Cite the original sources below (APA 7). The BibTeX entries are in `CITATION.bib`.",
        "",
    ]
    for src, _, when in sources.values():
        lines += [f"- {apa(src, when)}", f"  - As the source gives it: {src.citation}", ""]
    lines += [f"Data package exported on {created.astimezone(UTC):%Y-%m-%d}.", ""]
    return "\n".join(lines)


def zip_bytes(files: Mapping[str, bytes], *, created: datetime, folder: str = PACKAGE_NAME) -> bytes:
    """The package as one zip (files under ``folder/``); entries dated ``created`` so equal input gives equal bytes."""
    stamp = created.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, payload in files.items():
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return buffer.getvalue()


def write_package(files: Mapping[str, bytes], out: Path) -> list[Path]:
    """Write each file atomically under ``out``; returns the paths written."""
    from data_sources.snapshot import atomic_write

    written = []
    for path, payload in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, payload)
        target.chmod(0o644)  # a package is for sharing; the temporary file it was renamed from was private
        written.append(target)
    return written


# --- validating a package against its own datapackage.json -------------------------------------------------------
def validate_package(directory: Path) -> list[str]:
    """Check every CSV of an unpacked package against ``datapackage.json``. Returns the problems (empty = valid).

    Checks each resource's size and sha256, that its header equals the field list in order, every cell against
    its field's type (integer, number, date, boolean, string), required and enum constraints, the primary key's
    uniqueness and foreign keys into other resources.
    """
    problems: list[str] = []
    try:
        package = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        return [f"datapackage.json cannot be read: {err}"]
    columns: dict[str, dict[str, list[str]]] = {}
    for resource in package.get("resources", []):
        name, path = resource.get("name"), directory / resource.get("path", "")
        if not path.is_file():
            problems.append(f"{name}: file {resource.get('path')} is missing")
            continue
        raw = path.read_bytes()
        if resource.get("bytes") != len(raw):
            problems.append(f"{name}: {len(raw)} bytes, datapackage.json says {resource.get('bytes')}")
        if resource.get("hash") != "sha256:" + hashlib.sha256(raw).hexdigest():
            problems.append(f"{name}: sha256 does not match datapackage.json")
        try:
            text = raw.decode(resource.get("encoding", "utf-8"))
        except UnicodeDecodeError as err:
            problems.append(f"{name}: not {resource.get('encoding')}: {err}")
            continue
        fields = resource["schema"]["fields"]
        missing = set(resource["schema"].get("missingValues", [""]))
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        expected = [f["name"] for f in fields]
        if header != expected:
            problems.append(f"{name}: header {header} does not match the fields {expected}")
            continue
        values: dict[str, list[str]] = {f: [] for f in expected}
        for line, row in enumerate(reader, start=2):
            if len(row) != len(fields):
                problems.append(f"{name} line {line}: {len(row)} cells, expected {len(fields)}")
                continue
            for spec, cell in zip(fields, row, strict=True):
                values[spec["name"]].append(cell)
                problem = _check_cell(spec, cell, missing)
                if problem:
                    problems.append(f"{name} line {line}, {spec['name']}: {problem}")
        rows = len(values[expected[0]]) if expected else 0
        if "x-rows" in resource and resource["x-rows"] != rows:
            problems.append(f"{name}: {rows} rows, datapackage.json says {resource['x-rows']}")
        key = resource["schema"].get("primaryKey")
        if key and len(set(values[key])) != len(values[key]):
            problems.append(f"{name}: primary key {key} has repeated values")
        columns[name] = values
    for resource in package.get("resources", []):
        for fk in resource.get("schema", {}).get("foreignKeys", []):
            own = columns.get(resource["name"], {}).get(fk["fields"], [])
            target = columns.get(fk["reference"]["resource"], {}).get(fk["reference"]["fields"])
            if target is None:
                problems.append(f"{resource['name']}: foreign key target {fk['reference']} not found")
                continue
            dangling = sorted(set(own) - set(target))
            if dangling:
                problems.append(
                    f"{resource['name']}: {fk['fields']} values {dangling[:5]} are not in {fk['reference']['resource']}"
                )
    return problems


def _check_cell(spec: dict, cell: str, missing: set[str]) -> str | None:
    constraints = spec.get("constraints", {})
    if cell in missing:
        return "required but empty" if constraints.get("required") else None
    kind = spec["type"]
    if kind == "integer" and not re.fullmatch(r"-?\d+", cell):
        return f"{cell!r} is not an integer"
    if kind == "number" and not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", cell):
        return f"{cell!r} is not a number"
    if kind == "date":
        try:
            date.fromisoformat(cell)
        except ValueError:
            return f"{cell!r} is not an ISO date"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
            return f"{cell!r} is not an ISO date (YYYY-MM-DD)"
    if kind == "boolean" and cell not in ("true", "false", "True", "False"):
        return f"{cell!r} is not a boolean"
    if kind == "string" and cell.startswith(FORMULA_START):
        return f"{cell[:20]!r} would run as a spreadsheet formula"
    enum = constraints.get("enum")
    if enum and cell not in enum:
        return f"{cell!r} is not one of {enum}"
    return None


# --- command line ---------------------------------------------------------------------------------------------
def cli(command: str, args: list[str]) -> int:
    """``python -m data_sources export --out DIR [--zip]``: every registered table as a data package in DIR."""
    parser = argparse.ArgumentParser(
        prog=f"python -m data_sources {command}",
        description="Write every table as tidy CSV with a data dictionary, datapackage.json, README and citations.",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory to write the package into")
    parser.add_argument("--zip", action="store_true", help=f"also write DIR/{PACKAGE_NAME}.zip")
    options = parser.parse_args(args)
    created = datetime.now(UTC)
    try:
        items = collect()
        files = package_files(items, created=created)
    except SchemaError as err:
        print(f"error: {err} Nothing was written.", file=sys.stderr)
        return 1
    written = write_package(files, options.out)
    problems = validate_package(options.out)
    if problems:
        print("error: the written package does not validate:\n  " + "\n  ".join(problems[:20]), file=sys.stderr)
        return 1
    if options.zip:
        from data_sources.snapshot import atomic_write

        target = options.out / f"{PACKAGE_NAME}.zip"
        atomic_write(target, zip_bytes(files, created=created))
        target.chmod(0o644)
        written.append(target)
    for item in items:
        print(f"{item.name}: {len(item.table.data):,} rows -> {options.out / 'data' / (item.name + '.csv')}")
    print(f"wrote {len(written)} files to {options.out} (package validates against its datapackage.json)")
    return 0
