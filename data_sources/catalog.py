"""Every table the dashboard offers, by name: the Data page, ``export``, ``status`` and the data package list these.

Each entry maps a table name to the function that loads its freshest good copy (live cache, else the
bundled snapshot) as a :class:`~data_sources.schema.Table`. Mortality tables keep the tidy contract; the risk
figures and the public claims carry their own schemas from the data dictionary. Adding a source means adding
one line here.
"""

from __future__ import annotations

from collections.abc import Callable

from data_sources import (
    cdc_dose_nonfatal,
    claims,
    derived,
    nchs_county_model,
    nchs_drug_overdose_rates,
    nchs_national_final,
    nchs_state_drug_poisoning,
    nchs_vsrr,
    risk,
)
from data_sources.schema import Table

TABLES: dict[str, Callable[[], Table]] = {
    nchs_national_final.TABLE: nchs_national_final.load,
    nchs_vsrr.TABLE: nchs_vsrr.load,
    nchs_state_drug_poisoning.TABLE: nchs_state_drug_poisoning.load,
    nchs_drug_overdose_rates.TABLE: nchs_drug_overdose_rates.load,
    nchs_county_model.TABLE: nchs_county_model.load,
    cdc_dose_nonfatal.TABLE: cdc_dose_nonfatal.load,
    risk.TABLE: risk.load,
    claims.TABLE: claims.load,
    derived.SEGMENTS_TABLE: derived.load_segments,
    derived.REVISIONS_TABLE: derived.load_revisions,
}


def load_all() -> dict[str, Table]:
    """Load every registered table. A table that fails to load raises: nothing is silently skipped."""
    return {name: load() for name, load in TABLES.items()}
