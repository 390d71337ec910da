"""Fixtures shared by the whole suite: the bundled tables, loaded once per test session.

Tests that only read a table take it from here rather than loading their own copy; a test that changes one
must copy it first (the same tables are shared, as they are between the dashboard's readers).
"""

from __future__ import annotations

import pytest

from data_sources import nchs_drug_overdose_rates, nchs_national_final, nchs_state_drug_poisoning, nchs_vsrr, risk
from data_sources.schema import Table


@pytest.fixture(scope="session")
def national_table() -> Table:
    """National final deaths and rates by drug (bundled snapshot)."""
    return nchs_national_final.load()


@pytest.fixture(scope="session")
def state_table() -> Table:
    """NCHS state table (bundled snapshot)."""
    return nchs_state_drug_poisoning.load()


@pytest.fixture(scope="session")
def vsrr_table() -> Table:
    """CDC VSRR provisional counts (bundled snapshot)."""
    return nchs_vsrr.load()


@pytest.fixture(scope="session")
def rates_table() -> Table:
    """NCHS rates by drug, sex, age, race and Hispanic origin (bundled snapshot)."""
    return nchs_drug_overdose_rates.load()


@pytest.fixture(scope="session")
def risk_table() -> Table:
    """Risk multipliers from published studies (bundled snapshot)."""
    return risk.load()
