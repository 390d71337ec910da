"""Public claims about heroin and overdose, checked against the project's own tables. Pure: no I/O but reading
the claims file.

Claims live in ``snapshots/public_claims.csv`` (documented in ``snapshots/public_claims.md``), one row each, so
a teacher can add one without touching code. Its columns are the dictionary's ``PUBLIC_CLAIMS`` schema;
:func:`load` returns it as a :class:`~data_sources.schema.Table` registered in :mod:`data_sources.catalog`.

Each row names a *check type* and its parameters; the value is always computed here from the national final
table (``nchs_national_final``) or read from the risk table row the claim cites (``risk``), never typed into the
claims file. Only the claimed number is typed, because it is what the claim says.

Check types (``check``). A claim names the series it speaks of (``drug``, ``of_drug``, ``measure``) and its
years, and is judged on exactly those: a missing figure gives "cannot check", never a neighbouring year.

``ratio_of_years``  ``measure`` of ``drug`` in ``end_year`` / the same in ``start_year``; claimed value in "times".
``sum_over_years``  deaths of ``drug`` added up over every year ``start_year``..``end_year`` (refuses a gap).
``count_in_year``   deaths of ``drug`` in ``year``.
``share_of_drug``   deaths of ``drug`` / deaths of ``of_drug`` in ``year``, in percent.
``study_figure``    the value of risk table row ``risk_id`` (times or percent, as that row's unit).
``not_checkable``   no figure in these data can check it; the note says why.

Every check gives two verdicts, because a claim can quote the right number in the wrong words:

*The number* (``wording`` says how the claim phrases it; d = (computed - claimed) / claimed):

``about``      matches if |d| <= 5%; close if |d| <= 15%; otherwise does not match.
``more_than``  matches if computed > claimed; close if |d| <= 15%; otherwise does not match.
``nearly``     matches if -5% <= d <= 0 (at or a little under the claimed number); close if |d| <= 15%;
               otherwise does not match.

A figure the check needs that is missing gives "cannot check with these data", with the reason. So does a figure
that came into the data *because* this claim agrees with it (the claim's ``vouches_for``): a figure never
confirms the claim that let it in.

*The wording* (:data:`WORDING_RULES`): "right", "imprecise" (e.g. "7 times higher" for 7 times as many) or
"overstates" (e.g. "more likely to become" for an odds ratio of two conditions measured in the same year). The
rules read the claim's words and the figure's metadata (statistic, timing, group); an editor can add findings the
rules cannot see (``wording_issues``). Each check also says the figure precisely (:attr:`ClaimCheck.said_precisely`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from data_sources.dictionary import DRUGS, MEASURES, PUBLIC_CLAIMS
from data_sources.export import read_csv_bytes
from data_sources.query import Cell, FigureUnavailable, cell, national
from data_sources.risk import STATISTICS, say_it
from data_sources.schema import SchemaError, Table
from data_sources.schema import validate as validate_schema
from data_sources.snapshot import SNAPSHOT_DIR

TABLE = "public_claims"
CLAIMS_FILE = SNAPSHOT_DIR / f"{TABLE}.csv"

# --- verdicts ------------------------------------------------------------------------------------------------
#: The number: does the computed figure match the claimed one, by the rule for the claim's wording?
MATCHES, CLOSE, NO_MATCH, CANNOT_CHECK = "matches", "close", "does not match", "cannot check with these data"
NUMBER_VERDICTS = (MATCHES, CLOSE, NO_MATCH, CANNOT_CHECK)
#: The words: do they say what the figure says?
WORDING_RIGHT, IMPRECISE, OVERSTATES, NOT_JUDGED = "right", "imprecise", "overstates", "not judged"
WORDING_VERDICTS = (WORDING_RIGHT, IMPRECISE, OVERSTATES, NOT_JUDGED)
#: The card's badge: both parts in one phrase (see :func:`overall_verdict`).
SUPPORTED = "supported"
LOOSELY_WORDED = "number matches, wording imprecise"
OVERSTATED = "number matches, wording overstates"
NOT_SUPPORTED = "not supported"
VERDICTS = (SUPPORTED, LOOSELY_WORDED, OVERSTATED, CLOSE, NOT_SUPPORTED, CANNOT_CHECK)

#: Relative distance from the claimed number: within TOLERANCE = matches (for "about"), within CLOSE_BAND = close.
TOLERANCE = 0.05
CLOSE_BAND = 0.15

#: Columns that say what a check reads; each check type needs some and must leave the others empty.
PARAMETERS = ("drug", "of_drug", "measure", "year", "start_year", "end_year", "risk_id")

CHECKS: dict[str, tuple[str, ...]] = {
    # check type -> the columns it needs
    "ratio_of_years": ("drug", "measure", "start_year", "end_year", "claimed_value", "wording"),
    "sum_over_years": ("drug", "measure", "start_year", "end_year", "claimed_value", "wording"),
    "count_in_year": ("drug", "measure", "year", "claimed_value", "wording"),
    "share_of_drug": ("drug", "of_drug", "measure", "year", "claimed_value", "wording"),
    "study_figure": ("risk_id", "claimed_value", "wording"),
    "not_checkable": ("note",),
}

#: The measures each national check can speak of: counts add up and divide into shares; rates do not.
CHECK_MEASURES: dict[str, tuple[str, ...]] = {
    "ratio_of_years": ("deaths", "age_adjusted_rate_per_100k", "crude_rate_per_100k"),
    "sum_over_years": ("deaths",),
    "count_in_year": ("deaths",),
    "share_of_drug": ("deaths",),
}

WORDINGS: dict[str, str] = {
    "about": f"matches if within {TOLERANCE:.0%} of the claimed number; close if within {CLOSE_BAND:.0%}; "
    "otherwise does not match",
    "more_than": f"matches if above the claimed number; close if within {CLOSE_BAND:.0%} of it; otherwise does not "
    "match",
    "nearly": f"matches if at the claimed number or up to {TOLERANCE:.0%} under it; close if within "
    f"{CLOSE_BAND:.0%} either side; otherwise does not match",
}

CLAIM_COLUMNS: tuple[str, ...] = tuple(PUBLIC_CLAIMS.columns)
_VOUCH = re.compile(r"^([a-z_]+):(\d{4})$")


class ClaimFileError(SchemaError):
    """The claims file breaks its rules; the message names the row and what to fix."""


# --- wording rules -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Wording:
    """What a wording rule can look at: the claim's words, the study figure's row (or None for national checks)
    and the years a national check reads."""

    text: str
    figure: pd.Series | None
    years: tuple[int, ...]


@dataclass(frozen=True)
class WordingRule:
    """One way a claim's words can say more (or other) than its figure. ``detect`` returns the words that trip
    it ("" = not tripped); None = only an editor can assert it (``wording_issues``)."""

    level: str
    explain: str  # {words} is replaced by what ``detect`` found
    detect: Callable[[Wording], str] | None = None


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return match.group(0) if match else ""


def _figure_is(w: Wording, column: str, value: str) -> bool:
    return w.figure is not None and str(w.figure[column]) == value


def _odds_as_likely(w: Wording) -> str:
    if w.figure is None or STATISTICS[str(w.figure["statistic"])]["noun"] != "odds":
        return ""
    return _find(r"\b(likely|likelihood|chances?|probability|risk)\b", w.text)


def _order_from_same_period(w: Wording) -> str:
    if not _figure_is(w, "timing", "same_period"):
        return ""
    return _find(
        r"\b(become|becomes|becoming|go(es)? on to|went on to|leads? to|led to|starts?|started|starting|"
        r"causes?|caused|turn(s|ed)? to|later)\b",
        w.text,
    )


def _stronger_term(w: Wording) -> str:
    if w.figure is None or "nonmedical" not in f"{w.figure['factor']} {w.figure['outcome']}".lower():
        return ""
    return _find(r"\b(abus\w*|addict\w*)\b", w.text)


def _times_more(w: Wording) -> str:
    return _find(r"\btimes (more|higher|greater|larger|bigger)\b", w.text)


def _no_year(w: Wording) -> str:
    missing = [str(y) for y in w.years if str(y) not in w.text]
    return ", ".join(missing)


WORDING_RULES: dict[str, WordingRule] = {
    "odds_as_likely": WordingRule(
        OVERSTATES,
        'Says "{words}", but the figure is an odds ratio: it compares odds, not probabilities, so "N times as '
        'likely" is not what was measured. Say "N times the odds".',
        _odds_as_likely,
    ),
    "order_from_same_period": WordingRule(
        OVERSTATES,
        'Says "{words}", but both conditions were measured over the same period (for a survey, the same past '
        "year): the figure shows that they occur together, not that one comes first or leads to the other.",
        _order_from_same_period,
    ),
    "stronger_term": WordingRule(
        OVERSTATES,
        'Says "{words}", but the study counted any nonmedical use of prescription pain relievers (without a '
        "prescription, or only for the feeling), which is wider than abuse or addiction.",
        _stronger_term,
    ),
    "times_more": WordingRule(
        IMPRECISE,
        'Says "{words}": read literally, "N {words}" is N + 1 times as many. The figure is N times as many (or '
        'N times the rate or odds); say "N times as many".',
        _times_more,
    ),
    "no_year": WordingRule(
        IMPRECISE,
        "The claim as quoted does not name {words}, the year it speaks of (see the note); the same sentence "
        "repeated about another year can be false.",
        _no_year,
    ),
    "wider_group": WordingRule(
        IMPRECISE,
        "Speaks of a wider group than the study counted (see the note).",
    ),
}


def wording_problems(claim: dict, figure: pd.Series | None, years: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    """(rule key, sentence) for each wording rule the claim trips, detected from its words and the figure's
    metadata or asserted by the editor in ``wording_issues``; in :data:`WORDING_RULES` order."""
    found = Wording(str(claim["claim"]), figure, years)
    asserted = set(str(claim.get("wording_issues", "")).split())
    out = []
    for key, rule in WORDING_RULES.items():
        words = rule.detect(found) if rule.detect else ""
        if words or key in asserted:
            out.append((key, rule.explain.format(words=words or "this")))
    return tuple(out)


def wording_verdict(problems: tuple[tuple[str, str], ...]) -> str:
    """overstates if any problem overstates; imprecise if any is imprecise; otherwise right."""
    levels = {WORDING_RULES[key].level for key, _ in problems}
    return OVERSTATES if OVERSTATES in levels else IMPRECISE if IMPRECISE in levels else WORDING_RIGHT


def overall_verdict(number: str, wording: str) -> str:
    """The badge: a number that does not match (or cannot be checked) decides; a matching number is qualified by
    its wording ("number matches, wording overstates")."""
    if number != MATCHES:
        return {CLOSE: CLOSE, NO_MATCH: NOT_SUPPORTED, CANNOT_CHECK: CANNOT_CHECK}[number]
    return {WORDING_RIGHT: SUPPORTED, IMPRECISE: LOOSELY_WORDED, OVERSTATES: OVERSTATED}[wording]


@dataclass(frozen=True)
class ClaimCheck:
    """One claim with the number the data give, the two verdicts, and the working a reader can follow."""

    claim: dict[str, object]
    number_verdict: str
    computed: float | None
    unit: str
    working: tuple[str, ...]
    rule: str
    source_ids: tuple[str, ...] = ()  # national-table sources used
    risk_id: str = ""
    secondary: tuple[str, ...] = ()  # where figures read only in secondary texts were read, and who vouched
    context: str = ""  # what the computed number is: "2019 vs 1999", "in 2019", "1999-2019", "study figure"
    wording_verdict: str = NOT_JUDGED
    wording_problems: tuple[str, ...] = ()
    said_precisely: str = ""  # the figure in correct words; empty when no independent figure was found
    independent: bool = True  # False when the only figure came into the data because this claim agrees

    @property
    def claim_id(self) -> str:
        return str(self.claim["claim_id"])

    @property
    def verdict(self) -> str:
        """The badge: :func:`overall_verdict` of the two parts."""
        return overall_verdict(self.number_verdict, self.wording_verdict)

    def verdict_line(self) -> str:
        """'Number: matches · Wording: overstates'."""
        return f"Number: {self.number_verdict} · Wording: {self.wording_verdict}"

    def computed_label(self) -> str:
        if self.computed is None:
            return "no number from these data"
        label = format_number(self.computed, self.unit) + (f" ({self.context})" if self.context else "")
        if not self.independent:
            label += ", not independent: the figure came into these data because this claim agrees with it"
        return label


def format_number(value: float, unit: str) -> str:
    """7.15 -> '7.15 times'; 129587 -> '129,587 deaths'; 28.12 -> '28.1%'."""
    if unit == "times":
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if value < 100 else f"{value:,.0f}"
        return f"{text} times"
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:,.0f} {unit}"


# --- the claims file -----------------------------------------------------------------------------------------
def read_claims(path: Path | None = None) -> pd.DataFrame:
    """Read and validate the claims file (default :data:`CLAIMS_FILE`). Raises :class:`ClaimFileError` naming the
    row and the problem."""
    path = CLAIMS_FILE if path is None else path
    try:
        frame = read_csv_bytes(path.read_bytes(), name=path.name)
    except SchemaError as err:
        raise ClaimFileError(str(err)) from err
    return validate_claims(frame, name=path.name)


def load() -> Table:
    """The bundled claims file as a table; its as-of date is when the file was last changed."""
    changed = datetime.fromtimestamp(CLAIMS_FILE.stat().st_mtime, UTC).replace(microsecond=0)
    return Table(
        name=TABLE, data=read_claims(), sources=(), retrieved_at=changed, from_snapshot=True, schema=PUBLIC_CLAIMS
    )


def validate_claims(frame: pd.DataFrame, *, name: str = "public_claims.csv") -> pd.DataFrame:
    """Check the claims: the schema's columns, unique ids, the columns every claim needs, a known check type,
    wording, drug and measure keys (:func:`data_sources.schema.validate`); then the parameters each check needs
    and only those (a one-year check has no year range to fall back on), a measure the check can add or divide,
    whole years in order, a positive claimed number, known wording issues and ``drug:year`` vouches. Cells are
    read as typed, without surrounding spaces."""
    text = frame.astype(object).where(frame.notna(), "").astype(str).apply(lambda col: col.str.strip())
    try:
        out = validate_schema(text, PUBLIC_CLAIMS, table=name)
    except SchemaError as err:
        raise ClaimFileError(str(err)) from err
    for i, row in enumerate(out.to_dict("records")):
        where = f"{name} row {i + 2} ({row['claim_id']})"  # +2: header line, 1-based
        kind = row["check"]
        for col in CHECKS[kind]:
            if not row[col]:
                raise ClaimFileError(f"{where}: check {kind!r} needs column {col!r}")
        for col in PARAMETERS:
            if row[col] and col not in CHECKS[kind]:
                raise ClaimFileError(
                    f"{where}: check {kind!r} does not use column {col!r} (it reads {list(CHECKS[kind])}); a claim "
                    "is judged on exactly the series and years it speaks of"
                )
        if row["measure"] and row["measure"] not in CHECK_MEASURES.get(kind, ()):
            raise ClaimFileError(
                f"{where}: check {kind!r} cannot use measure {row['measure']!r}; it takes {CHECK_MEASURES[kind]}"
            )
        for col in ("year", "start_year", "end_year"):
            if row[col] and not row[col].isdigit():
                raise ClaimFileError(f"{where}: {col} {row[col]!r} is not a year")
        if row["start_year"] and row["end_year"] and int(row["start_year"]) >= int(row["end_year"]):
            raise ClaimFileError(f"{where}: start_year must be before end_year")
        if row["claimed_value"]:
            try:
                claimed = float(row["claimed_value"].replace(",", ""))
            except ValueError as err:
                raise ClaimFileError(f"{where}: claimed_value {row['claimed_value']!r} is not a number") from err
            if claimed <= 0:
                raise ClaimFileError(f"{where}: claimed_value must be positive")
        unknown = sorted(set(row["wording_issues"].split()) - set(WORDING_RULES))
        if unknown:
            raise ClaimFileError(f"{where}: unknown wording_issues {unknown}; known: {list(WORDING_RULES)}")
        for item in row["vouches_for"].split():
            match = _VOUCH.match(item)
            if not match or match.group(1) not in DRUGS:
                raise ClaimFileError(f"{where}: vouches_for {item!r} is not drug:year with a known drug key")
    return out


def vouches(claim: dict) -> set[tuple[str, int]]:
    """The (drug, year) figures a claim vouches for (``vouches_for``: 'heroin:2018 ...')."""
    out = set()
    for item in str(claim.get("vouches_for", "")).split():
        drug, year = item.split(":")
        out.add((drug, int(year)))
    return out


# --- the number ----------------------------------------------------------------------------------------------
def verdict(computed: float, claimed: float, wording: str) -> str:
    """The number's verdict for a computed number against a claimed one, by the rule in the module docstring."""
    d = (computed - claimed) / claimed
    if wording == "about":
        ok = abs(d) <= TOLERANCE
    elif wording == "more_than":
        ok = computed > claimed
    elif wording == "nearly":
        ok = -TOLERANCE <= d <= 0
    else:
        raise ValueError(f"unknown wording {wording!r}")
    if ok:
        return MATCHES
    return CLOSE if abs(d) <= CLOSE_BAND else NO_MATCH


