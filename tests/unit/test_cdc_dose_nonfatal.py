"""CDC DOSE nonfatal ED visits and hospitalizations: markers stay missing, US rows stay partial, bad rows refused."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from paths import FULL

from data_sources import cdc_dose_nonfatal, counties
from data_sources.cdc_dose_nonfatal import COUNTY_HEADER, JURISDICTION_HEADER, SUBMISSIONS_HEADER, tidy
from data_sources.export import to_csv_bytes
from data_sources.schema import SchemaError, has_flag
from data_sources.snapshot import SNAPSHOT_DIR

DOSE = FULL / "dose_dx_2018_2023"

# Arizona, 2021, one year: counts and rates per 100,000 of 1,000,000 people, as CDC would publish them.
AZ = {
    "jurisdiction": "AZ",
    "month": "all",
    "year": "2021",
    "time_frame": "annual",
    "dataset": "ED",
    "count_alldrug": "100",
    "count_opioid": "50",
    "count_fentanyl": "20",
    "count_heroin": "suppressed",
    "count_stimulant": "30",
    "count_cocaine": "15",
    "count_methamphetamine": "NA",  # no ICD-10-CM code before October 2022
    "count_benzodiazepine": "0",
    "population": "1000000",
    "rate_alldrug": "10",
    "rate_opioid": "5",
    "rate_fentanyl": "2",
    "rate_heroin": "suppressed",
    "rate_stimulant": "3",
    "rate_cocaine": "suppressed",  # 15 visits: count shown, rate withheld
    "rate_methamphetamine": "NA",
    "rate_benzodiazepine": "0",
}
APACHE = {
    "jurisdiction": "AZ",
    "county": "Apache County",
    "fips": "04001",
    "year": "2021",
    "dataset": "ED",
    "count_alldrug": "66",
    "population": "65389",
    "rate_alldrug": "100.9",
    "type": "1 year",
    "person_years": ".",
}


def sheets(
    jurisdiction: dict | None = None, county: dict | None = None, submissions: str = "1"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """AZ and its US sum for ED, the Apache County rows, and one submission; overrides change the AZ rows."""
    az = {**AZ, **(jurisdiction or {})}
    us = {**az, "jurisdiction": "US"}
    apache = {**APACHE, **(county or {})}
    five_year = {
        **APACHE,
        "year": "2019-2023",
        "count_alldrug": "300",
        "population": ".",
        "rate_alldrug": "83.6",
        "type": "5 year",
        "person_years": "359000",
    }
    kalawao = {
        **APACHE,
        "jurisdiction": "HI",
        "county": "Kalawao County",
        "fips": "15005",
        "count_alldrug": "NA",
        "population": "82",
        "rate_alldrug": "NA",
    }
    return (
        pd.DataFrame([az, us], columns=list(JURISDICTION_HEADER)),
        pd.DataFrame([apache, five_year, kalawao], columns=list(COUNTY_HEADER)),
        pd.DataFrame(
            [{"dataset": "ED", "month": "all", "year": "2021", "jurisdiction_count": submissions, "": ""}],
            columns=[*SUBMISSIONS_HEADER, ""],  # the sheet's trailing comma leaves an empty column
        ),
    )


def row(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    found = frame[mask]
    assert len(found) == 1, (where, len(found))
    return found.iloc[0]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return cdc_dose_nonfatal.load().data


def test_hand_made_sheets_become_tidy_rows():
    out = tidy(*sheets())
    az = out[out["geo_code"] == "04"]
    visits = row(az, drug="nonfatal_all_drugs", measure="ed_visits")
    assert (visits["value"], visits["value_flag"], visits["geo_name"], visits["period_months"]) == (
        100,
        "",
        "Arizona",
        12,
    )
    assert str(visits["period_end_date"].date()) == "2021-12-31"
    assert row(az, drug="nonfatal_all_drugs", measure="ed_visit_rate_per_100k")["value"] == 10
    assert row(az, drug="nonfatal_all_drugs", measure="ed_population")["value"] == 1_000_000
    assert row(az, drug="nonfatal_benzodiazepines", measure="ed_visits")["value"] == 0  # a real zero stays zero


def test_suppressed_and_na_stay_missing_with_their_reason_never_zero():
    out = tidy(*sheets())
    az = out[out["geo_code"] == "04"]
    heroin = row(az, drug="nonfatal_heroin", measure="ed_visits")
    assert pd.isna(heroin["value"]) and heroin["value_flag"] == "suppressed"
    assert "counts of 1-9" in heroin["source_detail"]
    cocaine_rate = row(az, drug="nonfatal_cocaine", measure="ed_visit_rate_per_100k")
    assert pd.isna(cocaine_rate["value"]) and cocaine_rate["value_flag"] == "suppressed"
    assert row(az, drug="nonfatal_cocaine", measure="ed_visits")["value"] == 15
    meth = row(az, drug="nonfatal_methamphetamine", measure="ed_visits")
    assert pd.isna(meth["value"]) and meth["value_flag"] == "no_diagnosis_code"
    kalawao = row(out, geo_code="15005", measure="ed_visits")
    assert pd.isna(kalawao["value"]) and kalawao["value_flag"] == "missing"


def test_us_rows_say_they_cover_participating_jurisdictions_only():
    out = tidy(*sheets())
    us = out[out["geo_code"] == "US"]
    counted = us[us["measure"] != "ed_reporting_jurisdictions"]
    assert has_flag(counted["value_flag"], "participating_jurisdictions").all()
    assert set(us["geo_name"]) == {"US (participating states and DC)"} and set(us["geo_level"]) == {"nation"}
    assert row(us, measure="ed_reporting_jurisdictions")["value"] == 1


def test_county_rows_one_and_five_years():
    out = tidy(*sheets())
    apache = out[out["geo_code"] == "04001"]
    assert set(apache["geo_name"]) == {"Apache County, AZ"}
    one = apache[apache["period_months"] == 12].set_index("measure")["value"]
    assert one.to_dict() == {"ed_population": 65389, "ed_visit_rate_per_100k": 100.9, "ed_visits": 66}
    five = apache[apache["period_months"] == 60].set_index("measure")
    assert five["value"].to_dict() == {
        "ed_person_years": 359000,
        "ed_visit_person_year_rate_per_100k": 83.6,
        "ed_visits": 300,
    }
    assert set(five["year"]) == {2023}


def test_monthly_rows_are_checked_then_left_out():
    jurisdictions, county, submissions = sheets()
    monthly = {"month": "2", "year": "2020", "time_frame": "monthly"}
    with_months = pd.concat([jurisdictions, jurisdictions.assign(**monthly)], ignore_index=True)
    sub_months = pd.concat([submissions, submissions.assign(month="2", year="2020")], ignore_index=True)
    out = tidy(with_months, county, sub_months)
    pd.testing.assert_frame_equal(out, tidy(jurisdictions, county, submissions))
    assert set(out["period_months"]) == {12, 60} and set(out["period_end_date"].dt.strftime("%m-%d")) == {"12-31"}
    with pytest.raises(SchemaError, match=r"month is neither 'all' nor 1-12 \(row 3"):
        tidy(
            pd.concat([jurisdictions, jurisdictions.assign(**{**monthly, "month": "13"})], ignore_index=True),
            county,
            submissions,
        )


@pytest.mark.parametrize(
    ("year", "flag"),
    [("2020", "no_diagnosis_code"), ("2021", "missing")],  # fentanyl's code came into use in October 2020
)
def test_na_is_no_diagnosis_code_only_for_years_before_the_code(year, flag):
    override = {"year": year, "count_fentanyl": "NA", "rate_fentanyl": "NA"}
    jurisdictions, county, _ = sheets(override)
    submissions = pd.DataFrame([{"dataset": "ED", "month": "all", "year": year, "jurisdiction_count": "1"}])
    fentanyl = row(
        tidy(jurisdictions, county, submissions), geo_code="04", drug="nonfatal_fentanyl", measure="ed_visits"
    )
    assert pd.isna(fentanyl["value"]) and fentanyl["value_flag"] == flag
    assert str(fentanyl["period_end_date"].date()) == f"{year}-12-31" and fentanyl["period_months"] == 12


@pytest.mark.parametrize(
    ("jurisdiction", "county", "submissions", "message"),
    [
        ({"rate_alldrug": "10.06"}, None, "1", "rates disagree with their count and population by more than 0.05"),
        ({"rate_opioid": "4.9"}, None, "1", "rate_opioid: 2 rates disagree"),  # AZ and its US copy
        (None, {"rate_alldrug": "101"}, "1", "sheet County Counts & Rates, rate_alldrug: 1 rates disagree"),
        ({"jurisdiction": "XX"}, None, "1", "unknown jurisdiction"),
        (None, {"fips": "04999"}, "1", "unknown county FIPS"),
        (None, {"fips": "06001"}, "1", "county FIPS does not lie in its jurisdiction"),
        ({"count_heroin": "*"}, None, "1", r"count_heroin: 2 cells are neither a number nor one of .*row 1: .\*."),
        ({"month": "13"}, None, "1", "month is neither"),
        ({"time_frame": "monthly"}, None, "1", "time_frame does not match month"),
        ({"population": "1,000,000"}, None, "1", "population is not a whole number"),
        (None, {"type": "3 year"}, "1", "type is neither"),
        (None, None, "2", "says 2 jurisdictions submitted ED 2021, but .* has rows for 1"),
    ],
)
def test_bad_rows_are_refused_by_name(jurisdiction, county, submissions, message):
    with pytest.raises(SchemaError, match=message):
        tidy(*sheets(jurisdiction, county, submissions))


def test_rates_within_rounding_are_accepted():
    tidy(*sheets({"rate_alldrug": "10.05"}))  # 10.00 computed: within CDC's rounding to one decimal


def test_a_us_population_that_is_not_the_sum_of_its_states_is_refused():
    jurisdictions, county, submissions = sheets()
    jurisdictions.loc[1, "population"] = "1000001"
    with pytest.raises(SchemaError, match="is not the sum of the period's jurisdictions"):
        tidy(jurisdictions, county, submissions)


def test_a_changed_header_is_refused():
    jurisdictions, county, submissions = sheets()
    with pytest.raises(SchemaError, match="expected columns"):
        tidy(jurisdictions.rename(columns={"count_benzodiazepine": "count_benzo"}), county, submissions)


# --- the bundled snapshot and the real download -----------------------------------------------------------------
def test_us_annual_ed_all_drugs_as_published(table):
    us = table[
        (table["geo_code"] == "US") & (table["period_months"] == 12) & (table["drug"] == "nonfatal_all_drugs")
    ].set_index(["year", "measure"])["value"]
    assert (us[(2018, "ed_visits")], us[(2018, "ed_visit_rate_per_100k")]) == (269_852, 116.2)
    assert (us[(2023, "ed_visits")], us[(2023, "ed_visit_rate_per_100k")]) == (307_848, 127.3)
    assert (
        us[(2018, "ed_reporting_jurisdictions")] == 28 and us[(2022, "hospitalization_reporting_jurisdictions")] == 33
    )


def test_the_bundle_holds_yearly_rows_only_as_the_writer_writes_them(table):
    assert set(table["period_months"]) == {12, 60}
    assert set(table.loc[table["period_months"] == 60, "geo_level"]) == {"county"}
    assert set(table["year"]) == set(range(2018, 2024))
    stored = gzip.decompress((SNAPSHOT_DIR / f"{cdc_dose_nonfatal.TABLE}.csv.gz").read_bytes())
    assert stored == to_csv_bytes(table)  # reading lost nothing: writing again gives the same bytes


def test_no_suppressed_or_unavailable_figure_is_a_number(table):
    for flag in ("suppressed", "no_diagnosis_code", "missing"):
        assert table.loc[has_flag(table["value_flag"], flag), "value"].isna().all(), flag
    assert table.loc[table["value"].isna(), "value_flag"].ne("").all()


def test_every_county_has_an_outline_of_its_own(table):
    codes = set(table.loc[table["geo_level"] == "county", "geo_code"])
    assert len(codes) == 2061
    assert {c for c in codes if counties.outline_fips(c) != c} == set()


def test_new_york_county_names_are_not_shouted(table):
    names = set(table.loc[table["geo_code"].str.startswith("36"), "geo_name"])
    assert "St. Lawrence County, NY" in names and "ALBANY COUNTY, NY" not in names


@pytest.mark.skipif(not DOSE.exists(), reason="reference data pack (shared/data/full) not present")
def test_bundled_snapshot_is_the_download_through_tidy(table):
    rebuilt = tidy(*cdc_dose_nonfatal.read_download(DOSE))
    pd.testing.assert_frame_equal(rebuilt.reset_index(drop=True), table.reset_index(drop=True))


@pytest.mark.skipif(not DOSE.exists(), reason="reference data pack (shared/data/full) not present")
def test_a_damaged_real_rate_is_refused():
    jurisdictions, county, submissions = cdc_dose_nonfatal.read_download(DOSE)
    jurisdictions.loc[0, "rate_alldrug"] = "108.5"  # AK 2018 ED: 792 / 736,624 x 100,000 = 107.5
    with pytest.raises(SchemaError, match=r"row 1 \(AK, all, 2018, annual, ED\).*107\.5"):
        tidy(jurisdictions, county, submissions)
