"""The write paths: what a write keeps incrementally — in the embedded store (graph.embedded_write)
the counts of each node's statement names and kinds, its search names and the checks of support;
in Neo4j the search keys a node gains with new mentions and its name, kind and facts from counts
read in the server — must equal what a recomputation from the stored articles gives, after batches
of new, changed, repeated and replacing articles, removals and the analyst's decisions. In the
embedded store a batch written at once gives the same tables as its articles written one by one,
and a store file from before the counts gets them when opened."""
from __future__ import annotations

import copy
import dataclasses
import json
import random
import sqlite3
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.export import to_json
from graph.model import Article, Extraction
from graph.open import open_store
from graph.statements import Statement, best_kind, best_name, name_and_kind, statements_of, summary
from graph.text import name_key

from conftest import dated_extractions, relation_extractions, scored_extraction

TABLES = ("articles", "entities", "mentions", "names", "relations", "evidence", "merge_log", "statements",
          "statement_names")


def rows(db: sqlite3.Connection, sql: str) -> list[tuple]:
    cursor = db.cursor()
    cursor.row_factory = None
    return sorted(cursor.execute(sql).fetchall(), key=repr)


def tables(store) -> dict[str, list[tuple]]:
    """Every row of every table the write path fills."""
    return {t: rows(store.db, f"SELECT * FROM {t}") for t in TABLES}


def assert_kept_right(store) -> None:
    """What the write path keeps incrementally is what a recomputation from the stored rows gives."""
    if not hasattr(store, "db"):
        return assert_neo4j_kept_right(store)
    db = store.db
    assert rows(db, "SELECT * FROM statement_names") == rows(
        db, "SELECT entity_id, name, coalesce(kind, ''), COUNT(*) FROM statements GROUP BY 1, 2, 3")
    aliases = rows(db, "SELECT id, name FROM entities UNION SELECT entity_id, text FROM mentions")
    assert rows(db, "SELECT entity_id, alias, key FROM names") == sorted(
        ((node, alias, name_key(alias)) for node, alias in aliases), key=repr)
    for unsupported in ("SELECT id FROM entities WHERE id NOT IN (SELECT entity_id FROM mentions)",
                        "SELECT id FROM relations WHERE id NOT IN (SELECT relation_id FROM evidence) OR source "
                        "NOT IN (SELECT id FROM entities) OR target NOT IN (SELECT id FROM entities)",
                        "SELECT relation_id FROM evidence WHERE relation_id NOT IN (SELECT id FROM relations)",
                        *(f"SELECT entity_id FROM {t} WHERE entity_id NOT IN (SELECT id FROM entities)"
                          for t in ("names", "merge_log", "statements"))):
        assert rows(db, unsupported) == [], unsupported
    # the reads of the relations at a node go through the weights' indexes: each relation has one
    assert rows(db, "SELECT id, type, source, target FROM relations") == rows(
        db, "SELECT relation_id, type, source, target FROM relation_weights")
    said = statements_of(db.execute("""SELECT s.entity_id entity, s.article_id article, a.date date, s.name,
                                       s.kind, s.facts FROM statements s JOIN articles a ON a.id = s.article_id"""))
    for node, name, kind, facts in rows(db, "SELECT id, name, kind, facts FROM entities"):
        if node in said:
            assert (name, kind, json.loads(facts)) == summary(said[node]), node


NEO4J_CHECKS = {  # what must not be, each a count
    "unmentioned entity": "MATCH (e:Entity) WHERE NOT (e)-[:MENTIONED_IN]->() RETURN count(e) AS n",
    "relation without evidence": "MATCH ()-[r:RELATION]->() WHERE NOT EXISTS { MATCH (v:Evidence "
                                 "{relation_id: r.id}) } RETURN count(r) AS n",
    "evidence without relation": "MATCH (v:Evidence) WHERE NOT EXISTS { MATCH ()-[r:RELATION {id: v.relation_id}]->() }"
                                 " RETURN count(v) AS n",
    "statement of no entity": "MATCH (s:Said) WHERE NOT EXISTS { MATCH (e:Entity {id: s.entity_id}) } "
                              "RETURN count(s) AS n",
}
NEO4J_ENTITIES = """MATCH (e:Entity) OPTIONAL MATCH (e)-[m:MENTIONED_IN]->()
                    RETURN e.id AS id, e.name AS name, e.kind AS kind, e.facts AS facts, e.name_keys AS keys,
                           collect(DISTINCT m.text) AS texts"""
