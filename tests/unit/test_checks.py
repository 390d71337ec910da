"""The value checks (data_sources.checks), at every door: snapshot build, refresh, cache read and upload.

The reproductions are those a reliability test fed a refresh and saw stored: duplicated rows, a negative count,
``Infinity``, ``1e308`` and a year of ``2019.7``. Each must be refused by name at the door it arrives at, and the
pages must keep working on the copy they had. The upload door is tested in test_wonder.py.
"""

from __future__ import annotations

import hashlib
import io
import json

import pandas as pd
import pytest
from paths import FIXTURES
from werkzeug import Request, Response

from data_sources import catalog, checks, nchs_vsrr, refresh, socrata
from data_sources.export import to_csv_bytes
from data_sources.schema import SchemaError, conform
from data_sources.snapshot import current_version, publish_table, read_table, write_table

VSRR = json.loads((FIXTURES / "soda_xkb8-kh2a.json").read_text())
US_ALL_DRUGS = 1  # the record for all drug overdose deaths, US, 12 months ending December 2019


def vsrr_frame() -> pd.DataFrame:
    return nchs_vsrr.tidy(VSRR)


def changed(frame: pd.DataFrame, row: int, **values: object) -> pd.DataFrame:
    out = frame.copy()
    for column, value in values.items():
        out.loc[row, column] = value
    return out


def deaths_row(frame: pd.DataFrame) -> int:
    mask = (frame["measure"] == "deaths") & (frame["drug"] == "all_drugs") & (frame["year"] == 2019)
    return int(mask.to_numpy().nonzero()[0][0])


# --- the checks themselves ------------------------------------------------------------------------------------
def test_every_bundled_table_passes_the_value_checks():
    for name, table in catalog.load_all().items():
        if table.schema.name == "tidy":
            assert checks.value_problems(table.data) == [], name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": -80856.0}, "deaths must be a whole number from 0 to 10,000,000; rows {row} (nation US, 2019-12-31"),
        ({"value": float("inf")}, "value is infinite in rows {row} (nation US, 2019-12-31, all_drugs, deaths: inf)"),
        ({"value": 1e308}, "deaths must be a whole number"),
        ({"value": 71130.5}, "deaths must be a whole number"),
        ({"year": 2020}, "period_end_date does not fall in the row's year"),
        ({"year": 1967, "period_end_date": pd.Timestamp("1967-12-31")}, "year is outside 1968.."),
        ({"year": 2200, "period_end_date": pd.Timestamp("2200-12-31")}, "year is outside 1968.."),
        ({"period_months": 0}, "period_months is outside 1..720"),
        ({"geo_code": "USA"}, "geo_code is not a nation code"),
    ],
    ids=["negative", "infinity", "1e308", "fraction", "end-in-another-year", "1967", "2200", "no-months", "bad-geo"],
)
def test_impossible_values_are_refused_naming_the_table_the_row_and_the_rule(change, message):
    frame = vsrr_frame()
    row = deaths_row(frame)
    with pytest.raises(SchemaError, match=r"^vsrr_provisional: ") as caught:
        conform(changed(frame, row, **change), table="vsrr_provisional")
    assert message.format(row=row) in str(caught.value)


def test_a_repeated_row_key_is_refused_naming_both_rows():
    frame = vsrr_frame()
    row = deaths_row(frame)
    twice = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
    with pytest.raises(
        SchemaError, match=r"row key \(geo_level, .*\) repeats in rows (\d+) \(nation US, 2019-12-31"
    ) as caught:
        conform(twice, table="vsrr_provisional")
    assert f"rows {row} (nation US, 2019-12-31, all_drugs, deaths: 71130.0), {len(frame)} (" in str(caught.value)


@pytest.mark.parametrize(
    ("measure", "value", "message"),
    [
        ("percent_complete_pct", 100.5, "a percentage from 0 to 100"),
        ("crude_rate_per_100k", 100_000.1, "a rate per 100,000 from 0 to 100,000"),
        ("population", -1.0, "a whole number from 0 to 1,000,000,000"),
    ],
)
def test_rates_percentages_and_populations_must_be_possible(measure, value, message):
    frame = vsrr_frame()
    row = deaths_row(frame)
    with pytest.raises(SchemaError, match=message):
        conform(changed(frame, row, measure=measure, value=value), table="t")


def rate_rows(rate: float) -> pd.DataFrame:
    """Deaths, population and crude rate of one place-year, as NCHS's state file gives them."""
    base = {
        "source_id": "s",
        "geo_level": "state",
        "geo_code": "06",
        "geo_name": "California",
        "year": 2017,
        "period_end_date": "2017-12-31",
        "period_months": 12,
        "drug": "all_drugs",
        "sex": "all",
        "age_group": "all",
        "race_ethnicity": "all",
        "value_lower": None,
        "value_upper": None,
        "value_flag": "",
        "provenance": "primary",
        "source_detail": "x",
    }
    return pd.DataFrame(
        [
            {**base, "measure": "deaths", "value": 4868.0},
            {**base, "measure": "population", "value": 39536653.0},
            {**base, "measure": "crude_rate_per_100k", "value": rate},
        ]
    )


