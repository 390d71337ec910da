"""A small client for data.cdc.gov's SODA API (Socrata Open Data API), built on ``requests``.

``fetch_all`` pages through a dataset with ``$limit``/``$offset`` and a fixed ``$order`` (so pages do not
shift while we read), passes ``$where``/``$select`` through, and retries connection errors, HTTP 429 (honouring
``Retry-After``) and 5xx with backoff through urllib3's ``Retry``. Every failure is a :class:`SocrataError`
naming the dataset and what went wrong: an HTTP status, an HTML page where JSON was expected, truncated JSON,
a timeout.

Records, however they arrive (a live response, a recorded JSON response, or a data.cdc.gov CSV export read
with :func:`records_from_csv_export`), become a frame through :func:`records_frame`, which refuses a response
whose fields were renamed or whose records cannot be placed; :func:`parse_number` reads one cell.

Configuration: ``CDC_DATA_BASE_URL`` (default ``https://data.cdc.gov``) so a mirror or a local test server can
stand in; ``SOCRATA_APP_TOKEN`` (optional) raises Socrata's rate limits.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from data_sources.schema import SchemaError

DEFAULT_BASE_URL = "https://data.cdc.gov"
PAGE_SIZE = 50_000  # SODA 2.x serves up to 50,000 rows per request
RETRY_STATUSES = (429, 500, 502, 503, 504)  # rate limited, or the server is briefly unwell
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is waited for this long at most, then retried


class CappedRetry(Retry):
    """urllib3's Retry, but a server's ``Retry-After`` is honoured only up to ``max_retry_after`` seconds, so a
    header of a day (or a garbled huge number) cannot hang a refresh; the retry count still bounds the total."""

    def __init__(self, *args: object, max_retry_after: float = MAX_RETRY_AFTER, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.max_retry_after = max_retry_after

    def new(self, **kwargs: object) -> CappedRetry:
        kwargs.setdefault("max_retry_after", self.max_retry_after)
        return super().new(**kwargs)

    def get_retry_after(self, response: object) -> float | None:
        wait = super().get_retry_after(response)  # type: ignore[arg-type]
        return None if wait is None else min(wait, self.max_retry_after)


class SocrataError(RuntimeError):
    """A dataset could not be fetched completely; the message names the dataset and the reason."""


@dataclass(frozen=True)
class Settings:
    """Network settings; tests shrink the timeouts and backoff so failures are quick."""

    base_url: str = DEFAULT_BASE_URL
    app_token: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0  # seconds; doubled after each retry
    max_retry_after: float = MAX_RETRY_AFTER  # the longest Retry-After we wait for
    page_size: int = PAGE_SIZE

    @classmethod
    def from_env(cls, base_url: str | None = None, **overrides: object) -> Settings:
        """Settings from ``CDC_DATA_BASE_URL`` and ``SOCRATA_APP_TOKEN``; ``base_url`` wins when given."""
        url = base_url or os.environ.get("CDC_DATA_BASE_URL") or DEFAULT_BASE_URL
        return cls(base_url=url.rstrip("/"), app_token=os.environ.get("SOCRATA_APP_TOKEN") or None, **overrides)  # type: ignore[arg-type]


def session(settings: Settings) -> requests.Session:
    """A session that retries connection errors, 429 and 5xx, honouring Retry-After (capped), for GETs only."""
    retry = CappedRetry(
        max_retry_after=settings.max_retry_after,
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        backoff_factor=settings.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,  # the last response comes back and we report its status ourselves
    )
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=retry))
    http.mount("https://", HTTPAdapter(max_retries=retry))
    http.headers["Accept"] = "application/json"
    if settings.app_token:
        http.headers["X-App-Token"] = settings.app_token
    return http


def fetch_all(
    dataset_id: str,
    settings: Settings,
    *,
    order: str = ":id",
    where: str | None = None,
    select: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    http: requests.Session | None = None,
) -> list[dict]:
    """Every row of ``dataset_id`` as SODA JSON records, page by page; ``progress(pages, rows)`` after each."""
    http = http or session(settings)
    url = f"{settings.base_url}/resource/{dataset_id}.json"
    records: list[dict] = []
    pages = 0
    while True:
        params = {"$limit": settings.page_size, "$offset": len(records), "$order": order}
        if where:
            params["$where"] = where
        if select:
            params["$select"] = select
        page = _get_page(http, url, params, dataset_id, settings)
        records.extend(page)
        pages += 1
        if progress:
            progress(pages, len(records))
        if len(page) < settings.page_size:
            return records


def _get_page(http: requests.Session, url: str, params: dict, dataset_id: str, settings: Settings) -> list[dict]:
    where = f"{dataset_id} at {url} (offset {params['$offset']})"
    try:
        response = http.get(url, params=params, timeout=(settings.connect_timeout, settings.read_timeout))
    except requests.exceptions.RetryError as err:
        raise SocrataError(f"{where}: gave up after {settings.retries} retries ({_reason(err)})") from err
    except requests.exceptions.Timeout as err:
        raise SocrataError(f"{where}: timed out ({_reason(err)})") from err
    except requests.exceptions.ConnectionError as err:
        # urllib3 reports read timeouts that outlasted the retries as a connection error; say what happened.
        what = "timed out" if "timed out" in _reason(err).lower() else "could not connect"
        raise SocrataError(f"{where}: {what} ({_reason(err)})") from err
    except requests.exceptions.RequestException as err:  # e.g. the connection closed mid-body
        raise SocrataError(f"{where}: the transfer broke off ({_reason(err)})") from err
    if response.status_code != 200:
        retried = f" (after {settings.retries} retries)" if response.status_code in RETRY_STATUSES else ""
        raise SocrataError(f"{where}: HTTP {response.status_code} {response.reason}{retried}: {response.text[:200]!r}")
    kind = response.headers.get("Content-Type", "")
    if "json" not in kind:
        raise SocrataError(f"{where}: expected JSON but got {kind or 'no content type'}: {response.text[:120]!r}")
    try:
        page = response.json()
    except requests.exceptions.JSONDecodeError as err:
        raise SocrataError(f"{where}: the JSON is malformed or cut short ({err})") from err
    if not isinstance(page, list) or not all(isinstance(r, dict) for r in page):
        raise SocrataError(f"{where}: expected a JSON list of records, got {str(page)[:120]!r}")
    return page


def _reason(err: Exception) -> str:
    """The innermost reason urllib3 gives (e.g. 'Read timed out', 'too many 500 error responses')."""
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return str(reason or err)[:200]


# --- records -------------------------------------------------------------------------------------------------
def records_from_csv_export(path: Path, fields: Mapping[str, str]) -> list[dict[str, str]]:
    """Rows of a data.cdc.gov CSV export as SODA JSON records: ``fields`` maps CSV headers to API field names.

    Lets the bundled snapshot be built from a CSV export through the same ``tidy`` as a live API fetch.
    Raises SchemaError naming the headers that are missing.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [h for h in fields if h not in (reader.fieldnames or [])]
        if missing:
            raise SchemaError(f"{path.name}: CSV headers missing: {missing}; found {reader.fieldnames}")
        return [{fields[h]: row[h] for h in fields} for row in reader]


