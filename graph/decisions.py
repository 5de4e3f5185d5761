"""The analysts' decisions: merges and splits that override resolution, applied on every write.

A decision (graph.model.Decision) is kept by the store and applies to every later write:
`Decisions` holds those in force as lookups, and `assign(extraction, decisions)` assigns each
entity's mentions to the node they belong in (a merge moves a resolution key into another node;
a split moves the mentions named like an alias on to a node of their own). Here too: the checks
a new merge or split must pass (merge_decision, split_decision), the node a command names
(find_node), and the entries decisions add to an entity card's merge log (merge_log).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .model import MERGE, SPLIT, Decision, Entity, EntityCard, EntityHit, Evidence, Extraction, Mention, Relation
from .store import DecisionError, Store
from .text import fold, name_key, own_label


def same_name(text: str, alias: str) -> bool:
    """A mention's text is the alias: the same words, or the same name key ("Игоря Заливацкого")."""
    return fold(text) == fold(alias) or name_key(text) == name_key(alias)


class Decisions:
    """The decisions in force, as lookups: which node a resolution key lands in, and which of an
    entity's mentions a split moves elsewhere."""

    def __init__(self, decisions: Iterable[Decision] = ()) -> None:
        self.all = list(decisions)
        self.into = {d.other: d.node for d in self.all if d.action == MERGE}
        self.splits: dict[str, list[Decision]] = {}
        for d in self.all:
            if d.action == SPLIT:
                self.splits.setdefault(d.node, []).append(d)
        self.names = {d.node if d.action == MERGE else d.other: d.name for d in self.all}

    def __bool__(self) -> bool:
        return bool(self.all)

    def node_of(self, key: str) -> str:
        """The node a key lands in after the merges (a merge into a merged node follows on)."""
        seen = {key}
        while (nxt := self.into.get(key)) is not None and nxt not in seen:
            seen.add(nxt)
            key = nxt
        return key

    def assign(self, key: str, mentions: list[Mention]) -> dict[str, list[Mention]]:
        """The nodes an entity's mentions are assigned to, its home node (after merges) first. A split
        moves the mentions named like its alias on to the split's node, whose own decisions apply
        in turn; a node already reached never takes mentions back (a merge undoing a split)."""
        start = self.node_of(key)
        found, queue = {start: list(mentions)}, [start]
        while queue:
            node = queue.pop(0)
            for d in self.splits.get(node, ()):
                target = self.node_of(d.other)
                moved = [m for m in found[node] if same_name(m.text, d.alias)]
                if not moved or target in found:
                    continue
                found[node] = [m for m in found[node] if not same_name(m.text, d.alias)]
                found[target] = moved
                queue.append(target)
        return found


@dataclass
class Assignment:
    """The mentions of an extracted entity that the decisions assign to one node."""

    id: str  # its entity id in the assigned extraction
    node: str
    mentions: list[Mention]


def assign(ex: Extraction, decisions: Decisions) -> tuple[Extraction, dict[str, str]]:
    """The extraction as a store writes it: each entity keyed by the node it is assigned to (an
    entity a split divides becomes one entity per assignment), each relation between the
    assignments its evidence sentences name, a relation between two entities a decision made one
    dropped. Also returns, for each assigned entity, the key resolution gave it (stored with its
    mentions, so that the decisions can be applied again)."""
    if not decisions:
        return ex, {e.id: e.key for e in ex.entities}
    entities: list[Entity] = []
    origin: dict[str, str] = {}
    assignments: dict[str, list[Assignment]] = {}
    for e in ex.entities:
        assignments[e.id] = assigned = assignments_of(e, decisions)
        entities += assigned_entities(e, assigned, decisions)
        origin.update((a.id, e.key) for a in assigned)
    return Extraction(ex.article, entities, assigned_relations(ex, entities, assignments)), origin


