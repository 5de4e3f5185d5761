"""Store-agnostic analysis for the workbench: plain functions over the networkx MultiDiGraph
that `Store.snapshot()` and `Store.neighbourhood()` return. The walks (neighbourhood, paths,
interlocks, relations_of) read an Adjacency: the whole graph, or a store asked one hop at a
time (StoreAdjacency), with the same answers.

Node attributes: type, name, kind, aliases, facts, mentions [{article, start, stop, text}],
mention_count. Edge attributes: type, role, weight, confidence (0..1, None for rules alone),
evidence [{article, start, stop, sentence, confidence}], evidence_count. Graph attribute
"articles": [{id, source, doc, title, url, date}]. The walks and lists take a `min_confidence`:
edges below it are left out, edges without a confidence never (graph.confidence.confident).

The projects table is assembled from `Store.projects()` (project_rows), which both stores
answer with a few queries of their own, without the whole graph.

Nothing here knows which store the graph came from, so both stores give the same answers.
"""
from __future__ import annotations

import difflib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter
from typing import Any

import networkx as nx

from .confidence import confident
from .model import EntityHit, Participant, Project
from .text import fold
from .walk import walk

# --- facts, human-readably ------------------------------------------------------------------

CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥"}
FACT_LABELS = {"investment": "Инвестиции", "jobs": "Рабочие места", "area_ha": "Площадь",
               "stage": "Стадия", "years": "Годы"}
STAGES = {"planned": "планируется", "under_construction": "строится", "opened": "открыт"}
QUALIFIERS = {"up_to": "до", "more_than": "более", "about": "около", "at_least": "не менее", "almost": "почти"}


def number_ru(x: float, digits: int = 1) -> str:
    """1234.5 -> '1 234,5'; 2.0 -> '2' (a Russian number: thin-space groups, decimal comma)."""
    text = f"{x:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:,.0f}"
    return text.replace(",", " ").replace(".", ",")


def format_money(amount: float | None, currency: str | None = "RUB", qualifier: str | None = None) -> str:
    """2.5e9, RUB -> '2,5 млрд ₽'; 35e6, USD -> '35 млн $'."""
    if amount is None:
        return ""
    sign = CURRENCY_SIGNS.get((currency or "").upper(), currency or "")
    for scale, word in ((1e12, "трлн"), (1e9, "млрд"), (1e6, "млн"), (1e3, "тыс.")):
        if abs(amount) >= scale:
            text = f"{number_ru(amount / scale)} {word} {sign}"
            break
    else:
        text = f"{number_ru(amount, 0)} {sign}"
    prefix = QUALIFIERS.get(qualifier or "", qualifier or "")
    return f"{prefix} {text}".strip()


