"""The bundled 95ax-ymtc table is the whole dataset, built by the same tidy as a live refresh, flags kept."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from paths import FULL, SAMPLES

from data_sources import nchs_drug_overdose_rates, socrata
from data_sources.schema import has_flag
from data_sources.snapshot import SNAPSHOT_DIR, read_table

MODULE = nchs_drug_overdose_rates
FULL_FILE = FULL / "95ax-ymtc_full.csv"
KEY = ["drug", "measure", "sex", "age_group", "race_ethnicity", "year"]


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return read_table(MODULE.TABLE, SNAPSHOT_DIR).data


def test_every_row_of_the_dataset_is_bundled(bundled):
    assert len(bundled) == 6_228 and not bundled.duplicated(KEY).any()
    assert sorted(bundled["year"].unique()) == list(range(1999, 2019))
    assert set(bundled["drug"]) == set(MODULE.DRUG_BY_PANEL.values())
    assert bundled.groupby("measure").size().to_dict() == {
        "age_adjusted_rate_per_100k": 2628,
        "crude_rate_per_100k": 3600,
    }
    assert set(bundled["sex"]) == {"all", "female", "male"}
    assert set(bundled["age_group"]) == {
        "all",
        "0-14",
        "15-24",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "65-74",
        "75-84",
        "85+",
    }
    assert bundled["race_ethnicity"].nunique() == 1 + 9 + 9  # "all", 9 NCHS groups, 9 single-race groups


def test_star_rows_are_unreliable_and_empty_never_zero(bundled):
    starred = has_flag(bundled["value_flag"], "unreliable")
    assert starred.sum() == 1_111
    assert bundled.loc[starred, "value"].isna().all()
    assert bundled.loc[~starred, "value"].notna().all() and (bundled.loc[~starred, "value_flag"] == "").all()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ({"drug": "heroin", "year": 2016, "sex": "all", "age_group": "all", "race_ethnicity": "all"}, 4.9),
        ({"drug": "synthetic_opioids", "year": 2017, "sex": "all", "age_group": "all", "race_ethnicity": "all"}, 9.0),
        ({"drug": "all_drugs", "year": 1999, "sex": "male", "age_group": "all", "race_ethnicity": "all"}, 8.2),
    ],
    ids=["heroin-2016", "synthetic-2017", "male-1999"],
)
def test_age_adjusted_figures_match_their_publications(bundled, where, value):
    """MMWR 2018;67(51-52) Table 2 (heroin, synthetic opioids); the pack's README (men, 1999)."""
    rows = bundled[bundled["measure"] == "age_adjusted_rate_per_100k"]
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    assert rows["value"].tolist() == [value]


def test_the_bundled_copy_is_the_full_file_through_the_live_tidy(bundled):
    if not FULL_FILE.exists():
        pytest.skip(f"reference data pack not present at {FULL_FILE}")
    rebuilt = MODULE.tidy(socrata.records_from_csv_export(FULL_FILE, MODULE.CSV_FIELDS))
    assert rebuilt.equals(bundled)


def test_every_sample_row_is_in_the_bundle_unchanged(bundled):
    sample = SAMPLES / "95ax-ymtc_sample.csv"
    if not sample.exists():
        pytest.skip(f"reference sample not present at {sample}")
    rows = MODULE.tidy(socrata.records_from_csv_export(sample, MODULE.CSV_FIELDS))
    merged = rows.merge(bundled, on=KEY, suffixes=("_sample", ""), how="left", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == 370
    assert merged["value_sample"].equals(merged["value"])
    with sample.open(newline="", encoding="utf-8") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == 370


def test_bundled_citation_names_the_dataset_and_the_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    table = MODULE.load()
    source = table.source(MODULE.SOURCE.id)
    assert "Health, United States" in source.citation and "95ax-ymtc" in source.citation
    assert "Cassie-Charoenpol/US-Drug-Overdose-Rate" in source.citation and "1e6ae40d" in source.citation
    assert source.coverage and "1999-2018" in source.coverage
    meta = read_table(MODULE.TABLE, SNAPSHOT_DIR).meta
    assert "PARTIAL" not in meta["origin"] and "6,228 rows" in meta["origin"]


def test_an_unknown_flag_mark_is_refused_by_name():
    """A FLAG this loader does not know is never read as 'no flag'."""
    record = {
        "indicator": "Drug overdose death rates",
        "panel": "All drug overdose deaths",
        "panel_num": "0",
        "unit": "Deaths per 100,000 resident population, age-adjusted",
        "unit_num": "1",
        "stub_name": "Total",
        "stub_name_num": "0",
        "stub_label": "All persons",
        "stub_label_num": "0.1",
        "year": "2010",
        "year_num": "12",
        "age": "All ages",
        "age_num": "0",
        "estimate": "12.3",
        "flag": "**",
    }
    with pytest.raises(Exception, match=r"95ax-ymtc: unknown FLAG '\*\*'"):
        nchs_drug_overdose_rates.tidy([record])
