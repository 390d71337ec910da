"""Permalinks: a page's selections in the URL's query string, read back safely.

Pure helpers, no streamlit import. A page declares what each URL parameter may hold (a :class:`Choice`, a
:class:`MultiChoice`, a :class:`Year`, a :class:`YearRange` or a :class:`Flag`), passes the raw parameters to
:func:`clean`, and gets back only values it can use, plus a list of what it ignored and why, for a short notice
(:func:`notice`). Anything else in the URL (unknown names, values not on the list, years out of range,
script or markup, very long values) is dropped and never echoed back, so a crafted link cannot put text on
the page. :func:`encode` and :func:`link` turn the page's current selections back into a query string, so a
copied link reproduces the view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

#: Longest value (characters) we read; anything longer is ignored unread. Our longest real value is a
#: drug key of about 30 characters.
MAX_VALUE_CHARS = 64
#: Most repeated values we read for one parameter (e.g. states to compare).
MAX_ITEMS = 60
#: Most parameters we look at; a link with more is not one the dashboard made.
MAX_PARAMS = 40

_SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
_MARKUP = re.compile(r"[<>\"'`]|javascript:|data:|&#|%3c|%3e", re.IGNORECASE)


@dataclass(frozen=True)
class Choice:
    """One value from a fixed list. ``aliases`` maps other spellings (lower case) to an allowed value."""

    allowed: tuple[str, ...]
    default: str
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.default not in self.allowed:
            raise ValueError(f"default {self.default!r} is not among the allowed values")


@dataclass(frozen=True)
class MultiChoice:
    """Any number (up to ``max_items``) of values from a fixed list, as repeated parameters (``?s=WV&s=OH``)."""

    allowed: tuple[str, ...]
    default: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    max_items: int = MAX_ITEMS

    def __post_init__(self) -> None:
        if not set(self.default) <= set(self.allowed):
            raise ValueError(f"defaults {sorted(set(self.default) - set(self.allowed))} are not allowed values")


@dataclass(frozen=True)
class Year:
    """One year between ``low`` and ``high`` inclusive."""

    low: int
    high: int
    default: int

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValueError(f"default {self.default} is outside {self.low}-{self.high}")


@dataclass(frozen=True)
class YearRange:
    """A span of years written ``2005-2017`` (one year ``2010`` means 2010-2010), inside ``low``-``high``."""

    low: int
    high: int
    default: tuple[int, int]

    def __post_init__(self) -> None:
        lo, hi = self.default
        if not self.low <= lo <= hi <= self.high:
            raise ValueError(f"default {self.default} is outside {self.low}-{self.high}")


@dataclass(frozen=True)
class Flag:
    """On or off, for a toggle: written ``yes`` or ``no`` in a link (``true``/``false``, ``on``/``off`` and
    ``1``/``0`` are read too); the page's widget holds a bool."""

    default: bool = False


_FLAG_WORDS = {"yes": True, "true": True, "on": True, "1": True, "no": False, "false": False, "off": False, "0": False}

Spec = Choice | MultiChoice | Year | YearRange | Flag
Value = str | tuple[str, ...] | int | tuple[int, int] | bool


@dataclass(frozen=True)
class Ignored:
    """A URL parameter (or part of one) that was not used, and the reason in plain words."""

    name: str  # the parameter name when it is safe to show, else a description
    reason: str


@dataclass(frozen=True)
class Cleaned:
    """The values a page can use (every spec has one: from the URL when valid, else its default)."""

    values: dict[str, Value]
    ignored: list[Ignored]
    from_url: frozenset[str]  # names whose value came from the URL


def display_name(name: str) -> str:
    """A parameter name as it may appear in a notice: only short lower-case names are echoed."""
    return f"“{name}”" if _SAFE_NAME.match(name) else "a setting with an unusual name"


def _problem(value: str) -> str | None:
    """Why a raw value cannot be read at all, or None."""
    if len(value) > MAX_VALUE_CHARS:
        return f"its value is too long, over {MAX_VALUE_CHARS} characters"
    if _MARKUP.search(value):
        return "its value contains script or markup"
    return None


def _as_list(raw: str | Sequence[str]) -> list[str]:
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def _pick(value: str, allowed: tuple[str, ...], aliases: Mapping[str, str]) -> str | None:
    """The allowed value ``value`` names (exactly, case-insensitively or by alias), or None."""
    if value in allowed:
        return value
    lowered = value.strip().lower()
    for option in allowed:
        if option.lower() == lowered:
            return option
    return aliases.get(lowered)


