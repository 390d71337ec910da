"""Gzipped snapshots: the same table in, the same table and the same bytes out; the sidecar says which file to
read; a changed or damaged file is refused; one table never keeps two copies."""

import gzip
import json

import pytest

from data_sources import nchs_national_final
from data_sources.export import to_csv_bytes
from data_sources.schema import SchemaError
from data_sources.snapshot import read_table, write_table

WHEN = {"retrieved_at": "2026-01-02T03:04:05+00:00"}


@pytest.fixture
def frame():
    return nchs_national_final.load().data


def test_gzip_round_trip_is_reproducible_and_checks_the_csv_inside(tmp_path, frame):
    path = write_table("t", frame, tmp_path, WHEN, compress=True)
    assert path.name == "t.csv.gz" and not (tmp_path / "t.csv").exists()
    first = path.read_bytes()
    back = read_table("t", tmp_path)
    assert back.data.equals(frame) and back.path == path
    meta = json.loads((tmp_path / "t.json").read_text())
    assert meta["compression"] == "gzip" and meta["rows"] == len(frame)
    assert gzip.decompress(first) == to_csv_bytes(back.data)
    write_table("t", frame, tmp_path, WHEN, compress=True)
    assert path.read_bytes() == first  # no timestamp inside: a rebuild gives the same bytes


def test_a_changed_gzipped_csv_is_refused(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {}, compress=True)
    changed = gzip.decompress(path.read_bytes()).replace(b",1960,", b",1961,", 1)
    path.write_bytes(gzip.compress(changed))
    with pytest.raises(SchemaError, match="checksum"):
        read_table("t", tmp_path)


def test_a_damaged_gzip_file_is_refused_by_name(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {}, compress=True)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(SchemaError, match=r"t\.csv\.gz: not a readable gzip file"):
        read_table("t", tmp_path)


def test_changing_form_leaves_one_copy_and_the_sidecar_names_it(tmp_path, frame):
    write_table("t", frame, tmp_path, WHEN)
    write_table("t", frame, tmp_path, WHEN, compress=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv.gz", "t.json"]
    stored = read_table("t", tmp_path)
    write_table("t", frame, tmp_path, stored.meta)  # a sidecar passed back in does not keep its old compression
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.json"]
    assert "compression" not in json.loads((tmp_path / "t.json").read_text())
    assert read_table("t", tmp_path).data.equals(frame)


def test_an_unknown_compression_is_refused(tmp_path, frame):
    write_table("t", frame, tmp_path, {})
    meta = json.loads((tmp_path / "t.json").read_text())
    (tmp_path / "t.json").write_text(json.dumps({**meta, "compression": "zstd"}))
    with pytest.raises(SchemaError, match="unknown compression 'zstd'"):
        read_table("t", tmp_path)
