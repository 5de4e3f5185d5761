"""The whole graph read from a store a page at a time: what `investgraph export` (and the app's
Export page) write the whole graph from, in bounded memory.

`store_parts(store)` gives a snapshot's `graph.formats.base.Parts` whose iterators read the store
page by page (PAGE entities, articles or relations per query, keyset paging by id): each node
with its mentions, each edge with its evidence, built by graph.assemble.assemble_snapshot as
`Store.snapshot()` builds them, and in the same order: nodes by id; edges grouped by source in
node order, a source's edges by target in the order of the target's first relation, then by id
(networkx's order of `Store.snapshot().edges`). So a file written from the parts is the file
written from `Store.snapshot()`.

`stream_manifest(store, ...)` makes the manifest of the whole graph from the parts: counts, the
article ids and the content hash (graph.snapshot.content_hash, taken over the same canonical JSON
text, fed to the hash a piece at a time: articles, nodes and edges each by id).

`snapshot_parts(store, selection)` is what the CLI and the app write: the whole graph as above, a
selection read page by page too (graph.selection_stream). `exporting(store, selection)` holds one
read of the store while the manifest and the file are made (GraphStore.reading): on the embedded
store one SQLite read transaction, so that an ingest committing meanwhile changes neither (the
WAL then grows until the export ends: SQLite cannot checkpoint past a reader). Neo4j reads at
read-committed isolation, where one transaction is no snapshot either: there each page is its own
read, and a Neo4j graph being written while it is exported can give a file whose manifest and
content disagree. The app's Export page reads without `exporting` (its store connection is shared
by the page's sessions).

A store that is not one of graph.base's (a test double) is read whole with `snapshot()`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

from .assemble import assemble_snapshot
from .base import GraphStore
from .formats.base import Edge, Node, Parts, graph_parts
from .selection_stream import keyset, selection_parts
from .snapshot import Selection, StreamedContent, manifest, manifest_of, resolve, select
from .store import Store

PAGE = 2000


def pages(store: GraphStore, query: str, page: int = PAGE) -> Iterator[list[dict[str, Any]]]:
    """The rows of a keyset-paged query (article_page, entity_page, relation_page), a page at a time."""
    return keyset(store, query, page)


def store_articles(store: GraphStore, page: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every article by id, as Store.snapshot() lists them."""
    for rows in pages(store, "article_page", page):
        yield from rows


def store_nodes_and_edges(store: GraphStore, page: int = PAGE) -> Iterator[tuple[list[Node], list[Edge]]]:
    """Per page of entities (by id): the nodes, and the edges out of them in networkx's order."""
    for entities in pages(store, "entity_page", page):
        ids = [r["id"] for r in entities]
        relations = store._dicts("relations_by_source", ids=ids)
        evidence = store._dicts("evidence_in_order", ids=[r["id"] for r in relations]) if relations else []
        g = assemble_snapshot([], store._dicts("mentions_of_entities", ids=ids), entities, evidence, relations)
        yield [(n, g.nodes[n]) for n in ids], list(g.edges(keys=True, data=True))


def store_nodes(store: GraphStore, page: int = PAGE) -> Iterator[Node]:
    """Every node by id with its mentions, without its edges (for the content hash)."""
    for entities in pages(store, "entity_page", page):
        ids = [r["id"] for r in entities]
        g = assemble_snapshot([], store._dicts("mentions_of_entities", ids=ids), entities, [], [])
        yield from ((n, g.nodes[n]) for n in ids)


def store_edges_by_id(store: GraphStore, page: int = PAGE) -> Iterator[Edge]:
    """Every edge by relation id (for the content hash)."""
    for relations in pages(store, "relation_page", page):
        evidence = store._dicts("evidence_in_order", ids=[r["id"] for r in relations])
        g = assemble_snapshot([], [], [], evidence, relations)
        yield from sorted(g.edges(keys=True, data=True), key=lambda e: e[2])


def store_parts(store: Store, manifest: dict[str, Any] | None = None, page: int = PAGE) -> Parts:
    """The whole graph of `store` as Parts read page by page (see the module docstring)."""
    if not isinstance(store, GraphStore):
        return graph_parts(store.snapshot(), manifest)
    return Parts(articles=lambda: store_articles(store, page),
                 nodes=lambda: store_nodes(store, page),
                 edges=lambda: (e for _, edges in store_nodes_and_edges(store, page) for e in edges),
                 manifest=manifest, pages=lambda: store_nodes_and_edges(store, page))


def stream_manifest(store: Store, selection: dict[str, Any], created_at: datetime | None = None,
                    page: int = PAGE) -> dict[str, Any]:
    """The manifest of the whole graph of `store` (graph.snapshot.manifest), read page by page."""
    if not isinstance(store, GraphStore):
        return manifest(store.snapshot(), selection, store.url, created_at)
    content = StreamedContent()
    content.add_articles(store_articles(store, page))
    content.add_edges(store_edges_by_id(store, page))
    content.add_nodes(store_nodes(store, page))
    return manifest_of(content, selection, store.url, created_at)


def snapshot_parts(store: Store, given: Selection) -> Parts:
    """The snapshot a selection (as given: names, not ids) names, as Parts with its manifest: what
    the CLI's `investgraph export` and the app's Export page write. Read from the store a page at a
    time (write the parts while the store is open, inside `store.reading()` for one consistent
    read: `exporting`): the whole graph here, a selection by graph.selection_stream; a store that
    is not one of graph.base's is cut in memory (graph.snapshot.select). DecisionError when a name
    names no node."""
    if given.is_whole():
        return store_parts(store, stream_manifest(store, given.as_given()))
    sel = resolve(given, store)
    if isinstance(store, GraphStore):
        return selection_parts(store, sel, given.as_given())
    g = select(store.snapshot(), sel)
    return graph_parts(g, manifest(g, given.as_given(), store.url))


@contextmanager
def exporting(store: Store, given: Selection) -> Iterator[Parts]:
    """snapshot_parts inside one read of the store (GraphStore.reading): the manifest and the file
    written in the block come from the same state of the store, whatever is written meanwhile
    (on the embedded store; Neo4j gives no snapshot across reads)."""
    with store.reading() if isinstance(store, GraphStore) else nullcontext():
        yield snapshot_parts(store, given)


__all__ = ["PAGE", "exporting", "snapshot_parts", "store_parts", "stream_manifest"]
