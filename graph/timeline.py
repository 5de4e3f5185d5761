"""A project's timeline: its articles in date order, each with what it said of the project — the
sentences naming it, the relations it stated (participants with their roles, places) and the
facts (capacity, investment, …) — read from the store for that one node (no whole graph).

`timeline(store, node_id)` gives the `Moment`s, earliest first (articles without a date last).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .base import GraphStore
from .store import Store


@dataclass
class Stated:
    """One thing an article said of the node: a mention, a relation or a fact."""

    what: str  # "mention", "relation" or "fact"
    text: str  # the sentence (mention, relation) or "fact: value"
    relation: str = ""  # for a relation: its type
    role: str = ""
    other: str = ""  # the entity at its other end: id
    other_name: str = ""
    direction: str = ""  # "out" (node -> other) or "in"
    confidence: float | None = None


@dataclass
class Moment:
    """An article of the timeline and what it said."""

    article: str
    date: str
    title: str
    url: str
    stated: list[Stated] = field(default_factory=list)


def relation_statements(store: Store, node: str) -> list[tuple[str, Stated]]:
    """(article, Stated) for every evidence sentence of the relations at `node`."""
    if not isinstance(store, GraphStore):
        return []
    edges = store._dicts("edges_at", ids=[node])
    if not edges:
        return []
    names = {r["id"]: r["name"] for r in store._dicts("entities", ids=sorted(
        {r["source"] for r in edges} | {r["target"] for r in edges}))}
    by_id = {r["id"]: r for r in edges}
    out = []
    for e in store._dicts("evidence_of", ids=sorted(by_id)):
        r = by_id[e["relation"]]
        other = r["target"] if r["source"] == node else r["source"]
        out.append((e["article"], Stated("relation", e["sentence"], r["type"], r["role"] or "", other,
                                         names.get(other, other), "out" if r["source"] == node else "in",
                                         e["confidence"])))
    return out


def timeline(store: Store, node: str) -> list[Moment]:
    """The articles about `node` (mentioning it or stating one of its relations), earliest first,
    each with its mentions' sentences, relations and facts; [] for an unknown node."""
    card = store.entity(node)
    if card is None:
        return []
    moments: dict[str, Moment] = {}

    def moment(article: str, about: dict[str, Any] | None = None) -> Moment:
        if article not in moments:
            a = about or store.article(article) or {}
            moments[article] = Moment(article, a.get("date") or "", a.get("title") or "", a.get("url") or "")
        return moments[article]

    for m in card.mentions:
        said = moment(m.article, {"date": m.date, "title": m.title, "url": m.url}).stated
        if not any(s.what == "mention" and s.text == m.sentence for s in said):
            said.append(Stated("mention", m.sentence))
    for article, stated in relation_statements(store, node):
        moment(article).stated.append(stated)
    for f in card.fact_history:
        moment(f["article"]).stated.append(Stated("fact", f"{f['fact']}: {f['value']}"))
    return sorted(moments.values(), key=lambda m: (not m.date, m.date, m.article))


__all__ = ["Moment", "Stated", "timeline"]
