"""The server process's memory: give freed memory back to the operating system.

A Streamlit server is one process serving every reader, and glibc's allocator holds on to memory in two ways:

* It keeps freed pages for reuse instead of returning them, so after reading a large table or parsing an
  upload the process would stay at that peak. :func:`trim` asks it to return them (``malloc_trim``);
  :func:`release` collects garbage first; :func:`release_soon` does both a moment later, on its own thread.
* It raises its "mmap threshold" after a large block is freed (up to 32 MB): from then on blocks below that
  size come from the heap, where they fragment it, instead of from their own mapping, which is returned whole
  when freed. One 19 MB upload was enough: the server kept 33 MB after refusing it. :func:`keep_mmap_threshold`
  fixes the threshold at glibc's starting value, so large arrays always go back to the system when freed.

On a C library that is not glibc (no ``malloc_trim`` or ``mallopt``) the functions here do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Callable

#: glibc's ``mallopt`` parameter for the mmap threshold (malloc.h: ``#define M_MMAP_THRESHOLD -3``).
M_MMAP_THRESHOLD = -3
#: Blocks from this size up get their own mapping: glibc's starting value (128 KiB), kept from rising.
MMAP_THRESHOLD = 128 * 1024


_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME is not None else None
_MALLOC_TRIM: Callable[[int], int] | None = getattr(_LIBC, "malloc_trim", None)
_MALLOPT: Callable[[int, int], int] | None = getattr(_LIBC, "mallopt", None)


def keep_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (once per process, early: ``app.cached`` does at
    import); True if the C library took it. It takes effect whenever it is called, threads or not."""
    if _MALLOPT is None:
        return False
    return bool(_MALLOPT(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def trim() -> None:
    """Ask the C allocator to hand freed memory back to the operating system (a few milliseconds).

    Reading a large table makes many short-lived buffers (the CSV's bytes, the parser's columns, the checks'
    copies); glibc keeps the freed pages for reuse unless asked, so resident memory would stay at the peak.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def release() -> None:
    """Collect garbage, then :func:`trim`: after work that made many short-lived objects (an upload's parse)."""
    gc.collect()
    trim()


def release_soon(delay: float = 2.0) -> None:
    """:func:`release` in ``delay`` seconds on a daemon thread; for a finalizer, which must not collect itself."""
    timer = threading.Timer(delay, release)
    timer.daemon = True
    timer.start()
