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

.PHONY: demo test lint format eval bench bench-scale clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/wirewatch demo

test: $(VENV)/.installed-dev lint
	$(BIN)/python -m pytest -q

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
	$(BIN)/python -m evals.dedup --articles $(SHARED)/corpora/scrapinghub-aeb/ground-truth.json \
		--ecb $(SHARED)/corpora/ecbplus/ecbplus_docs_derived.jsonl

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.pipeline --corpus $(SHARED)/corpora/scrapinghub-aeb
	$(BIN)/python -m bench.claims --corpus $(SHARED)/corpora/scrapinghub-aeb
	$(BIN)/python -m bench.dedup --corpus $(SHARED)/corpora/scrapinghub-aeb

# SIZES=10000,100000 for a quick run; figures go to data/bench/scale.json
SIZES ?= 10000,100000,1000000
bench-scale: $(VENV)/.installed-dev
	$(BIN)/python -m bench.scale --sizes $(SIZES)

clean:
	rm -rf data .prefect .pytest_cache .mypy_cache .ruff_cache