def verdict_line(computed: float, claimed: float, wording: str, unit: str) -> str:
    d = (computed - claimed) / claimed
    phrase = {"about": "about", "more_than": "more than", "nearly": "nearly"}[wording]
    return (
        f"Claim: {phrase} {format_number(claimed, unit)}. Computed {format_number(computed, unit)}, "
        f'{_distance(d)} the claimed number. Rule for "{phrase}": '
        f"{WORDINGS[wording]}. Number: {verdict(computed, claimed, wording)}."
    )


def _distance(d: float) -> str:
    if d == 0:
        return "equal to"
    size = "less than 0.1%" if abs(d) < 0.001 else f"{abs(d):.1%}"
    return f"{size} {'above' if d > 0 else 'below'}"


# --- national cells ------------------------------------------------------------------------------------------
def _series(drug: str, measure: str) -> str:
    """'drug overdose deaths involving heroin'; 'the age-adjusted death rate for drug overdoses involving heroin'."""
    involving = "" if drug == "all_drugs" else f" involving {DRUGS[drug].title.lower()}"
    if measure == "deaths":
        return f"drug overdose deaths{involving}"
    return f"the {MEASURES[measure].title.lower()} for drug overdoses{involving}"


def _where_read(data: pd.DataFrame, c: Cell) -> str:
    """The national row's source_detail: the text, table or quotation the figure was read in."""
    return str(national(data, drug=c.drug, measure=c.measure, years=[c.year])["source_detail"].iloc[0])


