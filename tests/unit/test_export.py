"""Safe CSVs, the data dictionary and the data package (data_sources.export)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from paths import FIXTURES

from data_sources import catalog, dictionary, export, risk, wonder
from data_sources.schema import COLUMNS, SchemaError, Table

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def items() -> list[export.PackageTable]:
    return export.collect()


@pytest.fixture(scope="module")
def files(items) -> dict[str, bytes]:
    return export.package_files(items, created=CREATED)


@pytest.fixture
def unpacked(tmp_path, files) -> Path:
    export.write_package(files, tmp_path)
    return tmp_path


# --- formula injection ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("heroin", "heroin"),
        ("25-34", "25-34"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(text, expected):
    assert export.neutralise(text) == expected


def test_table_csv_neutralises_text_but_keeps_numbers_dates_and_fips():
    fields = (
        export.Field("geo_code", "string", ""),
        export.Field("note", "string", ""),
        export.Field("value", "number", ""),
        export.Field("year", "integer", ""),
        export.Field("when", "date", ""),
    )
    frame = pd.DataFrame(
        {
            "geo_code": pd.array(["01001", "US"], dtype="string"),
            "note": pd.array(["=cmd|' /C calc'!A0", None], dtype="string"),
            "value": pd.array([-5.25, None], dtype="Float64"),
            "year": pd.array([2019, 2020], dtype="Int64"),
            "when": pd.to_datetime(["2019-12-31", "2020-01-31"]),
        }
    )
    text = export.table_csv(frame, fields).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["geo_code", "note", "value", "year", "when"]
    assert rows[1] == ["01001", "'=cmd|' /C calc'!A0", "-5.25", "2019", "2019-12-31"]
    assert rows[2] == ["US", "", "", "2020", "2020-01-31"]


def test_whole_numbers_are_written_without_decimals(items):
    national = next(i for i in items if i.name == "national_final")
    rows = list(csv.DictReader(io.StringIO(export.table_csv(national.table.data, national.fields).decode())))
    deaths = [r for r in rows if r["measure"] == "deaths" and r["drug"] == "heroin" and r["year"] == "1999"]
    assert deaths[0]["value"] == "1960"


# --- filters ---------------------------------------------------------------------------------------------------
def test_filters(items):
    national = next(i for i in items if i.name == "national_final")
    data = national.table.data
    choices = export.filter_choices(data, national.fields)
    assert "heroin" in choices["drug"] and "source_detail" not in choices
    rows = export.apply_filters(data, {"drug": ["heroin"], "measure": ["deaths"]}, (1999, 2019))
    assert set(rows["drug"]) == {"heroin"} and rows["year"].between(1999, 2019).all()
    assert rows["value"].sum() == 129_587  # the heroin sum the data pack checks against CDC's "nearly 130,000"
    assert len(export.apply_filters(data, {"drug": []})) == len(data)


# --- the package ---------------------------------------------------------------------------------------------
def test_package_has_every_table_and_file(items, files):
    names = [i.name for i in items]
    assert set(catalog.TABLES) == set(names)
    assert {f"data/{n}.csv" for n in names} | {
        "datapackage.json",
        "README.md",
        "CITATION.md",
        "CITATION.bib",
        "sources.csv",
        "data_dictionary.csv",
    } == set(files)


def test_package_validates_against_its_own_schema(unpacked):
    assert export.validate_package(unpacked) == []


def test_datapackage_describes_fields_units_sources_and_licences(files, items):
    package = json.loads(files["datapackage.json"])
    assert package["profile"] == "tabular-data-package" and package["licenses"]
    resources = {r["name"]: r for r in package["resources"]}
    national = resources["national_final"]
    assert [f["name"] for f in national["schema"]["fields"]] == list(COLUMNS)
    types = {f["name"]: f["type"] for f in national["schema"]["fields"]}
    assert (types["year"], types["value"], types["period_end_date"], types["geo_code"]) == (
        "integer",
        "number",
        "date",
        "string",
    )
    assert national["x-units"]["deaths"] == dictionary.MEASURES["deaths"].unit
    assert national["sources"] and all(s["path"].startswith("http") for s in national["sources"])
    assert national["x-rows"] == len(next(i for i in items if i.name == "national_final").table.data)
    assert national["schema"]["foreignKeys"][0]["reference"] == {"resource": "sources", "fields": "id"}


def test_dictionary_csv_comes_from_the_dictionary(files):
    rows = list(csv.DictReader(io.StringIO(files["data_dictionary.csv"].decode())))
    measures = {r["key"]: r["unit"] for r in rows if r["kind"] == "measure"}
    assert measures == {k: t.unit for k, t in dictionary.MEASURES.items()}
    assert {r["key"] for r in rows if r["kind"] == "drug"} == set(dictionary.DRUGS)
    assert {r["key"] for r in rows if r["kind"] == "column"} == set(COLUMNS)


def test_citations_apa_and_bibtex(files):
    sources = list(csv.DictReader(io.StringIO(files["sources.csv"].decode())))
    bib = files["CITATION.bib"].decode()
    apa = files["CITATION.md"].decode()
    assert bib.count("@misc{") == len(sources)
    for src in sources:
        assert f"@misc{{{src['id']}," in bib
        assert src["url"] in apa
    assert "(n.d.)." in apa and "[Data set]. Retrieved" in apa
    readme = files["README.md"].decode()
    assert "data/national_final.csv" in readme and "never zero" in readme


def test_apa_names_a_copy_as_a_copy_and_dates_by_release_where_known(files):
    """CORRECTIONS 13: rows taken from a copy kept in a public repository are not 'retrieved from data.cdc.gov'."""
    from datetime import date

    from data_sources.nchs_national_final import SOURCES

    by_id = {s.id: s for s in SOURCES}
    copied = export.apa(by_id["nchs_95ax_ymtc"], date(2026, 11, 29))
    assert "Retrieved" not in copied and "UCB-stat-159-f25/final-group09" in copied and "data.cdc.gov" in copied
    assert export.apa(by_id["nchs_db428"], date(2026, 11, 29)).startswith(
        "CDC, National Center for Health Statistics. (2021)."
    )
    assert "UCB-stat-159-f25/final-group09" in files["CITATION.md"].decode()


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda p: p.write_text(p.read_text().replace("nation,US", "nation,", 1)), "required but empty"),
        (lambda p: p.write_text(p.read_text().replace(",1999,", ",199x,", 1)), "not an integer"),
        (lambda p: p.write_text(p.read_text().replace("-12-31,", "-12-32,", 1)), "not an ISO date"),
        (lambda p: p.write_text(p.read_text().replace(",heroin,", ",fentanyl,", 1)), "is not one of"),
        (lambda p: p.write_text(p.read_text().replace("source_id,", "source,", 1)), "header"),
        (lambda p: p.write_text(p.read_text().replace(",primary,", ",primary,=1+1,", 1)), "cells, expected"),
        (lambda p: p.unlink(), "is missing"),
    ],
)
def test_validator_catches_a_damaged_csv(unpacked, tamper, problem):
    tamper(unpacked / "data" / "national_final.csv")
    problems = export.validate_package(unpacked)
    assert any(problem in p for p in problems), problems


def test_validator_catches_a_formula_and_a_dangling_source(unpacked):
    path = unpacked / "data" / "national_final.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace("nchs_95ax_ymtc", "nobody", 1).replace(",all,all,all,", ",=1+1,all,all,", 1)
    path.write_text("\n".join(lines) + "\n")
    problems = " ".join(export.validate_package(unpacked))
    assert "would run as a spreadsheet formula" in problems and "'nobody'" in problems
    assert "sha256 does not match" in problems


def test_zip_holds_the_same_files_and_is_reproducible(files):
    blob = export.zip_bytes(files, created=CREATED)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert {n.split("/", 1)[1] for n in archive.namelist()} == set(files)
        assert archive.read(f"{export.PACKAGE_NAME}/datapackage.json") == files["datapackage.json"]
    assert export.zip_bytes(files, created=CREATED) == blob


# --- other tables: own schema, uploads, refusals -----------------------------------------------------------------
def test_a_table_with_its_own_columns_is_exported_from_its_module_schema(tmp_path):
    items = export.collect({**catalog.TABLES, risk.TABLE: risk.load})
    risk_item = next(i for i in items if i.name == risk.TABLE)
    assert not risk_item.tidy and [f.name for f in risk_item.fields] == list(risk.COLUMNS)
    export.write_package(export.package_files(items, created=CREATED), tmp_path)
    assert export.validate_package(tmp_path) == []


def test_a_table_without_a_described_schema_is_refused():
    table = Table(name="mystery", data=pd.DataFrame({"a": [1]}), sources=(), retrieved_at=CREATED, from_snapshot=True)
    with pytest.raises(SchemaError, match="mystery: its columns"):
        export.collect({"mystery": lambda: table})


def test_package_with_a_wonder_upload_validates(tmp_path, items):
    _, table = wonder.load_upload((FIXTURES / "wonder_state_month_synthetic.txt").read_bytes())
    upload = export.package_table(table)
    files = export.package_files([*items, upload], created=CREATED)
    export.write_package(files, tmp_path)
    assert export.validate_package(tmp_path) == []
    package = json.loads(files["datapackage.json"])
    meta = next(r for r in package["resources"] if r["name"] == "wonder_upload")["x-query-metadata"]
    assert meta["Group By"] == "State; Month" and "Footnotes" in meta
    rows = list(csv.DictReader(io.StringIO(files["data/wonder_upload.csv"].decode())))
    assert {r["geo_code"] for r in rows} == {"10", "50"}
    assert all(r["value"] == "" for r in rows if r["value_flag"] in ("suppressed", "not_applicable"))


def test_cli_export(tmp_path, capsys):
    assert export.cli("export", ["--out", str(tmp_path), "--zip"]) == 0
    assert (tmp_path / "data" / "national_final.csv").is_file()
    assert (tmp_path / f"{export.PACKAGE_NAME}.zip").is_file()
    assert export.validate_package(tmp_path) == []
    out = capsys.readouterr().out
    assert "national_final:" in out and "validates" in out
    header = (tmp_path / "data" / "national_final.csv").read_text().splitlines()[0].split(",")
    assert {"year", "drug", "measure", "value", "value_flag", "source_id"} <= set(header)
