"""CDC WONDER exports -> tidy tables (data_sources.wonder).

Fixtures in tests/fixtures/wonder_*.txt copy the layout of real WONDER exports (quoted labels, unquoted numbers,
the Notes column, the footer after "---") for several group-by layouts; their counts are format examples for the
parser, not figures the dashboard shows. The real Massachusetts export in the shared data pack is used when present.
"""

from __future__ import annotations

import gc
import io
import math
import random
import string
import threading
import tracemalloc

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import FIXTURES, SAMPLES

from bench import synthetic_wonder
from data_sources import cli, memory, wonder
from data_sources.schema import COLUMNS, has_flag

SAMPLE = SAMPLES / "wonder_mcd_1999-2017_MA_county_heroin_opioids.txt"


def load(name: str) -> tuple[wonder.WonderExport, pd.DataFrame]:
    export = wonder.read_export(FIXTURES / name)
    return export, wonder.tidy(export)


def cell(data: pd.DataFrame, measure: str, **where) -> pd.Series:
    rows = data[data["measure"] == measure]
    for col, value in where.items():
        rows = rows[rows[col] == value]
    assert len(rows) == 1, f"{len(rows)} rows for {measure} {where}"
    return rows.iloc[0]


# --- the real export from the data pack -------------------------------------------------------------------------
@pytest.fixture
def sample() -> wonder.WonderExport:
    if not SAMPLE.exists():
        pytest.skip(f"shared WONDER sample not present at {SAMPLE}")
    return wonder.read_export(SAMPLE)


def test_real_export_rows_footer_and_markers(sample):
    assert sample.columns == (
        "Notes",
        "County",
        "County Code",
        "Year",
        "Year Code",
        "Deaths",
        "Population",
        "Crude Rate",
    )
    assert len(sample.rows) == 14 * 19 and sample.totals.empty  # 14 counties x 1999-2017, totals disabled
    assert sample.dataset == "Multiple Cause of Death, 1999-2017"
    assert sample.metadata["Group By"] == "County; Year"
    # The UCD value wraps over two footer lines in the file; it is joined back into one.
    assert sample.metadata["UCD - Drug/Alcohol Induced Causes"].endswith(
        "Suicide (X60-X64); Drug poisonings (overdose) Undetermined (Y10-Y14)"
    )
    assert sample.citation.startswith("Centers for Disease Control and Prevention, National Center for Health")
    assert sample.citation.endswith("on Sep 14, 2019 9:49:53 PM")
    assert len(sample.notes["Caveats"]) == 6 and sample.notes["Messages"][0].startswith("1. Totals are not")

    table = wonder.to_table(sample)
    data = table.data
    assert list(data.columns) == list(COLUMNS)
    # Heroin, other opioids and synthetic narcotics together is no single dictionary drug.
    assert set(data["drug"]) == {"wonder_query"}
    assert set(data["geo_level"]) == {"county"} and data["geo_code"].str.fullmatch(r"25\d{3}").all()
    row = cell(data, "crude_rate_per_100k", geo_code="25001", year=2013)
    assert row["value"] == 9.303 and row["geo_name"] == "Barnstable County, MA"
    assert cell(data, "deaths", geo_code="25001", year=2013)["value"] == 20
    suppressed = cell(data, "deaths", geo_code="25001", year=1999)
    assert pd.isna(suppressed["value"]) and suppressed["value_flag"] == "suppressed"
    unreliable = cell(data, "crude_rate_per_100k", geo_code="25001", year=2006)
    assert pd.isna(unreliable["value"]) and unreliable["value_flag"] == "unreliable"
    assert cell(data, "deaths", geo_code="25001", year=2006)["value"] == 10  # the count is still given
    assert table.retrieved_at.year == 2019 and table.sources[0].url == wonder.WONDER_URL
    assert table.extra["Group By"] == "County; Year"


