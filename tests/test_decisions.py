"""One node per real thing: the merge log (why names are one node), and the analyst's merges
and splits, which the store keeps and applies to every later write. Every test taking `store`
runs against the embedded store and Neo4j with the same expectations; the ones at the end
need both at once."""
from __future__ import annotations

import copy
import json

import pytest

from graph.model import MERGE, SPLIT, Decision
from graph.decisions import find_node
from graph.open import copy_store, open_store
from graph.store import DecisionError

from conftest import PERSON_KEY, REL_A1, REL_A2, ZALIVATSKY, ingest_once, relation_extractions, write_texts

IGOR = "Игорь Заливацкий, директор компании «Ока Фарма», рассказал о заводе в Калуге. Заливацкий пообещал 300 рабочих мест."
INITIAL = "Р. Заливацкий, директор компании «Ока Фарма», рассказал о заводе в Калуге."
INITIAL_V2 = "В Вологде побывал Р. Заливацкий."
VARIANT = "Руслан Заливатский возглавил компанию «Северный луч» в Вологде."  # another spelling of the surname
VARIANT_V2 = "Руслан Заливатский приехал в Калугу."
RUSLAN, RUSLAN_VARIANT, IGOR_KEY = "PERSON:заливацкий|р", "PERSON:заливатский|р", "PERSON:заливацкий|и"
OKA = "ORG:око фарма"


def ingest(store, folder, **texts: str):
    """Write {file stem: text} into folder as .txt files and ingest the folder."""
    write_texts(folder, {f"{name}.txt": text for name, text in texts.items()})
    report = ingest_once(store, [folder])
    assert not report.errors, report.errors
    return report


def article_of(store, folder, name: str) -> str:
    (a,) = store.articles_from_source(str(folder / f"{name}.txt"))
    return a["id"]


def persons(store) -> dict[str, list[str]]:
    """PERSON node id -> its mention texts, in order."""
    g = store.snapshot()
    return {n: [m["text"] for m in d["mentions"]] for n, d in g.nodes(data=True) if d["type"] == "PERSON"}


def relations(store) -> list[tuple[str, str, str, str, int]]:
    """(source, type, target, role, evidence count) of every relation."""
    g = store.snapshot()
    return sorted((u, d["type"], v, d["role"], d["evidence_count"]) for u, v, d in g.edges(data=True))


def log_of(card) -> list[tuple[str, str, str]]:
    return [(e["alias"], e["rule"], e["article"]) for e in card.merge_log]


# --- resolution and its log ------------------------------------------------------------------------

def test_namesakes_with_other_first_names_stay_apart_and_initials_join(store, tmp_path, nlp):
    folder = tmp_path / "news"
    ingest(store, folder, ruslan=ZALIVATSKY, igor=IGOR, initial=INITIAL)
    found = persons(store)
    assert set(found) == {RUSLAN, IGOR_KEY}
    ruslan, initial = article_of(store, folder, "ruslan"), article_of(store, folder, "initial")
    # one node's mentions come by article (id), then by offset
    said = {ruslan: ["Руслан Заливацкий", "Заливацкий"], initial: ["Р. Заливацкий"]}
    assert found[RUSLAN] == [text for article in sorted(said) for text in said[article]]
    assert found[IGOR_KEY] == ["Игорь Заливацкий", "Заливацкий"]
    # two articles joined on one key: the card says so, for each article, with the name it used
    same_key = f"same key {RUSLAN} across articles"
    log = log_of(store.entity(RUSLAN))
    assert ("Руслан Заливацкий", same_key, ruslan) in log and ("Р. Заливацкий", same_key, initial) in log
    assert not [e for e in log_of(store.entity(IGOR_KEY)) if "across articles" in e[1]]  # one article only


