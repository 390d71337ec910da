"""Compatibility names for code that still imports ``data_sources.live``.

What lived here is now in :mod:`data_sources.freshness` (the freshest copy and how fresh it is; ``freshness`` is
:func:`data_sources.freshness.as_of_sentence`) and :mod:`data_sources.socrata` (reading SODA records). New code
imports those modules.
"""

from data_sources.freshness import age_days, is_stale, load_freshest, update_days
from data_sources.freshness import as_of_sentence as freshness
from data_sources.socrata import parse_number, read_json_records, records_frame, records_from_csv_export

__all__ = [
    "age_days",
    "freshness",
    "is_stale",
    "load_freshest",
    "parse_number",
    "read_json_records",
    "records_frame",
    "records_from_csv_export",
    "update_days",
]
