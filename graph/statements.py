"""What a node is called and what it states: a function of the set of articles.

Each article's extraction says, of every node it names, a name, maybe a kind, and facts. Both
stores keep that per (node, article, resolution key) as a statement (`said_rows`), delete it with
its article, and set a node's name, kind and facts from all its statements (`summary`) whenever one
is added or removed: so they do not depend on the order articles came in, nor on batch sizes.
  name:  the best of the names the articles gave: fewest initials ("Игорь Кречетов" over
         "И. Кречетов"), then fewest words with no nominative reading ("Вологда" over "Вологдой"),
         then the most articles giving it, then the most words, then the smallest string;
  kind:  the one most statements give, ties to the smallest;
  facts: per fact, the latest dated statement's value (undated ones count as the oldest; ties to the
         greatest article id); a list (years) is the union of every statement's. Every statement
         stays stored, and `fact_history` lists them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Extraction
from .text import morph

INITIAL = re.compile(r"^\w\.?$")
NAME_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@dataclass(frozen=True)
class Statement:
    """What one article said of a node: the name, kind and facts its extraction gave, and its date."""

    article: str
    date: str
    name: str
    kind: str | None
    facts: dict[str, Any]


def not_nominative(name: str) -> int:
    """How many Cyrillic words of a name have no nominative reading ("Вологдой": 1, "Вологда": 0)."""
    count = 0
    for word in NAME_WORD.findall(name):
        parses = morph().parse(word.lower())
        if not any("nomn" in p.tag or "Fixd" in p.tag for p in parses):
            count += 1
    return count


def name_rank(name: str, articles: int) -> tuple:
    """How good a name is for a node that `articles` statements call so: smaller is better."""
    words = name.split()
    initials = sum(1 for w in words if INITIAL.match(w))
    return (initials, not_nominative(name), -articles, -len(words), name)


def best_name(statements: Sequence[Statement]) -> str:
    """The name a node goes by: the best-ranked (name_rank) of the names its statements give."""
    counts: dict[str, int] = {}
    for s in statements:
        if s.name:
            counts[s.name] = counts.get(s.name, 0) + 1
    return min(counts, key=lambda n: name_rank(n, counts[n])) if counts else ""


def best_kind(statements: Sequence[Statement]) -> str | None:
    """The kind most statements give (ties: the smallest), None when none gives one."""
    counts: dict[str, int] = {}
    for s in statements:
        if s.kind:
            counts[s.kind] = counts.get(s.kind, 0) + 1
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def statement_order(s: Statement) -> tuple[str, str]:
    """Which statement is later: by date (undated ones first), then by article id."""
    return (s.date or "", s.article)


def current_facts(statements: Sequence[Statement]) -> dict[str, Any]:
    """Each fact's current value, by fact name: the latest statement's (statement_order); a list
    is the sorted union of every statement's."""
    facts: dict[str, Any] = {}
    for s in sorted(statements, key=statement_order):
        for name, value in s.facts.items():
            if isinstance(value, list) and isinstance(facts.get(name, []), list):
                merged = facts.get(name, []) + [v for v in value if v not in facts.get(name, [])]
                facts[name] = sorted(merged, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
            else:
                facts[name] = value
    return dict(sorted(facts.items()))


def fact_history(statements: Sequence[Statement]) -> list[dict[str, Any]]:
    """Every fact every statement gave: {fact, value, article, date}, by fact, then oldest first."""
    history = [{"fact": name, "value": value, "article": s.article, "date": s.date}
               for s in statements for name, value in s.facts.items()]
    return sorted(history, key=lambda h: (h["fact"], h["date"], h["article"]))


def summary(statements: Sequence[Statement]) -> tuple[str, str | None, dict[str, Any]]:
    """A node's name, kind and facts from all its statements, in any order."""
    return best_name(statements), best_kind(statements), current_facts(statements)


# --- the same from counts: what a store reads when a node has many statements --------------------
#
# A store need not read every statement of a node to summarise it: how many statements give each
# (name, kind) — `Counted` rows, kind "" for none — and the statements that give facts say the same.

Counted = tuple[str, str, int]  # (name, kind or "", how many statements give both)


def counted_summary(counts: Sequence[Counted], facts: Sequence[Statement]) -> tuple[str, str | None, dict[str, Any]]:
    """summary() of a node's statements, from how many give each name and kind and from those that give facts."""
    return (*name_and_kind(counts), current_facts(facts))


def name_and_kind(counts: Sequence[Counted]) -> tuple[str, str | None]:
    """best_name and best_kind from counts."""
    if len(counts) == 1:  # one name and kind: nothing to rank (ranking asks the morphology dictionary)
        name, kind, _ = counts[0]
        return name, kind or None
    names, kinds = tally(counts), tally(counts, kinds=True)
    name = next(iter(names)) if len(names) == 1 else min(names, key=lambda n: name_rank(n, names[n]), default="")
    return name, min(kinds, key=lambda k: (-kinds[k], k), default=None)


def tally(counts: Sequence[Counted], kinds: bool = False) -> dict[str, int]:
    """How many statements give each name (or kind); empty ones do not count."""
    out: dict[str, int] = {}
    for name, kind, n in counts:
        if value := kind if kinds else name:
            out[value] = out.get(value, 0) + n
    return out


def statements_of(rows: Iterable[Any]) -> dict[str, list[Statement]]:
    """Statements by node, from a store's rows (entity, article, date, name, kind, facts as JSON)."""
    out: dict[str, list[Statement]] = {}
    for r in rows:
        out.setdefault(r["entity"], []).append(
            Statement(r["article"], r["date"] or "", r["name"], r["kind"], json.loads(r["facts"] or "{}")))
    return out


def said_rows(ex: Extraction, origin: dict[str, str]) -> list[dict[str, Any]]:
    """What an assigned extraction (graph.decisions.assign) states of each node, once per (node, resolution
    key): {entity, article, key, name, kind, facts (JSON)}. Two entities of the article landing on
    one node under one key are one statement: the first's name, the first kind given, facts merged
    (the later entity's winning), as the extraction lists them."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for e in ex.entities:
        row = out.setdefault((e.key, origin[e.id]), {"entity": e.key, "article": ex.article.id, "key": origin[e.id],
                                                     "name": e.name, "kind": e.kind, "facts": {}})
        row["kind"] = row["kind"] or e.kind
        row["facts"] = {**row["facts"], **e.facts}
    return [{**row, "facts": json.dumps(row["facts"], ensure_ascii=False)} for row in out.values()]