def _provenance_notes(
    data: pd.DataFrame, cells: list[Cell], claim: dict, vouched: dict[tuple[str, int], tuple[str, ...]]
) -> tuple[str, ...]:
    """Where each figure read only in a secondary text was read, and which claims let it into the data."""
    notes = []
    seen: set[tuple[str, int]] = set()
    for c in cells:
        key = (c.drug, c.year)
        if key in seen:
            continue
        seen.add(key)
        title = f"{DRUGS[c.drug].title} {MEASURES[c.measure].title.lower()} for {c.year} ({c.value:,.0f})"
        others = [v for v in vouched.get(key, ()) if v != claim["claim_id"]]
        if c.is_secondary:
            notes.append(
                f"{title}: read in a text quoting the publisher (secondary). Where read: {_where_read(data, c)}"
            )
        if others:
            notes.append(
                f"{title} came into these data because claims {', '.join(others)} agree with it; it is used here as "
                "a figure, and is never counted as confirming those claims."
            )
    return tuple(notes)


def _not_independent(claim: dict, cells: list[Cell]) -> list[Cell]:
    own = vouches(claim)
    return [c for c in cells if (c.drug, c.year) in own]


# --- the checks ----------------------------------------------------------------------------------------------
def check_claim(
    claim: pd.Series | dict,
    national_data: pd.DataFrame,
    risk: Table,
    *,
    vouched: dict[tuple[str, int], tuple[str, ...]] | None = None,
) -> ClaimCheck:
    """Compute one claim's check from the national final table and the risk table.

    ``vouched`` maps (drug, year) to the claims that vouch for that figure (:func:`check_all` builds it from the
    whole file); without it only this claim's own ``vouches_for`` is known.
    """
    claim = dict(claim)
    vouched = vouched if vouched is not None else {k: (str(claim["claim_id"]),) for k in vouches(claim)}
    kind = claim["check"]
    if kind == "not_checkable":
        return ClaimCheck(claim, CANNOT_CHECK, None, "", (str(claim["note"]),), "No figure in these data applies.")
    if kind == "study_figure":
        return _study_figure(claim, risk)
    years = _years(claim)
    problems = wording_problems(claim, None, years)
    try:
        found = {
            "ratio_of_years": _ratio_of_years,
            "sum_over_years": _sum_over_years,
            "count_in_year": _count_in_year,
            "share_of_drug": _share_of_drug,
        }[kind](claim, national_data)
    except FigureUnavailable as reason:
        return ClaimCheck(
            claim,
            CANNOT_CHECK,
            None,
            "",
            (f"{reason} The claim speaks of {_year_words(years)}, so no other year is used.",),
            "A figure the check needs is missing.",
            wording_verdict=wording_verdict(problems),
            wording_problems=tuple(p for _, p in problems),
        )
    working = list(found.working)
    number = verdict(found.value, _claimed(claim), str(claim["wording"]))
    said = found.said
    circular = _not_independent(claim, found.cells)
    if circular:
        number, said = CANNOT_CHECK, ""
        names = ", ".join(f"the {c.year} {DRUGS[c.drug].title.lower()} count ({c.value:,.0f})" for c in circular)
        working.append(
            f"Not independent: {names} came into these data because this claim agrees with it (vouches_for). A "
            "figure cannot confirm the claim that let it in, so the number is not judged; the arithmetic above "
            "shows only that the two are consistent."
        )
    return ClaimCheck(
        claim,
        number,
        found.value,
        found.unit,
        tuple(working),
        WORDINGS[str(claim["wording"])],
        tuple(sorted({c.source_id for c in found.cells})),
        secondary=_provenance_notes(national_data, found.cells, claim, vouched),
        context=found.context,
        wording_verdict=wording_verdict(problems),
        wording_problems=tuple(p for _, p in problems),
        said_precisely=said,
        independent=not circular,
    )


