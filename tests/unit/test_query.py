"""Row selections over the tidy contract (data_sources.query): national rows, one cell, refusals."""

import pandas as pd
import pytest

from data_sources import nchs_national_final, nchs_state_drug_poisoning, query


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return nchs_national_final.load().data


def test_everyone_excludes_every_breakdown():
    data = nchs_state_drug_poisoning.load().data
    rows = data[query.everyone(data)]
    assert not rows.empty and len(rows) < len(data)
    assert set(rows["sex"]) == set(rows["age_group"]) == set(rows["race_ethnicity"]) == {"all"}


def test_national_series_in_year_order(national):
    rows = query.national(national, drug="heroin", measure="deaths")
    assert list(rows["year"]) == sorted(rows["year"]) and set(rows["geo_code"]) == {"US"}
    assert list(query.national(national, drug="heroin", measure="deaths", years=[2019, 1999])["value"]) == [1960, 14019]


def test_cell_carries_its_provenance(national):
    found = query.cell(national, drug="heroin", year=2018)
    assert (found.value, found.is_secondary) == (14996, True)
    assert not query.cell(national, drug="heroin", year=1999).is_secondary


def test_available_and_latest(national):
    years = query.available_years(national, drug="all_drugs")
    assert years[0] == 1999 and years[-1] == 2023
    assert (query.latest_cell(national).year, query.latest_cell(national).value) == (2023, 105007)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (None, {"drug": "heroin", "year": 2020}, "No sourced figure for Heroin deaths for 2020"),
        (None, {"drug": "fentanil", "year": 2019}, "Unknown drug"),
        (None, {"drug": "heroin", "year": 2019, "measure": "vibes"}, "Unknown measure"),
        ({"value": pd.NA, "value_flag": "suppressed"}, {"drug": "heroin", "year": 2019}, r"available \(suppressed\)"),
        ({"value_flag": "unreliable"}, {"drug": "heroin", "year": 2019}, "marked unreliable"),
    ],
)
def test_cell_refuses_with_a_reason(national, change, kwargs, message):
    data = national.copy()
    if change:
        mask = (data["drug"] == "heroin") & (data["measure"] == "deaths") & (data["year"] == 2019)
        for column, value in change.items():
            data.loc[mask, column] = value
    with pytest.raises(query.FigureUnavailable, match=message):
        query.cell(data, **kwargs)


def test_two_figures_for_one_cell_are_refused(national):
    row = national[(national["drug"] == "heroin") & (national["measure"] == "deaths") & (national["year"] == 2019)]
    with pytest.raises(query.FigureUnavailable, match="2 different figures"):
        query.cell(pd.concat([national, row]), drug="heroin", year=2019)