def format_fact(name: str, value: Any) -> str:
    """One fact of EntityCard.facts as text: investment, jobs, area_ha, stage, years, or any other."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if not isinstance(value, dict):
        return str(value)
    if name == "investment" or "amount" in value:
        return format_money(value.get("amount"), value.get("currency"), value.get("qualifier"))
    if name == "jobs" or "count" in value:
        prefix = QUALIFIERS.get(value.get("qualifier") or "", "")
        return f"{prefix} {number_ru(value.get('count') or 0, 0)}".strip()
    if name == "area_ha":
        return f"{number_ru(value.get('value') or 0)} га"
    if name == "stage":
        return STAGES.get(str(value.get("value")), str(value.get("value", "")))
    return str(value.get("value", value))


def fact_rows(facts: dict) -> list[dict]:
    """The facts as rows {label, value, evidence}: what an entity card and the projects table show."""
    order = list(FACT_LABELS)
    rows = []
    for name in sorted(facts, key=lambda k: (order.index(k) if k in order else len(order), k)):
        value = facts[name]
        evidence = value.get("evidence") if isinstance(value, dict) else None
        rows.append({"name": name, "label": FACT_LABELS.get(name, name), "value": format_fact(name, value),
                     "evidence": evidence})
    return rows


# --- search with a fuzzy fallback ---------------------------------------------------------------

@dataclass
class NameIndex:
    """Words of every entity name and alias -> entities, for typo-tolerant search."""

    words: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    vocabulary: list[str] = field(default_factory=list)


def name_index(g: nx.MultiDiGraph) -> NameIndex:
    index = NameIndex()
    for n, d in g.nodes(data=True):
        for name in [d.get("name", ""), *d.get("aliases", [])]:
            for w in fold(name).split():
                if len(w) > 2:
                    index.words[w].add(n)
    index.vocabulary = sorted(index.words)
    return index


def fuzzy_hits(g: nx.MultiDiGraph, text: str, types: list[str] | None = None, limit: int = 20,
               index: NameIndex | None = None, cutoff: float = 0.7) -> list[EntityHit]:
    """Entities whose name words are close (difflib) to every word of the query: "Кречтова",
    "Заливацкго". Ranked by closeness, then mentions."""
    index = index or name_index(g)
    qwords = [w for w in fold(text).split() if len(w) > 2]
    if not qwords:
        return []
    score: dict[str, float] = {}
    for i, q in enumerate(qwords):
        found: dict[str, float] = {}
        for w in difflib.get_close_matches(q, index.vocabulary, n=8, cutoff=cutoff):
            ratio = difflib.SequenceMatcher(None, q, w).ratio()
            # a case ending differs in the last letters: compare the common stems too
            ratio = max(ratio, difflib.SequenceMatcher(None, q[:-2], w[:-2]).ratio() if len(q) > 5 else 0)
            for n in index.words[w]:
                found[n] = max(found.get(n, 0), ratio)
        score = found if i == 0 else {n: s + found[n] for n, s in score.items() if n in found}
    hits = []
    for n, s in score.items():
        d = g.nodes[n]
        if types and d.get("type") not in types:
            continue
        hits.append((s, EntityHit(n, d["type"], d["name"], d.get("mention_count", 0), d.get("kind") or None)))
    hits.sort(key=lambda x: (-x[0], -x[1].mentions, x[1].name))
    return [h for _, h in hits[:limit]]


def search(store, g: nx.MultiDiGraph | None, text: str, types: list[str] | None = None, limit: int = 20,
           index: NameIndex | None = None) -> tuple[list[EntityHit], bool]:
    """The store's morphology-aware search; when it finds nothing, fuzzy matching over the
    graph's names. Returns (hits, fuzzy?)."""
    hits = store.search(text, types=types, limit=limit)
    if hits or g is None:
        return hits, False
    return fuzzy_hits(g, text, types, limit, index), True


# --- what the walks read: a whole graph, or a store asked as they go ----------------------------