def _parse_year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) == 4 else None


def clean(raw: Mapping[str, str | Sequence[str]], specs: Mapping[str, Spec]) -> Cleaned:
    """Read the URL's parameters ``raw`` (name -> value or repeated values) against ``specs``.

    Returns a value for every spec and the list of what was ignored. Never raises on bad input: bad input
    is the reason this function exists.
    """
    values: dict[str, Value] = {name: spec.default for name, spec in specs.items()}
    ignored: list[Ignored] = []
    from_url: set[str] = set()
    names = list(raw)
    if len(names) > MAX_PARAMS:
        ignored.append(Ignored("the link", f"it has more than {MAX_PARAMS} settings; only the first were read"))
        names = names[:MAX_PARAMS]
    for name in names:
        spec = specs.get(name)
        if spec is None:
            ignored.append(Ignored(display_name(name), "it is not a setting of this page"))
            continue
        items = _as_list(raw[name])
        if isinstance(spec, MultiChoice):
            result, notes = _clean_multi(items, spec)
            ignored.extend(Ignored(display_name(name), n) for n in notes)
            if result is not None:
                values[name] = result
                from_url.add(name)
            continue
        if not items:
            continue
        value = items[-1]  # a repeated single-value setting: the last one wins, as in st.query_params
        problem = _problem(value)
        if problem:
            ignored.append(Ignored(display_name(name), problem))
            continue
        parsed, reason = _clean_single(value, spec)
        if parsed is None:
            ignored.append(Ignored(display_name(name), reason))
        else:
            values[name] = parsed
            from_url.add(name)
    return Cleaned(values, ignored, frozenset(from_url))


def _clean_single(value: str, spec: Spec) -> tuple[Value | None, str]:
    if isinstance(spec, Flag):
        flag = _FLAG_WORDS.get(value.strip().lower())
        return (flag, "") if flag is not None else (None, "its value is not yes or no")
    if isinstance(spec, Choice):
        picked = _pick(value, spec.allowed, spec.aliases)
        return (picked, "") if picked else (None, "its value is not one of the choices")
    if isinstance(spec, Year):
        year = _parse_year(value)
        if year is None:
            return None, "its value is not a year"
        if not spec.low <= year <= spec.high:
            return None, f"the year is outside {spec.low}-{spec.high}, the years these data cover"
        return year, ""
    if isinstance(spec, YearRange):
        parts = value.split("-")
        years = [_parse_year(p) for p in parts]
        if len(parts) not in (1, 2) or any(y is None for y in years):
            return None, "its value is not a span of years such as 2005-2017"
        lo, hi = years[0], years[-1]
        if lo is None or hi is None:
            return None, "its value is not a span of years such as 2005-2017"
        if lo > hi:
            lo, hi = hi, lo
        if lo < spec.low or hi > spec.high:
            return None, f"the years are outside {spec.low}-{spec.high}, the years these data cover"
        return (lo, hi), ""
    raise TypeError(f"unknown spec {spec!r}")


def _clean_multi(items: list[str], spec: MultiChoice) -> tuple[tuple[str, ...] | None, list[str]]:
    """Valid picks (deduplicated, in URL order) and notes on the rest; None when the URL gave no valid pick."""
    notes: list[str] = []
    if len(items) > spec.max_items:
        notes.append(f"only the first {spec.max_items} values were read")
        items = items[: spec.max_items]
    if items and all(item == "" for item in items):
        return (), notes  # "?compare=": an explicit empty choice, which a link must keep
    picked: list[str] = []
    bad = problems = 0
    for item in items:
        if item == "":
            continue
        if _problem(item):
            problems += 1
            continue
        choice = _pick(item, spec.allowed, spec.aliases)
        if choice is None:
            bad += 1
        elif choice not in picked:
            picked.append(choice)
    if problems:
        notes.append(f"{problems} value(s) were too long or contained script or markup")
    if bad:
        notes.append(f"{bad} value(s) are not among the choices")
    return (tuple(picked) if picked else None), notes


def notice(ignored: Sequence[Ignored]) -> str | None:
    """One short sentence for ``st.info`` about what the link held that the page ignored, or None.

    Only safe parameter names and our own reason texts appear; values from the URL never do.
    """
    if not ignored:
        return None
    parts = [f"{item.name} ({item.reason})" for item in ignored[:4]]
    more = len(ignored) - len(parts)
    text = "Some settings in this link were ignored and the page's own choices used instead: " + "; ".join(parts)
    if more > 0:
        text += f"; and {more} more"
    return text + "."


