"""NCHS's state file (1999-2021) and the state table it continues: agreement with jx6g-fdh6 on every shared
state-year, computed intervals, flags for what the file does not show, and bad input refused by name."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from paths import FULL, PACK

from data_sources import nchs_national_final, nchs_state_drug_poisoning, nchs_state_overdose_mortality, socrata
from data_sources.schema import SchemaError, conform, has_flag
from data_sources.snapshot import SNAPSHOT_DIR, read_table

MODULE = nchs_state_overdose_mortality
STATE_FILE = FULL / "nchs_sosmap_state_overdose_mortality_1999_2021.csv"
JX6G_FILE = PACK / "state_drug_poisoning_mortality_1999_2017.csv"


def row(year: str = "2019", state: str = "WV", rate: str = "52.8", deaths: str = "870", url: str = "") -> dict:
    page = {"ND": "northdakota", "AZ": "arizona"}.get(state, "westvirginia")
    return {"YEAR": year, "STATE": state, "RATE": rate, "DEATHS": deaths, "URL": url or f"/states/{page}.htm"}


def one(frame: pd.DataFrame, **where) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (where, rows)
    return rows.iloc[0]


@pytest.fixture(scope="module")
def jx6g() -> pd.DataFrame:
    return read_table(nchs_state_drug_poisoning.TABLE, SNAPSHOT_DIR).data


@pytest.fixture(scope="module")
def state_file() -> pd.DataFrame:
    return read_table(MODULE.TABLE, SNAPSHOT_DIR).data


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATA_CACHE_DIR", str(tmp_path_factory.mktemp("empty_cache")))
        return nchs_state_drug_poisoning.load().data


# --- every state-year both files cover ---------------------------------------------------------------------


def test_every_shared_state_year_agrees_with_jx6g_except_the_documented_swap(jx6g, state_file):
    """Deaths exactly, rates to 0.1, over all 300 state-years (1999, 2005, 2014-2017 x 50 states)."""
    assert MODULE.compared(jx6g, state_file) == 300 * 2 - 3  # three rates the file does not show
    found = MODULE.disagreements(jx6g, state_file)
    report = "\n".join(
        f"{r.geo_name} {r.year} {r.measure}: jx6g {r.reference} vs file {r.other}" for r in found.itertuples()
    )
    assert set(MODULE.places_of(found)) == set(MODULE.KNOWN_DISAGREEMENTS), report
    # The swap: each state's 2014 figures in the file are the other's in jx6g-fdh6.
    az, ar = (found[found["geo_code"] == code].set_index("measure") for code in ("04", "05"))
    assert az.loc["deaths", "other"] == ar.loc["deaths", "reference"] == 356
    assert ar.loc["deaths", "other"] == az.loc["deaths", "reference"] == 1211
    rate = "age_adjusted_rate_per_100k"
    assert az.loc[rate, "other"] == pytest.approx(ar.loc[rate, "reference"], abs=0.05)
    assert ar.loc[rate, "other"] == pytest.approx(az.loc[rate, "reference"], abs=0.05)


def test_the_build_refuses_a_new_difference_and_a_known_one_that_went_away(jx6g, state_file):
    changed = state_file.copy()
    wv = (changed["geo_code"] == "54") & (changed["year"] == 2016) & (changed["measure"] == "deaths")
    changed.loc[wv, "value"] = changed.loc[wv, "value"] + 1
    with pytest.raises(SchemaError, match="West Virginia 2016 deaths"):
        MODULE.check_against(jx6g, changed)
    fixed = state_file.copy()
    for code in ("04", "05"):
        for measure in ("deaths", "age_adjusted_rate_per_100k"):
            true = one(jx6g, geo_code=code, year=2014, measure=measure)["value"]
            at = (fixed["geo_code"] == code) & (fixed["year"] == 2014) & (fixed["measure"] == measure)
            fixed.loc[at, "value"] = round(float(true), 1)
    with pytest.raises(SchemaError, match="no longer occur"):
        MODULE.check_against(jx6g, fixed)


def test_the_bundled_file_is_the_pack_file_tidied():
    if not STATE_FILE.exists():
        pytest.skip(f"reference data pack not present at {STATE_FILE}")
    rebuilt = MODULE.tidy(MODULE.read_export(STATE_FILE))
    assert rebuilt.equals(read_table(MODULE.TABLE, SNAPSHOT_DIR).data)


# --- published figures ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "year", "rate", "where"),
    [
        ("54", 2021, 90.9, "MMWR QuickStats 2023;72(11)"),
        ("31", 2021, 11.4, "MMWR QuickStats 2023;72(11)"),
        ("46", 2021, 12.6, "MMWR QuickStats 2023;72(11)"),
        ("19", 2021, 15.3, "MMWR QuickStats 2023;72(11)"),
        ("54", 2019, 52.8, "NCHS Health E-Stats 2019"),
        ("10", 2019, 48.0, "NCHS Health E-Stats 2019"),
        ("39", 2019, 38.3, "NCHS Health E-Stats 2019"),
    ],
)
def test_state_rates_after_2017_match_their_publications(states, code, year, rate, where):
    got = one(states, geo_code=code, year=year, measure="age_adjusted_rate_per_100k")
    assert got["value"] == rate, where
    assert got["source_id"] == MODULE.SOURCE.id


# --- the state table 1999-2021 ----------------------------------------------------------------------------


def test_states_run_1999_to_2021_and_the_file_only_continues_jx6g(states):
    rates = states[(states["geo_level"] == "state") & (states["measure"] == "age_adjusted_rate_per_100k")]
    assert sorted(rates["year"].unique()) == list(range(1999, 2022))
    assert (rates.groupby("year").size() == 51).all()  # 50 states and DC every year
    from_file = states[states["source_id"] == MODULE.SOURCE.id]
    assert from_file["year"].min() == 2018
    assert (states[states["year"] <= 2017]["source_id"] == nchs_state_drug_poisoning.SOURCE.id).all()
    assert conform(states, table="state_drug_poisoning").equals(states)


def test_dc_after_2017_is_missing_with_a_reason_never_zero(states):
    dc = states[(states["geo_code"] == "11") & (states["year"] >= 2018)]
    assert len(dc) == 4 * 3 and dc["value"].isna().all()
    assert has_flag(dc["value_flag"], "missing").all()
    assert dc["source_detail"].str.contains("no row for the District of Columbia").all()


def test_every_later_state_rate_has_an_interval_computed_from_its_deaths(states):
    later = states[(states["year"] >= 2018) & (states["geo_level"] == "state") & states["value"].notna()]
    rates = later[later["measure"] == "age_adjusted_rate_per_100k"]
    assert len(rates) == 200 and has_flag(rates["value_flag"], "computed_interval").all()
    deaths = later[later["measure"] == "deaths"].set_index(["geo_code", "year"])["value"]
    for r in rates.itertuples():
        low, high = MODULE.rate_interval(r.value, int(deaths[(r.geo_code, r.year)]))
        assert (r.value_lower, r.value_upper) == (round(low, 4), round(high, 4))
    assert not has_flag(states[states["year"] <= 2017]["value_flag"], "computed_interval").any()


def test_the_nation_after_2017_comes_only_from_cited_national_figures(states):
    us = states[(states["geo_code"] == "US") & (states["year"] >= 2018)]
    assert set(us["measure"]) <= {"deaths", "age_adjusted_rate_per_100k"}
    assert not us.empty and us["value"].notna().all()
    assert (us["source_detail"].str.len() > 20).all()
    rates = us[us["measure"] == "age_adjusted_rate_per_100k"]
    assert has_flag(rates["value_flag"], "computed_interval").all()
    assert (rates["value_lower"] < rates["value"]).all() and (rates["value"] < rates["value_upper"]).all()
    table = nchs_state_drug_poisoning.load()
    assert set(table.data["source_id"]) <= {s.id for s in table.sources}


def test_the_nation_rows_never_invent_a_missing_year():
    national = nchs_national_final.load().data
    drop = (
        ((national["year"] == 2018) & (national["measure"] == "deaths"))
        | ((national["year"] == 2019) & (national["measure"] == "age_adjusted_rate_per_100k"))
        | (national["year"] == 2020)
    )
    rows = nchs_state_drug_poisoning.nation_rows(national[~drop], [2018, 2019, 2020])
    assert sorted(zip(rows["year"], rows["measure"], strict=True)) == [
        (2018, "age_adjusted_rate_per_100k"),
        (2019, "deaths"),
    ]
    rate = one(rows, year=2018)
    assert pd.isna(rate["value_lower"]) and "computed_interval" not in rate["value_flag"]  # no deaths: no interval


# --- the file's quirks --------------------------------------------------------------------------------------


def test_thousands_separators_not_shown_rates_and_twenty_deaths():
    frame = MODULE.tidy(
        [
            row(year="2018", state="AZ", rate="23.8", deaths="1,670"),
            row(year="1999", state="ND", rate="0", deaths="12"),
            row(year="1999", state="WV", rate="4.1", deaths="20"),
        ]
    )
    assert one(frame, geo_code="04", measure="deaths")["value"] == 1670
    hidden = one(frame, geo_code="38", measure="age_adjusted_rate_per_100k")
    assert pd.isna(hidden["value"]) and hidden["value_flag"] == "unreliable"  # not shown, never 0
    assert "not shown" in hidden["source_detail"]
    twenty = one(frame, geo_code="54", measure="age_adjusted_rate_per_100k")
    assert twenty["value"] == 4.1 and twenty["value_flag"] == "unreliable;computed_interval"
    crude = frame[frame["measure"] == "crude_rate_per_100k"]
    assert crude["value"].isna().all() and (crude["value_flag"] == "missing").all()
    dc = frame[frame["geo_code"] == "11"]
    assert sorted(dc["year"].unique()) == [1999, 2018] and dc["value"].isna().all()


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (row(state="XX"), r"line 2 \(2019, XX\): unknown state code 'XX'"),
        (row(state="DC", url="/dc.htm"), "unknown state code 'DC'"),
        (row(deaths="-5"), "negative count or rate"),
        (row(rate="-1.0"), "negative count or rate"),
        (row(rate="0", deaths="120"), "RATE 0 on 120 deaths"),
        (row(deaths="n/a"), "DEATHS 'n/a' is not a number"),
        (row(deaths="12.5"), "must be whole numbers"),
        (row(state="DE"), "is not Delaware's"),
    ],
)
def test_bad_rows_are_refused_by_line_and_problem(record, message):
    with pytest.raises(SchemaError, match=message):
        MODULE.tidy([record])


def test_a_state_year_given_twice_is_refused():
    with pytest.raises(SchemaError, match=r"line 3 .*West Virginia 2019 appears twice"):
        MODULE.tidy([row(), row()])


def test_a_header_other_than_the_files_is_refused(tmp_path: Path):
    path = tmp_path / "data-table.csv"
    path.write_text("YEAR,STATE,RATE,DEATHS\n2019,WV,52.8,870\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"data-table\.csv: expected the header"):
        MODULE.read_export(path)


def test_a_later_row_given_to_the_wrong_state_is_refused(jx6g, state_file):
    swapped = state_file.copy()
    pick = swapped["year"] == 2019
    az, ar = pick & (swapped["geo_code"] == "04"), pick & (swapped["geo_code"] == "05")
    for measure in ("deaths", "age_adjusted_rate_per_100k"):
        a, b = az & (swapped["measure"] == measure), ar & (swapped["measure"] == measure)
        swapped.loc[a, "value"], swapped.loc[b, "value"] = (
            swapped.loc[b, "value"].iloc[0],
            swapped.loc[a, "value"].iloc[0],
        )
    with pytest.raises(SchemaError, match=r"Arizona 2019: .* may belong to another state"):
        MODULE.check_sizes(swapped, jx6g)
    MODULE.check_sizes(state_file, jx6g)  # the published file passes


# --- the interval -------------------------------------------------------------------------------------------


def test_interval_normal_approximation_from_100_deaths():
    low, high = MODULE.rate_interval(20.0, 400)
    assert (low, high) == pytest.approx((20.0 - 1.96, 20.0 + 1.96))


def test_interval_gamma_method_below_100_deaths():
    # Exact Poisson limits for 10 events are 4.7954 and 18.3904 (Garwood); scaled to a rate of 10 per 10 deaths.
    low, high = MODULE.rate_interval(10.0, 10)
    assert (low, high) == pytest.approx((4.7954, 18.3904), abs=1e-4)
    with pytest.raises(ValueError, match="positive death count"):
        MODULE.rate_interval(1.0, 0)


def test_interval_reproduces_nchs_published_crude_limits():
    """jx6g-fdh6 publishes NCHS's own limits: the same method on its crude rates gives them back (to their
    4-decimal rounding), for counts above and below 100."""
    if not JX6G_FILE.exists():
        pytest.skip(f"reference data pack not present at {JX6G_FILE}")
    records = socrata.records_from_csv_export(JX6G_FILE, nchs_state_drug_poisoning.CSV_FIELDS)
    small = 0
    for rec in records:
        deaths, rate = int(rec["deaths"]), float(rec["crude_death_rate"])
        low, high = MODULE.rate_interval(rate, deaths)
        assert math.isclose(low, float(rec["low_confidence_limit_for_crude_rate"]), abs_tol=5e-4), rec
        assert math.isclose(high, float(rec["upper_confidence_limit_for_crude_rate"]), abs_tol=5e-4), rec
        small += deaths < MODULE.NORMAL_FROM
    assert small > 500
