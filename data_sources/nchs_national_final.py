"""Final (not provisional) US overdose deaths and age-adjusted rates by drug, 1999 onward.

NCHS publishes final national figures in several places rather than one table: CDC WONDER (compiled by NIDA
for 1999-2017), the data.cdc.gov table ``95ax-ymtc`` (rates 1999-2018), and the NCHS Data Briefs and MMWR
reports for later years. The bundled snapshot ``national_final`` carries each figure with the source it was
read from (``source_id``) and the exact table or sentence (``source_detail``); figures read only in a text
that quotes CDC or NIDA are graded ``secondary`` and flagged ``secondary_source``. ``python -m
scripts.build_national_snapshot`` rebuilds it from the project's reference data pack.

Provisional counts (CDC VSRR) are deliberately not in this table: see ``nchs_vsrr``.
"""

from __future__ import annotations

from data_sources.schema import Source, Table
from data_sources.snapshot import SNAPSHOT_DIR, read_table

TABLE = "national_final"
PUBLIC_DOMAIN = "Public domain (U.S. Government work)"

CORGIS_COPY = (
    "the CORGIS 'Opioids' dataset, github.com/corgis-edu/corgis, website/datasets/csv/opioids/opioids.csv "
    "(commit 6d7e9e04), whose documentation names NIDA's Drug Overdose Death Rates page as its source"
)
HUS_COPY = (
    "the data.cdc.gov CSV export as committed to github.com/UCB-stat-159-f25/final-group09 "
    "(Drug_overdose_death_rates__by_drug_type__sex__age__race__and_Hispanic_origin__United_States.csv, commit 8a5fd197)"
)

