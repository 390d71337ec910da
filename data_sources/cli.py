"""The command line, ``python -m data_sources COMMAND``: every command in one place.

  export   every catalog table as a citable data package: CSVs, data dictionary, datapackage.json, README,
           citations (``--out DIR [--zip]``)
  refresh  fetch live CDC data into the cache (``[--source ID ...] [--base-url URL]``)
  status   where each table comes from, retrieved when, rows, age, and whether it is stale
  wonder   turn a CDC WONDER export into a tidy CSV (``FILE [--out CSV]``)
  trend    joinpoint trend segments of one series as CSV: years, annual percent change and its 95% interval
           (``--drug D --measure M [--from Y] [--to Y] [--geo US] [--table national_final] [--method wbic]``)

Unknown commands or arguments print the usage and exit with status 2; a refused input or a failed fetch exits
with status 1 and a message naming the problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from data_sources import catalog, package, refresh, socrata, trends, wonder
from data_sources.export import to_csv_bytes
from data_sources.schema import SchemaError
from data_sources.snapshot import atomic_write


def parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    top = argparse.ArgumentParser(
        prog="python -m data_sources",
        description="US drug overdose data from CDC, NCHS and NIDA as tidy, documented, cited tables.",
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    export = commands.add_parser(
        "export",
        help="write every table as a data package (CSVs, dictionary, datapackage.json, citations)",
        description="Write every table as CSV with a data dictionary, datapackage.json, README and citations.",
    )
    export.add_argument("--out", type=Path, required=True, help="directory to write the package into")
    export.add_argument("--zip", action="store_true", help=f"also write DIR/{package.PACKAGE_NAME}.zip")

    fetch = commands.add_parser(
        "refresh",
        help="fetch live CDC data into the cache",
        description="Fetch each live source, check it against the contract, and only then replace the cached copy.",
    )
    fetch.add_argument("--source", action="append", help="table name or dataset id (repeatable); default all")
    fetch.add_argument("--base-url", help="SODA server (default $CDC_DATA_BASE_URL or https://data.cdc.gov)")

    commands.add_parser(
        "status",
        help="where each table comes from and how fresh it is",
        description="Every table: live copy or bundled snapshot, retrieved at, rows, age in days, STALE or not.",
    )

    convert = commands.add_parser(
        "wonder",
        help="turn a CDC WONDER export into a tidy CSV",
        description="Turn a CDC WONDER export into a tidy CSV (and CSV.json with the query metadata and source).",
    )
    convert.add_argument("file", type=Path, help="the tab-delimited .txt file WONDER exported")
    convert.add_argument("--out", type=Path, help="where to write the tidy CSV (default: standard output)")

    segments = commands.add_parser(
        "trend",
        help="joinpoint trend segments of one series as CSV (annual percent change with 95%% interval)",
        description="Fit a joinpoint (segmented log-linear) regression to one series and print its segments as "
        "CSV: start_year, end_year, apc, apc_lower, apc_upper, ... Notes (method, weights, years left out) go "
        "to standard error.",
    )
    segments.add_argument("--drug", required=True, help="drug key, e.g. all_drugs, heroin, synthetic_opioids")
    segments.add_argument("--measure", required=True, help="measure key, e.g. deaths, age_adjusted_rate_per_100k")
    segments.add_argument("--from", dest="start_year", type=int, help="first year (default: the series' first)")
    segments.add_argument("--to", dest="end_year", type=int, help="last year (default: the series' last)")
    segments.add_argument("--geo", default="US", help="place code: US, or a two-digit state FIPS code")
    segments.add_argument("--sex", default="all")
    segments.add_argument("--age-group", default="all")
    segments.add_argument("--race-ethnicity", default="all")
    segments.add_argument("--table", default="national_final", choices=sorted(catalog.TABLES))
    segments.add_argument(
        "--method",
        default=trends.DEFAULT_METHOD,
        choices=trends.METHODS,
        help="how the number of joinpoints is chosen: wbic, Joinpoint's weighted BIC (the default, as in Joinpoint "
        "5); bic3, its harsher BIC3; bic, the plain BIC; permutation, Kim et al.'s permutation tests (slow). "
        "Default: %(default)s",
    )
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (argparse exits with 2 itself on unknown arguments)."""
    top = parser()
    options = top.parse_args(sys.argv[1:] if argv is None else argv)
    if options.command == "export":
        return export(options.out, zip_too=options.zip)
    if options.command == "refresh":
        return refresh.refresh(options.source, socrata.Settings.from_env(options.base_url))
    if options.command == "status":
        return refresh.status()
    if options.command == "wonder":
        return convert_wonder(options.file, options.out)
    if options.command == "trend":
        return trend_segments(options)
    top.print_help(sys.stderr)
    return 2


