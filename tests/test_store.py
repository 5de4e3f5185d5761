"""The store contract, through the ingest job and with hand-made extractions: idempotence,
replacement, removal, search, entity cards, relations, bad files, durability. Every test
taking `store`, `relation_store` or `examples_store` runs against the embedded store and
against Neo4j with the same expectations; the embedded-only ones (its file, WAL) say so."""
from __future__ import annotations

import copy
import dataclasses
import json
import sqlite3

import pytest

from graph.export import to_json
from graph.model import Article, Entity, Extraction, Relation
from graph.open import copy_store, open_store
from graph.store import StoreError
from graph.text import name_key
from ingest.run import ingest_paths

from conftest import (ORG_KEY, PERSON_KEY, REL_A1, REL_A2, REL_TEXT_A1, REL_TEXT_A2, ZALIVATSKY, evidence,
                      ingest_once, mention, relation_extractions, write_texts)

ZALIVATSKY_V2 = "Руслан Заливацкий приехал в Калугу."


def mention_rows(store) -> list[tuple]:
    """Every stored mention as (article, entity, start, stop, text)."""
    return [(m["article"], entity, m["start"], m["stop"], m["text"])
            for entity, d in store.snapshot().nodes(data=True) for m in d["mentions"]]


def names(store, query: str, types=None) -> list[str]:
    return [h.name for h in store.search(query, types=types)]


def test_ingest_then_reingest_changes_nothing(store, news_dir, nlp):
    first = ingest_once(store, [news_dir])
    assert (first.added, first.replaced, first.unchanged, first.errors) == (3, 0, 0, [])
    stats = store.stats()
    assert stats["articles"] == 3
    assert stats["entities_total"] >= 6 and stats["mentions"] > stats["entities_total"] - 1
    rows = sorted(mention_rows(store))
    again = ingest_once(store, [news_dir])
    assert (again.added, again.replaced, again.unchanged, again.errors) == (0, 0, 3, [])
    assert store.stats() == stats
    assert sorted(mention_rows(store)) == rows


def test_stored_mentions_point_into_the_stored_text(store, news_dir, nlp):
    ingest_once(store, [news_dir])
    for article_id, _, start, stop, text in mention_rows(store):
        assert store.article(article_id)["text"][start:stop] == text


def test_changed_txt_file_replaces_its_article(store, news_dir, nlp):
    ingest_once(store, [news_dir])
    before = store.stats()
    f = news_dir / "zalivatsky.txt"
    (old_id,) = [a["id"] for a in store.articles_from_source(str(f))]
    assert names(store, "Вологда") == ["Вологда"]

    f.write_text(ZALIVATSKY_V2, encoding="utf-8")
    report = ingest_once(store, [news_dir])
    assert (report.added, report.replaced, report.unchanged) == (0, 1, 2)

    after = store.stats()
    assert after["articles"] == before["articles"]
    assert store.article(old_id) is None
    (new,) = store.articles_from_source(str(f))
    assert store.article(new["id"])["text"] == ZALIVATSKY_V2
    # what only the old text named is gone, what the new text names is there
    assert names(store, "Вологда") == []
    assert names(store, "Северный луч") == []
    assert "Калуга" in names(store, "Калуга")
    # no duplicate mentions, and the person keeps only the new mention
    rows = mention_rows(store)
    assert len(rows) == len(set(rows)) == after["mentions"]
    (hit,) = store.search("Заливацкий", types=["PERSON"])
    card = store.entity(hit.id)
    assert card.mention_count == 1
    assert [(m.article, m.text) for m in card.mentions] == [(new["id"], "Руслан Заливацкий")]
    assert card.aliases == []  # "Заливацкий" alone was only in the old text


