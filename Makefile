# The two commands: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared

# Keep Prefect local and silent (see docs/decisions.md, "No phoning out").
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_UI_ENABLED := false
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 60

.PHONY: demo test test-slow lint format eval bench bench-scale clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# setuptools warns on every editable install of a flat layout (top-level folders named like the
# packages, which is this repo's layout on purpose): silenced here, nothing else is
EDITABLE_QUIET := PYTHONWARNINGS="ignore:Editable installation"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(EDITABLE_QUIET) $(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(EDITABLE_QUIET) $(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# The README's chart (docs/demo-chart.png) is the demo's, redrawn by each run.
demo: $(VENV)/.installed
	$(BIN)/wirewatch demo
	@cp data/demo/chart.png docs/demo-chart.png

test: $(VENV)/.installed-dev lint browser
	$(BIN)/python -m pytest -q -m "not slow"

# Kills at 20 points, processes left after kills, a 60 s reader during a cycle (~20-30 min).
test-slow: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -m slow

# The HTML report's tests drive a real headless Chromium from Debian's packages; CI runs
# `make test` as root on a fresh machine, so install it then. Elsewhere those tests are skipped.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
		  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; }; } || \
		echo "chromium is not installed and this is not root: the browser tests will be skipped"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: $(VENV)/.installed-dev
	$(BIN)/python -m evals.claims \
		seeds=$(SHARED)/seeds/claims.gold.jsonl:$(SHARED)/seeds \
		extra=tests/fixtures/claims/extra.gold.jsonl:tests/fixtures/claims/texts \
		--by-source $(SHARED)/claims-dev --tolls $(SHARED)/streams/gva-dev $(EVAL_FLAGS)
	$(BIN)/python -m evals.feeds --fixtures $(SHARED)/corpora/feed-rs-fixtures/fixture \
		--feedparser-tests $(SHARED)/corpora/feedparser-tests/tests
	$(BIN)/python -m evals.dedup --articles $(SHARED)/corpora/scrapinghub-aeb/ground-truth.json \
		--ecb $(SHARED)/corpora/ecbplus/ecbplus_docs_derived.jsonl
	nice -n 10 $(BIN)/python -m evals.stream --stream $(SHARED)/streams/gva-dev
	nice -n 10 $(BIN)/python -m evals.revisions --stream $(SHARED)/streams/rsspool-dev

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.pipeline --corpus $(SHARED)/corpora/scrapinghub-aeb
	$(BIN)/python -m bench.claims --corpus $(SHARED)/corpora/scrapinghub-aeb
	$(BIN)/python -m bench.dedup --corpus $(SHARED)/corpora/scrapinghub-aeb
	$(BIN)/python -m bench.oneshot
	$(BIN)/python -m bench.revisits --sizes 10000,100000

# SIZES=10000,100000 for a quick run; figures go to data/bench/scale.json; LAKE_SIZES: the
# sizes also measured in lake mode (a throwaway PostgreSQL catalog), a list, all or none
SIZES ?= 10000,100000,1000000
LAKE_SIZES ?= 1000000
bench-scale: $(VENV)/.installed-dev
	$(BIN)/python -m bench.scale --sizes $(SIZES) --lake-sizes $(LAKE_SIZES)

clean:
	rm -rf data .prefect .pytest_cache .mypy_cache .ruff_cache
