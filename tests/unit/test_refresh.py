"""Refresh against a local SODA server on 127.0.0.1 (pytest-httpserver): paging, retries, and failures that
leave the cached copy byte-for-byte unchanged. No network beyond loopback."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from paths import FIXTURES
from werkzeug import Request, Response

from data_sources import nchs_drug_overdose_rates, nchs_state_drug_poisoning, nchs_vsrr, refresh, socrata
from data_sources.cli import main

MODULES = [nchs_vsrr, nchs_state_drug_poisoning, nchs_drug_overdose_rates]


def rows(module) -> list[dict]:
    return json.loads((FIXTURES / f"soda_{module.DATASET_ID}.json").read_text())


def soda(records: list[dict], log: list | None = None):
    """A handler that pages ``records`` the way SODA does ($limit/$offset), recording each request's params."""

    def handle(request: Request) -> Response:
        params = request.args
        if log is not None:
            log.append(dict(params))
        start, limit = int(params["$offset"]), int(params["$limit"])
        return Response(json.dumps(records[start : start + limit]), content_type="application/json")

    return handle


def settings(server, **overrides) -> socrata.Settings:
    values = {
        "base_url": server.url_for("").rstrip("/"),
        "connect_timeout": 2,
        "read_timeout": 2,
        "retries": 2,
        "backoff": 0,
        "page_size": 2,
    } | overrides
    return socrata.Settings(**values)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DATA_CACHE_DIR", str(tmp_path))
    return tmp_path


def serve_all(server) -> None:
    for module in MODULES:
        server.expect_request(f"/resource/{module.DATASET_ID}.json").respond_with_handler(soda(rows(module)))


def snapshot_of(folder: Path) -> dict[str, bytes | str]:
    """Every file (bytes) and link (target) under ``folder``, by relative path: the cache as a reader finds it."""
    return {
        str(p.relative_to(folder)): os.readlink(p) if p.is_symlink() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


# --- the client ------------------------------------------------------------------------------------------


def test_pages_until_a_short_page_with_a_stable_order(httpserver):
    log: list = []
    records = rows(nchs_vsrr)  # 6 records, pages of 4
    httpserver.expect_request("/resource/xkb8-kh2a.json").respond_with_handler(soda(records, log))
    progress = []
    got = socrata.fetch_all(
        "xkb8-kh2a",
        settings(httpserver, page_size=4),
        where="state = 'US'",
        progress=lambda pages, n: progress.append((pages, n)),
    )
    assert got == records
    assert [p["$offset"] for p in log] == ["0", "4"]
    assert all(p["$order"] == ":id" and p["$where"] == "state = 'US'" for p in log)
    assert progress == [(1, 4), (2, 6)]


def test_app_token_is_sent_when_set(httpserver, monkeypatch):
    monkeypatch.setenv("SOCRATA_APP_TOKEN", "token-123")
    httpserver.expect_request("/resource/x.json", headers={"X-App-Token": "token-123"}).respond_with_json([])
    config = socrata.Settings.from_env(httpserver.url_for(""))
    assert socrata.fetch_all("x", config) == []


def test_base_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CDC_DATA_BASE_URL", "http://127.0.0.1:9/mirror/")
    assert socrata.Settings.from_env().base_url == "http://127.0.0.1:9/mirror"
    assert socrata.Settings.from_env("http://127.0.0.1:8/").base_url == "http://127.0.0.1:8"


def test_500_then_success_is_retried(httpserver):
    httpserver.expect_ordered_request("/resource/x.json").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/resource/x.json").respond_with_json([{"a": "1"}])
    assert socrata.fetch_all("x", settings(httpserver)) == [{"a": "1"}]


def test_429_honours_retry_after(httpserver):
    httpserver.expect_ordered_request("/resource/x.json").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/resource/x.json").respond_with_json([{"a": "1"}])
    start = time.monotonic()
    assert socrata.fetch_all("x", settings(httpserver)) == [{"a": "1"}]
    assert time.monotonic() - start >= 0.9


def test_a_huge_retry_after_is_capped_not_obeyed(httpserver):
    """A Retry-After of a day must not hang a refresh: it is waited for up to ``max_retry_after`` seconds."""
    httpserver.expect_ordered_request("/resource/x.json").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "86400"}
    )
    httpserver.expect_ordered_request("/resource/x.json").respond_with_json([{"a": "1"}])
    start = time.monotonic()
    assert socrata.fetch_all("x", settings(httpserver, max_retry_after=0.3)) == [{"a": "1"}]
    assert 0.25 <= time.monotonic() - start < 30  # waited the cap, not the day


def test_status_refuses_arguments_it_does_not_know(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["status", "--bogus"])
    assert exited.value.code == 2 and "unrecognized arguments: --bogus" in capsys.readouterr().err


def slow(request: Request) -> Response:
    time.sleep(0.6)
    return Response("[]", content_type="application/json")