def check_all(claims: pd.DataFrame, national_data: pd.DataFrame, risk: Table) -> list[ClaimCheck]:
    """Check every claim; first make sure every cited risk_id exists, so a typo is reported before any card."""
    known = set(risk.data["risk_id"])
    vouched: dict[tuple[str, int], tuple[str, ...]] = {}
    for i, row in enumerate(claims.to_dict("records")):
        if row["check"] == "study_figure" and row["risk_id"] not in known:
            raise ClaimFileError(
                f"claims row {i + 2} ({row['claim_id']}): risk_id {row['risk_id']!r} is not in the risk table; "
                f"known ids: {sorted(known)}"
            )
        for key in vouches(row):
            vouched[key] = (*vouched.get(key, ()), str(row["claim_id"]))
    return [check_claim(row, national_data, risk, vouched=vouched) for _, row in claims.iterrows()]


def _claimed(claim: dict) -> float:
    return float(str(claim["claimed_value"]).replace(",", ""))


def _years(claim: dict) -> tuple[int, ...]:
    if claim["check"] in ("count_in_year", "share_of_drug"):
        return (int(claim["year"]),)
    return (int(claim["start_year"]), int(claim["end_year"]))


def _year_words(years: tuple[int, ...]) -> str:
    return f"{years[0]}" if len(years) == 1 else f"{years[0]} and {years[1]}"


