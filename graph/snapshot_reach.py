"""The nodes a focused selection (`--around`, `--project`, `--region`) can reach, found in the
store without the whole graph.

`reach(store, sel)` walks the store's relations a frontier at a time (queries `relations_at` and
`entities`, PAGE ids per query), ignoring the selection's filters (dates, types, weights), which
only ever remove relations and nodes: so what it reaches holds every node the focus of
graph.snapshot.select can reach through what the filters leave, and every step select takes:

- around a node: every node within `hops` relations, either direction;
- a project: the project, the sources of its INVOLVED_IN relations, the people (sources of
  WORKS_AT) of those that are organisations, and its places upward (LOCATED_IN / PART_OF to a LOC,
  at any depth);
- a region: the places in it downward (LOCATED_IN / PART_OF from a LOC, at any depth), the
  projects and organisations located in them, each project as above, each organisation's people.

graph.selection_stream reads those nodes and the relations among them (types, weights and
confidences, no evidence) and cuts them with graph.snapshot.cut: the ids it keeps are those
`select(store.snapshot(), sel)` keeps. Memory follows what the focus reaches, not the graph (an
`--around` of a hub with `--hops 2` can still reach much of it): per node its type and the
relations at the nodes the walk went through.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .assemble import PLACE_RELATIONS
from .base import GraphStore
from .snapshot import Selection

PAGE = 2000
Relation = dict[str, Any]


def chunks(ids: Iterable[str], size: int = PAGE) -> Iterator[list[str]]:
    """Sorted ids, `size` at a time."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


class Reach:
    """The walk's memory: each node's type as read, and each relation at the nodes read, once."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.types: dict[str, str] = {}
        self.at: dict[str, list[Relation]] = {}

    def type_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The type of each node that exists."""
        missing = [i for i in ids if i not in self.types]
        for chunk in chunks(missing):
            self.types.update({r["id"]: r["type"] for r in self.store._dicts("entities", ids=chunk)})
        return {i: self.types[i] for i in ids if i in self.types}

    def relations_at(self, ids: Iterable[str]) -> dict[str, list[Relation]]:
        """The relations at each node (either end)."""
        missing = [i for i in ids if i not in self.at]
        for i in missing:
            self.at[i] = []
        for chunk in chunks(missing):
            for r in self.store._dicts("relations_at", ids=chunk):
                for end in {r["source"], r["target"]}:
                    if end in self.at and end in chunk:
                        self.at[end].append(r)
        return {i: self.at[i] for i in ids}

    def step(self, frontier: Iterable[str], keep: Callable[[Relation, str], bool], inward: bool) -> set[str]:
        """The other ends of the relations into (`inward`) or out of the frontier's nodes that `keep`
        (the relation, the other end) admits; only nodes that exist."""
        ends = [(r, r["source"] if inward else r["target"]) for node, relations in self.relations_at(frontier).items()
                for r in relations if (r["target"] if inward else r["source"]) == node]
        known = self.type_of({other for _, other in ends})
        return {other for r, other in ends if other in known and keep(r, other)}

    def closure(self, seeds: Iterable[str], keep: Callable[[Relation, str], bool], inward: bool) -> set[str]:
        """The seeds and every node reached by steps of `step` from them, at any depth."""
        seen = set(seeds)
        frontier = set(seen)
        while frontier:
            frontier = self.step(frontier, keep, inward) - seen
            seen |= frontier
        return seen

    def is_type(self, type_: str, relation: str | tuple[str, ...]) -> Callable[[Relation, str], bool]:
        """A `keep` for relations of type `relation` whose other end is a `type_` node."""
        wanted = (relation,) if isinstance(relation, str) else relation
        return lambda r, other: r["type"] in wanted and self.types.get(other) == type_

    def around(self, seeds: Iterable[str], hops: int) -> set[str]:
        """Every node within `hops` relations of the seeds, either direction."""
        seen = set(self.type_of(seeds))
        frontier = set(seen)
        for _ in range(hops):
            frontier = (self.step(frontier, lambda r, o: True, inward=True)
                        | self.step(frontier, lambda r, o: True, inward=False)) - seen
            seen |= frontier
        return seen

    def places_up(self, seeds: Iterable[str]) -> set[str]:
        return self.closure(seeds, self.is_type("LOC", PLACE_RELATIONS), inward=False)

    def project(self, project: str) -> set[str]:
        """What graph.snapshot.project_members can take from a project, unfiltered."""
        if self.type_of([project]).get(project) != "PROJECT":
            return {project}
        participants = self.step({project}, lambda r, o: r["type"] == "INVOLVED_IN", inward=True)
        orgs = {p for p in participants if self.types.get(p) == "ORG"}
        people = self.step(orgs, self.is_type("PERSON", "WORKS_AT"), inward=True) if orgs else set()
        return {project} | participants | people | self.places_up({project})

    def region(self, region: str) -> set[str]:
        """What graph.snapshot.region_members can take from a region, unfiltered."""
        if region not in self.type_of([region]):
            return {region}
        places = self.closure({region}, self.is_type("LOC", PLACE_RELATIONS), inward=True)
        located = self.step(places, lambda r, o: r["type"] == "LOCATED_IN"
                            and self.types.get(o) in ("PROJECT", "ORG"), inward=True)
        members = set(places)
        for node in sorted(located):
            if self.types[node] == "PROJECT":
                members |= self.project(node)
            else:
                members |= {node} | self.step({node}, self.is_type("PERSON", "WORKS_AT"), inward=True)
        return members


def reach(store: GraphStore, sel: Selection) -> set[str]:
    """The ids of the nodes a focused selection (ids resolved) can take: see the module docstring."""
    walk = Reach(store)
    found: set[str] = walk.around(sel.around, sel.hops) if sel.around else set()
    for project in sel.projects:
        found |= walk.project(project)
    for region in sel.regions:
        found |= walk.region(region)
    return found | set(walk.type_of({*sel.around, *sel.projects, *sel.regions}))


__all__ = ["chunks", "reach"]
