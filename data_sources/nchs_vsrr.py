"""CDC VSRR Provisional Drug Overdose Death Counts (data.cdc.gov ``xkb8-kh2a``), into the tidy contract.

Provisional counts of drug overdose deaths for the 12 months ending in each month from January 2015, for
every state, DC, New York City (CDC's ``YC``, reported apart from New York State) and the nation, by drug.
Each value is a **12-month-ending** count: consecutive months overlap by 11 months, so they must never be
summed or averaged; compare a period with the same period a year earlier. Rows carry two figures: the reported
count (``deaths``) and NCHS's ``predicted_deaths`` (adjusted for records still pending investigation). The
percent of records complete and pending investigation are kept as their own measures.

Every row is flagged ``provisional``. Empty values become flags from the footnote, never zeros:
"Data suppressed (<10)" -> ``suppressed``, "low data quality" -> ``low_quality``; "Underreported due to
incomplete data" adds ``underreported``. A withheld figure's ``source_detail`` quotes the footnote, so the
publisher's rule (fewer than 10 deaths) stays with the row.
"""

from __future__ import annotations

import calendar

import pandas as pd

from data_sources import freshness, socrata
from data_sources.geography import place
from data_sources.schema import SchemaError, Source, Table, conform, join_flags

TABLE = "vsrr_provisional"
DATASET_ID = "xkb8-kh2a"

SOURCE = Source(
    id="nchs_vsrr_xkb8_kh2a",
    title="VSRR Provisional Drug Overdose Death Counts",
    publisher="CDC, National Center for Health Statistics (NVSS Vital Statistics Rapid Release)",
    url="https://data.cdc.gov/d/xkb8-kh2a",
    license="Public domain (U.S. Government work)",
    citation="Ahmad FB, Cisewski JA, Rossen LM, Sutton P. Provisional drug overdose death counts. National "
    "Center for Health Statistics. Vital Statistics Rapid Release (data.cdc.gov xkb8-kh2a).",
    dataset_id=DATASET_ID,
    update_days=31,  # NCHS updates the counts monthly
)
SOURCES = (SOURCE,)

#: CSV export header -> SODA JSON field.
CSV_FIELDS = {
    "State": "state",
    "Year": "year",
    "Month": "month",
    "Period": "period",
    "Indicator": "indicator",
    "Data Value": "data_value",
    "Percent Complete": "percent_complete",
    "Percent Pending Investigation": "percent_pending_investigation",
    "State Name": "state_name",
    "Footnote": "footnote",
    "Footnote Symbol": "footnote_symbol",
    "Predicted Value": "predicted_value",
}
FIELDS: tuple[str, ...] = (
    "state",
    "year",
    "month",
    "period",
    "indicator",
    "data_value",
    "predicted_value",
    "percent_complete",
    "percent_pending_investigation",
    "footnote",
    "footnote_symbol",
)
#: Fields every record must carry: without them a row has no place, period or drug.
KEYS: tuple[str, ...] = ("state", "year", "month", "period", "indicator")
#: Fields SODA may leave out of every record (it omits nulls), e.g. when no row has a note.
OPTIONAL: tuple[str, ...] = ("footnote", "footnote_symbol")

#: CDC's footnote symbols and the flag each one means. ``*``: "Underreported due to incomplete data."; ``**``:
#: "Numbers may differ from published reports using final data" (every provisional row is flagged provisional
#: anyway). A symbol not listed here refuses the response: a new mark must be read, never dropped.
FOOTNOTE_SYMBOLS: dict[str, str | None] = {"": None, "*": "underreported", "**": None}

#: VSRR indicator -> (drug key, measure of ``data_value``).
INDICATORS: dict[str, tuple[str, str]] = {
    "Number of Drug Overdose Deaths": ("all_drugs", "deaths"),
    "Number of Deaths": ("all_causes", "deaths"),
    "Percent with drugs specified": ("all_drugs", "percent_drug_specified_pct"),
    "Opioids (T40.0-T40.4,T40.6)": ("any_opioid", "deaths"),
    "Heroin (T40.1)": ("heroin", "deaths"),
    "Natural & semi-synthetic opioids (T40.2)": ("rx_opioids", "deaths"),
    "Natural & semi-synthetic opioids, incl. methadone (T40.2, T40.3)": ("rx_opioids_incl_methadone", "deaths"),
    "Natural, semi-synthetic, & synthetic opioids, incl. methadone (T40.2-T40.4)": (
        "rx_and_synthetic_opioids",
        "deaths",
    ),
    "Methadone (T40.3)": ("methadone", "deaths"),
    "Synthetic opioids, excl. methadone (T40.4)": ("synthetic_opioids", "deaths"),
    "Cocaine (T40.5)": ("cocaine", "deaths"),
    "Psychostimulants with abuse potential (T43.6)": ("psychostimulants", "deaths"),
}
MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
PERIOD = "12 month-ending"