def test_the_merge_log_keeps_ingests_rules_per_article_and_drops_them_with_it(store):
    first, second = relation_extractions()
    first.entity("T1").merged_by = {"Заливацкий": "surname of Руслан Заливацкий"}
    second.entity("T2").merged_by = {"Руслан Заливацкий": "same lemmas"}
    store.write([first, second])
    same_key = f"same key {PERSON_KEY} across articles"
    assert log_of(store.entity(PERSON_KEY)) == [
        ("Заливацкий", "surname of Руслан Заливацкий", REL_A1), ("Руслан Заливацкий", same_key, REL_A1),
        ("Руслан Заливацкий", same_key, REL_A2), ("Руслан Заливацкий", "same lemmas", REL_A2)]
    # the rules travel with the article when the graph is read out to be written again
    (ex1, _) = store.extractions()
    assert ex1.entity(PERSON_KEY).merged_by == {"Заливацкий": "surname of Руслан Заливацкий"}

    changed = copy.deepcopy(second)
    changed.article.text += " "
    changed.entity("T2").merged_by = {}
    assert store.write([changed]).replaced == [REL_A2]
    assert log_of(store.entity(PERSON_KEY)) == [
        ("Заливацкий", "surname of Руслан Заливацкий", REL_A1), ("Руслан Заливацкий", same_key, REL_A1),
        ("Руслан Заливацкий", same_key, REL_A2)]
    store.remove_article(REL_A2)
    assert log_of(store.entity(PERSON_KEY)) == [("Заливацкий", "surname of Руслан Заливацкий", REL_A1)]
    store.remove_article(REL_A1)
    assert store.entity(PERSON_KEY) is None
    store.write([first])  # nothing left over from before
    assert log_of(store.entity(PERSON_KEY)) == [("Заливацкий", "surname of Руслан Заливацкий", REL_A1)]


# --- merge ----------------------------------------------------------------------------------------

def test_merge_then_reingest_keeps_one_node(store, tmp_path, nlp):
    folder = tmp_path / "news"
    ingest(store, folder, ruslan=ZALIVATSKY, variant=VARIANT)
    assert set(persons(store)) == {RUSLAN, RUSLAN_VARIANT}
    entities = store.stats()["entities_total"]

    decision = store.merge(RUSLAN, RUSLAN_VARIANT)
    assert decision == Decision(MERGE, RUSLAN, RUSLAN_VARIANT, "Руслан Заливатский", "Руслан Заливацкий")
    assert store.decisions() == [decision]

    def one_node() -> None:
        assert list(persons(store)) == [RUSLAN]
        card = store.entity(RUSLAN)
        assert card.name == "Руслан Заливацкий" and "Руслан Заливатский" in card.aliases
        assert store.entity(RUSLAN_VARIANT) is None
        assert [h.id for h in store.search("Заливатского")] == [RUSLAN]
        assert ("Руслан Заливатский", f"merged by hand ({RUSLAN_VARIANT})", "") in log_of(card)

    one_node()
    assert store.stats()["entities_total"] == entities - 1
    assert sorted(persons(store)[RUSLAN]) == ["Заливацкий", "Руслан Заливатский", "Руслан Заливацкий"]
    variant = article_of(store, folder, "variant")
    assert ("Руслан Заливатский", f"merged by hand (key {RUSLAN_VARIANT})", variant) in log_of(store.entity(RUSLAN))

    # the same articles again: removed and ingested anew, then unchanged
    store.remove_article(variant)
    assert set(persons(store)) == {RUSLAN}
    report = ingest_once(store, [folder])
    assert (report.added, report.unchanged) == (1, 1)
    one_node()
    assert (ingest_once(store, [folder]).unchanged, store.decisions()) == (2, [decision])

    # a changed article, and a new one naming the variant: they land in the merged node too
    (folder / "variant.txt").write_text(VARIANT_V2, encoding="utf-8")
    ingest(store, folder, later="Руслан Заливатский открыл новый цех «Северного луча».")
    one_node()
    assert sorted(persons(store)[RUSLAN]) == ["Заливацкий", "Руслан Заливатский", "Руслан Заливатский",
                                             "Руслан Заливацкий"]


