"""NCHS model-based county death rates (pbkm-d27e): ranges kept as ranges, bad rows refused by name."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from paths import FULL

from data_sources import counties, nchs_county_model
from data_sources.export import to_csv_bytes
from data_sources.nchs_county_model import HEADER, RANGE_COLUMN, RANGES, range_label, tidy
from data_sources.schema import SchemaError, has_flag
from data_sources.snapshot import SNAPSHOT_DIR

EXPORT = FULL / "nchs_pbkm-d27e_county_model_based_1999_2016.csv"


def raw(*rows: dict) -> pd.DataFrame:
    """A hand-made export: Kanawha 2016 and Autauga 1999 as published, then any overrides as extra rows."""
    base = [
        {
            "FIPS": "54039",
            "Year": "2016",
            "State": "West Virginia",
            "FIPS State": "54",
            "County": "Kanawha County, WV",
            "Population": "186241",
            RANGE_COLUMN: "30+",
        },
        {
            "FIPS": "1001",
            "Year": "1999",
            "State": "Alabama",
            "FIPS State": "1",
            "County": "Autauga County, AL",
            "Population": "42963",
            RANGE_COLUMN: "<2",
        },
    ]
    return pd.DataFrame([*base, *({**base[0], **r} for r in rows)], columns=list(HEADER))


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return nchs_county_model.load().data


def test_a_range_stays_a_range_never_a_number():
    out = tidy(raw())
    rate = out[out["measure"] == nchs_county_model.MEASURE].set_index("geo_code")
    assert rate["value"].isna().all()
    assert (rate.loc["54039", "value_lower"], pd.isna(rate.loc["54039", "value_upper"])) == (30.0, True)
    assert (rate.loc["01001", "value_lower"], rate.loc["01001", "value_upper"]) == (0.0, 2.0)
    assert set(rate["value_flag"]) == {"model_based;range_only"}
    assert rate.loc["54039", "source_detail"].endswith('published range "30+"')
    population = out[out["measure"] == "population"].set_index("geo_code")
    assert population.loc["54039", "value"] == 186241 and population.loc["54039", "value_flag"] == ""
    assert (rate.loc["01001", "geo_name"], rate.loc["01001", "year"]) == ("Autauga County, AL", 1999)


def test_every_published_label_comes_back_from_its_bounds():
    assert len(RANGES) == 16
    for label, (low, high) in RANGES.items():
        assert range_label(low, high) == label
    assert range_label(30.0, pd.NA) == "30+"
    with pytest.raises(KeyError):
        range_label(1.0, 2.0)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"FIPS": "54999"}, "unknown county FIPS"),
        ({"FIPS": "abc"}, "not a county code"),
        ({"FIPS State": "51"}, "FIPS State column does not match"),
        ({"State": "Virginia"}, "State name does not match"),
        ({"County": "Kanawha County, VA"}, "state suffix does not match"),
        ({RANGE_COLUMN: "31+"}, "range label outside the 16"),
        ({RANGE_COLUMN: "2-4"}, "range label outside the 16"),
        ({"Year": "2017"}, "year outside 1999-2016"),
        ({"Population": "186,241"}, "population is not a whole number"),
        ({}, "county-year given twice"),
    ],
)
def test_bad_rows_are_refused_by_name(override, message):
    with pytest.raises(SchemaError, match=message) as err:
        tidy(raw(override))
    assert "row 3" in str(err.value) or message == "county-year given twice"


def test_a_changed_header_is_refused():
    with pytest.raises(SchemaError, match="expected columns"):
        tidy(raw().rename(columns={"Population": "Pop"}))


def test_publisher_warning_flags_the_years_it_names():
    out = tidy(raw({"FIPS": "54039", "Year": "2009"}))
    rate = out[out["measure"] == nchs_county_model.MEASURE]
    warned = rate[has_flag(rate["value_flag"], "may_be_underestimated")]
    assert list(warned["year"]) == [2009] and "R99" in warned["source_detail"].iloc[0]


def test_west_virginia_2016_has_55_counties_with_kanawha_in_the_top_range(table):
    wv = table[(table["geo_code"].str[:2] == "54") & (table["year"] == 2016)]
    rate = wv[wv["measure"] == nchs_county_model.MEASURE].set_index("geo_code")
    assert len(rate) == 55
    kanawha = rate.loc["54039"]
    assert kanawha["geo_name"] == "Kanawha County, WV"
    assert range_label(kanawha["value_lower"], kanawha["value_upper"]) == "30+" == nchs_county_model.RANGE_LABELS[-1]


def test_los_angeles_2016(table):
    la = table[(table["geo_code"] == "06037") & (table["year"] == 2016)].set_index("measure")
    assert la.loc["population", "value"] == 10_137_915
    rate = la.loc[nchs_county_model.MEASURE]
    assert range_label(rate["value_lower"], rate["value_upper"]) == "16-17.9"


def test_snapshot_shape_and_no_value_is_invented(table):
    assert len(table) == 2 * 56_448
    stored = gzip.decompress((SNAPSHOT_DIR / f"{nchs_county_model.TABLE}.csv.gz").read_bytes())
    assert stored == to_csv_bytes(table)  # reading lost nothing: writing again gives the same bytes
    assert b",,0.0,2.0,model_based;range_only,primary," in stored  # a range's bounds with the rate's decimal
    rate = table[table["measure"] == nchs_county_model.MEASURE]
    assert rate["value"].isna().all() and has_flag(rate["value_flag"], "range_only").all()
    assert table["geo_code"].str.fullmatch(r"\d{5}").all()
    assert set(table["year"]) == set(range(1999, 2017))


def test_every_county_is_drawn_or_named_as_undrawable(table):
    codes = set(table["geo_code"])
    undrawn = {c for c in codes if not nchs_county_model.outline_ids(c)}
    # split Alaska areas of the 2000s, and Falls Church, which the map data reduced to a line
    assert undrawn == {"02201", "02232", "02280", "51610"}
    for code in undrawn:
        assert counties.outline_note(code)
    drawn = {i for c in codes for i in nchs_county_model.outline_ids(c)}
    features = {f["id"] for f in counties.national_outlines()["features"]}
    assert drawn <= features
    # Colorado's combined row is drawn over all five counties it covers
    assert nchs_county_model.outline_ids("08013") == ("08001", "08013", "08014", "08059", "08123")
    assert nchs_county_model.outline_ids("46113") == ("46102",)


def test_colorado_combined_row_says_so(table):
    row = table[(table["geo_code"] == "08013") & (table["year"] == 2016) & (table["measure"] == "population")]
    assert row["geo_name"].iloc[0] == "Boulder County, CO (with Adams, Broomfield, Jefferson and Weld)"
    assert row["value"].iloc[0] == 1_753_711
    assert not (table["geo_code"].isin(["08001", "08014", "08059", "08123"])).any()


@pytest.mark.skipif(not EXPORT.exists(), reason="reference data pack (shared/data/full) not present")
def test_bundled_snapshot_is_the_export_through_tidy(table):
    rebuilt = tidy(nchs_county_model.read_export(EXPORT))
    pd.testing.assert_frame_equal(rebuilt.reset_index(drop=True), table.reset_index(drop=True))
