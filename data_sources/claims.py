"""Public claims about heroin and overdose, checked against the project's own tables. Pure: no I/O but reading
the claims file.

Claims live in ``snapshots/public_claims.csv`` (documented in ``snapshots/public_claims.md``), one row each, so
a teacher can add one without touching code. Its columns are the dictionary's ``PUBLIC_CLAIMS`` schema;
:func:`load` returns it as a :class:`~data_sources.schema.Table` registered in :mod:`data_sources.catalog`.

Each row names a *check type* and its parameters; the value is always computed here from the national final
table (``nchs_national_final``) or read from the risk table row the claim cites (``risk``), never typed into the
claims file. Only the claimed number is typed, because it is what the claim says.

Check types (``check``):

``ratio_of_years``  deaths of ``drug`` in ``end_year`` / deaths in ``start_year``; claimed value in "times".
``sum_over_years``  deaths of ``drug`` added up over every year ``start_year``..``end_year`` (refuses a gap).
``count_in_year``   deaths of ``drug`` in ``end_year``.
``share_of_drug``   deaths of ``drug`` / deaths of ``of_drug`` in percent, for each year ``start_year``..
                    ``end_year`` where both exist; the verdict is for ``end_year``, and the years where the
                    claim holds are listed.
``study_figure``    the value of risk table row ``risk_id`` (times or percent, as that row's unit).
``not_checkable``   no figure in these data can check it; the note says why.

Verdict rule (``wording`` says how the claim is phrased; d = (computed - claimed) / claimed):

``about``      supported if |d| <= 5%; close if |d| <= 15%; otherwise not supported.
``more_than``  supported if computed > claimed; close if |d| <= 15%; otherwise not supported.
``nearly``     supported if -5% <= d <= 0 (at or a little under the claimed number); close if |d| <= 15%;
               otherwise not supported.

A check whose figure is missing from the table gets "cannot check with these data", with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from data_sources.dictionary import DRUGS, PUBLIC_CLAIMS
from data_sources.export import read_csv_bytes
from data_sources.query import Cell, FigureUnavailable, cell
from data_sources.risk import STATISTICS
from data_sources.schema import SchemaError, Table
from data_sources.schema import validate as validate_schema
from data_sources.snapshot import SNAPSHOT_DIR

TABLE = "public_claims"
CLAIMS_FILE = SNAPSHOT_DIR / f"{TABLE}.csv"

SUPPORTED, CLOSE, NOT_SUPPORTED, CANNOT_CHECK = "supported", "close", "not supported", "cannot check with these data"
VERDICTS = (SUPPORTED, CLOSE, NOT_SUPPORTED, CANNOT_CHECK)

#: Relative distance from the claimed number: within TOLERANCE = supported (for "about"), within CLOSE_BAND = close.
TOLERANCE = 0.05
CLOSE_BAND = 0.15

CHECKS: dict[str, tuple[str, ...]] = {
    # check type -> the columns it needs
    "ratio_of_years": ("drug", "start_year", "end_year", "claimed_value", "wording"),
    "sum_over_years": ("drug", "start_year", "end_year", "claimed_value", "wording"),
    "count_in_year": ("drug", "end_year", "claimed_value", "wording"),
    "share_of_drug": ("drug", "of_drug", "start_year", "end_year", "claimed_value", "wording"),
    "study_figure": ("risk_id", "claimed_value", "wording"),
    "not_checkable": ("note",),
}

WORDINGS: dict[str, str] = {
    "about": f"supported if within {TOLERANCE:.0%} of the claimed number; close if within {CLOSE_BAND:.0%}; "
    "otherwise not supported",
    "more_than": f"supported if above the claimed number; close if within {CLOSE_BAND:.0%} of it; otherwise not "
    "supported",
    "nearly": f"supported if at the claimed number or up to {TOLERANCE:.0%} under it; close if within "
    f"{CLOSE_BAND:.0%} either side; otherwise not supported",
}

CLAIM_COLUMNS: tuple[str, ...] = tuple(PUBLIC_CLAIMS.columns)


class ClaimFileError(SchemaError):
    """The claims file breaks its rules; the message names the row and what to fix."""


@dataclass(frozen=True)
class ClaimCheck:
    """One claim with the number the data give, the verdict, and the working a reader can follow."""

    claim: dict[str, object]
    verdict: str
    computed: float | None
    unit: str
    working: tuple[str, ...]
    rule: str
    source_ids: tuple[str, ...] = ()  # national-table sources used
    risk_id: str = ""
    secondary: tuple[str, ...] = ()  # which figures were read only in secondary texts
    per_year: pd.DataFrame | None = field(default=None, compare=False)
    holds_in: tuple[int, ...] = ()
    context: str = ""  # what the computed number is: "2019 vs 1999", "in 2019", "1999-2019", "study figure"

    @property
    def claim_id(self) -> str:
        return str(self.claim["claim_id"])

    def computed_label(self) -> str:
        if self.computed is None:
            return "no number from these data"
        return format_number(self.computed, self.unit) + (f" ({self.context})" if self.context else "")


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
    wording and drug keys (:func:`data_sources.schema.validate`); then the parameters each check needs, whole
    years in order, a positive claimed number. Cells are read as typed, without surrounding spaces."""
    text = frame.astype(object).where(frame.notna(), "").astype(str).apply(lambda col: col.str.strip())
    try:
        out = validate_schema(text, PUBLIC_CLAIMS, table=name)
    except SchemaError as err:
        raise ClaimFileError(str(err)) from err
    for i, row in enumerate(out.to_dict("records")):
        where = f"{name} row {i + 2} ({row['claim_id']})"  # +2: header line, 1-based
        for col in CHECKS[row["check"]]:
            if not row[col]:
                raise ClaimFileError(f"{where}: check {row['check']!r} needs column {col!r}")
        for col in ("start_year", "end_year"):
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
    return out