def test_changed_txt_file_that_fails_extraction_keeps_its_old_version(store, news_dir, nlp, monkeypatch):
    import ingest.run as run
    ingest_once(store, [news_dir])
    f = news_dir / "zalivatsky.txt"
    (old,) = store.articles_from_source(str(f))
    before = (store.stats(), sorted(mention_rows(store)))
    f.write_text(ZALIVATSKY_V2, encoding="utf-8")
    real = run.extract

    def fails_on_the_new_text(article):
        if article.text == ZALIVATSKY_V2:
            raise MemoryError("Unable to allocate 466. GiB")
        return real(article)

    monkeypatch.setattr(run, "extract", fails_on_the_new_text)
    report = ingest_paths(store, [news_dir])
    (err,) = report.errors
    assert str(err) == f"{f}: extraction failed: Unable to allocate 466. GiB; its stored version is kept"
    assert (report.added, report.replaced, report.unchanged) == (0, 0, 2)
    assert store.article(old["id"])["text"] == ZALIVATSKY
    assert (store.stats(), sorted(mention_rows(store))) == before
    monkeypatch.setattr(run, "extract", real)
    again = ingest_paths(store, [news_dir])
    assert (again.added, again.replaced, again.unchanged, again.errors) == (0, 1, 2, [])
    assert store.article(old["id"]) is None


def test_changed_txt_file_is_replaced_only_by_the_write_that_stores_it(store, news_dir, nlp, monkeypatch):
    """A write that fails (or a kill -9 before it commits) leaves the old version in place."""
    ingest_once(store, [news_dir])
    f = news_dir / "zalivatsky.txt"
    (old,) = store.articles_from_source(str(f))
    f.write_text(ZALIVATSKY_V2, encoding="utf-8")

    def write_fails(batch):
        raise StoreError(f"{store.url}: the disk is gone")

    monkeypatch.setattr(store, "write", write_fails)
    with pytest.raises(StoreError):
        ingest_once(store, [f])
    monkeypatch.undo()
    assert store.article(old["id"])["text"] == ZALIVATSKY
    assert names(store, "Вологда") == ["Вологда"]


def test_the_same_text_twice_in_one_batch_is_counted(store, tmp_path, nlp):
    folder = write_texts(tmp_path / "twice", {"a.txt": ZALIVATSKY, "b.txt": ZALIVATSKY})
    report = ingest_once(store, [folder])
    assert (report.added, report.replaced, report.unchanged, report.errors) == (1, 0, 0, [])
    assert [str(s) for s in report.skipped] == [
        f"{folder / 'a.txt'}: duplicate of the same text (a), which comes again later in the input "
        f"(in {folder / 'b.txt'}): the later one is kept"]
    assert store.stats()["articles"] == 1
    assert store.articles()[0]["source"] == str(folder / "b.txt")  # the later one


def test_changed_article_with_url_replaces(store, tmp_path, nlp):
    f = tmp_path / "feed" / "feed.jsonl"
    f.parent.mkdir()
    url = "https://news.example.ru/2024/zalivatsky"
    f.write_text(json.dumps({"url": url, "title": "Т", "text": ZALIVATSKY}, ensure_ascii=False), encoding="utf-8")
    ingest_once(store, [f])
    assert store.article(url)["text"] == ZALIVATSKY
    f.write_text(json.dumps({"url": url, "title": "Т", "text": ZALIVATSKY_V2}, ensure_ascii=False),
                 encoding="utf-8")
    report = ingest_once(store, [f])
    assert (report.added, report.replaced, report.unchanged) == (0, 1, 0)
    assert store.stats()["articles"] == 1
    assert store.article(url)["text"] == ZALIVATSKY_V2
    assert names(store, "Вологда") == []
    rows = mention_rows(store)
    assert len(rows) == len(set(rows))
    assert all(r[0] == url for r in rows)


def test_remove_article(store, news_dir, nlp):
    ingest_once(store, [news_dir])
    (gone,) = store.articles_from_source(str(news_dir / "vorobyev.txt"))
    assert names(store, "Воробьев")
    before = store.stats()
    store.remove_article(gone["id"])
    after = store.stats()
    assert store.article(gone["id"]) is None
    assert after["articles"] == before["articles"] - 1
    assert after["entities_total"] < before["entities_total"]
    assert names(store, "Воробьев") == [] and names(store, "Москва") == []
    assert all(r[0] != gone["id"] for r in mention_rows(store))
    assert names(store, "Заливацкий") == ["Руслан Заливацкий"]  # the others stay