@pytest.mark.parametrize(
    ("respond", "message"),
    [
        (lambda s: s.respond_with_data("down", status=500), "HTTP 500 INTERNAL SERVER ERROR (after 1 retries)"),
        (lambda s: s.respond_with_data('[{"a": "1"}, {"a"', content_type="application/json"), "malformed or cut short"),
        (
            lambda s: s.respond_with_data("<html><body>Maintenance</body></html>", content_type="text/html"),
            "expected JSON but got text/html",
        ),
        (lambda s: s.respond_with_json({"error": True, "message": "query error"}), "expected a JSON list"),
        (lambda s: s.respond_with_handler(slow), "timed out"),
    ],
    ids=["http-500", "truncated-json", "html-page", "error-object", "timeout"],
)
def test_failures_name_the_dataset_and_the_reason(httpserver, respond, message):
    respond(httpserver.expect_request("/resource/xkb8-kh2a.json"))
    with pytest.raises(socrata.SocrataError) as caught:
        socrata.fetch_all("xkb8-kh2a", settings(httpserver, retries=1, read_timeout=0.2))
    assert "xkb8-kh2a" in str(caught.value) and message in str(caught.value)


# --- refresh and status ----------------------------------------------------------------------------------


def test_refresh_fills_the_cache_and_status_shows_live(httpserver, cache, capsys):
    serve_all(httpserver)
    assert main(["refresh", "--base-url", httpserver.url_for("")]) == 0
    out = capsys.readouterr().out
    assert "vsrr_provisional: stored" in out and "page 1" in out
    for module in MODULES:
        table = module.load()
        assert not table.from_snapshot and table.notice is None
        assert len(table.data[table.data["source_id"] == module.SOURCE.id]) == len(module.tidy(rows(module)))
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert status.count("live cache") == 3 and "national_final         bundled snapshot" in status


def test_refresh_one_source_by_dataset_id(httpserver, cache):
    serve_all(httpserver)
    code = refresh.refresh(["95ax-ymtc"], settings(httpserver), out=io.StringIO())
    assert code == 0 and [p.name for p in sorted(cache.glob("*.current"))] == ["drug_overdose_rates.current"]
    assert [p.name for p in cache.rglob("*.csv")] == ["drug_overdose_rates.csv"]


def test_unknown_source_is_refused(cache):
    out = io.StringIO()
    assert refresh.refresh(["nope"], socrata.Settings(base_url="http://127.0.0.1:9"), out=out) == 2
    assert "unknown source" in out.getvalue() and "vsrr_provisional" in out.getvalue()


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda s: s.respond_with_data("down", status=503), "HTTP 503"),
        (lambda s: s.respond_with_data('[{"state": "US"', content_type="application/json"), "malformed or cut short"),
        (
            lambda s: s.respond_with_json(
                [{k.replace("data_value", "value"): v for k, v in r.items()} for r in rows(nchs_vsrr)]
            ),
            "data_value",
        ),
        (lambda s: s.respond_with_json([]), "no rows"),
        (
            lambda s: s.respond_with_json(
                [{k: v for k, v in r.items() if k != "period" or i != 2} for i, r in enumerate(rows(nchs_vsrr))]
            ),
            "records have no 'period'",
        ),
        (
            lambda s: s.respond_with_json([{**r, "year": "twenty twenty"} for r in rows(nchs_vsrr)]),
            "xkb8-kh2a: record 0 year: 'twenty twenty' is not a whole number",
        ),
    ],
    ids=["http-503", "truncated-json", "renamed-column", "empty", "record-without-period", "unparseable-year"],
)
def test_failed_refresh_keeps_the_previous_cache_byte_for_byte(httpserver, cache, broken, message):
    serve_all(httpserver)
    assert refresh.refresh(None, settings(httpserver, page_size=50), out=io.StringIO()) == 0
    before = snapshot_of(cache)

    httpserver.clear()
    broken(httpserver.expect_request("/resource/xkb8-kh2a.json"))
    out = io.StringIO()
    code = refresh.refresh(["vsrr_provisional"], settings(httpserver, retries=0, page_size=50), out=out)

    assert code == 1
    assert "vsrr_provisional: FAILED, previous copy kept" in out.getvalue() and message in out.getvalue()
    assert snapshot_of(cache) == before  # nothing replaced, no temp files left behind
    assert not nchs_vsrr.load().from_snapshot


def test_failed_refresh_with_no_cache_leaves_the_bundled_snapshot_in_use(httpserver, cache):
    httpserver.expect_request("/resource/xkb8-kh2a.json").respond_with_data("down", status=500)
    assert refresh.refresh(["xkb8-kh2a"], settings(httpserver, retries=0), out=io.StringIO()) == 1
    assert [p.name for p in cache.iterdir()] == [".refresh.lock"]  # no table, no version, no temp file
    assert nchs_vsrr.load().from_snapshot


def test_unwritable_cache_is_a_named_failure_not_a_traceback(httpserver, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("DATA_CACHE_DIR", str(blocker / "cache"))
    serve_all(httpserver)
    out = io.StringIO()
    assert refresh.refresh(["vsrr_provisional"], settings(httpserver, page_size=50), out=out) == 1
    assert "refresh: FAILED, previous copies kept: the cache directory cannot be used" in out.getvalue()