NEO4J_SAID = """MATCH (s:Said) MATCH (a:Article {id: s.article_id})
                RETURN s.entity_id AS entity, s.article_id AS article, a.date AS date, s.name AS name,
                       s.kind AS kind, s.facts AS facts"""


def assert_neo4j_kept_right(store) -> None:
    """In Neo4j: each node's search keys are those of its name and mention texts, its name, kind and
    facts those of all its statements, and nothing is left without support."""
    def data(query: str) -> list[dict]:
        return store.driver.execute_query(query, database_=store.database).records

    for what, query in NEO4J_CHECKS.items():
        assert data(query)[0]["n"] == 0, what
    said = statements_of(data(NEO4J_SAID))
    for e in data(NEO4J_ENTITIES):
        assert e["keys"] == sorted({name_key(a) for a in {e["name"], *e["texts"]}}), e["id"]
        if e["id"] in said:
            assert (e["name"], e["kind"], json.loads(e["facts"])) == summary(said[e["id"]]), e["id"]


def renamed(ex: Extraction, article_id: str, text_suffix: str = "") -> Extraction:
    """The same extraction as another article (and, with a suffix, another text)."""
    ex = copy.deepcopy(ex)
    ex.article = dataclasses.replace(ex.article, id=article_id, url=article_id, text=ex.article.text + text_suffix)
    for r in ex.relations:
        r.evidence = [dataclasses.replace(ev, article=article_id) for ev in r.evidence]
    return ex


@pytest.fixture
def corpus(embedded_examples) -> list[Extraction]:
    """The example corpus (its 16 articles as extracted and resolved) and the hand-made articles."""
    return list(embedded_examples.extractions()) + relation_extractions() + dated_extractions() + \
        [scored_extraction()]


def later_batch(corpus: list[Extraction]) -> list[Extraction]:
    """A batch that changes things: an article again as it is, one changed in place, one whose new
    version has another id (replacing the old), one twice with the later version kept, one new."""
    same, changed, moved, twice = corpus[0], corpus[3], corpus[5], corpus[7]
    new_version = renamed(moved, moved.article.id + "?v2", " Обновлено.")
    new_version.replaces = [moved.article.id]
    return [same, renamed(changed, changed.article.id, " Дополнено."), new_version,
            renamed(twice, twice.article.id, " Первая правка."), renamed(twice, twice.article.id, " Вторая правка."),
            renamed(corpus[9], "https://news.example.ru/copy")]


def test_a_batch_at_once_gives_the_store_its_articles_one_by_one_give(corpus, tmp_path):
    at_once, one_by_one = (open_store(str(tmp_path / name / "graph.db")) for name in ("batch", "single"))
    try:
        for batch in (corpus, later_batch(corpus)):
            report = at_once.write(batch)
            single = [one_by_one.write([ex]) for ex in batch]
            for field in ("added", "replaced", "unchanged"):
                assert getattr(report, field) == [i for r in single for i in getattr(r, field)]
            assert tables(at_once) == tables(one_by_one)
            assert to_json(at_once.snapshot()) == to_json(one_by_one.snapshot())
            assert_kept_right(at_once)
    finally:
        at_once.close()
        one_by_one.close()


def test_what_is_kept_incrementally_is_what_a_recomputation_gives(corpus, store):
    shuffled = corpus[:]
    random.Random(16).shuffle(shuffled)
    for start in range(0, len(shuffled), 5):
        store.write(shuffled[start:start + 5])
        assert_kept_right(store)
    store.write(later_batch(corpus))
    assert_kept_right(store)
    store.remove_article(corpus[2].article.id)
    assert_kept_right(store)
    persons = [h.id for h in store.search("Кречетов", types=["PERSON"])] + \
        [h.id for h in store.search("Заливацкий", types=["PERSON"])]
    store.merge(persons[0], persons[-1])
    assert_kept_right(store)
    card = store.entity(persons[0])
    store.split(card.id, next(m.text for m in card.mentions if m.text != card.name))
    assert_kept_right(store)
    store.write([renamed(ex, ex.article.id, " Снова.") for ex in corpus[:6]])
    assert_kept_right(store)


