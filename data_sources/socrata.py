"""A small client for data.cdc.gov's SODA API (Socrata Open Data API), built on ``requests``.

:func:`fetch` pages through a dataset with ``$limit``/``$offset`` and a fixed ``$order`` (so pages do not
shift while we read), passes ``$where``/``$select`` through, and retries connection errors, HTTP 429
(honouring ``Retry-After``) and 5xx with backoff through urllib3's ``Retry``. It is bounded in every direction:

* a wall-clock deadline per request (``Settings.request_deadline``) and per source
  (``Settings.source_deadline``), enforced by a watchdog that shuts the socket down when time is up, so a
  server that sends one byte every few seconds (which never trips the per-read timeout) fails in bounded time;
  retries and ``Retry-After`` waits are cut to the time left;
* a cap on pages (``max_pages``) and on bytes per source (``max_bytes``); a page that repeats an earlier page
  byte for byte (a mirror that ignores ``$offset``) or holds more rows than ``$limit`` is refused at once;
* redirects are followed only within the same host (and from http to https); a redirect to another host is
  refused, so the ``X-App-Token`` is never sent anywhere but the configured server. :class:`Fetched` records
  the URL the rows actually came from.

Every failure is a :class:`SocrataError` naming the dataset and what went wrong: an HTTP status, an HTML page
where JSON was expected, truncated JSON, a timeout, a deadline, a cap.

Records, however they arrive (a live response, a recorded JSON response, or a data.cdc.gov CSV export read
with :func:`records_from_csv_export`), become a frame through :func:`records_frame`, which refuses a response
whose fields were renamed, whose records cannot be placed, or whose values are not text (SODA sends every
value as text); :func:`parse_number` and :func:`parse_whole` read one cell.

Configuration: ``CDC_DATA_BASE_URL`` (default ``https://data.cdc.gov``) so a mirror or a local test server can
stand in; ``SOCRATA_APP_TOKEN`` (optional) raises Socrata's rate limits.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from data_sources.schema import SchemaError

DEFAULT_BASE_URL = "https://data.cdc.gov"
PAGE_SIZE = 50_000  # SODA 2.x serves up to 50,000 rows per request
RETRY_STATUSES = (429, 500, 502, 503, 504)  # rate limited, or the server is briefly unwell
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is waited for this long at most, then retried
#: One page (50,000 rows, about 20 MB of JSON) must arrive whole within this many seconds, retries included.
REQUEST_DEADLINE = 180.0
#: One source (every page of one dataset) must arrive within this many seconds.
SOURCE_DEADLINE = 900.0
#: Pages per source: 100 pages of 50,000 is 5 million rows, over 50 times the largest dataset refreshed here
#: (VSRR, about 80,000 rows).
MAX_PAGES = 100
#: Bytes of JSON per source: several times the largest dataset here (VSRR, about 40 MB of JSON).
MAX_BYTES = 256 * 1024 * 1024
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024


class CappedRetry(Retry):
    """urllib3's Retry, but a server's ``Retry-After`` is honoured only up to ``max_retry_after`` seconds, so a
    header of a day (or a garbled huge number) cannot hang a refresh; the retry count still bounds the total.
    Neither a ``Retry-After`` wait nor a backoff outlasts the running request's deadline."""

    def __init__(self, *args: object, max_retry_after: float = MAX_RETRY_AFTER, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.max_retry_after = max_retry_after

    def new(self, **kwargs: object) -> CappedRetry:
        kwargs.setdefault("max_retry_after", self.max_retry_after)
        return super().new(**kwargs)

    def get_retry_after(self, response: object) -> float | None:
        wait = super().get_retry_after(response)  # type: ignore[arg-type]
        return None if wait is None else min(wait, self.max_retry_after, _time_left())

    def get_backoff_time(self) -> float:
        return min(super().get_backoff_time(), _time_left())


class SocrataError(RuntimeError):
    """A dataset could not be fetched completely; the message names the dataset and the reason."""


# --- deadlines: a watchdog that ends a request when its time is up ------------------------------------------
class DeadlineExceeded(RuntimeError):
    """Raised inside a request whose deadline has passed. Not an ``OSError``, so urllib3 does not retry it."""


_ACTIVE = threading.local()


def _active_deadline() -> Deadline | None:
    return getattr(_ACTIVE, "deadline", None)


def _time_left() -> float:
    deadline = _active_deadline()
    return float("inf") if deadline is None else deadline.remaining()


class Deadline:
    """A wall-clock limit on the requests made in this thread inside ``with deadline:``.

    Every socket those requests open or reuse is watched; when the time is up a timer thread shuts them down,
    so a read blocked on a server that drips bytes returns at once, and any new connection is refused with
    :class:`DeadlineExceeded`. ``expired`` tells the caller why its request broke off.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self.end = time.monotonic() + self.seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        """Seconds left (0 when past)."""
        return max(0.0, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the deadline passes; raise :class:`DeadlineExceeded` if it already has."""
        with self._lock:
            if self.expired or self.remaining() <= 0:
                self.expired = True
                raise DeadlineExceeded(f"the deadline of {self.seconds:g} s has passed")
            if all(s is not sock for s in self._sockets):
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                # socket.socket's own shutdown: for a TLS socket it cuts the connection under the TLS layer too
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:  # already closed by the request that owned it
                continue

    def __enter__(self) -> Deadline:
        _ACTIVE.deadline = self
        self._timer = threading.Timer(self.remaining(), self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        _ACTIVE.deadline = None


def _watched(sock: socket.socket) -> socket.socket:
    deadline = _active_deadline()
    if deadline is not None:
        try:
            deadline.watch(sock)
        except DeadlineExceeded:
            sock.close()
            raise
    return sock


class _WatchedHTTPConnection(HTTPConnection):
    """A connection whose socket the running request's :class:`Deadline` watches (new or reused)."""

    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())

    def getresponse(self) -> Any:
        if self.sock is not None:
            _watched(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    """The TLS form of :class:`_WatchedHTTPConnection`."""

    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())

    def getresponse(self) -> Any:
        if self.sock is not None:
            _watched(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter, with pools whose connections a :class:`Deadline` can cut off."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
        return manager


# --- settings and session -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Network settings and limits; tests shrink the timeouts, deadlines, caps and backoff so failures are quick."""

    base_url: str = DEFAULT_BASE_URL
    app_token: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # per read: the longest silence between two packets
    retries: int = 4
    backoff: float = 1.0  # seconds; doubled after each retry
    max_retry_after: float = MAX_RETRY_AFTER  # the longest Retry-After we wait for
    page_size: int = PAGE_SIZE
    request_deadline: float = REQUEST_DEADLINE  # seconds for one page, retries included
    source_deadline: float = SOURCE_DEADLINE  # seconds for every page of one dataset
    max_pages: int = MAX_PAGES
    max_bytes: int = MAX_BYTES  # bytes of JSON per dataset

    @classmethod
    def from_env(cls, base_url: str | None = None, **overrides: object) -> Settings:
        """Settings from ``CDC_DATA_BASE_URL`` and ``SOCRATA_APP_TOKEN``; ``base_url`` wins when given."""
        url = base_url or os.environ.get("CDC_DATA_BASE_URL") or DEFAULT_BASE_URL
        return cls(base_url=url.rstrip("/"), app_token=os.environ.get("SOCRATA_APP_TOKEN") or None, **overrides)  # type: ignore[arg-type]


def session(settings: Settings) -> requests.Session:
    """A session that retries connection errors, 429 and 5xx, honouring Retry-After (capped), for GETs only;
    its connections can be cut off by a :class:`Deadline`."""
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
    http.mount("http://", _WatchedAdapter(max_retries=retry))
    http.mount("https://", _WatchedAdapter(max_retries=retry))
    http.headers["Accept"] = "application/json"
    if settings.app_token:
        http.headers["X-App-Token"] = settings.app_token
    return http


# --- fetching -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fetched:
    """Every record of one dataset, and where they came from: ``requested_url`` is the URL asked for,
    ``final_url`` the one the rows were read from (different only after a same-host redirect)."""

    records: list[dict]
    requested_url: str
    final_url: str
    pages: int
    bytes: int


@dataclass(frozen=True)
class _Page:
    records: list[dict]
    body: bytes
    url: str


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
    """Every row of ``dataset_id`` as SODA JSON records (:func:`fetch` without the provenance)."""
    return fetch(dataset_id, settings, order=order, where=where, select=select, progress=progress, http=http).records


def fetch(
    dataset_id: str,
    settings: Settings,
    *,
    order: str = ":id",
    where: str | None = None,
    select: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    http: requests.Session | None = None,
) -> Fetched:
    """Every row of ``dataset_id``, page by page, within the settings' deadlines and caps; ``progress(pages,
    rows)`` after each page. Raises :class:`SocrataError` naming the dataset and the reason."""
    http = http or session(settings)
    url = f"{settings.base_url}/resource/{dataset_id}.json"
    source_end = time.monotonic() + settings.source_deadline
    records: list[dict] = []
    seen: dict[str, int] = {}  # page digest -> the offset it was first read at
    pages = size = 0
    final_url = url
    while True:
        offset = len(records)
        if pages >= settings.max_pages:
            raise SocrataError(
                f"{dataset_id} at {url}: {pages} pages ({offset:,} rows) and still no last page; the cap is "
                f"{settings.max_pages} pages, so nothing was stored (does the server ignore $offset?)"
            )
        left = source_end - time.monotonic()
        if left <= 0:
            raise SocrataError(
                f"{dataset_id} at {url}: the source's overall deadline of {settings.source_deadline:g} s passed "
                f"after {pages} pages; nothing was stored"
            )
        params: dict[str, str | int] = {"$limit": settings.page_size, "$offset": offset, "$order": order}
        if where:
            params["$where"] = where
        if select:
            params["$select"] = select
        if left < settings.request_deadline:
            seconds, which = left, f"the source's overall deadline of {settings.source_deadline:g} s"
        else:
            seconds, which = settings.request_deadline, f"the request deadline of {settings.request_deadline:g} s"
        page = _get_page(
            http, url, params, dataset_id, settings, budget=settings.max_bytes - size, seconds=seconds, which=which
        )
        digest = hashlib.sha256(page.body).hexdigest()
        if page.records and digest in seen:
            raise SocrataError(
                f"{dataset_id} at {url}: the page at offset {offset:,} repeats the page at offset {seen[digest]:,} "
                "byte for byte; the server ignores $offset, so paging would never end. Nothing was stored."
            )
        if len(page.records) > settings.page_size:
            raise SocrataError(
                f"{dataset_id} at {url}: {len(page.records):,} records in a page asked for {settings.page_size:,} "
                "($limit); the server ignores $limit, so its pages cannot be trusted. Nothing was stored."
            )
        seen[digest] = offset
        records.extend(page.records)
        pages += 1
        size += len(page.body)
        final_url = page.url
        if progress:
            progress(pages, len(records))
        if len(page.records) < settings.page_size:
            return Fetched(records, url, final_url, pages, size)


def _get_page(
    http: requests.Session,
    url: str,
    params: dict[str, str | int],
    dataset_id: str,
    settings: Settings,
    *,
    budget: int,
    seconds: float,
    which: str,
) -> _Page:
    where = f"{dataset_id} at {url} (offset {params['$offset']})"
    deadline = Deadline(seconds)
    response: requests.Response | None = None
    try:
        with deadline:
            response = _get_same_host(http, url, params, settings, where)
            if response.status_code != 200:
                retried = f" (after {settings.retries} retries)" if response.status_code in RETRY_STATUSES else ""
                text = _read(response, 4096, where, settings).decode("utf-8", "replace")
                raise SocrataError(f"{where}: HTTP {response.status_code} {response.reason}{retried}: {text[:200]!r}")
            kind = response.headers.get("Content-Type", "")
            if "json" not in kind:
                text = _read(response, 4096, where, settings).decode("utf-8", "replace")
                raise SocrataError(f"{where}: expected JSON but got {kind or 'no content type'}: {text[:120]!r}")
            body = _read(response, budget, where, settings, cap=True)
            if deadline.expired:  # the watchdog's shutdown can look like a body that simply ended
                raise DeadlineExceeded(f"the deadline of {deadline.seconds:g} s has passed")
            final = urlsplit(response.url)
    except DeadlineExceeded as err:
        raise SocrataError(f"{where}: no complete answer within {which}; nothing was stored") from err
    except requests.exceptions.RequestException as err:
        if deadline.expired:
            raise SocrataError(f"{where}: no complete answer within {which}; nothing was stored") from err
        raise _request_error(err, where, settings) from err
    finally:
        if response is not None:
            response.close()
    try:
        page = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SocrataError(f"{where}: the JSON is malformed or cut short ({err})") from err
    if not isinstance(page, list) or not all(isinstance(r, dict) for r in page):
        raise SocrataError(f"{where}: expected a JSON list of records, got {str(page)[:120]!r}")
    return _Page(page, body, urlunsplit((final.scheme, final.netloc, final.path, "", "")))


def _get_same_host(
    http: requests.Session, url: str, params: dict[str, str | int], settings: Settings, where: str
) -> requests.Response:
    """GET ``url`` (streamed), following redirects only to the same host (or from http to https on it)."""
    current: str = url
    query: dict[str, str | int] | None = params
    for _ in range(MAX_REDIRECTS + 1):
        response = http.get(
            current,
            params=query,
            timeout=(settings.connect_timeout, settings.read_timeout),
            allow_redirects=False,
            stream=True,
        )
        if not response.is_redirect:
            return response
        target = urljoin(response.url, response.headers["Location"])
        response.close()
        if not _same_host(response.url, target):
            raise SocrataError(
                f"{where}: the server redirected to another host ({urlsplit(target).netloc or target[:80]}); "
                "refused, so neither the request nor the app token goes there. If that host is a mirror, set "
                "CDC_DATA_BASE_URL to it."
            )
        current, query = target, None  # the Location carries its own query
    raise SocrataError(f"{where}: more than {MAX_REDIRECTS} redirects")


def _same_host(origin: str, target: str) -> bool:
    """Same host and port, and the scheme kept or raised from http to https (never lowered)."""
    a, b = urlsplit(origin), urlsplit(target)
    ports = {"http": 80, "https": 443}
    if b.scheme not in ports or (a.scheme, b.scheme) == ("https", "http"):
        return False
    same_port = (a.port or ports.get(a.scheme)) == (b.port or ports[b.scheme]) or (
        a.scheme == "http" and b.scheme == "https" and b.port is None
    )
    return (a.hostname or "").lower() == (b.hostname or "").lower() and same_port


def _read(response: requests.Response, limit: int, where: str, settings: Settings, *, cap: bool = False) -> bytes:
    """The response body, at most ``limit`` bytes: beyond it, cut off (``cap=False``, for an error page) or
    refused (``cap=True``: the source's byte cap)."""
    declared = response.headers.get("Content-Length", "")
    if cap and declared.isdigit() and int(declared) > limit:
        raise SocrataError(
            f"{where}: the response announces {int(declared):,} bytes, which passes the cap of "
            f"{settings.max_bytes:,} bytes per source ({limit:,} left); nothing was stored"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            if not cap:
                chunks.append(chunk[: limit - (size - len(chunk))])
                break
            raise SocrataError(
                f"{where}: the data passes the cap of {settings.max_bytes:,} bytes per source; nothing was stored"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _request_error(err: requests.exceptions.RequestException, where: str, settings: Settings) -> SocrataError:
    if isinstance(err, requests.exceptions.RetryError):
        return SocrataError(f"{where}: gave up after {settings.retries} retries ({_reason(err)})")
    if isinstance(err, requests.exceptions.Timeout):
        return SocrataError(f"{where}: timed out ({_reason(err)})")
    if isinstance(err, requests.exceptions.ConnectionError):
        # urllib3 reports read timeouts that outlasted the retries as a connection error; say what happened.
        what = "timed out" if "timed out" in _reason(err).lower() else "could not connect"
        return SocrataError(f"{where}: {what} ({_reason(err)})")
    return SocrataError(f"{where}: the transfer broke off ({_reason(err)})")  # e.g. the connection closed mid-body


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
    """A SODA/CSV cell as a number: '13,051' -> 13051.0, '3.8521' -> 3.8521, '' or None -> None.

    ``'Infinity'`` and ``'1e308'`` read as the numbers they spell; the value checks
    (:mod:`data_sources.checks`) then refuse the table naming the row.
    """
    if text is None or (isinstance(text, float) and text != text):
        return None
    cleaned = str(text).replace(",", "").strip()
    return float(cleaned) if cleaned else None


def parse_whole(text: object, what: str) -> int:
    """A SODA/CSV cell that must be a whole number (a year, a panel number): '2019' or '2019.0' -> 2019.

    Raises :class:`SchemaError` naming ``what`` for anything else ('2019.7', '', 'Infinity'), where
    ``int(float(text))`` would quietly make 2019.7 into 2019.
    """
    try:
        number = float(str(text).replace(",", "").strip())
    except ValueError as err:
        raise SchemaError(f"{what}: {text!r} is not a whole number") from err
    if not number.is_integer():
        raise SchemaError(f"{what}: {text!r} is not a whole number")
    return int(number)


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
    many records, rather than dropping them quietly. SODA sends every value of these fields as text; a number,
    list or object where text belongs (a place given as ``6`` or ``["CA"]``) is refused naming the record and
    the field, rather than crashing the code that reads it.
    """
    for number, record in enumerate(records):
        for name in fields:
            value = record.get(name)
            if value is not None and not isinstance(value, str):
                raise SchemaError(
                    f"{dataset_id}: record {number} has {name} = {json.dumps(value)[:60]} ({type(value).__name__}), "
                    "not text; SODA sends every value as text, so none of the response was used."
                )
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
