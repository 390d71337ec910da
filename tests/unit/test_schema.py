"""The tidy contract: conform() accepts good frames and fails loudly, naming the problem, on bad ones."""

import pandas as pd
import pytest

from data_sources.schema import COLUMNS, SchemaError, Source, conform, has_flag, join_flags, split_flags


def good_rows(n: int = 2) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": ["s"] * n,
            "geo_level": ["nation"] * n,
            "geo_code": ["US"] * n,
            "geo_name": ["United States"] * n,
            "year": [2019 + i for i in range(n)],
            "period_end_date": [f"{2019 + i}-12-31" for i in range(n)],
            "period_months": [12] * n,
            "drug": ["heroin"] * n,
            "measure": ["deaths"] * n,
            "sex": ["all"] * n,
            "age_group": ["all"] * n,
            "race_ethnicity": ["all"] * n,
            "value": [14019.0 + i for i in range(n)],
            "value_lower": [None] * n,
            "value_upper": [None] * n,
            "value_flag": [""] * n,
            "provenance": ["primary"] * n,
            "source_detail": ["test"] * n,
        }
    )


def test_conform_returns_contract_dtypes_and_order():
    out = conform(good_rows().iloc[:, ::-1], table="t")
    assert list(out.columns) == list(COLUMNS)
    assert {c: str(out[c].dtype) for c in ("year", "value", "geo_code")} == {
        "year": "Int64",
        "value": "Float64",
        "geo_code": "string",
    }
    assert out["period_end_date"].dt.year.tolist() == [2019, 2020]


def test_missing_column_names_expected_and_found():
    with pytest.raises(SchemaError, match=r"Missing: \['value'\].*unexpected: \['val'\]"):
        conform(good_rows().rename(columns={"value": "val"}), table="t")


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("value", "lots", "cannot be read as Float64"),
        ("year", 2019.5, "cannot be read as Int64"),
        ("drug", "fentanil", "unknown drug"),
        ("measure", "death_count", "unknown measure"),
        ("geo_level", "planet", "unknown geo_level"),
        ("value_flag", "fishy", "unknown value_flag"),
        ("provenance", "rumour", "unknown provenance"),
        ("geo_code", "", "empty cells"),
        ("geo_name", None, "empty cells"),
        ("period_end_date", None, "empty cells"),
        ("year", None, "empty cells"),
    ],
)
def test_bad_cells_raise_naming_the_column(column, bad, message):
    rows = good_rows()
    rows[column] = rows[column].astype(object)
    rows.loc[0, column] = bad
    with pytest.raises(SchemaError, match=message):
        conform(rows, table="t")


def test_missing_value_needs_a_reason_flag():
    rows = good_rows()
    rows.loc[0, "value"] = None
    with pytest.raises(SchemaError, match="missing with no reason flag"):
        conform(rows, table="t")
    rows.loc[0, "value_flag"] = "provisional;suppressed"
    assert conform(rows, table="t")["value"].isna().sum() == 1


def test_limits_must_bracket_value():
    rows = good_rows()
    rows["value_lower"], rows["value_upper"] = [15000.0, 1.0], [16000.0, 2e5]
    with pytest.raises(SchemaError, match="do not bracket"):
        conform(rows, table="t")


def test_flags_join_in_dictionary_order_and_split_back():
    joined = join_flags("suppressed", None, "provisional", "suppressed")
    assert joined == "provisional;suppressed"
    assert split_flags(joined) == ["provisional", "suppressed"]
    assert split_flags("") == [] and split_flags(None) == []
    assert has_flag(pd.Series(["provisional;suppressed", "", None]), "suppressed").tolist() == [True, False, False]
    with pytest.raises(SchemaError):
        join_flags("made_up")


def test_source_requires_every_field():
    with pytest.raises(SchemaError, match="citation"):
        Source(id="x", title="t", publisher="p", url="https://example.org", license="l", citation=" ")
    with pytest.raises(SchemaError, match="not a web address"):
        Source(id="x", title="t", publisher="p", url="cdc.gov", license="l", citation="c")


@pytest.mark.parametrize("released", ["2021-12-30", "2021-12", "2021"])
def test_source_dates_and_coverage_are_optional_and_released_is_an_iso_date(released):
    plain = Source(id="x", title="t", publisher="p", url="https://example.org", license="l", citation="c")
    assert (plain.coverage, plain.released, plain.copy_from) == (None, None, None)
    dated = Source(
        id="x", title="t", publisher="p", url="https://example.org", license="l", citation="c", released=released
    )
    assert dated.released == released


@pytest.mark.parametrize("released", ["Dec 30, 2021", "2021-13", "2021-02-30", "21", ""])
def test_source_released_must_be_an_iso_date_month_or_year(released):
    with pytest.raises(SchemaError, match="released"):
        Source(
            id="x", title="t", publisher="p", url="https://example.org", license="l", citation="c", released=released
        )
