"""Provisional against final on the bundled snapshots: rows, differences, flags kept, gaps left empty."""

import pandas as pd
import pytest

from data_sources import nchs_national_final, nchs_vsrr, revisions


@pytest.fixture(scope="module")
def comparison() -> pd.DataFrame:
    return revisions.compare_provisional_final(nchs_vsrr.load().data, nchs_national_final.load().data)


def test_columns_and_one_row_per_drug_year(comparison):
    assert list(comparison.columns) == list(revisions.COLUMNS)
    assert not comparison.duplicated(["drug", "year"]).any()


def test_national_all_drug_rows_2015_to_2023_come_out(comparison):
    rows = comparison[comparison.drug == "all_drugs"].set_index("year")
    assert set(range(2015, 2024)) <= set(rows.index)
    assert (rows["geo_code"] == "US").all()


def test_all_drug_2019_figures_and_differences(comparison):
    row = comparison[(comparison.drug == "all_drugs") & (comparison.year == 2019)].iloc[0]
    # Final 70,630 (NCHS Data Brief 394); VSRR 12 months ending December 2019: 71,130 reported, 72,086
    # predicted (xkb8-kh2a).
    assert (row.final_deaths, row.provisional_deaths, row.predicted_deaths) == (70630, 71130, 72086)
    assert row.provisional_difference == 500
    assert row.provisional_percent == pytest.approx(100 * 500 / 70630)
    assert row.predicted_difference == 1456
    assert row.status == "complete"
    assert row.provisional_flag == "provisional"
    assert row.predicted_flag == "provisional;predicted"
    assert row.final_source_id == "nchs_db394"


def test_years_without_a_final_figure_stay_missing(comparison):
    # The bundled national_final table has every final all-drug count to 2023 (none yet for 2024), and no
    # final heroin count for 2020.
    assert revisions.years_without_final(comparison) == [2024]
    assert 2020 in revisions.years_without_final(comparison, "heroin")
    row = comparison[(comparison.drug == "heroin") & (comparison.year == 2020)].iloc[0]
    assert pd.isna(row.final_deaths) and pd.isna(row.provisional_difference) and pd.isna(row.provisional_percent)
    assert row.final_flag == "missing"
    assert row.status == "no final count"
    assert row.provisional_deaths == 13253


def test_years_without_a_provisional_figure_stay_missing(comparison):
    # The bundled VSRR snapshot has all-drug December rows only from 2018.
    rows = comparison[(comparison.drug == "all_drugs") & (comparison.year.isin([2015, 2016, 2017]))]
    assert rows["provisional_deaths"].isna().all() and rows["predicted_deaths"].isna().all()
    assert (rows["provisional_flag"] == "missing").all()
    assert rows["final_deaths"].notna().all()


def test_publisher_flags_are_kept(comparison):
    heroin_2024 = comparison[(comparison.drug == "heroin") & (comparison.year == 2024)].iloc[0]
    assert heroin_2024.provisional_flag == "provisional;underreported"
    assert heroin_2024.predicted_flag == "provisional;predicted;underreported"
    heroin_2018 = comparison[(comparison.drug == "heroin") & (comparison.year == 2018)].iloc[0]
    assert heroin_2018.final_flag == "secondary_source"


def test_only_december_periods_are_compared(comparison):
    # VSRR's 12 months ending January 2015 (methadone 3,413) is not a calendar year and is not used.
    methadone_2015 = comparison[(comparison.drug == "methadone") & (comparison.year == 2015)].iloc[0]
    assert methadone_2015.provisional_deaths == 3309


def test_drugs_and_years_can_be_chosen():
    out = revisions.compare_provisional_final(
        nchs_vsrr.load().data, nchs_national_final.load().data, drugs=["heroin"], start_year=2016, end_year=2017
    )
    assert list(zip(out.drug, out.year, strict=True)) == [("heroin", 2016), ("heroin", 2017)]


def test_a_duplicate_figure_is_refused():
    final = nchs_national_final.load().data
    doubled = pd.concat([final, final[(final.drug == "heroin") & (final.measure == "deaths")].head(1)])
    with pytest.raises(revisions.RevisionInputError, match=r"more than one deaths row for \(drug, year\)"):
        revisions.compare_provisional_final(nchs_vsrr.load().data, doubled)


def test_a_frame_without_contract_columns_is_refused():
    with pytest.raises(revisions.RevisionInputError, match="columns"):
        revisions.compare_provisional_final(pd.DataFrame({"drug": []}), nchs_national_final.load().data)