# --- layouts ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "rows", "totals", "drug", "geo_levels", "period_months", "measures"),
    [
        (
            "wonder_county_year_heroin.txt",
            6,
            0,
            {"heroin"},
            {"county"},
            {12},
            {"deaths", "population", "crude_rate_per_100k"},
        ),
        (
            "wonder_year_totals_any_opioid.txt",
            3,
            1,
            {"any_opioid"},
            {"nation"},
            {12},
            {"deaths", "population", "crude_rate_per_100k", "age_adjusted_rate_per_100k"},
        ),
        (
            "wonder_state_month_synthetic.txt",
            4,
            2,
            {"synthetic_opioids"},
            {"state"},
            {1},
            {"deaths", "population", "crude_rate_per_100k"},
        ),
        (
            "wonder_sex_age_cocaine.txt",
            5,
            0,
            {"wonder_query"},
            {"state"},
            {12},
            {"deaths", "population", "crude_rate_per_100k"},
        ),
        (
            "wonder_mcd_code_year.txt",
            3,
            0,
            {"heroin", "synthetic_opioids", "psychostimulants"},
            {"nation"},
            {12},
            {"deaths", "population", "crude_rate_per_100k"},
        ),
    ],
)
def test_layouts(fixture, rows, totals, drug, geo_levels, period_months, measures):
    export, data = load(fixture)
    assert (len(export.rows), len(export.totals)) == (rows, totals)
    assert set(data["drug"]) == drug
    assert set(data["geo_level"]) == geo_levels
    assert set(data["period_months"]) == period_months
    assert set(data["measure"]) == measures
    assert len(data) == rows * len(measures)  # totals are never data


def test_year_only_totals_are_left_out_and_add_up():
    export, data = load("wonder_year_totals_any_opioid.txt")
    deaths = data[data["measure"] == "deaths"]
    assert deaths["year"].tolist() == [2016, 2017, 2018]
    assert export.totals.iloc[0]["Notes"] == "Total"
    assert deaths["value"].sum() == float(export.totals.iloc[0]["Deaths"])
    aa = cell(data, "age_adjusted_rate_per_100k", year=2017)
    assert (aa["value_lower"], aa["value"], aa["value_upper"]) == (14.8, 14.9, 15.0)
    assert (data["geo_code"] == "US").all()


def test_county_year_trailing_spaces_fips_and_missing():
    _, data = load("wonder_county_year_heroin.txt")
    assert set(data["year"]) == {2018, 2019, 2020}  # "2020 " in the file
    assert set(data["geo_code"]) == {"01001", "01003"}  # leading zero kept: text, not a number
    missing = cell(data, "deaths", geo_code="01003", year=2019)
    assert pd.isna(missing["value"]) and missing["value_flag"] == "missing"
    assert cell(data, "crude_rate_per_100k", geo_code="01001", year=2020)["value"] == 48.09


def test_state_month_not_applicable_population():
    _, data = load("wonder_state_month_synthetic.txt")
    pop = data[data["measure"] == "population"]
    assert pop["value"].isna().all() and (pop["value_flag"] == "not_applicable").all()
    jan = cell(data, "deaths", geo_code="10", period_end_date=pd.Timestamp("2020-01-31"))
    assert jan["value"] == 29 and jan["year"] == 2020
    assert set(data["period_end_date"]) == {pd.Timestamp("2020-01-31"), pd.Timestamp("2020-02-29")}


def test_sex_age_breakdowns_unreliable_value_and_rate_base():
    _, data = load("wonder_sex_age_cocaine.txt")
    assert set(data["sex"]) == {"female", "male"}
    assert set(data["age_group"]) == {"25-34", "35-44", "not stated"}
    assert set(data["geo_code"]) == {"24"} and set(data["year"]) == {2019}
    # "21.534 (Unreliable)" per 1,000,000 -> 2.1534 per 100,000, still flagged unreliable.
    rate = cell(data, "crude_rate_per_100k", sex="female", age_group="25-34")
    assert math.isclose(rate["value"], 2.1534) and rate["value_flag"] == "unreliable"
    assert "converted to per 100,000" in rate["source_detail"]
    # Unintentional-only cocaine deaths are not the dictionary's "cocaine": the query says what they are.
    assert "T40.5 (Cocaine)" in rate["source_detail"] and "X40-X44" in rate["source_detail"]


def test_source_from_footer():
    export, _ = load("wonder_county_year_heroin.txt")
    source = wonder.source_for(export)
    assert source.title == "Multiple Cause of Death, 1999-2020 (CDC WONDER query)"
    assert source.citation.startswith(
        "Centers for Disease Control and Prevention, National Center for Health "
        "Statistics. Multiple Cause of Death 1999-2020 on CDC WONDER"
    )
    assert source.url == "https://wonder.cdc.gov/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", (12.0, None)),
        ("1,234", (1234.0, None)),
        ("9.303", (9.303, None)),
        ("Suppressed", (None, "suppressed")),
        ("Unreliable", (None, "unreliable")),
        ("Not Applicable", (None, "not_applicable")),
        ("Missing", (None, "missing")),
        ("  Suppressed ", (None, "suppressed")),
        ("4.2 (Unreliable)", (4.2, "unreliable")),
        ("", (None, "missing")),
    ],
)
def test_parse_cell(text, expected):
    assert wonder.parse_cell(text) == expected


