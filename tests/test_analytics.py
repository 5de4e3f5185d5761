"""graph.analytics: the walks the workbench's pages make answer the same from the store, one
hop at a time (StoreAdjacency), as from the whole graph (Adjacency over the snapshot); hubs are
told by their degree and the store's stats."""
from __future__ import annotations

import itertools

import pytest

from graph import analytics
from graph.model import Article, Entity, Evidence, Extraction, Mention, Relation


def ids(g) -> tuple[set, set]:
    return set(g.nodes), {(u, v, k) for u, v, k in g.edges(keys=True)}


def without_evidence(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "evidence"} for r in rows]


def hop_edges(paths: list[list[dict]]) -> list[list[tuple]]:
    return [[(h["source"], h["target"], tuple((e["key"], e["type"], e["role"]) for e in h["edges"])) for h in p]
            for p in paths]


def test_hub_threshold_from_stats():
    assert analytics.hub_threshold({"entities_total": 0, "relations_total": 0}) == 12
    assert analytics.hub_threshold({"entities_total": 107, "relations_total": 69}) == 12  # the floor
    assert analytics.hub_threshold({"entities_total": 27097, "relations_total": 99151}) == 52  # 7 x mean 7.3


# --- a small graph with a hub --------------------------------------------------------------------

def one(n: int, kind: str, source: tuple[str, str], target: tuple[str, str], role: str | None = None) -> Extraction:
    """One article stating one relation between two entities (type, name)."""
    text = f"{source[1]} и {target[1]}."
    a, b = (0, len(source[1])), (len(source[1]) + 3, len(source[1]) + 3 + len(target[1]))
    ents = [Entity(f"T{i}", t, name, key=f"{t}:{name.lower()}", mentions=[Mention(*span, name, 0, len(text))])
            for i, ((t, name), span) in enumerate(((source, a), (target, b)))]
    aid = f"https://hub.example.ru/{n}"
    return Extraction(Article(aid, text, title=f"n{n}", url=aid, date=f"2024-01-{1 + n % 28:02d}", source="t"),
                      ents, [Relation(kind, "T0", "T1", role, [Evidence(aid, 0, len(text), text)])])


@pytest.fixture
def hub_store(embedded_store):
    """20 projects, each in its own region and all in «Россия» (a hub with 20 neighbours); each
    project with two partner companies, the companies sharing directors; one person at two companies."""
    russia = ("LOC", "Россия")
    batch, n = [], itertools.count()
    for p in range(20):
        project = ("PROJECT", f"парк «П{p}»")
        batch += [one(next(n), "LOCATED_IN", project, russia), one(next(n), "LOCATED_IN", project, ("LOC", f"Регион {p}"))]
        for c in (p, p + 1):
            batch.append(one(next(n), "INVOLVED_IN", ("ORG", f"ООО «К{c}»"), project, "partner"))
        batch.append(one(next(n), "WORKS_AT", ("PERSON", f"Директор{p} Фамилия"), ("ORG", f"ООО «К{p}»"), "директор"))
    batch.append(one(next(n), "WORKS_AT", ("PERSON", "Директор3 Фамилия"), ("ORG", "ООО «К7»"), "советник"))
    embedded_store.write(batch)
    return embedded_store


def test_hub_is_the_node_far_above_the_mean(hub_store):
    g = hub_store.snapshot()
    stats = hub_store.stats()
    assert (stats["entities_total"], stats["relations_total"]) == (82, 101)
    threshold = analytics.hub_threshold(stats)
    assert threshold == 18  # 7 x 2 x 101 / 82, rounded up
    assert analytics.hubs(g, threshold) == ["LOC:россия"]  # 20 neighbours; the next has 4


def test_store_walks_answer_like_the_whole_graph(hub_store):
    g = hub_store.snapshot()
    threshold = analytics.hub_threshold(hub_store.stats())
    whole = analytics.Adjacency(g)
    for seed, hops, hubs in itertools.product(["PERSON:директор3 фамилия", "PROJECT:парк «п5»", "LOC:россия"],
                                              [1, 2, 3], [threshold, None]):
        a = analytics.neighbourhood(whole, [seed], hops=hops, hub_threshold=hubs)
        b = analytics.neighbourhood(analytics.StoreAdjacency(hub_store), [seed], hops=hops, hub_threshold=hubs)
        assert ids(a) == ids(b), (seed, hops, hubs)
        assert not a.graph["truncated"]
    for node in g:
        assert without_evidence(analytics.relations_of(whole, node)) == \
            without_evidence(analytics.relations_of(analytics.StoreAdjacency(hub_store), node))
        assert analytics.interlocks(whole, node, hub_threshold=threshold) == \
            analytics.interlocks(analytics.StoreAdjacency(hub_store), node, hub_threshold=threshold)
    for a, b in [("PERSON:директор0 фамилия", "PERSON:директор9 фамилия"), ("ORG:ооо «к1»", "LOC:регион 17"),
                 ("PERSON:директор3 фамилия", "PROJECT:парк «п6»")]:
        for max_hops, hubs in itertools.product(range(1, 7), [threshold, None]):
            found = analytics.paths(whole, a, b, max_hops=max_hops, hub_threshold=hubs)
            assert hop_edges(found) == hop_edges(analytics.paths(analytics.StoreAdjacency(hub_store), a, b,
                                                                 max_hops=max_hops, hub_threshold=hubs))


