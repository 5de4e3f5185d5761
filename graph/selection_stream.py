"""A selection (`investgraph export --around/--project/--region/--types/--since …`) read from the
store a page at a time, like the whole graph (graph.snapshot_stream), giving the file
graph.snapshot.select cuts from `Store.snapshot()`, byte for byte.

The selection first resolves to the ids of the entities it keeps (`kept_nodes`), then every
section is read page by page from those ids, each page cut to the window (graph.snapshot.within_window)
and to the relations that pass (graph.snapshot.relation_passes) between kept entities:

- **which entities stay**, without a focus: one pass over the entities (their types), one over the
  relations (each read with its evidence, cut to the window, tested), counting per entity the
  relations that select's node loop (graph.snapshot.cut: nodes by id, each with the relations left
  at that moment) would find there: a relation to an entity of another type that comes earlier is
  gone by then. Then a pass over the entities' mentions in the window. Kept: per entity a count and
  the set of those that stay, never a relation.
- **with a focus** (`around`, `projects`, `regions`): the nodes the focus can reach
  (graph.snapshot_reach.reach), then those nodes with their type, a mark for a mention in the
  window and the relations among them with type, weight and confidence only (a skeleton: no
  mentions, no evidence), cut by graph.snapshot.cut itself.

Then the file's sections: articles (those cited in the window by what stays, a pass to find them),
nodes with the edges out of them a page of ids at a time (`pages`), and for the manifest's hash the
edges by id (a pass over every relation, reading the evidence of those between kept entities).
Memory follows the entities kept (ids), the window's articles (ids) and one page.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import networkx as nx

from .assemble import assemble_snapshot
from .base import GraphStore
from .formats.base import Edge, Node, Parts
from .snapshot import Selection, StreamedContent, cut, manifest_of, relation_passes, window, within_window
from .snapshot_reach import chunks, reach

PAGE = 2000


def keyset(store: GraphStore, query: str, page: int = PAGE) -> Iterator[list[dict[str, Any]]]:
    """The rows of a keyset-paged query (article_page, entity_page, relation_page), a page at a time."""
    after = ""
    while True:
        rows = store._dicts(query, after=after, limit=page)
        if rows:
            yield rows
        if len(rows) < page:
            return
        after = rows[-1]["id"]


def windowed(g: nx.MultiDiGraph, inside: set[str] | None) -> nx.MultiDiGraph:
    """A page's graph cut to the window's articles (as select cuts the whole graph), or as it is."""
    return g if inside is None else within_window(g, inside)


def nodes_page(store: GraphStore, ids: list[str], inside: set[str] | None) -> nx.MultiDiGraph:
    """The entities `ids` with their mentions and the relations out of them with their evidence,
    within the window, in Store.snapshot()'s order."""
    relations = store._dicts("relations_by_source", ids=ids)
    evidence = store._dicts("evidence_in_order", ids=[r["id"] for r in relations]) if relations else []
    entities = store._dicts("entities", ids=ids)
    entities.sort(key=lambda r: str(r["id"]))
    return windowed(assemble_snapshot([], store._dicts("mentions_of_entities", ids=ids), entities, evidence,
                                      relations), inside)


def relations_page(store: GraphStore, relations: list[dict[str, Any]], inside: set[str] | None) -> Iterator[Edge]:
    """Relations (rows by id) with their evidence within the window, by id."""
    if not relations:
        return
    evidence = store._dicts("evidence_in_order", ids=[r["id"] for r in relations])
    g = windowed(assemble_snapshot([], [], [], evidence, relations), inside)
    yield from sorted(g.edges(keys=True, data=True), key=lambda e: e[2])


# --- which entities stay ---------------------------------------------------------------------------

def window_of(store: GraphStore, sel: Selection) -> set[str] | None:
    """The ids of the articles inside the selection's dates (None: it has none)."""
    if not sel.dated():
        return None
    return window((a for rows in keyset(store, "article_page") for a in rows), sel)


def unfocused_nodes(store: GraphStore, sel: Selection, inside: set[str] | None) -> set[str]:
    """The entities a selection without a focus keeps (see the module docstring)."""
    other_type = ({r["id"] for rows in keyset(store, "entity_page") for r in rows if r["type"] not in sel.types}
                  if sel.types else set())
    alive: Counter[str] = Counter()  # relations select's node loop finds at each entity
    for rows in keyset(store, "relation_page"):
        for u, v, _, d in relations_page(store, rows, inside):
            if relation_passes(d, sel):
                alive[u] += u == v or not (v in other_type and v < u)
                alive[v] += u == v or not (u in other_type and u < v)
    kept = set()
    for rows in keyset(store, "entity_page"):
        ids = [r["id"] for r in rows if r["id"] not in other_type]
        if not ids:
            continue
        mentioned = {m["entity"] for m in store._dicts("mentions_of_entities", ids=ids)
                     if inside is None or m["article"] in inside}
        kept |= {n for n in ids if n in mentioned or alive[n]}
    return kept


