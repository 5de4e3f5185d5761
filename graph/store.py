"""The store interface every backend implements, and `open_store(url)` that picks one.

URLs: a path or `sqlite:///path` opens the embedded store (the default, under
`$INVESTGRAPH_HOME`, default `./.investgraph/`); `neo4j://[USER@]HOST[:PORT][?database=DB]`
(also `bolt://`, `neo4j+s://`, `bolt+s://`) opens Neo4j. The Neo4j password comes from
`NEO4J_PASSWORD` and never appears in a store's `url`. Without a URL: `$INVESTGRAPH_STORE`,
else `$NEO4J_URI`, else the embedded default.

The app and the CLI talk only to this interface; both stores pass one contract suite,
and the helpers at the end (search matching and ranking, orderings, rebuilding an
article's extraction) are shared so that both give the same answers.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import networkx as nx

from .model import (Article, Entity, EntityCard, EntityHit, Evidence, Extraction, Mention, MentionRef, Neighbour,
                    Relation)
from .text import fold, name_key

DEFAULT_FILE = "graph.db"
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
NEO4J_DEFAULT_PORT = 7687
NEO4J_DEFAULT_USER = "neo4j"
NEO4J_DEFAULT_DATABASE = "neo4j"


class StoreError(Exception):
    """A store could not do what was asked; the message names the store and the cause."""


@dataclass
class WriteReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class Store(Protocol):
    url: str

    def write(self, batch: list[Extraction]) -> WriteReport: ...
    def article_hash(self, article_id: str) -> str | None: ...
    def articles_from_source(self, source: str) -> list[dict]: ...
    def remove_article(self, article_id: str) -> None: ...
    def articles(self, limit: int | None = None) -> list[dict]: ...
    def article(self, article_id: str) -> dict | None: ...
    def stats(self) -> dict: ...
    def search(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]: ...
    def entity(self, entity_id: str) -> EntityCard | None: ...
    def neighbourhood(self, ids: list[str], hops: int = 1, types: list[str] | None = None,
                      relations: list[str] | None = None, min_weight: int = 1) -> nx.MultiDiGraph: ...
    def snapshot(self) -> nx.MultiDiGraph: ...
    def extractions(self) -> Iterator[Extraction]: ...
    def close(self) -> None: ...


def default_url() -> str:
    if url := os.environ.get("INVESTGRAPH_STORE") or os.environ.get("NEO4J_URI"):
        return url
    home = Path(os.environ.get("INVESTGRAPH_HOME", ".investgraph"))
    return str(home / DEFAULT_FILE)


def is_neo4j_url(url: str) -> bool:
    return url.split("://", 1)[0].lower() in NEO4J_SCHEMES if "://" in url else False


@dataclass(frozen=True)
class Neo4jTarget:
    """Where a Neo4j store connects: what the driver needs, and `url` to show (no password)."""

    uri: str  # scheme://host:port[?routing context], for the driver
    user: str
    password: str = field(repr=False)
    database: str
    url: str  # the store's name in messages: scheme://user@host:port[?database=DB]


def neo4j_target(url: str) -> Neo4jTarget:
    """Parse a Neo4j URL: user from the URL or $NEO4J_USER (default neo4j), database from
    `?database=` or $NEO4J_DATABASE (default neo4j), password from $NEO4J_PASSWORD (a password
    written in the URL is used only when that is unset, and never shown)."""
    try:
        parts = urlsplit(url)
        port = parts.port or NEO4J_DEFAULT_PORT
    except ValueError as err:
        raise StoreError(f"{redact_url(url)}: not a Neo4j URL ({err})") from err
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in NEO4J_SCHEMES or not host or parts.path not in ("", "/"):
        raise StoreError(f"{redact_url(url)}: not a Neo4j URL (expected neo4j://[USER@]HOST[:PORT][?database=DB])")
    query = dict(parse_qsl(parts.query))
    database = query.pop("database", "") or os.environ.get("NEO4J_DATABASE") or NEO4J_DEFAULT_DATABASE
    user = unquote(parts.username or "") or os.environ.get("NEO4J_USER") or NEO4J_DEFAULT_USER
    password = os.environ.get("NEO4J_PASSWORD") or unquote(parts.password or "")
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    rest = f"?{urlencode(query)}" if query else ""
    shown = {**query, **({"database": database} if database != NEO4J_DEFAULT_DATABASE else {})}
    return Neo4jTarget(uri=f"{scheme}://{netloc}{rest}", user=user, password=password, database=database,
                       url=f"{scheme}://{user}@{netloc}" + (f"?{urlencode(shown)}" if shown else ""))


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        return parts._replace(netloc=f"{user}:***@{netloc}").geturl()
    except ValueError:
        return "<unparsable URL>"


def open_store(url: str | None = None) -> Store:
    """Open the store a URL names (None: $INVESTGRAPH_STORE, $NEO4J_URI, else the embedded default)."""
    url = url or default_url()
    if is_neo4j_url(url):
        from .neo4j_store import Neo4jStore
        return Neo4jStore(neo4j_target(url))
    if "://" in url and not url.startswith("sqlite:///"):
        raise StoreError(f"{redact_url(url)}: unknown store URL (use a path, sqlite:///PATH or neo4j://HOST:7687)")
    from .embedded import EmbeddedStore
    path = Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url)
    if path.is_dir() or not path.suffix:
        path = path / DEFAULT_FILE
    return EmbeddedStore(path)


# --- helpers both stores share, so they give the same answers ---------------------

def stem(word: str) -> str:
    """A crude stem for words the dictionary does not know: "заливацкому" → "залива"."""
    return word[:max(4, len(word) - 4)] if len(word) > 4 else word


def query_terms(text: str) -> list[str]:
    """One search term per query word: the shorter of its lemma and its stem, so that
    case forms of unknown surnames ("Заливацкому", "Заливацким") still find the name."""
    terms = []
    for word, lem in zip(fold(text).split(), name_key(text).split()):
        s = stem(word)
        terms.append(s if lem.startswith(s) or not word.startswith(lem) else lem)
    return [t for t in terms if t]


def rank_hits(query: str, candidates: list[tuple[EntityHit, list[str]]], limit: int) -> list[EntityHit]:
    """Order candidates (hit, its name keys): exact name first, then more mentions, then name."""
    qkey, qfold = name_key(query), fold(query)

    def score(item: tuple[EntityHit, list[str]]) -> tuple:
        hit, keys = item
        exact = qkey in keys or qfold == fold(hit.name)
        starts = any(k.startswith(qkey) for k in keys)
        return (not exact, not starts, -hit.mentions, hit.name, hit.id)

    return [hit for hit, _ in sorted(candidates, key=score)[:limit]]


def matches(query_lemmas: list[str], keys: list[str]) -> bool:
    """Every query lemma starts some word of one of the entity's name keys."""
    for key in keys:
        words = key.split()
        if all(any(w.startswith(q) for w in words) for q in query_lemmas):
            return True
    return False