def assignments_of(e: Entity, decisions: Decisions) -> list[Assignment]:
    """Where an entity's mentions go: its main assignment first (the one in its home node, unless
    a split took all its mentions), then the others that got mentions."""
    nodes = decisions.assign(e.key, e.mentions)
    found = [Assignment(e.id if n == 0 else f"{e.id}\x1f{n}", node, ms) for n, (node, ms) in enumerate(nodes.items())]
    main = found[0] if found[0].mentions or not e.mentions else found[1]
    return [main] + [a for a in found if a is not main and a.mentions]


def assigned_entities(e: Entity, assigned: list[Assignment], decisions: Decisions) -> list[Entity]:
    """One entity per assignment: named as the node a decision names (its own name in its own node),
    the facts with the main one, each merge-log alias with the assignment holding a mention of it."""
    main = assigned[0]
    holder = {alias: next((a for a in assigned if any(same_name(m.text, alias) for m in a.mentions)), main)
              for alias in e.merged_by}
    return [Entity(a.id, e.type, e.name if a.node == e.key else decisions.names.get(a.node, e.name), key=a.node,
                   kind=e.kind, mentions=a.mentions, facts=dict(e.facts) if a is main else {},
                   merged_by={alias: r for alias, r in e.merged_by.items() if holder[alias] is a})
            for a in assigned]


def assigned_relations(ex: Extraction, entities: list[Entity],
                       assignments: dict[str, list[Assignment]]) -> list[Relation]:
    """The extraction's relations between the assigned entities its evidence sentences are about."""
    nodes, keys = {e.id: e.key for e in entities}, {e.id: e.key for e in ex.entities}
    relations: list[Relation] = []
    for r in ex.relations:
        by_ends: dict[tuple[str, str], Relation] = {}
        sentences: list[Evidence | None] = [*r.evidence] or [None]
        for ev in sentences:
            ends = (assignment_for(assignments[r.source], ev), assignment_for(assignments[r.target], ev))
            if nodes[ends[0]] == nodes[ends[1]] and keys[r.source] != keys[r.target]:
                continue  # two things a decision made one: no relation to itself
            rel = by_ends.setdefault(ends, Relation(r.type, *ends, role=r.role, confidence=r.confidence))
            if ev is not None:
                rel.evidence.append(ev)
        relations += by_ends.values()
    return relations


def assignment_for(assigned: list[Assignment], ev: Evidence | None) -> str:
    """The assignment of an entity a relation's evidence sentence is about: the main one if one of
    its mentions stands in the sentence, else the first that has one there, else the main one."""
    if len(assigned) > 1 and ev is not None:
        for a in assigned:
            if any(ev.start <= m.start < ev.stop for m in a.mentions):
                return a.id
    return assigned[0].id


def split_node_id(node: str, alias: str, taken: Iterable[str]) -> str:
    """The id of the node a split makes: the node's id and the alias's name key, unique."""
    base = f"{node}~{name_key(alias) or fold(alias)}"
    taken, n, candidate = set(taken), 1, base
    while candidate in taken:
        n += 1
        candidate = f"{base}#{n}"
    return candidate


def merge_decision(into: EntityCard | None, other: EntityCard | None, into_id: str, other_id: str) -> Decision:
    """The decision `merge(into, other)` records, once both nodes are found and may merge."""
    if into is None or other is None:
        raise DecisionError(f"cannot merge: no node '{into_id if into is None else other_id}'")
    if into.id == other.id:
        raise DecisionError(f"cannot merge {into.id} into itself")
    if into.type != other.type:
        raise DecisionError(f"cannot merge {other.type} {other.id} into {into.type} {into.id}: "
                            "they are not the same type")
    return Decision(MERGE, into.id, other.id, other.name, into.name)