class Adjacency:
    """The edges at a node and its degree, for the walks below (neighbourhood, paths, interlocks,
    relations). Over a whole snapshot every node is known. Over a store (StoreAdjacency) a node's
    edges are asked for (Store.neighbourhood, one hop) the first time a walk needs them, so a page
    about a few entities answers without loading the whole graph. Both give the same answers."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        self.g = g
        self.partial: dict[str, tuple[int, int]] = {}  # node -> (relations read, relations it has)

    def fetch(self, ids: Iterable[str]) -> None:
        """Make the edges at these nodes known (a whole graph knows them all)."""

    def count(self, ids: Iterable[str]) -> None:
        """Make the degrees of these nodes known, without their edges (a whole graph knows them)."""

    def link(self, ids: Iterable[str], others: Iterable[str]) -> None:
        """Make the edges between these nodes and the others known, not their other edges (a whole
        graph knows them)."""

    def has(self, n: str) -> bool:
        return n in self.g

    def node(self, n: str) -> dict:
        return self.g.nodes[n]

    def edges(self, n: str) -> list[tuple[str, str, str, dict]]:
        """Every edge (source, target, key, data) at a fetched node, out-edges first."""
        return ([(n, v, k, d) for _, v, k, d in self.g.out_edges(n, keys=True, data=True)]
                + [(u, n, k, d) for u, _, k, d in self.g.in_edges(n, keys=True, data=True)])

    def neighbours(self, n: str) -> set[str]:
        return (set(self.g.successors(n)) | set(self.g.predecessors(n))) - {n}

    def degree(self, n: str) -> int:
        """Distinct neighbours of a fetched node (parallel edges counted once)."""
        return len(set(self.g.successors(n)) | set(self.g.predecessors(n)))


class StoreAdjacency(Adjacency):
    """An Adjacency that asks a store for what a walk needs, once per node; with `evidence`, each
    edge fetched carries its evidence sentences with their articles' dates (Store.evidence), for a
    walk that filters on dates. With `per_node`, a node with more relations than that (a hub) is
    read only through its `per_node` heaviest of the `relations` types and `min_weight`
    (Store.heaviest): `partial` says, per such node, how many of how many relations were read.
    With `degree_cap` (a walk's hub threshold), a degree counted by the store stops there: the
    store reads that many of a hub's neighbours, not all of them."""

    def __init__(self, store, evidence: bool = False, per_node: int | None = None,
                 relations: list[str] | None = None, min_weight: int = 1, degree_cap: int | None = None) -> None:
        super().__init__(nx.MultiDiGraph())
        self.store = store
        self.evidence = evidence
        self.per_node = per_node
        self.relations = relations or None
        self.min_weight = min_weight
        self.degree_cap = degree_cap
        self.fetched: set[str] = set()
        self.degrees: dict[str, int] = {}

    def count(self, ids: Iterable[str]) -> None:
        new = sorted(set(ids) - self.fetched - set(self.degrees))
        if new:
            self.degrees.update(self.store.degrees(new, self.degree_cap))

    def degree(self, n: str) -> int:
        """Distinct neighbours: of a node fetched whole from its edges, else as the store counted them."""
        if n in self.partial and n not in self.degrees:
            self.degrees.update(self.store.degrees([n], self.degree_cap))
        if n in self.partial or (n not in self.fetched and n in self.degrees):
            return self.degrees.get(n, 0)
        return super().degree(n)

    def fetch(self, ids: Iterable[str]) -> None:
        new = sorted(set(ids) - self.fetched)
        if not new:
            return
        counts = self.store.relation_counts(new) if self.per_node is not None else {}
        hubs = [n for n in new if counts.get(n, 0) > (self.per_node or 0)]
        whole = [n for n in new if n not in set(hubs)]
        if whole:
            self._add(self.store.neighbourhood(whole, hops=1))
        if hubs:
            part = self.store.heaviest(hubs, self.per_node or 0, self.relations, self.min_weight)
            self.partial.update({n: (part.degree(n) if n in part else 0, counts[n]) for n in hubs})
            self._add(part)
        self.fetched.update(new)

    def link(self, ids: Iterable[str], others: Iterable[str]) -> None:
        new = sorted(set(ids) - self.fetched)
        if new:
            self._add(self.store.edges_between(new, others))

    def _add(self, part: nx.MultiDiGraph) -> None:
        """Add the nodes and edges of a piece read from the store (with their evidence, if asked)."""
        if self.evidence:
            fresh = [(u, v, k) for u, v, k in part.edges(keys=True) if not self.g.has_edge(u, v, k)]
            found = self.store.evidence([k for _, _, k in fresh])
            for u, v, k in fresh:
                part.edges[u, v, k]["evidence"] = found.get(k, [])
        self.g.add_nodes_from(part.nodes(data=True))
        self.g.add_edges_from((u, v, k, d) for u, v, k, d in part.edges(keys=True, data=True)
                              if not self.g.has_edge(u, v, k))  # keyed: an edge fetched twice stays one


def adjacency(source) -> Adjacency:
    """An Adjacency over a graph (or the one given)."""
    return source if isinstance(source, Adjacency) else Adjacency(source)


# --- hubs and neighbourhoods ----------------------------------------------------------------

HUB_FLOOR = 12
ADMIT_CHUNK = 50  # nodes a neighbourhood walk fetches at least at a time, nearest first, until its view is full
HUB_FACTOR = 7


def hub_threshold(stats: dict, floor: int = HUB_FLOOR, factor: int = HUB_FACTOR) -> int:
    """The number of distinct neighbours from which a node is a hub (Россия, Правительство РФ):
    at least `floor`, and at least `factor` times the mean degree (2 × relations / entities) in
    the store's stats. A walk tells a hub by its own degree, without the whole graph."""
    entities, relations = stats.get("entities_total", 0), stats.get("relations_total", 0)
    if entities <= 0:
        return floor
    return max(floor, math.ceil(factor * 2 * relations / entities))


def degrees(g: nx.MultiDiGraph) -> dict[str, int]:
    """Distinct neighbours per node (parallel edges counted once)."""
    return {n: len(set(g.successors(n)) | set(g.predecessors(n))) for n in g}


def hubs(g: nx.MultiDiGraph, threshold: int) -> list[str]:
    """Nodes with at least `threshold` distinct neighbours, highest degree first."""
    ds = degrees(g)
    return sorted((n for n, k in ds.items() if k >= threshold), key=lambda n: (-ds[n], n))


def article_dates(g: nx.MultiDiGraph) -> dict[str, str]:
    return {a["id"]: a.get("date") or "" for a in g.graph.get("articles", [])}


def edge_in_dates(d: dict, dates: dict[str, str], date_from: str | None, date_to: str | None) -> bool:
    """Some evidence sentence of the edge comes from an article dated within [date_from, date_to]
    (its date from `dates`, else the one the evidence carries: Store.evidence gives it)."""
    if not date_from and not date_to:
        return True
    for ev in d.get("evidence", []):
        day = dates.get(ev["article"]) or ev.get("date") or ""
        if day and (not date_from or day >= date_from) and (not date_to or day <= date_to):
            return True
    return False


def neighbourhood(source: Adjacency | nx.MultiDiGraph, seeds: Iterable[str], hops: int = 1,
                  types: list[str] | None = None, relations: list[str] | None = None, min_weight: int = 1,
                  date_from: str | None = None, date_to: str | None = None, dates: dict[str, str] | None = None,
                  hidden: Iterable[str] = (), hub_threshold: int | None = None,
                  max_nodes: int = 400, min_confidence: float | None = None) -> nx.MultiDiGraph:
    """The seeds and what lies within `hops` edges of them (either direction) through edges that
    pass the filters (relation types, weight, confidence, evidence dated within [date_from, date_to], which
    needs the edges' evidence and `dates`: article -> date) to nodes that pass them (types, not
    hidden, fewer than `hub_threshold` neighbours). Seeds always stay. Nearer nodes come first,
    and among them those on heavier edges; at `max_nodes` it stops (graph attr "truncated"). Graph
    attr "partial": the nodes kept whose relations were read only in part, each with (relations
    read, relations it has) (StoreAdjacency's `per_node`)."""
    adj = adjacency(source)
    adj.fetch(seeds)
    seeds = list(dict.fromkeys(s for s in seeds if adj.has(s)))
    hidden = set(hidden) - set(seeds)
    dates = dates if dates is not None else (article_dates(adj.g) if (date_from or date_to) else {})

    def edge_ok(d: dict) -> bool:
        return ((not relations or d.get("type") in relations) and d.get("weight", 1) >= min_weight
                and confident(d.get("confidence"), min_confidence) and edge_in_dates(d, dates, date_from, date_to))

    def node_ok(n: str) -> bool:
        return (n not in hidden and (not types or adj.node(n).get("type") in types)
                and (hub_threshold is None or adj.degree(n) < hub_threshold))

    truncated, hop, last = False, 0, []

    def edges_at(frontier: list[str]) -> Iterator[tuple[str, str, float]]:
        return ((u, v, d.get("weight", 1)) for n in frontier for u, v, _, d in adj.edges(n) if edge_ok(d))

    def admit(reach: dict[str, float], kept: int) -> list[str]:
        nonlocal truncated, hop, last
        hop += 1
        order = sorted(reach, key=lambda m: (-reach[m], -adj.node(m).get("mention_count", 0), m))
        room, nxt = max(0, max_nodes - kept), []
        if not room and truncated:  # the view is full and known to be cut: nothing more to learn
            return []
        for start in range(0, len(order), max(room + 1, ADMIT_CHUNK)):  # in order until the view is full:
            part = order[start:start + max(room + 1, ADMIT_CHUNK)]  # around a hub, not all its neighbours
            adj.count(part)  # their degrees (hubs), without reading a hub's edges
            nxt += [m for m in part if node_ok(m)]
            if len(nxt) > room:
                break
        truncated = truncated or len(nxt) > room
        if hop < hops:
            adj.fetch(nxt[:room])  # the edges of those that join, for the next hop
        else:
            last = nxt[:room]  # the last hop's: only their edges within the view, once it is known
        return nxt[:room]

    keep = walk(seeds, hops, edges_at, admit)
    adj.link(last, keep)
    return view_of(adj, keep, edge_ok, truncated)


def view_of(adj: Adjacency, keep: Iterable[str], edge_ok: Callable[[dict], bool], truncated: bool) -> nx.MultiDiGraph:
    """The nodes a walk kept and the edges between them that pass `edge_ok`, with the graph
    attributes "truncated" and "partial" (neighbourhood says what they mean)."""
    keep = dict.fromkeys(keep)  # in the walk's order: nearer first
    sub = nx.MultiDiGraph()
    sub.graph.update(adj.g.graph)
    sub.graph["truncated"] = truncated
    sub.graph["partial"] = {n: adj.partial[n] for n in keep if n in adj.partial}
    sub.add_nodes_from((n, adj.node(n)) for n in keep)
    for n in keep:
        for u, v, k, d in adj.edges(n):
            if u in keep and v in keep and edge_ok(d):
                sub.add_edge(u, v, key=k, **d)
    return sub


def articles_in(g: nx.MultiDiGraph, articles: list[dict] | None = None) -> list[dict]:
    """The articles (of `articles`, default g's own) some node or edge of `g` cites: for exporting a view."""
    used = {m["article"] for _, d in g.nodes(data=True) for m in d.get("mentions", [])}
    used |= {e["article"] for _, _, d in g.edges(data=True) for e in d.get("evidence", [])}
    return [a for a in (g.graph.get("articles", []) if articles is None else articles) if a["id"] in used]


def restrict(g: nx.MultiDiGraph, view: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """What the whole graph `g` holds about the nodes and edges of `view` (mentions, evidence),
    with the articles they cite: a view as exported."""
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, g.nodes[n]) for n in view if n in g)
    out.add_edges_from((u, v, k, g.edges[u, v, k]) for u, v, k in view.edges(keys=True) if g.has_edge(u, v, k))
    out.graph["articles"] = articles_in(out, g.graph.get("articles", []))
    return out


