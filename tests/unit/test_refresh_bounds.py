"""A refresh ends in bounded time, with bounded data, one at a time, and never leaves a mismatched pair.

Servers here misbehave on 127.0.0.1 only: a pytest-httpserver that ignores ``$offset`` or ``$limit`` or
redirects elsewhere, and plain-socket servers that drip one byte at a time (which never trips a per-read
timeout). Concurrency is tested with threads: ``fcntl`` locks taken through separate opens conflict within one
process as between two.
"""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from paths import FIXTURES
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.testing import DripServer
from data_sources import nchs_national_final, nchs_vsrr, refresh, socrata
from data_sources.schema import SchemaError
from data_sources.snapshot import (
    VERSIONS,
    CacheBusy,
    cache_lock,
    current_version,
    pointer_path,
    publish_table,
    read_table,
)

VSRR = json.loads((FIXTURES / "soda_xkb8-kh2a.json").read_text())
DATASET = "/resource/xkb8-kh2a.json"


def settings(base: str, **overrides) -> socrata.Settings:
    values = {"base_url": base.rstrip("/"), "connect_timeout": 2, "read_timeout": 2, "retries": 1, "backoff": 0}
    return socrata.Settings(**(values | overrides))


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    return tmp_path


# --- a server that drips ---------------------------------------------------------------------------------------
BODY = json.dumps(VSRR).encode()
JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize(
    ("head", "drip"),
    [(JSON_HEAD, BODY), (b"", JSON_HEAD + BODY)],
    ids=["body-drips", "headers-drip"],
)
def test_a_server_that_drips_fails_within_the_request_deadline_with_a_named_reason(head, drip):
    server = DripServer(head, drip)
    try:
        start = time.monotonic()
        with pytest.raises(socrata.SocrataError) as caught:
            socrata.fetch_all("xkb8-kh2a", settings(server.url, read_timeout=1.0, request_deadline=1.5))
        elapsed = time.monotonic() - start
    finally:
        server.close()
    assert elapsed < 4.0  # the per-read timeout (1 s) never trips: every 0.2 s a byte arrives
    assert "xkb8-kh2a" in str(caught.value) and "within the request deadline of 1.5 s" in str(caught.value)


def test_the_source_deadline_bounds_the_whole_refresh_and_names_itself(cache):
    server = DripServer(JSON_HEAD, BODY)
    out = io.StringIO()
    try:
        start = time.monotonic()
        code = refresh.refresh(
            ["vsrr_provisional"], settings(server.url, request_deadline=30, source_deadline=1.0), out=out
        )
        elapsed = time.monotonic() - start
    finally:
        server.close()
    assert code == 1 and elapsed < 4.0
    assert "FAILED, previous copy kept" in out.getvalue()
    assert "the source's overall deadline of 1 s" in out.getvalue()


def test_retries_stop_at_the_deadline():
    """A 503 with Retry-After: 100 would be waited for (capped at max_retry_after) and retried; the request
    deadline cuts the wait short instead."""
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        server.expect_request(DATASET).respond_with_data("busy", status=503, headers={"Retry-After": "100"})
        start = time.monotonic()
        with pytest.raises(socrata.SocrataError, match="xkb8-kh2a"):
            socrata.fetch_all("xkb8-kh2a", settings(server.url_for("/"), retries=3, request_deadline=1.0))
        assert time.monotonic() - start < 4.0
    finally:
        server.clear()
        server.stop()


# --- caps: pages and bytes ---------------------------------------------------------------------------------------
def counting(handler, limit: int = 30):
    """``handler``, but after ``limit`` requests an empty page, so code that would page forever ends."""
    seen = {"n": 0}

    def handle(request: Request) -> Response:
        seen["n"] += 1
        if seen["n"] > limit:
            return Response("[]", content_type="application/json")
        return handler(request)

    return handle


def ignores_offset(request: Request) -> Response:
    return Response(json.dumps(VSRR[: int(request.args["$limit"])]), content_type="application/json")


def ignores_limit(request: Request) -> Response:
    return Response(json.dumps(VSRR), content_type="application/json")


def paged(request: Request) -> Response:
    start, limit = int(request.args["$offset"]), int(request.args["$limit"])
    return Response(json.dumps(VSRR[start : start + limit]), content_type="application/json")


