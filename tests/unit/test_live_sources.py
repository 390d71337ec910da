"""The three data.cdc.gov source modules: tidy on recorded real-format rows, the bundled snapshots, and
load() choosing the freshest good copy (cache, else snapshot, always with a visible notice)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from paths import FIXTURES, PACK

from data_sources import freshness, nchs_drug_overdose_rates, nchs_state_drug_poisoning, nchs_vsrr
from data_sources.geography import place
from data_sources.schema import SchemaError, has_flag
from data_sources.snapshot import GZIP, SNAPSHOT_DIR, data_path, write_table
from data_sources.socrata import records_from_csv_export

MODULES = [nchs_vsrr, nchs_state_drug_poisoning, nchs_drug_overdose_rates]


def records(module) -> list[dict]:
    return json.loads((FIXTURES / f"soda_{module.DATASET_ID}.json").read_text())


def one(frame: pd.DataFrame, **where) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (where, rows)
    return rows.iloc[0]


# --- VSRR ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vsrr() -> pd.DataFrame:
    return nchs_vsrr.tidy(records(nchs_vsrr))


def test_vsrr_reported_and_predicted_counts_are_provisional(vsrr):
    heroin = vsrr[(vsrr["drug"] == "heroin") & (vsrr["year"] == 2019)]
    assert one(heroin, measure="deaths")["value"] == 14116
    predicted = one(heroin, measure="predicted_deaths")
    assert predicted["value"] == 14289 and has_flag(pd.Series([predicted["value_flag"]]), "predicted").all()
    assert has_flag(vsrr["value_flag"], "provisional").all()
    assert one(heroin, measure="deaths")["period_end_date"] == pd.Timestamp("2019-12-31")
    assert (vsrr["period_months"] == 12).all()


@pytest.mark.parametrize(("month", "flag"), [(1, "low_quality"), (10, "suppressed")])
def test_vsrr_withheld_values_are_flagged_never_zero(vsrr, month, flag):
    rows = vsrr[(vsrr["geo_code"] == "02") & (vsrr["period_end_date"].dt.month == month)]
    assert not rows.empty and rows["value"].isna().all()
    assert has_flag(rows["value_flag"], flag).all()


def test_vsrr_underreported_footnote_and_quality_measures(vsrr):
    row = one(vsrr, drug="heroin", year=2024, measure="deaths")
    assert "underreported" in row["value_flag"]
    quality = vsrr[vsrr["measure"] == "percent_pending_investigation_pct"]
    assert list(quality["value"].round(3)) == [0.157]  # once per place and period, from the total's row
    assert one(vsrr, measure="percent_drug_specified_pct")["value"] == pytest.approx(91.941, abs=1e-3)


@pytest.mark.parametrize(("symbol", "footnote"), [("*", ""), ("*", None)])
def test_vsrr_star_symbol_alone_means_underreported(symbol, footnote):
    """The reference pack's December rows carry CDC's symbol without its sentence: the symbol alone must keep
    the flag, or a period CDC calls incomplete reads as a real fall."""
    record = dict(records(nchs_vsrr)[0], footnote_symbol=symbol)
    record.pop("footnote", None) if footnote is None else record.update(footnote=footnote)
    out = nchs_vsrr.tidy([record])
    assert has_flag(out["value_flag"], "underreported").all()


def test_vsrr_unknown_footnote_symbol_is_refused_by_name():
    record = dict(records(nchs_vsrr)[0], footnote_symbol="†")
    with pytest.raises(SchemaError, match=r"xkb8-kh2a: unknown footnote symbol '†'"):
        nchs_vsrr.tidy([record])


def test_bundled_vsrr_keeps_cdcs_underreported_mark_on_2024():
    """CORRECTIONS 1: the US rows for the 12 months ending December 2024 are marked '*' by CDC."""
    data = nchs_vsrr.load().data
    dec_2024 = data[(data["geo_code"] == "US") & (data["period_end_date"] == pd.Timestamp("2024-12-31"))]
    all_drugs = dec_2024[(dec_2024["drug"] == "all_drugs") & (dec_2024["measure"] == "deaths")]
    assert list(all_drugs["value"]) == [80856]
    assert has_flag(all_drugs["value_flag"], "underreported").all()


def test_vsrr_reads_quoted_thousands_from_the_csv_export():
    rows = records_from_csv_export(FIXTURES / "vsrr_export_rows.csv", nchs_vsrr.CSV_FIELDS)
    frame = nchs_vsrr.tidy(rows)
    assert one(frame, drug="heroin", year=2019, measure="deaths")["value"] == 14116


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("YC", ("city", "NYC", "New York City")),
        ("US", ("nation", "US", "United States")),
        ("WV", ("state", "54", "West Virginia")),
        ("District of Columbia", ("state", "11", "District of Columbia")),
    ],
)
def test_places_map_to_fips_and_nyc(code, expected):
    assert place(code) == expected


def test_unknown_place_is_refused():
    with pytest.raises(KeyError, match="ZZ"):
        place("ZZ")


def test_vsrr_unknown_indicator_is_named():
    rows = records(nchs_vsrr)
    rows[0] = {**rows[0], "indicator": "Xylazine (new)"}
    with pytest.raises(SchemaError, match="Xylazine"):
        nchs_vsrr.tidy(rows)


# --- renamed columns, every module -----------------------------------------------------------------------


def required_fields(module) -> list[tuple]:
    return [(module, field) for field in module.FIELDS if field not in module.OPTIONAL]


@pytest.mark.parametrize(
    ("module", "field"), [p for m in MODULES for p in required_fields(m)], ids=lambda x: getattr(x, "TABLE", x)
)
def test_renamed_field_is_named_in_the_error(module, field):
    renamed = [{("renamed_" + k if k == field else k): v for k, v in r.items()} for r in records(module)]
    with pytest.raises(SchemaError, match=f"missing from the response: \\['{field}'\\]"):
        module.tidy(renamed)


def soda_style(rows: list[dict]) -> list[dict]:
    """The fixtures as SODA serves JSON: a field whose value is null is left out of the record entirely."""
    return [{k: v for k, v in r.items() if v != ""} for r in rows]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.TABLE)
def test_null_fields_left_out_by_soda_tidy_the_same(module):
    """SODA omits null fields per record, and an optional one (footnote, flag) from every record of a response
    that has none; both read exactly like empty cells."""
    expected = module.tidy(records(module))
    pd.testing.assert_frame_equal(module.tidy(soda_style(records(module))), expected)
    for field in module.OPTIONAL:
        without = [{k: v for k, v in r.items() if k != field} for r in records(module)]
        assert len(module.tidy(without)) > 0


@pytest.mark.parametrize(
    ("module", "key"), [(m, k) for m in MODULES for k in m.KEYS], ids=lambda x: getattr(x, "TABLE", x)
)
def test_a_record_without_a_key_field_is_refused_by_name(module, key):
    """A row with no place, period or drug is not dropped quietly: the whole response is refused, naming why."""
    rows = records(module)
    rows[1] = {k: v for k, v in rows[1].items() if k != key}
    with pytest.raises(SchemaError, match=f"1 of {len(rows)} records have no '{key}' \\(first: record 1\\)"):
        module.tidy(rows)
    rows[1] = {**records(module)[1], key: "  "}
    with pytest.raises(SchemaError, match=f"no '{key}'"):
        module.tidy(rows)


# --- state table (jx6g-fdh6) -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def states() -> pd.DataFrame:
    return nchs_state_drug_poisoning.tidy(records(nchs_state_drug_poisoning))


def test_state_rates_carry_confidence_limits(states):
    wv = one(states, geo_code="54", measure="age_adjusted_rate_per_100k")
    assert (wv["value"], wv["value_lower"], wv["value_upper"]) == (57.7662, 54.0397, 61.4927)
    assert one(states, geo_code="54", measure="deaths")["value"] == 974
    assert one(states, geo_code="US", measure="deaths", sex="all", age_group="all")["value"] == 70237


def test_state_small_counts_are_unreliable_and_age_bands_have_no_adjusted_rate(states):
    band = states[(states["age_group"] == "0-14") & (states["race_ethnicity"] == "Hispanic")]
    assert set(band["measure"]) == {"deaths", "population", "crude_rate_per_100k"}
    assert one(band, measure="crude_rate_per_100k")["value_flag"] == "unreliable"  # 8 deaths < 20
    assert one(states, geo_code="02", measure="crude_rate_per_100k")["value_flag"] == ""


@pytest.mark.parametrize(("code", "year"), [("38", 2013), ("46", 2000), ("56", 1999)])
def test_state_rates_on_exactly_20_deaths_are_unreliable(code, year):
    """NCHS's state file calls rates on 20 or fewer deaths unreliable: these three state-years had 20."""
    data = nchs_state_drug_poisoning.load().data
    place = data[(data["geo_code"] == code) & (data["year"] == year)]
    assert one(place, measure="deaths")["value"] == 20
    for measure in ("crude_rate_per_100k", "age_adjusted_rate_per_100k"):
        assert one(place, measure=measure)["value_flag"] == "unreliable"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"crude_death_rate": "53.7386"}, r"West Virginia, 2017.*crude rate 53\.7386 but 974 deaths"),
        ({"deaths": "-974"}, "negative count"),
        ({"population": "-1"}, "negative count"),
        ({"state": "Atlantis"}, "unknown place 'Atlantis'"),
    ],
    ids=["crude-rate", "negative-deaths", "negative-population", "unknown-place"],
)
def test_state_records_that_do_not_add_up_are_refused_by_name(change, message):
    bad = [dict(rec) for rec in records(nchs_state_drug_poisoning)]
    bad[0].update(change)
    with pytest.raises(SchemaError, match=message):
        nchs_state_drug_poisoning.tidy(bad)