def read_json_records(path: Path) -> list[dict]:
    """A recorded SODA JSON response (a list of records)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise SchemaError(f"{path.name}: expected a JSON list of records, got {type(records).__name__}")
    return records


def parse_number(text: object) -> float | None:
    """A SODA/CSV cell as a number: '13,051' -> 13051.0, '3.8521' -> 3.8521, '' or None -> None."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    cleaned = str(text).replace(",", "").strip()
    return float(cleaned) if cleaned else None


def records_frame(
    records: list[dict],
    fields: tuple[str, ...],
    dataset_id: str,
    *,
    keys: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> pd.DataFrame:
    """SODA records as a frame with every one of ``fields`` as a column (missing cells are None).

    SODA leaves a field out of a record when its value is null, so a field may be absent from some records,
    and an ``optional`` one (a footnote, a flag) from all of them. A required field absent from every record
    means the dataset renamed it: SchemaError naming what is missing and what came instead. A record without
    one of its ``keys`` (place, period, drug) cannot be placed anywhere: SchemaError saying which field and how
    many records, rather than dropping them quietly.
    """
    raw = pd.DataFrame.from_records(records)
    missing = [f for f in fields if f not in raw.columns and f not in optional]
    if missing:
        raise SchemaError(
            f"{dataset_id}: fields missing from the response: {missing}; found {sorted(raw.columns)}. "
            "The dataset may have renamed its columns."
        )
    raw = raw.reindex(columns=[*raw.columns, *(f for f in optional if f not in raw.columns)])
    raw = raw.astype(object).replace({np.nan: None})  # SODA leaves nulls out; a missing cell is None
    for key in keys:
        blank = raw[key].map(lambda v: v is None or not str(v).strip())
        if blank.any():
            first = int(blank.to_numpy().nonzero()[0][0])
            raise SchemaError(
                f"{dataset_id}: {int(blank.sum()):,} of {len(raw):,} records have no {key!r} (first: record "
                f"{first}); a record without it cannot be placed, so none of the response was used."
            )
    return raw