def test_hidden_hubs_and_paths_around_them(hub_store):
    g = hub_store.snapshot()
    threshold = analytics.hub_threshold(hub_store.stats())
    p0, p19 = "PROJECT:парк «п0»", "PROJECT:парк «п19»"
    assert "LOC:россия" not in analytics.neighbourhood(g, [p0], hops=2, hub_threshold=threshold)
    assert "LOC:россия" in analytics.neighbourhood(g, [p0], hops=2)
    assert "LOC:россия" in analytics.neighbourhood(g, ["LOC:россия"], hops=1, hub_threshold=threshold)  # a seed stays
    via_hub = analytics.paths(g, p0, p19, max_hops=2)
    assert [[h["target"] for h in p] for p in via_hub] == [["LOC:россия", p19]]
    assert analytics.paths(g, p0, p19, max_hops=6, hub_threshold=threshold) == []  # the chain of partners is longer
    chain = analytics.paths(g, p0, "PROJECT:парк «п3»", max_hops=6, hub_threshold=threshold)
    assert chain and all("LOC:россия" not in (h["source"], h["target"]) for p in chain for h in p)
    assert len(chain[0]) == 6  # п0 - К1 - п1 - К2 - п2 - К3 - п3
    assert all(len(a) <= len(b) for a, b in zip(chain, chain[1:]))
    assert chain[0][0]["edges"][0]["evidence"][0]["sentence"]  # the whole graph's hops carry their sentences


def test_neighbourhood_truncates_nearest_and_heaviest_first(hub_store):
    g = hub_store.snapshot()
    sub = analytics.neighbourhood(g, ["LOC:россия"], hops=2, max_nodes=10)
    assert sub.number_of_nodes() == 10 and sub.graph["truncated"]
    assert set(g.predecessors("LOC:россия")) >= set(sub) - {"LOC:россия"}  # the first hop fills it
    same = analytics.neighbourhood(analytics.StoreAdjacency(hub_store), ["LOC:россия"], hops=2, max_nodes=10)
    assert ids(same) == ids(sub)


def test_interlocks_rank_shared_neighbours(hub_store):
    g = hub_store.snapshot()
    rows = analytics.interlocks(g, "ORG:ооо «к3»", hub_threshold=18)
    assert [r["name"] for r in rows[:3]] == ["ООО «К2»", "ООО «К4»", "ООО «К7»"]  # a project each, a person with К7
    assert [r["shared"] for r in rows[:3]] == [1, 1, 1]
    assert rows[2]["via"] == "Директор3 Фамилия"


def test_example_corpus_walks_from_the_store(embedded_examples):
    g = embedded_examples.snapshot()
    threshold = analytics.hub_threshold(embedded_examples.stats())
    for node in list(g)[:40]:
        a = analytics.neighbourhood(g, [node], hops=2, hub_threshold=threshold)
        b = analytics.neighbourhood(analytics.StoreAdjacency(embedded_examples), [node], hops=2,
                                    hub_threshold=threshold)
        assert ids(a) == ids(b), node


def test_article_index_and_restrict(hub_store):
    g = hub_store.snapshot()
    index = analytics.article_index(g)
    aid = "https://hub.example.ru/0"
    assert [m["name"] for m in analytics.article_mentions(g, index, aid)] == ["парк «П0»", "Россия"]
    [rel] = analytics.article_relations(g, index, aid)
    assert (rel["source_name"], rel["type"], rel["target_name"]) == ("парк «П0»", "LOCATED_IN", "Россия")
    assert analytics.article_counts(index)[aid] == (2, 1)
    shown = analytics.neighbourhood(analytics.StoreAdjacency(hub_store), ["PROJECT:парк «п0»"])
    view = analytics.restrict(g, shown)
    assert ids(view) == ids(shown)
    assert all(d["evidence"] for _, _, d in view.edges(data=True)) and all(d["mentions"] for _, d in view.nodes(data=True))
    cited = {m["article"] for n in shown for m in g.nodes[n]["mentions"]}  # Россия's 20 articles among them
    assert {a["id"] for a in view.graph["articles"]} == cited and len(cited) > 20