# --- demographics table (95ax-ymtc) ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rates() -> pd.DataFrame:
    return nchs_drug_overdose_rates.tidy(records(nchs_drug_overdose_rates))


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ({"drug": "all_drugs", "year": 1999, "sex": "all"}, 6.1),
        ({"drug": "heroin", "sex": "male", "measure": "age_adjusted_rate_per_100k"}, 7.1),
        ({"drug": "any_opioid", "age_group": "85+"}, 0.9),
    ],
)
def test_rates_breakdowns(rates, where, value):
    assert one(rates, **where)["value"] == value


def test_rates_star_flag_is_unreliable_not_zero(rates):
    starred = rates[rates["value"].isna()]
    assert len(starred) == 2 and (starred["value_flag"] == "unreliable").all()
    assert set(starred["age_group"]) == {"0-14", "all"}
    race = one(rates, race_ethnicity="Not Hispanic or Latino: Asian or Pacific Islander")
    assert race["sex"] == "female"


# --- bundled snapshots and load() ------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.TABLE)
def test_bundled_snapshot_loads_with_a_visible_notice(module, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    table = module.load()
    assert table.from_snapshot and not table.data.empty
    assert "ships with this dashboard" in table.notice and "make refresh" not in table.notice  # plain words
    assert module.SOURCE.id in set(table.data["source_id"]) <= {s.id for s in table.sources}


@pytest.mark.parametrize("module", [nchs_state_drug_poisoning, nchs_drug_overdose_rates], ids=lambda m: m.TABLE)
def test_bundled_copy_is_cited_as_a_copy_and_a_live_copy_as_data_cdc_gov(module, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    bundled = module.load().source(module.SOURCE.id)
    assert bundled.copy_from and "github.com/" in bundled.copy_from and "commit" in bundled.copy_from
    assert "copy" in bundled.citation and module.DATASET_ID in bundled.citation
    write_table(module.TABLE, module.tidy(records(module)), tmp_path, {})
    live_copy = module.load()
    assert not live_copy.from_snapshot and live_copy.source(module.SOURCE.id).copy_from is None


def test_vsrr_snapshot_has_the_us_december_series():
    data = nchs_vsrr.load().data
    heroin = data[
        (data["geo_code"] == "US")
        & (data["drug"] == "heroin")
        & (data["measure"] == "deaths")
        & (data["period_end_date"].dt.month == 12)
    ]
    assert list(heroin["year"]) == list(range(2015, 2025))


def test_valid_cache_wins_over_the_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    frame = nchs_state_drug_poisoning.tidy(records(nchs_state_drug_poisoning))
    write_table(nchs_state_drug_poisoning.TABLE, frame, tmp_path, {"retrieved_at": "2026-11-01T00:00:00+00:00"})
    table = nchs_state_drug_poisoning.load()
    assert not table.from_snapshot and table.notice is None
    assert len(table.data[table.data["source_id"] == nchs_state_drug_poisoning.SOURCE.id]) == len(frame)


def test_corrupt_cache_falls_back_to_the_snapshot_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    frame = nchs_vsrr.tidy(records(nchs_vsrr))
    write_table(nchs_vsrr.TABLE, frame, tmp_path, {})
    csv_path = data_path(nchs_vsrr.TABLE, tmp_path)
    csv_path.write_bytes(csv_path.read_bytes()[:-200])  # a half-written file
    table = nchs_vsrr.load()
    assert table.from_snapshot
    assert "could not be used" in table.notice and "checksum" in table.notice


def test_stale_live_copy_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    frame = nchs_vsrr.tidy(records(nchs_vsrr))
    write_table(nchs_vsrr.TABLE, frame, tmp_path, {"retrieved_at": "2026-08-01T00:00:00+00:00"})
    now = datetime(2026, 11, 22, tzinfo=UTC)
    table = freshness.load_freshest(nchs_vsrr.TABLE, nchs_vsrr.SOURCES, now=now)
    assert not table.from_snapshot and freshness.is_stale(table, now)
    assert "113 days old" in table.notice
    sentence = freshness.as_of_sentence(table, now)
    assert sentence.startswith("Data as of 01 Aug 2026") and "live copy" in sentence
    assert not freshness.is_stale(table, datetime(2026, 8, 1, tzinfo=UTC) + timedelta(days=20))


def test_final_tables_never_go_stale():
    table = nchs_state_drug_poisoning.load()
    assert not freshness.is_stale(table, datetime(2040, 1, 1, tzinfo=UTC))


# --- the real samples in the data pack (when present) ----------------------------------------------------


@pytest.mark.parametrize(
    ("module", "sample"),
    [(nchs_vsrr, "vsrr_xkb8-kh2a_csv_sample.csv"), (nchs_drug_overdose_rates, "95ax-ymtc_sample.csv")],
    ids=["vsrr", "95ax"],
)
def test_real_csv_export_samples_tidy_cleanly(module, sample):
    path = PACK / "samples" / sample
    if not path.exists():
        pytest.skip(f"reference sample not present at {path}")
    frame = module.tidy(records_from_csv_export(path, module.CSV_FIELDS))
    assert not frame.empty


def test_snapshot_matches_the_full_state_export():
    path = PACK / "state_drug_poisoning_mortality_1999_2017.csv"
    if not path.exists():
        pytest.skip(f"reference data pack not present at {path}")
    rebuilt = nchs_state_drug_poisoning.tidy(records_from_csv_export(path, nchs_state_drug_poisoning.CSV_FIELDS))
    bundled = pd.read_csv(data_path("state_drug_poisoning", SNAPSHOT_DIR, GZIP), dtype=str)
    assert len(rebuilt) == len(bundled) == 10_260