SOURCES: tuple[Source, ...] = (
    Source(
        id="nida_overdose_death_rates",
        title="Drug Overdose Death Rates",
        publisher="National Institute on Drug Abuse (NIDA), from CDC WONDER",
        url="https://nida.nih.gov/research-topics/trends-statistics/overdose-death-rates",
        license=PUBLIC_DOMAIN,
        citation="National Institute on Drug Abuse. Drug Overdose Death Rates (figures of the number of overdose "
        "deaths by drug, all ages, 1999-2017; data from CDC WONDER, NCHS Multiple Cause of Death files). This site's "
        f"copy of the counts is {CORGIS_COPY}.",
        coverage="United States, 1999-2017: deaths from all drugs, any opioid, prescription opioids (including "
        "methadone), synthetic opioids other than methadone, heroin and cocaine",
        copy_from=CORGIS_COPY,
    ),
    Source(
        id="nida_overdose_death_rates_2021",
        title="Drug Overdose Death Rates (figures for 2021)",
        publisher="National Institute on Drug Abuse (NIDA), from CDC WONDER",
        url="https://nida.nih.gov/research-topics/trends-statistics/overdose-death-rates",
        license=PUBLIC_DOMAIN,
        citation="National Institute on Drug Abuse. Drug Overdose Death Rates, figure texts for 2021 (data from CDC "
        "WONDER). Read in stored copies and summaries of the page, each named in the row's detail.",
        coverage="United States, 2021",
    ),
    Source(
        id="nchs_95ax_ymtc",
        title="Drug overdose death rates, by drug type, sex, age, race, and Hispanic origin: United States",
        publisher="CDC, National Center for Health Statistics (Health, United States)",
        url="https://data.cdc.gov/d/95ax-ymtc",
        license=PUBLIC_DOMAIN,
        citation="National Center for Health Statistics. Drug overdose death rates, by drug type, sex, age, race, "
        "and Hispanic origin: United States (data.cdc.gov 95ax-ymtc), age-adjusted rates, total population. "
        f"This site's copy is {HUS_COPY}.",
        dataset_id="95ax-ymtc",
        coverage="United States, 1999-2018",
        copy_from=HUS_COPY,
    ),
    Source(
        id="cdc_wonder_mcd",
        title="Multiple Cause of Death, 1999 onward (CDC WONDER)",
        publisher="CDC, National Center for Health Statistics, via CDC WONDER",
        url="https://wonder.cdc.gov/mcd.html",
        license=PUBLIC_DOMAIN,
        citation="Centers for Disease Control and Prevention, National Center for Health Statistics. Multiple Cause "
        "of Death files on CDC WONDER (final data). Named as the source by the text the figure was read in; the "
        "figure was not read in a CDC text itself.",
    ),
    Source(
        id="mmwr_wilson_2020",
        title="Drug and Opioid-Involved Overdose Deaths - United States, 2017-2018",
        publisher="CDC, Morbidity and Mortality Weekly Report",
        url="https://www.cdc.gov/mmwr/volumes/69/wr/mm6911a4.htm",
        license=PUBLIC_DOMAIN,
        citation="Wilson N, Kariisa M, Seth P, Smith H IV, Davis NL. Drug and opioid-involved overdose deaths - "
        "United States, 2017-2018. MMWR 2020;69(11):290-297.",
        coverage="United States, 2017-2018",
        released="2020",
    ),
    Source(
        id="nchs_db384",
        title="Increase in Drug Overdose Deaths Involving Cocaine: United States, 2009-2018",
        publisher="CDC, National Center for Health Statistics",
        url="https://www.cdc.gov/nchs/products/databriefs/db384.htm",
        license=PUBLIC_DOMAIN,
        citation="Hedegaard H, Spencer MR, Garnett MF. Increase in drug overdose deaths involving cocaine: "
        "United States, 2009-2018. NCHS Data Brief, no 384. Hyattsville, MD: NCHS. 2020.",
        coverage="United States, 2009-2018 (cocaine)",
        released="2020",
    ),
    Source(
        id="nchs_db394",
        title="Drug Overdose Deaths in the United States, 1999-2019",
        publisher="CDC, National Center for Health Statistics",
        url="https://www.cdc.gov/nchs/products/databriefs/db394.htm",
        license=PUBLIC_DOMAIN,
        citation="Hedegaard H, Minino AM, Warner M. Drug overdose deaths in the United States, 1999-2019. "
        "NCHS Data Brief, no 394. Hyattsville, MD: NCHS. 2020.",
        coverage="United States, 1999-2019",
    ),
    Source(
        id="nchs_db428",
        title="Drug Overdose Deaths in the United States, 1999-2020",
        publisher="CDC, National Center for Health Statistics",
        url="https://www.cdc.gov/nchs/products/databriefs/db428.htm",
        license=PUBLIC_DOMAIN,
        citation="Hedegaard H, Minino AM, Spencer MR, Warner M. Drug overdose deaths in the United States, "
        "1999-2020. NCHS Data Brief, no 428. Hyattsville, MD: NCHS. 2021. Its text was read only in copies and "
        "summaries, each named in the row's detail.",
        coverage="United States, 1999-2020",
        released="2021-12-30",  # "NCHS data published on Dec. 30, 2021" (quoted with its figures)
    ),
    Source(
        id="nchs_db457",
        title="Drug Overdose Deaths in the United States, 2001-2021",
        publisher="CDC, National Center for Health Statistics",
        url="https://www.cdc.gov/nchs/products/databriefs/db457.htm",
        license=PUBLIC_DOMAIN,
        citation="Spencer MR, Minino AM, Warner M. Drug overdose deaths in the United States, 2001-2021. "
        "NCHS Data Brief, no 457. Hyattsville, MD: NCHS. 2022.",
        coverage="United States, 2001-2021",
    ),
    Source(
        id="nchs_db491",
        title="Drug Overdose Deaths in the United States, 2002-2022",
        publisher="CDC, National Center for Health Statistics",
        url="https://www.cdc.gov/nchs/products/databriefs/db491.htm",
        license=PUBLIC_DOMAIN,
        citation="Spencer MR, Garnett MF, Minino AM. Drug overdose deaths in the United States, 2002-2022. "
        "NCHS Data Brief, no 491. Hyattsville, MD: NCHS. 2024.",
        coverage="United States, 2002-2022",
    ),
    Source(
        id="nchs_db522",
        title="Drug Overdose Deaths in the United States, 2003-2023",
        publisher="CDC, National Center for Health Statistics",
        url="https://www.cdc.gov/nchs/products/databriefs/db522.htm",
        license=PUBLIC_DOMAIN,
        citation="Garnett MF, Minino AM. Drug overdose deaths in the United States, 2003-2023. NCHS Data Brief, "
        "no 522. Hyattsville, MD: NCHS. 2024.",
        coverage="United States, 2003-2023",
    ),
    Source(
        id="mmwr_mattson_2021",
        title="Trends and Geographic Patterns in Drug and Synthetic Opioid Overdose Deaths - United States, 2013-2019",
        publisher="CDC, Morbidity and Mortality Weekly Report",
        url="https://www.cdc.gov/mmwr/volumes/70/wr/mm7006a4.htm",
        license=PUBLIC_DOMAIN,
        citation="Mattson CL, Tanz LJ, Quinn K, Kariisa M, Patel P, Davis NL. Trends and geographic patterns in "
        "drug and synthetic opioid overdose deaths - United States, 2013-2019. MMWR 2021;70(6):202-207.",
        coverage="United States, 2013-2019",
        released="2021",
    ),
    Source(
        id="mmwr_seth_2018",
        title="Overdose Deaths Involving Opioids, Cocaine, and Psychostimulants - United States, 2015-2016",
        publisher="CDC, Morbidity and Mortality Weekly Report",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC5877356/",
        license=PUBLIC_DOMAIN,
        citation="Seth P, Scholl L, Rudd RA, Bacon S. Overdose deaths involving opioids, cocaine, and "
        "psychostimulants - United States, 2015-2016. MMWR 2018;67(12):349-358. Table 3.",
        coverage="United States, 2015-2016",
        released="2018",
    ),
    Source(
        id="healthy_people_ivp22",
        title="Reduce overdose deaths involving synthetic opioids other than methadone - IVP-22",
        publisher="U.S. Department of Health and Human Services, Healthy People 2030 (data: NVSS-M, CDC/NCHS)",
        url="https://health.gov/healthypeople/objectives-and-data/browse-objectives/injury-prevention/"
        "reduce-overdose-deaths-involving-synthetic-opioids-other-methadone-ivp-22",
        license=PUBLIC_DOMAIN,
        citation="Office of Disease Prevention and Health Promotion. Healthy People 2030 objective IVP-22: Reduce "
        "overdose deaths involving synthetic opioids other than methadone. Age adjusted to the year 2000 standard "
        "population; data source NVSS-M, CDC/NCHS.",
        coverage="United States, 2018-2019 (synthetic opioids other than methadone)",
    ),
    Source(
        id="cdc_overdose_deaths_page",
        title="Drug Overdose Deaths",
        publisher="CDC, Injury Center",
        url="https://www.cdc.gov/drugoverdose/deaths/index.html",
        license=PUBLIC_DOMAIN,
        citation="Centers for Disease Control and Prevention. Drug Overdose Deaths (web page, 2021 edition).",
    ),
    Source(
        id="cdc_heroin_page",
        title="Heroin Overdose Data",
        publisher="CDC, Injury Center",
        url="https://www.cdc.gov/drugoverdose/data/heroin/index.html",
        license=PUBLIC_DOMAIN,
        citation="Centers for Disease Control and Prevention. Heroin Overdose Data (web page). Exact counts read in "
        "texts quoting CDC WONDER; CDC's page gives 'more than 14,000' (2019).",
    ),
    Source(
        id="nchs_quickstats_cocaine_2021",
        title="QuickStats: Age-Adjusted Drug Overdose Death Rates Involving Cocaine, by Region - National Vital "
        "Statistics System, United States, 2021",
        publisher="CDC, National Center for Health Statistics (MMWR QuickStats)",
        url="https://tools.cdc.gov/podcasts/download.asp?m=320959&c=737991",
        license=PUBLIC_DOMAIN,
        citation="Garnett MF, et al. QuickStats: Age-adjusted drug overdose death rates involving cocaine, by "
        "region - National Vital Statistics System, United States, 2021. MMWR (QuickStats); text read on CDC's "
        "page at tools.cdc.gov (the volume, issue and page were not in the text read).",
        coverage="United States and HHS regions, 2021 (cocaine)",
    ),
    Source(
        id="nihcm_stimulants_2022",
        title="Stimulant Drug Overdose Deaths: 2022 Update",
        publisher="NIHCM Foundation (citing CDC final data)",
        url="https://www.nihcm.org/publications/stimulant-drug-overdose-deaths-2022-update",
        license="Quoted figures from CDC final mortality data (public domain)",
        citation="NIHCM Foundation. Stimulant Drug Overdose Deaths: 2022 Update (citing CDC WONDER final data).",
        coverage="United States, 2013-2020 (cocaine and psychostimulants)",
        released="2022",
    ),
)


def load() -> Table:
    """The bundled national final table. There is no live endpoint: these figures are compiled from
    publications, so the snapshot is the source of record."""
    stored = read_table(TABLE, SNAPSHOT_DIR)
    return Table(
        name=TABLE,
        data=stored.data,
        sources=SOURCES,
        retrieved_at=stored.retrieved_at,
        from_snapshot=True,
    )
