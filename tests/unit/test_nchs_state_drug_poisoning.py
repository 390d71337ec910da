"""The state table flags the state-years NCHS warns "may be low" (New Jersey 2009, West Virginia 2005 and 2009)
on their deaths and rates, quoting the warning, whether it loads the bundled snapshot or a refreshed copy; the
States map says so in words."""

from __future__ import annotations

import pandas as pd
import pytest
from paths import PACK

from app.charts import maps
from app.words import FLAGS_SHORT
from data_sources import nchs_state_drug_poisoning as state
from data_sources.nchs_county_model import UNDERESTIMATED_NOTE
from data_sources.schema import has_flag
from data_sources.snapshot import SNAPSHOT_DIR, read_table, write_table
from data_sources.socrata import records_from_csv_export

WARNED = {("34", 2009), ("54", 2005), ("54", 2009)}
AA = "age_adjusted_rate_per_100k"
MEASURES = {"deaths", "crude_rate_per_100k", "age_adjusted_rate_per_100k"}


def flagged(data: pd.DataFrame) -> pd.DataFrame:
    return data[has_flag(data["value_flag"], "may_be_underestimated")]


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return read_table(state.TABLE, SNAPSHOT_DIR).data


def test_the_three_state_years_carry_the_flag_on_deaths_and_rates_only(tmp_path, monkeypatch, bundled):
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    table = state.load()
    assert table.from_snapshot
    rows = flagged(table.data)
    assert {(c, int(y)) for c, y in zip(rows["geo_code"], rows["year"], strict=True)} == WARNED
    assert len(rows) == 9 and set(rows["measure"]) == MEASURES
    assert (rows["value_flag"] == "may_be_underestimated").all()  # none had a flag before
    assert rows["source_detail"].str.contains("pbkm-d27e").all()
    assert rows["source_detail"].str.endswith(UNDERESTIMATED_NOTE).all()
    assert rows["source_detail"].str.startswith("data.cdc.gov jx6g-fdh6, 1999-2017 release; ").all()
    population = table.data[
        (table.data["geo_code"] == "54") & (table.data["year"] == 2009) & (table.data["measure"] == "population")
    ]
    assert len(population) == 1 and population.iloc[0]["value_flag"] == ""
    # The values are NCHS's, untouched: West Virginia's 2009 age-adjusted rate is the snapshot's, 12.4329.
    wv = rows[(rows["geo_code"] == "54") & (rows["year"] == 2009) & (rows["measure"] == AA)]
    mask = (bundled["geo_code"] == "54") & (bundled["year"] == 2009) & (bundled["measure"] == AA)
    assert float(wv.iloc[0]["value"]) == float(bundled[mask].iloc[0]["value"]) == pytest.approx(12.4329)


def test_a_refreshed_copy_is_flagged_like_the_snapshot(tmp_path, monkeypatch):
    """A live refresh writes ``tidy`` of data.cdc.gov's rows to the cache; the real export stands in for them."""
    path = PACK / "state_drug_poisoning_mortality_1999_2017.csv"
    if not path.exists():
        pytest.skip(f"reference data pack not present at {path}")
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    snapshot = flagged(state.load().data)
    frame = state.tidy(records_from_csv_export(path, state.CSV_FIELDS))
    assert flagged(frame).empty  # tidy keeps the publisher's file as published
    write_table(state.TABLE, frame, tmp_path, {"retrieved_at": "2026-11-01T00:00:00+00:00"})
    live = state.load()
    assert not live.from_snapshot
    columns = ["geo_code", "year", "measure", "value_flag", "source_detail"]
    pd.testing.assert_frame_equal(
        flagged(live.data)[columns].reset_index(drop=True), snapshot[columns].reset_index(drop=True)
    )


def test_marking_twice_changes_nothing_and_other_rows_are_untouched(bundled):
    once = state.mark_underestimated(bundled)
    pd.testing.assert_frame_equal(state.mark_underestimated(once), once)
    untouched = ~has_flag(once["value_flag"], "may_be_underestimated")
    pd.testing.assert_frame_equal(once[untouched], bundled[untouched])
    other = bundled[bundled["geo_code"] == "01"]
    pd.testing.assert_frame_equal(state.mark_underestimated(other), other)


def test_the_states_map_hover_says_it_in_words():
    data = state.load().data
    rows = data[(data["geo_level"] == "state") & (data["year"] == 2009) & (data["measure"] == AA)]
    rows = rows[(rows["sex"] == "all") & (rows["age_group"] == "all") & (rows["race_ethnicity"] == "all")]
    hover = dict(zip(rows["geo_code"], maps._hover(rows, AA), strict=True))
    assert FLAGS_SHORT["may_be_underestimated"] in hover["54"] and FLAGS_SHORT["may_be_underestimated"] in hover["34"]
    assert "may_be_underestimated" not in hover["54"]
    assert "May be too low" not in hover["39"]
