"""permalink: URL parameters are read against what each setting allows; anything else is ignored with a reason
and never echoed back; a page's selections survive encode -> clean unchanged."""

import pytest

from app import permalink
from app.permalink import Choice, Flag, MultiChoice, Year, YearRange

SPECS = {
    "state": Choice(("none", "CA", "WV"), "none", {"54": "WV", "west virginia": "WV"}),
    "compare": MultiChoice(("CA", "OH", "WV"), (), {"39": "OH"}, max_items=3),
    "year": Year(1999, 2017, 2017),
    "years": YearRange(1999, 2018, (1999, 2018)),
    "segments": Flag(),
}


def test_no_parameters_gives_defaults_and_no_notice():
    out = permalink.clean({}, SPECS)
    assert out.values == {"state": "none", "compare": (), "year": 2017, "years": (1999, 2018), "segments": False}
    assert out.ignored == [] and permalink.notice(out.ignored) is None


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        ({"state": "WV"}, "state", "WV"),
        ({"state": "wv"}, "state", "WV"),
        ({"state": "54"}, "state", "WV"),
        ({"state": "West Virginia"}, "state", "WV"),
        ({"state": ["CA", "WV"]}, "state", "WV"),  # repeated single setting: the last one wins
        ({"compare": ["WV", "39", "wv"]}, "compare", ("WV", "OH")),
        ({"compare": [""]}, "compare", ()),
        ({"year": "2005"}, "year", 2005),
        ({"years": "2005-2010"}, "years", (2005, 2010)),
        ({"years": "2010-2005"}, "years", (2005, 2010)),
        ({"years": "2010"}, "years", (2010, 2010)),
        ({"segments": "yes"}, "segments", True),
        ({"segments": "True"}, "segments", True),
        ({"segments": "no"}, "segments", False),
        ({"segments": "0"}, "segments", False),
    ],
)
def test_valid_values_are_read(raw, name, expected):
    out = permalink.clean(raw, SPECS)
    assert out.values[name] == expected
    assert out.ignored == []
    assert name in out.from_url


LONG = "A" * 5000


@pytest.mark.parametrize(
    ("raw", "name", "reason_part"),
    [
        ({"state": "ZZ"}, "state", "not one of the choices"),
        ({"state": "99"}, "state", "not one of the choices"),
        ({"state": "<script>alert(1)</script>"}, "state", "script or markup"),
        ({"state": "javascript:alert(1)"}, "state", "script or markup"),
        ({"state": LONG}, "state", "too long"),
        ({"year": "1850"}, "year", "outside 1999-2017"),
        ({"year": "2099"}, "year", "outside 1999-2017"),
        ({"year": "20x7"}, "year", "not a year"),
        ({"years": "1990-2000"}, "years", "outside 1999-2018"),
        ({"years": "2000-2005-2010"}, "years", "not a span of years"),
        ({"compare": ["XX", "YY"]}, "compare", "2 value(s) are not among the choices"),
        ({"compare": [LONG, "<b>"]}, "compare", "too long or contained script"),
        ({"segments": "maybe"}, "segments", "not yes or no"),
        ({"segments": "<b>yes</b>"}, "segments", "script or markup"),
    ],
)
def test_hostile_or_bad_values_fall_back_to_defaults_with_a_reason(raw, name, reason_part):
    out = permalink.clean(raw, SPECS)
    assert out.values[name] == SPECS[name].default
    assert name not in out.from_url
    assert any(reason_part in i.reason for i in out.ignored)


def test_valid_items_of_a_multi_value_survive_bad_ones():
    out = permalink.clean({"compare": ["WV", "XX", "<script>"]}, SPECS)
    assert out.values["compare"] == ("WV",)
    assert len(out.ignored) == 2


def test_too_many_values_are_cut():
    out = permalink.clean({"compare": ["CA", "OH", "WV", "CA", "OH"]}, SPECS)
    assert out.values["compare"] == ("CA", "OH", "WV")
    assert any("only the first 3" in i.reason for i in out.ignored)