def test_a_rate_must_agree_with_count_over_population():
    assert len(conform(rate_rows(12.3), table="t")) == 3  # 4,868 / 39,536,653 x 100,000 = 12.31
    with pytest.raises(SchemaError, match=r"crude_rate_per_100k is not deaths / population x 100,000 .*= 12.31"):
        conform(rate_rows(21.3), table="t")


def test_an_infinite_number_is_refused_in_every_schema(risk_table):
    frame = risk_table.data.copy()
    frame.loc[0, "value_upper"] = float("inf")
    with pytest.raises(SchemaError, match="value_upper is infinite in rows 0"):
        from data_sources.risk import validate

        validate(frame, table="risk_multipliers")


# --- door 1: snapshot build (write_table) ---------------------------------------------------------------------
def test_a_snapshot_build_refuses_impossible_values_and_writes_nothing(tmp_path):
    frame = vsrr_frame()
    with pytest.raises(SchemaError, match="deaths must be a whole number"):
        write_table("vsrr_provisional", changed(frame, deaths_row(frame), value=-5.0), tmp_path, {}, compress=True)
    assert list(tmp_path.iterdir()) == []


# --- door 2: refresh -------------------------------------------------------------------------------------------
def with_record(**values: str) -> list[dict]:
    records = [dict(r) for r in VSRR]
    records[US_ALL_DRUGS].update(values)
    return records


REFRESH_REPRODUCTIONS = {
    "duplicated-rows": ([*VSRR, VSRR[US_ALL_DRUGS]], "row key (geo_level"),
    "negative-count": (with_record(data_value="-80856"), "deaths must be a whole number"),
    "infinity": (with_record(data_value="Infinity"), "value is infinite"),
    "1e308": (with_record(data_value="1e308"), "deaths must be a whole number"),
    "fractional-year": (with_record(year="2019.7"), "year: '2019.7' is not a whole number"),
}


def soda(records: list[dict]):
    def handle(request: Request) -> Response:
        start, limit = int(request.args["$offset"]), int(request.args["$limit"])
        return Response(json.dumps(records[start : start + limit]), content_type="application/json")

    return handle


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("case", list(REFRESH_REPRODUCTIONS))
def test_a_refresh_with_impossible_values_is_refused_by_name_and_keeps_the_old_copy(httpserver, cache, case):
    config = socrata.Settings(base_url=httpserver.url_for("").rstrip("/"), retries=0, page_size=50)
    httpserver.expect_request("/resource/xkb8-kh2a.json").respond_with_handler(soda(VSRR))
    assert refresh.refresh(["vsrr_provisional"], config, out=io.StringIO()) == 0
    before = read_table("vsrr_provisional", cache).data

    records, message = REFRESH_REPRODUCTIONS[case]
    httpserver.clear()
    httpserver.expect_request("/resource/xkb8-kh2a.json").respond_with_handler(soda(records))
    out = io.StringIO()
    assert refresh.refresh(["vsrr_provisional"], config, out=out) == 1
    assert "vsrr_provisional: FAILED, previous copy kept" in out.getvalue() and message in out.getvalue()
    table = nchs_vsrr.load()
    assert not table.from_snapshot and table.data.equals(before)


# --- door 3: cache read ----------------------------------------------------------------------------------------
def tamper(cache, payload: bytes) -> None:
    """Replace the cached CSV with ``payload`` and make its sidecar agree (checksum and row count), as a writer
    that skipped the checks would have left it."""
    version = current_version("vsrr_provisional", cache)
    (version / "vsrr_provisional.csv").write_bytes(payload)
    meta = json.loads((version / "vsrr_provisional.json").read_text())
    meta |= {"sha256": hashlib.sha256(payload).hexdigest(), "rows": payload.count(b"\n") - 1}
    (version / "vsrr_provisional.json").write_text(json.dumps(meta))


@pytest.mark.parametrize("case", ["duplicated-rows", "negative-count", "infinity"])
def test_a_cached_copy_with_impossible_values_falls_back_to_the_bundled_snapshot_with_a_notice(cache, case):
    frame = vsrr_frame()
    publish_table("vsrr_provisional", frame, cache, {"retrieved_at": "2026-11-01T00:00:00+00:00"})
    row = deaths_row(frame)
    good = to_csv_bytes(frame)
    bad = {
        "duplicated-rows": to_csv_bytes(pd.concat([frame, frame.iloc[[row]]], ignore_index=True)),
        "negative-count": to_csv_bytes(changed(frame, row, value=-80856.0)),
        "infinity": good.replace(b",71130,", b",Infinity,"),
    }[case]
    assert bad != good
    tamper(cache, bad)
    table = nchs_vsrr.load()
    assert table.from_snapshot
    assert table.notice.startswith("The refreshed copy could not be used (") and "values refused" in table.notice
    assert str(cache) not in table.notice  # no server path in what a reader sees
