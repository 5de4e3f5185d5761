"""The store interface: what every store answers, and the errors it raises.

Two stores implement it, the embedded one (graph.embedded, one SQLite file) and Neo4j
(graph.neo4j_store); both pass one contract suite with the same answers, because everything
but their queries is written once (graph.base). `graph.open.open_store(url)` opens one.
The app, the CLI and ingest talk only to this interface.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

import networkx as nx

from .model import Decision, EntityCard, EntityHit, Extraction, Project, WriteReport


class StoreError(Exception):
    """A store could not do what was asked; the message names the store and the cause."""


class DecisionError(StoreError):
    """A merge or split that cannot be done: the message names the nodes and the reason."""


class QueryError(StoreError):
    """A search a store refuses (too long to be a name): the message says why."""


class Store(Protocol):
    """A graph of articles, entities, relations and evidence. Every method raises StoreError
    (naming the store's URL, never a password) when the store cannot answer."""

    url: str  # where the store is, as messages show it: no password

    def write(self, batch: list[Extraction]) -> WriteReport:
        """Write a batch of extractions in one transaction: all of them or, on any failure
        (StoreError), none. Idempotent per article (id and content hash): an unchanged article is
        `unchanged`, a changed one (or one whose `replaces` are stored) replaces its old mentions,
        evidence and statements (`replaced`), a new one is `added`. Names are bounded first
        (graph.bounds); the analysts' decisions assign every entity to its node (graph.decisions)."""
        ...

    def article_hash(self, article_id: str) -> str | None:
        """The content hash of the stored article, None when it is not stored."""
        ...

    def articles_from_source(self, source: str) -> list[dict]:
        """The articles read from one source (a path or upload name): [{id, doc}], by id."""
        ...

    def remove_article(self, article_id: str) -> None:
        """Remove an article with its mentions, evidence and statements; entities no article
        mentions any more, and relations left without evidence, go with it."""
        ...

    def articles(self, limit: int | None = None) -> list[dict]:
        """The articles without their text, [{id, source, doc, title, url, date}], newest first
        (then by id); at most `limit` of them when given."""
        ...

    def articles_page(self, offset: int = 0, limit: int = 200, date_from: str | None = None,
                      date_to: str | None = None, sources: list[str] | None = None,
                      title: str | None = None) -> tuple[list[dict], int]:
        """A page of the articles list, without their texts: those dated within [date_from, date_to]
        (an undated one always), from one of `sources`, with `title` in their title (any case),
        newest first, then by title and id, from `offset`, at most `limit`; and how many the filters
        keep. A filter that is None or empty keeps every article."""
        ...

    def article_facets(self) -> dict:
        """What the articles list filters on: {sources: the distinct sources, sorted; first, last:
        the earliest and latest dates ("" without dates)}."""
        ...

    def article(self, article_id: str) -> dict | None:
        """One article with its text: {id, source, doc, title, url, date, text, hash}; None if absent."""
        ...

    def stats(self) -> dict:
        """Counts: {articles, mentions, entities: {type: n}, entities_total, relations: {type: n},
        relations_total}; every entity and relation type is listed, with 0 when there is none."""
        ...

    def revision(self) -> str:
        """A value that changes whenever the stored graph does (a write through any connection),
        read without a scan: the embedded store's data version and this connection's changes,
        Neo4j's last committed transaction (the bookmark of a read). What caches key on."""
        ...

    def search(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]:
        """Entities whose name or a mention text matches every word of `text` in any case form,
        exact names first, then by mentions, name and id (graph.search). QueryError for a query too
        long to be a name."""
        ...

    def similar(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]:
        """Entities with names close to a misspelt query ("Кречтова", "Заливацкго"): every query word
        of three letters or more close (graph.search.closeness) to a word of one of their name keys,
        closest first, then by mentions, name and id. Answered from the store's index (the embedded
        store's trigram index of name keys, Neo4j's full-text index with fuzzy terms), never from the
        whole graph. QueryError as for `search`."""
        ...

    def evidence(self, relation_ids: Iterable[str], limit: int | None = None) -> dict[str, list[dict]]:
        """The evidence sentences of these relations, per relation id, in article and text order (at
        most `limit` each): [{article, start, stop, sentence, confidence, title, date}], with the
        title and date of the article they come from. A relation without evidence is left out."""
        ...

    def degrees(self, ids: Iterable[str], at_most: int | None = None) -> dict[str, int]:
        """Per node of these with relations, how many distinct neighbours it has (a hub's without
        reading its edges), or `at_most` if it has more: enough to tell a hub, reading no more."""
        ...

    def edges_between(self, ids: Iterable[str], others: Iterable[str]) -> nx.MultiDiGraph:
        """The relations between a node of ids and one of others (either way), with their ends."""
        ...

    def relation_counts(self, ids: Iterable[str]) -> dict[str, int]:
        """Per node of these with relations, how many relations it has, kept by the store at each
        write (no count over a hub's relations)."""
        ...

    def heaviest(self, ids: Iterable[str], limit: int, relations: list[str] | None = None,
                 min_weight: int = 1) -> nx.MultiDiGraph:
        """The one-hop neighbourhood of ids through at most `limit` relations per node: its heaviest
        (distinct articles of the evidence; ties by relation id) of those types and weight."""
        ...

    def article_content(self, article_id: str) -> dict[str, list[dict]]:
        """What one article says, as its page shows it: {"mentions": [{entity, type, name, start,
        stop}], "relations": [{source, source_name, source_type, target, target_name, target_type,
        type, role, confidence, start, stop, sentence}]}, both in text order (a relation's
        confidence is the highest over every article). Both lists empty for an article not stored."""
        ...

    def article_counts(self, article_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Per stored article of these: (distinct entities mentioned, relation evidence sentences)."""
        ...

    def entity(self, entity_id: str) -> EntityCard | None:
        """The entity's card (aliases, facts and their history, neighbours with weights and
        confidences, mentions with their sentences, articles, the merge log); None if absent."""
        ...

    def neighbourhood(self, ids: list[str], hops: int = 1, types: list[str] | None = None,
                      relations: list[str] | None = None, min_weight: int = 1) -> nx.MultiDiGraph:
        """The entities within `hops` edges of `ids` (of `types`, through relations of `relations`
        with at least `min_weight` articles), and the edges the walk went through. Nodes carry
        type, name, kind, mention_count; edges type, role, weight, evidence_count, confidence."""
        ...

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole graph with everything export needs: nodes with aliases, facts and mentions,
        edges with their evidence sentences and confidence, and graph attribute `articles`."""
        ...

    def projects(self) -> list[Project]:
        """Every project with its places, participants (roles, key people) and evidence count, in
        project id order: the projects table, without reading the whole graph."""
        ...

    def projects_page(self, offset: int = 0, limit: int = 100) -> list[Project]:
        """The projects table a page at a time: the projects `offset` to `offset + limit` in
        project id order, each as `projects()` gives it (the pages, in order, are `projects()`),
        read from the relations at those projects alone, whatever the size of the graph."""
        ...

    def extractions(self) -> Iterator[Extraction]:
        """Every stored article, by id, as the Extraction that writes it again (for copying a graph)."""
        ...

    def decisions(self) -> list[Decision]:
        """The analysts' merges and splits, in the order they were made."""
        ...

    def merge(self, into: str, other: str) -> Decision:
        """Merge node `other` into node `into`, now and in every later write. DecisionError when
        a node is missing, they are one node, or of different types."""
        ...

    def split(self, node: str, alias: str) -> Decision:
        """Move the mentions of `node` named `alias` (any case form), and the relations stated in
        their sentences, to a new node, now and in every later write. DecisionError when none or
        all of its mentions are so named."""
        ...

    def record(self, decisions: list[Decision]) -> list[Decision]:
        """Keep the decisions not kept yet and assign the articles they touch again, in one
        transaction; return the new ones."""
        ...

    def close(self) -> None:
        """Release the connection; the store is not used after."""
        ...