# --- verdicts ------------------------------------------------------------------------------------------------
def verdict(computed: float, claimed: float, wording: str) -> str:
    """The verdict for a computed number against a claimed one, by the rule in the module docstring."""
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
        return SUPPORTED
    return CLOSE if abs(d) <= CLOSE_BAND else NOT_SUPPORTED


def verdict_line(computed: float, claimed: float, wording: str, unit: str) -> str:
    d = (computed - claimed) / claimed
    phrase = {"about": "about", "more_than": "more than", "nearly": "nearly"}[wording]
    return (
        f"Claim: {phrase} {format_number(claimed, unit)}. Computed {format_number(computed, unit)}, "
        f'{_distance(d)} the claimed number. Rule for "{phrase}": '
        f"{WORDINGS[wording]}. Verdict: {verdict(computed, claimed, wording)}."
    )


def _distance(d: float) -> str:
    if d == 0:
        return "equal to"
    size = "less than 0.1%" if abs(d) < 0.001 else f"{abs(d):.1%}"
    return f"{size} {'above' if d > 0 else 'below'}"


# --- national cells ------------------------------------------------------------------------------------------
def _secondary_note(cells: list[Cell], drug: str) -> tuple[str, ...]:
    years = [c.year for c in cells if c.is_secondary]
    if not years:
        return ()
    return (
        f"{DRUGS[drug].title} deaths for {', '.join(map(str, years))}: read in texts quoting CDC or NIDA "
        "(secondary), because the primary table was not reachable.",
    )


# --- the checks ----------------------------------------------------------------------------------------------
def check_claim(claim: pd.Series | dict, national: pd.DataFrame, risk: Table) -> ClaimCheck:
    """Compute one claim's check from the national final table and the risk table."""
    claim = dict(claim)
    kind = claim["check"]
    if kind == "not_checkable":
        return ClaimCheck(claim, CANNOT_CHECK, None, "", (str(claim["note"]),), "No figure in these data applies.")
    if kind == "study_figure":
        return _study_figure(claim, risk)
    try:
        return {
            "ratio_of_years": _ratio_of_years,
            "sum_over_years": _sum_over_years,
            "count_in_year": _count_in_year,
            "share_of_drug": _share_of_drug,
        }[kind](claim, national)
    except FigureUnavailable as reason:
        return ClaimCheck(claim, CANNOT_CHECK, None, "", (str(reason),), "A figure the check needs is missing.")


def check_all(claims: pd.DataFrame, national: pd.DataFrame, risk: Table) -> list[ClaimCheck]:
    """Check every claim; first make sure every cited risk_id exists, so a typo is reported before any card."""
    known = set(risk.data["risk_id"])
    for i, row in enumerate(claims.to_dict("records")):
        if row["check"] == "study_figure" and row["risk_id"] not in known:
            raise ClaimFileError(
                f"claims row {i + 2} ({row['claim_id']}): risk_id {row['risk_id']!r} is not in the risk table; "
                f"known ids: {sorted(known)}"
            )
    return [check_claim(row, national, risk) for _, row in claims.iterrows()]


def _claimed(claim: dict) -> float:
    return float(str(claim["claimed_value"]).replace(",", ""))


def _ratio_of_years(claim: dict, data: pd.DataFrame) -> ClaimCheck:
    drug, start, end = claim["drug"], int(claim["start_year"]), int(claim["end_year"])
    first, last = cell(data, drug=drug, year=start), cell(data, drug=drug, year=end)
    ratio = last.value / first.value
    title = DRUGS[drug].title.lower()
    working = (
        f"{title.capitalize()} deaths in {end} ÷ {title} deaths in {start} = {last.value:,.0f} ÷ {first.value:,.0f} "
        f"= {ratio:.2f}.",
        verdict_line(ratio, _claimed(claim), claim["wording"], "times"),
    )
    return ClaimCheck(
        claim,
        verdict(ratio, _claimed(claim), claim["wording"]),
        ratio,
        "times",
        working,
        WORDINGS[claim["wording"]],
        tuple(sorted({first.source_id, last.source_id})),
        secondary=_secondary_note([first, last], drug),
        context=f"{end} vs {start}",
    )


