"""One orchestration for both stores: `GraphStore` answers the Store interface (graph.store) over
a `Backend`, one store's own queries inside one transaction.

A store supplies `_read(work)` and `_write(work, action)`, which run `work(backend)` in a read or a
write transaction and turn the store's errors into a StoreError naming it, and a Backend: the
queries QUERIES names, each store in its own language with the same columns, and the few steps
whose shape is its own (candidates from its name index, the four tables of the projects table,
keeping decisions, and the write steps: delete articles, insert extractions, settle).

Everything else is written here once, so both stores give the same answers: stats, search, entity
cards with their mentions, the neighbourhood walk and its subgraph, snapshots, the projects table,
rebuilding stored articles as extractions, and the analysts' merges and splits (recorded, then the
articles they touch assigned again). A node's name, kind and facts are each store's settle step, from
the counts of its statements' names and kinds (graph.statements.counted_summary), read in the store.

The rules both stores keep: one `write(batch)` is one transaction; articles are keyed by id and
content hash, so the same article twice changes nothing and a changed one replaces its mentions,
evidence and statements; an entity lives while it is mentioned, a relation while it has evidence
and both its ends live; a repeated mention, relation or evidence sentence is written once.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

import networkx as nx

from .assemble import (
    PLACE_RELATIONS,
    Row,
    assemble_card,
    assemble_projects,
    assemble_snapshot,
    assemble_subgraph,
    extraction_of,
    mention_ref,
)
from .decisions import Decisions, merge_decision, new_decisions, split_decision
from .model import ENTITY_TYPES, RELATION_TYPES, Decision, EntityCard, EntityHit, Extraction, Project, WriteReport
from .search import (
    SEARCH_CANDIDATES,
    close_words,
    fewest,
    has_word_prefix,
    matches,
    query_terms,
    rank_hits,
    rank_similar,
    similarity,
)
from .text import name_key
from .walk import walk

T = TypeVar("T")

EXTRACTION_PAGE = 200  # articles rebuilt per query while copying a graph or assigning articles again

QUERIES = {  # what every store's queries answer: name -> (parameters) the columns of a row, order
    "article_hash": "(id) hash",
    "articles": "(limit: None for all) id, source, doc, title, url, date; newest first, then by id",
    "articles_from_source": "(source) id, doc; by id",
    "article_ids": "() id; by id",
    "articles_in": "(ids) id, source, doc, title, url, date, text, hash",
    "count_articles": "() n",
    "count_mentions": "() n",
    "count_entities": "() type, n",
    "count_relations": "() type, n",
    "entities": "(ids) id, type, name, kind, facts (JSON), mentions (how many); by id",
    "edges_at": "(ids) id, type, source, target, role, weight (distinct articles of its evidence), "
                "evidence_count, confidence (the highest of its evidence's): the relations at the ids; by id",
    "mentions_of": "(id) article, title, url, date, start, stop, text, sentence_start, sentence_stop, key",
    "merge_log_of": "(id) article, alias, rule",
    "statements_of": "(ids) entity, article, date (the article's), name, kind, facts (JSON)",
    "decisions": "() action, node, other, alias, name; in the order they were made",
    "node_ids": "() id",
    "articles_touching": "(ids) id: the articles mentioning the nodes or stating one of their relations",
    "all_articles": "() id, source, doc, title, url, date; by id",
    "all_mentions": "() entity, article, start, stop, text; by article, start, stop",
    "all_entities": "() id, type, name, kind, facts; by id",
    "all_evidence": "() relation, article, start, stop, sentence, confidence; by article, start, stop",
    "all_relations": "() id, type, source, target, role; by id",
    "article_page": "(after, limit) id, source, doc, title, url, date: the first `limit` with id > after; by id",
    "entity_page": "(after, limit) id, type, name, kind, facts: the first `limit` with id > after; by id",
    "relation_page": "(after, limit) id, type, source, target, role: the first `limit` with id > after; by id",
    "mentions_of_entities": "(ids) entity, article, start, stop, text; by entity, article, start, stop",
    "relations_by_source": "(ids) id, type, source, target, role: the relations whose source is one of ids; by id",
    "evidence_in_order": "(ids) relation, article, start, stop, sentence, confidence; by relation, article, offsets",
    "mentions_in": "(ids) article, entity, key, start, stop, text, sentence_start, sentence_stop",
    "evidence_in": "(ids) article, relation, type, source, target, role, start, stop, sentence, confidence",
    "log_in": "(ids) article, key, alias, rule",
    "said_in": "(ids) article, entity, key, name, kind, facts",
    "evidence_of": "(ids: relations) relation, article, start, stop, sentence, confidence, title, date (the article's)",
    "relation_confidence": "(ids: relations) id, confidence (the highest of its evidence's)",
    "article_counts": "(ids: articles) article, entities (distinct entities mentioned), relations (evidence "
                      "sentences)",
    "degrees": "(ids, cap: None for none) id, degree (distinct neighbours through relations, counted up to cap: "
               "a hub's count stops there)",
    "edges_between": "(ids, others) the columns of edges_at: the relations between a node of ids and one of others, "
                     "either way; by id",
    "relation_counts": "(ids) id, n (relations at the node, kept by the store as they are written; none: no row)",
    "heaviest_at": "(id, limit, types: None for any, min_weight) the columns of edges_at: the node's `limit` "
                   "relations of those types with weight ≥ min_weight, heaviest first, then by id (the weight kept "
                   "by the store as they are written, read from an index: not every relation at the node)",
    "articles_page": "(offset, limit, date_from, date_to, sources, title: each None for any) id, source, doc, title, "
                     "url, date of the articles the filters keep (an undated one passes the dates; title: lower "
                     "case, contained), newest first, then by title and id: that page",
    "articles_count": "(date_from, date_to, sources, title) n: how many the same filters keep",
    "article_sources": "() source: each distinct one, sorted",
    "article_dates": "() first, last: the earliest and latest non-empty dates (None without)",
    "project_page": "(offset, limit) id, name, kind, facts (JSON) of the PROJECT nodes; by id, that page of them",
    "relations_at": "(ids) id, type, role, source, target: the relations at the nodes",
    "evidence_summary_of": "(ids: relations) relation, n (evidence sentences), c (their highest confidence)",
}
PROJECT_TABLES = ("projects", "entity_names", "project_relations", "evidence_summary")  # see assemble_projects


@dataclass
class Touched:
    """What a write step touched: the nodes and relations to settle afterwards."""

    entities: set[str] = field(default_factory=set)
    relations: set[str] = field(default_factory=set)

    def __or__(self, other: Touched) -> Touched:
        return Touched(self.entities | other.entities, self.relations | other.relations)


class Backend(Protocol):
    """One store's own queries and write steps, inside one transaction."""

    def rows(self, query: str, **params: Any) -> Iterable[Row]:
        """The rows of the query QUERIES names; `ids` is a list of ids."""
        ...

    def table(self, name: str) -> Iterable[Sequence[Any]]:
        """One of PROJECT_TABLES as plain sequences, what assemble_projects reads."""
        ...

    def name_keys(self, terms: list[str], limit: int) -> Iterable[tuple[str, Sequence[str]]]:
        """(entity id, its name keys) for entities with name keys holding every term (a superset of
        those where a word starts with each: graph.search.matches decides; a term of several words
        holds them all), from the store's index; at most `limit` keys, in the index's order."""
        ...

    def similar_keys(self, words: list[tuple[str, ...]]) -> Iterable[tuple[str, Sequence[str]]]:
        """(entity id, its name keys) for the entities whose name keys may be close to every query
        word (graph.search.close_words), from the store's index, at most FUZZY_CANDIDATES keys."""
        ...

    def add_decisions(self, decisions: list[Decision]) -> None:
        """Keep new decisions after those kept."""
        ...

    def delete_articles(self, ids: list[str]) -> Touched:
        """Delete articles with their mentions, evidence, statements and merge log."""
        ...

    def insert(self, batch: list[Extraction], decisions: Decisions) -> Touched:
        """Write articles not stored, each entity assigned by the decisions."""
        ...

    def settle(self, touched: Touched) -> None:
        """Drop what lost its support, then set the names, kinds, facts and search keys of what remains."""
        ...


