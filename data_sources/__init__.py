"""US drug overdose data from CDC, NCHS and NIDA as tidy, documented, cited tables.

Framework-free: usable from a notebook.

    >>> from data_sources import catalog
    >>> national = catalog.TABLES["national_final"]()
    >>> national.data.query("drug == 'heroin' and measure == 'deaths'")

The tidy contract is in :mod:`data_sources.schema`; definitions of every drug, measure and flag are in
:mod:`data_sources.dictionary`.
"""

from data_sources.dictionary import DRUGS, FLAGS, MEASURES
from data_sources.schema import COLUMNS, SchemaError, Source, Table, conform

__all__ = ["COLUMNS", "DRUGS", "FLAGS", "MEASURES", "SchemaError", "Source", "Table", "conform"]
