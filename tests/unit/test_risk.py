"""Risk table: the bundled snapshot, the loader's validation rules, wording helpers and the icon-array baseline."""

import gzip
import hashlib
import json
import re
import shutil

import pandas as pd
import pytest
from paths import PACK

from data_sources import risk
from data_sources.dictionary import RISK_MULTIPLIERS
from data_sources.export import to_csv_bytes
from data_sources.risk import RiskTableError
from data_sources.schema import SchemaError, Table
from data_sources.snapshot import GZIP, SNAPSHOT_DIR, data_path, read_table
from scripts import build_risk_snapshot


@pytest.fixture(scope="module")
def table() -> Table:
    return risk.load()


@pytest.fixture
def good(table) -> pd.DataFrame:
    """The bundled rows as text, as the loader reads them from CSV."""
    return table.data.astype(object).where(table.data.notna(), "").astype(str)


def test_snapshot_loads_with_sources_for_every_row(table):
    assert len(table.data) == 24
    assert table.data["risk_id"].is_unique
    ids = {s.id for s in table.sources}
    assert set(table.data["source_id"]) <= ids
    for src in table.sources:
        assert src.url.startswith("http") and src.citation and src.license


@pytest.mark.parametrize(
    ("risk_id", "value", "lower", "upper", "statistic", "provenance"),
    [
        ("muhuri_2013_nmpr_to_heroin_start", 19, None, None, "incidence_rate_ratio", "primary"),
        ("muhuri_2013_heroin_starters_prior_nmpr", 79.5, None, None, "share", "primary"),
        ("binswanger_2007_release_2wk_overdose_death", 129, 89, 186, "standardized_mortality_ratio", "primary"),
        ("park_2015_current_benzo_overdose", 3.86, 3.49, 4.26, "adjusted_hazard_ratio", "primary"),
        ("bohnert_2011_high_dose_chronic_pain", 7.18, 4.85, 10.65, "adjusted_hazard_ratio", "primary"),
        ("sordo_2017_methadone_any_death", 3.20, 2.65, 3.86, "rate_ratio", "primary"),
        ("jones_2015_opioid_painkiller_heroin", 40, None, None, "adjusted_odds_ratio", "secondary"),
        ("pooled_heroin_dependence", 26, 22, 29, "share", "secondary"),
        ("ncs_1992_heroin_dependence", 23, 13.2, 32.8, "share", "secondary"),  # 23 ± 1.96 × 5, computed
    ],
)
def test_figures_carried_from_the_pack(table, risk_id, value, lower, upper, statistic, provenance):
    row = table.row(risk_id)
    assert float(row["value"]) == value
    assert pd.isna(row["value_lower"]) if lower is None else float(row["value_lower"]) == lower
    assert pd.isna(row["value_upper"]) if upper is None else float(row["value_upper"]) == upper
    assert row["statistic"] == statistic
    assert row["provenance"] == provenance


def test_reverse_figure_is_the_ratio_of_the_published_rates(table):
    row = table.row("muhuri_2013_heroin_to_nmpr_start")
    assert (float(row["exposed_rate"]), float(row["baseline_rate"])) == (2.8, 1.6)
    assert float(row["value"]) == round(2.8 / 1.6, 2) == 1.75


def test_sordo_rates_are_out_of_treatment_vs_in_treatment(table):
    row = table.row("sordo_2017_methadone_any_death")
    assert "out of methadone treatment" in row["factor"] and "in methadone treatment" in row["comparison"]
    assert (float(row["exposed_rate"]), float(row["baseline_rate"])) == (36.1, 11.3)
    assert float(row["exposed_rate"]) > float(row["baseline_rate"])


def test_valid_frame_passes(good):
    assert len(risk.validate(good)) == 24


def _set(frame: pd.DataFrame, which: str, **changes) -> pd.DataFrame:
    out = frame.copy()
    i = out.index[out["risk_id"] == which][0]
    for col, value in changes.items():
        out.at[i, col] = value
    return out


PARK = "park_2015_current_benzo_overdose"
MUHURI = "muhuri_2013_nmpr_to_heroin_start"
SHARE = "muhuri_2013_heroin_starters_prior_nmpr"