def tidy(records: list[dict]) -> pd.DataFrame:
    """SODA JSON records (values as strings) -> the tidy contract. Only 12-month-ending rows are kept."""
    raw = socrata.records_frame(records, FIELDS, DATASET_ID, keys=KEYS, optional=OPTIONAL)
    raw = raw[raw["period"] == PERIOD]
    unknown = sorted(set(raw["indicator"]) - set(INDICATORS))
    if unknown:
        raise SchemaError(f"{DATASET_ID}: unknown indicators {unknown}; map them in nchs_vsrr.INDICATORS")
    rows = []
    for number, rec in enumerate(raw.to_dict("records")):
        level, code, name = place(rec["state"])
        year, month = socrata.parse_whole(rec["year"], f"{DATASET_ID}: record {number} year"), _month(rec["month"])
        drug, measure = INDICATORS[rec["indicator"]]
        note = str(rec.get("footnote") or "")
        where = f"data.cdc.gov {DATASET_ID}, {rec['indicator']}, 12 months ending {calendar.month_name[month]} {year}"
        base = {
            "source_id": SOURCE.id,
            "geo_level": level,
            "geo_code": code,
            "geo_name": name,
            "year": year,
            "period_end_date": f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}",
            "period_months": 12,
            "drug": drug,
            "sex": "all",
            "age_group": "all",
            "race_ethnicity": "all",
            "value_lower": None,
            "value_upper": None,
            "provenance": "primary",
            "source_detail": where,
        }
        underreported = _symbol_flag(rec.get("footnote_symbol")) or (
            "underreported" if "underreported" in note.lower() else None
        )
        value = socrata.parse_number(rec["data_value"])
        rows.append(
            {
                **base,
                "measure": measure,
                "value": value,
                "value_flag": join_flags("provisional", underreported, _why_missing(value, note)),
                "source_detail": _detail(where, value, note),
            }
        )
        predicted = socrata.parse_number(rec["predicted_value"])
        if measure == "deaths" and (predicted is not None or value is None):
            rows.append(
                {
                    **base,
                    "measure": "predicted_deaths",
                    "value": predicted,
                    "value_flag": join_flags("provisional", "predicted", underreported, _why_missing(predicted, note)),
                    "source_detail": _detail(where, predicted, note),
                }
            )
        if rec["indicator"] == "Number of Drug Overdose Deaths":  # once per place and period
            for field, quality in (
                ("percent_complete", "percent_complete_pct"),
                ("percent_pending_investigation", "percent_pending_investigation_pct"),
            ):
                share = socrata.parse_number(rec[field])
                if share is not None:
                    rows.append({**base, "measure": quality, "value": share, "value_flag": "provisional"})
    return conform(pd.DataFrame(rows), table=TABLE)


def load() -> Table:
    """The freshest good copy: the refreshed cache if valid, else the bundled snapshot (with a notice)."""
    return freshness.load_freshest(TABLE, SOURCES)


def _detail(where: str, value: float | None, footnote: str) -> str:
    """Where the figure was read; for a withheld figure, with the publisher's footnote that says why."""
    return f'{where}; footnote: "{footnote.strip()}"' if value is None and footnote.strip() else where


def _symbol_flag(symbol: object) -> str | None:
    """The flag CDC's footnote symbol stands for; SchemaError naming the symbol for one not in the vocabulary."""
    text = "" if symbol is None or (isinstance(symbol, float) and pd.isna(symbol)) else str(symbol).strip()
    if text not in FOOTNOTE_SYMBOLS:
        raise SchemaError(
            f"{DATASET_ID}: unknown footnote symbol {text!r}; known symbols: {sorted(FOOTNOTE_SYMBOLS)}. "
            "Map it in nchs_vsrr.FOOTNOTE_SYMBOLS before using this response."
        )
    return FOOTNOTE_SYMBOLS[text]


def _why_missing(value: float | None, footnote: str) -> str | None:
    if value is not None:
        return None
    note = footnote.lower()
    if "suppressed" in note:
        return "suppressed"
    if "low data quality" in note:
        return "low_quality"
    return "missing"


def _month(text: object) -> int:
    label = str(text).strip()
    if label.isdigit() and 1 <= int(label) <= 12:
        return int(label)
    if label.title() not in MONTHS:
        raise SchemaError(f"{DATASET_ID}: unknown month {label!r}")
    return MONTHS[label.title()]
