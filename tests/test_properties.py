"""Property-based tests (hypothesis): any short text of Cyrillic words, names, quotes and
punctuation gives a valid contract record; any string given to search gives a list of hits or a
QueryError, on the embedded store and on Neo4j. Example counts are small: extraction is slow."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graph.model import ENTITY_TYPES, RELATION_TYPES, Article, EntityHit

WORDS = ["Вологда", "Вологде", "Калуга", "губернатор", "Игорь", "Кречетов", "И.", "Руслан", "Заливацкий",
         "директор", "компании", "компания", "ООО", "АО", "ПАО", "«Северный", "луч»", "«Ока", "Фарма»", "парк",
         "индустриальный", "завод", "построит", "резидент", "ОЭЗ", "ТОР", "в", "на", "и", "с", "по", "млрд",
         "рублей", "2024", "га", "—", "–", "-", "«", "»", "„", "“", "\"", "'", "(", ")", ".", ",", ":", ";", "!",
         "?", "…", "№", "%", "ё", "Ё", "Минэкономразвития", "России", "области", "Вологодской", "мэр", "заявил",
         "A.", "Ltd", "x", "ъ", "ы"]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\t", ""]
TEXTS = st.lists(st.tuples(st.sampled_from(WORDS) | st.text(max_size=3), st.sampled_from(SEPARATORS)),
                 min_size=1, max_size=40).map(lambda parts: "".join(w + s for w, s in parts))
QUERIES = st.text(max_size=40) | st.sampled_from(["", " ", "*", "\"", "\\", "%", "_", "AND", "OR NOT", "~", "[",
                                                  "«", "Кречетов*", "а" * 1001, "\x00", "' OR 1=1 --"]) | \
    st.builds(lambda w, n: w * n, st.sampled_from(["а", "ab ", "%", "*"]), st.integers(0, 3000))


def check_contract(record: dict, text: str) -> None:
    """A record as `investgraph extract` prints it is valid for the text it came from."""
    json.dumps(record, ensure_ascii=False)  # it can be printed
    ids = [e["id"] for e in record["entities"]]
    assert len(ids) == len(set(ids)), ids
    for e in record["entities"]:
        assert e["type"] in ENTITY_TYPES and isinstance(e["name"], str) and e["name"].strip(), e
        for m in e["mentions"]:
            assert 0 <= m["start"] < m["stop"] <= len(text), (m, len(text))
            assert text[m["start"]:m["stop"]] == m["text"], (m, text[m["start"]:m["stop"]])
    for r in record["relations"]:
        assert r["type"] in RELATION_TYPES and r["source"] in ids and r["target"] in ids, r
        assert r.get("confidence") is None or 0.0 <= r["confidence"] <= 1.0, r
        if (ev := r["evidence"]) is not None:
            assert 0 <= ev["start"] <= ev["stop"] <= len(text), (ev, len(text))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=TEXTS)
@example(raw="Компания «𗀀» построит завод в Вологде.")
def test_any_text_gives_a_valid_contract_record(nlp, raw):
    from ingest.extract import as_contract, extract
    from ingest.readers import make_article
    article = make_article(raw, "property.txt", "property")
    if not article.text.strip():
        return  # the readers skip an empty text before extraction
    check_contract(as_contract(extract(article)), article.text)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=TEXTS)
def test_any_text_ingested_gives_a_store_that_answers(nlp, tmp_path_factory, raw):
    """Through resolve and the store: written, read back, every mention within its article."""
    from graph.open import open_store
    from ingest.readers import make_article
    from ingest.run import ingest_articles
    article = make_article(raw, "property.txt", "property")
    if not article.text.strip():
        return
    store = open_store(str(tmp_path_factory.mktemp("prop") / "graph.db"))
    try:
        report = ingest_articles(store, [article])
        assert not report.errors and report.added == 1, report.errors
        g = store.snapshot()
        for _, d in g.nodes(data=True):
            for m in d["mentions"]:
                assert 0 <= m["start"] < m["stop"] <= len(article.text)
        assert ingest_articles(store, [article]).unchanged == 1
    finally:
        store.close()


def check_search(store, query: str) -> None:
    from graph.bounds import MAX_NAME_CHARS
    from graph.search import MAX_QUERY_CHARS
    from graph.store import QueryError
    from graph.text import fold
    try:
        hits = store.search(query, limit=5)
    except QueryError as err:
        too_long = len(query) > MAX_QUERY_CHARS or max(map(len, fold(query).split())) > MAX_NAME_CHARS
        assert too_long and "refused" in str(err), (len(query), err)
        return
    assert isinstance(hits, list) and all(isinstance(h, EntityHit) for h in hits) and len(hits) <= 5


@pytest.fixture(scope="module")
def searched_store(tmp_path_factory, nlp):
    """The three small articles of conftest in an embedded store, shared by the examples."""
    from graph.open import open_store
    from ingest.run import ingest_articles

    from conftest import KALUGA, VOROBYEV, ZALIVATSKY
    store = open_store(str(tmp_path_factory.mktemp("search") / "graph.db"))
    articles = [Article(f"a{n}", text) for n, text in enumerate((ZALIVATSKY, VOROBYEV, KALUGA))]
    assert ingest_articles(store, articles).added == 3
    yield store
    store.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
@example(query="𗀀")  # a letter unicodedata has no name for: pymorphy3 raised ValueError
@example(query="а" * 505)  # a word Lucene cannot make a prefix query of ("input automaton is too large")
def test_any_search_on_the_embedded_store_answers_or_refuses(searched_store, query):
    check_search(searched_store, query)


@pytest.mark.neo4j
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
@example(query="𗀀")
@example(query="а" * 505)
def test_any_search_on_neo4j_answers_or_refuses(neo4j_searched, query):
    check_search(neo4j_searched, query)


@pytest.fixture
def neo4j_searched(neo4j_store, searched_store):
    """The same three articles in Neo4j (copied from the embedded store)."""
    from graph.open import copy_store
    copy_store(searched_store, neo4j_store)
    assert neo4j_store.stats()["articles"] == 3
    return neo4j_store


NAME_PARTS = st.sampled_from([" ", "  ", "\t", "\n", "\xa0", "\u00ad", "\u200b", "\u202f", "\u2028", "\x85", "\x1f",
                              "\ufeff", "\u3000", "\x00", "\x7f", "Вологда", "«Ока»", "…", "😀", "e\u0301"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(NAME_PARTS | st.text(max_size=4), max_size=30).map("".join) |
       st.builds(lambda w, n: w * n, NAME_PARTS, st.integers(0, 400)))
@example("а" * 300)
@example("а" * 301)
def test_a_name_the_quick_check_passes_is_one_bounding_would_leave_as_it_is(text):
    from graph.bounds import bound_name, cut_name, within_bounds
    if within_bounds(text):
        assert cut_name(text) == text
    assert bound_name(bound_name(text)) == bound_name(text)