def has_word_prefix(key: str, term: str) -> bool:
    """Some word of a name key starts with term: which of its keys a search candidate brings."""
    return f" {term}" in f" {key}"


def neighbour_order(n: Neighbour) -> tuple:
    """How an entity card lists its neighbours: heaviest first, then relation, name; a total order."""
    return (-n.weight, n.relation, n.name, n.id, n.role or "", n.direction)


def extraction_of(article: dict, entities: dict[str, dict], mentions: Iterable[dict],
                  evidence: Iterable[dict]) -> Extraction:
    """Rebuild what a store holds about one article as the Extraction that would write it again.

    `article`: the stored article with its text; `entities`: id -> {type, name, kind, facts (JSON)}
    for every entity mentioned in it or at an end of one of its relations; `mentions`:
    {entity, start, stop, text, sentence_start, sentence_stop}; `evidence`: {relation, type,
    source, target, role, start, stop, sentence}. Entity ids are the store's keys."""
    by_entity: dict[str, list[Mention]] = {i: [] for i in entities}
    for m in sorted(mentions, key=lambda m: (m["start"], m["stop"], m["entity"])):
        by_entity[m["entity"]].append(Mention(m["start"], m["stop"], m["text"],
                                              m["sentence_start"], m["sentence_stop"]))
    relations: dict[str, Relation] = {}
    for ev in sorted(evidence, key=lambda ev: (ev["relation"], ev["start"], ev["stop"])):
        rel = relations.setdefault(ev["relation"], Relation(ev["type"], ev["source"], ev["target"], ev["role"]))
        rel.evidence.append(Evidence(article["id"], ev["start"], ev["stop"], ev["sentence"]))
    fields = ("id", "text", "title", "url", "date", "source", "doc")
    return Extraction(
        Article(**{f: article[f] for f in fields}),
        entities=[Entity(i, e["type"], e["name"], key=i, kind=e["kind"], mentions=by_entity[i],
                         facts=json.loads(e["facts"])) for i, e in sorted(entities.items())],
        relations=list(relations.values()))