@pytest.mark.parametrize(
    ("risk_id", "changes", "message"),
    [
        (PARK, {"source_id": ""}, "'source_id' has empty cells"),
        (PARK, {"source_id": "somebody_2020"}, "not registered"),
        (PARK, {"value": "0"}, "zero or negative"),
        (PARK, {"value": "-3.86"}, "zero or negative"),
        (PARK, {"value": ""}, "'value' has empty cells"),
        (PARK, {"value": "many"}, "cannot be read"),
        (PARK, {"value_lower": "4.0"}, "do not bracket"),
        (PARK, {"value_upper": "3.5"}, "do not bracket"),
        (PARK, {"value_upper": ""}, "only one confidence limit"),
        (PARK, {"statistic": "vibes"}, "statistic is not one of"),
        (PARK, {"question": "who_knows"}, "question is not one of"),
        (PARK, {"provenance": "hearsay"}, "provenance is not one of"),
        (PARK, {"unit": "percent"}, "unit does not fit"),
        (PARK, {"comparison": ""}, "has no comparison group"),
        (PARK, {"risk_id": MUHURI}, "not unique"),
        (SHARE, {"value": "120"}, "above 100%"),
        (MUHURI, {"baseline_rate": ""}, "only one of the two absolute rates"),
        (MUHURI, {"rate_unit": "per fortnight"}, "rate_unit is not one of"),
        (MUHURI, {"baseline_rate": "-0.02"}, "negative"),
        (PARK, {"timing": ""}, "does not say which came first"),
        (PARK, {"timing": "eventually"}, "timing is not one of"),
        (SHARE, {"timing": "same_period"}, "a share has a timing"),
        (PARK, {"value_lower": "", "value_upper": "", "interval_note": "Computed"}, "there is none"),
        # 0.39% and 0.03% cannot be drawn as 19 times at any size (13 times at 10,000).
        (MUHURI, {"baseline_rate": "0.03"}, "within 5% of the published ratio"),
    ],
)
def test_validation_rejects(good, risk_id, changes, message):
    with pytest.raises(SchemaError, match=message):
        risk.validate(_set(good, risk_id, **changes))


def test_rules_beyond_the_schema_raise_the_risk_table_error(good):
    with pytest.raises(RiskTableError, match=f"do not bracket the value in rows .*{PARK}"):
        risk.validate(_set(good, PARK, value_lower="4.0"))


def test_validation_names_missing_columns(good):
    with pytest.raises(SchemaError, match=r"Missing: \['source_id'\]"):
        risk.validate(good.drop(columns="source_id"))


def test_changed_snapshot_is_refused(tmp_path):
    for suffix in (".csv.gz", ".json"):
        shutil.copy(SNAPSHOT_DIR / f"{risk.TABLE}{suffix}", tmp_path)
    stored = data_path(risk.TABLE, tmp_path, GZIP)
    stored.write_bytes(gzip.compress(gzip.decompress(stored.read_bytes()).replace(b",3.86,", b",38.6,"), mtime=0))
    with pytest.raises(SchemaError, match="checksum"):
        read_table(risk.TABLE, tmp_path, check=risk.validate)


def test_bad_row_in_a_consistent_snapshot_is_refused(tmp_path, good):
    bad = _set(good, PARK, value_lower="5")
    payload = to_csv_bytes(bad)
    data_path(risk.TABLE, tmp_path, GZIP).write_bytes(gzip.compress(payload, mtime=0))
    meta = {
        "rows": len(bad),
        "sha256": hashlib.sha256(payload).hexdigest(),  # the CSV's, inside the gzip
        "compression": GZIP,
        "retrieved_at": "2026-11-22T00:00:00",
    }
    (tmp_path / f"{risk.TABLE}.json").write_text(json.dumps(meta))
    with pytest.raises(RiskTableError, match="do not bracket"):
        read_table(risk.TABLE, tmp_path, check=risk.validate)


@pytest.mark.parametrize(
    ("risk_id", "must_contain"),
    [
        (MUHURI, ['"19 times the rate"', "1,800% higher", 'not "19% more"', "people who had not"]),
        (PARK, ['"3.86 times the rate"', "286% higher", 'not "3.86% more"']),
        ("jones_2015_opioid_painkiller_heroin", ['"40 times the odds"', "3,900% higher"]),
        ("sordo_2017_methadone_any_death", ['"3.2 times the death rate"', "Turned round", "0.31 times", "69% lower"]),
        (SHARE, ["79.5% of people who recently started heroin had used", "about 80 in 100", "not a comparison"]),
    ],
)
def test_how_to_say(table, risk_id, must_contain):
    sentence = risk.how_to_say(table.row(risk_id))
    for part in must_contain:
        assert part in sentence


