"""Claims vs data: every claim card recomputed against hand-checked arithmetic, the two verdicts (the number and
the wording), a claim judged on exactly the year it speaks of, a figure never confirming the claim that let it
in, the verdict rule's edges, and the claims file's validation."""

import pandas as pd
import pytest

from data_sources import claims, nchs_national_final, risk
from data_sources.claims import (
    CANNOT_CHECK,
    CLOSE,
    IMPRECISE,
    LOOSELY_WORDED,
    MATCHES,
    NO_MATCH,
    NOT_JUDGED,
    NOT_SUPPORTED,
    OVERSTATED,
    OVERSTATES,
    SUPPORTED,
    WORDING_RIGHT,
    ClaimFileError,
)
from data_sources.dictionary import PUBLIC_CLAIMS, TIDY
from data_sources.query import cell
from data_sources.schema import Table, conform


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


def national_frame(figures: dict[tuple[str, int], float]) -> pd.DataFrame:
    """A small national table in the tidy contract: (drug, year) -> deaths, each row cited as typed here."""
    rows = [
        {
            "source_id": "test",
            "geo_level": "nation",
            "geo_code": "US",
            "geo_name": "United States",
            "year": year,
            "period_end_date": f"{year}-12-31",
            "period_months": 12,
            "drug": drug,
            "measure": "deaths",
            "sex": "all",
            "age_group": "all",
            "race_ethnicity": "all",
            "value": value,
            "value_lower": None,
            "value_upper": None,
            "value_flag": "",
            "provenance": "primary",
            "source_detail": f"hand-made test row: {drug} {year}",
        }
        for (drug, year), value in figures.items()
    ]
    return conform(pd.DataFrame(rows, columns=list(TIDY.columns)), table="test national")


# Wilson et al., MMWR 2020;69(11):290-297: 46,802 opioid-involved deaths in 2018 (and 47,600 in 2017); heroin
# 2017 15,482 and 2019 14,019 (NIDA / CDC), 2018 14,996; any opioid 2019 49,860 (CDC).
AROUND_2018 = {
    ("heroin", 2017): 15482,
    ("heroin", 2018): 14996,
    ("heroin", 2019): 14019,
    ("any_opioid", 2017): 47600,
    ("any_opioid", 2018): 46802,
    ("any_opioid", 2019): 49860,
}

# Worked by hand from the data pack README's heroin series (1999 1,960 ... 2019 14,019) and the study abstracts:
# (computed value, number verdict, card verdict).
HAND_CHECKED = {
    "heroin_7x_1999_2019": (14019 / 1960, MATCHES, LOOSELY_WORDED),  # 7.152 > 7; "7 times higher"
    # 2018's 14,996 came in because these three claims agree with it: shown, never judged.
    "heroin_7x_1999_2018": (14996 / 1960, CANNOT_CHECK, CANNOT_CHECK),
    "heroin_15k_2018": (14996, CANNOT_CHECK, CANNOT_CHECK),
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
        + 14019,  # = 129,587
        CANNOT_CHECK,
        CANNOT_CHECK,
    ),
    "overdose_93k_2020": (91799, MATCHES, SUPPORTED),  # final count, 1.3% under 93,000
    "rx_first_80pct": (79.5, MATCHES, LOOSELY_WORDED),  # "heroin users": wider than recent starters
    "painkillers_19x_heroin": (19, MATCHES, OVERSTATED),  # "abuse" for nonmedical use
    "eight_of_ten_started_painkillers": (79.5, MATCHES, OVERSTATED),  # "abused" for nonmedical use
    "heroin_dependence_23pct": (23, MATCHES, SUPPORTED),
    "rx_opioid_addiction_40x": (40, MATCHES, OVERSTATED),
    "cocaine_15x": (15, MATCHES, OVERSTATED),
    "marijuana_3x": (3, MATCHES, OVERSTATED),
    "alcohol_2x": (2, MATCHES, OVERSTATED),
    "genetics_40_60pct": (None, CANNOT_CHECK, CANNOT_CHECK),
    # 14,996 / 46,802 = 32.0%, within 5% under "nearly one third"; the quoted sentence names no year.
    "heroin_third_of_opioid_deaths": (14996 / 46802 * 100, MATCHES, LOOSELY_WORDED),
}