def test_search_is_morphology_aware_and_filters_types(store, news_dir, nlp):
    ingest_once(store, [news_dir])
    for query in ("Заливацкого", "заливацкий", "ЗАЛИВАЦКОГО", "Руслана Заливацкого", "Руслан"):
        hits = store.search(query)
        assert hits and hits[0].name == "Руслан Заливацкий", query
        assert hits[0].type == "PERSON" and hits[0].mentions == 2
    assert names(store, "Вологде") == ["Вологда"]
    assert names(store, "Андреем Воробьевым") == ["Андрей Воробьев"]
    assert names(store, "Вологда", types=["LOC"]) == ["Вологда"]
    assert names(store, "Вологда", types=["PERSON", "ORG"]) == []
    assert names(store, "Заливацкого", types=["ORG"]) == []
    assert store.search("Несуществующий") == []
    assert store.search("  ,. ") == []


def test_search_refuses_a_query_longer_than_any_name(store, news_dir, nlp):
    from graph.search import MAX_QUERY_CHARS
    from graph.store import QueryError
    ingest_once(store, [news_dir])
    assert names(store, "Заливацкий " + " " * (MAX_QUERY_CHARS - 11)) == ["Руслан Заливацкий"]
    for query in ("а" * 50_001, "Заливацкий " * 5000, "%_" * 30_000):
        with pytest.raises(QueryError, match="is refused"):
            store.search(query)


@pytest.mark.parametrize("query", ["Заливацкому", "Заливацким"], ids=["dative", "instrumental"])
def test_search_finds_surnames_in_dative_and_instrumental(store, news_dir, nlp, query):
    ingest_once(store, [news_dir])
    assert names(store, query)[:1] == ["Руслан Заливацкий"]


def test_entity_card_mentions_and_articles(store, news_dir, nlp):
    ingest_once(store, [news_dir])
    (hit,) = store.search("Заливацкого")
    card = store.entity(hit.id)
    assert (card.id, card.type, card.name) == (hit.id, "PERSON", "Руслан Заливацкий")
    assert card.mention_count == len(card.mentions) == 2
    assert card.aliases == ["Заливацкий"]
    texts = [m.text for m in card.mentions]
    assert texts == ["Руслан Заливацкий", "Заливацкий"]
    for m in card.mentions:
        assert m.text in m.sentence
        assert m.sentence_start <= m.start and m.sentence_start + len(m.sentence) >= m.stop
        assert m.title == "Руслан Заливацкий возглавил компанию «Северный луч» в Вологде."
    assert "Позже Заливацкий сказал" in card.mentions[1].sentence
    assert "Позже" not in card.mentions[0].sentence  # sentences, not the whole text
    (article,) = card.articles
    assert article["title"] == "Руслан Заливацкий возглавил компанию «Северный луч» в Вологде."
    assert article["id"] == card.mentions[0].article
    assert store.entity("PERSON:никто") is None


def test_bad_file_is_reported_and_the_rest_stored(store, tmp_path, nlp):
    folder = write_texts(tmp_path / "mixed", {
        "good.txt": ZALIVATSKY,
        "notext.csv": "id,title\n1,Без текста\n",
        "empty.txt": "",
        "lines.jsonl": '{"id": "ok-1", "text": "Встреча прошла в Москве."}\n{сломано\n',
    })
    report = ingest_once(store, [folder, tmp_path / "missing.txt"])
    messages = [str(e) for e in report.errors]
    assert len(messages) == 3, messages
    for name in ("notext.csv", "lines.jsonl", "missing.txt"):
        assert any(name in msg for msg in messages), name
    assert [str(e) for e in report.skipped] == [f"{folder / 'empty.txt'}: is empty"]  # no article, not a failure
    assert any("line 2" in msg for msg in messages)
    assert report.added == 2
    assert store.stats()["articles"] == 2
    assert store.article("ok-1") is not None
    assert names(store, "Заливацкого") == ["Руслан Заливацкий"]


def test_extraction_failure_of_one_article_does_not_stop_the_batch(store, news_dir, nlp, monkeypatch):
    import ingest.run as run
    real = run.extract

    def flaky(article):
        if "Воробьев" in article.text:
            raise RuntimeError("boom")
        return real(article)

    monkeypatch.setattr(run, "extract", flaky)
    report = ingest_paths(store, [news_dir])
    (err,) = report.errors
    assert "vorobyev.txt" in str(err) and "boom" in str(err)
    assert report.added == 2 and store.stats()["articles"] == 2