def skeleton(store: GraphStore, ids: set[str], inside: set[str] | None) -> nx.MultiDiGraph:
    """The entities `ids` (type; a mention in the window or not) and the relations among them
    (type, weight, confidence within the window): what graph.snapshot.cut decides on."""
    g = nx.MultiDiGraph()
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for chunk in chunks(ids):
        page = nodes_page(store, chunk, inside)
        g.add_nodes_from((n, {"type": page.nodes[n]["type"], "mentions": [1] if page.nodes[n]["mentions"] else []})
                         for n in chunk if n in page)
        edges += [(u, v, k, {"type": d["type"], "weight": d["weight"], "confidence": d["confidence"]})
                  for u, v, k, d in page.edges(keys=True, data=True) if v in ids]
    g.add_edges_from(edges)
    return g


def kept_nodes(store: GraphStore, sel: Selection, inside: set[str] | None) -> set[str]:
    """The ids of the entities the selection (ids resolved) keeps."""
    if not (sel.around or sel.projects or sel.regions):
        return unfocused_nodes(store, sel, inside)
    return set(cut(skeleton(store, reach(store, sel), inside), sel))


# --- the sections ----------------------------------------------------------------------------------

class SelectionParts:
    """The sections of a selection's snapshot, read from the store (see the module docstring)."""

    def __init__(self, store: GraphStore, sel: Selection, page: int = PAGE) -> None:
        self.store, self.sel, self.page = store, sel, page
        self.inside = window_of(store, sel)
        self.kept = kept_nodes(store, sel, self.inside)
        self.cited: set[str] | None = None

    def pages(self) -> Iterator[tuple[list[Node], list[Edge]]]:
        """Per page of kept entities (by id): the nodes, and the edges out of them that stay."""
        for chunk in chunks(self.kept, self.page):
            g = nodes_page(self.store, chunk, self.inside)
            yield ([(n, g.nodes[n]) for n in chunk],
                   [(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
                    if v in self.kept and relation_passes(d, self.sel)])

    def nodes(self) -> Iterator[Node]:
        for nodes, _ in self.pages():
            yield from nodes

    def edges(self) -> Iterator[Edge]:
        for _, edges in self.pages():
            yield from edges

    def edges_by_id(self) -> Iterator[Edge]:
        for rows in keyset(self.store, "relation_page", self.page):
            between = [r for r in rows if r["source"] in self.kept and r["target"] in self.kept]
            yield from (e for e in relations_page(self.store, between, self.inside) if relation_passes(e[3], self.sel))

    def articles(self) -> Iterator[dict[str, Any]]:
        """The window's articles that a kept entity's mention or a kept relation's evidence cites, by id."""
        if self.cited is None:
            cited: set[str] = set()
            for nodes, edges in self.pages():
                cited |= {m["article"] for _, d in nodes for m in d.get("mentions", [])}
                cited |= {e["article"] for *_, d in edges for e in d.get("evidence", [])}
            self.cited = cited
        for rows in keyset(self.store, "article_page", self.page):
            yield from (a for a in rows if a["id"] in self.cited)

    def manifest(self, given: dict[str, Any], created_at: datetime | None = None) -> dict[str, Any]:
        """The snapshot's manifest (graph.snapshot.manifest), read page by page."""
        content = StreamedContent()
        content.add_articles(self.articles())
        content.add_edges(self.edges_by_id())
        content.add_nodes(self.nodes())
        return manifest_of(content, given, self.store.url, created_at)

    def parts(self, manifest: dict[str, Any] | None) -> Parts:
        return Parts(articles=self.articles, nodes=self.nodes, edges=self.edges, manifest=manifest, pages=self.pages)


def selection_parts(store: GraphStore, sel: Selection, given: dict[str, Any] | None = None,
                    created_at: datetime | None = None, page: int = PAGE) -> Parts:
    """The snapshot of a selection (ids resolved) as Parts read page by page, with its manifest
    (`given`: the selection as the user gave it; None: no manifest)."""
    piece = SelectionParts(store, sel, page)
    return piece.parts(None if given is None else piece.manifest(given, created_at))


__all__ = ["kept_nodes", "selection_parts"]
