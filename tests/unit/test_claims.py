"""Claims vs data: every claim card recomputed against hand-checked arithmetic, the verdict rule's edges, and
the claims file's validation."""

import pandas as pd
import pytest

from data_sources import claims, nchs_national_final, risk
from data_sources.claims import CANNOT_CHECK, CLOSE, NOT_SUPPORTED, SUPPORTED, ClaimFileError
from data_sources.dictionary import PUBLIC_CLAIMS
from data_sources.schema import Table


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return nchs_national_final.load().data


@pytest.fixture(scope="module")
def risk_table() -> Table:
    return risk.load()


@pytest.fixture(scope="module")
def claim_rows() -> pd.DataFrame:
    return claims.read_claims()


@pytest.fixture(scope="module")
def checks(claim_rows, national, risk_table) -> dict[str, claims.ClaimCheck]:
    return {c.claim_id: c for c in claims.check_all(claim_rows, national, risk_table)}


# Worked by hand from the data pack README's heroin series (1999 1,960 ... 2019 14,019) and the study abstracts.
HAND_CHECKED = {
    "heroin_7x_1999_2019": (14019 / 1960, SUPPORTED),  # 7.152 > 7
    "heroin_7x_1999_2018": (14996 / 1960, SUPPORTED),  # 7.651 > 7
    "heroin_15k_2018": (14996, SUPPORTED),  # 4 under 15,000: 0.03% below
    "heroin_130k_1999_2019": (
        1960
        + 1842
        + 1779
        + 2089
        + 2080
        + 1878
        + 2009
        + 2088
        + 2399
        + 3041
        + 3278
        + 3036
        + 4397
        + 5925
        + 8257
        + 10574
        + 12989
        + 15469
        + 15482
        + 14996
        + 14019,  # = 129,587; 0.32% under 130,000
        SUPPORTED,
    ),
    "heroin_third_of_opioid_deaths": (14019 / 49860 * 100, NOT_SUPPORTED),  # 28.12% vs 33.3%: 15.6% below
    "overdose_93k_2020": (91799, SUPPORTED),  # final count, 1.3% under 93,000
    "rx_first_80pct": (79.5, SUPPORTED),
    "painkillers_19x_heroin": (19, SUPPORTED),
    "eight_of_ten_started_painkillers": (79.5, SUPPORTED),
    "heroin_dependence_23pct": (23, SUPPORTED),
    "rx_opioid_addiction_40x": (40, SUPPORTED),
    "cocaine_15x": (15, SUPPORTED),
    "marijuana_3x": (3, SUPPORTED),
    "alcohol_2x": (2, SUPPORTED),
    "genetics_40_60pct": (None, CANNOT_CHECK),
}


def test_every_claim_in_the_file_has_a_hand_checked_answer(claim_rows):
    missing = set(claim_rows["claim_id"]) - set(HAND_CHECKED)
    assert not missing, f"add hand-checked arithmetic for new claims: {sorted(missing)}"


@pytest.mark.parametrize(("claim_id", "expected"), HAND_CHECKED.items())
def test_claim_card_recomputed(checks, claim_id, expected):
    value, verdict = expected
    check = checks[claim_id]
    assert check.verdict == verdict
    if value is None:
        assert check.computed is None
    else:
        assert check.computed == pytest.approx(value, rel=1e-9)


def test_sum_working_lists_every_year(checks):
    working = checks["heroin_130k_1999_2019"].working[0]
    assert "21 years 1999-2019" in working and "14,996 (2018)" in working and "= 129,587" in working
    assert any("2018, 2019" in s and "secondary" in s for s in checks["heroin_130k_1999_2019"].secondary)


def test_ratio_working_shows_the_division(checks):
    check = checks["heroin_7x_1999_2019"]
    assert "14,019 ÷ 1,960 = 7.15" in check.working[0]
    assert "Verdict: supported" in check.working[1]
    assert check.computed_label() == "7.15 times (2019 vs 1999)"