@pytest.mark.parametrize("text", ["abc", "NaN", "inf", "1.2.3", "12 deaths", "0x10", "1e5"])
def test_parse_cell_refuses_other_text(text):
    with pytest.raises(wonder.WonderError, match="neither a number"):
        wonder.parse_cell(text)


# --- refusals: a clear message, nothing kept ------------------------------------------------------------------
def good_bytes() -> bytes:
    return (FIXTURES / "wonder_county_year_heroin.txt").read_bytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n\n", "empty"),
        (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive or an Excel"),
        (b"%PDF-1.7\n", "PDF"),
        (b"abc\x00def", "binary"),
        (b"\xff\xfe\x00a", "binary"),
        ("caf\u00e9".encode("latin-1"), "not UTF-8"),
        (b"year,deaths\n2019,70630\n", "No WONDER footer"),
        (good_bytes()[:300], "No WONDER footer"),  # cut short in the middle of a data row
        (b'"Notes"\t"Year"\tDeaths\n\t"2019"\t12\n"---"\n"Query Date: x"\n', "no 'Dataset:' line"),
        (b'"Notes"\t"Year"\tDeaths\n\t"2019"\n"---"\n"Dataset: D"\n"Suggested Citation: C"\n', "Line 2 has 2 cells"),
        (b'"Notes"\t"Year"\tDeaths\n"Total"\t\t12\n"---"\n"Dataset: D"\n"Suggested Citation: C"\n', "no data rows"),
        (
            b'"Notes"\t"Year"\t"Year Code"\n\t"2019"\t"2019"\n"---"\n"Dataset: D"\n"Suggested Citation: C"\n',
            "no Deaths",
        ),
        (b"just one line\n---\nDataset: D\nSuggested Citation: C\n", "not a tab-delimited header"),
    ],
)
def test_broken_files_are_refused_with_a_reason(data, message):
    with pytest.raises(wonder.WonderError, match=message):
        wonder.load_upload(data)


def test_too_large_is_refused_before_parsing():
    with pytest.raises(wonder.WonderError, match="too large"):
        wonder.decode(b"x" * (wonder.MAX_BYTES + 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("\t12\t", "\ttwelve\t", "neither a number"),
        ('"01001"', '"AL-1"', "not a FIPS code"),
        ("States: Alabama (01)", "States: Alabama (01); Georgia (13)", None),  # county column decides: fine
    ],
)
def test_bad_cells_are_refused(old, new, message):
    data = good_bytes().decode().replace(old, new, 1).encode()
    if message is None:
        assert len(wonder.load_upload(data)[1].data) == 18
    else:
        with pytest.raises(wonder.WonderError, match=message):
            wonder.load_upload(data)


def test_several_states_without_a_place_column_is_refused():
    text = (
        (FIXTURES / "wonder_sex_age_cocaine.txt")
        .read_text()
        .replace("States: Maryland (24)", "States: Maryland (24); Ohio (39)")
    )
    with pytest.raises(wonder.WonderError, match="group by State or County"):
        wonder.load_upload(text.encode())


def test_cli_writes_tidy_csv_and_metadata(tmp_path, capsys):
    out = tmp_path / "tidy.csv"
    assert cli.main(["wonder", str(FIXTURES / "wonder_year_totals_any_opioid.txt"), "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype={"geo_code": "string"})
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 12
    assert frame.loc[frame["measure"] == "deaths", "value"].tolist() == [42249, 47600, 46802]
    assert "left out 1 Total rows" in capsys.readouterr().err
    meta = (tmp_path / "tidy.csv.json").read_text()
    assert "Suggested Citation" in meta and "Year/Month" in meta


def test_cli_refuses_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    out = tmp_path / "tidy.csv"
    assert cli.main(["wonder", str(bad), "--out", str(out)]) == 1
    assert "binary" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


# --- property-based: never crash, never a number from a marker --------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data):
    try:
        _, table = wonder.load_upload(data)
    except wonder.WonderError as err:
        assert str(err)
    else:
        assert list(table.data.columns) == list(COLUMNS)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=2000))