def test_store_survives_close_and_reopen(store, news_dir, nlp):
    ingest_once(store, [news_dir])
    stats, hits = store.stats(), [h.id for h in store.search("Заливацкого")]
    store.close()
    again = open_store(store.url)
    try:
        assert again.stats() == stats
        assert [h.id for h in again.search("Заливацкого")] == hits
        report = ingest_once(again, [news_dir])
        assert report.unchanged == 3 and report.added == 0
    finally:
        again.close()


def test_embedded_store_is_one_file(tmp_path, news_dir, nlp):
    path = tmp_path / "durable" / "graph.db"
    s = open_store(f"sqlite:///{path}")
    ingest_once(s, [news_dir])
    s.close()
    assert path.is_file()
    folder = open_store(str(path.parent))  # a folder means the graph.db in it
    try:
        assert folder.path == path and folder.stats()["articles"] == 3
    finally:
        folder.close()


def test_a_store_file_from_before_confidences_gets_the_column_and_keeps_its_data(tmp_path):
    """A graph.db made by the version that kept no confidences (no evidence.confidence) opens:
    the column is added, every row stays, its relations have no confidence until rewritten."""
    from conftest import relation_extractions
    path = tmp_path / "old" / "graph.db"
    s = open_store(str(path))
    s.write(relation_extractions())
    before = (s.stats(), to_json(s.snapshot()))
    s.close()
    with sqlite3.connect(path) as db:  # what the previous version left: no confidence column
        db.execute("ALTER TABLE evidence DROP COLUMN confidence")
    db.close()
    s = open_store(str(path))
    try:
        columns = [r[1] for r in s.db.execute("PRAGMA table_info(evidence)")]
        assert columns[-1] == "confidence"
        assert (s.stats(), to_json(s.snapshot())) == before
        ((_, _, d),) = s.snapshot().edges(data=True)
        assert d["confidence"] is None and len(d["evidence"]) == 3
        ex = relation_extractions()[1]
        ex.article.text += " Снова."
        ex.relations[0].confidence = 0.75
        s.write([ex])
        (n,) = s.entity(PERSON_KEY).neighbours
        assert (n.weight, n.confidence) == (2, 0.75)
    finally:
        s.close()


def test_open_store_default_lives_under_investgraph_home(isolated_home):
    s = open_store()
    try:
        assert s.path == isolated_home / "graph.db"
        assert s.path.is_file()
    finally:
        s.close()


def test_reader_is_not_blocked_by_an_open_write_transaction(embedded_store):
    from conftest import relation_extractions
    relation_store = embedded_store
    relation_store.write(relation_extractions())
    path = relation_store.path
    raw = sqlite3.connect(path, timeout=1)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    before = relation_store.stats()
    writer = relation_store.db
    writer.execute("BEGIN EXCLUSIVE")
    try:
        writer.execute("DELETE FROM mentions")
        writer.execute("INSERT INTO articles (id, text, hash) VALUES ('pending', 'текст', 'x')")
        reader = open_store(str(path))
        try:
            reader.db.execute("PRAGMA busy_timeout=1000")
            assert reader.stats() == before  # the committed state, not the pending one
            assert [h.id for h in reader.search("Заливацкого")] == [PERSON_KEY]
        finally:
            reader.close()
    finally:
        writer.rollback()
    assert relation_store.stats() == before


# --- relations, with a hand-made extraction -------------------------------------------

def test_relation_weight_is_distinct_articles(relation_store):
    s = relation_store
    stats = s.stats()
    assert stats["relations"]["WORKS_AT"] == stats["relations_total"] == 1
    assert stats["entities_total"] == 2 and stats["articles"] == 2
    person = s.entity(PERSON_KEY)
    (n,) = person.neighbours
    assert (n.id, n.type, n.name, n.relation, n.role, n.direction, n.weight) == \
        (ORG_KEY, "ORG", "Северный луч", "WORKS_AT", None, "out", 2)
    (back,) = s.entity(ORG_KEY).neighbours
    assert (back.id, back.direction, back.weight) == (PERSON_KEY, "in", 2)
    assert [a["id"] for a in person.articles] == [REL_A1, REL_A2]  # by date
    assert person.mention_count == 3

    g = s.neighbourhood([PERSON_KEY])
    assert set(g.nodes) == {PERSON_KEY, ORG_KEY}
    ((u, v, d),) = g.edges(data=True)
    assert (u, v, d["type"], d["weight"], d["evidence_count"]) == (PERSON_KEY, ORG_KEY, "WORKS_AT", 2, 3)
    assert s.neighbourhood([PERSON_KEY], min_weight=3).number_of_edges() == 0
    assert s.neighbourhood([PERSON_KEY], relations=["LOCATED_IN"]).number_of_edges() == 0