# --- the projects table ---------------------------------------------------------------------

PROJECT_COLUMNS = ["project", "kind", "place", "participant", "participant_type", "role", "confidence",
                   "key_people", "investment", "jobs", "area", "stage", "years", "evidence", "project_id",
                   "participant_id"]
FACT_COLUMNS = (("investment", "investment"), ("jobs", "jobs"), ("area", "area_ha"), ("stage", "stage"),
                ("years", "years"))


def key_people(p: Participant) -> str:
    """The persons who WORK_AT a participant organisation, with their posts: "Name (post); ..."."""
    return "; ".join(sorted({name + (f" ({post})" if post else "") for name, post in p.people}))


def project_table(projects: Iterable[Project]) -> list[tuple]:
    """The projects table from `Store.projects()`: one row per (project, participant, role),
    values in the order of PROJECT_COLUMNS, sorted by project, participant (in any case) and
    role; a project without participants has one row with them empty. Confidence: of the
    participant's INVOLVED_IN (None: rules alone, or no participant). Place: the places it lies
    in; key people: persons who WORK_AT a participant organisation (with their posts); facts
    formatted; evidence: sentences behind the project's relations."""
    keyed: list[tuple[tuple[str, str, str], tuple]] = []  # (sort key, row)
    people: dict[str, str] = {}  # organisation -> its key people, once per organisation
    for p in projects:
        place = "; ".join(sorted({pl.name for pl in p.places}))
        facts = tuple(format_fact(fact, p.facts[fact]) if fact in p.facts else "" for _, fact in FACT_COLUMNS)
        name = p.name.casefold()
        if not p.participants:
            keyed.append(((name, "", ""), (p.name, p.kind, place, "", "", "", None, "", *facts, p.evidence, p.id,
                                           "")))
        for s in p.participants:
            if s.type == "ORG" and s.id not in people:
                people[s.id] = key_people(s)
            keyed.append(((name, s.name.casefold(), s.role),
                          (p.name, p.kind, place, s.name, s.type, s.role, s.confidence, people.get(s.id, ""),
                           *facts, p.evidence, p.id, s.id)))
    keyed.sort(key=itemgetter(0))  # stable: equal keys stay in project id, participant order
    return [row for _, row in keyed]