class GraphStore(ABC):
    """The Store interface over a Backend; a store adds its transactions and `write`."""

    url: str

    @abstractmethod
    def _read(self, work: Callable[[Backend], T]) -> T:
        """work(backend) in a read transaction; a StoreError naming the store when it fails."""

    @abstractmethod
    def _write(self, work: Callable[[Backend], T], action: str) -> T:
        """work(backend) in one write transaction, all or nothing; a failure is a StoreError
        naming the store and `action` ("… failed")."""

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Everything read inside the block as one consistent read where the store gives one (the
        embedded store: one SQLite read transaction, a snapshot of the file while others write);
        here, each read on its own (Neo4j reads at read-committed isolation: a transaction over
        many reads would not be a snapshot either)."""
        yield

    def _dicts(self, query: str, **params: Any) -> list[dict]:
        return self._read(lambda q: [dict(r) for r in q.rows(query, **params)])

    def article_hash(self, article_id: str) -> str | None:
        found = self._dicts("article_hash", id=article_id)
        return found[0]["hash"] if found else None

    def articles_from_source(self, source: str) -> list[dict]:
        return self._dicts("articles_from_source", source=source)

    def articles(self, limit: int | None = None) -> list[dict]:
        return self._dicts("articles", limit=int(limit) if limit else None)

    def article(self, article_id: str) -> dict | None:
        found = self._dicts("articles_in", ids=[article_id])
        return found[0] if found else None

    def remove_article(self, article_id: str) -> None:
        self._write(lambda q: q.settle(q.delete_articles([article_id])), f"removing article {article_id} failed")

    def stats(self) -> dict:
        return self._read(stats)

    def search(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]:
        terms = query_terms(text)
        if not terms:
            return []
        candidates = self._read(lambda q: search_candidates(q, text, terms, types))
        return rank_hits(text, candidates, limit)

    def similar(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]:
        words = close_words(text)
        if not words:
            return []
        return rank_similar(self._read(lambda q: similar_candidates(q, words, types, limit)), words, limit)

    def evidence(self, relation_ids: Iterable[str], limit: int | None = None) -> dict[str, list[dict]]:
        ids = sorted(set(relation_ids))
        found: defaultdict[str, list[dict]] = defaultdict(list)
        for r in self._dicts("evidence_of", ids=ids) if ids else []:
            found[r.pop("relation")].append(r)
        return {rid: sorted(rows, key=lambda e: (e["article"], e["start"], e["stop"]))[:limit]
                for rid, rows in found.items()}

    def articles_page(self, offset: int = 0, limit: int = 200, date_from: str | None = None,
                      date_to: str | None = None, sources: list[str] | None = None,
                      title: str | None = None) -> tuple[list[dict], int]:
        given = {"date_from": date_from or None, "date_to": date_to or None, "sources": list(sources) or None
                 if sources else None, "title": (title or "").strip().lower() or None}
        return self._read(lambda q: ([dict(r) for r in q.rows("articles_page", offset=int(offset), limit=int(limit),
                                                                **given)],
                                     next(iter(q.rows("articles_count", **given)))["n"]))

    def article_facets(self) -> dict:
        def read(q: Backend) -> dict:
            dates = next(iter(q.rows("article_dates")))
            return {"sources": [r["source"] for r in q.rows("article_sources")], "first": dates["first"] or "",
                    "last": dates["last"] or ""}
        return self._read(read)

    def degrees(self, ids: Iterable[str], at_most: int | None = None) -> dict[str, int]:
        ids = sorted(set(ids))
        cap = int(at_most) if at_most is not None else None
        return {r["id"]: r["degree"] for r in self._dicts("degrees", ids=ids, cap=cap)} if ids else {}

    def edges_between(self, ids: Iterable[str], others: Iterable[str]) -> nx.MultiDiGraph:
        """The relations between a node of `ids` and one of `others` (either way), with their ends:
        what a view needs of nodes whose other relations lead out of it."""
        return self._read(lambda q: edges_between(q, sorted(set(ids)), sorted(set(others))))

    def relation_counts(self, ids: Iterable[str]) -> dict[str, int]:
        """How many relations each node has (a node without any is left out), as the store keeps
        them at each write: no count over a hub's relations."""
        ids = sorted(set(ids))
        return {r["id"]: r["n"] for r in self._dicts("relation_counts", ids=ids)} if ids else {}

    def heaviest(self, ids: Iterable[str], limit: int, relations: list[str] | None = None,
                 min_weight: int = 1) -> nx.MultiDiGraph:
        """Like neighbourhood(ids, hops=1), but from each node only its `limit` heaviest relations
        of the types (weight: the distinct articles of their evidence; ties by relation id) with at
        least `min_weight`: what a page can show around a hub, read without its other relations."""
        return self._read(lambda q: heaviest(q, sorted(set(ids)), int(limit), relations or None, int(min_weight)))

    def article_content(self, article_id: str) -> dict[str, list[dict]]:
        return self._read(lambda q: article_content(q, article_id))

    def article_counts(self, article_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        ids = sorted(set(article_ids))
        rows = self._dicts("article_counts", ids=ids) if ids else []
        return {r["article"]: (r["entities"], r["relations"]) for r in rows}

    def entity(self, entity_id: str) -> EntityCard | None:
        return self._read(lambda q: entity_card(q, entity_id))

    def neighbourhood(self, ids: list[str], hops: int = 1, types: list[str] | None = None,
                      relations: list[str] | None = None, min_weight: int = 1) -> nx.MultiDiGraph:
        """Entities within `hops` edges of `ids`, with the edges the walk went through that pass the filters."""
        return self._read(lambda q: neighbourhood(q, ids, hops, types, relations, min_weight))

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole graph with everything export needs: aliases, mentions, evidence, articles."""
        return self._read(snapshot)

    def projects(self) -> list[Project]:
        """Every project with its places, participants (roles, key people) and evidence count: the
        projects table without the whole graph."""
        return self._read(lambda q: assemble_projects(*(q.table(name) for name in PROJECT_TABLES)))

    def projects_page(self, offset: int = 0, limit: int = 100) -> list[Project]:
        """The projects table a page at a time: projects `offset` to `offset + limit` in id order,
        as `projects()` gives them, read from the relations at those projects alone."""
        return self._read(lambda q: project_page(q, int(offset), int(limit)))

    def extractions(self) -> Iterator[Extraction]:
        """Every stored article, by id, as the Extraction that writes it again (for copying a graph)."""
        ids = [r["id"] for r in self._dicts("article_ids")]
        for start in range(0, len(ids), EXTRACTION_PAGE):
            yield from self._read(partial(extractions_of, ids=ids[start:start + EXTRACTION_PAGE]))

    def decisions(self) -> list[Decision]:
        return self._read(decisions_in)

    def merge(self, into: str, other: str) -> Decision:
        """Merge node `other` into node `into`, now and in every later write."""
        decision = merge_decision(self.entity(into), self.entity(other), into, other)
        self.record([decision])
        return decision

    def split(self, node: str, alias: str) -> Decision:
        """Move the mentions of `node` named `alias`, and the relations they carry, to a new node."""
        taken = self._read(lambda q: {r["id"] for r in q.rows("node_ids")} | {d.other for d in decisions_in(q)})
        decision = split_decision(self.entity(node), node, alias, taken)
        self.record([decision])
        return decision

    def record(self, decisions: list[Decision]) -> list[Decision]:
        """Keep the decisions not kept yet and assign the articles they touch again, in one
        transaction; return the new ones."""
        return self._write(lambda q: record_decisions(q, decisions),
                           f"recording {len(decisions)} decisions failed, none was kept")


# --- reads ------------------------------------------------------------------------------------

def entity_rows(q: Backend, ids: Iterable[str]) -> dict[str, Row]:
    """The rows of the entities `ids` names that exist, by id."""
    ids = sorted(ids)
    return {r["id"]: r for r in q.rows("entities", ids=ids)} if ids else {}


def stats(q: Backend) -> dict:
    entities = Counter(dict.fromkeys(ENTITY_TYPES, 0))
    entities.update({r["type"]: r["n"] for r in q.rows("count_entities")})
    relations = Counter(dict.fromkeys(RELATION_TYPES, 0))
    relations.update({r["type"]: r["n"] for r in q.rows("count_relations")})
    return {
        "articles": next(iter(q.rows("count_articles")))["n"],
        "mentions": next(iter(q.rows("count_mentions")))["n"],
        "entities": dict(entities), "entities_total": sum(entities.values()),
        "relations": dict(relations), "relations_total": sum(relations.values()),
    }


def matching(pairs: Iterable[tuple[str, Sequence[str]]], terms: list[str]) -> dict[str, list[str]]:
    """Of (entity id, name keys), those matching every term (graph.search.matches), with the keys
    in which a word starts with the first."""
    found = {}
    for entity_id, keys in pairs:
        keys = [k for k in keys if has_word_prefix(k, terms[0])]
        if keys and matches(terms, keys):
            found[entity_id] = keys
    return found


def search_candidates(q: Backend, text: str, terms: list[str],
                      types: list[str] | None) -> list[tuple[EntityHit, list[str]]]:
    """The entities matching every term, of `types`, each with the name keys that brought it: what
    rank_hits orders. When the index gives SEARCH_CANDIDATES keys for the terms (a common prefix:
    "компани"), the names holding the query's name key whole are added, and the closest
    SEARCH_CANDIDATES kept (graph.search.fewest)."""
    pairs = list(q.name_keys(terms, SEARCH_CANDIDATES))
    found = matching(pairs, terms)
    if sum(len(keys) for _, keys in pairs) >= SEARCH_CANDIDATES and (whole := name_key(text)):
        found |= matching(q.name_keys([whole], SEARCH_CANDIDATES), terms)
    found = fewest(text, found)
    return [(EntityHit(r["id"], r["type"], r["name"], r["mentions"], r["kind"]), found[r["id"]])
            for r in entity_rows(q, found).values() if not types or r["type"] in types]


def similar_candidates(q: Backend, words: list[tuple[str, ...]], types: list[str] | None,
                       limit: int) -> list[tuple[EntityHit, Sequence[str]]]:
    """The entities of `types` whose name keys (from the store's index) are close to every query
    word, each with its keys: what rank_similar orders; of those of `types`, the `limit` closest
    and any as close as the last of them (their order is their mentions)."""
    scores = {entity_id: (score, keys) for entity_id, keys in q.similar_keys(words)
              if (score := similarity(words, keys)) is not None}
    rows = entity_rows(q, scores) if types else {}
    kept = sorted((i for i in scores if not types or rows[i]["type"] in types), key=lambda i: -scores[i][0])
    if len(kept) > limit:
        kept = [i for i in kept if scores[i][0] >= scores[kept[limit - 1]][0]]
    rows = {i: rows[i] for i in kept} if types else entity_rows(q, kept)
    return [(EntityHit(r["id"], r["type"], r["name"], r["mentions"], r["kind"]), scores[r["id"]][1])
            for r in rows.values()]


def article_content(q: Backend, article_id: str) -> dict[str, list[dict]]:
    """What an article says, as its page shows it: mentions {entity, type, name, start, stop} and
    relations stated in it {source, source_name, source_type, target, target_name, target_type, type,
    role, confidence (the relation's, over every article), start, stop, sentence}, both in text order."""
    mentions = list(q.rows("mentions_in", ids=[article_id]))
    stated = list(q.rows("evidence_in", ids=[article_id]))
    info = entity_rows(q, {m["entity"] for m in mentions} | {e[k] for e in stated for k in ("source", "target")})
    confidence = {r["id"]: r["confidence"] for r in q.rows("relation_confidence",
                                                            ids=sorted({e["relation"] for e in stated}))}
    found = sorted((m["start"], m["stop"], m["entity"]) for m in mentions if m["entity"] in info)
    said = sorted((e["start"], e["stop"], e["source"], e["target"], e["relation"], e["sentence"], e["type"],
                   e["role"] or "") for e in stated if e["source"] in info and e["target"] in info)
    relations = [{"source": u, "source_name": info[u]["name"], "source_type": info[u]["type"], "target": v,
                  "target_name": info[v]["name"], "target_type": info[v]["type"], "type": t, "role": role,
                  "confidence": confidence.get(k), "start": a, "stop": b, "sentence": sentence}
                 for a, b, u, v, k, sentence, t, role in said]
    return {"mentions": [{"entity": n, "type": info[n]["type"], "name": info[n]["name"], "start": a, "stop": b}
                         for a, b, n in found], "relations": relations}


def project_page(q: Backend, offset: int, limit: int) -> list[Project]:
    """Store.projects_page: the page's projects, the relations at them, the staff (WORKS_AT) of
    their participants, the places above their places, and the evidence counts of the relations
    at them; assembled as Store.projects() assembles the whole table."""
    projects = [(r["id"], r["name"], r["kind"], r["facts"]) for r in q.rows("project_page", offset=offset, limit=limit)]
    ids = {p[0] for p in projects}
    if not ids:
        return []
    at = list(q.rows("relations_at", ids=sorted(ids)))
    parts = {r["source"] for r in at if r["type"] == "INVOLVED_IN" and r["target"] in ids}
    staff = [r for r in q.rows("relations_at", ids=sorted(parts)) if r["type"] == "WORKS_AT" and r["target"] in parts]
    rels = {r["id"]: r for r in at + staff + places_above(q, {r["target"] for r in at if r["source"] in ids
                                                               and r["type"] in PLACE_RELATIONS})}
    info = entity_rows(q, ids | {r[k] for r in rels.values() for k in ("source", "target")})
    evidence = q.rows("evidence_summary_of", ids=sorted(r["id"] for r in at))
    return assemble_projects(projects, [(i, r["type"], r["name"]) for i, r in info.items()],
                             [(r["id"], r["type"], r["role"], r["source"], r["target"]) for r in rels.values()],
                             [(r["relation"], r["n"], r["c"]) for r in evidence])


def places_above(q: Backend, places: set[str]) -> list[Row]:
    """The PART_OF / LOCATED_IN relations from these places upwards, through every level."""
    found: list[Row] = []
    seen, frontier = set(places), sorted(places)
    while frontier:
        step = [r for r in q.rows("relations_by_source", ids=frontier) if r["type"] in PLACE_RELATIONS]
        found += step
        frontier = sorted({r["target"] for r in step} - seen)
        seen.update(frontier)
    return found


def entity_card(q: Backend, entity_id: str) -> EntityCard | None:
    row = entity_rows(q, [entity_id]).get(entity_id)
    if row is None:
        return None
    edges = list(q.rows("edges_at", ids=[entity_id]))
    others = entity_rows(q, {r["target"] if r["source"] == entity_id else r["source"] for r in edges})
    mentions = list(q.rows("mentions_of", id=entity_id))
    texts = {a["id"]: a["text"] for a in q.rows("articles_in", ids=sorted({m["article"] for m in mentions}))}
    refs = sorted((mention_ref(m, texts[m["article"]]) for m in mentions),
                  key=lambda m: (m.date, m.article, m.start, m.stop))
    return assemble_card(row, refs, edges, others, q.rows("merge_log_of", id=entity_id), mentions, decisions_in(q),
                         q.rows("statements_of", ids=[entity_id]))


def neighbourhood(q: Backend, ids: list[str], hops: int, types: list[str] | None, relations: list[str] | None,
                  min_weight: int) -> nx.MultiDiGraph:
    """Store.neighbourhood: the walk (graph.walk) over the store's edges, one query a hop."""
    crossed: dict[str, Row] = {}

    def edges_at(frontier: list[str]) -> Iterator[tuple[str, str, float]]:
        for r in q.rows("edges_at", ids=sorted(frontier)):
            if (not relations or r["type"] in relations) and r["weight"] >= min_weight:
                crossed[r["id"]] = r
                yield r["source"], r["target"], r["weight"]

    def admit(reach: dict[str, float], _kept: int) -> list[str]:  # no cap on the nodes
        if not types:  # every node: its row is read once, for the subgraph
            return sorted(reach)
        info = entity_rows(q, reach)
        return sorted(i for i in reach if info[i]["type"] in types)

    keep = walk(ids, hops, edges_at, admit)
    return assemble_subgraph(entity_rows(q, keep).values(), crossed.values())


def edges_between(q: Backend, ids: list[str], others: list[str]) -> nx.MultiDiGraph:
    edges = list(q.rows("edges_between", ids=ids, others=others)) if ids and others else []
    return assemble_subgraph(entity_rows(q, {r[k] for r in edges for k in ("source", "target")}).values(), edges)


def heaviest(q: Backend, ids: list[str], limit: int, relations: list[str] | None,
             min_weight: int) -> nx.MultiDiGraph:
    """Store.heaviest: one index read per node, then the rows of the nodes at either end."""
    crossed = {r["id"]: r for n in ids
               for r in q.rows("heaviest_at", id=n, limit=limit, types=relations, min_weight=min_weight)}
    ends = set(ids) | {r[k] for r in crossed.values() for k in ("source", "target")}
    return assemble_subgraph(entity_rows(q, ends).values(), crossed.values())


def snapshot(q: Backend) -> nx.MultiDiGraph:
    return assemble_snapshot([dict(r) for r in q.rows("all_articles")], q.rows("all_mentions"),
                             q.rows("all_entities"), q.rows("all_evidence"), q.rows("all_relations"))


def by_article(rows: Iterable[Row]) -> defaultdict[str, list[Row]]:
    grouped: defaultdict[str, list[Row]] = defaultdict(list)
    for r in rows:
        grouped[r["article"]].append(r)
    return grouped


def extractions_of(q: Backend, ids: list[str]) -> list[Extraction]:
    """The stored articles `ids` names, in that order, as the Extractions that write them again."""
    articles = {r["id"]: r for r in q.rows("articles_in", ids=ids)}
    mentions, evidence, log, said = (by_article(q.rows(name, ids=ids))
                                     for name in ("mentions_in", "evidence_in", "log_in", "said_in"))
    ends = {article: {m["entity"] for m in mentions[article]} | {e[k] for e in evidence[article]
                                                                for k in ("source", "target")} for article in ids}
    info = entity_rows(q, set().union(*ends.values()))
    return [extraction_of(articles[a], {i: info[i] for i in ends[a] if i in info}, mentions[a], evidence[a], log[a],
                          said[a]) for a in ids if a in articles]  # an article removed since the listing: left out


# --- the analysts' decisions, and what each write settles -------------------------------------

def decisions_in(q: Backend) -> list[Decision]:
    return [Decision(r["action"], r["node"], r["other"], r["alias"], r["name"]) for r in q.rows("decisions")]


def record_decisions(q: Backend, decisions: list[Decision]) -> list[Decision]:
    """Keep the decisions not kept yet, then assign the articles they touch again."""
    new = new_decisions(decisions_in(q), decisions)
    if new:
        q.add_decisions(new)
        nodes = sorted({n for d in new for n in (d.node, d.other)})
        assign_again(q, sorted({r["id"] for r in q.rows("articles_touching", ids=nodes)}))
    return new


def assign_again(q: Backend, ids: list[str]) -> None:
    """Write stored articles again as they are, so that the decisions in force assign them."""
    extractions = [ex for start in range(0, len(ids), EXTRACTION_PAGE)
                   for ex in extractions_of(q, ids[start:start + EXTRACTION_PAGE])]
    touched = q.delete_articles([ex.article.id for ex in extractions])
    touched |= q.insert(extractions, Decisions(decisions_in(q)))
    q.settle(touched)


def sort_out(run: list[Extraction], hashes: dict[str, str], report: WriteReport) -> tuple[list[Extraction],
                                                                                           list[str]]:
    """The run's extractions to write, and the stored articles they replace; each article counted
    in the report as added, replaced or unchanged."""
    fresh, gone = [], []
    for ex in run:
        old = hashes.get(ex.article.id)
        if old == ex.article.content_hash:
            report.unchanged.append(ex.article.id)
            continue
        superseded = [i for i in ex.replaces if i != ex.article.id and i in hashes]
        (report.replaced if old is not None or superseded else report.added).append(ex.article.id)
        gone += superseded + ([ex.article.id] if old is not None else [])
        fresh.append(ex)
    return fresh, list(dict.fromkeys(gone))
