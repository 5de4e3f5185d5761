"""What the pages read around a hub, in both stores with the same answers: a node's heaviest
relations (Store.heaviest: at most `limit`, heaviest first, ties by relation id, of the relation
types and weight asked for), its number of relations and the store's counts (Store.relation_counts,
Store.stats), kept by the store as articles are written, replaced and removed, and degrees counted
only as far as asked (Store.degrees' `at_most`). The explorer's walk reads a hub through its
heaviest relations and says how many of how many it read."""
from __future__ import annotations

import sqlite3
from collections import Counter

import networkx as nx
import pytest

from graph import analytics
from graph.model import Article, Entity, Evidence, Extraction, Mention, Relation
from graph.open import open_store

HUB = "LOC:россия"
# project i is LOCATED_IN the hub in WEIGHTS[i] articles; region k is PART_OF it in one each
WEIGHTS = [1, 3, 2, 1, 4, 1, 2, 1, 1, 5]
REGIONS = 3


def project(i: int) -> str:
    return f"PROJECT:проект {i}"


def region(k: int) -> str:
    return f"LOC:регион {k}"


def stated(article_id: str, source: tuple[str, str, str], relation: str, date: str = "2024-05-01") -> Extraction:
    """One article: «<source> … России.», stating `source` (type, name, key) `relation` the hub."""
    kind, name, key = source
    text = f"{name} находится в России."
    hub_at = text.index("России")
    sentence = (0, len(text))
    entities = [Entity("T1", kind, name, key=key, mentions=[Mention(0, len(name), name, *sentence)]),
                Entity("T2", "LOC", "Россия", key=HUB, mentions=[Mention(hub_at, hub_at + 6, "России", *sentence)])]
    return Extraction(Article(article_id, text, title=name, url=article_id, date=date, source="hand", doc=article_id),
                      entities, [Relation(relation, "T1", "T2", evidence=[Evidence(article_id, 0, len(text), text)])])


def hub_graph() -> list[Extraction]:
    out = [stated(f"https://hub.example.ru/p{i}-{j}", ("PROJECT", f"Проект {i}", project(i)), "LOCATED_IN")
           for i, w in enumerate(WEIGHTS) for j in range(w)]
    return out + [stated(f"https://hub.example.ru/r{k}", ("LOC", f"Регион {k}", region(k)), "PART_OF")
                  for k in range(REGIONS)]


@pytest.fixture
def hub_store(store):
    store.write(hub_graph())
    return store


def heaviest_by_hand(g: nx.MultiDiGraph, node: str, limit: int, relations: list[str] | None = None,
                     min_weight: int = 1) -> list[tuple[str, int]]:
    """(relation id, weight) of the node's heaviest relations, from the whole graph."""
    at = [(k, d["weight"]) for u, v, k, d in g.edges(keys=True, data=True) if node in (u, v)
          and (not relations or d["type"] in relations) and d["weight"] >= min_weight]
    return sorted(at, key=lambda e: (-e[1], e[0]))[:limit]


def heaviest_read(store, node: str, limit: int, **filters) -> list[tuple[str, int]]:
    g = store.heaviest([node], limit, **filters)
    return sorted(((k, d["weight"]) for _, _, k, d in g.edges(keys=True, data=True)), key=lambda e: (-e[1], e[0]))


def assert_kept_right(store) -> None:
    """What the store keeps at each write is what the whole graph says."""
    g = store.snapshot()
    assert store.relation_counts(list(g) + ["LOC:нигде"]) == {n: g.degree(n) for n in g if g.degree(n)}
    for n in g:
        for limit in (1, 3, 100):
            assert heaviest_read(store, n, limit) == heaviest_by_hand(g, n, limit)
    entities = Counter(d["type"] for _, d in g.nodes(data=True))
    relations = Counter(d["type"] for _, _, d in g.edges(data=True))
    stats = store.stats()
    assert stats["articles"] == len(g.graph["articles"])
    assert stats["mentions"] == sum(len(d["mentions"]) for _, d in g.nodes(data=True))
    assert {t: n for t, n in stats["entities"].items() if n} == dict(entities)
    assert {t: n for t, n in stats["relations"].items() if n} == dict(relations)
    assert (stats["entities_total"], stats["relations_total"]) == (g.number_of_nodes(), g.number_of_edges())