def _sum_over_years(claim: dict, data: pd.DataFrame) -> ClaimCheck:
    drug, start, end = claim["drug"], int(claim["start_year"]), int(claim["end_year"])
    cells = [cell(data, drug=drug, year=y) for y in range(start, end + 1)]
    total = sum(c.value for c in cells)
    terms = " + ".join(f"{c.value:,.0f} ({c.year})" for c in cells)
    working = (
        f"{DRUGS[drug].title} deaths added up over the {len(cells)} years {start}-{end}: {terms} = {total:,.0f}.",
        verdict_line(total, _claimed(claim), claim["wording"], "deaths"),
    )
    return ClaimCheck(
        claim,
        verdict(total, _claimed(claim), claim["wording"]),
        total,
        "deaths",
        working,
        WORDINGS[claim["wording"]],
        tuple(sorted({c.source_id for c in cells})),
        secondary=_secondary_note(cells, drug),
        context=f"{start}-{end}",
    )


def _count_in_year(claim: dict, data: pd.DataFrame) -> ClaimCheck:
    drug, year = claim["drug"], int(claim["end_year"])
    found = cell(data, drug=drug, year=year)
    working = (
        f"{DRUGS[drug].title} deaths in {year} (final national count): {found.value:,.0f}.",
        verdict_line(found.value, _claimed(claim), claim["wording"], "deaths"),
    )
    return ClaimCheck(
        claim,
        verdict(found.value, _claimed(claim), claim["wording"]),
        found.value,
        "deaths",
        working,
        WORDINGS[claim["wording"]],
        (found.source_id,),
        secondary=_secondary_note([found], drug),
        context=f"in {year}",
    )


def _share_of_drug(claim: dict, data: pd.DataFrame) -> ClaimCheck:
    drug, of_drug = claim["drug"], claim["of_drug"]
    start, end = int(claim["start_year"]), int(claim["end_year"])
    claimed, wording = _claimed(claim), claim["wording"]
    rows, gaps, cells = [], [], []
    for year in range(start, end + 1):
        try:
            part, whole = cell(data, drug=drug, year=year), cell(data, drug=of_drug, year=year)
        except FigureUnavailable as reason:
            gaps.append(f"{year} ({reason})")
            continue
        cells += [part, whole]
        share = part.value / whole.value * 100
        rows.append(
            {
                "year": year,
                "part": part.value,
                "whole": whole.value,
                "share_pct": share,
                "verdict": verdict(share, claimed, wording),
            }
        )
    per_year = pd.DataFrame(rows, columns=["year", "part", "whole", "share_pct", "verdict"])
    holds = tuple(int(y) for y in per_year.loc[per_year["verdict"] == SUPPORTED, "year"])
    close = [int(y) for y in per_year.loc[per_year["verdict"] == CLOSE, "year"]]
    name, of_name = DRUGS[drug].title.lower(), DRUGS[of_drug].title.lower()
    lines = [f"Share = {name} deaths ÷ {of_name} deaths × 100, for each year with both counts:"]
    lines += [f"{r.year}: {r.part:,.0f} ÷ {r.whole:,.0f} = {r.share_pct:.1f}%" for r in per_year.itertuples()]
    if gaps:
        lines.append("Years left out: " + "; ".join(gaps))
    lines.append(
        f"The claim holds (by the rule) in: {', '.join(map(str, holds)) or 'no year'}; close in: "
        f"{', '.join(map(str, close)) or 'no year'}."
    )
    found = per_year[per_year["year"] == end]
    if found.empty:
        lines.append(f"No share can be computed for {end}, the year the verdict is for.")
        return ClaimCheck(
            claim,
            CANNOT_CHECK,
            None,
            "percent",
            tuple(lines),
            WORDINGS[wording],
            tuple(sorted({c.source_id for c in cells})),
            per_year=per_year,
            holds_in=holds,
        )
    share = float(found["share_pct"].iloc[0])
    lines.append(f"For {end}: " + verdict_line(share, claimed, wording, "percent"))
    used = [c for c in cells if c.year == end]
    return ClaimCheck(
        claim,
        verdict(share, claimed, wording),
        share,
        "percent",
        tuple(lines),
        WORDINGS[wording],
        tuple(sorted({c.source_id for c in cells})),
        secondary=_secondary_note([c for c in used if c.is_secondary], drug),
        per_year=per_year,
        holds_in=holds,
        context=f"in {end}",
    )


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
    )


def checks_table(checks: list[ClaimCheck], *, national_sources: dict[str, str], risk: Table) -> pd.DataFrame:
    """The claim checks for download: one row per claim with the working and full citations.

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
                "rule": c.rule,
                "working": " | ".join(c.working),
                "secondary_figures": " ".join(c.secondary),
                "note": c.claim["note"],
                "risk_id": c.risk_id,
                "data_sources": citation,
            }
        )
    return pd.DataFrame.from_records(records)