@dataclass(frozen=True)
class _Found:
    """What a national check computed: the value, its unit and context, the cells, working and precise words."""

    value: float
    unit: str
    context: str
    cells: list[Cell]
    working: tuple[str, ...]
    said: str


def _ratio_of_years(claim: dict, data: pd.DataFrame) -> _Found:
    drug, measure = str(claim["drug"]), str(claim["measure"])
    start, end = int(claim["start_year"]), int(claim["end_year"])
    first = cell(data, drug=drug, year=start, measure=measure)
    last = cell(data, drug=drug, year=end, measure=measure)
    ratio = last.value / first.value
    series = _series(drug, measure)
    decimals = 0 if measure == "deaths" else 1
    a, b = f"{last.value:,.{decimals}f}", f"{first.value:,.{decimals}f}"
    working = (
        f"{series.capitalize()} in {end} ÷ in {start} = {a} ÷ {b} = {ratio:.2f}.",
        verdict_line(ratio, _claimed(claim), claim["wording"], "times"),
    )
    if measure == "deaths":
        said = f"{series.capitalize()} in {end} were {ratio:.2f} times as many as in {start} ({a} against {b})."
    else:
        said = f"{series.capitalize()} in {end} was {ratio:.2f} times that in {start} ({a} against {b})."
    return _Found(ratio, "times", f"{end} vs {start}", [first, last], working, said)


