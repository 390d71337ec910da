"""The one CSV writer and its reader (data_sources.export): formula-safe cells, one number format per measure,
exact round trips; the data dictionary as tables; preview filters."""

from __future__ import annotations

import csv
import gzip
import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_sources import catalog, dictionary, export, risk
from data_sources.schema import COLUMNS, SchemaError, Table, conform
from data_sources.snapshot import GZIP, SNAPSHOT_DIR, read_table

TIDY_SNAPSHOTS = [
    "national_final",
    "vsrr_provisional",
    "state_drug_poisoning",
    "state_overdose_mortality",
    "drug_overdose_rates",
    "county_model_rates",
    "dose_nonfatal",
]


def rows_of(payload: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(payload.decode("utf-8"), newline="")))


# --- formula injection ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),  # already looks neutralised: one more, so reading takes exactly one off
        ("heroin", "heroin"),
        ("25-34", "25-34"),
        ("'How Heroin Addiction Works'", "'How Heroin Addiction Works'"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(text, expected):
    assert export.neutralise(text) == expected
    assert export.restore(expected) == text


@given(st.text())
def test_restore_undoes_neutralise_for_any_text(text):
    assert export.restore(export.neutralise(text)) == text


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_cells_led_by_a_formula_character_get_an_apostrophe(lead):
    frame = pd.DataFrame(
        {
            "note": pd.array([f"{lead}cmd|' /C calc'!A0", "plain", None], dtype="string"),
            "value": pd.array([-5.25, 3.0, None], dtype="Float64"),
        }
    )
    payload = export.to_csv_bytes(frame)
    rows = rows_of(payload)
    assert rows[1] == [f"'{lead}cmd|' /C calc'!A0", "-5.25"]  # text neutralised, a negative number untouched
    assert rows[2] == ["plain", "3"] and rows[3] == ["", ""]
    back = export.read_csv_bytes(payload, name="t")
    assert back["note"].tolist() == [f"{lead}cmd|' /C calc'!A0", "plain", ""]


def test_object_columns_are_neutralised_cell_by_cell():
    frame = pd.DataFrame({"mixed": ["=1", 2.5, 7, None, True]})
    assert [r[0] for r in rows_of(export.to_csv_bytes(frame))[1:]] == ["'=1", "2.5", "7", "", "True"]


# --- numbers and dates -------------------------------------------------------------------------------------------
def tidy_rows(measures_and_values: list[tuple[str, float | None]]) -> pd.DataFrame:
    n = len(measures_and_values)
    return conform(
        pd.DataFrame(
            {
                "source_id": ["s"] * n,
                "geo_level": ["nation"] * n,
                "geo_code": ["US"] * n,
                "geo_name": ["United States"] * n,
                # one year per row: a figure per place, period, drug and measure (the value checks refuse repeats)
                "year": [1999 + i for i in range(n)],
                "period_end_date": [f"{1999 + i}-12-31" for i in range(n)],
                "period_months": [12] * n,
                "drug": ["heroin"] * n,
                "measure": [m for m, _ in measures_and_values],
                "sex": ["all"] * n,
                "age_group": ["all"] * n,
                "race_ethnicity": ["all"] * n,
                "value": [v for _, v in measures_and_values],
                "value_lower": [None] * n,
                "value_upper": [None] * n,
                "value_flag": ["" if v is not None else "suppressed" for _, v in measures_and_values],
                "provenance": ["primary"] * n,
                "source_detail": ["-3 in a footnote"] * n,
            }
        ),
        table="t",
    )


def test_each_measure_is_written_with_its_dictionary_decimals_and_never_loses_digits():
    frame = tidy_rows(
        [
            ("deaths", 1960.0),
            ("age_adjusted_rate_per_100k", 20.7),
            ("age_adjusted_rate_per_100k", 20.0),
            ("crude_rate_per_100k", 3.8148),
            ("percent_pending_investigation_pct", 0.161371151),
            ("population", 4430143.0),
            ("deaths", None),
        ]
    )
    rows = rows_of(export.to_csv_bytes(frame))
    header = rows[0]
    values = [r[header.index("value")] for r in rows[1:]]
    assert values == ["1960", "20.7", "20.0", "3.8148", "0.161371151", "4430143", ""]
    first = dict(zip(header, rows[1], strict=True))
    assert (first["year"], first["period_end_date"], first["geo_code"]) == ("1999", "1999-12-31", "US")
    assert first["source_detail"] == "'-3 in a footnote"


def test_a_tidy_frame_round_trips_exactly():
    frame = tidy_rows([("deaths", 14019.0), ("age_adjusted_rate_per_100k", 4.4), ("deaths", None)])
    back = conform(export.read_csv_bytes(export.to_csv_bytes(frame), name="t"), table="t")
    assert back.equals(frame)


@pytest.mark.parametrize("name", TIDY_SNAPSHOTS)
def test_every_bundled_snapshot_is_what_the_writer_makes_of_it(name):
    """Bundled bytes = writer(reader(bytes)): one format, and nothing lost or changed on the way. Every bundled
    snapshot is gzipped the one reproducible way (level 9, no timestamp)."""
    stored = read_table(name, SNAPSHOT_DIR)
    assert stored.meta["compression"] == GZIP
    assert gzip.compress(export.to_csv_bytes(stored.data), compresslevel=9, mtime=0) == stored.path.read_bytes()


def test_heroin_1999_is_1960_in_the_national_csv():
    table = catalog.TABLES["national_final"]()
    rows = list(csv.DictReader(io.StringIO(export.to_csv_bytes(table.data).decode())))
    deaths = [r for r in rows if r["measure"] == "deaths" and r["drug"] == "heroin" and r["year"] == "1999"]
    assert [r["value"] for r in deaths] == ["1960"]
    assert not any(r["value"].endswith(".0") for r in rows if r["measure"] == "deaths")


def test_a_wide_column_named_after_a_measure_uses_its_decimals():
    frame = pd.DataFrame({"deaths": [1960.0], "age_adjusted_rate_per_100k": [6.0], "ratio": [7.0]})
    assert rows_of(export.to_csv_bytes(frame))[1] == ["1960", "6.0", "7"]


def test_dates_with_a_time_keep_it_and_large_numbers_are_not_in_exponent_form():
    frame = pd.DataFrame({"when": pd.to_datetime(["2026-01-02 03:04:05"]), "n": [1e16], "tiny": [1e-7]})
    assert rows_of(export.to_csv_bytes(frame))[1] == ["2026-01-02T03:04:05", "10000000000000000", "0.0000001"]


def test_a_number_that_is_not_finite_is_refused():
    with pytest.raises(SchemaError, match="'ratio': inf is not a finite number"):
        export.to_csv_bytes(pd.DataFrame({"ratio": [float("inf")]}))


def test_an_unreadable_csv_names_the_file():
    with pytest.raises(SchemaError, match=r"broken\.csv: not a readable CSV"):
        export.read_csv_bytes(b"\xff\xfe\x00garbage", name="broken.csv")


# --- the dictionary as tables -----------------------------------------------------------------------------------
def test_dictionary_frame_comes_from_the_dictionary():
    frame = export.dictionary_frame()
    assert list(frame.columns) == [f.name for f in export.DICTIONARY.fields]
    measures = frame[frame["kind"] == "measure"].set_index("key")
    assert measures["unit"].to_dict() == {k: t.unit for k, t in dictionary.MEASURES.items()}
    assert measures.loc["deaths", "decimals"] == "0" and measures.loc["crude_rate_per_100k", "decimals"] == "1"
    assert set(frame.loc[frame["kind"] == "drug", "key"]) == set(dictionary.DRUGS)
    for schema in dictionary.SCHEMAS.values():
        columns = frame[(frame["kind"] == "column") & (frame["table"] == schema.name)]
        assert list(columns["key"]) == list(schema.columns)
        assert list(columns["title"]) == [f.label for f in schema.fields]
        described = frame[(frame["kind"] == "table") & (frame["key"] == schema.name)]["description"]
        assert described.tolist() == [schema.description]
    assert "sources list" in dictionary.RISK_MULTIPLIERS.description  # the risk schema cites its studies


def test_table_dictionary_for_a_risk_table():
    out = export.table_dictionary(risk.load())
    assert list(out["Column"]) == list(dictionary.RISK_MULTIPLIERS.columns)
    assert out.set_index("Column").loc["value", "Type"] == "number"


def test_measures_and_flags_used():
    data = catalog.TABLES["vsrr_provisional"]().data
    assert "predicted_deaths" in set(export.measures_used(data)["Measure"])
    assert "provisional" in set(export.flags_used(data)["Flag"])


# --- filters -----------------------------------------------------------------------------------------------------
def test_filters():
    data = catalog.TABLES["national_final"]().data
    choices = export.filter_choices(data, dictionary.TIDY.fields)
    assert "heroin" in choices["drug"] and "source_detail" not in choices
    rows = export.apply_filters(data, {"drug": ["heroin"], "measure": ["deaths"]}, (1999, 2019))
    assert set(rows["drug"]) == {"heroin"} and rows["year"].between(1999, 2019).all()
    assert rows["value"].sum() == 129_587  # the heroin sum the data pack checks against CDC's "nearly 130,000"
    assert len(export.apply_filters(data, {"drug": []})) == len(data)


def test_a_table_whose_columns_are_not_its_schema_is_refused():
    with pytest.raises(SchemaError, match="mystery: columns are not those of the tidy overdose table schema"):
        Table(
            name="mystery", data=pd.DataFrame({"a": [1]}), sources=(), retrieved_at=pd.Timestamp(0), from_snapshot=True
        )
    assert list(COLUMNS) == list(dictionary.TIDY.columns)