@pytest.mark.parametrize(
    ("handler", "overrides", "message"),
    [
        (
            ignores_offset,
            {},
            "the page at offset 2 repeats the page at offset 0 byte for byte; the server ignores $offset",
        ),
        (ignores_limit, {}, "6 records in a page asked for 2 ($limit); the server ignores $limit"),
        (paged, {"max_pages": 2}, "2 pages (4 rows) and still no last page; the cap is 2 pages"),
        (paged, {"max_bytes": 1500}, "passes the cap of 1,500 bytes per source"),
    ],
    ids=["ignores-offset", "ignores-limit", "page-cap", "byte-cap"],
)
def test_paging_that_would_not_end_or_grows_too_large_is_refused(httpserver, cache, handler, overrides, message):
    httpserver.expect_request(DATASET).respond_with_handler(counting(handler))
    out = io.StringIO()
    config = settings(httpserver.url_for("/"), page_size=2, **overrides)
    assert refresh.refresh(["vsrr_provisional"], config, out=out) == 1
    assert "vsrr_provisional: FAILED, previous copy kept" in out.getvalue() and message in out.getvalue()
    assert not pointer_path("vsrr_provisional", cache).exists()


# --- redirects and where the rows came from ------------------------------------------------------------------
def test_a_redirect_to_another_host_is_refused_and_gets_neither_request_nor_token(httpserver, cache, monkeypatch):
    other = HTTPServer(host="127.0.0.1")  # "localhost" and "127.0.0.1" are different hosts to a client
    other.start()
    try:
        other.expect_request(DATASET).respond_with_handler(paged)
        target = other.url_for(DATASET)
        httpserver.expect_request(DATASET).respond_with_data("", status=302, headers={"Location": target})
        monkeypatch.setenv("SOCRATA_APP_TOKEN", "secret-token")
        config = socrata.Settings.from_env(httpserver.url_for("/"), retries=0)
        out = io.StringIO()
        assert refresh.refresh(["vsrr_provisional"], config, out=out) == 1
        assert "redirected to another host (127.0.0.1:" in out.getvalue()
        assert other.log == []  # nothing at all reached the other host
    finally:
        other.clear()
        other.stop()


def test_a_same_host_redirect_is_followed_and_the_sidecar_says_where_the_rows_came_from(httpserver, cache):
    def moved(request: Request) -> Response:
        return Response("", status=301, headers={"Location": "/v3" + request.full_path})

    httpserver.expect_request(DATASET).respond_with_handler(moved)
    httpserver.expect_request("/v3" + DATASET).respond_with_handler(paged)
    base = httpserver.url_for("/").rstrip("/")
    assert refresh.refresh(["vsrr_provisional"], settings(base, page_size=4), out=io.StringIO()) == 0
    meta = read_table("vsrr_provisional", cache).meta
    assert meta["origin"] == f"{base}{DATASET}"
    assert meta["fetched_from"] == f"{base}/v3{DATASET}" and meta["pages"] == 2
    table = nchs_vsrr.load()
    assert table.extra["fetched_from"] == f"{base}/v3{DATASET}"


# --- odd records: refusals, not tracebacks -------------------------------------------------------------------
@pytest.mark.parametrize("place", [6, ["CA"], {"code": "CA"}], ids=["number", "list", "object"])
def test_a_record_whose_place_is_not_text_is_refused_by_name(httpserver, cache, place):
    records = [dict(r) for r in VSRR]
    records[3]["state"] = place
    httpserver.expect_request(DATASET).respond_with_json(records)
    out = io.StringIO()
    assert refresh.refresh(["vsrr_provisional"], settings(httpserver.url_for("/"), page_size=50), out=out) == 1
    assert "vsrr_provisional: FAILED, previous copy kept: xkb8-kh2a: record 3 has state = " in out.getvalue()
    assert "not text" in out.getvalue()


# --- one writer at a time ----------------------------------------------------------------------------------------
def test_a_second_refresh_waits_briefly_then_exits_with_a_clear_message(httpserver, cache):
    httpserver.expect_request(DATASET).respond_with_handler(paged)
    out = io.StringIO()
    with cache_lock(cache):
        start = time.monotonic()
        code = refresh.refresh(["vsrr_provisional"], settings(httpserver.url_for("/")), out=out, lock_wait=0.5)
        waited = time.monotonic() - start
    assert code == 1 and 0.5 <= waited < 3
    assert "refresh: not started, nothing changed: another refresh is writing this cache (pid " in out.getvalue()
    assert httpserver.log == []  # it did not even fetch


def test_the_lock_is_free_again_after_a_refresh_and_a_waiting_refresh_then_runs(httpserver, cache):
    httpserver.expect_request(DATASET).respond_with_handler(paged)
    holder_done = threading.Event()

    def hold() -> None:
        with cache_lock(cache):
            time.sleep(0.5)
        holder_done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    out = io.StringIO()
    code = refresh.refresh(["vsrr_provisional"], settings(httpserver.url_for("/"), page_size=50), out=out, lock_wait=5)
    holder.join()
    assert code == 0 and holder_done.is_set() and not nchs_vsrr.load().from_snapshot


