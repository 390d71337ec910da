"""Gzipped snapshots: the same table in, the same table and the same bytes out; a changed one is refused."""

import gzip
import json

import pytest

from data_sources import nchs_national_final
from data_sources.schema import SchemaError
from data_sources.snapshot import read_table, to_csv_bytes, write_table


@pytest.fixture
def frame():
    return nchs_national_final.load().data


def test_gzip_round_trip_is_reproducible_and_checks_the_csv_inside(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {"retrieved_at": "2026-01-02T03:04:05+00:00"}, compress=True)
    assert path.name == "t.csv.gz" and not (tmp_path / "t.csv").exists()
    first = path.read_bytes()
    back = read_table("t", tmp_path)
    assert back.data.equals(frame) and back.path == path
    meta = json.loads((tmp_path / "t.json").read_text())
    assert meta["compression"] == "gzip" and meta["rows"] == len(frame)
    assert gzip.decompress(first) == to_csv_bytes(back.data)
    write_table("t", frame, tmp_path, {"retrieved_at": "2026-01-02T03:04:05+00:00"}, compress=True)
    assert path.read_bytes() == first  # no timestamp inside: a rebuild gives the same bytes


def test_a_changed_gzipped_csv_is_refused(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {}, compress=True)
    changed = gzip.decompress(path.read_bytes()).replace(b"1960.0", b"1961.0")
    path.write_bytes(gzip.compress(changed))
    with pytest.raises(SchemaError, match="checksum"):
        read_table("t", tmp_path)
