"""Benchmarks: speed and memory (run.py, ``make bench``) and load and faults (faults.py, ``make bench-faults``)."""
