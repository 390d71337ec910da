"""The server's memory helpers (data_sources.memory): freed memory handed back, large blocks kept mapped."""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT

from data_sources import memory

# Run in a fresh interpreter: whether glibc maps a 1 MB block on its own after a 20 MB block was freed.
MAPPED_AFTER_A_LARGE_FREE = """
import ctypes, sys
from data_sources import memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
if sys.argv[1] == "keep":
    assert memory.keep_mmap_threshold()
elif sys.argv[1] == "app":
    import app.cached  # the server's data layer, as its first page run imports it
large = bytearray(20_000_000)
del large  # glibc's default now raises its threshold to 20 MB
before = libc.mallinfo2().hblks
block = bytearray(1_000_000)
print(libc.mallinfo2().hblks - before)
"""


def mapped_blocks(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MAPPED_AFTER_A_LARGE_FREE, mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_after_a_large_free_a_1_mb_block_still_gets_its_own_mapping():
    """A mapped block goes back to the system when freed; one from the heap leaves the heap fragmented. With
    glibc's default the 1 MB block comes from the heap (the threshold rose to 20 MB); with the fixed threshold
    it is mapped on its own."""
    assert mapped_blocks("default") == 0
    assert mapped_blocks("keep") == 1


def test_the_server_fixes_the_threshold_when_its_data_layer_loads():
    assert mapped_blocks("app") == 1


def test_release_collects_then_trims(monkeypatch):
    trims: list[int] = []
    monkeypatch.setattr(memory, "_MALLOC_TRIM", trims.append)
    memory.release()
    assert trims == [0]


def test_without_the_c_functions_nothing_happens(monkeypatch):
    monkeypatch.setattr(memory, "_MALLOC_TRIM", None)
    monkeypatch.setattr(memory, "_MALLOPT", None)
    memory.trim()  # a C library without malloc_trim simply keeps its pages
    assert memory.keep_mmap_threshold() is False
