"""Overview: the landing page. Headline figures, the trend by drug, and a fold-change calculator.

Every number here is computed from the national final table (``cached.national_final()``), except the
labelled provisional card, which comes from CDC VSRR counts (``cached.vsrr_provisional()``).
"""

import streamlit as st

from app import cached, frame, permalink, ui, words
from app.headlines import FigureUnavailable
from data_sources.dictionary import DRUGS, drug_title

frame.require_frame()

table = cached.national_final()
cards_data = cached.overview_headlines()
first_year, last_year = cards_data.years[0], cards_data.years[-1]

st.title("Drug overdose deaths in the United States")
st.markdown(f"**{cards_data.lead}**")
ui.table_notices(table)
# The widgets below read and write their own URL parameters (bind="query-params") and drop invalid values;
# tell the reader when a link held something else.
URL_PARAMS = ("measure", "drugs", "log", "waves", "segments", "years", "fc_drug", "fc_from", "fc_to")
raw_params = {name: st.query_params.get_all(name) for name in st.query_params}
ui.url_notice(permalink.unusable(raw_params, URL_PARAMS))

# --- trend by drug ----------------------------------------------------------------------------------------
# The chart comes first, with its choices folded into one button, so on a phone it starts on the first screen.
chart_box = st.container()
controls = st.popover("Change the chart", icon=":material/tune:")
with controls:
    measure = st.segmented_control(
        "Show",
        cached.TREND_MEASURES,
        format_func={"deaths": "Deaths", "age_adjusted_rate_per_100k": "Rate per 100,000"}.get,
        default="deaths",
        required=True,
        key="measure",
        bind="query-params",
    )
if measure not in cached.TREND_MEASURES:  # a link with an empty "measure=" leaves the control without a choice
    measure = "deaths"
    st.info("The link's “measure” was empty, so the chart shows deaths.", icon=":material/link_off:")
choices = cards_data.trend_choices  # deaths or rates: the same options whichever is shown
with controls:
    # Both "prescription opioid" series: counts exist only with methadone included (NIDA), rates only without
    # (NCHS T40.2), so each measure draws the one it has and names the other as missing.
    default_drugs = [
        d
        for d in ("all_drugs", "synthetic_opioids", "heroin", "rx_opioids", "rx_opioids_incl_methadone")
        if d in choices
    ]
    drugs = st.multiselect(
        "Drugs", choices, default=default_drugs, format_func=drug_title, key="drugs", bind="query-params"
    )
with controls:
    log_y = st.toggle("Log scale", key="log", bind="query-params", help="Equal steps mean equal growth rates.")
    show_waves = st.toggle("Opioid waves", value=True, key="waves", bind="query-params")
    segments = st.toggle(
        "Trend segments",
        key="segments",
        bind="query-params",
        help="Where the trend changed pace, and how fast it rose or fell each year, with its 95% interval.",
    )
with controls:
    year_range = st.slider(
        "Years",
        min_value=first_year,
        max_value=last_year,
        value=(first_year, last_year),
        key="years",
        bind="query-params",
    )

with chart_box:
    if not drugs:
        st.info("Choose at least one drug to draw the chart.")
    else:
        ui.chart_with_table(
            cached.trend_view(tuple(drugs), measure, tuple(year_range), log_y, show_waves, segments),
            notes=(
                "A death can involve more than one drug, so the lines for single drugs overlap and do not add up "
                "to the total.",
                "A rate per 100,000 people says how many people died for every 100,000 who lived in the country "
                "that year, so years with more or fewer people can be compared fairly.",
            ),
        )


# --- headline cards: computed from the table, never typed (below the chart) ---------------------------------
st.header("Key figures")
cards = st.columns(4)
with cards[0]:
    fold = cards_data.heroin_fold
    st.metric(
        "Heroin deaths: 2019 vs 1999",
        fold.label(),
        help="How many times as many people died of overdoses involving heroin in 2019 as in 1999.",
        border=True,
    )
    st.caption(
        f"{fold.end.value:,.0f} deaths in 2019 vs {fold.start.value:,.0f} in 1999. "
        + words.cell_source_note(table, [fold.start, fold.end])
    )
with cards[1]:
    heroin_sum = cards_data.heroin_sum
    st.metric(
        "Heroin deaths, 1999-2019",
        f"{heroin_sum.total:,.0f}",
        help="Overdose deaths involving heroin, the yearly counts from 1999 to 2019 added up.",
        border=True,
    )
    st.caption(f"Sum of {len(heroin_sum.cells)} yearly counts. " + words.cell_source_note(table, heroin_sum.cells))
with cards[2]:
    latest = cards_data.latest
    st.metric(f"Drug overdose deaths in {latest.year}", f"{latest.value:,.0f}", border=True)
    st.caption(f"All drugs, final data for {latest.year}. " + words.cell_source_note(table, [latest]))

with cards[3]:
    # Provisional counts are kept apart from the final figures above and labelled: they are counted by where
    # the death occurred and change as records are completed.
    card = cached.provisional_headline()
    if card is None:
        st.metric("Recent provisional count", "not available", border=True)
        st.caption("CDC's recent provisional counts are not available in the data shown here.")
    else:
        st.metric(
            card.label,
            card.value,
            delta=card.delta,
            delta_color="inverse" if card.is_clear else "off",  # fewer deaths is the good direction
            help="CDC's provisional count of drug overdose deaths in the 12 months ending that month, compared "
            "with the same 12 months a year earlier. Provisional counts change as death records are completed.",
            border=True,
        )
        st.caption(" ".join((card.sentence, *card.notes, card.source)))

# --- fold-change calculator -------------------------------------------------------------------------------
st.header("Fold-change calculator")
st.markdown("How many times as many deaths were there in one year as in another?")
calc = st.columns(3)
with calc[0]:
    calc_drug = st.selectbox(
        "Drug",
        cards_data.count_choices,
        index=cards_data.count_choices.index("heroin"),
        format_func=drug_title,
        key="fc_drug",
        bind="query-params",
    )
all_years = list(range(first_year, last_year + 1))
with calc[1]:
    start = st.selectbox("From year", all_years, index=all_years.index(1999), key="fc_from", bind="query-params")
with calc[2]:
    end = st.selectbox("To year", all_years, index=all_years.index(2019), key="fc_to", bind="query-params")
try:
    result = cached.fold_change(calc_drug, start, end)
except FigureUnavailable as reason:
    st.warning(
        f"{reason} Years with a sourced {DRUGS[calc_drug].title.lower()} count: "
        f"{', '.join(map(str, cached.available_years(calc_drug)))}."
    )
else:
    st.metric(f"{DRUGS[calc_drug].title}, {end} vs {start}", result.label())
    citation = words.cell_citation(table, [result.start, result.end])
    st.markdown("Copy this sentence:")
    st.code(f"{result.sentence()} Source: {citation}", language=None, wrap_lines=True)

# --- provisional against final ------------------------------------------------------------------------------
st.header("How close were CDC's early counts?")
st.markdown(
    "CDC publishes provisional counts months before the final ones. Here is how each year's provisional count "
    "compared with the final count that came later."
)
ui.chart_with_table(cached.revisions_view())
