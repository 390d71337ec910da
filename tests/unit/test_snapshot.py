"""Snapshot storage: round trip, checksum of the bytes on disk, gzip, and atomic replacement."""

import gzip
import hashlib
import json

import pytest

from data_sources import nchs_national_final
from data_sources.export import to_csv_bytes
from data_sources.schema import SchemaError
from data_sources.snapshot import SNAPSHOT_DIR, atomic_write, read_table, write_table


@pytest.fixture
def frame():
    return nchs_national_final.load().data


def test_round_trip_keeps_values_and_dtypes(tmp_path, frame):
    write_table("t", frame, tmp_path, {"retrieved_at": "2026-01-02T03:04:05+00:00"})
    back = read_table("t", tmp_path)
    assert back.data.equals(frame)
    assert back.retrieved_at.year == 2026
    assert json.loads((tmp_path / "t.json").read_text())["rows"] == len(frame)


def test_stored_bytes_are_the_gzipped_csv_and_the_sidecar_hashes_exactly_them(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {})
    assert path.name == "t.csv.gz"
    raw = path.read_bytes()
    assert gzip.decompress(raw) == to_csv_bytes(frame)
    assert json.loads((tmp_path / "t.json").read_text())["sha256"] == hashlib.sha256(raw).hexdigest()
    write_table("t", frame, tmp_path, {})
    assert path.read_bytes() == raw  # no timestamp in the gzip header: same rows, same bytes, same checksum


def test_every_bundled_sidecar_hashes_the_bytes_on_disk():
    sidecars = [p for p in SNAPSHOT_DIR.glob("*.json") if (SNAPSHOT_DIR / f"{p.stem}.csv.gz").exists()]
    assert len(sidecars) >= 4
    for sidecar in sidecars:
        raw = (SNAPSHOT_DIR / f"{sidecar.stem}.csv.gz").read_bytes()
        assert json.loads(sidecar.read_text())["sha256"] == hashlib.sha256(raw).hexdigest(), sidecar.name


def test_a_changed_file_is_refused(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {})
    changed = gzip.compress(gzip.decompress(path.read_bytes()).replace(b",1960,", b",1961,"), mtime=0)
    path.write_bytes(changed)
    with pytest.raises(SchemaError, match="checksum"):
        read_table("t", tmp_path)


def test_a_cut_off_file_with_a_matching_sidecar_is_refused_by_name(tmp_path, frame):
    path = write_table("t", frame, tmp_path, {})
    cut = path.read_bytes()[:-200]
    path.write_bytes(cut)
    meta = json.loads((tmp_path / "t.json").read_text())
    (tmp_path / "t.json").write_text(json.dumps({**meta, "sha256": hashlib.sha256(cut).hexdigest()}))
    with pytest.raises(SchemaError, match=r"t\.csv\.gz: not a complete gzip file"):
        read_table("t", tmp_path)


def test_invalid_frame_is_not_written_and_old_copy_survives(tmp_path, frame):
    write_table("t", frame, tmp_path, {})
    before = (tmp_path / "t.csv.gz").read_bytes()
    bad = frame.assign(drug="not_a_drug")
    with pytest.raises(SchemaError):
        write_table("t", bad, tmp_path, {})
    assert (tmp_path / "t.csv.gz").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv.gz", "t.json"]


def test_atomic_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "x.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
