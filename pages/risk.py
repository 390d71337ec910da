"""Risk and claims: the multipliers people quote about heroin, what each compares and how sure it is, and
public claims checked against the dashboard's own numbers.

Figures come from the bundled risk table (``cached.risk_table()``, built from published studies) and the
national final table (``cached.national_final()``); claims from ``data_sources/snapshots/public_claims.csv``.
"""

import streamlit as st

from app import cached, frame, ui
from app.rows import question_rows, risk_row
from app.words import VERDICT_BADGES, risk_source_line
from data_sources import claims, risk

frame.require_frame()

table = cached.risk_table()
split = cached.risk_rows()
ratios, shares = split.ratios, split.shares

st.title("Risk multipliers and public claims")
st.markdown(
    'The figures quoted most about heroin are multipliers ("19 times more likely") and shares ("4 in 5"). '
    "Here each one is shown as data: what it compares, in whom, and how sure we can be."
)

# --- the multipliers chart ------------------------------------------------------------------------------------
# The chart comes first, with its question picker under it, so on a phone it starts on the first screen.
st.header("The multipliers, with how sure we can be")
chart_box = st.container()
ratio_questions = [q for q in risk.QUESTIONS if q in set(ratios["question"])]
chosen = st.pills(
    "Questions",
    ratio_questions,
    selection_mode="multi",
    default=ratio_questions,
    format_func=risk.QUESTIONS.get,
    key="questions",
    bind="query-params",
)
with chart_box:
    if not chosen:
        st.info("Choose at least one question to draw the chart.")
    else:
        ui.chart_with_table(cached.risk_view(tuple(chosen)))

# --- relative vs absolute risk ------------------------------------------------------------------------------
example = risk_row(table.data, "muhuri_2013_nmpr_to_heroin_start")
started_before = risk_row(table.data, "muhuri_2013_heroin_starters_prior_nmpr")
went_on = risk_row(table.data, "muhuri_2013_nmpr_starters_heroin_5y")
st.header("Relative and absolute risk, in one minute")
st.markdown(
    "How to read each figure: which statistic it is, and how to say it correctly. Further down, common public "
    "claims are set next to the numbers the data give, with the working shown."
)
with st.container(border=True):
    st.markdown(
        f"- **Relative risk** says how many times higher a rate is in one group than in another. Among people "
        f"aged 12-49, the yearly rate of starting heroin was **{example['value']:g} times** as high in "
        f"{example['factor'].lower()} as in {example['comparison']}.\n"
        f"- **Absolute risk** says how many people out of 100 (or 1,000) it happens to. The same study: "
        f"**{example['exposed_rate']:g}%** a year against **{example['baseline_rate']:g}%**, that is about "
        f"{example['exposed_rate'] * 100:g} against {example['baseline_rate'] * 100:g} people in 10,000. "
        "A big multiplier of two small numbers.\n"
        f"- **Shares depend on which group you start from.** {started_before['value']:g}% of "
        f"{started_before['factor'].lower()} {started_before['outcome']}; but only {went_on['value']:g}% of "
        f"{went_on['factor'].lower()} {went_on['outcome']}.\n"
        f'- **Say "times", not "percent more".** "{example["value"]:g} times the rate" is '
        f'{(example["value"] - 1) * 100:,.0f}% higher. "{example["value"]:g}% more" would be '
        f"{1 + example['value'] / 100:g} times. Mixing them up makes the difference look far smaller than it is.\n"
        "- **Together is not cause.** Most figures here come from surveys or records that show which groups "
        "have higher rates; they do not prove that one thing causes the other."
    )

# --- one figure, up close -----------------------------------------------------------------------------------
st.header("One figure, up close")
st.markdown(
    "Pick a figure to see what it compares, how sure it is, how to say it, and what it means for 100 or 1,000 people."
)
ordered = [*ratios["risk_id"], *shares["risk_id"]]

labels = cached.risk_figure_labels()
picked = st.selectbox("Figure", ordered, format_func=labels.get, key="figure", bind="query-params")
row = risk_row(table.data, picked)
source = table.source(str(row["source_id"]))
stat = risk.STATISTICS[str(row["statistic"])]
left, right = st.columns([2, 3])
with left:
    st.metric(stat["label"], risk.format_value(row), border=True)
    st.markdown(
        f"**Compares:** {row['factor']}" + (f" with {row['comparison']}" if row["comparison"] else "") + "  \n"
        f"**Outcome:** {row['outcome']}  \n"
        f"**Who was studied:** {row['population']}, {row['period']}  \n"
        f"**What the statistic means:** it {stat['meaning']}  \n"
        f"**How sure:** {risk.how_sure(row)}"
    )
    st.success("**How to say it.** " + risk.how_to_say(row), icon=":material/record_voice_over:")
    if row["caution"]:
        st.warning("**Careful.** " + str(row["caution"]), icon=":material/warning:")
    st.caption(f"Source: {source.citation} [{source.title}]({source.url}). Where read: {row['source_detail']}")