def test_random_bytes_spliced_into_a_real_export_never_crash(noise, at):
    data = good_bytes()
    at = min(at, len(data))
    try:
        wonder.load_upload(data[:at] + noise + data[at:])
    except wonder.WonderError as err:
        assert str(err)


MARKER_WORDS = ["Suppressed", "Unreliable", "Not Applicable", "Missing"]
markers = st.sampled_from(MARKER_WORDS)


@st.composite
def statistics(draw) -> tuple[str, str, str]:
    """Deaths, population and crude rate cells as WONDER could print them: markers, or numbers that agree
    (a rate is deaths / population x 100,000 wherever both are given), since impossible figures are refused."""
    deaths = draw(st.one_of(markers, st.integers(0, 10**5)))
    population = draw(st.one_of(markers, st.integers(10**5, 10**7)))
    if isinstance(deaths, int) and isinstance(population, int):
        rate = draw(st.one_of(markers, st.just(f"{deaths / population * 100_000:.3f}")))
    else:
        rate = draw(st.one_of(markers, st.floats(0, 1e4, allow_nan=False).map(lambda f: f"{f:.3f}")))
    return str(deaths), str(population), rate


LAYOUTS = [
    ["County", "County Code", "Year", "Year Code"],
    ["Year", "Year Code"],
    ["State", "State Code", "Month", "Month Code"],
    ["Sex", "Sex Code", "Ten-Year Age Groups", "Ten-Year Age Groups Code"],
]


def group_values(layout: list[str], i: int, rng: random.Random) -> list[str]:
    values = {
        "County": f"{rng.choice(string.ascii_uppercase)} County, XX",
        "County Code": f"{1001 + i:05d}",
        "Year": str(1999 + i),
        "Year Code": str(1999 + i),
        "State": "Some State",
        "State Code": f"{(i % 56) + 1:02d}",
        "Month": "Jan., 2020",
        "Month Code": f"{2000 + i // 12}/{i % 12 + 1:02d}",
        "Sex": rng.choice(["Female", "Male"]),
        "Sex Code": "F",
        "Ten-Year Age Groups": f"{10 + i}-{19 + i} years",
        "Ten-Year Age Groups Code": f"{10 + i}-{19 + i}",
    }
    return [values[c] for c in layout]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.sampled_from(LAYOUTS),
    table=st.lists(statistics(), min_size=1, max_size=25),
    crlf=st.booleans(),
    pad=st.sampled_from(["", " ", "  "]),
    with_total=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_well_formed_exports_never_yield_a_number_from_a_marker(layout, table, crlf, pad, with_total, seed):
    rng = random.Random(seed)
    header = ['"Notes"', *(f'"{c}"' for c in layout), "Deaths", "Population", "Crude Rate"]
    lines = ["\t".join(header)]
    for i, stats in enumerate(table):
        lines.append(
            "\t".join(["", *(f'"{v}{pad}"' for v in group_values(layout, i, rng)), *(f"{v}{pad}" for v in stats)])
        )
    if with_total:
        lines.append("\t".join(['"Total"', *([""] * len(layout)), "1", "2", "3"]))
    lines += [
        '"---"',
        '"Dataset: Multiple Cause of Death, 1999-2020"',
        '"Query Parameters:"',
        '"MCD - ICD-10 Codes: T40.1 (Heroin)"',
        '"Group By: x"',
        '"---"',
        '"Query Date: Mar 3, 2022 10:15:02 AM"',
        '"---"',
        '"Suggested Citation: Centers for Disease Control and Prevention. Test citation."',
        '"---"',
    ]
    text = ("\r\n" if crlf else "\n").join(lines)
    export, result = wonder.load_upload(text.encode())
    data = result.data
    assert len(export.totals) == int(with_total) and export.row_count == len(table)
    for measure, column in (("deaths", 0), ("population", 1), ("crude_rate_per_100k", 2)):
        values = data[data["measure"] == measure].reset_index(drop=True)
        assert len(values) == len(table)
        for i, stats in enumerate(table):
            raw = stats[column]
            if raw in MARKER_WORDS:
                assert pd.isna(values.loc[i, "value"])
                assert values.loc[i, "value_flag"] == wonder.MARKERS[raw.lower()]
            elif measure == "crude_rate_per_100k" and stats[0] == "0" and float(raw) == 0:
                # WONDER's 0.0 for zero deaths is kept as printed, never as a measured rate
                assert values.loc[i, "value"] == 0 and values.loc[i, "value_flag"] == "unreliable"
            else:
                assert values.loc[i, "value"] == float(raw) and values.loc[i, "value_flag"] == ""
    assert not has_flag(data["value_flag"], "suppressed")[data["value"].notna()].any()