def encode(values: Mapping[str, Value], specs: Mapping[str, Spec]) -> dict[str, str | list[str]]:
    """The page's selections as query parameters (every setting explicit, so a link keeps its view even if a
    default changes). Raises ValueError for a value its spec would not accept back: a link must round-trip."""
    out: dict[str, str | list[str]] = {}
    for name, spec in specs.items():
        value = values[name]
        if isinstance(spec, MultiChoice):
            items = [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
            if not set(items) <= set(spec.allowed):
                raise ValueError(f"{name}: {sorted(set(items) - set(spec.allowed))} are not allowed values")
            out[name] = [str(v) for v in items] or [""]  # "name=" keeps an empty choice in the link
        elif isinstance(spec, Flag):
            if not isinstance(value, bool):
                raise ValueError(f"{name}: {value!r} is not on or off")
            out[name] = "yes" if value else "no"
        elif isinstance(spec, Choice):
            if value not in spec.allowed:
                raise ValueError(f"{name}: {value!r} is not an allowed value")
            out[name] = str(value)
        elif isinstance(spec, Year):
            if not isinstance(value, int) or not spec.low <= value <= spec.high:
                raise ValueError(f"{name}: {value} is outside {spec.low}-{spec.high}")
            out[name] = str(value)
        else:
            if not isinstance(value, tuple) or len(value) != 2:
                raise ValueError(f"{name}: {value!r} is not a span of two years")
            lo, hi = value
            if not spec.low <= int(lo) <= int(hi) <= spec.high:
                raise ValueError(f"{name}: {value} is outside {spec.low}-{spec.high}")
            out[name] = f"{int(lo)}-{int(hi)}"
    return out


def link(base: str, values: Mapping[str, Value], specs: Mapping[str, Spec]) -> str:
    """``base?query`` reproducing the view, e.g. ``/states?state=WV&year=2017``."""
    return f"{base}?{urlencode(encode(values, specs), doseq=True)}"


def share_url(
    current_url: str | None, fallback_path: str, values: Mapping[str, Value], specs: Mapping[str, Spec]
) -> str:
    """The link to show under "Copy link": the page's own address (``st.context.url`` without its query)
    with the current selections; ``fallback_path`` when the address is unknown or not a web address."""
    base = fallback_path
    if current_url:
        match = re.match(r"^(https?://[^?#\s]+)", current_url)
        if match:
            base = match.group(1)
    return link(base, values, specs)


def site_root(current_url: str | None, page_path: str) -> str:
    """The dashboard's own address from a page's (``https://host/states?x=1`` -> ``https://host``), for links
    printed on paper; the empty string (a relative link) when the address is unknown or not a web address."""
    match = re.match(r"^(https?://[^?#\s]+)", current_url or "")
    if not match:
        return ""
    address = match.group(1)
    return address[: -len(page_path)] if address.endswith(page_path) else address.rstrip("/")


def seed(state: MutableMapping[Any, Any], cleaned: Cleaned, specs: Mapping[str, Spec], keys: Mapping[str, str]) -> None:
    """Give each widget (``keys``: parameter name -> widget key) its value from the link, once: only widgets
    that have no value yet in this session (``st.session_state``) are set, so the reader's later choices win.
    Repeated values become lists, as ``st.multiselect`` expects."""
    for name, key in keys.items():
        if key not in state:
            value = cleaned.values[name]
            state[key] = list(value) if isinstance(specs[name], MultiChoice) else value  # type: ignore[arg-type]


def unusable(raw: Mapping[str, str | Sequence[str]], known: Sequence[str]) -> list[Ignored]:
    """For pages whose widgets read the URL themselves (``bind="query-params"``): the parameters to report as
    ignored, namely unknown names and values with markup or over :data:`MAX_VALUE_CHARS`. Streamlit drops a
    bound widget's invalid value on its own; this finds what a reader should be told about."""
    ignored = []
    for name, value in list(raw.items())[:MAX_PARAMS]:
        if name not in known:
            ignored.append(Ignored(display_name(name), "not a setting of this page"))
        elif any(_problem(item) for item in _as_list(value)):
            ignored.append(Ignored(display_name(name), next(p for p in map(_problem, _as_list(value)) if p)))
    if len(raw) > MAX_PARAMS:
        ignored.append(Ignored("the rest of the link", f"more than {MAX_PARAMS} settings"))
    return ignored
