# Two entry points for a fresh machine (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8501

.PHONY: demo test setup lint clean

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

clean:
	rm -rf $(VENV) .investgraph test-artifacts