def split_decision(card: EntityCard | None, node_id: str, alias: str, taken: Iterable[str]) -> Decision:
    """The decision `split(node, alias)` records: the mentions named like `alias` must be some of
    the node's mentions, but not all of them."""
    if card is None:
        raise DecisionError(f"cannot split: no node '{node_id}'")
    moved = [m for m in card.mentions if same_name(m.text, alias)]
    names = ", ".join(sorted({m.text for m in card.mentions}))
    if not moved:
        raise DecisionError(f"cannot split {card.id}: none of its mentions is '{alias}' (its mentions: {names})")
    if len(moved) == len(card.mentions):
        raise DecisionError(f"cannot split {card.id}: every one of its mentions is '{alias}', nothing would stay")
    name = next((m.text for m in moved if fold(m.text) == fold(alias)), alias.strip())
    return Decision(SPLIT, card.id, split_node_id(card.id, alias, taken), alias.strip(), name)


def new_decisions(recorded: list[Decision], decisions: Iterable[Decision]) -> list[Decision]:
    """The decisions not recorded yet, in order, each once."""
    seen = {(d.action, d.node, d.other, d.alias) for d in recorded}
    out = []
    for d in decisions:
        if (d.action, d.node, d.other, d.alias) not in seen:
            seen.add((d.action, d.node, d.other, d.alias))
            out.append(d)
    return out


def named(hits: list[EntityHit], ref: str) -> list[EntityHit]:
    """The search hits `ref` names (any case form), else those whose own quoted label it is
    ("Северный луч": the park «Северный луч», not a plant whose card adds an owner of that name)."""
    return [h for h in hits if fold(h.name) == fold(ref) or name_key(h.name) == name_key(ref)] or \
        [h for h in hits if name_key(own_label(h.name)) == name_key(ref)]


def find_node(store: Store, ref: str) -> str:
    """The node a command names: a node id, else the one entity whose name is `ref` in any case
    form, else the only search hit. Anything else is a DecisionError listing the candidates."""
    if store.entity(ref) is not None:
        return ref
    hits = store.search(ref, limit=10)
    pick = named(hits, ref) or hits
    if len(pick) == 1:
        return pick[0].id
    if not pick:
        raise DecisionError(f"no node matches '{ref}'")
    listed = "; ".join(f"{h.name} [{h.type}] {h.id}" for h in pick)
    raise DecisionError(f"'{ref}' names {len(pick)} nodes, give one of their ids: {listed}")


def merge_log(node: str, articles: list[dict], rows: Iterable[Any], keys: Iterable[Any],
              decisions: list[Decision]) -> list[dict[str, str]]:
    """Why a node's names are one node: the analyst's decisions about it; per article, the rules
    that joined names within it (`rows`: article, alias, rule); and how each article's entity came
    to this node (`keys`: article, key, start, text of its mentions): by the same key as the other
    articles' (said only when there are others), or by hand."""
    entries = []
    for d in decisions:
        if d.action == MERGE and d.node == node:
            entries.append({"alias": d.alias, "rule": f"merged by hand ({d.other})", "article": ""})
        elif d.action == SPLIT and d.other == node:
            entries.append({"alias": d.alias, "rule": f"split by hand from {d.node}", "article": ""})
        elif d.action == SPLIT and d.node == node:
            entries.append({"alias": d.alias, "rule": f"split by hand into {d.other}", "article": ""})
    split_here = any(d.action == SPLIT and d.other == node for d in decisions)
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for k in keys:
        where = (k["article"], k["key"] or node)
        first[where] = min(first.get(where, (k["start"], k["text"])), (k["start"], k["text"]))
    logged = [{"alias": r["alias"], "rule": r["rule"], "article": r["article"]} for r in rows]
    for (article, key), (_, text) in first.items():
        if key != node:
            logged.append({"alias": text, "rule": f"{'split' if split_here else 'merged'} by hand (key {key})",
                           "article": article})
        elif len(articles) > 1:
            logged.append({"alias": text, "rule": f"same key {key} across articles", "article": article})
    order = {a["id"]: n for n, a in enumerate(articles)}
    logged.sort(key=lambda e: (order.get(e["article"], len(order)), e["article"], e["alias"], e["rule"]))
    return entries + logged