def test_share_claim_lists_the_years_it_holds(checks):
    check = checks["heroin_third_of_opioid_deaths"]
    # 8,257/25,050 = 33.0%; 15,482/47,600 = 32.5%; 14,996/46,802 = 32.0% (2018: MMWR 2020;69(11))
    assert check.holds_in == (2013, 2017, 2018)
    years = list(check.per_year["year"])
    assert years == list(range(1999, 2020))
    assert check.per_year.set_index("year").loc[2015, "share_pct"] == pytest.approx(12989 / 33091 * 100)
    assert any(line.startswith("2018: 14,996 ÷ 46,802 = 32.0%") for line in check.working)


def test_study_figure_cites_its_risk_row(checks):
    check = checks["rx_opioid_addiction_40x"]
    assert check.risk_id == "jones_2015_opioid_painkiller_heroin"
    assert "adjusted odds ratio" in check.working[0]
    assert check.secondary  # read only where quoted


def test_value_comes_from_the_data_not_the_file(claim_rows, national, risk_table):
    """Change the 2019 heroin count and the verdict follows: nothing is typed into the claim."""
    changed = national.copy()
    mask = (changed["drug"] == "heroin") & (changed["measure"] == "deaths") & (changed["year"] == 2019)
    changed.loc[mask, "value"] = 9800.0
    row = claim_rows[claim_rows["claim_id"] == "heroin_7x_1999_2019"].iloc[0]
    check = claims.check_claim(row, changed, risk_table)
    assert check.computed == pytest.approx(5.0) and check.verdict == NOT_SUPPORTED


@pytest.mark.parametrize(
    ("computed", "claimed", "wording", "expected"),
    [
        (105, 100, "about", SUPPORTED),
        (95, 100, "about", SUPPORTED),
        (106, 100, "about", CLOSE),
        (85, 100, "about", CLOSE),
        (84, 100, "about", NOT_SUPPORTED),
        (7.01, 7, "more_than", SUPPORTED),
        (7.0, 7, "more_than", CLOSE),  # "more than 7" needs more than 7
        (5.9, 7, "more_than", NOT_SUPPORTED),
        (100, 100, "nearly", SUPPORTED),
        (95, 100, "nearly", SUPPORTED),
        (94, 100, "nearly", CLOSE),
        (101, 100, "nearly", CLOSE),  # "nearly" means not over
        (116, 100, "nearly", NOT_SUPPORTED),
    ],
)
def test_verdict_rule(computed, claimed, wording, expected):
    assert claims.verdict(computed, claimed, wording) == expected


def _claim(**overrides) -> dict:
    base = {c: "" for c in claims.CLAIM_COLUMNS}
    base.update(claim_id="test", claim="A claim", attributed_to="Someone", quoted_in="Somewhere")
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (
            {
                "check": "sum_over_years",
                "drug": "heroin",
                "start_year": "1999",
                "end_year": "2020",
                "claimed_value": "100000",
                "wording": "about",
            },
            "No sourced figure for Heroin deaths for 2020",
        ),
        (
            {
                "check": "count_in_year",
                "drug": "any_opioid",
                "end_year": "2020",
                "claimed_value": "47000",
                "wording": "about",
            },
            "No sourced figure for Any opioid deaths for 2020",
        ),
        (
            {
                "check": "share_of_drug",
                "drug": "heroin",
                "of_drug": "any_opioid",
                "start_year": "2015",
                "end_year": "2020",
                "claimed_value": "30",
                "wording": "about",
            },
            "No share can be computed for 2020",
        ),
    ],
)
def test_missing_figures_give_cannot_check(national, risk_table, overrides, reason):
    check = claims.check_claim(_claim(**overrides), national, risk_table)
    assert check.verdict == CANNOT_CHECK
    assert any(reason in line for line in check.working)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"check": "vibes"}, r"unknown check \['vibes'\]"),
        (
            {
                "check": "ratio_of_years",
                "drug": "heroin",
                "start_year": "1999",
                "claimed_value": "7",
                "wording": "about",
            },
            "needs column 'end_year'",
        ),
        (
            {"check": "study_figure", "risk_id": "x", "claimed_value": "7", "wording": "roughly"},
            r"unknown wording \['roughly'\]",
        ),
        (
            {
                "check": "count_in_year",
                "drug": "fentanyl",
                "end_year": "2019",
                "claimed_value": "7",
                "wording": "about",
            },
            r"unknown drug \['fentanyl'\]",
        ),
        (
            {
                "check": "count_in_year",
                "drug": "heroin",
                "end_year": "last year",
                "claimed_value": "7",
                "wording": "about",
            },
            "is not a year",
        ),
        (
            {
                "check": "ratio_of_years",
                "drug": "heroin",
                "start_year": "2019",
                "end_year": "1999",
                "claimed_value": "7",
                "wording": "about",
            },
            "start_year must be before end_year",
        ),
        (
            {"check": "count_in_year", "drug": "heroin", "end_year": "2019", "claimed_value": "-7", "wording": "about"},
            "must be positive",
        ),
        (
            {
                "check": "count_in_year",
                "drug": "heroin",
                "end_year": "2019",
                "claimed_value": "lots",
                "wording": "about",
            },
            "is not a number",
        ),
        ({"check": "not_checkable"}, "needs column 'note'"),
        ({"attributed_to": "", "check": "not_checkable", "note": "n"}, "'attributed_to' has empty cells"),
    ],
)
def test_claims_file_validation(overrides, message):
    with pytest.raises(ClaimFileError, match=message):
        claims.validate_claims(pd.DataFrame([_claim(**overrides)]))