# --- impossible values and years: refused, never a crash ---------------------------------------------------------
def upload(old: str, new: str, name: str = "wonder_county_year_heroin.txt") -> bytes:
    return (FIXTURES / name).read_text().replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: upload('"2018"\t"2018"\t', '"2019"\t"2019"\t'), "row key .* repeats"),
        (lambda: upload("\t31\t218022\t", "\t-31\t218022\t"), "deaths must be a whole number"),
        (lambda: upload('"2018"\t"2018"\t', '"3000"\t"3000"\t'), r"'3000' is outside the years CDC WONDER covers"),
        (lambda: upload('"2018"\t"2018"\t', '"1000"\t"1000"\t'), r"'1000' is outside the years CDC WONDER covers"),
        (
            lambda: upload('"2020/01"', '"3000/01"', "wonder_state_month_synthetic.txt"),
            r"'3000/01' is outside the years CDC WONDER covers",
        ),
        (
            lambda: upload("Year/Month: 2019", "Year/Month: 3000", "wonder_sex_age_cocaine.txt"),
            r"The query's years \(3000\) reach outside the years CDC WONDER covers \(1968 to",
        ),
    ],
    ids=["duplicated-rows", "negative-deaths", "year-3000", "year-1000", "month-3000", "query-year-3000"],
)
def test_an_upload_with_impossible_values_is_refused_with_a_reason(data, message):
    with pytest.raises(wonder.WonderError, match=message):
        wonder.load_upload(data())


def test_a_year_out_of_range_is_a_refusal_on_the_command_line_too(tmp_path, capsys):
    bad = tmp_path / "year3000.txt"
    bad.write_bytes(upload('"2018"\t"2018"\t', '"3000"\t"3000"\t'))
    assert cli.main(["wonder", str(bad), "--out", str(tmp_path / "out.csv")]) == 1
    assert "outside the years CDC WONDER covers" in capsys.readouterr().err


def test_wonders_zero_rate_for_zero_deaths_is_flagged_not_shown_as_measured():
    """CDC WONDER now prints 0.0 where a place had no deaths (it used to print Unreliable)."""
    data = upload("\t12\t55869\tUnreliable", "\t0\t55869\t0.0")
    table = wonder.load_upload(data)[1].data
    rate = cell(table, "crude_rate_per_100k", geo_code="01001", year=2019)
    assert rate["value"] == 0 and rate["value_flag"] == "unreliable"
    assert "WONDER printed a rate of 0.0 for zero deaths" in rate["source_detail"]
    assert cell(table, "deaths", geo_code="01001", year=2019)["value_flag"] == ""  # the count itself is a count
    measured = cell(table, "crude_rate_per_100k", geo_code="01001", year=2020)
    assert measured["value_flag"] == "" and "0.0 for zero deaths" not in measured["source_detail"]


# --- cheap uploads: a row budget, a memory budget, read in place ---------------------------------------------
def traced_peak(work) -> tuple[object, float]:
    """What ``work()`` returns (or raises) and the peak of Python's traced memory meanwhile, in MB."""
    tracemalloc.start()
    try:
        try:
            result: object = work()
        except wonder.WonderError as err:
            result = err
        return result, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_a_19_mb_export_is_refused_by_its_row_count_at_a_fraction_of_its_size():
    data = synthetic_wonder.export_of_size(19_000_000)
    assert len(data) > 18_000_000
    result, peak = traced_peak(lambda: wonder.load_upload(data))
    assert isinstance(result, wonder.TooManyRows)
    assert f"more than {wonder.MAX_ROWS:,} data rows; the limit is {wonder.MAX_ROWS:,}" in str(result)
    assert peak < 16  # reading stopped at the first row past the limit


def test_an_export_at_the_row_limit_parses_within_the_memory_budget_and_keeps_only_the_table():
    data = synthetic_wonder.export_text(wonder.MAX_ROWS, age_adjusted=True).encode()  # four measures a row
    result, peak = traced_peak(lambda: wonder.load_upload(data))
    assert not isinstance(result, Exception), result
    export, table = result
    assert len(table.data) == 4 * wonder.MAX_ROWS and peak < wonder.PARSE_BUDGET_MB
    assert export.row_count == wonder.MAX_ROWS and export.rows.empty  # the cells live in the table only
    assert f"Read {wonder.MAX_ROWS:,} data rows" in wonder.summary(export, table)
    with pytest.raises(wonder.TooManyRows):
        wonder.load_upload(synthetic_wonder.export_text(wonder.MAX_ROWS + 1).encode())
    assert wonder.limits_text() == "Up to 20 MB and 20,000 data rows per file."