def test_removing_an_article_lowers_weight_then_drops_the_relation(relation_store):
    s = relation_store
    s.remove_article(REL_A2)
    (n,) = s.entity(PERSON_KEY).neighbours
    assert n.weight == 1
    ((_, _, d),) = s.snapshot().edges(data=True)
    assert d["evidence_count"] == 2 and {e["article"] for e in d["evidence"]} == {REL_A1}
    s.remove_article(REL_A1)
    stats = s.stats()
    assert (stats["articles"], stats["entities_total"], stats["relations_total"], stats["mentions"]) == (0, 0, 0, 0)
    assert s.entity(PERSON_KEY) is None


def test_rewriting_the_same_relation_batch_is_idempotent(relation_store):
    from conftest import relation_extractions
    before = relation_store.stats()
    report = relation_store.write(relation_extractions())
    assert report.unchanged == [REL_A1, REL_A2] and not report.added and not report.replaced
    assert relation_store.stats() == before
    (n,) = relation_store.entity(PERSON_KEY).neighbours
    assert n.weight == 2


def test_evidence_sentences_are_stored(relation_store):
    ((_, _, d),) = relation_store.snapshot().edges(data=True)
    for ev in d["evidence"]:
        text = relation_store.article(ev["article"])["text"]
        assert text[ev["start"]:ev["stop"]] == ev["sentence"]
    assert any("руководит" in ev["sentence"] for ev in d["evidence"])
    assert REL_TEXT_A1.startswith(d["evidence"][0]["sentence"])


# --- the example corpus -------------------------------------------------------------------

def test_example_corpus_in_the_store(examples_store):
    s = examples_store
    stats = s.stats()
    assert stats["articles"] == 16
    assert stats["entities"]["PERSON"] > 0 and stats["entities"]["ORG"] > 0 and stats["entities"]["LOC"] > 0
    g = s.snapshot()
    assert g.number_of_nodes() == stats["entities_total"]
    texts = {a["id"]: s.article(a["id"])["text"] for a in s.articles()}
    assert len(texts) == 16
    for _, d in g.nodes(data=True):
        for m in d["mentions"]:
            assert texts[m["article"]][m["start"]:m["stop"]] == m["text"]
    # recurring entities connect articles
    assert any(len({m["article"] for m in d["mentions"]}) > 1 for _, d in g.nodes(data=True))
    # the cp1251 article is stored as proper Cyrillic and is searchable
    assert s.search("Липецкой области", types=["LOC"])


@pytest.mark.parametrize("query", ["Тайга Металл", "Вологодской области"])
def test_example_corpus_search_finds_recurring_entities(examples_store, query):
    hits = examples_store.search(query)
    assert hits
    card = examples_store.entity(hits[0].id)
    assert len(card.articles) >= 2
    assert all(a["title"] for a in card.articles)


# --- write rules both stores share ---------------------------------------------------------

def as_article(ex: Extraction, article_id: str) -> Extraction:
    """The same extraction, as if it came from another article id."""
    ex = copy.deepcopy(ex)
    ex.article.id = article_id
    for r in ex.relations:
        r.evidence = [dataclasses.replace(ev, article=article_id) for ev in r.evidence]
    return ex


def test_an_article_twice_in_one_batch_keeps_the_last_version(store):
    first, second = relation_extractions()
    report = store.write([first, as_article(second, REL_A1)])
    assert (report.added, report.replaced, report.unchanged) == ([REL_A1], [REL_A1], [])
    assert store.article(REL_A1)["text"] == REL_TEXT_A2
    stats = store.stats()
    assert (stats["articles"], stats["mentions"], stats["relations_total"]) == (1, 2, 1)
    ((_, _, d),) = store.snapshot().edges(data=True)
    assert [ev["sentence"] for ev in d["evidence"]] == [REL_TEXT_A2]
    assert store.entity(PERSON_KEY).aliases == []  # "Заливацкий" alone was only in the first version


