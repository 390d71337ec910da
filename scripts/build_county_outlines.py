"""Convert us-atlas's county TopoJSON once into per-state GeoJSON files that plotly draws: ``static/counties/``.

Input: ``counties-10m.json`` from the npm package us-atlas 3.0.1 (ISC licence; Census Bureau cartographic
boundary files, 2017 edition, quantized and simplified by the package), unpacked with ``npm pack us-atlas@3.0.1``
(the only download; nothing here touches the network). Output, for each of the 50 states and DC:

* ``static/counties/<state FIPS>.json``: a GeoJSON FeatureCollection, one Feature per county with ``id`` the
  five-digit FIPS text (plotly's default ``featureidkey``) and ``properties.name`` the Census name
  ("Kanawha"); coordinates are longitude/latitude rounded to 4 decimals (about 10 m, finer than the
  package's own quantization grid), with repeated points dropped;
* ``static/counties/index.json``: every county's FIPS -> name, and the package version it came from;
* ``static/counties/LICENSE.txt``: where the files came from and the package's licence.

Territories (60, 66, 69, 72, 78) are left out: no table here has figures for them.

The decoder is the TopoJSON specification's own rule (https://github.com/topojson/topojson-specification):
arcs are delta-encoded integer positions, scaled by ``transform``; a negative arc index ``~i`` means arc ``i``
reversed; a ring is its arcs joined, each after the first losing its first point (the shared vertex).

Run: ``python -m scripts.build_county_outlines /tmp/usatlas/package/counties-10m.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from data_sources.geography import BY_FIPS

PACKAGE = "us-atlas"
VERSION = "3.0.1"
STATIC_COUNTIES = Path(__file__).resolve().parent.parent / "static" / "counties"
DECIMALS = 4
Position = tuple[float, float]
Ring = list[Position]


def decode_arcs(topology: dict) -> list[list[Position]]:
    """Every arc as absolute longitude/latitude positions (undoing the delta encoding and quantization)."""
    transform = topology.get("transform")
    if transform is None:
        raise ValueError("the topology has no transform: expected a quantized TopoJSON (us-atlas *-10m.json)")
    (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for step in arc:
            x += step[0]
            y += step[1]
            points.append((x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Position]]) -> Ring:
    """Join a ring's arcs (``~i`` = arc ``i`` reversed), dropping each joined arc's repeated first point."""
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def rounded(points: Ring) -> Ring:
    """Round to ``DECIMALS`` and drop points that rounding made equal to the one before.

    A ring stays closed: its first and last positions are the same point, so they round alike.
    """
    out: Ring = []
    for x, y in points:
        point = (round(x, DECIMALS), round(y, DECIMALS))
        if not out or point != out[-1]:
            out.append(point)
    return out


def geometry(geom: dict, arcs: list[list[Position]]) -> dict | None:
    """A TopoJSON Polygon or MultiPolygon as GeoJSON, or None when nothing of it encloses an area.

    A ring with fewer than 4 positions (a speck of an island, a sliver of a hole, or a county the package's
    simplification already reduced to a line) is left out.
    """
    if geom["type"] == "Polygon":
        polygons = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        polygons = geom["arcs"]
    else:
        raise ValueError(f"county {geom.get('id')}: unexpected geometry type {geom['type']!r}")
    out = []
    for polygon in polygons:
        rings = [rounded(ring(r, arcs)) for r in polygon]
        if len(rings[0]) < 4:
            continue
        out.append([[list(p) for p in r] for r in rings if len(r) >= 4])
    if not out:
        return None
    if len(out) == 1:
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}


def by_state(topology: dict) -> tuple[dict[str, dict], dict[str, str]]:
    """State FIPS -> GeoJSON FeatureCollection of its counties, for the 50 states and DC; and the counties
    (FIPS -> name) whose outline in the package encloses no area, so they have no feature."""
    arcs = decode_arcs(topology)
    states: dict[str, list[dict]] = {fips: [] for fips in BY_FIPS}
    flat: dict[str, str] = {}
    for geom in topology["objects"]["counties"]["geometries"]:
        fips = geom["id"]
        if len(fips) != 5 or not fips.isdigit():
            raise ValueError(f"county id {fips!r} is not a five-digit FIPS code")
        if fips[:2] not in states:
            continue  # a territory
        shape = geometry(geom, arcs)
        if shape is None:
            flat[fips] = geom["properties"]["name"]
            continue
        states[fips[:2]].append(
            {"type": "Feature", "id": fips, "properties": {"name": geom["properties"]["name"]}, "geometry": shape}
        )
    empty = [fips for fips, features in states.items() if not features]
    if empty:
        raise ValueError(f"no counties found for states {empty}")
    collections: dict[str, dict[str, Any]] = {
        fips: {"type": "FeatureCollection", "features": sorted(features, key=lambda f: str(f["id"]))}
        for fips, features in states.items()
    }
    return collections, flat


LICENCE = f"""static/counties/*.json are converted from counties-10m.json of the npm package {PACKAGE} {VERSION}
(https://github.com/topojson/us-atlas, https://www.npmjs.com/package/us-atlas) by
scripts/build_county_outlines.py: one GeoJSON file per state (state FIPS), coordinates rounded to {DECIMALS}
decimals, territories left out; index.json lists every county's FIPS and name. The package redistributes the
U.S. Census Bureau's cartographic boundary files, 2017 edition (public domain), quantized and simplified.
The package's licence follows.

"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="counties-10m.json from `npm pack us-atlas@3.0.1`")
    parser.add_argument("--licence", type=Path, help="the package's LICENSE (default: beside the TopoJSON)")
    options = parser.parse_args()
    raw = options.topojson.read_bytes()
    topology = json.loads(raw)
    licence = (options.licence or options.topojson.parent / "LICENSE").read_text(encoding="utf-8")
    states, flat = by_state(topology)
    STATIC_COUNTIES.mkdir(parents=True, exist_ok=True)
    total = 0
    for fips, collection in states.items():
        path = STATIC_COUNTIES / f"{fips}.json"
        path.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
        total += path.stat().st_size
    names = {f["id"]: f["properties"]["name"] for c in states.values() for f in c["features"]}
    index = {
        "source": f"npm {PACKAGE} {VERSION}, counties-10m.json (sha256 {hashlib.sha256(raw).hexdigest()})",
        "counties": dict(sorted(names.items())),
        # in the package, but simplified to a line: named here, drawn nowhere
        "no_outline": dict(sorted(flat.items())),
    }
    (STATIC_COUNTIES / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    (STATIC_COUNTIES / "LICENSE.txt").write_text(LICENCE + licence, encoding="utf-8")
    print(f"wrote {len(states)} state files, {len(names):,} counties, {total / 1e6:.2f} MB to {STATIC_COUNTIES}")
    if flat:
        print(f"no area left in the package for {flat}: listed in index.json under no_outline")


if __name__ == "__main__":
    main()
