"""Words beside the charts: plain-language summaries, source and as-of lines, and labels.

Every sentence is computed from the rows it describes (first, latest and highest values, ranks, what was
left out), so it cannot drift from the chart. The summary lines are also each chart's alt text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from app.charts.style import DRUG_ORDER, wrap
from app.rows import demographic_rows, group_order, national_series, state_trend_rows, upload_rows
from app.stats import rank_places, short_unit
from data_sources.dictionary import DRUGS, MEASURES, drug_title, measure_unit
from data_sources.risk import QUESTIONS
from data_sources.schema import Table, has_flag
from data_sources.trends import LeftOut, NoTrend, TrendFit, method_words

OPIOID_WAVES_SOURCE = (
    "Waves: CDC, Understanding the Opioid Overdose Epidemic, "
    "https://www.cdc.gov/overdose-prevention/about/understanding-the-opioid-overdose-epidemic.html"
)


# Every ASCII punctuation mark CommonMark lets a backslash escape, plus Streamlit's own markers (":" starts
# :red[...] and :material/...: directives, "$" starts LaTeX).
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~:$&\"'=^%@,;/?")


def literal(text: object) -> str:
    """``text`` made safe to put inside Streamlit markdown: shown exactly as written, never rendered.

    For anything a reader supplied (an uploaded file's name, its footer, its dataset title) or that quotes it
    (an error naming a bad cell): a name like ``![x](http://tracker)`` must print as those characters, not
    load an image from outside. Line breaks become spaces so the text cannot start a heading or a list.
    """
    flat = " ".join(str(text).split())
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in flat)


def source_line(table: Table, data: pd.DataFrame | None = None) -> str:
    """'Source: ...' for the sources actually present in ``data`` (default: the whole table), then which years
    the rows cover and whether they are final or provisional, when the publisher released them (where a cited
    date is known), and when this copy was taken."""
    rows = table.data if data is None else data
    used = set(rows["source_id"]) if "source_id" in rows else {s.id for s in table.sources}
    sources = [s for s in table.sources if s.id in used]
    names = [f"{s.publisher}, [{s.title}]({s.url})" for s in sources]
    parts = ["Source: " + "; ".join(names) + "."]
    if "year" in rows and rows["year"].notna().any():
        lo, hi = int(rows["year"].min()), int(rows["year"].max())
        span = str(lo) if lo == hi else f"{lo}-{hi}"
        kind = "Provisional" if has_flag(rows["value_flag"].fillna(""), "provisional").any() else "Final"
        if "value_flag" not in rows or table.schema.name != "tidy":
            kind = "Figures"
        released = [f"{s.publisher.split(',')[0]} released {release_date(s.released)}" for s in sources if s.released]
        parts.append(f"{kind} data for {span}" + (f" ({'; '.join(dict.fromkeys(released))})" if released else "") + ".")
    if any(s.copy_from for s in sources):
        parts.append("Copied from a public mirror of the publisher's file (see About the data).")
    return " ".join([*parts, as_of_line(table)])


def release_date(text: str) -> str:
    """'2021-12-30' -> '30 Dec 2021'; '2021-12' -> 'Dec 2021'; '2021' -> '2021'."""
    if len(text) == 10:
        return f"{pd.Timestamp(text):%d %b %Y}"
    if len(text) == 7:
        return f"{pd.Timestamp(text + '-01'):%b %Y}"
    return text


def as_of_line(table: Table) -> str:
    """'Figures as of 22 Nov 2026 (the copy that ships with this dashboard).': when the figures were taken and
    from where, in plain words."""
    where = "the copy that ships with this dashboard" if table.from_snapshot else "fetched from CDC"
    return f"Figures as of {table.retrieved_at:%d %b %Y} ({where})."


def drug_label(drug: str) -> str:
    """Widget label for a drug key."""
    return drug_title(drug)


def has_secondary(rows: pd.DataFrame) -> bool:
    """Whether any shown row was read from a secondary text (so the chart's hollow markers need a key)."""
    return bool(has_flag(rows["value_flag"], "secondary_source").any()) if not rows.empty else False


def cell_citation(table: Table, cells: Iterable) -> str:
    """Full citations of the sources behind some cells (objects with ``source_id``), in table order."""
    used = {c.source_id for c in cells}
    return " ".join(s.citation + f" {s.url}" for s in table.sources if s.id in used)


def cell_source_note(table: Table, cells: Iterable) -> str:
    """Short 'Source: ...' for a headline card, naming secondary figures by year."""
    cells = list(cells)
    used = {c.source_id for c in cells}
    names = "; ".join(f"[{s.title}]({s.url})" for s in table.sources if s.id in used)
    secondary = sorted({c.year for c in cells if "secondary_source" in c.flags})
    note = f"Source: {names}."
    if secondary:
        note += f" Figures for {', '.join(map(str, secondary))} were read in texts quoting CDC (see About the data)."
    return note


def trend_summary(
    data: pd.DataFrame, *, drugs: Iterable[str], measure: str = "deaths", years: tuple[int, int] | None = None
) -> list[str]:
    """Plain-language sentences describing a trend chart: first and latest value, peak, per drug."""
    rows = national_series(data, drugs=list(drugs), measure=measure, years=years).dropna(subset=["value"])
    unit = "deaths" if measure == "deaths" else measure_unit(measure)
    fmt = "{:,.0f}" if measure == "deaths" else "{:,.1f}"
    sentences = []
    for drug in [d for d in DRUG_ORDER if d in set(rows["drug"])]:
        s = rows[rows["drug"] == drug]
        first, last = s.iloc[0], s.iloc[-1]
        peak = s.loc[s["value"].astype(float).idxmax()]
        text = (
            f"{DRUGS[drug].title}: {fmt.format(first['value'])} in {first['year']}, "
            f"{fmt.format(last['value'])} in {last['year']} ({unit})"
        )
        if peak["year"] not in (last["year"],):
            text += f"; highest {fmt.format(peak['value'])} in {peak['year']}"
        sentences.append(text + ".")
    return sentences


def upper_first(text: str) -> str:
    """First letter upper case, the rest untouched ("deaths per ... US standard"; str.capitalize would write "us")."""
    return text[:1].upper() + text[1:]


FLAGS_SHORT = {
    "suppressed": "Suppressed: fewer than 10 deaths",
    "unreliable": "Unreliable: too few deaths for a stable rate",
    "low_quality": "Not shown: low data quality",
    "underreported": "Underreported",
    "missing": "Not reported",
    "not_applicable": "Not applicable",
    "predicted": "Predicted",
    "computed_interval": "95% interval computed by this site from the death count, as NCHS does",
    "secondary_source": "Read in a text quoting CDC or NIDA",
    "may_be_underestimated": "May be too low: NCHS warns many deaths were still pending or coded R99",
}

COMPUTED_INTERVAL_NOTE = (
    "NCHS's state file gives no confidence interval for 2018 onward, so this site computed the 95% interval from "
    "the number of deaths the way NCHS does (rate ± 1.96 × rate / √deaths from 100 deaths up; a gamma interval "
    "below 100)."
)


def state_map_summary(rows: pd.DataFrame, *, measure: str, nation: pd.Series | None = None) -> list[str]:
    """Plain-language sentences for the map and tile grid: highest and lowest ranked states, what is left out,
    and the national figure."""
    ranked = rank_places(rows)
    ok = ranked[ranked["status"] == "Ranked"]
    unit = short_unit(measure)
    sentences = []
    if not ok.empty:
        top, low = ok.iloc[0], ok.iloc[-1]
        sentences.append(f"Highest: {top['geo_name']}, {top['value']:,.1f} {unit}.")
        sentences.append(f"Lowest: {low['geo_name']}, {low['value']:,.1f} {unit}.")
        sentences.append(f"{len(ok)} places (states and DC) are ranked; darker colours mean higher rates.")
    left_out = ranked[ranked["status"] != "Ranked"]
    if not left_out.empty:
        names = "; ".join(f"{r['geo_name']} ({str(r['status']).lower()})" for r in left_out.to_dict("records"))
        sentences.append(f"Not ranked: {names}.")
    if nation is not None and not pd.isna(nation["value"]):
        sentences.append(f"United States as a whole: {nation['value']:,.1f} {unit}.")
    return sentences


def state_trend_summary(
    data: pd.DataFrame, *, geo_codes: Sequence[str], measure: str, drug: str = "all_drugs", include_nation: bool = True
) -> list[str]:
    """Per place: first and latest value on the chart, and how many values are withheld."""
    rows = state_trend_rows(data, geo_codes=geo_codes, measure=measure, drug=drug, include_nation=include_nation)
    unit = short_unit(measure)
    fmt = "{:,.0f}" if measure in ("deaths", "predicted_deaths") else "{:,.1f}"
    monthly = bool((rows["period_end_date"].dt.month != 12).any())

    def when(r: pd.Series) -> str:
        return f"the 12 months ending {r['period_end_date']:%B %Y}" if monthly else str(int(r["year"]))

    sentences = []
    for code in dict.fromkeys([*geo_codes, "US"]):
        part = rows[rows["geo_code"] == code]
        if part.empty:
            continue
        known = part.dropna(subset=["value"])
        name = str(part["geo_name"].iloc[0])
        if known.empty:
            sentences.append(f"{name}: every value is withheld.")
            continue
        first, last = known.iloc[0], known.iloc[-1]
        text = (
            f"{name}: {fmt.format(first['value'])} in {when(first)}, "
            f"{fmt.format(last['value'])} in {when(last)} ({unit})"
        )
        if len(known) < len(part):
            text += f"; {len(part) - len(known)} value(s) withheld"
        sentences.append(text + ".")
    return sentences


def group_label(group: str, by: str) -> str:
    """Reader-facing name of a breakdown group: "Female", "Ages 25-34", or the race group as NCHS names it."""
    if by == "sex":
        return str(group).capitalize()
    if by == "age_group":
        return f"Ages {group}"
    return str(group)


def demographics_summary(
    data: pd.DataFrame, *, drug: str, by: str, measure: str, years: tuple[int, int] | None = None
) -> list[str]:
    """Per group: latest value and year; then which group was highest in the latest year all groups share."""
    rows = demographic_rows(data, drug=drug, by=by, measure=measure, years=years).dropna(subset=["value"])
    unit = short_unit(measure)
    sentences = []
    for group in group_order(rows[by], by):
        part = rows[rows[by] == group]
        first, last = part.iloc[0], part.iloc[-1]
        text = f"{group_label(group, by)}: {last['value']:,.1f} in {last['year']}"
        if first["year"] != last["year"]:
            text += f" (was {first['value']:,.1f} in {first['year']})"
        sentences.append(text + ".")
    if not rows.empty:
        latest = int(rows["year"].max())
        at_latest = rows[rows["year"] == latest]
        if len(at_latest) > 1:
            top = at_latest.loc[at_latest["value"].astype(float).idxmax()]
            group = group_label(str(top[by]), by)
            text = f"In {latest} the highest rate was in the group {group}: {top['value']:,.1f} {unit}"
            # A group whose 95% interval overlaps the top group's is not clearly lower (the project's rule for
            # comparing rates), so "highest" is said with it.
            if pd.notna(top["value_lower"]):
                others = at_latest[(at_latest[by] != top[by]) & (at_latest["value_upper"] >= top["value_lower"])]
                if not others.empty:
                    close = " and ".join(
                        f"{group_label(str(r[by]), by)} ({r['value']:,.1f})" for r in others.to_dict("records")
                    )
                    text += f", but {close} {'is' if len(others) == 1 else 'are'} not clearly different (the 95% "
                    text += "intervals overlap)"
            sentences.append(text + ".")
    return sentences


#: How a claim's verdict (claims.VERDICTS) is shown: a Material icon and a word; colour is never the only signal.
#: A matching number in loose or overstated words is not green: the claim as said is not right.
VERDICT_BADGES: dict[str, tuple[str, str]] = {
    "supported": (":material/check_circle:", "green"),
    "number matches, wording imprecise": (":material/edit_note:", "blue"),
    "number matches, wording overstates": (":material/warning:", "orange"),
    "close": (":material/change_history:", "orange"),
    "not supported": (":material/cancel:", "red"),
    "cannot check with these data": (":material/help:", "gray"),
}


def risk_chart_summary(rows: pd.DataFrame) -> list[str]:
    """Plain-language sentences for the risk chart: per question, the figures from highest to lowest."""
    sentences = []
    for question in [q for q in QUESTIONS if q in set(rows["question"])]:
        group = rows[rows["question"] == question].sort_values("value", ascending=False)
        parts = [f"{row['factor']} ({row['outcome']}): {float(row['value']):g} times" for _, row in group.iterrows()]
        sentences.append(f"**{QUESTIONS[question]}** From highest to lowest: " + "; ".join(parts) + ".")
    return sentences


def risk_figure_label(row: pd.Series) -> str:
    """'19×: people who used prescription pain relievers non-medically (started heroin)' for a picker."""
    value = f"{row['value']:g}{'×' if row['unit'] == 'times' else '%'}"
    return f"{value}: {row['factor']} ({row['outcome']})"


def risk_source_line(table: Table, rows: pd.DataFrame | None = None) -> str:
    """'Sources: ...' for the studies behind the shown risk rows , with the snapshot date."""
    rows = table.data if rows is None else rows
    used = set(rows["source_id"])
    names = [f"{s.citation.split('.')[0]} ({s.publisher}), [{s.title}]({s.url})" for s in table.sources if s.id in used]
    return "Sources: " + "; ".join(names) + f". Figures as read on {table.retrieved_at:%d %b %Y} (bundled)."


def upload_chart_summary(rows: pd.DataFrame, *, measure: str, series: Sequence[str]) -> list[str]:
    """Plain-language sentences for the upload chart: per series, first and latest value, and how many are
    withheld."""
    shown = upload_rows(rows, measure=measure, series=series)
    fmt = "{:,.0f}" if measure in ("deaths", "population") else "{:,.1f}"
    x_col = "period_end_date" if bool((shown["period_months"] == 1).any()) else "year"
    sentences = []
    for name in series:
        part = shown[shown["series"] == name].sort_values(x_col)
        known = part.dropna(subset=["value"])
        withheld = len(part) - len(known)
        when = (lambda r: f"{r[x_col]:%b %Y}") if x_col == "period_end_date" else (lambda r: str(r["year"]))
        if known.empty:
            text = f"{name}: no value given ({withheld} withheld or not applicable)"
        elif len(known) == 1:
            text = f"{name}: {fmt.format(known.iloc[0]['value'])} in {when(known.iloc[0])}"
        else:
            first, last = known.iloc[0], known.iloc[-1]
            text = f"{name}: {fmt.format(first['value'])} in {when(first)}, {fmt.format(last['value'])} in {when(last)}"
        if withheld and not known.empty:
            text += f"; {withheld} value(s) withheld by CDC (suppressed, unreliable or not applicable)"
        sentences.append(text + ".")
    return sentences


def upload_source_line(table: Table) -> str:
    """'Source: ...' for an uploaded export: its dataset, its query date and its suggested citation."""
    src = table.sources[0]
    # The title and citation come from the reader's file, so they are printed, not rendered.
    return (
        f"Source: your upload of a {src.publisher} export, {literal(src.title)} ({src.url}); query of "
        f"{table.retrieved_at:%d %b %Y}. Suggested citation: {literal(src.citation)}"
    )


def month_name(period: str) -> str:
    """'2024-12' -> 'December 2024'."""
    return f"{pd.Timestamp(period + '-01'):%B %Y}"


def month_end(period: str) -> str:
    """'2024-02' -> '2024-02-29': the last day of the month, as an ISO date."""
    return (pd.Timestamp(period + "-01") + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")


def join_months(ends: Sequence[pd.Timestamp]) -> str:
    """'Oct 2024, Nov 2024 and Dec 2024'."""
    names = [f"{pd.Timestamp(d):%b %Y}" for d in ends]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def segment_summary(fits: Sequence[TrendFit | NoTrend], names: Sequence[str] = ()) -> list[str]:
    """One line per series: its trend segments in words (annual percent change with the 95% interval), or why
    it has none. ``names`` names each series (default: its drug)."""
    lines = []
    for i, fit in enumerate(fits):
        name = names[i] if i < len(names) else drug_title(fit.identity["drug"])
        if isinstance(fit, NoTrend):
            lines.append(f"{name}: {fit.message}")
        else:
            lines.append(f"{name}, trend. " + " ".join(s + "." for s in fit.sentences()))
    return lines


def segment_notes(fits: Sequence[TrendFit | NoTrend], names: Sequence[str] = ()) -> list[str]:
    """How the segments were fitted (said once, naming the method that chose the joinpoints), then, per series,
    the years left out of its trend and why."""
    methods = sorted({f.model.method for f in fits if isinstance(f, TrendFit)})
    notes = []
    if methods:
        chosen = "; ".join(method_words(m) for m in methods)
        notes.append(f"Joinpoint regression finds the years where a trend changes direction or pace: {chosen}.")
    for i, fit in enumerate(fits):
        if fit.left_out:
            name = names[i] if i < len(names) else drug_title(fit.identity["drug"])
            notes.append(f"{name}: {left_out_words(fit.left_out)}")
    return notes


def left_out_words(left_out: Sequence[LeftOut]) -> str:
    """'1999-2004 and 2010 left out: the publisher marks it unreliable. 2007 left out: no value.'"""
    by_reason: dict[str, list[int]] = {}
    for item in left_out:
        by_reason.setdefault(item.reason, []).append(item.year)
    return " ".join(f"{year_spans(years)} left out: {reason}." for reason, years in by_reason.items())


def year_spans(years: Sequence[int]) -> str:
    """[1999, 2000, 2001, 2005] -> '1999-2001 and 2005'."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][-1] + 1:
            spans[-1].append(year)
        else:
            spans.append([year])
    parts = [f"{span[0]}-{span[-1]}" if len(span) > 1 else str(span[0]) for span in spans]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


#: The kinds of nonfatal overdose visit (CDC DOSE rates), in the order they are drawn, and their names.
VISIT_KINDS = {
    "ed_visit_rate_per_100k": "Emergency department visits",
    "hospitalization_rate_per_100k": "Hospital stays",
}


def visit_summary(visits: pd.DataFrame, *, name: str, drug: str) -> list[str]:
    """First and latest nonfatal visit rates of a place, per kind of visit, with what was withheld."""
    lines = []
    for measure, kind in VISIT_KINDS.items():
        part = visits[visits["measure"] == measure].sort_values("year")
        known = part.dropna(subset=["value"])
        if part.empty:
            continue
        if known.empty:
            lines.append(f"{kind}: every value for {name} is withheld or not reported.")
            continue
        first, last = known.iloc[0], known.iloc[-1]
        text = (
            f"{kind} for an overdose of {nonfatal_drug_words(drug)}: {first['value']:,.1f} per "
            f"100,000 people in {int(first['year'])}, {last['value']:,.1f} in {int(last['year'])}"
        )
        if len(known) < len(part):
            text += f"; {len(part) - len(known)} year(s) withheld or not reported"
        lines.append(text + ".")
    return lines


def nonfatal_drug_words(drug: str) -> str:
    """'any drug', 'opioids', 'heroin' ...: a DOSE drug group in a sentence."""
    if drug == "nonfatal_all_drugs":
        return "any drug"
    return drug_title(drug).replace(" (nonfatal)", "").lower()


def trend_title(rows: pd.DataFrame, *, measure: str) -> str:
    """A chart title that states the finding of its first series, with the measure as a subtitle:
    'All drug overdoses: 6.2 times as many deaths in 2023 as in 1999<br><sup>Deaths, United States</sup>'."""
    subtitle = f"<br><sup>{MEASURES[measure].title}, United States</sup>"
    known = rows.dropna(subset=["value"])
    drugs = [d for d in DRUG_ORDER if d in set(known["drug"])]
    if not drugs:
        return subtitle.removeprefix("<br>")
    series = known[known["drug"] == drugs[0]].sort_values("year")
    first, last = series.iloc[0], series.iloc[-1]
    if int(first["year"]) == int(last["year"]) or float(first["value"]) <= 0:
        return wrap(f"{drug_title(drugs[0])}: {last['value']:,.0f} in {int(last['year'])}", 44) + subtitle
    ratio = float(last["value"]) / float(first["value"])
    what = "deaths" if measure == "deaths" else "the rate"
    if ratio >= 1:
        finding = f"{ratio:.1f} times as many {what}" if measure == "deaths" else f"{what} {ratio:.1f} times as high"
        when = f"in {int(last['year'])} as in {int(first['year'])}"
    else:
        finding = (
            f"{1 / ratio:.1f} times as many {what}" if measure == "deaths" else f"{what} {1 / ratio:.1f} times as high"
        )
        when = f"in {int(first['year'])} as in {int(last['year'])}"
    return wrap(f"{drug_title(drugs[0])}: {finding} {when}", 44) + subtitle


# --- chart titles that state the finding -----------------------------------------------------------------------
# A title says what the chart shows in one sentence computed from its rows; the measure goes underneath as a
# subtitle. Wrapped at 44 characters so it fits a phone-width chart in two or three lines.
TITLE_WIDTH = 44
TIMES_FROM = 1.5  # from this ratio up a change is said as "N times as ..."; below it, as a percent


def _titled(finding: str, subtitle: str) -> str:
    return wrap(finding, TITLE_WIDTH) + f"<br><sup>{subtitle}</sup>"


def _fmt_value(value: float, measure: str) -> str:
    return f"{value:,.1f}" if measure.endswith("_per_100k") else f"{value:,.0f}"


def _clearly_above(high: pd.Series, low: pd.Series) -> bool | None:
    """Whether ``high``'s 95% interval lies wholly above ``low``'s (None when either has no interval)."""
    lower, upper = high.get("value_lower"), low.get("value_upper")
    if lower is None or upper is None or pd.isna(lower) or pd.isna(upper):
        return None
    return float(lower) > float(upper)


def state_map_title(ranked: pd.DataFrame, *, measure: str, year: int, nation: pd.Series | None) -> str:
    """'West Virginia had the highest rate in 2021: 90.9 per 100,000 (United States: 32.4)', or, when the next
    state's 95% interval overlaps, 'West Virginia had the highest rate in 2021 (90.9), not clearly above
    Tennessee (56.6)'. ``ranked``: stats.rank_places rows (flagged values are not ranked)."""
    subtitle = f"{MEASURES[measure].title}, drug overdose deaths, {year}"
    ranked = ranked[ranked["status"] == "Ranked"]
    if ranked.empty:
        return _titled(f"No state has a rankable figure for {year}", subtitle)
    top = ranked.iloc[0]
    value = _fmt_value(float(top["value"]), measure)
    per = " per 100,000" if measure.endswith("_per_100k") else ""
    close = [row for _, row in ranked.iloc[1:].iterrows() if _clearly_above(top, row) is False]
    if close:
        other = f"{close[0]['geo_name']} ({_fmt_value(float(close[0]['value']), measure)})"
        if len(close) > 1:
            other = f"{len(close)} other states"
        return _titled(
            f"{top['geo_name']} had the highest rate in {year} ({value}{per}), not clearly above {other}", subtitle
        )
    us = f" (United States: {_fmt_value(float(nation['value']), measure)})" if nation is not None else ""
    return _titled(f"{top['geo_name']} had the highest rate in {year}: {value}{per}{us}", subtitle)


def place_trend_title(
    rows: pd.DataFrame, *, geo_code: str, measure: str, subtitle: str, rate_words: str = "the rate"
) -> str:
    """The first chosen place's change from its first to its last year with a figure, judged by the two years'
    95% intervals where the rows carry them: 'West Virginia: the rate was 6.4 times as high in 2021 as in 1999'
    or 'Alaska: the rate in 2021 was not clearly different from 1999'. ``geo_code``: the place the title is
    about (the first chosen state, or "US")."""
    known = rows.dropna(subset=["value"])
    series = known[known["geo_code"] == geo_code].sort_values("period_end_date")
    if series.empty:
        return _titled("No figures for these choices", subtitle)
    first, last = series.iloc[0], series.iloc[-1]
    name = str(first["geo_name"])
    start, end = int(first["year"]), int(last["year"])
    if start == end or float(first["value"]) <= 0:
        return _titled(f"{name}: {_fmt_value(float(last['value']), measure)} in {end}", subtitle)
    what = "deaths" if measure == "deaths" else rate_words
    higher, lower = (last, first) if float(last["value"]) >= float(first["value"]) else (first, last)
    if _clearly_above(higher, lower) is False:
        return _titled(f"{name}: {what} in {end} was not clearly different from {start}", subtitle)
    ratio = float(higher["value"]) / float(lower["value"])
    if ratio < TIMES_FROM:
        # Under 1.5 times a percent reads better ("23% higher"), and says the direction plainly.
        change = float(last["value"]) / float(first["value"]) - 1
        if measure == "deaths":
            finding = f"{abs(change):.0%} {'more' if change > 0 else 'fewer'} deaths in {end} than in {start}"
        else:
            finding = f"{rate_words} {abs(change):.0%} {'higher' if change > 0 else 'lower'} in {end} than in {start}"
        return _titled(f"{name}: {finding}", subtitle)
    as_what = "as many deaths" if measure == "deaths" else "as high"
    lead = "" if measure == "deaths" else f"{rate_words} "
    finding = f"{lead}{ratio:.1f} times {as_what} in {int(higher['year'])} as in {int(lower['year'])}"
    return _titled(f"{name}: {finding}", subtitle)


def _group_words(group: str, by: str) -> str:
    """A group inside a sentence: 'males', 'people aged 25-34', 'the Non-Hispanic White group'."""
    if by == "sex":
        return f"{group}s"
    if by == "age_group":
        return f"people aged {group}"
    return f"the {group} group"


def group_title(shown: pd.DataFrame, *, drug: str, by: str, measure: str) -> str:
    """Which group's rate was highest in the latest year every drawn group has a figure, judged by the 95%
    intervals where the rows carry them: 'Heroin, 2018: highest among ages 35-44 (8.3 per 100,000), not
    clearly above ages 25-34 (7.9)'. ``shown``: the rows drawn (rows.demographic_rows)."""
    subtitle = f"{drug_title(drug)}, {MEASURES[measure].title.lower()}, United States"
    known = shown[shown[by] != "all"].dropna(subset=["value"])
    if known.empty:
        return _titled(f"{drug_title(drug)}: no published figures for these choices", subtitle)
    years = known.groupby(by)["year"].max()
    year = int(years.min())
    latest = known[known["year"] == year].sort_values("value", ascending=False)
    top = latest.iloc[0]
    per = " per 100,000" if measure.endswith("_per_100k") else ""
    name = _group_words(str(top[by]), by)
    lead = f"{drug_title(drug)}, {year}: highest among {name} ({_fmt_value(float(top['value']), measure)}{per})"
    close = [row for _, row in latest.iloc[1:].iterrows() if _clearly_above(top, row) is False]
    if close:
        other = close[0]
        other_name = _group_words(str(other[by]), by)
        lead += f", not clearly above {other_name} ({_fmt_value(float(other['value']), measure)})"
        if len(close) > 1:
            lead += f" and {len(close) - 1} more"
    return _titled(lead, subtitle)