def kvarts_batches() -> list[Extraction]:
    """Three dated articles about one project, each naming it, giving it a kind and facts differently."""
    key = "PROJECT:" + name_key("Кварц")
    texts = ["Технопарк «Кварц» открылся.", "Кварц расширяется.", "Кварц принял резидентов."]
    specs = [("2024-03-01", "Кварц", None, {"region": "Новосибирская область", "year": 2023, "years": [2023]}),
             ("2024-05-01", "Технопарк Кварц", "technopark", {"year": 2024, "area": "10 га", "years": [2025]}),
             ("2024-01-01", "Кварц", "industrial_park", {"year": 2022})]
    batches = []
    for n, (text, (date, name, kind, facts)) in enumerate(zip(texts, specs)):
        article = Article(id=f"kvarts-{n}", text=text, source="hand", doc=f"kvarts-{n}", date=date)
        batches.append(Extraction(article, entities=[
            Entity("T1", "PROJECT", name, key=key, kind=kind, facts=facts, mentions=[mention(text, "Кварц")])]))
    return batches


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 0, 2)])
def test_an_entitys_name_kind_and_facts_come_from_all_its_articles_in_any_order(store, order):
    """The name most articles give, the kind most give (ties: the smallest), each fact's latest dated
    statement (lists: their union), every statement kept as history; whatever order they came in."""
    batches = kvarts_batches()
    for n in order:
        store.write([batches[n]])
    key = batches[0].entities[0].key
    card = store.entity(key)
    assert (card.name, card.kind) == ("Кварц", "industrial_park")
    assert list(card.facts.items()) == [("area", "10 га"), ("region", "Новосибирская область"), ("year", 2024),
                                        ("years", [2023, 2025])]
    assert [(h["fact"], h["value"], h["article"]) for h in card.fact_history if h["fact"] == "year"] == [
        ("year", 2022, "kvarts-2"), ("year", 2023, "kvarts-0"), ("year", 2024, "kvarts-1")]
    store.remove_article("kvarts-1")  # the latest statement of "year" goes: the one before it is current
    card = store.entity(key)
    assert (card.name, card.facts["year"], card.facts["years"]) == ("Кварц", 2023, [2023])
    assert "area" not in card.facts


def test_a_relation_to_an_entity_nobody_mentions_is_dropped_with_it(store):
    text = "Руслан Заливацкий переехал в Вологду."
    article = Article(id="https://news.example.ru/moved", text=text, source="hand", doc="moved")
    store.write([Extraction(article, entities=[
        Entity("T1", "PERSON", "Руслан Заливацкий", key=PERSON_KEY, mentions=[mention(text, "Руслан Заливацкий")]),
        Entity("T2", "LOC", "Вологда", key="LOC:вологда"),  # no mention
    ], relations=[Relation("LOCATED_IN", "T1", "T2", evidence=[evidence(article.id, text, "переехал")])])])
    stats = store.stats()
    assert (stats["entities_total"], stats["relations_total"]) == (1, 0)
    assert store.entity("LOC:вологда") is None and store.entity(PERSON_KEY).neighbours == []
    g = store.snapshot()
    assert list(g.nodes) == [PERSON_KEY] and g.number_of_edges() == 0


def test_a_failed_batch_is_rolled_back_and_named(store):
    good, other = relation_extractions()
    broken = copy.deepcopy(other)
    broken.relations[0].evidence[0] = dataclasses.replace(broken.relations[0].evidence[0], start=None)
    with pytest.raises(StoreError) as failure:
        store.write([good, broken])
    message = str(failure.value)
    assert message.startswith(store.url) and "batch of 2 articles failed, none of them was stored" in message
    assert "\n" not in message
    assert store.stats()["articles"] == 0 and store.snapshot().number_of_nodes() == 0
    assert store.write([good]).added == [REL_A1]


