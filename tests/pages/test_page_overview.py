"""Overview page: headline cards computed from the table, the trend controls, the calculator's refusals."""

import pytest


@pytest.fixture
def app(open_page):
    return open_page("overview")


def test_headline_cards(app):
    at = app.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Heroin deaths: 2019 vs 1999"] == "7.2x"
    assert metrics["Heroin deaths, 1999-2019"] == "129,587"
    assert metrics["Drug overdose deaths in 2023"] == "105,007"
    captions = " ".join(c.value for c in at.caption)
    assert "14,019 deaths in 2019 vs 1,960 in 1999" in captions
    assert "Source:" in captions


def test_trend_chart_has_source_and_summary(app):
    at = app.run()
    assert any(c.value.startswith("Gaps in a line") and "Source:" in c.value for c in at.caption)
    assert any("Heroin: 1,960 in 1999" in m.value for m in at.markdown)


def test_calculator_refuses_a_year_with_no_figure(app):
    at = app.run()
    at.selectbox(key="fc_to").set_value(2020).run()
    assert not at.exception
    assert any("No sourced figure" in w.value and "2019" in w.value for w in at.warning)


def test_calculator_sentence_is_copyable_with_citation(app):
    at = app.run()
    at.selectbox(key="fc_drug").set_value("all_drugs").run()
    at.selectbox(key="fc_from").set_value(1999).run()
    at.selectbox(key="fc_to").set_value(2021).run()
    code = at.code[0].value
    assert "6.3 times as many in 2021 as in 1999 (106,699 vs 16,849)" in code
    assert "Source:" in code and "https://" in code


def test_choosing_no_drug_explains_instead_of_empty_chart(app):
    at = app.run()
    at.multiselect(key="drugs").set_value([]).run()
    assert any("Choose at least one drug" in i.value for i in at.info)


def test_provisional_card_is_labelled_and_compares_the_same_period_a_year_earlier(app):
    at = app.run()
    card = next(m for m in at.metric if m.label.startswith("Provisional"))
    # CDC marks the 12 months ending Dec 2024 and Apr 2025 underreported ('*'): the card shows Dec 2023 vs Dec 2022
    assert card.label == "Provisional: 12 months ending Dec 2023"
    assert card.value == "106,881" and card.delta == "-2.3% on a year earlier"
    captions = " ".join(c.value for c in at.caption)
    assert (
        "Provisional, not final." in captions
        and "down 2.3% from 109,413 in the 12 months ending December 2022" in captions
    )
    assert "95% CI of the change" in captions
    assert "CDC marks the later periods (12 months ending Dec 2024 and Apr 2025) as underreported" in captions
    assert "VSRR Provisional Drug Overdose Death Counts" in captions


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"foo": "bar"}, "“foo” (not a setting of this page)"),
        ({"drugs": ["heroin", "<script>alert(1)</script>"]}, "“drugs” (its value contains script or markup)"),
        ({"years": "1" * 5000}, "“years” (its value is too long"),
        ({"<img src=x>": "1"}, "a setting with an unusual name"),
    ],
    ids=["unknown", "script", "long", "hostile-name"],
)
def test_hostile_link_is_ignored_with_a_notice(app, params, said):
    for name, value in params.items():
        app.query_params[name] = value
    at = app.run()
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert said in notices and "<script>" not in notices and "<img" not in notices
    assert any(m.label == "Heroin deaths: 2019 vs 1999" for m in at.metric)  # the page still draws


def test_bad_widget_values_fall_back_to_defaults(app):
    for name, value in {"measure": "xyz", "years": "1800-3000", "log": "maybe"}.items():
        app.query_params[name] = value
    at = app.run()
    assert not at.exception
    assert at.segmented_control(key="measure").value == "deaths"
    assert at.slider(key="years").value == (1999, 2023)


def test_an_empty_measure_in_the_link_shows_deaths_with_a_notice(open_page):
    """`/?measure=` once put an exception box on the landing page."""
    at = open_page("overview", measure="").run()
    assert not at.exception
    assert any("“measure” was empty" in i.value for i in at.info)
    assert at.get("plotly_chart")