def project_rows(projects: Iterable[Project]) -> list[dict]:
    """The projects table (project_table) as one {column: value} per row."""
    return [dict(zip(PROJECT_COLUMNS, row, strict=True)) for row in project_table(projects)]


def project_columns(projects: Iterable[Project]) -> dict[str, list]:
    """The projects table (project_table) as {column: its values}, for a data frame."""
    rows = project_table(projects)
    return {c: list(values) for c, values in zip(PROJECT_COLUMNS, zip(*rows, strict=True), strict=True)} if rows else \
        {c: [] for c in PROJECT_COLUMNS}


# --- paths and interlocks -----------------------------------------------------------------------

def edges_between(g: nx.MultiDiGraph, a: str, b: str, min_confidence: float | None = None) -> list[dict]:
    """Every edge joining a and b in either direction that passes the minimum confidence, with its
    confidence and evidence (if the graph has it)."""
    out = []
    for u, v in ((a, b), (b, a)):
        for k, d in (g.get_edge_data(u, v) or {}).items():
            if confident(d.get("confidence"), min_confidence):
                out.append({"source": u, "target": v, "key": k, "type": d["type"], "role": d.get("role") or "",
                            "weight": d.get("weight", 1), "confidence": d.get("confidence"),
                            "evidence": d.get("evidence", []),
                            "evidence_count": d.get("evidence_count", len(d.get("evidence", [])))})
    return sorted(out, key=lambda e: (-e["weight"], e["type"], e["role"], e["key"]))


