"""Search, the same in both stores: the terms of a query, which names match them, and the ranking.

A store finds candidates for the first term with its own index (SQLite LIKE on name keys,
Neo4j's full-text index) and leaves matching and ranking to these functions.
"""
from __future__ import annotations

from .bounds import MAX_NAME_CHARS
from .model import EntityHit
from .store import QueryError
from .text import fold, name_key

MAX_QUERY_CHARS = 1000  # longer than any name: both stores refuse it before it reaches SQL or Lucene


def stem(word: str) -> str:
    """A crude stem for words the dictionary does not know: "заливацкому" → "залива"."""
    return word[:max(4, len(word) - 4)] if len(word) > 4 else word


def query_terms(text: str) -> list[str]:
    """One search term per query word: the shorter of its lemma and its stem, so that
    case forms of unknown surnames ("Заливацкому", "Заливацким") still find the name. A query
    longer than MAX_QUERY_CHARS is a QueryError, and so is one with a word longer than a name may be
    (MAX_NAME_CHARS): no stored name has such a word, and Lucene refuses a prefix query on it."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"a search of {len(text):,} characters is refused: no name is longer than "
                         f"{MAX_QUERY_CHARS:,}")
    folded = fold(text).split()
    if (longest := max(map(len, folded), default=0)) > MAX_NAME_CHARS:
        raise QueryError(f"a search with a word of {longest:,} characters is refused: no name is longer than "
                         f"{MAX_NAME_CHARS:,}")
    terms = []
    for word, lem in zip(folded, name_key(text).split(), strict=False):
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
