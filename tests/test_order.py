"""The graph is a function of the set of articles stored, not of the order they came in.

The example corpus is ingested in several orders (forward, backward, a seeded shuffle split over
two ingest runs) and batch sizes (16, 3, 1) into each store; `investgraph export --format json`
must give the same bytes every time, in the embedded store and in Neo4j. Extraction is remembered
across runs (conftest.REMEMBERED): it depends on the article alone, and doing it once
keeps the test fast. The rules that choose a node's name, kind and facts (graph.statements.summary) are
tested on their own below.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.open import open_store
from graph.statements import Statement, best_kind, best_name, current_facts, fact_history
from ingest.readers import read_articles
from ingest.run import ingest_articles
from conftest import EXAMPLES, REMEMBERED, clear_neo4j, export_content

# (name, how the corpus's items are reordered, how many ingest runs it is split into, batch size)
ORDERS = [
    ("forward", lambda items: items, 1, 16),
    ("backward", lambda items: items[::-1], 1, 3),
    ("shuffled", lambda items: random.Random(13).sample(items, len(items)), 2, 1),
]


def ingest_in_order(url: str, reorder, runs: int, batch_size: int) -> None:
    """Ingest the example corpus into the store at `url`, its items reordered and split into `runs`
    consecutive ingest runs of `batch_size` articles per write."""
    items = reorder(list(read_articles([EXAMPLES])))
    size = -(-len(items) // runs)
    store = open_store(url)
    try:
        for start in range(0, len(items), size):
            report = ingest_articles(store, items[start:start + size], batch_size=batch_size, extractor=REMEMBERED)
            assert not report.errors, report.errors
    finally:
        store.close()


def exported(url: str, path: Path) -> bytes:
    """What `investgraph export --format json` writes for the store at `url`."""
    result = CliRunner().invoke(cli, ["export", "--format", "json", "-o", str(path), "--force", "--store", url])
    assert result.exit_code == 0, result.output
    return export_content(path.read_bytes())


def exports_in_every_order(url: str, tmp_path: Path, clear) -> dict[str, bytes]:
    out = {}
    for name, reorder, runs, batch_size in ORDERS:
        clear()
        ingest_in_order(url, reorder, runs, batch_size)
        out[name] = exported(url, tmp_path / f"{name}.json")
    return out


def assert_all_equal(exports: dict[str, bytes]) -> None:
    first, *_ = exports
    for name, data in exports.items():
        assert data == exports[first], f"export after the {name} ingest differs from the {first} one"


def test_embedded_export_is_the_same_in_any_order(tmp_path, nlp):
    urls = {name: str(tmp_path / name / "graph.db") for name, *_ in ORDERS}
    exports = {}
    for name, reorder, runs, batch_size in ORDERS:
        ingest_in_order(urls[name], reorder, runs, batch_size)
        exports[name] = exported(urls[name], tmp_path / f"{name}.json")
    assert_all_equal(exports)
    assert '"name": "Игорь Кречетов"'.encode() in exports["forward"]


@pytest.mark.neo4j
def test_neo4j_export_is_the_same_in_any_order_and_as_the_embedded_one(neo4j_store, tmp_path, nlp):
    url = neo4j_store.url
    exports = exports_in_every_order(url, tmp_path, lambda: clear_neo4j(neo4j_store))
    assert_all_equal(exports)
    embedded = str(tmp_path / "embedded" / "graph.db")
    ingest_in_order(embedded, ORDERS[1][1], 1, 3)
    assert exported(embedded, tmp_path / "embedded.json") == exports["forward"]


# --- the rules, on their own ---------------------------------------------------------------------

def said(article: str, name: str, date: str = "", kind: str | None = None, **facts) -> Statement:
    return Statement(article, date, name, kind, facts)


@pytest.mark.parametrize("names, best", [
    (["И. Кречетов", "Игорь Кречетов"], "Игорь Кречетов"),  # a full name over an initial
    (["И. Кречетов", "И. Кречетов", "Игорь Кречетов"], "Игорь Кречетов"),  # even when the initial is commoner
    (["Вологдой", "Вологда"], "Вологда"),  # the nominative over another case
    (["Ксения Гурьеву", "Ксения Гурьева"], "Ксения Гурьева"),
    (["Тайга Металл", "ООО «Тайга Металл»", "Тайга Металл"], "Тайга Металл"),  # the commoner form
    (["ООО «Тайга Металл»", "Тайга Металл"], "ООО «Тайга Металл»"),  # a tie: the fuller form
])
def test_the_best_name_does_not_depend_on_order(names, best):
    for order in (names, names[::-1]):
        assert best_name([said(f"a{n}", name) for n, name in enumerate(order)]) == best


def test_the_latest_dated_statement_is_a_facts_current_value_and_all_are_history():
    statements = [said("b", "Парк", "2024-05-01", "industrial_park", stage="opened", area_ha=120.0),
                  said("a", "Парк", "2023-01-10", "industrial_park", stage="planned", area_ha=70.0, years=[2023]),
                  said("c", "Парк", "", "technopark", years=[2025]),  # undated: the oldest
                  said("d", "Парк", "2024-05-01", None, stage="under_construction")]  # same day as b: d > b
    for order in (statements, statements[::-1]):
        assert current_facts(order) == {"area_ha": 120.0, "stage": "under_construction", "years": [2023, 2025]}
        assert best_kind(order) == "industrial_park"
        assert [(h["fact"], h["article"]) for h in fact_history(order) if h["fact"] == "stage"] == [
            ("stage", "a"), ("stage", "b"), ("stage", "d")]
