"""Snapshot storage: round trip, checksum protection, the bundled snapshots' one form, and atomic replacement."""

import gzip
import hashlib
import json

import pytest

from data_sources import nchs_national_final
from data_sources.schema import SchemaError
from data_sources.snapshot import GZIP, SNAPSHOT_DIR, atomic_write, read_table, write_table


@pytest.fixture
def frame():
    return nchs_national_final.load().data


def test_round_trip_keeps_values_and_dtypes(tmp_path, frame):
    write_table("t", frame, tmp_path, {"retrieved_at": "2026-01-02T03:04:05+00:00"})
    back = read_table("t", tmp_path)
    assert back.data.equals(frame)
    assert back.retrieved_at.year == 2026
    assert json.loads((tmp_path / "t.json").read_text())["rows"] == len(frame)


def test_a_plain_csv_is_the_default_and_its_sidecar_hashes_exactly_its_bytes(tmp_path, frame):
    """The refresh cache's form: a plain CSV, readable without gzip, hashed as it is on disk."""
    path = write_table("t", frame, tmp_path, {})
    meta = json.loads((tmp_path / "t.json").read_text())
    assert path.name == "t.csv" and "compression" not in meta
    assert meta["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_bundled_snapshot_is_gzipped_once_and_its_sidecar_hashes_the_csv_inside():
    """Each build script writes with compress=True; no stale plain copy sits beside a gzipped one."""
    sidecars = sorted(SNAPSHOT_DIR.glob("*.json"))
    assert len(sidecars) >= 7
    for sidecar in sidecars:
        meta = json.loads(sidecar.read_text())
        assert meta["compression"] == GZIP, sidecar.name
        assert not (SNAPSHOT_DIR / f"{sidecar.stem}.csv").exists(), f"stale {sidecar.stem}.csv"
        inside = gzip.decompress((SNAPSHOT_DIR / f"{sidecar.stem}.csv.gz").read_bytes())
        assert meta["sha256"] == hashlib.sha256(inside).hexdigest(), sidecar.name
    tables = {p.name.removesuffix(".csv.gz") for p in SNAPSHOT_DIR.glob("*.csv.gz")}
    assert tables == {p.stem for p in sidecars}  # every gzipped table has its sidecar


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


def test_reading_a_table_hands_its_freed_buffers_back_to_the_os(tmp_path, frame, monkeypatch):
    """The CSV's bytes and the parser's columns are freed once the table is read; without malloc_trim glibc
    keeps those pages, and a server's memory stays at the read's peak."""
    from data_sources import memory

    trims: list[int] = []
    monkeypatch.setattr(memory, "_MALLOC_TRIM", trims.append)
    write_table("t", frame, tmp_path, {})
    read_table("t", tmp_path)
    assert trims == [0]
