"""The store interface every backend implements, and `open_store(url)` that picks one.

URLs: a path or `sqlite:///path` opens the embedded store (the default, under
`$INVESTGRAPH_HOME`, default `./.investgraph/`); `neo4j://` and `bolt://` open Neo4j.
The app and the CLI talk only to this interface; both stores pass one contract suite.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import networkx as nx

from .model import EntityCard, EntityHit, Extraction
from .text import fold, name_key

DEFAULT_FILE = "graph.db"


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
    def close(self) -> None: ...


def default_url() -> str:
    if url := os.environ.get("INVESTGRAPH_STORE"):
        return url
    home = Path(os.environ.get("INVESTGRAPH_HOME", ".investgraph"))
    return str(home / DEFAULT_FILE)


def open_store(url: str | None = None) -> Store:
    """Open the store a URL names (None: $INVESTGRAPH_STORE, else the embedded default)."""
    url = url or default_url()
    if url.startswith(("neo4j://", "neo4j+s://", "bolt://", "bolt+s://")):
        try:
            from .neo4j_store import Neo4jStore
        except ImportError as err:  # pragma: no cover - the Neo4j backend arrives with its issue
            raise StoreError(f"{url}: the Neo4j store is not available ({err})") from err
        return Neo4jStore(url)
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