def _sum_over_years(claim: dict, data: pd.DataFrame) -> _Found:
    drug, start, end = str(claim["drug"]), int(claim["start_year"]), int(claim["end_year"])
    cells = [cell(data, drug=drug, year=y, measure="deaths") for y in range(start, end + 1)]
    total = sum(c.value for c in cells)
    terms = " + ".join(f"{c.value:,.0f} ({c.year})" for c in cells)
    series = _series(drug, "deaths")
    working = (
        f"{series.capitalize()} added up over the {len(cells)} years {start}-{end}: {terms} = {total:,.0f}.",
        verdict_line(total, _claimed(claim), claim["wording"], "deaths"),
    )
    said = f"From {start} to {end}, there were {total:,.0f} {series} (the final yearly counts added up)."
    return _Found(total, "deaths", f"{start}-{end}", cells, working, said)


def _count_in_year(claim: dict, data: pd.DataFrame) -> _Found:
    drug, year = str(claim["drug"]), int(claim["year"])
    found = cell(data, drug=drug, year=year, measure="deaths")
    series = _series(drug, "deaths")
    working = (
        f"{series.capitalize()} in {year} (final national count): {found.value:,.0f}.",
        verdict_line(found.value, _claimed(claim), claim["wording"], "deaths"),
    )
    said = f"In {year}, there were {found.value:,.0f} {series} (final count)."
    return _Found(found.value, "deaths", f"in {year}", [found], working, said)


