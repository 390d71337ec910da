"""The data package (data_sources.package): every catalog table exported and validated by frictionless, the
files, descriptors and citations it holds, and damage that validation must catch."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import frictionless
import pytest
from paths import FIXTURES

from data_sources import catalog, cli, dictionary, package, wonder
from data_sources.export import FORMULA_START
from data_sources.schema import COLUMNS

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def items() -> list[package.PackageTable]:
    return package.collect()


@pytest.fixture(scope="module")
def files(items) -> dict[str, bytes]:
    return package.package_files(items, created=CREATED)


#: Tables longer than this are validated by frictionless on one row of every kind (each combination of geography
#: level, period length, drug, measure and flags) plus their first and last rows. Every one of their rows passed
#: the same types, keys and flags in ``conform`` when it was loaded; what frictionless adds is that the CSV
#: writer and ``datapackage.json`` agree, which every kind of row shows. All 160,000 county and DOSE rows took
#: frictionless about 30 seconds, three times over in this module.
SAMPLE_ABOVE = 20_000
KINDS = ("geo_level", "period_months", "drug", "measure", "value_flag")


def sampled(item: package.PackageTable) -> package.PackageTable:
    """``item`` itself, or for a long table the same table cut to one row of every kind, first and last rows."""
    data = item.table.data
    if len(data) <= SAMPLE_ABOVE:
        return item
    keep = data.drop_duplicates([c for c in KINDS if c in data]).index.union([data.index[0], data.index[-1]])
    return package.package_table(replace(item.table, data=data.loc[keep].reset_index(drop=True)), name=item.name)


@pytest.fixture(scope="module")
def validated_items(items) -> list[package.PackageTable]:
    return [sampled(item) for item in items]


@pytest.fixture(scope="module")
def written(tmp_path_factory, validated_items) -> Path:
    out = tmp_path_factory.mktemp("package")
    package.write_package(package.package_files(validated_items, created=CREATED), out)
    return out


@pytest.fixture(scope="module")
def report(written) -> frictionless.Report:
    return frictionless.validate(str(written / "datapackage.json"))


def problems(report: frictionless.Report) -> list[str]:
    return [f"{task.name}: {error.type}: {error.message}" for task in report.tasks for error in task.errors]


# --- frictionless validates every table ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*catalog.TABLES, "sources", "data_dictionary"])
def test_frictionless_validates_every_table(report, name):
    task = next((t for t in report.tasks if t.name == name), None)
    assert task is not None, f"{name} is not in datapackage.json"
    assert task.valid, [f"{e.type}: {e.message}" for e in task.errors][:10]


def test_the_whole_package_is_valid(report):
    assert report.valid, problems(report)[:10]
    assert {t.name for t in report.tasks} == {*catalog.TABLES, "sources", "data_dictionary"}


@pytest.fixture(scope="module")
def national_only() -> dict[str, bytes]:
    """A package of the national table alone (with its sources and dictionary): quick to validate again."""
    items = package.collect({"national_final": catalog.TABLES["national_final"]})
    return package.package_files(items, created=CREATED)


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        (lambda p: p.write_text(p.read_text().replace(",1960,", ",1961,", 1)), "hash-count"),
        (lambda p: p.write_text(p.read_text().replace("nation,US", "nation,", 1)), "constraint-error"),
        (lambda p: p.write_text(p.read_text().replace(",1999,", ",199x,", 1)), "type-error"),
        (lambda p: p.write_text(p.read_text().replace("-12-31,", "-12-32,", 1)), "type-error"),
        (lambda p: p.write_text(p.read_text().replace(",heroin,", ",fentanyl,", 1)), "constraint-error"),
        (lambda p: p.write_text(p.read_text().replace("source_id,", "source,", 1)), "incorrect-label"),
        (lambda p: p.write_text(p.read_text().replace(",primary,", ",primary,=1+1,", 1)), "extra-cell"),
        (lambda p: p.write_text(p.read_text().replace("nchs_95ax_ymtc,", "nobody,", 1)), "foreign-key"),
        (lambda p: p.unlink(), "scheme-error"),
    ],
    ids=[
        "changed-figure",
        "empty-required",
        "bad-integer",
        "bad-date",
        "unknown-drug",
        "renamed-column",
        "extra-cell",
        "dangling-source",
        "missing-file",
    ],
)
def test_frictionless_catches_a_damaged_csv(tmp_path, national_only, tamper, error):
    package.write_package(national_only, tmp_path)
    tamper(tmp_path / "data" / "national_final.csv")
    found = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not found.valid and error in {e.type for task in found.tasks for e in task.errors}, problems(found)


def test_no_text_cell_in_any_file_would_run_as_a_formula(files):
    for path, payload in files.items():
        if not path.endswith(".csv"):
            continue
        rows = list(csv.reader(io.StringIO(payload.decode("utf-8"), newline="")))
        bad = [cell for row in rows for cell in row if cell.startswith(FORMULA_START) and not _is_number(cell)]
        assert not bad, f"{path}: {bad[:3]}"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# --- what the package holds ----------------------------------------------------------------------------------------
def test_package_has_every_table_and_file(items, files):
    names = [i.name for i in items]
    assert names == list(catalog.TABLES) and {"risk_multipliers", "public_claims"} <= set(names)
    assert {f"data/{n}.csv" for n in names} | {
        "datapackage.json",
        "README.md",
        "CITATION.md",
        "CITATION.bib",
        "sources.csv",
        "data_dictionary.csv",
    } == set(files)


def test_datapackage_describes_fields_units_dialect_sources_and_licences(files, items):
    descriptor = json.loads(files["datapackage.json"])
    assert descriptor["profile"] == "tabular-data-package" and descriptor["licenses"]
    resources = {r["name"]: r for r in descriptor["resources"]}
    national = resources["national_final"]
    assert [f["name"] for f in national["schema"]["fields"]] == list(COLUMNS)
    types = {f["name"]: f["type"] for f in national["schema"]["fields"]}
    assert (types["year"], types["value"], types["period_end_date"], types["geo_code"]) == (
        "integer",
        "number",
        "date",
        "string",
    )
    assert national["dialect"] == package.DIALECT and national["dialect"]["lineTerminator"] == "\n"
    assert national["x-units"]["deaths"] == dictionary.MEASURES["deaths"].unit
    assert national["x-decimals"] == {"age_adjusted_rate_per_100k": 1, "deaths": 0}
    assert national["sources"] and all(s["path"].startswith("http") for s in national["sources"])
    assert national["x-rows"] == len(next(i for i in items if i.name == "national_final").table.data)
    assert national["schema"]["foreignKeys"][0]["reference"] == {"resource": "sources", "fields": ["id"]}


def test_risk_and_claims_are_described_by_their_dictionary_schemas(files):
    resources = {r["name"]: r for r in json.loads(files["datapackage.json"])["resources"]}
    for name, schema in (
        ("risk_multipliers", dictionary.RISK_MULTIPLIERS),
        ("public_claims", dictionary.PUBLIC_CLAIMS),
    ):
        fields = resources[name]["schema"]["fields"]
        assert [f["name"] for f in fields] == list(schema.columns)
        assert [f["title"] for f in fields] == [f.label for f in schema.fields]
        assert resources[name]["schema"]["primaryKey"] == [schema.primary_key]
        assert resources[name]["x-schema"]["description"] == schema.description
    studies = {s["title"] for s in resources["risk_multipliers"]["sources"]}
    assert any("Nonmedical Pain Reliever" in title for title in studies)
    rows = list(csv.DictReader(io.StringIO(files["data/risk_multipliers.csv"].decode())))
    assert next(r for r in rows if r["risk_id"] == "muhuri_2013_nmpr_to_heroin_start")["value"] == "19"


def test_dictionary_csv_describes_every_table_and_column(files):
    rows = list(csv.DictReader(io.StringIO(files["data_dictionary.csv"].decode())))
    measures = {r["key"]: r["unit"] for r in rows if r["kind"] == "measure"}
    assert measures == {k: t.unit for k, t in dictionary.MEASURES.items()}
    assert {r["key"] for r in rows if r["kind"] == "drug"} == set(dictionary.DRUGS)
    assert {r["key"] for r in rows if r["kind"] == "table"} == set(dictionary.SCHEMAS)
    assert {r["key"] for r in rows if r["kind"] == "column" and r["table"] == "tidy"} == set(COLUMNS)
    claims = {r["key"] for r in rows if r["kind"] == "column" and r["table"] == "public_claims"}
    assert claims == set(dictionary.PUBLIC_CLAIMS.columns)


def test_citations_apa_and_bibtex(files):
    sources = list(csv.DictReader(io.StringIO(files["sources.csv"].decode())))
    bib = files["CITATION.bib"].decode()
    apa = files["CITATION.md"].decode()
    assert bib.count("@misc{") == len(sources)
    for src in sources:
        assert f"@misc{{{src['id']}," in bib
        assert src["url"] in apa
    assert "(n.d.)." in apa and "[Data set]. Retrieved" in apa
    assert any(s["id"] == "park_2015" and s["tables"] == "risk_multipliers" for s in sources)
    readme = files["README.md"].decode()
    assert "data/national_final.csv" in readme and "data/public_claims.csv" in readme and "never zero" in readme


def test_apa_names_a_copy_as_a_copy_and_dates_by_release_where_known(files):
    """CORRECTIONS 13: rows taken from a copy kept in a public repository are not 'retrieved from data.cdc.gov'."""
    from datetime import date

    from data_sources.nchs_national_final import SOURCES

    by_id = {s.id: s for s in SOURCES}
    copied = package.apa(by_id["nchs_95ax_ymtc"], date(2026, 11, 29))
    assert "Retrieved" not in copied and "UCB-stat-159-f25/final-group09" in copied and "data.cdc.gov" in copied
    dated = package.apa(by_id["nchs_db428"], date(2026, 11, 29))
    assert dated.startswith("CDC, National Center for Health Statistics. (2021).")
    assert "UCB-stat-159-f25/final-group09" in files["CITATION.md"].decode()


def test_zip_holds_the_same_files_and_is_reproducible(files):
    blob = package.zip_bytes(files, created=CREATED)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert {n.split("/", 1)[1] for n in archive.namelist()} == set(files)
        assert archive.read(f"{package.PACKAGE_NAME}/datapackage.json") == files["datapackage.json"]
    assert package.zip_bytes(files, created=CREATED) == blob


def test_package_with_a_wonder_upload_validates(tmp_path, validated_items):
    _, table = wonder.load_upload((FIXTURES / "wonder_state_month_synthetic.txt").read_bytes())
    files = package.package_files([*validated_items, package.package_table(table)], created=CREATED)
    package.write_package(files, tmp_path)
    found = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert found.valid, problems(found)[:10]
    descriptor = json.loads(files["datapackage.json"])
    meta = next(r for r in descriptor["resources"] if r["name"] == "wonder_upload")["x-query-metadata"]
    assert meta["Group By"] == "State; Month" and "Footnotes" in meta
    rows = list(csv.DictReader(io.StringIO(files["data/wonder_upload.csv"].decode())))
    assert {r["geo_code"] for r in rows} == {"10", "50"}
    assert all(r["value"] == "" for r in rows if r["value_flag"] in ("suppressed", "not_applicable"))


def test_two_tables_with_one_name_are_refused(items):
    with pytest.raises(package.SchemaError, match="two tables share a name"):
        package.package_files([items[0], items[0]], created=CREATED)


def test_some_long_tables_are_sampled_and_every_kind_of_row_is_kept(items, validated_items):
    long = {i.name for i in items if len(i.table.data) > SAMPLE_ABOVE}
    assert {"county_model_rates", "dose_nonfatal"} <= long
    for item, checked in zip(items, validated_items, strict=True):
        if item.name in long:
            kinds = [c for c in KINDS if c in item.table.data]
            assert len(checked.table.data) < len(item.table.data)
            assert set(map(tuple, checked.table.data[kinds].to_numpy())) == set(
                map(tuple, item.table.data[kinds].to_numpy())
            )
        else:
            assert checked is item


def test_cli_export(tmp_path, capsys, monkeypatch):
    # the command's wiring, on three tables: every table's validity is the report's business above
    small = ("national_final", "risk_multipliers", "public_claims")
    monkeypatch.setattr(catalog, "TABLES", {name: catalog.TABLES[name] for name in small})
    assert cli.main(["export", "--out", str(tmp_path), "--zip"]) == 0
    assert (tmp_path / "data" / "national_final.csv").is_file()
    assert (tmp_path / f"{package.PACKAGE_NAME}.zip").is_file()
    assert frictionless.validate(str(tmp_path / "datapackage.json")).valid
    out = capsys.readouterr().out
    assert "national_final:" in out and "risk_multipliers:" in out and "public_claims:" in out
    header = (tmp_path / "data" / "national_final.csv").read_text().splitlines()[0].split(",")
    assert {"year", "drug", "measure", "value", "value_flag", "source_id"} <= set(header)


def test_cli_lists_commands_and_refuses_unknown_arguments(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out
    assert all(command in usage for command in ("export", "refresh", "status", "wonder"))
    with pytest.raises(SystemExit) as exited:
        cli.main(["export", "--out", "x", "--bogus"])
    assert exited.value.code == 2
    assert cli.main([]) == 2
