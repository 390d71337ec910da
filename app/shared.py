"""Process-wide caches for the tables, views, figures and files every reader shares.

Streamlit empties every ``st.cache_data`` and ``st.cache_resource`` for every reader when *any* session sends
a ``clear_cache`` message (the developer menu sends it, and so can anyone holding the websocket). A reader
clearing twice a second would make every other reader's page read and check the tables again, and hold a second
copy of each table while the sessions still using the first finish. The big shared objects therefore live in
caches Streamlit does not know about: :func:`shared` keeps one copy per argument tuple for the process, with
the same ``ttl``/``max_entries`` meaning as ``st.cache_resource``. Small computed results stay in
``st.cache_data``, where a clear costs a few milliseconds.

Concurrent first calls for the same arguments build the value once: the others wait for it (cachetools'
``condition``), so a burst of readers after a restart does not read a table many times over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

import cachetools

P = ParamSpec("P")
R = TypeVar("R")

_CACHES: list[tuple[cachetools.Cache, threading.RLock]] = []


def shared(*, ttl: float | None = None, max_entries: int = 1) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Keep ``func``'s results for the whole server process, out of reach of a reader's "clear cache".

    ``ttl``: seconds a result is kept (``None``: until the process ends or :func:`clear` runs); ``max_entries``:
    how many argument tuples are kept, least recently used dropped first. Arguments must be hashable (tuples,
    not lists). A call that raises caches nothing.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        cache: cachetools.Cache = (
            cachetools.TTLCache(max_entries, ttl) if ttl is not None else cachetools.LRUCache(max_entries)
        )
        lock = threading.RLock()
        _CACHES.append((cache, lock))
        wrapped = cachetools.cached(cache, lock=lock, condition=threading.Condition(lock))(func)
        return cast("Callable[P, R]", wrapped)

    return decorate


def clear() -> None:
    """Empty every shared cache (for tests and for an operator's tooling; no page calls this)."""
    for cache, lock in _CACHES:
        with lock:
            cache.clear()