def test_a_hubs_heaviest_relations_first_then_by_id_at_most_the_limit(hub_store):
    g = hub_store.snapshot()
    for limit in (1, 3, 5, 6, 20):
        read = heaviest_read(hub_store, HUB, limit)
        assert read == heaviest_by_hand(g, HUB, limit) and len(read) == min(limit, len(WEIGHTS) + REGIONS)
    assert [w for _, w in heaviest_read(hub_store, HUB, 4)] == [5, 4, 3, 2]
    part = hub_store.heaviest([HUB], 2)
    assert set(part) == {HUB, project(9), project(4)}
    assert part.nodes[project(9)]["name"] == "Проект 9" and part.nodes[HUB]["mention_count"] == sum(WEIGHTS) + REGIONS
    ((_, _, d),) = [e for e in part.edges(data=True) if e[0] == project(9)]
    assert (d["type"], d["weight"], d["evidence_count"]) == ("LOCATED_IN", 5, 5)
    assert hub_store.heaviest(["LOC:нигде"], 5).number_of_nodes() == 0


def test_heaviest_of_some_types_and_weight(hub_store):
    g = hub_store.snapshot()
    assert heaviest_read(hub_store, HUB, 2, relations=["PART_OF"]) == heaviest_by_hand(g, HUB, 2, ["PART_OF"])
    assert {g.edges[u, v, k]["type"] for u, v, k in hub_store.heaviest([HUB], 10, relations=["PART_OF"]).edges(
        keys=True)} == {"PART_OF"}
    assert [w for _, w in heaviest_read(hub_store, HUB, 10, min_weight=2)] == [5, 4, 3, 2, 2]
    assert heaviest_read(hub_store, HUB, 10, relations=["WORKS_AT"]) == []
    assert heaviest_read(hub_store, project(1), 10) == heaviest_by_hand(g, project(1), 10)  # from the other end


def test_counts_and_weights_stay_right_through_writes_replacements_and_removals(store):
    store.write(hub_graph()[:7])
    assert_kept_right(store)
    store.write(hub_graph()[7:])
    assert_kept_right(store)
    store.write(hub_graph())  # the same articles again: nothing changes
    assert_kept_right(store)
    # an article of project 4 now states project 0: one weight down, one up
    store.write([stated("https://hub.example.ru/p4-0", ("PROJECT", "Проект 0", project(0)), "LOCATED_IN")])
    assert_kept_right(store)
    assert dict(heaviest_read(store, project(0), 1)).popitem()[1] == 2
    store.remove_article("https://hub.example.ru/p9-0")  # a weight down
    store.remove_article("https://hub.example.ru/r0")  # a relation and a node gone
    assert_kept_right(store)
    assert store.relation_counts([region(0)]) == {} and store.relation_counts([HUB])[HUB] == len(WEIGHTS) + REGIONS - 1
    store.merge(project(1), project(2))  # the analyst's merge: project 2's relation becomes project 1's
    assert_kept_right(store)
    for a in store.articles():
        store.remove_article(a["id"])
    assert_kept_right(store)
    assert store.stats()["relations_total"] == store.stats()["articles"] == 0


def test_degrees_counted_up_to_at_most(hub_store):
    g = hub_store.snapshot()
    whole = {n: d for n, d in analytics.degrees(g).items() if d}
    assert hub_store.degrees(list(g)) == whole
    assert hub_store.degrees(list(g), at_most=2) == {n: min(d, 2) for n, d in whole.items()}
    assert hub_store.degrees([HUB], at_most=100) == {HUB: len(WEIGHTS) + REGIONS}