def linked(adj: Adjacency, n: str, min_confidence: float | None = None) -> set[str]:
    """The neighbours of a fetched node through edges that pass the minimum confidence."""
    if not min_confidence:
        return adj.neighbours(n)
    return {v if u == n else u for u, v, _, d in adj.edges(n) if confident(d.get("confidence"), min_confidence)} - {n}


def ball(adj: Adjacency, start: str, radius: int, passable, min_confidence: float | None = None) -> set[str]:
    """`start` and the passable nodes within `radius` edges (passing the minimum confidence) of it
    through passable nodes; all of them fetched (their edges known)."""
    seen, frontier = {start}, [start]
    adj.fetch(frontier)
    for _ in range(radius):
        reach = {m for n in frontier for m in linked(adj, n, min_confidence)} - seen
        adj.count(reach)  # hubs are told by their degree, without reading their edges
        frontier = sorted(m for m in reach if passable(m))
        adj.fetch(frontier)
        seen.update(frontier)
        if not frontier:
            break
    return seen


def paths(source: Adjacency | nx.MultiDiGraph, a: str, b: str, max_hops: int = 3, limit: int = 10,
          hub_threshold: int | None = None, avoid: Iterable[str] = (),
          min_confidence: float | None = None) -> list[list[dict]]:
    """Shortest connections between a and b, up to `max_hops` edges each, shortest first (at most
    `limit`), through no node of `avoid` nor any with `hub_threshold` neighbours or more, along
    edges that pass the minimum confidence. Each path is a list of hops {source, target, edges:
    [{type, role, source, target, weight, confidence, evidence}]}.

    Only the nodes within (max_hops - 1) / 2 hops of either end are read: every node of a path
    of at most max_hops edges lies that near to one of its ends."""
    adj = adjacency(source)
    adj.fetch([a, b])
    if not adj.has(a) or not adj.has(b) or a == b:
        return []
    avoid = set(avoid) - {a, b}

    def passable(n: str) -> bool:
        return n not in avoid and (hub_threshold is None or adj.degree(n) < hub_threshold)

    near = (ball(adj, a, math.ceil((max_hops - 1) / 2), passable, min_confidence)
            | ball(adj, b, (max_hops - 1) // 2, passable, min_confidence))
    simple = nx.Graph()
    simple.add_nodes_from(sorted(near))
    for n in sorted(near):
        simple.add_edges_from(sorted((n, m) for m in linked(adj, n, min_confidence) if m in near))
    out: list[list[dict]] = []
    try:
        for path in nx.shortest_simple_paths(simple, a, b):
            if len(path) - 1 > max_hops or len(out) >= limit:
                break
            out.append([{"source": u, "target": v, "edges": edges_between(adj.g, u, v, min_confidence)}
                        for u, v in pairwise(path)])
    except nx.NetworkXNoPath:
        pass
    return out


def interlocks(source: Adjacency | nx.MultiDiGraph, node: str, limit: int = 30,
               via_types: tuple[str, ...] = ("ORG", "PROJECT", "PERSON"), hub_threshold: int | None = None,
               avoid: Iterable[str] = ()) -> list[dict]:
    """Entities of the same type as `node` that share neighbours with it (a person's colleagues on
    boards and projects, an organisation's partners in projects and shared people), ranked by
    how many they share. Places are not interlocks (sharing a region says little), nor hubs
    (`avoid`, or `hub_threshold` neighbours or more)."""
    adj = adjacency(source)
    adj.fetch([node])
    if not adj.has(node):
        return []
    kind = adj.node(node)["type"]
    avoid = set(avoid)
    vias = sorted(v for v in adj.neighbours(node) if v not in avoid and adj.node(v)["type"] in via_types)
    adj.count(vias)
    if hub_threshold is not None:
        vias = [v for v in vias if adj.degree(v) < hub_threshold]
    adj.fetch(vias)
    shared: dict[str, set[str]] = defaultdict(set)
    for via in vias:
        for other in adj.neighbours(via):
            if other != node and adj.node(other)["type"] == kind:
                shared[other].add(via)
    rows = []
    for other, shared_vias in shared.items():
        d = adj.node(other)
        rows.append({"id": other, "name": d["name"], "type": d["type"], "shared": len(shared_vias),
                     "via": "; ".join(sorted(adj.node(v)["name"] for v in shared_vias)),
                     "via_ids": sorted(shared_vias)})
    rows.sort(key=lambda r: (-r["shared"], r["name"], r["id"]))
    return rows[:limit]


# --- an entity's relations, an article's content ----------------------------------------------

def relations_of(source: Adjacency | nx.MultiDiGraph, node: str, min_confidence: float | None = None) -> list[dict]:
    """Every edge at `node` that passes the minimum confidence: {other, other_name, other_type, type,
    role, direction, key, weight, confidence, evidence, evidence_count} (evidence empty when the
    source does not hold it)."""
    adj = adjacency(source)
    adj.fetch([node])
    if not adj.has(node):
        return []
    out = []
    for u, v, k, d in adj.edges(node):
        if not confident(d.get("confidence"), min_confidence):
            continue
        direction = "out" if u == node else "in"
        other = v if direction == "out" else u
        od = adj.node(other)
        out.append({"other": other, "direction": direction, "key": k, "other_name": od["name"],
                    "other_type": od["type"], "type": d["type"], "role": d.get("role") or "",
                    "weight": d.get("weight", 1), "confidence": d.get("confidence"),
                    "evidence": d.get("evidence", []),
                    "evidence_count": d.get("evidence_count", len(d.get("evidence", [])))})
    return sorted(out, key=lambda r: (r["type"], -r["weight"], r["other_name"], r["key"], r["direction"]))


@dataclass
class ArticleIndex:
    """Per article: its mentions (start, stop, node) and the relations whose evidence comes from
    it (start, stop, source, target, key, sentence), both in text order."""

    mentions: dict[str, list[tuple[int, int, str]]]
    relations: dict[str, list[tuple[int, int, str, str, str, str]]]


def article_index(g: nx.MultiDiGraph) -> ArticleIndex:
    mentions: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for n, d in g.nodes(data=True):
        for m in d.get("mentions", []):
            mentions[m["article"]].append((m["start"], m["stop"], n))
    relations: dict[str, list[tuple[int, int, str, str, str, str]]] = defaultdict(list)
    for u, v, k, d in g.edges(keys=True, data=True):
        for ev in d.get("evidence", []):
            relations[ev["article"]].append((ev["start"], ev["stop"], u, v, k, ev.get("sentence", "")))
    for found in mentions.values():
        found.sort()
    for stated in relations.values():
        stated.sort()
    return ArticleIndex(dict(mentions), dict(relations))


def article_mentions(g: nx.MultiDiGraph, index: ArticleIndex, article_id: str) -> list[dict]:
    """The article's mentions {entity, type, name, start, stop}, in text order."""
    return [{"entity": n, "type": g.nodes[n]["type"], "name": g.nodes[n]["name"], "start": a, "stop": b}
            for a, b, n in index.mentions.get(article_id, [])]


def article_relations(g: nx.MultiDiGraph, index: ArticleIndex, article_id: str) -> list[dict]:
    """The relations stated in the article {source, source_name, target, target_name, type, role,
    confidence, start, stop, sentence}, in text order (confidence: the relation's, over every article)."""
    out = []
    for a, b, u, v, k, sentence in index.relations.get(article_id, []):
        d = g.edges[u, v, k]
        out.append({"source": u, "source_name": g.nodes[u]["name"], "target": v, "target_name": g.nodes[v]["name"],
                    "type": d["type"], "role": d.get("role") or "", "confidence": d.get("confidence"), "start": a,
                    "stop": b, "sentence": sentence})
    return out


def article_counts(index: ArticleIndex) -> dict[str, tuple[int, int]]:
    """Per article: (distinct entities mentioned, relation evidence sentences)."""
    ids = set(index.mentions) | set(index.relations)
    return {a: (len({n for _, _, n in index.mentions.get(a, [])}), len(index.relations.get(a, []))) for a in ids}


def mark_spans(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """Cut text into (piece, label) with non-overlapping spans (start, stop, label) labelled and the
    rest None; an overlapping span is dropped (the earlier, longer one wins)."""
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for start, stop, label in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start < pos or stop > len(text) or start >= stop:
            continue
        if start > pos:
            pieces.append((text[pos:start], None))
        pieces.append((text[start:stop], label))
        pos = stop
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces
