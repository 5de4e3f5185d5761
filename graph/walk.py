"""The neighbourhood walk: breadth first from some nodes, a hop at a time.

One walk serves both the stores' `neighbourhood` (graph.base, over a store's edge rows) and the
workbench's (graph.analytics.neighbourhood, over a graph or a store asked as it goes): they differ
only in which edges they may cross and which nodes they let in.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

# the edges at some nodes that the walk may cross, as (source, target, weight)
EdgesAt = Callable[[list[str]], Iterable[tuple[str, str, float]]]
# of the nodes one hop further (each with the heaviest weight reaching it), those that join, in
# order, given how many nodes the walk holds already
Admit = Callable[[dict[str, float], int], list[str]]


def walk(seeds: Iterable[str], hops: int, edges_at: EdgesAt, admit: Admit) -> dict[str, None]:
    """The seeds and the nodes `admit` lets in within `hops` edges of them (either direction),
    nearer ones first, each reached through edges `edges_at` gives at the hop before."""
    keep = dict.fromkeys(seeds)
    frontier = list(keep)
    for _ in range(hops):
        if not frontier:
            break
        reach: dict[str, float] = {}
        for u, v, weight in edges_at(frontier):
            for m in (u, v):
                if m not in keep:
                    reach[m] = max(reach.get(m, 0), weight)
        frontier = admit(reach, len(keep))
        keep.update(dict.fromkeys(frontier))
    return keep