with right:
    if risk.is_ratio(row):
        base = risk.baseline(row)
        if base is None:
            st.info(
                "**No baseline.** This study reports the ratio only, not how many people in each group had the "
                "outcome (as far as the texts available to us go). Without that, we cannot honestly say how many "
                "out of 100 or 1,000 people it means, so no picture is drawn.",
                icon=":material/info:",
            )
        else:
            groups = (
                (base.exposed_label.capitalize(), base.exposed),
                (base.baseline_label.capitalize(), base.baseline),
            )
            st.plotly_chart(
                cached.icon_array_figure(
                    groups,
                    per=base.per,
                    outcome=str(row["outcome"]).capitalize(),
                    title=f"Out of {base.per:,} people, in a year",
                ),
                key="icon_array",
            )
            st.markdown(base.sentence())
            st.caption(
                f"Each dot is one person; filled dots are rounded to whole people ({base.exposed_icons} and "
                f"{base.baseline_icons}). Rates ({row['rate_unit']}) from {source.title}."
            )
    else:
        st.plotly_chart(
            cached.icon_array_figure(
                ((str(row["factor"]), float(row["value"])),),
                per=100,
                outcome=str(row["outcome"]).capitalize(),
                title="Out of 100 people in the group",
            ),
            key="icon_array",
        )
        st.markdown(f"About {float(row['value']):g} out of 100 {str(row['factor']).lower()} {row['outcome']}.")
        st.caption(f"Each dot is one person; {round(float(row['value']))} filled (rounded). Source: {source.title}.")

# --- shares --------------------------------------------------------------------------------------------------
st.header("Shares: how common is it?")
st.markdown("These are percentages of one group, not comparisons between groups.")
ui.chart_with_table(cached.share_view())

# --- what protects -------------------------------------------------------------------------------------------
st.header("What protects")
protect = question_rows(table.data, "what_protects")
with st.container(border=True):
    st.markdown(
        "**Treatment with methadone or buprenorphine.** In a review of cohort studies (Sordo and colleagues, "
        "BMJ 2017), people with opioid dependence died at lower rates while they were in treatment than after "
        "they left it:\n"
        + "\n".join(
            f"- {r['outcome'].capitalize()}, {'methadone' if 'methadone' in r['factor'] else 'buprenorphine'}: "
            f"{r['baseline_rate']:g} per 1,000 person-years in treatment against {r['exposed_rate']:g} out of "
            f"treatment (out-of-treatment rate {r['value']:g} times the in-treatment rate)."
            for _, r in protect.iterrows()
        )
        + "\n\nSay it as: *being in treatment is associated with a lower death rate*. The published ratio compares "
        "out-of-treatment with in-treatment time, so it is above 1."
    )
    st.markdown(
        "**Naloxone.** Naloxone reverses an opioid overdose and can be bought without a prescription. We do not "
        "show a number for it here, because no figure on naloxone's effect was in the sources we could read. "
        "See SAMHSA's [naloxone guide](https://www.samhsa.gov/substance-use/treatment/overdose-prevention/naloxone) "
        "for how to get and use it."
    )
    st.caption(risk_source_line(table, protect))

# --- claims vs data ------------------------------------------------------------------------------------------
st.header("Claims and the numbers")
st.markdown(
    "Claims heard on public health and treatment pages, each next to the number our data give for the year and "
    "series the claim speaks of. The deaths figures are computed from the final national table (see the "
    "Overview); study figures come from the table above. Each claim gets two verdicts. **The number**: *about N* "
    "matches within 5% of N and is close within 15%; *more than N* matches above N and is close within 15%; "
    "*nearly N* matches at N or up to 5% below it, and is close within 15%; a figure that is missing, or that came "
    "into the data only because the claim agrees with it, cannot check it. **The wording**: right, imprecise "
    '("7 times higher" for 7 times as many) or overstates (an odds ratio told as "more likely to become"). '
    "Claims live in a data file, so a teacher can add one (see **About the data**)."
)
try:
    checks = cached.claim_checks()
except claims.ClaimFileError as problem:
    st.error(f"The claims file could not be read, so no claim cards are shown. {problem}", icon=":material/error:")
    checks = []
if checks:
    counts = {v: sum(c.verdict == v for c in checks) for v in claims.VERDICTS}
    st.markdown(" · ".join(f"**{n}** {v}" for v, n in counts.items() if n))
    national = cached.national_final()
    columns = st.columns(2)
    for i, check in enumerate(checks):
        icon, colour = VERDICT_BADGES[check.verdict]
        with columns[i % 2], st.container(border=True, key=f"claim_{check.claim_id}"):
            st.markdown(f"> {check.claim['claim']}")
            st.caption(f"Attributed to {check.claim['attributed_to']}; quoted in {check.claim['quoted_in']}.")
            st.badge(check.verdict.capitalize(), icon=icon, color=colour)
            st.markdown(f"**{check.verdict_line()}**")
            st.markdown(f"**The data say:** {check.computed_label()}")
            if check.wording_problems:
                st.markdown("\n".join(f"- {problem}" for problem in check.wording_problems))
            if check.said_precisely:
                st.markdown(f"**Said precisely:** {check.said_precisely}")
            with st.expander("Working"):
                st.markdown("\n".join(f"- {line}" for line in check.working))
            for line in check.secondary:
                st.caption(line)
            if check.claim["note"] and check.claim["check"] != "not_checkable":
                st.caption(str(check.claim["note"]))
            if check.risk_id:
                src = table.source(str(risk_row(table.data, check.risk_id)["source_id"]))
                st.caption(f"Source: [{src.title}]({src.url}).")
            elif check.source_ids:
                st.caption(
                    "Source: "
                    + "; ".join(f"[{s.title}]({s.url})" for s in national.sources if s.id in check.source_ids)
                    + "."
                )
    st.download_button(
        "Download the claim checks (CSV, with working and citations)",
        cached.claims_csv,
        file_name="claim_checks.csv",
        mime="text/csv",
        icon=":material/download:",
    )

st.download_button(
    "Download the whole risk table (CSV, with citations)",
    cached.risk_csv,
    file_name="risk_multipliers.csv",
    mime="text/csv",
    icon=":material/download:",
)