def test_notice_never_echoes_values_or_odd_names():
    raw = {
        "state": "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>": "1",
        LONG: LONG,
        "utm_source": "[click](http://evil.example)",
    }
    out = permalink.clean(raw, SPECS)
    text = permalink.notice(out.ignored)
    assert text is not None and text.startswith("Some settings in this link were ignored")
    for bad in ("<", ">", "script>", "evil", "AAAA", "click", "onerror"):
        assert bad not in text
    assert "“utm_source”" in text and "a setting with an unusual name" in text


def test_notice_is_short_with_many_problems():
    raw = {f"x{i}": "1" for i in range(100)}
    out = permalink.clean(raw, SPECS)
    text = permalink.notice(out.ignored)
    assert len(text) < 600 and "more" in text
    assert any("more than 40 settings" in i.reason for i in out.ignored)


@pytest.mark.parametrize(
    "values",
    [
        {"state": "none", "compare": (), "year": 2017, "years": (1999, 2018), "segments": False},
        {"state": "WV", "compare": ("WV", "CA"), "year": 1999, "years": (2005, 2005), "segments": True},
        {"state": "CA", "compare": ("OH",), "year": 2010, "years": (2000, 2017), "segments": False},
    ],
)
def test_round_trip_encode_then_clean(values):
    encoded = permalink.encode(values, SPECS)
    out = permalink.clean(encoded, SPECS)
    assert out.values == values and out.ignored == []
    assert out.from_url == frozenset(SPECS)


def test_encode_refuses_a_value_that_would_not_come_back():
    good = {"state": "CA", "compare": (), "year": 2017, "years": (1999, 2018), "segments": False}
    with pytest.raises(ValueError, match="not an allowed value"):
        permalink.encode({**good, "state": "TX"}, SPECS)
    with pytest.raises(ValueError, match="outside"):
        permalink.encode({**good, "year": 2020}, SPECS)
    with pytest.raises(ValueError, match="not on or off"):
        permalink.encode({**good, "segments": "yes"}, SPECS)


def test_a_flag_is_written_yes_or_no():
    values = {"state": "none", "compare": (), "year": 2017, "years": (1999, 2018), "segments": True}
    assert permalink.encode(values, SPECS)["segments"] == "yes"
    assert permalink.encode({**values, "segments": False}, SPECS)["segments"] == "no"


@pytest.mark.parametrize(
    ("current", "expected_start"),
    [
        ("http://localhost:8502/states?state=CA", "http://localhost:8502/states?"),
        ("https://example.org/app/states#top", "https://example.org/app/states?"),
        (None, "/states?"),
        ("javascript:alert(1)", "/states?"),
    ],
)
def test_share_url_uses_the_page_address(current, expected_start):
    values = {"state": "WV", "compare": ("WV",), "year": 2017, "years": (1999, 2018), "segments": True}
    url = permalink.share_url(current, "/states", values, SPECS)
    assert url.startswith(expected_start)
    assert url.endswith("state=WV&compare=WV&year=2017&years=1999-2018&segments=yes")


def test_seed_sets_only_unset_widgets_and_lists_for_multiselect():
    out = permalink.clean({"state": "WV", "compare": ["CA"], "segments": "yes"}, SPECS)
    state = {"w_state": "CA"}
    keys = {"state": "w_state", "compare": "w_compare", "years": "w_years", "segments": "w_segments"}
    permalink.seed(state, out, SPECS, keys)
    assert state == {"w_state": "CA", "w_compare": ["CA"], "w_years": (1999, 2018), "w_segments": True}


def test_specs_check_their_defaults():
    with pytest.raises(ValueError):
        Choice(("a",), "b")
    with pytest.raises(ValueError):
        Year(1999, 2017, 2020)
    with pytest.raises(ValueError):
        YearRange(1999, 2017, (1998, 2000))
    with pytest.raises(ValueError):
        MultiChoice(("a",), ("b",))


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://example.org/states?state=WV", "https://example.org"),
        ("https://example.org/overdose/states", "https://example.org/overdose"),
        ("http://127.0.0.1:8501/", "http://127.0.0.1:8501"),
        (None, ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_site_root_for_printed_links(url, root):
    assert permalink.site_root(url, "/states") == root
