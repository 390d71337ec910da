"""Snapshot storage: round trip, checksum protection, and atomic replacement."""

import json

import pytest

from data_sources import nchs_national_final
from data_sources.schema import SchemaError
from data_sources.snapshot import atomic_write, read_table, write_table


@pytest.fixture
def frame():
    return nchs_national_final.load().data


def test_round_trip_keeps_values_and_dtypes(tmp_path, frame):
    write_table("t", frame, tmp_path, {"retrieved_at": "2026-01-02T03:04:05+00:00"})
    back = read_table("t", tmp_path)
    assert back.data.equals(frame)
    assert back.retrieved_at.year == 2026
    assert json.loads((tmp_path / "t.json").read_text())["rows"] == len(frame)


def test_a_changed_csv_is_refused(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {})
    path.write_bytes(path.read_bytes().replace(b",1960,", b",1961,"))
    with pytest.raises(SchemaError, match="checksum"):
        read_table("t", tmp_path)


def test_invalid_frame_is_not_written_and_old_copy_survives(tmp_path, frame):
    write_table("t", frame, tmp_path, {})
    before = (tmp_path / "t.csv").read_bytes()
    bad = frame.assign(drug="not_a_drug")
    with pytest.raises(SchemaError):
        write_table("t", bad, tmp_path, {})
    assert (tmp_path / "t.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.json"]


def test_atomic_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "x.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