def test_every_claim_in_the_file_has_a_hand_checked_answer(claim_rows):
    missing = set(claim_rows["claim_id"]) - set(HAND_CHECKED)
    assert not missing, f"add hand-checked arithmetic for new claims: {sorted(missing)}"


@pytest.mark.parametrize(("claim_id", "expected"), HAND_CHECKED.items())
def test_claim_card_recomputed(checks, claim_id, expected):
    value, number, badge = expected
    check = checks[claim_id]
    assert (check.number_verdict, check.verdict) == (number, badge)
    if value is None:
        assert check.computed is None
    else:
        assert check.computed == pytest.approx(value, rel=1e-9)


# --- item: a claim is judged on the year it speaks of ----------------------------------------------------------
def test_third_of_opioid_deaths_is_judged_on_2018():
    """CDC's sentence is about 2018: 14,996 / 46,802 = 32.0%, within 5% under 33.3% ("nearly")."""
    row = claims.read_claims().set_index("claim_id", drop=False).loc["heroin_third_of_opioid_deaths"]
    assert (row["year"], row["start_year"], row["end_year"]) == ("2018", "", "")
    check = claims.check_claim(row, national_frame(AROUND_2018), risk.load())
    assert check.computed == pytest.approx(14996 / 46802 * 100)  # 32.04%
    assert check.number_verdict == MATCHES
    assert check.context == "in 2018"
    assert "14,996 ÷ 46,802 × 100 = 32.0%" in check.working[0]
    assert "involving any opioid (32.0%) involved heroin" in check.said_precisely
    assert not any(str(v) in " ".join(check.working) for v in ("49,860", "47,600", "14,019", "15,482"))


def test_a_missing_year_is_cannot_check_never_a_neighbouring_year():
    """Without 2018's any-opioid total the claim cannot be checked, though 2017 and 2019 are right there."""
    without_2018 = {k: v for k, v in AROUND_2018.items() if k != ("any_opioid", 2018)}
    row = claims.read_claims().set_index("claim_id", drop=False).loc["heroin_third_of_opioid_deaths"]
    check = claims.check_claim(row, national_frame(without_2018), risk.load())
    assert check.number_verdict == CANNOT_CHECK and check.computed is None
    assert "No sourced figure for Any opioid deaths for 2018" in check.working[0]
    assert "no other year is used" in check.working[0]
    assert not any(v in " ".join(check.working) for v in ("49,860", "47,600", "28.1", "32.5"))


def test_third_of_opioid_deaths_on_the_bundled_table(checks, national):
    """2018's any-opioid total (46,802, Wilson et al. MMWR 2020;69(11):290-297) is in the bundled table."""
    assert cell(national, drug="any_opioid", year=2018).value == 46802
    check = checks["heroin_third_of_opioid_deaths"]
    assert check.computed == pytest.approx(14996 / 46802 * 100)
    assert check.number_verdict == MATCHES
    assert check.verdict == LOOSELY_WORDED  # the quoted sentence names no year


def test_the_third_claim_says_where_its_2018_heroin_count_was_read(claim_rows, risk_table):
    check = claims.check_all(claim_rows, national_frame(AROUND_2018), risk_table)
    third = {c.claim_id: c for c in check}["heroin_third_of_opioid_deaths"]
    vouched = [s for s in third.secondary if "came into these data because claims" in s]
    assert vouched and all(c in vouched[0] for c in ("heroin_15k_2018", "heroin_130k_1999_2019", "heroin_7x_1999_2018"))
    assert third.number_verdict == MATCHES  # used as a figure: the third claim did not vouch for it


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_year": "1999"}, "does not use column 'start_year'"),
        ({"end_year": "2019"}, "does not use column 'end_year'"),
        ({"year": ""}, "needs column 'year'"),
        ({"measure": ""}, "needs column 'measure'"),
        ({"measure": "age_adjusted_rate_per_100k"}, "cannot use measure 'age_adjusted_rate_per_100k'"),
    ],
)
def test_a_one_year_claim_cannot_reach_for_other_years(overrides, message):
    base = _claim(
        check="share_of_drug",
        drug="heroin",
        of_drug="any_opioid",
        measure="deaths",
        year="2018",
        claimed_value="33.3",
        wording="nearly",
    )
    with pytest.raises(ClaimFileError, match=message):
        claims.validate_claims(pd.DataFrame([base | overrides]))