def test_duplicate_claim_ids_and_wrong_columns_are_refused(claim_rows):
    with pytest.raises(ClaimFileError, match="claim_id is not unique"):
        claims.validate_claims(pd.concat([claim_rows, claim_rows.head(1)]))
    with pytest.raises(ClaimFileError, match=r"Missing: \['note'\]"):
        claims.validate_claims(claim_rows.drop(columns="note"))


def test_unknown_risk_id_is_reported_before_any_card(claim_rows, national, risk_table):
    broken = claim_rows.copy()
    broken.loc[broken["claim_id"] == "cocaine_15x", "risk_id"] = "jones_2015_cocain"
    with pytest.raises(ClaimFileError, match=r"cocaine_15x.*jones_2015_cocain"):
        claims.check_all(broken, national, risk_table)


def test_a_teacher_can_add_a_claim_by_adding_a_row(tmp_path, claim_rows, national, risk_table):
    extra = _claim(
        claim_id="heroin_2016_vs_2010",
        claim="Heroin deaths were five times higher in 2016 than 2010",
        check="ratio_of_years",
        drug="heroin",
        start_year="2010",
        end_year="2016",
        claimed_value="5",
        wording="about",
    )
    path = tmp_path / "claims.csv"
    pd.concat([claim_rows, pd.DataFrame([extra])]).to_csv(path, index=False)
    checks = claims.check_all(claims.read_claims(path), national, risk_table)
    added = checks[-1]
    assert added.computed == pytest.approx(15469 / 3036)  # 5.095
    assert added.verdict == SUPPORTED


def test_unreadable_claims_file_is_a_clear_error(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ClaimFileError, match=r"claims\.csv"):
        claims.read_claims(path)


def test_checks_table_has_working_and_citations(checks, national, risk_table):
    cites = {s.id: f"{s.citation} {s.url}" for s in nchs_national_final.SOURCES}
    out = claims.checks_table(list(checks.values()), national_sources=cites, risk=risk_table)
    assert list(out["claim_id"]) == list(checks)
    checkable = out[out["verdict"] != CANNOT_CHECK]
    assert checkable["data_sources"].str.contains("https?://", regex=True).all()
    assert checkable["working"].str.contains("Verdict:").all()


def test_claims_load_as_a_table_with_their_schema():
    table = claims.load()
    assert table.name == "public_claims" and table.schema is PUBLIC_CLAIMS
    assert list(table.data["claim_id"]) == list(claims.read_claims()["claim_id"])
    assert table.row("cocaine_15x")["risk_id"] == "jones_2015_cocaine_heroin"


def test_a_check_that_lacks_a_parameter_names_the_file_line(claim_rows):
    broken = claim_rows.copy()
    broken.loc[broken["claim_id"] == "heroin_15k_2018", "end_year"] = ""
    with pytest.raises(ClaimFileError, match=r"row 4 \(heroin_15k_2018\): check 'count_in_year' needs column"):
        claims.validate_claims(broken)
