"""Risk and claims page through AppTest: the chart and its twins, one figure up close (with and without a
baseline), the claim cards, and a broken claims file shown as a clear error."""

import pytest
from paths import PAGES
from streamlit.testing.v1 import AppTest

from data_sources import claims, risk

PAGE = str(PAGES / "risk.py")


@pytest.fixture
def app():
    return AppTest.from_file(PAGE, default_timeout=30)


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in (at.info, at.success, at.warning, at.error) for e in kind]
    return "\n".join(parts)


def test_page_runs_with_charts_sources_and_downloads(app):
    at = app.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3  # multipliers, icon array, shares
    text = _text(at)
    assert "Relative risk" in text and "Absolute risk" in text
    assert "0.39%" in text and "0.02%" in text  # the explainer's numbers come from the risk table
    assert text.count("Sources:") >= 3
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the claim checks (CSV, with working and citations)" in labels
    assert "Download the whole risk table (CSV, with citations)" in labels


def test_default_figure_has_a_baseline_and_a_guard_sentence(app):
    at = app.run()
    assert [m.value for m in at.metric] == ["19 times"]
    assert any('"19 times the rate"' in s.value and 'not "19% more"' in s.value for s in at.success)
    assert "Out of 10,000 people who had used prescription pain relievers nonmedically, about 39.0" in _text(at)


def test_figure_without_baseline_says_so(app):
    at = app.run()
    at.selectbox(key="figure").set_value("jones_2015_opioid_painkiller_heroin").run()
    assert not at.exception
    assert any("No baseline" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 2  # no icon array
    assert "read only in texts quoting the study" in _text(at)


def test_protective_figure_is_turned_round(app):
    at = app.run()
    at.selectbox(key="figure").set_value("sordo_2017_methadone_any_death").run()
    assert any("Turned round" in s.value and "0.31 times" in s.value for s in at.success)
    assert "being in treatment is associated with a lower death rate" in _text(at)


def test_no_question_chosen_explains_instead_of_empty_chart(app):
    at = app.run()
    at.pills(key="questions").set_value([]).run()
    assert not at.exception
    assert any("Choose at least one question" in i.value for i in at.info)


def test_claim_cards_show_verdicts_and_working(app):
    at = app.run()
    text = _text(at)
    assert "**The data say:** 7.15 times (2019 vs 1999)" in text
    assert "**The data say:** 129,587 deaths (1999-2019), not independent" in text
    assert "14,019 ÷ 1,960 = 7.15" in text
    assert "**The number**" in text and "**The wording**" in text
    assert "Years in which it holds" not in text  # a claim is judged on its own year, not on a run of years
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == len(claims.read_claims())
    assert any("Number matches, wording overstates" in b for b in badges)
    assert any("Cannot check" in b for b in badges)


def test_claim_card_has_both_verdicts_and_the_figure_said_precisely(app):
    at = app.run()
    text = _text(at)
    assert "**Number: matches · Wording: overstates**" in text
    assert "**Number: matches · Wording: imprecise**" in text
    assert (
        "**Said precisely:** People with a past-year cocaine use disorder had 15 times the odds of a past-year "
        "heroin use disorder compared with people without one"
    ) in text
    assert any("odds ratio" in m.value and "same past year" in m.value for m in at.markdown)


def test_broken_claims_file_is_shown_as_an_error(app, tmp_path, monkeypatch):
    broken = tmp_path / "public_claims.csv"
    broken.write_text(
        claims.CLAIMS_FILE.read_text(encoding="utf-8").replace(",ratio_of_years,", ",ratio,", 1), encoding="utf-8"
    )
    monkeypatch.setattr(claims, "CLAIMS_FILE", broken)
    at = app.run()
    assert not at.exception
    assert any("claims file could not be read" in e.value and "'ratio'" in e.value for e in at.error)
    assert any(d.proto.label.startswith("Download the whole risk table") for d in at.get("download_button"))


def test_every_figure_can_be_shown(app):
    at = app.run()
    for risk_id in risk.load().data["risk_id"]:
        at.selectbox(key="figure").set_value(risk_id).run()
        assert not at.exception, risk_id
        assert at.success and at.success[0].value.startswith("**How to say it.** Say"), risk_id


def test_smr_and_computed_interval_are_named_on_the_figure_card(app):
    at = app.run()
    at.selectbox(key="figure").set_value("binswanger_2007_release_2wk_any_death").run()
    assert [m.label for m in at.metric] == ["Standardized mortality ratio"]
    assert "30,237 people released from Washington State prisons" in _text(at)
    at.selectbox(key="figure").set_value("ncs_1992_heroin_dependence").run()
    assert [m.value for m in at.metric] == ["23% (95% CI 13.2% to 32.8%)"]
    assert "computed here as 23 ± 1.96 × 5" in _text(at)


def test_icon_array_draws_the_published_ratio(app):
    at = app.run()
    at.selectbox(key="figure").set_value("sordo_2017_buprenorphine_any_death").run()
    assert "whole people (95 and 43)" in _text(at)  # 2.21 times, as published (2.2); not 10 and 4 (2.5)