@dataclass
class CopyReport:
    articles: int = 0
    written: WriteReport = field(default_factory=WriteReport)


def copy_store(source: Store, target: Store, batch_size: int = 100) -> CopyReport:
    """Copy every article of `source`, with its mentions, entities, relations and evidence, into
    `target`; one target transaction per `batch_size` articles."""
    report, batch = CopyReport(), []

    def flush() -> None:
        written = target.write(batch)
        for name in ("added", "replaced", "unchanged"):
            getattr(report.written, name).extend(getattr(written, name))
        report.articles += len(batch)
        batch.clear()

    for extraction in source.extractions():
        batch.append(extraction)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report


def assemble_card(row: Any, mentions: list[MentionRef], edges: list[Any], others: dict[str, Any]) -> EntityCard:
    """An entity card from a store's rows: its row, its mentions, its edges (with weight) and
    the rows of the entities at their other ends. Both stores build cards here."""
    aliases = sorted({m.text for m in mentions} - {row["name"]})
    articles = {m.article: {"id": m.article, "title": m.title, "url": m.url, "date": m.date} for m in mentions}
    neighbours = []
    for r in edges:
        out = r["source"] == row["id"]
        if other := others.get(r["target"] if out else r["source"]):
            neighbours.append(Neighbour(other["id"], other["type"], other["name"], r["type"], r["role"],
                                        "out" if out else "in", r["weight"]))
    neighbours.sort(key=neighbour_order)
    return EntityCard(row["id"], row["type"], row["name"], row["kind"], aliases, json.loads(row["facts"]),
                      len(mentions), sorted(articles.values(), key=lambda a: (a["date"], a["id"])),
                      neighbours, mentions)


def assemble_snapshot(articles: list[dict], mentions: Iterable[Any], entities: Iterable[Any],
                      evidence: Iterable[Any], relations: Iterable[Any]) -> nx.MultiDiGraph:
    """The whole graph from a store's rows, ordered by the store: articles; mentions
    (entity, article, start, stop, text); entities (id, type, name, kind, facts); evidence
    (relation, article, start, stop, sentence); relations (id, source, target, type, role).
    Both stores build their snapshot here."""
    g = nx.MultiDiGraph()
    g.graph["articles"] = articles
    by_entity: dict[str, list[dict]] = {}
    for r in mentions:
        by_entity.setdefault(r["entity"], []).append(
            {"article": r["article"], "start": r["start"], "stop": r["stop"], "text": r["text"]})
    for r in entities:
        ms = by_entity.get(r["id"], [])
        g.add_node(r["id"], type=r["type"], name=r["name"], kind=r["kind"] or "",
                   aliases=sorted({m["text"] for m in ms} - {r["name"]}),
                   facts=json.loads(r["facts"]), mentions=ms, mention_count=len(ms))
    by_relation: dict[str, list[dict]] = {}
    for r in evidence:
        by_relation.setdefault(r["relation"], []).append(
            {"article": r["article"], "start": r["start"], "stop": r["stop"], "sentence": r["sentence"]})
    for r in relations:
        ev = by_relation.get(r["id"], [])
        g.add_edge(r["source"], r["target"], key=r["id"], type=r["type"], role=r["role"] or "",
                   weight=len({e["article"] for e in ev}), evidence=ev, evidence_count=len(ev))
    return g
