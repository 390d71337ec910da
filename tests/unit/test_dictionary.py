"""The data dictionary is complete: every key used in data is defined, every source is fully cited."""

from data_sources import catalog
from data_sources.dictionary import COLUMN_DESCRIPTIONS, DRUGS, FLAGS, MEASURES, MISSING_REASON_FLAGS
from data_sources.schema import COLUMNS, split_flags


def test_every_column_is_described():
    assert set(COLUMN_DESCRIPTIONS) == set(COLUMNS)


def test_every_term_has_title_and_description_and_measures_have_units():
    for term in [*DRUGS.values(), *MEASURES.values()]:
        assert term.title.strip() and term.description.strip()
    assert all(term.unit for term in MEASURES.values())
    assert set(FLAGS) >= MISSING_REASON_FLAGS


def test_every_key_used_in_every_table_is_defined_and_every_source_cited():
    for name, table in catalog.load_all().items():
        data = table.data
        assert set(data["drug"]) <= set(DRUGS), name
        assert set(data["measure"]) <= set(MEASURES), name
        assert {f for v in data["value_flag"] for f in split_flags(v)} <= set(FLAGS), name
        declared = {s.id for s in table.sources}
        assert set(data["source_id"]) <= declared, f"{name}: rows cite undeclared sources"
        for source in table.sources:
            assert source.url.startswith("http") and source.license and source.citation, source.id
