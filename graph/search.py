"""Search, the same in both stores: the terms of a query, which names match them, and the ranking.

A store finds candidates for the first term with its own index (the embedded store's trigram
index of name keys, Neo4j's full-text index) and leaves matching and ranking to these functions.
So does a search for similar names (a misspelt query): the store's index hands over the name keys
that may be close (trigrams; Lucene's fuzzy query), these functions keep and rank the close ones.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

from .bounds import MAX_NAME_CHARS
from .model import EntityHit
from .store import QueryError
from .text import fold, name_key

SEARCH_CANDIDATES = 2000  # entities a search ranks at most: a common prefix ("компани") may match 100,000
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
    """Order candidates (hit, its name keys): exact name first, then a name starting with the
    query, then one holding every query word whole, then more mentions, then name."""
    qkey, qfold = name_key(query), fold(query)

    def score(item: tuple[EntityHit, list[str]]) -> tuple:
        hit, keys = item
        exact = qkey in keys or qfold == fold(hit.name)
        starts = any(k.startswith(qkey) for k in keys)
        return (not exact, not starts, not whole(qkey, keys), -hit.mentions, hit.name, hit.id)

    return [hit for hit, _ in sorted(candidates, key=score)[:limit]]


def whole(qkey: str, keys: list[str]) -> bool:
    """Some name key has every word of the query's name key as a word."""
    wanted = set(qkey.split())
    return any(wanted <= set(k.split()) for k in keys)


def fewest(query: str, found: dict[str, list[str]], n: int = SEARCH_CANDIDATES) -> dict[str, list[str]]:
    """At most n of the candidates (entity id -> its name keys) a search ranks: those with the
    query's name as a key or starting one, or holding its words whole, then the shortest keys (the
    closest names), then by id."""
    if len(found) <= n:
        return found
    qkey = name_key(query)

    def order(item: tuple[str, list[str]]) -> tuple:
        entity_id, keys = item
        return (qkey not in keys, not any(k.startswith(qkey) for k in keys), not whole(qkey, keys),
                min(map(len, keys)), entity_id)

    return dict(sorted(found.items(), key=order)[:n])


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


# --- similar names: a misspelt query ------------------------------------------------------------

FUZZY_CUTOFF = 0.7  # how close (difflib's ratio) a query word must be to some word of a name key
FUZZY_CANDIDATES = 2000  # name keys a store's index hands over for one similar-names search, at most


def close_words(text: str) -> list[tuple[str, ...]]:
    """The words of a similar-names query longer than two letters, each with the forms compared:
    as written (folded) and its lemma. QueryError as for `query_terms`."""
    query_terms(text)  # the same limits as the search
    forms = []
    for word, lem in zip(fold(text).split(), name_key(text).split(), strict=False):
        if len(word) > 2:
            forms.append(tuple(dict.fromkeys((word, lem))))
    return forms


@lru_cache(maxsize=100_000)
def closeness(query: str, word: str) -> float:
    """How close a query word is to a name word (difflib), comparing their stems too: a case
    ending differs in the last letters. 0 for a pair whose upper bounds (difflib's quick ratios)
    are below FUZZY_CUTOFF: it could not count."""
    best = 0.0
    for a, b in ((query, word),) + (((query[:-2], word[:-2]),) if len(query) > 5 else ()):
        m = difflib.SequenceMatcher(None, a, b)
        if m.real_quick_ratio() >= FUZZY_CUTOFF and m.quick_ratio() >= FUZZY_CUTOFF:
            best = max(best, m.ratio())
    return best


def similarity(words: list[tuple[str, ...]], keys: Sequence[str]) -> float | None:
    """The sum, over the query words, of the closeness of each to the nearest word of the name
    keys; None when some query word has none within FUZZY_CUTOFF."""
    vocabulary = {w for k in keys for w in k.split()}
    total = 0.0
    for forms in words:
        best = max((closeness(q, w) for q in forms for w in vocabulary), default=0.0)
        if best < FUZZY_CUTOFF:
            return None
        total += best
    return total


def rank_similar(candidates: list[tuple[EntityHit, Sequence[str]]], words: list[tuple[str, ...]],
                 limit: int) -> list[EntityHit]:
    """Candidates (hit, its name keys) whose keys are close to every query word, closest first,
    then by mentions, name and id."""
    scored = [(s, hit) for hit, keys in candidates if (s := similarity(words, keys)) is not None]
    scored.sort(key=lambda x: (-x[0], -x[1].mentions, x[1].name, x[1].id))
    return [hit for _, hit in scored[:limit]]


def trigrams(word: str) -> list[str]:
    return [word[i:i + 3] for i in range(len(word) - 2)]


COMMON_GRAM = 5000  # names holding every trigram of a run, beyond which the run is left out when another is not


def trigram_query(words: list[tuple[str, ...]], docs: dict[str, int] | None = None) -> str:
    """An FTS5 query (trigram tokenizer) for name keys that may be close to every query word: per
    form of a word its trigrams in three runs, one run whole (an edit or two leave one run of a
    word intact). Forms of a word are alternatives; the words are all needed. With `docs` (how
    many names hold each trigram), a run that COMMON_GRAM names or more may hold is left out,
    unless every run is so common (then the rarest is kept): "фамили" in a million names."""
    def form(word: str) -> str:
        grams = trigrams(word.replace('"', ""))
        third = max(1, -(-len(grams) // 3)) if len(grams) > 3 else 1
        runs = [grams[i:i + third] for i in range(0, len(grams), third)]
        if docs is not None and runs:
            size = [min(docs.get(g, 0) for g in run) for run in runs]  # 0: no name holds the run
            found = [i for i, n in enumerate(size) if n]
            runs = [runs[i] for i in found if size[i] < COMMON_GRAM] or \
                [runs[min(found, key=lambda i: size[i])] for _ in found[:1]]
        return " OR ".join("(" + " AND ".join(f'"{g}"' for g in run) + ")" for run in runs)
    clauses = [" OR ".join(f"({f})" for w in forms if len(w) > 2 and (f := form(w))) for forms in words]
    return " AND ".join(f"({c})" for c in clauses) if all(clauses) else ""  # "": some word matches no name


def lucene_fuzzy(words: list[tuple[str, ...]]) -> str:
    """A Lucene query for name keys with a word within two edits of every query word (any form)."""
    escape = re.compile(r"([^\w])")
    return " AND ".join("(" + " OR ".join(escape.sub(r"\\\1", w) + "~" for w in forms) + ")" for forms in words)
