# Two entry points for a fresh machine (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8501

.PHONY: demo test setup lint clean train crossval screenshot

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

## Ingest the example corpus into the embedded store and open the app on http://127.0.0.1:$(PORT)
demo: setup
	$(BIN)/investgraph ingest examples/news
	$(BIN)/investgraph stats
	$(BIN)/investgraph app --port $(PORT)

## Set up everything the tests need (Neo4j, Chromium) and run the whole suite
test: setup
	VENV=$(VENV) bash scripts/test

## Style, import order, pyflakes, bugbear (ruff) and types (mypy) over the three packages
lint: setup
	$(BIN)/ruff check ingest graph app
	$(BIN)/mypy ingest graph app

## Retake the README's screenshot (docs/img/app.png) with the browser test
screenshot: setup
	UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest tests/test_browser.py

## Fit the relation model from gold/ and write ingest/data/relation_model.json (reproducible: seeded, sorted)
train: setup
	$(BIN)/python -m ingest.train

## Document-level 5-fold cross-validation of the relation model, scored with ../shared/eval/score.py
crossval: setup
	bash scripts/crossval

clean:
	rm -rf $(VENV) .investgraph test-artifacts