# --- item: the number and the wording are two verdicts -------------------------------------------------------
@pytest.mark.parametrize("claim_id", ["rx_opioid_addiction_40x", "cocaine_15x", "marijuana_3x", "alcohol_2x"])
def test_become_addicted_claims_number_matches_wording_overstates(checks, claim_id):
    check = checks[claim_id]
    assert (check.number_verdict, check.wording_verdict, check.verdict) == (MATCHES, OVERSTATES, OVERSTATED)
    assert check.verdict_line() == "Number: matches · Wording: overstates"
    problems = " ".join(check.wording_problems)
    assert "odds ratio" in problems and "same past year" in problems
    assert "times the odds of a past-year heroin use disorder" in check.said_precisely
    assert "occur together, not which came first" in check.said_precisely
    assert "likely" not in check.said_precisely and "become" not in check.said_precisely


@pytest.mark.parametrize(
    ("text", "risk_id", "rules"),
    [
        (
            "X is 40 times more likely to become Y",
            "jones_2015_opioid_painkiller_heroin",
            {"odds_as_likely", "order_from_same_period", "times_more"},
        ),
        ("People with X have 40 times the odds of also having Y", "jones_2015_opioid_painkiller_heroin", set()),
        (
            "X is twice as likely to lead to Y",
            "jones_2015_alcohol_heroin",
            {"odds_as_likely", "order_from_same_period"},
        ),
        # A cohort / prior-use figure can say "start": its group came first.
        ("People who use X start heroin at 19 times the rate", "muhuri_2013_nmpr_to_heroin_start", set()),
        (
            "People who abuse painkillers start heroin at 19 times the rate",
            "muhuri_2013_nmpr_to_heroin_start",
            {"stronger_term"},
        ),
        ("Deaths were 12.7 times higher", "binswanger_2007_release_2wk_any_death", {"times_more"}),
    ],
)
def test_wording_rules_read_the_claim_and_the_figure(risk_table, text, risk_id, rules):
    found = claims.wording_problems({"claim": text, "wording_issues": ""}, risk_table.row(risk_id), ())
    assert {key for key, _ in found} == rules


def test_wording_verdict_and_badge_combine():
    assert claims.overall_verdict(MATCHES, WORDING_RIGHT) == SUPPORTED
    assert claims.overall_verdict(MATCHES, IMPRECISE) == LOOSELY_WORDED
    assert claims.overall_verdict(MATCHES, OVERSTATES) == OVERSTATED
    assert claims.overall_verdict(CLOSE, OVERSTATES) == CLOSE  # a number that misses decides the badge
    assert claims.overall_verdict(NO_MATCH, WORDING_RIGHT) == NOT_SUPPORTED
    assert claims.overall_verdict(CANNOT_CHECK, NOT_JUDGED) == CANNOT_CHECK


def test_times_higher_is_flagged_and_said_as_times_as_many(checks):
    check = checks["heroin_7x_1999_2019"]
    assert check.wording_verdict == IMPRECISE
    assert any('"times higher"' in p for p in check.wording_problems)
    assert check.said_precisely == (
        "Drug overdose deaths involving heroin in 2019 were 7.15 times as many as in 1999 (14,019 against 1,960)."
    )


def test_editor_can_add_a_wording_issue_the_rules_cannot_see(checks):
    assert any("wider group" in p for p in checks["rx_first_80pct"].wording_problems)


