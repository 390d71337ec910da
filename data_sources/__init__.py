"""US drug overdose data from CDC, NCHS and NIDA as tidy, documented, cited tables.

Framework-free: usable from a notebook.

    >>> from data_sources import catalog, query
    >>> national = catalog.TABLES["national_final"]()
    >>> query.cell(national.data, drug="heroin", year=2019).value
    14019.0

Every table is a :class:`~data_sources.schema.Table` with a schema from :mod:`data_sources.dictionary` (the
tidy contract, the risk figures, the public claims); definitions of every drug, measure, flag and column live
there too. :mod:`data_sources.query` selects rows, :mod:`data_sources.export` writes every CSV,
:mod:`data_sources.package` builds the data package and :mod:`data_sources.cli` is the command line.
"""

from data_sources.dictionary import DRUGS, FLAGS, MEASURES
from data_sources.schema import COLUMNS, SchemaError, Source, Table, conform

__all__ = ["COLUMNS", "DRUGS", "FLAGS", "MEASURES", "SchemaError", "Source", "Table", "conform"]