def test_an_entity_written_without_mentions_and_its_relations_go(store):
    ex = scored_extraction()
    ex.entities[0].mentions = []  # the person: nobody mentions it, so it and its WORKS_AT are dropped
    store.write([ex])
    assert_kept_right(store)
    stats = store.stats()
    assert (stats["entities_total"], stats["relations_total"]) == (3, 2)


def test_a_store_file_from_before_the_counts_gets_them_when_opened(tmp_path):
    path = tmp_path / "old" / "graph.db"
    store = open_store(str(path))
    store.write(dated_extractions())
    store.db.executescript("""DROP TRIGGER IF EXISTS statement_names_add; DROP TRIGGER statement_names_remove;
                              DROP TRIGGER statement_names_change; DROP TABLE statement_names;""")
    store.close()
    store = open_store(str(path))
    try:
        assert_kept_right(store)
        changed = renamed(dated_extractions()[1], dated_extractions()[1].article.id, " Дополнено.")
        assert store.write([changed]).replaced == [changed.article.id]
        assert_kept_right(store)
    finally:
        store.close()


OLD_COUNTING = """CREATE INDEX names_key ON names(key);
CREATE INDEX relations_source ON relations(source);
CREATE INDEX relations_target ON relations(target);
CREATE TRIGGER statement_names_add AFTER INSERT ON statements BEGIN
    INSERT INTO statement_names VALUES (new.entity_id, new.name, coalesce(new.kind, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;"""


def test_a_store_file_that_counted_by_trigger_counts_once_when_opened(tmp_path):
    """A store file made when a trigger counted each inserted statement (and names were indexed by
    key, relations by their ends) loses them when opened: the write counts per batch, and no
    statement is counted twice."""
    path = tmp_path / "old" / "graph.db"
    store = open_store(str(path))
    store.write(dated_extractions()[:1])
    store.db.executescript(OLD_COUNTING)
    store.close()
    store = open_store(str(path))
    try:
        assert rows(store.db, "SELECT name FROM sqlite_master WHERE name IN ('names_key', 'statement_names_add', "
                              "'relations_source', 'relations_target')") == []
        store.write(dated_extractions())
        changed = renamed(dated_extractions()[1], dated_extractions()[1].article.id, " Дополнено.")
        assert store.write([changed]).replaced == [changed.article.id]
        assert_kept_right(store)
    finally:
        store.close()


NAMES = ["Игорь Кречетов", "И. Кречетов", "Кречетов", "Вологда", "Вологдой", "Тайга Металл", ""]
KINDS = [None, "", "plant", "industrial_park", "technopark"]


@settings(max_examples=200, deadline=None)
@given(said=st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(KINDS)), min_size=1, max_size=12))
def test_a_name_and_kind_from_counts_are_the_ones_from_all_statements(said):
    statements = [Statement(f"a{n}", "", name, kind, {}) for n, (name, kind) in enumerate(said)]
    counts = [(name, kind, n) for (name, kind), n in Counter((name, kind or "") for name, kind in said).items()]
    assert name_and_kind(counts) == (best_name(statements), best_kind(statements))


def test_articles_of_another_text_with_the_same_id_in_one_batch_keep_the_last(embedded_store):
    first, second = (Article("same", text, source="hand", doc="same") for text in ("Первый.", "Второй."))
    report = embedded_store.write([Extraction(first), Extraction(second), Extraction(first)])
    assert (report.added, report.replaced, report.unchanged) == (["same"], ["same", "same"], [])
    assert embedded_store.article("same")["text"] == "Первый."


def test_the_writers_cache_follows_the_store_file_only_when_a_bulk_load_asks(monkeypatch):
    from graph.embedded_write import CACHE_KIB, FILE_CACHE_VARIABLE, cache_kib
    gigabyte = 1024 * 1024
    monkeypatch.delenv(FILE_CACHE_VARIABLE, raising=False)
    assert cache_kib([], stored_kib=gigabyte) == CACHE_KIB[0]  # an ingest's memory stays with its batch
    monkeypatch.setenv(FILE_CACHE_VARIABLE, "512")
    assert cache_kib([], stored_kib=gigabyte) == 512 * 1024
    assert cache_kib([], stored_kib=100 * 1024) == 100 * 1024
    monkeypatch.setenv(FILE_CACHE_VARIABLE, "lots")
    with pytest.raises(ValueError, match=FILE_CACHE_VARIABLE):
        cache_kib([], stored_kib=gigabyte)