@pytest.mark.parametrize(
    ("risk_id", "per", "exposed", "base"),
    [
        (MUHURI, 10_000, 39.0, 2.0),  # 0.39% and 0.02% a year: 19.5 drawn, 19 published
        ("muhuri_2013_heroin_to_nmpr_start", 1000, 28, 16),  # 3 vs 2 out of 100 would draw 1.5 for 1.75
        ("sordo_2017_methadone_any_death", 1000, 36.1, 11.3),  # per 1,000 person-years: 36 vs 11, 3.27 for 3.2
        ("sordo_2017_buprenorphine_any_death", 10_000, 95, 43),  # 10 vs 4 per 1,000 would draw 2.5 for 2.2
        ("sordo_2017_methadone_overdose_death", 10_000, 127, 26),  # 13 vs 3 per 1,000 would draw 4.3 for 4.8
    ],
)
def test_baseline_where_the_source_gives_rates(table, risk_id, per, exposed, base):
    row = table.row(risk_id)
    found = risk.baseline(row)
    assert found.per == per
    assert found.exposed == pytest.approx(exposed) and found.baseline == pytest.approx(base)
    # The whole-person icons keep the published ratio within a few percent.
    drawn = found.exposed_icons / found.baseline_icons
    assert drawn / float(row["value"]) == pytest.approx(1, abs=risk.ICON_TOLERANCE)


def test_every_icon_array_keeps_the_published_ratio(table):
    for _, row in table.data.iterrows():
        found = risk.baseline(row)
        if found is not None:
            drawn = found.exposed_icons / found.baseline_icons
            assert abs(drawn / float(row["value"]) - 1) <= 0.05, row["risk_id"]


@pytest.mark.parametrize(
    "risk_id", ["jones_2015_opioid_painkiller_heroin", PARK, "binswanger_2007_release_2wk_any_death"]
)
def test_no_baseline_without_absolute_rates(table, risk_id):
    assert risk.baseline(table.row(risk_id)) is None


def test_how_sure_says_secondary_and_missing_interval(table):
    text = risk.how_sure(table.row("jones_2015_opioid_painkiller_heroin"))
    assert "no confidence interval" in text and "secondary" in text
    assert "95% confidence interval 3.49 to 4.26; read" in risk.how_sure(table.row(PARK))  # published: no note


@pytest.mark.parametrize(
    ("risk_id", "value", "se", "lower", "upper"),
    [
        ("ncs_1992_heroin_dependence", 23, 5, 13.2, 32.8),
        ("nesarc_2002_heroin_dependence", 28, 4, 20.2, 35.8),
        ("nesarc3_2013_heroin_dependence", 25, 2, 21.1, 28.9),
    ],
)
def test_dependence_shares_carry_intervals_from_their_standard_errors(table, risk_id, value, se, lower, upper):
    row = table.row(risk_id)
    assert (float(row["value_lower"]), float(row["value_upper"])) == (lower, upper)
    assert (lower, upper) == (round(value - 1.96 * se, 1), round(value + 1.96 * se, 1))
    assert (
        f"{value} ± 1.96 × {se}" in row["interval_note"]
        and "not an interval the study published" in row["interval_note"]
    )
    assert f"95% confidence interval {lower:g} to {upper:g} (computed here as {value} ± 1.96 × {se}" in risk.how_sure(
        row
    )
    assert "(SE " in row["source_detail"]  # the standard error it came from stays cited


def test_published_intervals_have_no_computed_note(table):
    assert table.row("pooled_heroin_dependence")["interval_note"] == ""


@pytest.mark.parametrize(
    "risk_id",
    [
        "binswanger_2007_release_2wk_any_death",
        "binswanger_2007_release_2wk_overdose_death",
        "binswanger_2007_after_release_any_death",
    ],
)
def test_binswanger_figures_are_standardized_mortality_ratios(table, risk_id):
    row = table.row(risk_id)
    assert row["statistic"] == "standardized_mortality_ratio"
    meaning = risk.STATISTICS["standardized_mortality_ratio"]["meaning"]
    assert "expected" in meaning and "indirect standardization" in meaning
    assert "times the expected number of deaths" in risk.how_to_say(row)
    assert "as many deaths" in risk.say_it(row) and "as expected" in risk.say_it(row)
    assert "risk" in row["study_wording"]  # the abstract's own term is kept, quoted


#: Words a study may use that the dashboard's own labels do not (person-first language); quoted terms are fine.
NOT_IN_LABELS = re.compile(r"\b(inmates?|abuse|abused|abusers?|addicts?|addicted)\b", re.IGNORECASE)


def test_labels_are_person_first_and_keep_study_terms_as_quotes(table):
    for _, row in table.data.iterrows():
        for column in ("risk_id", "factor", "comparison", "outcome", "population", "caution"):
            assert not NOT_IN_LABELS.search(str(row[column])), f"{row['risk_id']}.{column}: {row[column]!r}"
    assert "30,237 people released from Washington State prisons" in set(table.data["population"])
    assert "'released inmates'" in table.row("binswanger_2007_release_2wk_any_death")["study_wording"]
    jones = table.row("jones_2015_cocaine_heroin")
    assert (jones["factor"], jones["outcome"]) == (
        "People with a past-year cocaine use disorder",
        "a past-year heroin use disorder",
    )
    assert "'cocaine abuse or dependence'" in jones["study_wording"]