def test_two_refreshes_at_once_leave_one_matching_pair(httpserver, cache):
    def slow(request: Request) -> Response:
        time.sleep(0.2)
        return paged(request)

    httpserver.expect_request(DATASET).respond_with_handler(slow)
    codes: list[int] = []
    config = settings(httpserver.url_for("/"), page_size=2)
    runs = [
        threading.Thread(target=lambda: codes.append(refresh.refresh(["vsrr_provisional"], config, out=io.StringIO())))
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sorted(codes) == [0, 0]  # the second waited for the first, then wrote its own version
    stored = read_table("vsrr_provisional", cache)  # checksum, rows and contract all agree
    assert len(stored.data) == len(nchs_vsrr.tidy(VSRR))
    assert len(list((cache / VERSIONS).iterdir())) == 2  # the current version and the one before


def test_cache_busy_names_the_holder(tmp_path):
    busy = r"another refresh is writing this cache \(pid \d+, since \d{4}-"
    with cache_lock(tmp_path), pytest.raises(CacheBusy, match=busy), cache_lock(tmp_path, wait=0):
        pass
    with cache_lock(tmp_path, wait=0):  # released: free again at once
        pass


# --- readers never see a mismatched pair --------------------------------------------------------------------
def test_readers_during_many_replacements_always_get_a_matching_pair(tmp_path):
    national = nchs_national_final.load().data
    versions = [national.iloc[:40].reset_index(drop=True), national.iloc[40:130].reset_index(drop=True)]
    publish_table("t", versions[0], tmp_path, {})
    done = threading.Event()
    problems: list[str] = []
    reads = [0]

    def write() -> None:
        for i in range(40):
            publish_table("t", versions[i % 2], tmp_path, {})
        done.set()

    def read() -> None:
        while not done.is_set():
            try:
                stored = read_table("t", tmp_path)
            except (SchemaError, OSError) as err:  # a mismatch shows as a checksum or row-count error
                problems.append(str(err))
                continue
            reads[0] += 1
            if not any(len(stored.data) == len(v) and stored.data.equals(v) for v in versions):
                problems.append(f"rows of neither version ({len(stored.data)})")

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == [] and reads[0] > 0
    assert current_version("t", tmp_path).parent.name == VERSIONS


# --- damaged sidecars: the bundled snapshot with a notice, never a crash ----------------------------------------
@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("[]", "the sidecar must be a JSON object, not list"),
        ("null", "the sidecar must be a JSON object, not NoneType"),
        ("{bad json", "the sidecar is not readable JSON"),
        ("numeric-date", "the sidecar's retrieved_at is not an ISO date and time: 20261101"),
        ("text-rows", "the sidecar's rows is not a whole number: '13'"),
    ],
)
def test_a_damaged_sidecar_means_the_bundled_snapshot_with_a_notice(cache, capsys, sidecar, message):
    publish_table("vsrr_provisional", nchs_vsrr.tidy(VSRR), cache, {})
    path = current_version("vsrr_provisional", cache) / "vsrr_provisional.json"
    meta = json.loads(path.read_text())
    text = {
        "numeric-date": json.dumps({**meta, "retrieved_at": 20261101}),
        "text-rows": json.dumps({**meta, "rows": str(meta["rows"])}),
    }.get(sidecar, sidecar)
    path.write_text(text)
    table = nchs_vsrr.load()
    assert table.from_snapshot and message in table.notice and str(cache) not in table.notice
    assert refresh.status() == 0
    assert "vsrr_provisional       bundled snapshot" in capsys.readouterr().out


def test_a_pointer_that_is_not_a_link_is_refused_by_name(cache):
    publish_table("vsrr_provisional", nchs_vsrr.tidy(VSRR), cache, {})
    pointer = pointer_path("vsrr_provisional", cache)
    pointer.unlink()
    pointer.write_text("not a link")
    table = nchs_vsrr.load()
    assert table.from_snapshot and "the cache pointer is not a link to a version" in table.notice


def test_an_old_plain_cache_is_still_read_and_replaced_by_a_version(cache):
    """A cache written before versions existed (<name>.csv beside <name>.json) keeps working until the next
    refresh replaces it."""
    from data_sources.snapshot import write_table

    frame = nchs_vsrr.tidy(VSRR)
    write_table("vsrr_provisional", frame, cache, {})
    assert not nchs_vsrr.load().from_snapshot
    publish_table("vsrr_provisional", frame, cache, {})
    assert not (cache / "vsrr_provisional.csv").exists() and not (cache / "vsrr_provisional.json").exists()
    assert read_table("vsrr_provisional", cache).data.equals(pd.DataFrame(nchs_vsrr.load().data))
