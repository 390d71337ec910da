"""County lookups and the bundled county outlines (data_sources.counties, static/counties/)."""

from __future__ import annotations

import json

import pytest
from paths import STATIC

from data_sources import counties
from data_sources.geography import BY_FIPS
from scripts import build_county_outlines


def test_every_state_and_dc_has_an_outline_file_plotly_can_match_by_fips():
    for state_fips in BY_FIPS:
        collection = counties.load_outlines(state_fips)
        assert collection["type"] == "FeatureCollection"
        assert collection["features"], state_fips
        for feature in collection["features"]:
            assert len(feature["id"]) == 5 and feature["id"].startswith(state_fips), feature["id"]
            assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
            polygons = feature["geometry"]["coordinates"]
            if feature["geometry"]["type"] == "Polygon":
                polygons = [polygons]
            for polygon in polygons:
                for ring in polygon:
                    assert len(ring) >= 4 and ring[0] == ring[-1], feature["id"]


def test_outlines_stay_small_and_carry_their_licence():
    total = sum(p.stat().st_size for p in (STATIC / "counties").glob("*.json"))
    assert total < 3_000_000, f"county outlines grew to {total:,} bytes"
    text = (STATIC / "counties" / "LICENSE.txt").read_text(encoding="utf-8")
    assert "us-atlas 3.0.1" in text and "Copyright 2013-2019 Michael Bostock" in text
    assert "Permission to use, copy, modify, and/or distribute" in text  # the ISC licence


def test_county_names_states_and_urls():
    kanawha = counties.county("54039")
    assert (kanawha.name, kanawha.state_fips, kanawha.usps, kanawha.current) == ("Kanawha", "54", "WV", True)
    assert counties.county("46113").current is False
    assert counties.outline_url("54") == "/app/static/counties/54.json"
    assert counties.outline_path("06").name == "06.json"
    with pytest.raises(KeyError, match="99999"):
        counties.county("99999")
    with pytest.raises(KeyError):
        counties.outline_path("72")  # Puerto Rico: no figures here, no outline file


def test_check_state_refuses_a_county_outside_its_state_or_unknown():
    counties.check_state("54039", "WV")
    counties.check_state("54039", "54")
    with pytest.raises(ValueError, match=r"54039.*VA"):
        counties.check_state("54039", "VA")
    with pytest.raises(ValueError, match="unknown county FIPS '54999'"):
        counties.check_state("54999", "WV")


@pytest.mark.parametrize(
    ("fips", "drawn_as", "note"),
    [
        ("54039", "54039", ""),
        ("02270", "02158", "Kusilvak"),  # renamed, same area
        ("46113", "46102", "Oglala Lakota"),
        ("02232", None, "Split in 2007"),  # no outline of today matches
        ("02201", None, "Split in 2008"),
        ("02280", None, "Split in 2008"),
        ("51515", None, "Bedford County"),
        ("51610", None, "simplified it to a line"),  # Falls Church: a line in the package
    ],
)
def test_changed_and_undrawable_counties_are_handled_honestly(fips, drawn_as, note):
    assert counties.outline_fips(fips) == drawn_as
    assert note in counties.outline_note(fips)
    if drawn_as:
        ids = {f["id"] for f in counties.load_outlines(drawn_as[:2])["features"]}
        assert drawn_as in ids


def test_national_outlines_hold_every_current_county_with_a_shape():
    ids = [f["id"] for f in counties.national_outlines()["features"]]
    assert len(ids) == len(set(ids)) == 3141
    current = {c.fips for c in counties.counties().values() if c.current}
    assert current - set(ids) == {"51610"}


def test_outline_decoder_follows_the_topojson_rules():
    # two arcs sharing the vertex (1, 0); the second ring uses arc 0 reversed (~0 == -1)
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [-100.0, 40.0]},
        "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
    }
    arcs = build_county_outlines.decode_arcs(topology)
    assert arcs[0] == [(-100.0, 40.0), (-99.0, 40.0), (-99.0, 41.0)]
    assert build_county_outlines.ring([0, 1], arcs) == [
        (-100.0, 40.0),
        (-99.0, 40.0),
        (-99.0, 41.0),
        (-100.0, 41.0),
        (-100.0, 40.0),
    ]
    assert build_county_outlines.ring([-1], arcs) == arcs[0][::-1]
    flat = {"type": "Polygon", "arcs": [[0]], "id": "00001"}  # a ring of 3 points encloses nothing
    assert build_county_outlines.geometry(flat, arcs) is None


def test_index_lists_the_package_it_came_from():
    index = json.loads((STATIC / "counties" / "index.json").read_text(encoding="utf-8"))
    assert index["source"].startswith("npm us-atlas 3.0.1, counties-10m.json (sha256 ")
    assert index["no_outline"] == {"51610": "Falls Church"}