def test_a_tidy_table_repeats_each_label_by_reference_not_by_copy():
    """A label repeated on every row is one text object, referenced: a copy per row cost 5 MB at the row limit."""
    table = wonder.load_upload(synthetic_wonder.export_text(2_000, age_adjusted=True).encode())[1]
    for column in ("measure", "source_id", "provenance", "geo_level"):
        values = table.data[column].to_numpy(dtype=object)
        assert len({id(v) for v in values}) == len(set(values)), column


class _WatchedLock:
    """A lock that says when a second caller has to wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contended = threading.Event()

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            self.contended.set()
            self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def test_uploads_arriving_together_are_parsed_one_after_the_other(monkeypatch):
    """Each parse briefly needs about twice what its table keeps; readers uploading at once must not add up
    those peaks, so the second parse starts only when the first has finished."""
    data = (FIXTURES / "wonder_county_year_heroin.txt").read_bytes()
    lock = _WatchedLock()
    monkeypatch.setattr(wonder, "_ONE_PARSE_AT_A_TIME", lock)
    events: list[str] = []
    first_inside, let_first_finish = threading.Event(), threading.Event()
    read_export = wonder.read_export

    def watched_read(source):
        name = threading.current_thread().name
        events.append(f"{name} starts")
        if name == "first":
            first_inside.set()
            assert let_first_finish.wait(30), "the test never let the first parse finish"
        export = read_export(source)
        events.append(f"{name} ends")
        return export

    monkeypatch.setattr(wonder, "read_export", watched_read)
    threads = {n: threading.Thread(target=wonder.load_upload, args=(data,), name=n) for n in ("first", "second")}
    threads["first"].start()
    assert first_inside.wait(30)
    threads["second"].start()
    assert lock.contended.wait(30), "the second upload never waited for the first"
    let_first_finish.set()
    for thread in threads.values():
        thread.join(30)
    assert events == ["first starts", "first ends", "second starts", "second ends"]


def test_an_open_upload_is_read_in_place_the_same_as_its_bytes():
    data = (FIXTURES / "wonder_county_year_heroin.txt").read_bytes()
    from_file = wonder.load_upload(io.BytesIO(data))[1].data
    assert from_file.equals(wonder.load_upload(data)[1].data)
    oversized = io.BytesIO(b"x" * (wonder.MAX_BYTES + 1))
    with pytest.raises(wonder.WonderError, match="too large"):
        wonder.load_upload(oversized)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'"Notes"\t"Year"\tDeaths\n\t"' + b"x" * 600 + b'"\t1\n"---"\n', "a cell of more than 500 characters"),
        (
            b"\t".join([b'"c%d"' % i for i in range(41)]) + b'\tDeaths\n"---"\n',
            "columns; a WONDER export has at most 40",
        ),
        (b'\xef\xbb\xbf"Notes"\t"Year"\tDeaths\n\t"2019"\t\xff\n', "byte 0xff at position 33"),
    ],
    ids=["long-cell", "too-many-columns", "utf8-position"],
)
def test_other_limits_are_refusals_with_a_reason(data, message):
    with pytest.raises(wonder.WonderError, match=message):
        wonder.load_upload(data)


def test_cr_only_line_endings_still_read():
    data = (FIXTURES / "wonder_county_year_heroin.txt").read_bytes()
    assert wonder.load_upload(data.replace(b"\r\n", b"\r").replace(b"\n", b"\r"))[1].data.equals(
        wonder.load_upload(data)[1].data
    )


def test_memory_is_handed_back_when_a_session_lets_its_upload_go(monkeypatch):
    released: list[str] = []
    monkeypatch.setattr(memory, "release", lambda: released.append("now"))
    monkeypatch.setattr(memory, "release_soon", lambda: released.append("later"))
    export, table = wonder.load_upload((FIXTURES / "wonder_county_year_heroin.txt").read_bytes())
    assert released == ["now"]  # after parsing
    del export, table
    gc.collect()
    assert released == ["now", "later"]  # once nothing holds the table any more
