"""What changed between two snapshots (`investgraph diff A B`): entities and relations new in B or
gone from it, roles that changed, and facts that changed, each with its evidence.

Entities are matched by node id, relations by their id (type, source, target, role:
graph.model.relation_key). A relation whose (type, source, target) is in both snapshots with other
roles is a changed role, not a new and a removed relation. Evidence of what is new or changed
comes from B, of what was removed from A: the sentences with their article's date, title and url.

`changes_since(store, since)` is `investgraph diff --since` and the app's «What changed» page:
the store's graph as known the day before `since` against the graph as known today (each a
graph.snapshot selection `as_of`; articles without a date are left out of both).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import networkx as nx

from .store import Store


@dataclass
class Cited:
    """An evidence sentence (or, for an entity, a mention) with its article."""

    article: str
    date: str
    title: str
    url: str
    text: str


@dataclass
class EntityChange:
    id: str
    type: str
    name: str
    evidence: list[Cited] = field(default_factory=list)  # the articles that mention it, earliest first


@dataclass
class RelationChange:
    id: str
    type: str
    source: str
    target: str
    source_name: str
    target_name: str
    role: str
    evidence: list[Cited] = field(default_factory=list)


@dataclass
class RoleChange:
    type: str
    source: str
    target: str
    source_name: str
    target_name: str
    before: list[str]
    after: list[str]
    evidence: list[Cited] = field(default_factory=list)  # of the roles B has and A has not


@dataclass
class FactChange:
    id: str
    name: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass
class SnapshotDiff:
    new_entities: list[EntityChange] = field(default_factory=list)
    removed_entities: list[EntityChange] = field(default_factory=list)
    new_relations: list[RelationChange] = field(default_factory=list)
    removed_relations: list[RelationChange] = field(default_factory=list)
    changed_roles: list[RoleChange] = field(default_factory=list)
    changed_facts: list[FactChange] = field(default_factory=list)

    def empty(self) -> bool:
        return not any(asdict(self).values())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def cited_articles(g: nx.MultiDiGraph) -> dict[str, dict]:
    return {a["id"]: a for a in g.graph.get("articles", [])}


def cite(articles: dict[str, dict], article: str, text: str) -> Cited:
    a = articles.get(article, {})
    return Cited(article, a.get("date") or "", a.get("title") or "", a.get("url") or "", text)


def by_date(cited: list[Cited]) -> list[Cited]:
    return sorted(cited, key=lambda c: (c.date, c.article, c.text))


def entity_change(g: nx.MultiDiGraph, n: str) -> EntityChange:
    d, articles = g.nodes[n], cited_articles(g)
    first: dict[str, str] = {}
    for m in d.get("mentions", []):
        first.setdefault(m["article"], m.get("text") or d.get("name", ""))
    cited = [cite(articles, a, t) for a, t in first.items()]
    return EntityChange(n, d.get("type", ""), d.get("name", ""), by_date(cited))


def relation_change(g: nx.MultiDiGraph, u: str, v: str, k: str) -> RelationChange:
    d, articles = g.edges[u, v, k], cited_articles(g)
    return RelationChange(k, d.get("type", ""), u, v, g.nodes[u].get("name", u), g.nodes[v].get("name", v),
                          d.get("role") or "",
                          by_date([cite(articles, e["article"], e.get("sentence", "")) for e in d.get("evidence", [])]))


def relations_by_ends(g: nx.MultiDiGraph) -> dict[tuple[str, str, str], dict[str, str]]:
    """(type, source, target) -> role -> relation id."""
    out: dict[tuple[str, str, str], dict[str, str]] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        out.setdefault((d.get("type", ""), u, v), {})[d.get("role") or ""] = k
    return out


def diff(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> SnapshotDiff:
    """What B has that A has not, and the other way round (see the module docstring)."""
    out = SnapshotDiff()
    out.new_entities = [entity_change(b, n) for n in sorted(set(b) - set(a))]
    out.removed_entities = [entity_change(a, n) for n in sorted(set(a) - set(b))]
    for n in sorted(set(a) & set(b)):
        before, after = a.nodes[n].get("facts") or {}, b.nodes[n].get("facts") or {}
        if before != after:
            out.changed_facts.append(FactChange(n, b.nodes[n].get("name", n), before, after))
    ends_a, ends_b = relations_by_ends(a), relations_by_ends(b)
    where_a = {k: (u, v) for u, v, k in a.edges(keys=True)}
    where_b = {k: (u, v) for u, v, k in b.edges(keys=True)}
    for ends in sorted(set(ends_a) & set(ends_b)):
        roles_a, roles_b = ends_a[ends], ends_b[ends]
        if set(roles_a) != set(roles_b):
            type_, u, v = ends
            added = [relation_change(b, u, v, roles_b[r]) for r in sorted(set(roles_b) - set(roles_a))]
            out.changed_roles.append(RoleChange(type_, u, v, b.nodes[u].get("name", u), b.nodes[v].get("name", v),
                                                sorted(roles_a), sorted(roles_b),
                                                by_date([c for r in added for c in r.evidence])))
    changed = {k for ends in (set(ends_a) & set(ends_b)) for k in (*ends_a[ends].values(), *ends_b[ends].values())}
    out.new_relations = [relation_change(b, *where_b[k], k) for k in sorted(set(where_b) - set(where_a) - changed)]
    out.removed_relations = [relation_change(a, *where_a[k], k)
                             for k in sorted(set(where_a) - set(where_b) - changed)]
    return out


class PeriodError(ValueError):
    """A period that cannot be compared (a date after today)."""


def since_sides(g: nx.MultiDiGraph, since: str, today: str | None = None) -> tuple[nx.MultiDiGraph, nx.MultiDiGraph,
                                                                                  str, str]:
    """The whole graph `g` as known the day before `since` and as known `today` (default: the
    system's date), with those two dates."""
    from .snapshot import Selection, select
    today = today or date.today().isoformat()
    if since > today:
        raise PeriodError(f"--since {since} is after today")
    before = (date.fromisoformat(since) - timedelta(days=1)).isoformat()
    return select(g, Selection(as_of=before)), select(g, Selection(as_of=today)), before, today


def changes_since(store: Store, since: str, today: str | None = None) -> tuple[SnapshotDiff, str, str]:
    """What the store learnt from `since` on (see the module docstring), and what to call the two
    sides ("URL as of DATE")."""
    old, new, before, today = since_sides(store.snapshot(), since, today)
    return diff(old, new), f"{store.url} as of {before}", f"{store.url} as of {today}"


def quoted(c: Cited) -> str:
    where = c.url or c.article
    return f"    {c.date or '----------'} {c.title or where}  {where}\n      «{c.text}»" if c.text else \
        f"    {c.date or '----------'} {c.title or where}  {where}"


def role_text(role: str) -> str:
    return f" ({role})" if role else ""


def as_text(d: SnapshotDiff) -> list[str]:
    """The diff as lines: + new, - removed, ~ changed, each followed by its evidence."""
    lines: list[str] = []
    for sign, entities in (("+", d.new_entities), ("-", d.removed_entities)):
        for e in entities:
            lines.append(f"{sign} {e.type} {e.name}  {e.id}")
            lines += [quoted(c) for c in e.evidence]
    for sign, relations in (("+", d.new_relations), ("-", d.removed_relations)):
        for r in relations:
            lines.append(f"{sign} {r.source_name} -{r.type}{role_text(r.role)}-> {r.target_name}")
            lines += [quoted(c) for c in r.evidence]
    for c in d.changed_roles:
        lines.append(f"~ {c.source_name} -{c.type}-> {c.target_name}: role "
                     f"{', '.join(x or '(none)' for x in c.before)} -> {', '.join(x or '(none)' for x in c.after)}")
        lines += [quoted(q) for q in c.evidence]
    for f in d.changed_facts:
        lines.append(f"~ {f.name} facts {f.before} -> {f.after}  {f.id}")
    lines.append(f"{len(d.new_entities)} new entities, {len(d.removed_entities)} removed; "
                 f"{len(d.new_relations)} new relations, {len(d.removed_relations)} removed; "
                 f"{len(d.changed_roles)} changed roles, {len(d.changed_facts)} changed facts")
    return lines
