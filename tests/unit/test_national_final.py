"""The bundled national snapshot, spot-checked against the figures its sources publish."""

import pandas as pd
import pytest
from paths import PACK

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


# --- the third pass of the data pack and the corrections to citations and grades ---------------------------


def rows_for(national, year: int, drug: str, measure: str) -> pd.Series:
    d = national.data
    found = d[(d.year == year) & (d.drug == drug) & (d.measure == measure)]
    assert len(found) == 1, (year, drug, measure)
    return found.iloc[0]


def test_every_additions_figure_is_carried_with_its_quote_and_grade(national):
    path = PACK / "national_additions_2018_2023.csv"
    if not path.exists():
        pytest.skip(f"reference data pack not present at {path}")
    drugs = {"synthetic_opioids_excl_methadone": "synthetic_opioids"}
    for rec in pd.read_csv(path).itertuples(index=False):
        row = rows_for(national, rec.year, drugs.get(rec.drug, rec.drug), rec.measure)
        assert row["value"] == rec.value, rec
        assert rec.source_quote in row["source_detail"] and rec.source_url in row["source_detail"], rec
        if row["source_id"] == "nchs_95ax_ymtc":  # a dataset's own table row stays; the quote is a second reading
            assert f"({rec.grade})" in row["source_detail"]
        else:
            assert row["provenance"] == rec.grade, rec
            assert ("secondary_source" in row["value_flag"]) == (rec.grade == "secondary"), rec


def test_all_drug_deaths_and_rates_run_1999_to_2023_without_a_gap(national):
    d = national.data
    for measure in ("deaths", "age_adjusted_rate_per_100k"):
        years = d[(d.drug == "all_drugs") & (d.measure == measure)]["year"].tolist()
        assert sorted(years) == list(range(1999, 2024)), measure


def test_synthetic_opioid_deaths_miss_only_years_with_no_usable_figure(national):
    """2020: no count in the pack; 2022-2023: only Statista's 'fentanyl' counts, left out by the build's rule."""
    d = national.data
    years = set(d[(d.drug == "synthetic_opioids") & (d.measure == "deaths")]["year"])
    assert set(range(1999, 2024)) - years == {2020, 2022, 2023}
    assert rows_for(national, 2018, "synthetic_opioids", "deaths")["provenance"] == "secondary"


def test_gaps_are_recorded_in_the_sidecar():
    gaps = read_table(nchs_national_final.TABLE, SNAPSHOT_DIR).meta["gaps"]
    assert "all_drugs/deaths" not in gaps and gaps["synthetic_opioids/deaths"] == "2020, 2022, 2023"


def test_2021_psychostimulant_deaths_are_credited_to_nida(national):
    """CORRECTIONS 9: the figure was read in NIDA's Drug Overdose Death Rates text, not on a CDC page."""
    row = rows_for(national, 2021, "psychostimulants", "deaths")
    assert national.source(row["source_id"]).publisher.startswith("National Institute on Drug Abuse")


@pytest.mark.parametrize(
    ("year", "drug"), [(2021, "any_opioid"), (2021, "rx_opioids_incl_methadone"), (2020, "all_drugs")]
)
def test_figures_read_on_summary_sites_are_secondary(national, year, drug):
    """CORRECTIONS 10."""
    row = rows_for(national, year, drug, "deaths")
    assert row["provenance"] == "secondary" and "secondary_source" in row["value_flag"]


@pytest.mark.parametrize("year", [2019, 2020, 2021])
@pytest.mark.parametrize("measure", ["deaths", "age_adjusted_rate_per_100k"])
def test_all_drug_figures_cite_the_data_brief_not_a_library_record_or_news_copy(national, year, measure):
    """CORRECTIONS 11."""
    row = rows_for(national, year, "all_drugs", measure)
    assert row["source_id"] in {"nchs_db394", "nchs_db428", "nchs_db457"}
    assert not any(s in row["source_detail"] for s in ("bib-bvb", "njtoday", "drugsandalcohol.ie", "nfp-drugs"))


def test_every_citation_names_a_table_figure_or_quoted_sentence(national):
    """CORRECTIONS 12: never a bare URL; NIDA's counts name NIDA's figure and the CORGIS column."""
    d = national.data
    named = d["source_detail"].str.contains(r"[\"'\u201c]|Table|[Ff]igure|column|STUB_NAME")
    assert named.all(), d.loc[~named, ["year", "drug", "measure", "source_detail"]].to_dict("records")
    corgis = d[d["source_id"] == "nida_overdose_death_rates"]
    assert len(corgis) >= 100
    assert corgis["source_detail"].str.contains(r"NIDA, Drug Overdose Death Rates: its figure .* column Number\.").all()
    for year, drug in ((2023, "cocaine"), (2023, "psychostimulants"), (2022, "all_drugs"), (2019, "cocaine")):
        assert "rate" in rows_for(national, year, drug, "age_adjusted_rate_per_100k")["source_detail"].lower()


def test_copies_name_where_they_were_taken_from(national):
    """CORRECTIONS 13: rows read in a copy kept in a public repository say so, in the citation and the field."""
    for source_id, where in (
        ("nchs_95ax_ymtc", "UCB-stat-159-f25/final-group09"),
        ("nida_overdose_death_rates", "corgis"),
    ):
        source = national.source(source_id)
        assert where in source.copy_from and where in source.citation


def test_the_cocaine_quickstats_is_cited_as_the_mmwr_quickstats_not_an_index_site(national):
    """CORRECTIONS 14."""
    row = rows_for(national, 2021, "cocaine", "age_adjusted_rate_per_100k")
    source = national.source(row["source_id"])
    assert "safetylit" not in source.url and "cdc.gov" in source.url
    assert "QuickStats" in source.title and "MMWR" in source.citation
    assert "7.3 deaths per 100,000" in row["source_detail"]


def test_2018_heroin_is_cited_where_it_was_read(national):
    """CORRECTIONS 8: a public R script naming CDC WONDER, graded secondary; not credited to CDC's page."""
    row = rows_for(national, 2018, "heroin", "deaths")
    assert row["value"] == 14996 and row["provenance"] == "secondary"
    assert row["source_id"] == "cdc_wonder_mcd" and "R script" in row["source_detail"]


def test_sources_say_what_they_cover_and_when_released_only_where_citable(national):
    by_id = {s.id: s for s in national.sources}
    assert by_id["nchs_db428"].released == "2021-12-30"
    assert by_id["mmwr_wilson_2020"].released == "2020"
    assert by_id["nchs_db522"].coverage == "United States, 2003-2023"
    used = set(national.data["source_id"])
    assert all(by_id[i].coverage for i in used - {"cdc_wonder_mcd", "cdc_overdose_deaths_page", "cdc_heroin_page"})