def test_merge_moves_relations_and_evidence_and_keeps_the_nodes_facts(store, tmp_path, nlp):
    folder = tmp_path / "news"
    ingest(store, folder, igor=IGOR, initial=INITIAL)
    before = relations(store)
    assert (IGOR_KEY, "WORKS_AT", OKA, "директор", 1) in before and (RUSLAN, "WORKS_AT", OKA, "директор", 1) in before
    store.merge(IGOR_KEY, RUSLAN)
    after = relations(store)
    assert (IGOR_KEY, "WORKS_AT", OKA, "директор", 2) in after
    assert not [r for r in after if RUSLAN in (r[0], r[2])]
    (n,) = [n for n in store.entity(IGOR_KEY).neighbours if n.relation == "WORKS_AT"]
    assert (n.id, n.weight) == (OKA, 2)


def test_merge_refuses_what_cannot_be_merged(store, tmp_path, nlp):
    ingest(store, tmp_path / "news", ruslan=ZALIVATSKY)
    for into, other, message in [
            (RUSLAN, RUSLAN, f"cannot merge {RUSLAN} into itself"),
            (RUSLAN, "ORG:северный луч", f"cannot merge ORG ORG:северный луч into PERSON {RUSLAN}: they are not "
                                         "the same type"),
            (RUSLAN, "PERSON:никто", "cannot merge: no node 'PERSON:никто'")]:
        with pytest.raises(DecisionError) as failure:
            store.merge(into, other)
        assert str(failure.value) == message
    assert store.decisions() == []


# --- split ----------------------------------------------------------------------------------------

def test_split_then_reingest_keeps_two_nodes(store, tmp_path, nlp):
    folder = tmp_path / "news"
    ingest(store, folder, ruslan=ZALIVATSKY, initial=INITIAL)
    assert sorted(persons(store)[RUSLAN]) == ["Заливацкий", "Р. Заливацкий", "Руслан Заливацкий"]
    assert (RUSLAN, "WORKS_AT", OKA, "директор", 1) in relations(store)

    decision = store.split(RUSLAN, "р. заливацкий")
    new = f"{RUSLAN}~р заливацкий"
    assert decision == Decision(SPLIT, RUSLAN, new, "р. заливацкий", "Р. Заливацкий")

    def two_nodes() -> None:
        found = persons(store)
        assert set(found) == {RUSLAN, new}
        assert sorted(found[RUSLAN]) == ["Заливацкий", "Руслан Заливацкий"]
        assert found[new] == ["Р. Заливацкий"]
        card = store.entity(new)
        assert (card.name, card.type) == ("Р. Заливацкий", "PERSON")
        assert [(n.relation, n.id, n.role) for n in card.neighbours] == [("WORKS_AT", OKA, "директор")]
        assert not [n for n in store.entity(RUSLAN).neighbours if n.relation == "WORKS_AT"]
        assert ("р. заливацкий", f"split by hand from {RUSLAN}", "") in log_of(card)
        assert ("р. заливацкий", f"split by hand into {new}", "") in log_of(store.entity(RUSLAN))

    two_nodes()
    initial = article_of(store, folder, "initial")
    store.remove_article(initial)
    assert set(persons(store)) == {RUSLAN}
    assert ingest_once(store, [folder]).added == 1
    two_nodes()
    assert store.decisions() == [decision]

    # new articles: the split name lands in the new node, the full name in the old one
    ingest(store, folder, again="В Калуге побывал Р. Заливацкий.", full="В Калуге побывал Руслан Заливацкий.")
    found = persons(store)
    assert sorted(found[new]) == ["Р. Заливацкий", "Р. Заливацкий"]
    assert sorted(found[RUSLAN]) == ["Заливацкий", "Руслан Заливацкий", "Руслан Заливацкий"]


