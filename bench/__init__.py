"""Benchmarks: speed and memory (run.py, ``make bench``), load and faults (faults.py, ``make bench-faults``), and
joinpoint fits: their time and how often each model-selection method is right (fits.py)."""