def test_search_finds_hyphenated_names(store):
    text = "Завод построят в Санкт-Петербурге. Санкт-Петербург выделил участок."
    article = Article(id="spb", text=text, source="hand", doc="spb")
    store.write([Extraction(article, entities=[
        Entity("T1", "LOC", "Санкт-Петербург", key="LOC:" + name_key("Санкт-Петербург"),
               mentions=[mention(text, "Санкт-Петербурге"), mention(text, "Санкт-Петербург", 1)])])])
    for query in ("Санкт-Петербурге", "санкт-петербург", "Санкт", "САНКТ-ПЕТЕРБУРГА"):
        assert names(store, query) == ["Санкт-Петербург"], query
    assert names(store, "Петербург") == []  # words are matched from their start


def test_neighbourhood_of_an_unknown_id_is_empty(relation_store):
    assert relation_store.neighbourhood(["PERSON:никто"]).number_of_nodes() == 0
    g = relation_store.neighbourhood(["PERSON:никто", PERSON_KEY])
    assert set(g.nodes) == {PERSON_KEY, ORG_KEY} and g.number_of_edges() == 1


def test_extractions_write_the_same_graph_again(store, news_dir, nlp, tmp_path):
    ingest_once(store, [news_dir])
    store.write(relation_extractions())
    copied = open_store(str(tmp_path / "copy" / "graph.db"))
    try:
        report = copy_store(store, copied, batch_size=2)
        assert report.articles == 5 and len(report.written.added) == 5
        assert copied.stats() == store.stats()
        assert to_json(copied.snapshot()) == to_json(store.snapshot())
        for hit in store.search("Заливацкого") + store.search("Вологда"):
            assert copied.entity(hit.id) == store.entity(hit.id)
        assert [a.article.id for a in store.extractions()] == sorted(a["id"] for a in store.articles())
    finally:
        copied.close()


# --- what the app's pages read: search and similar names from the store's index, evidence per
# relation, an article's content and counts, the projects table a page at a time -------------------

def set_search_index(store, on: bool) -> None:
    """Empty the store's search index (the embedded store's trigram index of name keys, Neo4j's
    full-text index), or make it again."""
    if store.url.startswith("sqlite"):
        with store.db:
            store.db.execute("INSERT INTO names_grams (names_grams) VALUES (?)", ("rebuild" if on else "delete-all",))
    elif on:
        store._ensure_schema()
    else:
        store.driver.execute_query("DROP INDEX entity_names", database_=store.database)


def test_search_and_similar_names_answer_from_the_stores_index(store, news_dir, nlp):
    ingest_once(store, [news_dir])
    for typo in ("Заливацкго", "Залевацкого", "Руслан Заливацки", "заливатский"):
        assert [h.name for h in store.similar(typo)][:1] == ["Руслан Заливацкий"], typo
    assert [h.name for h in store.similar("Вороьев", types=["PERSON"])] == ["Андрей Воробьев"]
    assert store.similar("Вороьев", types=["ORG"]) == []
    assert store.similar("Щшхзъ") == [] and store.similar("  ,. ") == [] and store.similar("ab") == []
    set_search_index(store, on=False)
    try:
        for query in (store.search, store.similar):
            try:
                found = query("Заливацкого")
            except StoreError:  # Neo4j: no index to ask
                found = []
            assert found == [], query  # without its index the store finds nothing: it does not scan names
    finally:
        set_search_index(store, on=True)
    assert names(store, "Заливацкого") == ["Руслан Заливацкий"]
    assert [h.name for h in store.similar("Заливацкго")] == ["Руслан Заливацкий"]


def test_similar_refuses_a_query_longer_than_any_name(store):
    from graph.search import MAX_QUERY_CHARS
    from graph.store import QueryError
    with pytest.raises(QueryError, match="is refused"):
        store.similar("а" * (MAX_QUERY_CHARS + 1))