def _share_of_drug(claim: dict, data: pd.DataFrame) -> _Found:
    drug, of_drug, year = str(claim["drug"]), str(claim["of_drug"]), int(claim["year"])
    part = cell(data, drug=drug, year=year, measure="deaths")
    whole = cell(data, drug=of_drug, year=year, measure="deaths")
    share = part.value / whole.value * 100
    working = (
        f"Share in {year} = {_series(drug, 'deaths')} ÷ {_series(of_drug, 'deaths')} × 100 = "
        f"{part.value:,.0f} ÷ {whole.value:,.0f} × 100 = {share:.1f}%.",
        verdict_line(share, _claimed(claim), claim["wording"], "percent"),
    )
    said = (
        f"In {year}, {part.value:,.0f} of the {whole.value:,.0f} {_series(of_drug, 'deaths')} ({share:.1f}%) "
        f"involved {DRUGS[drug].title.lower()}."
    )
    return _Found(share, "percent", f"in {year}", [part, whole], working, said)


def _study_figure(claim: dict, risk: Table) -> ClaimCheck:
    try:
        row = risk.row(str(claim["risk_id"]))
    except KeyError as err:
        raise ClaimFileError(
            f"claim {claim['claim_id']}: risk_id {claim['risk_id']!r} is not in the risk table"
        ) from err
    value, unit = float(row["value"]), str(row["unit"])
    stat = STATISTICS[str(row["statistic"])]["label"].lower()
    src = risk.source(str(row["source_id"]))
    comparison = f" compared with {row['comparison']}" if row["comparison"] else ""
    factor = str(row["factor"])[:1].lower() + str(row["factor"])[1:]
    working = (
        f"Study figure (risk table row '{row['risk_id']}', {src.citation}): {format_number(value, unit)}, "
        f"{'an' if stat[0] in 'aeiou' else 'a'} {stat}: {factor}{comparison}, outcome: {row['outcome']}; "
        f"{row['population']}, {row['period']}.",
        verdict_line(value, _claimed(claim), claim["wording"], unit),
    )
    secondary = (
        ("The study figure was read only in texts quoting the study (secondary).",)
        if row["provenance"] == "secondary"
        else ()
    )
    problems = wording_problems(claim, row, ())
    return ClaimCheck(
        claim,
        verdict(value, _claimed(claim), claim["wording"]),
        value,
        unit,
        working,
        WORDINGS[claim["wording"]],
        risk_id=str(row["risk_id"]),
        secondary=secondary,
        context="study figure",
        wording_verdict=wording_verdict(problems),
        wording_problems=tuple(p for _, p in problems),
        said_precisely=say_it(row),
    )


