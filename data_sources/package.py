"""The citable data package: every catalog table as CSV with ``datapackage.json``, a README and citations.

The package follows the Frictionless Data Package spec (https://specs.frictionlessdata.io/data-package/):

* ``data/<table>.csv`` for every table in :data:`data_sources.catalog.TABLES` (and a reader's upload, when
  there is one), each written by :func:`data_sources.export.to_csv_bytes`;
* ``sources.csv`` (every source cited, with URL, licence and citation) and ``data_dictionary.csv`` (every
  table, column, drug, measure and flag defined, from :mod:`data_sources.dictionary`);
* ``datapackage.json``: each resource's fields, types, constraints and row key from its table's schema, its
  CSV dialect, units, sources, licences, byte size and sha256;
* ``README.md``, and citations in APA (``CITATION.md``) and BibTeX (``CITATION.bib``).

``frictionless validate DIR/datapackage.json`` passes on a written package (the tests run it for every table).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources import catalog, dictionary
from data_sources.dictionary import TIDY, Field, TableSchema
from data_sources.export import DICTIONARY, dictionary_frame, to_csv_bytes
from data_sources.schema import SchemaError, Source, Table
from data_sources.snapshot import atomic_write

PACKAGE_NAME = "us-drug-overdose-data"
PACKAGE_TITLE = "US drug overdose data: tables behind the dashboard"
PUBLIC_DOMAIN = "Public domain"
#: How every CSV is written (export.to_csv_bytes), as a Frictionless CSV dialect.
DIALECT: dict[str, Any] = {
    "delimiter": ",",
    "lineTerminator": "\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "skipInitialSpace": False,
    "header": True,
}

SOURCES = TableSchema(
    name="sources",
    title="sources",
    description="Every source the tables cite, with URL, licence and citation.",
    fields=(
        Field("id", "string", "Source", "Source key; tables refer to it in source_id.", required=True),
        Field("title", "string", "Title", "Title of the dataset or publication.", required=True),
        Field("publisher", "string", "Publisher", "Who published it.", required=True),
        Field("url", "string", "Address", "Where it is published.", required=True),
        Field("license", "string", "Licence", "Licence or terms of the figures.", required=True),
        Field("citation", "string", "Citation", "How to cite it.", required=True),
        Field("dataset_id", "string", "Dataset id", "data.cdc.gov dataset id, for Socrata sources."),
        Field("tables", "string", "Tables", "Tables (separated by ';') that use figures from it.", required=True),
    ),
    primary_key="id",
)


@dataclass(frozen=True)
class PackageTable:
    """A table as the package lists it: its name in the package, the table, and one sentence about it."""

    name: str
    table: Table
    description: str = ""

    @property
    def schema(self) -> TableSchema:
        return self.table.schema

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.table.schema.fields

    @property
    def tidy(self) -> bool:
        """Whether the table keeps the tidy contract (measures, drugs and flags apply to it)."""
        return self.table.schema is TIDY


def collect(tables: Mapping[str, Callable[[], Table]] | None = None) -> list[PackageTable]:
    """Load every registered table (default: :data:`data_sources.catalog.TABLES`) for the package.

    A table that fails to load raises: nothing is silently left out.
    """
    chosen = catalog.TABLES if tables is None else tables
    return [package_table(loader(), name=name) for name, loader in chosen.items()]


def package_table(table: Table, *, name: str | None = None) -> PackageTable:
    """``table`` ready for the package, named ``name`` (default: the table's own name)."""
    return PackageTable(name=name or table.name, table=table, description=describe(table))


def describe(table: Table) -> str:
    """One sentence: what the table holds, from its own rows."""
    data = table.data
    if table.schema is not TIDY or data.empty:
        return f"{len(data):,} rows: {table.schema.title}, from {len(table.sources)} source(s)."
    years = f"{int(data['year'].min())}-{int(data['year'].max())}"
    levels = ", ".join(sorted(set(data["geo_level"])))
    return (
        f"{len(data):,} rows: {', '.join(sorted(set(data['measure'])))} for "
        f"{data['drug'].nunique()} drug group(s), {levels}, {years}."
    )


# --- sources and citations --------------------------------------------------------------------------------------
def source_dict(source: Source) -> dict[str, str]:
    """A source as one row of ``sources.csv`` (without the tables that use it)."""
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
    """Each source some row cites (first definition wins), with the tables that use it and the latest as-of."""
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


def licence_entry(text: str) -> dict[str, str]:
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


# --- datapackage.json ----------------------------------------------------------------------------------------------
def field_descriptor(f: Field) -> dict[str, Any]:
    """One Frictionless Table Schema field: name, type, title, description, unit, constraints."""
    out: dict[str, Any] = {"name": f.name, "type": f.type, "title": f.label, "description": f.description}
    if f.type == "date":
        out["format"] = "default"  # ISO 8601, YYYY-MM-DD
    if f.unit:
        out["x-unit"] = f.unit
    constraints: dict[str, Any] = {}
    if f.required:
        constraints["required"] = True
    if f.enum:
        constraints["enum"] = list(f.enum)
    if constraints:
        out["constraints"] = constraints
    return out


def schema_descriptor(schema: TableSchema, *, cites_sources: bool) -> dict[str, Any]:
    """A Frictionless Table Schema from one of the dictionary's schemas; ``source_id`` points into sources.csv."""
    out: dict[str, Any] = {"fields": [field_descriptor(f) for f in schema.fields], "missingValues": [""]}
    if schema.primary_key:
        out["primaryKey"] = [schema.primary_key]
    if cites_sources and "source_id" in schema.columns:
        out["foreignKeys"] = [{"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}}]
    return out


def _resource(name: str, path: str, payload: bytes, schema: TableSchema, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": name.replace("_", " ").capitalize(),
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": dict(DIALECT),
        "bytes": len(payload),
        "hash": "sha256:" + hashlib.sha256(payload).hexdigest(),
        "schema": schema_descriptor(schema, cites_sources=name != SOURCES.name),
    }


def _table_resource(item: PackageTable, path: str, payload: bytes, sources: Mapping[str, Any]) -> dict[str, Any]:
    table = item.table
    used = [sources[s.id][0] for s in table.sources if s.id in sources]
    resource = _resource(item.name, path, payload, table.schema, item.description)
    resource["x-schema"] = {"name": table.schema.name, "description": table.schema.description}
    if used:
        resource["sources"] = [{"title": s.title, "path": s.url} for s in used]
        resource["licenses"] = [licence_entry(t) for t in sorted({s.license for s in used})]
    resource["x-rows"] = len(table.data)
    resource["x-as-of"] = table.retrieved_at.date().isoformat()
    resource["x-from-snapshot"] = table.from_snapshot
    if item.tidy:
        # the sets are built once: inside the comprehensions they were rebuilt per key, seconds for a large table
        measures, drugs = set(table.data["measure"].unique()), set(table.data["drug"].unique())
        resource["x-units"] = {k: t.unit for k, t in dictionary.MEASURES.items() if k in measures}
        resource["x-decimals"] = {k: t.decimals for k, t in dictionary.MEASURES.items() if k in measures}
        resource["x-drugs"] = {
            k: {"title": t.title, "icd10": t.icd10} for k, t in dictionary.DRUGS.items() if k in drugs
        }
    if table.notice:
        resource["x-notice"] = table.notice
    if table.extra:  # e.g. a WONDER upload's footer
        resource["x-query-metadata"] = dict(table.extra)
    return resource


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
        path = f"data/{item.name}.csv"
        files[path] = to_csv_bytes(item.table.data)
        resources.append(_table_resource(item, path, files[path], sources))
    source_rows = pd.DataFrame(
        [{**source_dict(src), "tables": ";".join(tables)} for src, tables, _ in sources.values()],
        columns=list(SOURCES.columns),
    )
    files["sources.csv"] = to_csv_bytes(source_rows)
    resources.append(_resource(SOURCES.name, "sources.csv", files["sources.csv"], SOURCES, SOURCES.description))
    files["data_dictionary.csv"] = to_csv_bytes(dictionary_frame())
    resources.append(
        _resource(
            DICTIONARY.name, "data_dictionary.csv", files["data_dictionary.csv"], DICTIONARY, DICTIONARY.description
        )
    )
    package = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": PACKAGE_TITLE,
        "description": "US drug overdose deaths and rates from CDC, NCHS and NIDA (nationwide, by state and by "
        "county) and CDC's nonfatal overdose emergency department visits and hospitalizations, as tidy tables; "
        "figures from published studies and public claims checked against them, each figure with its source. "
        "Suppressed or unreliable values are empty with a value_flag, never zero.",
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


def readme(items: list[PackageTable], sources: Mapping[str, Any], created: datetime) -> str:
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
        "| `data_dictionary.csv` | | | Every table, column, drug key, measure (with unit) and flag defined. |",
        "| `datapackage.json` | | | Machine-readable description (Frictionless Data Package): fields, types, "
        "units, sources, licences, sha256 of each CSV. |",
        "| `CITATION.md`, `CITATION.bib` | | | How to cite the data (APA and BibTeX). |",
        "",
        "## How to read the tables",
        "",
        "- One row per figure: `value` is the number, `measure` says what it counts and `data_dictionary.csv` "
        "gives its unit (deaths, visits, or either per 100,000 people).",
        "- An empty `value` is never zero: `value_flag` says why it is missing (`suppressed`: withheld by the "
        "publisher because the number is small, by the rule `source_detail` gives; `unreliable`: a rate on too few "
        "deaths by the publisher's rule; `range_only`: only a range is published, its bounds in `value_lower` and "
        "`value_upper`; `no_diagnosis_code`; `not_applicable`; `missing`). `computed_interval`: the 95% limits were "
        "computed from the death count.",
        "- Nonfatal emergency department visits and hospitalizations (`dose_nonfatal`) count visits, not people, "
        "and are never to be added to or divided by deaths; its US rows add up only the states that submitted data.",
        "- `provenance` is `primary` (read from the publisher's own table) or `secondary` (read in a text quoting "
        "it); `source_id` links to `sources.csv`, `source_detail` says exactly where the figure was read.",
        "- Dates are ISO (`YYYY-MM-DD`); `geo_code` is text (FIPS codes keep their leading zeros; `US` = nation).",
        "- Counts are whole numbers; rates and percentages have at least one decimal, and all the digits the "
        "publisher gave.",
        "- Final and provisional figures are separate tables; do not add them together.",
        "- A death can involve several drugs, so drug counts do not add up to the all-drug total.",
        "- `risk_multipliers` holds figures quoted from studies (ratios in times, shares in percent), each citing "
        "its study; `public_claims` holds claims with who made them and where they were quoted.",
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


def citation_text(sources: Mapping[str, Any], created: datetime) -> str:
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
    year, month, day, hour, minute, second = created.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, payload in files.items():
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=(year, month, day, hour, minute, second))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return buffer.getvalue()


def write_package(files: Mapping[str, bytes], out: Path) -> list[Path]:
    """Write each file atomically under ``out``; returns the paths written."""
    written = []
    for path, payload in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, payload)
        written.append(target)
    return written