def export(out: Path, *, zip_too: bool = False) -> int:
    """Every catalog table as a data package in ``out`` (and its zip); 1 with a message when a table is refused."""
    created = datetime.now(UTC)
    try:
        items = package.collect()
        files = package.package_files(items, created=created)
    except SchemaError as err:
        print(f"error: {err} Nothing was written.", file=sys.stderr)
        return 1
    written = package.write_package(files, out)
    if zip_too:
        target = out / f"{package.PACKAGE_NAME}.zip"
        atomic_write(target, package.zip_bytes(files, created=created))
        written.append(target)
    for item in items:
        print(f"{item.name}: {len(item.table.data):,} rows -> {out / 'data' / (item.name + '.csv')}")
    print(f"wrote {len(written)} files to {out}")
    return 0


def convert_wonder(file: Path, out: Path | None) -> int:
    """A WONDER export as a tidy CSV to ``out`` (plus ``<out>.json`` with the query metadata and source) or to
    standard output; 1 with a message, and nothing written, when the file is refused."""
    try:
        parsed = wonder.read_export(file)
        table = wonder.to_table(parsed)
    except wonder.WonderError as err:
        print(f"error: {file}: {err} Nothing was written.", file=sys.stderr)
        return 1
    payload = to_csv_bytes(table.data)
    if out is None:
        sys.stdout.write(payload.decode("utf-8"))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, payload)
        meta = {
            "source": package.source_dict(table.sources[0]),
            "query_metadata": table.extra,
            "rows": len(table.data),
            "totals_left_out": len(parsed.totals),
        }
        atomic_write(
            out.with_suffix(out.suffix + ".json"), (json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode()
        )
        print(f"wrote {out} ({len(table.data):,} rows) and {out.name}.json", file=sys.stderr)
    print(wonder.summary(parsed, table), file=sys.stderr)
    return 0


def trend_segments(options: argparse.Namespace) -> int:
    """Print one series' joinpoint segments as CSV; 1 with the reason when no trend can be fitted, 2 for a
    series the table cannot have (unknown measure, duplicated years)."""
    data = catalog.TABLES[options.table]().data
    try:
        result = trends.trend(
            data,
            drug=options.drug,
            measure=options.measure,
            geo_code=options.geo,
            sex=options.sex,
            age_group=options.age_group,
            race_ethnicity=options.race_ethnicity,
            start_year=options.start_year,
            end_year=options.end_year,
            method=options.method,
            table=options.table,
        )
    except trends.TrendInputError as err:
        print(f"trend: {err}", file=sys.stderr)
        return 2
    if isinstance(result, trends.NoTrend):
        print(f"trend: {result.message}", file=sys.stderr)
        for item in result.left_out:
            print(f"trend: {item.year} left out: {item.reason}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(to_csv_bytes(result.segments.loc[:, list(trends.SEGMENT_COLUMNS)]))
    sys.stdout.flush()
    for note in result.notes():
        print(f"trend: {note}", file=sys.stderr)
    return 0