def checks_table(checks: list[ClaimCheck], *, national_sources: dict[str, str], risk: Table) -> pd.DataFrame:
    """The claim checks for download: one row per claim with both verdicts, the working, the figure said
    precisely and full citations.

    ``national_sources`` maps the national table's source ids to a citation with URL.
    """
    records = []
    for c in checks:
        if c.risk_id:
            src = risk.source(str(risk.row(c.risk_id)["source_id"]))
            citation = f"{src.citation} {src.url}"
        else:
            citation = " ".join(national_sources[s] for s in c.source_ids)
        records.append(
            {
                "claim_id": c.claim_id,
                "claim": c.claim["claim"],
                "attributed_to": c.claim["attributed_to"],
                "quoted_in": c.claim["quoted_in"],
                "check": c.claim["check"],
                "claimed_value": c.claim["claimed_value"],
                "wording": c.claim["wording"],
                "computed_value": c.computed,
                "computed_unit": c.unit,
                "verdict": c.verdict,
                "number_verdict": c.number_verdict,
                "wording_verdict": c.wording_verdict,
                "wording_problems": " | ".join(c.wording_problems),
                "said_precisely": c.said_precisely,
                "rule": c.rule,
                "working": " | ".join(c.working),
                "secondary_figures": " ".join(c.secondary),
                "note": c.claim["note"],
                "risk_id": c.risk_id,
                "data_sources": citation,
            }
        )
    return pd.DataFrame.from_records(records)