def test_the_walk_reads_a_hub_through_its_heaviest_relations_and_says_so(hub_store):
    g = hub_store.snapshot()
    total = len(WEIGHTS) + REGIONS
    sub = analytics.neighbourhood(analytics.StoreAdjacency(hub_store, per_node=3), [HUB], hops=2)
    assert set(sub) == {HUB, project(9), project(4), project(1)}
    assert sub.graph["partial"] == {HUB: (3, total)}
    narrowed = analytics.neighbourhood(analytics.StoreAdjacency(hub_store, per_node=3, relations=["PART_OF"]), [HUB],
                                       hops=1, relations=["PART_OF"])
    assert set(narrowed) == {HUB} | {region(k) for k in range(REGIONS)}
    assert narrowed.graph["partial"] == {HUB: (3, total)}
    whole = analytics.neighbourhood(analytics.StoreAdjacency(hub_store, per_node=total), [HUB], hops=2)
    assert set(whole) == set(g) and whole.graph["partial"] == {}
    assert set(analytics.neighbourhood(g, [HUB], hops=2)) == set(g)  # a whole graph is never read in part
    capped = analytics.StoreAdjacency(hub_store, per_node=3, degree_cap=5)
    analytics.neighbourhood(capped, [HUB], hops=1)
    assert capped.degree(HUB) == 5  # a hub read in part: its degree from the store, up to the cap


def test_a_store_file_from_before_the_kept_counts_gets_them_when_opened(tmp_path):
    path = tmp_path / "old.db"
    s = open_store(str(path))
    s.write(hub_graph())
    expected = (s.stats(), s.relation_counts([HUB, project(9)]), heaviest_read(s, HUB, 4))
    s.close()
    raw = sqlite3.connect(path)
    for kind, name in raw.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'relation_weights%' "
                                  "OR name LIKE 'relation_counts%' OR name LIKE 'store_counts%'").fetchall():
        if kind in ("table", "trigger"):
            raw.execute(f"DROP {kind} IF EXISTS {name}")
    raw.commit()
    raw.close()
    s = open_store(str(path))
    try:
        assert (s.stats(), s.relation_counts([HUB, project(9)]), heaviest_read(s, HUB, 4)) == expected
        s.remove_article("https://hub.example.ru/p9-0")
        assert_kept_right(s)
    finally:
        s.close()


@pytest.mark.neo4j
def test_a_neo4j_graph_from_before_relation_weights_gets_them_when_opened(neo4j_store, neo4j_url):
    from graph.neo4j_store import WEIGHTS_MARK
    neo4j_store.write(hub_graph())
    expected = heaviest_read(neo4j_store, HUB, 4)
    neo4j_store.driver.execute_query(f"MATCH ()-[r:RELATION]->() REMOVE r.weight WITH count(*) AS n "
                                     f"MATCH (m:{WEIGHTS_MARK}) DELETE m", database_=neo4j_store.database)
    again = open_store(neo4j_url)
    try:
        assert heaviest_read(again, HUB, 4) == expected
        assert_kept_right(again)
    finally:
        again.close()


@pytest.mark.neo4j
def test_neo4j_keeps_its_counts_in_one_node(neo4j_store):
    from graph.neo4j_store import COUNT_NOW, READ_COUNTS

    def kept_and_counted() -> tuple[dict, dict]:
        with neo4j_store.driver.session(database=neo4j_store.database) as session:
            kept = session.run(READ_COUNTS).single(strict=True)["counts"]
            counted = {r["key"]: r["n"] for q in COUNT_NOW for r in session.run(q)}
        return {k: n for k, n in kept.items() if n}, counted

    neo4j_store.write(hub_graph())
    kept, counted = kept_and_counted()
    assert kept == counted and kept["relation_LOCATED_IN"] == len(WEIGHTS)
    neo4j_store.remove_article("https://hub.example.ru/r0")
    neo4j_store.merge(project(1), project(2))
    kept, counted = kept_and_counted()
    assert kept == counted and kept["entity_LOC"] == REGIONS and kept["entity_PROJECT"] == len(WEIGHTS) - 1
