"""US states: FIPS codes, postal codes, names, and positions on an equal-area tile-grid map.

FIPS and postal codes are the Census Bureau's (https://www.census.gov/library/reference/code-lists/ansi.html).
The tile grid gives every state one equal square, so small states stay visible; the layout follows the
common 8 x 11 grid used by NPR and others.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    fips: str  # two-digit text, "06"
    usps: str  # "CA"
    name: str  # "California"
    row: int  # tile-grid row, 0 = top
    col: int  # tile-grid column, 0 = left


# (fips, usps, name, row, col)
_STATES = [
    ("01", "AL", "Alabama", 6, 6),
    ("02", "AK", "Alaska", 0, 0),
    ("04", "AZ", "Arizona", 5, 1),
    ("05", "AR", "Arkansas", 5, 4),
    ("06", "CA", "California", 4, 0),
    ("08", "CO", "Colorado", 4, 2),
    ("09", "CT", "Connecticut", 3, 9),
    ("10", "DE", "Delaware", 4, 9),
    ("11", "DC", "District of Columbia", 5, 8),
    ("12", "FL", "Florida", 7, 8),
    ("13", "GA", "Georgia", 6, 7),
    ("15", "HI", "Hawaii", 7, 0),
    ("16", "ID", "Idaho", 2, 1),
    ("17", "IL", "Illinois", 2, 5),
    ("18", "IN", "Indiana", 3, 5),
    ("19", "IA", "Iowa", 3, 4),
    ("20", "KS", "Kansas", 5, 3),
    ("21", "KY", "Kentucky", 4, 5),
    ("22", "LA", "Louisiana", 6, 4),
    ("23", "ME", "Maine", 0, 10),
    ("24", "MD", "Maryland", 4, 8),
    ("25", "MA", "Massachusetts", 2, 9),
    ("26", "MI", "Michigan", 2, 6),
    ("27", "MN", "Minnesota", 2, 4),
    ("28", "MS", "Mississippi", 6, 5),
    ("29", "MO", "Missouri", 4, 4),
    ("30", "MT", "Montana", 2, 2),
    ("31", "NE", "Nebraska", 4, 3),
    ("32", "NV", "Nevada", 3, 1),
    ("33", "NH", "New Hampshire", 1, 10),
    ("34", "NJ", "New Jersey", 3, 8),
    ("35", "NM", "New Mexico", 5, 2),
    ("36", "NY", "New York", 2, 8),
    ("37", "NC", "North Carolina", 5, 6),
    ("38", "ND", "North Dakota", 2, 3),
    ("39", "OH", "Ohio", 3, 6),
    ("40", "OK", "Oklahoma", 6, 3),
    ("41", "OR", "Oregon", 3, 0),
    ("42", "PA", "Pennsylvania", 3, 7),
    ("44", "RI", "Rhode Island", 3, 10),
    ("45", "SC", "South Carolina", 5, 7),
    ("46", "SD", "South Dakota", 3, 3),
    ("47", "TN", "Tennessee", 5, 5),
    ("48", "TX", "Texas", 7, 3),
    ("49", "UT", "Utah", 4, 1),
    ("50", "VT", "Vermont", 1, 9),
    ("51", "VA", "Virginia", 4, 7),
    ("53", "WA", "Washington", 2, 0),
    ("54", "WV", "West Virginia", 4, 6),
    ("55", "WI", "Wisconsin", 1, 5),
    ("56", "WY", "Wyoming", 3, 2),
]

STATES: tuple[State, ...] = tuple(State(*row) for row in _STATES)
BY_FIPS: dict[str, State] = {s.fips: s for s in STATES}
BY_USPS: dict[str, State] = {s.usps: s for s in STATES}
BY_NAME: dict[str, State] = {s.name.lower(): s for s in STATES}

NATION = ("nation", "US", "United States")
NYC = ("city", "NYC", "New York City")


def place(code_or_name: str) -> tuple[str, str, str]:
    """(geo_level, geo_code, geo_name) for a state's postal code or name, ``US``/``United States``, or CDC's
    ``YC`` (New York City, which VSRR reports apart from New York State). Raises KeyError for anything else."""
    key = code_or_name.strip()
    if key.upper() == "US" or key.lower() == "united states":
        return NATION
    if key.upper() == "YC" or key.lower() == "new york city":
        return NYC
    state = BY_USPS.get(key.upper()) or BY_NAME.get(key.lower())
    if state is None:
        raise KeyError(f"not a US state, DC, US or NYC: {code_or_name!r}")
    return ("state", state.fips, state.name)


# --- lookups by FIPS or postal code, and the tile grid the states map is drawn on ---------------------------
def state_fips(code_or_name: str) -> str | None:
    """Two-digit FIPS for a state given by FIPS (``"6"``, ``"06"``), postal code (``"ca"``) or name; None when
    it is not one of the 50 states or DC. Never raises, so URL input can be checked with it."""
    key = str(code_or_name).strip()
    if key.isdigit() and len(key) <= 2:
        return key.zfill(2) if key.zfill(2) in BY_FIPS else None
    state = BY_USPS.get(key.upper()) or BY_NAME.get(key.lower())
    return state.fips if state else None


def fips_to_usps(fips: str) -> str:
    """``"06"`` -> ``"CA"``. Raises KeyError for a code that is not a state or DC."""
    return BY_FIPS[fips].usps


def usps_to_fips(usps: str) -> str:
    """``"CA"`` -> ``"06"`` (case-insensitive). Raises KeyError for a code that is not a state or DC."""
    return BY_USPS[usps.strip().upper()].fips


def tile_grid_size() -> tuple[int, int]:
    """(rows, columns) of the tile grid."""
    return max(s.row for s in STATES) + 1, max(s.col for s in STATES) + 1
