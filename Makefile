# One task runner. `make run` and `make test` each do their own set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Listen on this machine only unless told otherwise (ADDRESS=0.0.0.0 behind a proxy; see README).
ADDRESS ?= 127.0.0.1

.PHONY: run test test-fast check format refresh status export lesson slides brief messages bench bench-faults browser clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: serve the dashboard on http://localhost:$(PORT) from the bundled data (no network needed)
run: $(VENV)/.runtime
	@echo "Dashboard: http://localhost:$(PORT)  (Ctrl+C to stop)"
	$(VENV)/bin/streamlit run dashboard.py --server.port $(PORT) --server.address $(ADDRESS) --browser.gatherUsageStats false

## test: install dev tools (and Chromium where possible), then run the whole suite
test: check browser
	$(PY) -m pytest

## test-fast: the unit tests only (seconds; no app server, no browser)
test-fast: $(VENV)/.dev
	$(PY) -m pytest tests/unit -q

## browser: install Debian's Chromium (browser tests, slides, printed PDFs) and poppler-utils (the tests read the
## printed pages back as pictures) when we are root and they are missing
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then \
		echo "chromium: $$(command -v chromium); pdftoppm: $$(command -v pdftoppm)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null) \
			|| echo "chromium or poppler-utils could not be installed; the tests that need them will skip"; \
	else \
		echo "chromium or poppler-utils not installed and not root; the tests that need them will skip"; \
	fi

## check: lint, format check and type check
check: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## refresh: fetch live CDC data into the cache (needs network; CDC_DATA_BASE_URL to use a mirror)
refresh: $(VENV)/.runtime
	$(PY) -m data_sources refresh

## status: where each table comes from, when it was retrieved, its rows and age, and whether it is stale
status: $(VENV)/.runtime
	$(PY) -m data_sources status

## export: write every table as a data package into dist/data (CSVs, data dictionary, datapackage.json, citations)
export: $(VENV)/.runtime
	$(PY) -m data_sources export --out dist/data

## lesson: write the offline lesson pack to dist/lesson.html, and print the worksheet and answer key (English and
## Spanish: dist/worksheet.pdf, dist/answer_key.pdf, dist/worksheet.es.pdf, dist/answer_key.es.pdf; local Chromium)
lesson: $(VENV)/.runtime
	$(PY) -m app.lesson.pack --out dist/lesson.html --kit dist

## slides: the lesson pack plus one 1920x1080 PNG per slide in dist/slides/ (uses the local Chromium)
slides: $(VENV)/.runtime
	$(PY) -m app.lesson.pack --out dist/lesson.html --png dist/slides

## brief: one printed page on a state: make brief STATE=WV -> dist/brief-WV.pdf (BRIEF_LANG=es -> brief-WV.es.pdf;
## PAPER=a4; DASHBOARD_URL=https://... is where its QR code points, default http://localhost:8501)
STATE ?= WV
BRIEF_LANG ?= en
PAPER ?= letter
brief: $(VENV)/.runtime
	$(PY) -m app.printing.brief --state $(STATE) --lang $(BRIEF_LANG) --paper $(PAPER)

## messages: after changing printed words, list every message in locales/messages.pot (then translate the new
## ones in locales/es/LC_MESSAGES/messages.po; tests/unit/test_printing_i18n.py names any that are missing)
messages: $(VENV)/.runtime
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output -o locales/messages.pot app/printing

## bench: measure time-to-chart, rerun time and memory against the floor app; writes bench/RESULTS.md
bench: $(VENV)/.dev browser
	$(PY) -m bench.run

## bench-faults: 50 readers, upload memory, slow refresh, cache clearing (ARGS='--only clearing'); adds to bench/RESULTS.md
bench-faults: $(VENV)/.dev
	$(PY) -m bench.faults $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dist test-artifacts