def test_a_changed_article_after_a_split_leaves_no_stale_mentions_or_evidence(store, tmp_path, nlp):
    folder = tmp_path / "news"
    ingest(store, folder, ruslan=ZALIVATSKY, initial=INITIAL)
    new = store.split(RUSLAN, "Р. Заливацкий").other
    (folder / "initial.txt").write_text(INITIAL_V2, encoding="utf-8")
    report = ingest_once(store, [folder])
    assert (report.replaced, report.unchanged) == (1, 1)
    initial = article_of(store, folder, "initial")
    assert persons(store)[new] == ["Р. Заливацкий"]
    (mention,) = store.entity(new).mentions
    assert (mention.article, mention.sentence) == (initial, INITIAL_V2)
    assert not [r for r in relations(store) if new in (r[0], r[2]) or OKA in (r[0], r[2])]
    assert store.entity(OKA) is None
    g = store.snapshot()
    texts = {a["id"]: store.article(a["id"])["text"] for a in store.articles()}
    for _, d in g.nodes(data=True):
        assert all(texts[m["article"]][m["start"]:m["stop"]] == m["text"] for m in d["mentions"])
    for _, _, d in g.edges(data=True):
        assert all(texts[e["article"]][e["start"]:e["stop"]] == e["sentence"] for e in d["evidence"])
    assert len({(m["article"], m["start"], m["stop"]) for _, d in g.nodes(data=True) for m in d["mentions"]}) == \
        store.stats()["mentions"]


def test_split_within_one_article(store, tmp_path, nlp):
    ingest(store, tmp_path / "news", ruslan=ZALIVATSKY)
    new = store.split(RUSLAN, "Заливацкий").other
    found = persons(store)
    assert (found[RUSLAN], found[new]) == (["Руслан Заливацкий"], ["Заливацкий"])
    assert "Позже Заливацкий сказал" in store.entity(new).mentions[0].sentence


def test_split_refuses_what_cannot_be_split(store, tmp_path, nlp):
    ingest(store, tmp_path / "news", ruslan=ZALIVATSKY, vorobyev="В Москве прошла встреча с Андреем Воробьевым.")
    for node, alias, message in [
            (RUSLAN, "Игорь Заливацкий", f"cannot split {RUSLAN}: none of its mentions is 'Игорь Заливацкий' "
                                         "(its mentions: Заливацкий, Руслан Заливацкий)"),
            ("LOC:москва", "Москва", "cannot split LOC:москва: every one of its mentions is 'Москва', "
                                     "nothing would stay"),
            ("PERSON:никто", "Никто", "cannot split: no node 'PERSON:никто'")]:
        with pytest.raises(DecisionError) as failure:
            store.split(node, alias)
        assert str(failure.value) == message
    assert store.decisions() == []


def test_find_node_takes_ids_and_names_and_lists_candidates(store, tmp_path, nlp):
    ingest(store, tmp_path / "news", ruslan=ZALIVATSKY, igor=IGOR)
    assert find_node(store, RUSLAN) == RUSLAN
    assert find_node(store, "Руслана Заливацкого") == RUSLAN
    assert find_node(store, "Игорь Заливацкий") == IGOR_KEY
    with pytest.raises(DecisionError) as failure:
        find_node(store, "Заливацкий")
    message = str(failure.value)
    assert message.startswith("'Заливацкий' names 2 nodes, give one of their ids: ")
    assert f"Руслан Заливацкий [PERSON] {RUSLAN}" in message and f"Игорь Заливацкий [PERSON] {IGOR_KEY}" in message
    with pytest.raises(DecisionError, match="no node matches 'Несуществующий'"):
        find_node(store, "Несуществующий")


