"""The data dictionary is complete: every key used in data is defined, every source is fully cited, every table
has a schema whose columns are described and labelled."""

import pytest

from data_sources import catalog, claims, dictionary
from data_sources.dictionary import COLUMN_DESCRIPTIONS, DRUGS, FLAGS, MEASURES, MISSING_REASON_FLAGS, TIDY
from data_sources.schema import COLUMNS, split_flags


@pytest.fixture(scope="module")
def tables():
    return catalog.load_all()


def test_every_column_is_described():
    assert set(COLUMN_DESCRIPTIONS) == set(COLUMNS) == set(TIDY.columns)


def test_every_term_has_title_and_description_and_measures_have_units_and_decimals():
    for term in [*DRUGS.values(), *MEASURES.values()]:
        assert term.title.strip() and term.description.strip()
    assert all(term.unit for term in MEASURES.values())
    assert set(FLAGS) >= MISSING_REASON_FLAGS
    decimals = {key: dictionary.measure_decimals(key) for key in MEASURES}
    assert decimals["deaths"] == decimals["predicted_deaths"] == decimals["population"] == 0
    assert decimals["age_adjusted_rate_per_100k"] == decimals["crude_rate_per_100k"] == 1


@pytest.mark.parametrize("schema", dictionary.SCHEMAS.values(), ids=list(dictionary.SCHEMAS))
def test_every_schema_column_has_a_label_a_description_and_a_known_type(schema):
    assert schema.title and len(schema.description) > 40
    for field in schema.fields:
        assert field.label.strip() and field.description.strip(), field.name
        assert dictionary.COLUMN_LABELS[field.name] == field.label
    if schema.primary_key:
        assert schema.field(schema.primary_key).required


def test_every_catalog_table_keeps_a_dictionary_schema(tables):
    assert {t.schema.name for t in tables.values()} == set(dictionary.SCHEMAS)
    for name, table in tables.items():
        assert list(table.data.columns) == list(table.schema.columns), name


def test_every_key_used_in_every_table_is_defined_and_every_source_cited(tables):
    for name, table in tables.items():
        data = table.data
        if table.schema is TIDY:
            assert set(data["drug"]) <= set(DRUGS), name
            assert set(data["measure"]) <= set(MEASURES), name
            assert {f for v in data["value_flag"] for f in split_flags(v)} <= set(FLAGS), name
        if "source_id" in data:
            declared = {s.id for s in table.sources}
            assert set(data["source_id"]) <= declared, f"{name}: rows cite undeclared sources"
        for source in table.sources:
            assert source.url.startswith("http") and source.license and source.citation, source.id


def test_claims_vocabulary_is_the_dictionary_s():
    assert set(claims.CHECKS) == set(dictionary.CLAIM_CHECKS)
    assert set(claims.WORDINGS) == set(dictionary.CLAIM_WORDINGS)
    assert set(claims.CLAIM_COLUMNS) == set(dictionary.PUBLIC_CLAIMS.columns)
