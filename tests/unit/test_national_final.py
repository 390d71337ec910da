"""The bundled national snapshot, spot-checked against the figures its sources publish."""

import pytest

from data_sources import nchs_national_final
from data_sources.snapshot import SNAPSHOT_DIR, read_table

# (drug, year, measure, value, where it is published)
PUBLISHED = [
    ("heroin", 1999, "deaths", 1960, "NIDA Drug Overdose Death Rates (CDC WONDER)"),
    ("heroin", 2019, "deaths", 14019, "CDC heroin page 'more than 14,000'"),
    ("heroin", 2016, "deaths", 15469, "MMWR 2019;67(51-52) Table 2"),
    ("heroin", 2017, "deaths", 15482, "MMWR 2019;67(51-52) Table 2"),
    ("all_drugs", 1999, "deaths", 16849, "NIDA"),
    ("all_drugs", 2019, "deaths", 70630, "NCHS Data Brief 394"),
    ("all_drugs", 2021, "deaths", 106699, "NCHS Data Brief 457"),
    ("all_drugs", 2022, "deaths", 107941, "NCHS Data Brief 491"),
    ("all_drugs", 2023, "deaths", 105007, "NCHS Data Brief 522"),
    ("all_drugs", 2017, "age_adjusted_rate_per_100k", 21.7, "95ax-ymtc"),
    ("synthetic_opioids", 2019, "deaths", 36359, "Mattson et al. MMWR 2021"),
    ("synthetic_opioids", 2017, "deaths", 28466, "MMWR 2019;67(51-52) Table 2"),
    ("cocaine", 2016, "deaths", 10375, "MMWR 2018;67(12) Table 3"),
    ("psychostimulants", 2015, "deaths", 5716, "MMWR 2018;67(12) Table 3"),
    ("heroin", 2018, "age_adjusted_rate_per_100k", 4.7, "95ax-ymtc"),
]


@pytest.fixture(scope="module")
def national():
    return nchs_national_final.load()


@pytest.mark.parametrize(("drug", "year", "measure", "value", "where"), PUBLISHED)
def test_figure_matches_its_publication(national, drug, year, measure, value, where):
    d = national.data
    row = d[(d.drug == drug) & (d.year == year) & (d.measure == measure)]
    assert len(row) == 1, where
    assert row["value"].iloc[0] == pytest.approx(value), where


def test_every_row_is_cited_and_final(national):
    d = national.data
    assert (d["source_detail"].str.len() > 10).all()
    assert not d["value_flag"].str.contains("provisional").any()
    assert national.from_snapshot


def test_secondary_figures_are_flagged(national):
    d = national.data
    secondary = d[d["provenance"] == "secondary"]
    assert (secondary["value_flag"].str.contains("secondary_source")).all()
    heroin_2019 = d[(d.drug == "heroin") & (d.year == 2019) & (d.measure == "deaths")]
    assert heroin_2019["provenance"].iloc[0] == "secondary"


def test_no_figure_without_a_registered_source(national):
    assert set(national.data["source_id"]) <= {s.id for s in national.sources}


def test_snapshot_sidecar_matches_file():
    stored = read_table(nchs_national_final.TABLE, SNAPSHOT_DIR)
    assert stored.meta["rows"] == len(stored.data)
    assert stored.meta["built_by"] == "scripts/build_national_snapshot.py"