def test_decisions_survive_reopening_and_recording_twice_adds_nothing(store, tmp_path, nlp):
    ingest(store, tmp_path / "news", ruslan=ZALIVATSKY, variant=VARIANT, initial=INITIAL)
    made = [store.merge(RUSLAN, RUSLAN_VARIANT), store.split(RUSLAN, "Р. Заливацкий")]
    store.close()
    again = open_store(store.url)
    try:
        assert again.decisions() == made
        assert again.record(made) == []
        assert set(persons(again)) == {RUSLAN, f"{RUSLAN}~р заливацкий"}
    finally:
        again.close()


# --- both stores at once -------------------------------------------------------------------------

def normalised_export(store) -> dict:
    """Export JSON with article ids replaced by file names and every list sorted."""
    from graph.export import to_json
    data = to_json(store.snapshot())
    name = {a["id"]: a["source"].rsplit("/", 1)[-1] for a in data["articles"]}

    def at(items: list[dict]) -> list[dict]:
        return sorted(({**i, "article": name[i["article"]]} for i in items),
                      key=lambda i: (i["article"], i["start"], i["stop"]))

    return {
        "articles": sorted(name.values()),
        "nodes": sorted(({**n, "mentions": at(n["mentions"])} for n in data["nodes"]), key=lambda n: n["id"]),
        "edges": sorted(({**e, "evidence": at(e["evidence"])} for e in data["edges"]),
                        key=lambda e: (e["source"], e["target"], e["type"], e.get("role", ""))),
    }


@pytest.mark.neo4j
def test_both_stores_give_the_same_graph_after_the_same_decisions(embedded_store, neo4j_store, tmp_path, nlp):
    texts = {"ruslan": ZALIVATSKY, "variant": VARIANT, "initial": INITIAL, "igor": IGOR}
    for n, store in enumerate((embedded_store, neo4j_store)):
        folder = tmp_path / f"news{n}"
        ingest(store, folder, **texts)
        store.merge(RUSLAN, RUSLAN_VARIANT)
        store.split(RUSLAN, "Р. Заливацкий")
        ingest(store, folder, later="Руслан Заливатский приехал в Калугу. В Калуге побывал Р. Заливацкий.")
    assert neo4j_store.decisions() == embedded_store.decisions()
    assert neo4j_store.stats() == embedded_store.stats()
    assert json.dumps(normalised_export(neo4j_store)) == json.dumps(normalised_export(embedded_store))
    for node in (RUSLAN, f"{RUSLAN}~р заливацкий", IGOR_KEY, OKA):
        a, b = neo4j_store.entity(node), embedded_store.entity(node)
        assert (a.name, a.aliases, a.mention_count, a.neighbours) == (b.name, b.aliases, b.mention_count, b.neighbours)
        assert [(e["alias"], e["rule"]) for e in a.merge_log] == [(e["alias"], e["rule"]) for e in b.merge_log]


@pytest.mark.neo4j
def test_load_carries_decisions_and_the_merge_log(embedded_store, neo4j_store, tmp_path, nlp):
    ingest(embedded_store, tmp_path / "news", ruslan=ZALIVATSKY, variant=VARIANT, initial=INITIAL, igor=IGOR)
    embedded_store.merge(RUSLAN, RUSLAN_VARIANT)
    embedded_store.split(RUSLAN, "Р. Заливацкий")
    report = copy_store(embedded_store, neo4j_store, batch_size=2)
    assert (report.articles, report.decisions) == (4, 2)
    assert neo4j_store.decisions() == embedded_store.decisions()
    assert neo4j_store.stats() == embedded_store.stats()
    for node in persons(embedded_store):
        assert neo4j_store.entity(node) == embedded_store.entity(node), node
    back = open_store(str(tmp_path / "back" / "graph.db"))
    try:
        copy_store(neo4j_store, back)
        assert back.decisions() == embedded_store.decisions()
        assert list(back.extractions()) == list(embedded_store.extractions())
        for node in persons(embedded_store):
            assert back.entity(node) == embedded_store.entity(node), node
    finally:
        back.close()