# --- item: a figure never confirms the claim that let it in ------------------------------------------------------
@pytest.mark.parametrize("claim_id", ["heroin_15k_2018", "heroin_130k_1999_2019", "heroin_7x_1999_2018"])
def test_claims_that_vouched_for_the_2018_heroin_count_are_not_confirmed_by_it(checks, claim_id):
    check = checks[claim_id]
    assert check.number_verdict == CANNOT_CHECK and not check.independent
    assert check.said_precisely == ""
    assert any(line.startswith("Not independent: the 2018 heroin count (14,996)") for line in check.working)
    assert "not independent" in check.computed_label()
    # Where the figure was read, not only which page it agrees with.
    assert any("Where read: 14,996: read only in a public R script" in s for s in check.secondary)


def test_a_figure_never_confirms_the_claim_that_let_it_in(risk_table):
    frame = national_frame({("heroin", 2019): 14019})
    claim = _claim(
        check="count_in_year", drug="heroin", measure="deaths", year="2019", claimed_value="14000", wording="about"
    )
    assert claims.check_claim(claim, frame, risk_table).number_verdict == MATCHES
    vouching = claims.check_claim(claim | {"vouches_for": "heroin:2019"}, frame, risk_table)
    assert vouching.number_verdict == CANNOT_CHECK and vouching.computed == 14019


def test_every_figure_let_in_on_a_claims_word_is_vouched_for(national, claim_rows):
    """A national row kept because CDC's wording, which claims quote, agrees with it ('Kept as secondary because
    it lies within CDC's ...') must be named in vouches_for."""
    kept = national[national["source_detail"].str.contains("Kept as secondary because", na=False)]
    assert len(kept), "the bundled table no longer says which figure claims corroborate; update this test"
    vouched = set().union(*(claims.vouches(r) for r in claim_rows.to_dict("records")))
    for row in kept.itertuples():
        assert (row.drug, int(row.year)) in vouched, f"{row.drug} {row.year} is not in any claim's vouches_for"


# --- the number --------------------------------------------------------------------------------------------------
def test_sum_working_lists_every_year(checks):
    working = checks["heroin_130k_1999_2019"].working[0]
    assert "21 years 1999-2019" in working and "14,996 (2018)" in working and "= 129,587" in working


def test_ratio_working_shows_the_division(checks):
    check = checks["heroin_7x_1999_2019"]
    assert "14,019 ÷ 1,960 = 7.15" in check.working[0]
    assert "Number: matches" in check.working[1]
    assert check.computed_label() == "7.15 times (2019 vs 1999)"


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
    assert check.computed == pytest.approx(5.0) and check.number_verdict == NO_MATCH
    assert check.verdict == NOT_SUPPORTED