def test_figures_are_filed_under_the_question_their_outcome_answers(table):
    data = table.data
    reverse = table.row("muhuri_2013_heroin_to_nmpr_start")
    assert reverse["question"] == "who_starts_pain_relievers" and "pain reliever" in reverse["outcome"]
    assert data.loc[data["question"] == "who_starts_heroin", "outcome"].str.contains("heroin").all()


def test_timing_says_which_came_first(table):
    data = table.data
    jones = data[data["risk_id"].str.startswith("jones_2015") & (data["unit"] == "times")]
    assert set(jones["timing"]) == {"same_period"}
    assert (data.loc[data["unit"] == "percent", "timing"] == "").all()
    assert "occur together, not which came first" in risk.say_it(table.row("jones_2015_opioid_painkiller_heroin"))


def test_citation_table_has_a_citation_and_url_on_every_row(table):
    out = risk.citation_table(table)
    assert out["source_url"].str.startswith("http").all()
    assert (out["source_citation"].str.len() > 20).all()
    assert out["how_to_say"].str.startswith("Say").all()


def test_ratio_and_share_rows_split_the_table(table):
    ratios, shares = risk.ratio_rows(table.data), risk.share_rows(table.data)
    assert len(ratios) + len(shares) == len(table.data)
    assert set(shares["unit"]) == {"percent"} and set(ratios["unit"]) == {"times"}
    assert list(dict.fromkeys(ratios["question"])) == [
        "who_starts_heroin",
        "who_starts_pain_relievers",
        "who_dies_of_overdose",
        "what_protects",
    ]


@pytest.mark.skipif(not PACK.exists(), reason="reference data pack ../shared/data not present")
def test_build_script_reproduces_the_snapshot(table):
    rebuilt = build_risk_snapshot.build(PACK)
    pd.testing.assert_frame_equal(rebuilt, table.data)


@pytest.mark.parametrize(
    ("text", "value", "ci"),
    [
        ("12.7 (95% CI 9.2-17.4)", 12.7, (9.2, 17.4)),
        ("79.5%", 79.5, (None, None)),
        ("26% (95% CI 22%-29%)", 26.0, (22.0, 29.0)),
        ("23% (SE 5%)", 23.0, (None, None)),
        ("almost 2 (2.8% vs 1.6%)", 2.0, (None, None)),
    ],
)
def test_build_parsers(text, value, ci):
    assert build_risk_snapshot.parse_value(text) == value
    assert build_risk_snapshot.parse_ci(text) == ci


def test_build_computes_an_interval_from_a_standard_error():
    assert build_risk_snapshot.parse_se("23% (SE 5%)") == 5.0
    assert build_risk_snapshot.parse_se("26% (95% CI 22%-29%)") is None
    lower, upper, note = build_risk_snapshot.interval_from_se(23.0, 5.0)
    assert (lower, upper) == (13.2, 32.8) and note.startswith("Computed here as 23 ± 1.96 × 5")


def test_numbers_in_cautions_come_from_the_same_study(table):
    """A caution may repeat a study's numbers but never bring in a new one."""
    data = table.data
    for _, row in data.iterrows():
        same = data[data["source_id"] == row["source_id"]]
        values = same[["value", "value_lower", "value_upper", "exposed_rate", "baseline_rate"]].stack()
        haystack = " ".join([*same["source_detail"], *same["period"], *same["population"]])
        haystack += " " + " ".join(f"{float(v):g}" for v in values)
        for number in re.findall(r"\d+(?:\.\d+)?", row["caution"]):
            assert number in haystack, f"{row['risk_id']}: {number} in the caution is not from the study"


def test_table_has_the_risk_schema_and_rows_by_id(table):
    assert table.schema is RISK_MULTIPLIERS and list(table.data.columns) == list(RISK_MULTIPLIERS.columns)
    assert table.row(PARK)["risk_id"] == PARK
    with pytest.raises(KeyError, match="no row with risk_id 'nobody'"):
        table.row("nobody")


def test_snapshot_round_trips_through_the_one_writer(tmp_path, table):
    """The bundled bytes are what the build's writer makes of the table: rewriting changes no byte, sidecar
    included."""
    sidecar = (SNAPSHOT_DIR / f"{risk.TABLE}.json").read_bytes()
    meta = json.loads(sidecar)
    build_risk_snapshot.write(table.data, tmp_path)
    assert (tmp_path / f"{risk.TABLE}.json").read_bytes() == sidecar
    written = data_path(risk.TABLE, tmp_path, GZIP).read_bytes()
    assert written == data_path(risk.TABLE, SNAPSHOT_DIR, GZIP).read_bytes()
    text = gzip.decompress(written)
    assert hashlib.sha256(text).hexdigest() == meta["sha256"]
    assert b",19," in text and b",19.0," not in text  # "19 times" is written as 19