def test_evidence_per_relation_from_the_store(relation_store):
    (rid,) = [k for _, _, k in relation_store.neighbourhood([PERSON_KEY]).edges(keys=True)]
    found = relation_store.evidence([rid, "no-such-relation"])
    assert list(found) == [rid]
    assert [(e["article"], e["title"], e["date"]) for e in found[rid]] == [
        (REL_A1, "Заливацкий и «Северный луч»", "2024-01-10"), (REL_A1, "Заливацкий и «Северный луч»", "2024-01-10"),
        (REL_A2, "Кто возглавляет «Северный луч»", "2024-02-20")]
    assert [e["start"] for e in found[rid]] == sorted(e["start"] for e in found[rid][:2]) + [found[rid][2]["start"]]
    assert found[rid][0]["sentence"] == REL_TEXT_A1.split(". ")[0] + "."
    assert relation_store.evidence([rid], limit=1)[rid] == found[rid][:1]
    assert relation_store.evidence([]) == {}


def test_article_content_and_counts_as_the_whole_graph_gives_them(examples_store):
    from graph import analytics
    g = examples_store.snapshot()
    index = analytics.article_index(g)
    for article in examples_store.articles():
        content = examples_store.article_content(article["id"])
        assert content["mentions"] == analytics.article_mentions(g, index, article["id"])
        types = [{"source_type": g.nodes[r["source"]]["type"], "target_type": g.nodes[r["target"]]["type"]}
                 for r in analytics.article_relations(g, index, article["id"])]
        assert content["relations"] == [{**r, **t} for r, t in zip(analytics.article_relations(g, index, article["id"]),
                                                                     types, strict=True)]
    ids = [a["id"] for a in examples_store.articles()]
    assert examples_store.article_counts(ids + ["no-such-article"]) == analytics.article_counts(index)
    assert examples_store.article_content("no-such-article") == {"mentions": [], "relations": []}


@pytest.mark.parametrize("size", [1, 4, 100])
def test_projects_page_by_page_are_the_projects_table(examples_store, size):
    whole = examples_store.projects()
    pages = [examples_store.projects_page(offset, size) for offset in range(0, len(whole) + size, size)]
    assert [p for page in pages for p in page] == whole
    assert all(len(page) <= size for page in pages) and pages[-1] == []


def test_revision_changes_with_every_write_and_only_then(store, tmp_path):
    from conftest import relation_extractions
    before = store.revision()
    assert store.revision() == before and store.stats() and store.search("Заливацкого") == []
    assert store.revision() == before  # reads change nothing
    store.write(relation_extractions()[:1])
    after = store.revision()
    assert after != before
    if store.url.startswith("sqlite"):  # a write through another connection
        other = open_store(store.url.removeprefix("sqlite:///"))
        other.write(relation_extractions()[1:])
        other.close()
    else:
        store.write(relation_extractions()[1:])
    assert store.revision() != after


def test_degrees_are_the_whole_graphs(examples_store):
    from graph import analytics
    g = examples_store.snapshot()
    assert examples_store.degrees(list(g) + ["PERSON:никто"]) == {n: d for n, d in analytics.degrees(g).items() if d}


def test_articles_page_by_page_with_filters(examples_store):
    every = sorted(examples_store.articles(), key=lambda a: a["id"])
    newest = sorted(every, key=lambda a: (a["date"] or "", a["title"] or ""), reverse=True)
    newest = sorted(newest, key=lambda a: (-int((a["date"] or "0000-00-00").replace("-", "")),
                                           a["title"] or "", a["id"]))
    pages = [examples_store.articles_page(offset, 5) for offset in range(0, len(every) + 5, 5)]
    assert [a for page, _ in pages for a in page] == newest and {n for _, n in pages} == {len(every)}
    dated = [a for a in newest if not a["date"] or "2025-01-01" <= a["date"] <= "2025-12-31"]
    assert examples_store.articles_page(0, 100, date_from="2025-01-01", date_to="2025-12-31") == (dated, len(dated))
    word = newest[0]["title"].split()[1]
    titled = [a for a in newest if word.lower() in (a["title"] or "").lower()]
    assert examples_store.articles_page(0, 100, title=word.upper()) == (titled, len(titled))
    source = newest[0]["source"]
    assert examples_store.articles_page(0, 100, sources=[source])[0] == [a for a in newest if a["source"] == source]
    facets = examples_store.article_facets()
    assert facets["sources"] == sorted({a["source"] for a in every})
    dates = sorted(a["date"] for a in every if a["date"])
    assert (facets["first"], facets["last"]) == (dates[0], dates[-1])