@pytest.mark.parametrize(
    ("computed", "claimed", "wording", "expected"),
    [
        (105, 100, "about", MATCHES),
        (95, 100, "about", MATCHES),
        (106, 100, "about", CLOSE),
        (85, 100, "about", CLOSE),
        (84, 100, "about", NO_MATCH),
        (7.01, 7, "more_than", MATCHES),
        (7.0, 7, "more_than", CLOSE),  # "more than 7" needs more than 7
        (5.9, 7, "more_than", NO_MATCH),
        (100, 100, "nearly", MATCHES),
        (95, 100, "nearly", MATCHES),
        (94, 100, "nearly", CLOSE),
        (101, 100, "nearly", CLOSE),  # "nearly" means not over
        (116, 100, "nearly", NO_MATCH),
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
                "measure": "deaths",
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
                "drug": "heroin",
                "measure": "deaths",
                "year": "2020",
                "claimed_value": "13000",
                "wording": "about",
            },
            "No sourced figure for Heroin deaths for 2020",
        ),
        (
            {
                "check": "share_of_drug",
                "drug": "heroin",
                "of_drug": "any_opioid",
                "measure": "deaths",
                "year": "2020",
                "claimed_value": "30",
                "wording": "about",
            },
            "No sourced figure for Heroin deaths for 2020",
        ),
    ],
)
def test_missing_figures_give_cannot_check(national, risk_table, overrides, reason):
    check = claims.check_claim(_claim(**overrides), national, risk_table)
    assert check.number_verdict == CANNOT_CHECK and check.verdict == CANNOT_CHECK
    assert any(reason in line for line in check.working)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"check": "vibes"}, r"unknown check \['vibes'\]"),
        (
            {
                "check": "ratio_of_years",
                "drug": "heroin",
                "measure": "deaths",
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
                "measure": "deaths",
                "year": "2019",
                "claimed_value": "7",
                "wording": "about",
            },
            r"unknown drug \['fentanyl'\]",
        ),
        (
            {
                "check": "count_in_year",
                "drug": "heroin",
                "measure": "deaths",
                "year": "last year",
                "claimed_value": "7",
                "wording": "about",
            },
            "is not a year",
        ),
        (
            {
                "check": "ratio_of_years",
                "drug": "heroin",
                "measure": "deaths",
                "start_year": "2019",
                "end_year": "1999",
                "claimed_value": "7",
                "wording": "about",
            },
            "start_year must be before end_year",
        ),
        (
            {
                "check": "count_in_year",
                "drug": "heroin",
                "measure": "deaths",
                "year": "2019",
                "claimed_value": "-7",
                "wording": "about",
            },
            "must be positive",
        ),
        (
            {
                "check": "count_in_year",
                "drug": "heroin",
                "measure": "deaths",
                "year": "2019",
                "claimed_value": "lots",
                "wording": "about",
            },
            "is not a number",
        ),
        (
            {
                "check": "study_figure",
                "risk_id": "x",
                "year": "2015",
                "claimed_value": "7",
                "wording": "about",
            },
            "does not use column 'year'",
        ),
        (
            {
                "check": "study_figure",
                "risk_id": "x",
                "claimed_value": "7",
                "wording": "about",
                "wording_issues": "meh",
            },
            r"unknown wording_issues \['meh'\]",
        ),
        (
            {
                "check": "study_figure",
                "risk_id": "x",
                "claimed_value": "7",
                "wording": "about",
                "vouches_for": "heroin",
            },
            "vouches_for 'heroin' is not drug:year",
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
        claim="Heroin deaths in 2016 were five times as many as in 2010",
        check="ratio_of_years",
        drug="heroin",
        measure="deaths",
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


def test_checks_table_has_both_verdicts_working_and_citations(checks, national, risk_table):
    cites = {s.id: f"{s.citation} {s.url}" for s in nchs_national_final.SOURCES}
    out = claims.checks_table(list(checks.values()), national_sources=cites, risk=risk_table)
    assert list(out["claim_id"]) == list(checks)
    checkable = out[out["computed_value"].notna()]
    assert checkable["data_sources"].str.contains("https?://", regex=True).all()
    assert checkable["working"].str.contains("Number:").all()
    assert set(out["number_verdict"]) <= set(claims.NUMBER_VERDICTS)
    assert set(out["wording_verdict"]) <= set(claims.WORDING_VERDICTS)
    jones = out.set_index("claim_id").loc["cocaine_15x"]
    assert jones["verdict"] == OVERSTATED and "times the odds" in jones["said_precisely"]


def test_claims_load_as_a_table_with_their_schema():
    table = claims.load()
    assert table.name == "public_claims" and table.schema is PUBLIC_CLAIMS
    assert list(table.data["claim_id"]) == list(claims.read_claims()["claim_id"])
    assert table.row("cocaine_15x")["risk_id"] == "jones_2015_cocaine_heroin"


def test_a_check_that_lacks_a_parameter_names_the_file_line(claim_rows):
    broken = claim_rows.copy()
    broken.loc[broken["claim_id"] == "heroin_15k_2018", "year"] = ""
    with pytest.raises(ClaimFileError, match=r"row 4 \(heroin_15k_2018\): check 'count_in_year' needs column"):
        claims.validate_claims(broken)
