"""US counties: FIPS code -> name and state, codes that changed, and the outline files county maps draw.

The list of counties and their outlines come from the npm package us-atlas 3.0.1 (ISC licence), which
redistributes the Census Bureau's cartographic boundary files, 2017 edition; ``scripts/build_county_outlines.py``
converted them once into ``static/counties/<state FIPS>.json`` (one GeoJSON FeatureCollection per state, feature
``id`` = five-digit FIPS) and ``static/counties/index.json`` (every county's FIPS and Census name). The app serves
``static/`` itself (``/app/static/counties/...``), so county maps need no CDN.

Older data use some codes that the 2017 list no longer has. :data:`FORMER` names them with what became of them,
from the Census Bureau's list of substantial changes to counties
(https://www.census.gov/programs-surveys/geography/technical-documentation/county-changes.html):

* renamed with the same area (02270 Wade Hampton -> 02158 Kusilvak; 46113 Shannon -> 46102 Oglala Lakota): the
  new code's outline is the old county's outline, so :func:`outline_fips` returns it;
* split or merged (02201, 02232, 02280 in Alaska; 51515 Bedford city, Virginia): no outline of today matches the
  old area, so :func:`outline_fips` returns None and :func:`outline_note` says why; a map leaves them undrawn
  and lists them rather than painting a neighbour's shape.

One county of today has no drawable outline either: the package simplified Falls Church city, Virginia (51610),
to a line (listed in ``index.json`` under ``no_outline``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from data_sources.geography import BY_FIPS, BY_USPS

STATIC_COUNTIES = Path(__file__).resolve().parent.parent / "static" / "counties"
#: Where the app serves the outline files (Streamlit serves ``static/`` at ``/app/static/``).
OUTLINE_URL = "/app/static/counties/"
CHANGES_URL = "https://www.census.gov/programs-surveys/geography/technical-documentation/county-changes.html"


@dataclass(frozen=True)
class County:
    """A county or county equivalent: ``name`` is the Census name without its kind ("Kanawha")."""

    fips: str  # five-digit text, "54039"
    name: str
    state_fips: str  # "54"
    usps: str  # "WV"
    current: bool  # False for a code that changed before 2017 (see FORMER)


@dataclass(frozen=True)
class FormerCounty:
    """A county code in older data that the 2017 list no longer has, and what became of its area."""

    fips: str
    name: str  # the publisher's full name, "Wade Hampton Census Area"
    became: tuple[str, ...]  # codes of today that cover its area
    same_area: bool  # True: renamed or recoded with its boundaries unchanged
    note: str


FORMER: dict[str, FormerCounty] = {
    f.fips: f
    for f in (
        FormerCounty(
            "02270",
            "Wade Hampton Census Area",
            ("02158",),
            True,
            "Renamed Kusilvak Census Area (new code 02158) in 2015; boundaries unchanged.",
        ),
        FormerCounty(
            "46113",
            "Shannon County",
            ("46102",),
            True,
            "Renamed Oglala Lakota County (new code 46102) in 2015; boundaries unchanged.",
        ),
        FormerCounty(
            "02201",
            "Prince of Wales-Outer Ketchikan Census Area",
            ("02198", "02130"),
            False,
            "Split in 2008: most became Prince of Wales-Hyder Census Area (02198), part joined Ketchikan Gateway "
            "Borough (02130). No outline of today matches the old area.",
        ),
        FormerCounty(
            "02232",
            "Skagway-Hoonah-Angoon Census Area",
            ("02230", "02105"),
            False,
            "Split in 2007 into Skagway Municipality (02230) and Hoonah-Angoon Census Area (02105), whose boundary "
            "changed again in 2013. No outline of today matches the old area.",
        ),
        FormerCounty(
            "02280",
            "Wrangell-Petersburg Census Area",
            ("02275", "02195"),
            False,
            "Split in 2008 into Wrangell City and Borough (02275) and Petersburg (02195), whose boundary changed "
            "again in 2013. No outline of today matches the old area.",
        ),
        FormerCounty(
            "51515",
            "Bedford city",
            ("51019",),
            False,
            "Joined Bedford County (51019) in 2013; its area is part of Bedford County's outline, not a shape of "
            "its own.",
        ),
    )
}


@cache
def _index() -> dict:
    return json.loads((STATIC_COUNTIES / "index.json").read_text(encoding="utf-8"))


@cache
def counties() -> dict[str, County]:
    """Every county the maps know, current (from ``index.json``) and former (from :data:`FORMER`), by FIPS."""
    index = _index()
    out: dict[str, County] = {}
    for fips, name in {**index["counties"], **index["no_outline"]}.items():
        out[fips] = County(fips, name, fips[:2], BY_FIPS[fips[:2]].usps, current=True)
    for fips, former in FORMER.items():
        if fips in out:
            raise ValueError(f"county {fips} is listed as former but is still in {STATIC_COUNTIES / 'index.json'}")
        out[fips] = County(fips, former.name, fips[:2], BY_FIPS[fips[:2]].usps, current=False)
    return dict(sorted(out.items()))


def county(fips: str) -> County:
    """The county with this five-digit FIPS code. Raises KeyError naming the code when it is not a county."""
    found = counties().get(fips)
    if found is None:
        raise KeyError(f"{fips!r} is not a county FIPS code (five digits, 2017 county list or a former code)")
    return found


def is_county(fips: str) -> bool:
    """True for a known five-digit county code (current or former)."""
    return fips in counties()


def check_state(fips: str, state: str) -> None:
    """Raise ValueError unless county ``fips`` is known and lies in ``state`` (two-digit FIPS or postal code)."""
    if not is_county(fips):
        raise ValueError(f"unknown county FIPS {fips!r}")
    state_fips = BY_USPS[state.upper()].fips if state.upper() in BY_USPS else state.zfill(2)
    if fips[:2] != state_fips:
        raise ValueError(f"county FIPS {fips!r} lies in state {fips[:2]}, not in {state!r} ({state_fips})")


def outline_fips(fips: str) -> str | None:
    """The outline feature id that draws county ``fips``: itself, the new code of a county renamed with the same
    area, or None when no outline matches its area (split or merged counties, Falls Church)."""
    if fips in FORMER:
        former = FORMER[fips]
        return former.became[0] if former.same_area else None
    county(fips)  # unknown codes raise
    return None if fips in _index()["no_outline"] else fips


def outline_note(fips: str) -> str:
    """Why county ``fips`` is drawn on another code's outline or not drawn at all; empty when it has its own."""
    if fips in FORMER:
        return FORMER[fips].note
    if fips in _index()["no_outline"]:
        return f"{county(fips).name} ({fips}) has no outline: the map data (us-atlas 3.0.1) simplified it to a line."
    county(fips)
    return ""


def outline_path(state_fips: str) -> Path:
    """``static/counties/<state FIPS>.json``: the GeoJSON outlines of a state's counties."""
    if state_fips not in BY_FIPS:
        raise KeyError(f"{state_fips!r} is not the two-digit FIPS code of a state or DC")
    return STATIC_COUNTIES / f"{state_fips}.json"


def outline_url(state_fips: str) -> str:
    """The address the app serves a state's outline file at, for plotly's ``geojson`` argument."""
    return OUTLINE_URL + outline_path(state_fips).name


@cache
def _outlines(state_fips: str) -> str:
    return outline_path(state_fips).read_text(encoding="utf-8")


def load_outlines(state_fips: str) -> dict:
    """A state's county outlines as a GeoJSON FeatureCollection (a fresh dict each call: callers may change it)."""
    return json.loads(_outlines(state_fips))


def national_outlines() -> dict:
    """Every county of the 50 states and DC in one FeatureCollection (about 1.6 MB of JSON)."""
    features = [f for fips in sorted(BY_FIPS) for f in load_outlines(fips)["features"]]
    return {"type": "FeatureCollection", "features": features}
