"""Graph snapshots: a scoped, dated, citable piece of the graph.

A `Selection` says which piece (the CLI's `investgraph export` options; the app can build one
the same way); `select(g, selection)` cuts it out of a whole-graph snapshot (`Store.snapshot()`),
and graph.selection_stream reads the same piece from a store page by page (with `cut`,
`relation_passes` and `node_drops`, the steps below);
`manifest(...)` says what the piece is, and `read_manifest(path)` reads it back from any file
`investgraph export` writes.

How a selection cuts, in this order:

1. **Article window.** `since`, `until` and `as_of` (ISO dates, inclusive) pick the articles dated
   inside [since, min(until, as_of)]; with any of them set, an article without a date is outside.
   `as_of` is the graph as it was known on that date: only articles dated on or before it.
2. **Evidence and mentions in the window.** A relation keeps only its evidence sentences from
   window articles and is dropped when none is left; its weight (distinct articles), evidence
   count and confidence (the highest of its evidence's) are counted again from what is left.
   An entity keeps only its mentions in window articles (aliases and mention count follow).
3. **Relation filters.** Relation types (`relations`), `min_weight` and `min_confidence`
   (relations made by rules alone have no confidence and always pass) drop relations.
4. **Which entities stay.** An entity stays while it has a mention in a window article or is an
   end of a relation that stayed; of the entity types (`types`), when given.
5. **Focus.** With `around` (node ids) and/or `projects` (project ids) only the focus stays:
   everything within `hops` relations (either direction, through what stayed) of an `around`
   node; for a project, the project, its participants (INVOLVED_IN), the people who work at the
   participating organisations (WORKS_AT), its places (LOCATED_IN / PART_OF a LOC) and the places
   those lie in. For a region (`regions`, LOC ids): the region, the places that lie in it (through
   LOCATED_IN / PART_OF between places, at any depth), the projects and organisations located in
   any of them, with each project's members as above and each organisation's people (WORKS_AT).
   The nodes asked for always stay, whatever `types` says. The relations among the focus nodes stay.
6. **Articles.** The snapshot lists the window articles it rests on: those holding a mention of
   one of its entities or evidence of one of its relations.

An empty selection is the whole graph, as the store gives it (every article, even one without
entities).

The content hash (`content_hash`) is a SHA-256 over the graph's content in a canonical order
(articles, nodes, edges by id; mentions and evidence by place): the same content gives the same
hash whatever the file format, the store, or the time of export.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx

from . import formats
from .analytics import articles_in, neighbourhood
from .assemble import PLACE_RELATIONS
from .confidence import confident, top_confidence
from .decisions import find_node, named
from .export import article_json, edge_json, node_json, to_json
from .model import ENTITY_TYPES, RELATION_TYPES
from .store import DecisionError, Store
from .urls import redact_url

MANIFEST_FORMAT = "investgraph-snapshot/1"
MAX_HOPS = 3


@dataclass(frozen=True)
class Selection:
    """Which piece of the graph a snapshot holds (see the module docstring for how it cuts).
    `around` and `projects` are node ids for `select`; `resolve` turns names into them."""

    around: tuple[str, ...] = ()
    hops: int = 1
    projects: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    min_weight: int = 1
    min_confidence: float | None = None
    since: str | None = None
    until: str | None = None
    as_of: str | None = None

    def is_whole(self) -> bool:
        """Nothing selected: the whole graph."""
        return replace(self, hops=1) == Selection()

    def dated(self) -> bool:
        return bool(self.since or self.until or self.as_of)

    def upper(self) -> str | None:
        """The last day of the window: the earlier of `until` and `as_of`."""
        bounds = [d for d in (self.until, self.as_of) if d]
        return min(bounds) if bounds else None

    def as_given(self) -> dict[str, Any]:
        """The options that differ from the defaults, as given (names, not resolved ids): for the manifest."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "hops" and not self.around:
                continue
            if value != f.default:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def selection_problem(sel: Selection) -> str | None:
    """Why a selection cannot be used (an unknown type, a bad date, a range that is empty), or None."""
    if not 1 <= sel.hops <= MAX_HOPS:
        return f"hops must be 1..{MAX_HOPS}, not {sel.hops}"
    if unknown := [t for t in sel.types if t not in ENTITY_TYPES]:
        return f"unknown entity type {unknown[0]} (use {', '.join(ENTITY_TYPES)})"
    if unknown := [t for t in sel.relations if t not in RELATION_TYPES]:
        return f"unknown relation type {unknown[0]} (use {', '.join(RELATION_TYPES)})"
    if sel.min_weight < 1:
        return f"min_weight must be at least 1, not {sel.min_weight}"
    if sel.min_confidence is not None and not 0 <= sel.min_confidence <= 1:
        return f"min_confidence must be within 0..1, not {sel.min_confidence}"
    for name in ("since", "until", "as_of"):
        value = getattr(sel, name)
        if value is not None and not is_iso_date(value):
            return f"{name} must be a date YYYY-MM-DD, not {value!r}"
    if sel.since and (upper := sel.upper()) and sel.since > upper:
        return f"the date range is empty: since {sel.since} is after {upper}"
    return None


def is_iso_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


# --- naming the focus ------------------------------------------------------------------------

def pick_node(store: Store, ref: str, type_: str | None = None) -> str:
    """The node `ref` names (an id, else a name in any case form, as graph.decisions.find_node), of
    `type_` when given; a DecisionError (one line) when it names none, several, or another type."""
    card = store.entity(ref)
    if card is not None and (type_ is None or card.type == type_):
        return ref
    if type_ is None:
        return find_node(store, ref)
    hits = store.search(ref, types=[type_], limit=10)
    pick = named(hits, ref) or hits
    if len(pick) == 1:
        return pick[0].id
    if not pick:
        other = card or (store.entity(h[0].id) if (h := store.search(ref, limit=1)) else None)
        what = f", only the {other.type} {other.name} ({other.id})" if other is not None else ""
        raise DecisionError(f"'{ref}' names no {type_}{what}")
    listed = "; ".join(f"{h.name} {h.id}" for h in pick)
    raise DecisionError(f"'{ref}' names {len(pick)} {type_} nodes, give one of their ids: {listed}")


def resolve(sel: Selection, store: Store) -> Selection:
    """The selection with `around`, `projects` and `regions` as node ids (names looked up in the store)."""
    return replace(sel, around=tuple(pick_node(store, r) for r in sel.around),
                   projects=tuple(pick_node(store, r, "PROJECT") for r in sel.projects),
                   regions=tuple(pick_node(store, r, "LOC") for r in sel.regions))


# --- cutting the piece -----------------------------------------------------------------------

def window(articles: Iterable[dict], sel: Selection) -> set[str]:
    """The ids of the articles dated inside the selection's range (all of them when it has none)."""
    since, upper = sel.since, sel.upper()
    ids = set()
    for a in articles:
        day = (a.get("date") or "")[:10]
        if not sel.dated() or (day and (not since or day >= since) and (not upper or day <= upper)):
            ids.add(a["id"])
    return ids


def within_window(g: nx.MultiDiGraph, ids: set[str], recount_aliases: bool = True) -> nx.MultiDiGraph:
    """Steps 2 of the module docstring: mentions and evidence of the window articles only;
    relations with no evidence left dropped, their weight, evidence count and confidence counted
    again. Every node stays here (which stay is decided later)."""
    out = nx.MultiDiGraph()
    out.graph.update(g.graph)
    for n, d in g.nodes(data=True):
        ms = [m for m in d.get("mentions", []) if m["article"] in ids]
        node = {**d, "mentions": ms, "mention_count": len(ms)}
        if recount_aliases and all("text" in m for m in ms):
            node["aliases"] = sorted({m["text"] for m in ms} - {d.get("name")})
        out.add_node(n, **node)
    for u, v, k, d in g.edges(keys=True, data=True):
        ev = [e for e in d.get("evidence", []) if e["article"] in ids]
        if ev:
            out.add_edge(u, v, key=k, **{**d, "evidence": ev, "evidence_count": len(ev),
                                         "weight": len({e["article"] for e in ev}),
                                         "confidence": top_confidence(e.get("confidence") for e in ev)})
    return out


def project_members(g: nx.MultiDiGraph, project: str) -> set[str]:
    """A project, its participants (INVOLVED_IN it), the people who work at its participating
    organisations, its places and the places those lie in."""
    if project not in g:
        return set()
    members = {project}
    participants = {u for u, _, d in g.in_edges(project, data=True) if d.get("type") == "INVOLVED_IN"}
    members |= participants
    for org in (p for p in participants if g.nodes[p].get("type") == "ORG"):
        members |= people_of(g, org)
    todo = [project]
    while todo:
        for _, v, d in g.out_edges(todo.pop(), data=True):
            if d.get("type") in PLACE_RELATIONS and g.nodes[v].get("type") == "LOC" and v not in members:
                members.add(v)
                todo.append(v)
    return members


def people_of(g: nx.MultiDiGraph, org: str) -> set[str]:
    """The people who work at an organisation (WORKS_AT)."""
    return {u for u, _, d in g.in_edges(org, data=True)
            if d.get("type") == "WORKS_AT" and g.nodes[u].get("type") == "PERSON"}


def region_members(g: nx.MultiDiGraph, region: str) -> set[str]:
    """A region, the places in it (at any depth), the projects and organisations located in them,
    each project with its members (project_members) and each organisation with its people."""
    if region not in g:
        return set()
    places, todo = {region}, [region]
    while todo:
        for u, _, d in g.in_edges(todo.pop(), data=True):
            if d.get("type") in PLACE_RELATIONS and g.nodes[u].get("type") == "LOC" and u not in places:
                places.add(u)
                todo.append(u)
    members = set(places)
    for place in places:
        for u, _, d in g.in_edges(place, data=True):
            kind = g.nodes[u].get("type")
            if d.get("type") == "LOCATED_IN" and kind == "PROJECT":
                members |= project_members(g, u)
            elif d.get("type") == "LOCATED_IN" and kind == "ORG":
                members |= {u} | people_of(g, u)
    return members


def induced(h: nx.MultiDiGraph, keep: set[str]) -> nx.MultiDiGraph:
    """The nodes of `h` in `keep` and the edges among them, in h's order (networkx's subgraph view
    lists a small subset in the order of a set, which changes from run to run)."""
    out = nx.MultiDiGraph()
    out.graph.update(h.graph)
    out.add_nodes_from((n, d) for n, d in h.nodes(data=True) if n in keep)
    out.add_edges_from((u, v, k, d) for u, v, k, d in h.edges(keys=True, data=True) if u in keep and v in keep)
    return out


def relation_passes(d: dict[str, Any], sel: Selection) -> bool:
    """Step 3 of the module docstring: a relation (its attributes within the window) passes the
    relation types, the minimum weight and the minimum confidence."""
    return not ((sel.relations and d.get("type") not in sel.relations) or d.get("weight", 1) < sel.min_weight
                or not confident(d.get("confidence"), sel.min_confidence))


def node_drops(d: dict[str, Any], degree: int, sel: Selection) -> bool:
    """Step 4: an entity (not asked for) leaves when it has no mention in the window and no
    relation left (`degree`), or is not of the selection's types."""
    return (not d.get("mentions") and degree == 0) or bool(sel.types and d.get("type") not in sel.types)


def cut(h: nx.MultiDiGraph, sel: Selection) -> nx.MultiDiGraph:
    """Steps 3 to 5 of the module docstring on a graph already within the window (step 2): `h`
    loses the relations and entities that leave (in place: nodes in h's order, each with the
    relations left at that moment), then only the focus stays, when there is one."""
    for u, v, k, d in list(h.edges(keys=True, data=True)):
        if not relation_passes(d, sel):
            h.remove_edge(u, v, k)
    asked = {*sel.around, *sel.projects, *sel.regions}
    for n, d in list(h.nodes(data=True)):
        if n not in asked and node_drops(d, h.degree(n), sel):
            h.remove_node(n)
    if not (sel.around or sel.projects or sel.regions):
        return h
    focus: set[str] = set()
    if sel.around:
        focus |= set(neighbourhood(h, list(sel.around), hops=sel.hops, max_nodes=h.number_of_nodes() + 1))
    for p in sel.projects:
        focus |= project_members(h, p)
    for r in sel.regions:
        focus |= region_members(h, r)
    return induced(h, focus)


def select(g: nx.MultiDiGraph, sel: Selection) -> nx.MultiDiGraph:
    """The piece of the whole graph `g` the selection names (ids in `around` and `projects`;
    see the module docstring). The empty selection gives `g` itself."""
    if sel.is_whole():
        return g
    h = cut(within_window(g, window(g.graph.get("articles", []), sel)) if sel.dated() else g.copy(), sel)
    h.graph["articles"] = articles_in(h, g.graph.get("articles", []))
    return h


# --- what a snapshot is ----------------------------------------------------------------------

def place(x: dict) -> tuple:
    return (x["article"], x["start"], x["stop"])


def canonical(g: nx.MultiDiGraph) -> dict:
    """The graph's content in a fixed order: what the content hash is taken over."""
    data = to_json(g)
    return {
        "articles": sorted(data["articles"], key=lambda a: a["id"]),
        "nodes": sorted(({**n, "mentions": sorted(n["mentions"], key=place)} for n in data["nodes"]),
                        key=lambda n: n["id"]),
        "edges": sorted(({**e, "evidence": sorted(e["evidence"], key=place)} for e in data["edges"]),
                        key=lambda e: e["id"]),
    }


class StreamedContent:
    """The content hash, counts and article ids of a snapshot fed a piece at a time: articles, then
    edges, then nodes, each by id (the order of the canonical JSON text, whose keys are sorted), so
    that the hash is content_hash's without the whole graph in memory."""

    SECTIONS = ("articles", "edges", "nodes")

    def __init__(self) -> None:
        self.sha = hashlib.sha256(b"{")
        self.done: list[str] = []
        self.article_ids: list[str] = []
        self.entities = dict.fromkeys(ENTITY_TYPES, 0)
        self.relations = dict.fromkeys(RELATION_TYPES, 0)

    def section(self, name: str, items: Iterable[dict]) -> None:
        if name != self.SECTIONS[len(self.done)]:
            raise ValueError(f"content sections go {', '.join(self.SECTIONS)}; got {name}")
        self.sha.update(("," if self.done else "").encode() + json.dumps(name).encode() + b":[")
        previous = None
        for i, item in enumerate(items):
            if previous is not None and item["id"] < previous:
                raise ValueError(f"{name} not by id: {item['id']!r} after {previous!r}")
            previous = item["id"]
            text = json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            self.sha.update(("," if i else "").encode() + text.encode("utf-8"))
        self.sha.update(b"]")
        self.done.append(name)

    def add_articles(self, articles: Iterable[dict]) -> None:
        def each() -> Iterator[dict]:
            for a in articles:
                self.article_ids.append(a["id"])
                yield article_json(a)
        self.section("articles", each())

    def add_edges(self, edges: Iterable[tuple[str, str, str, dict]]) -> None:
        def each() -> Iterator[dict]:
            for u, v, k, d in edges:
                self.relations[d.get("type")] = self.relations.get(d.get("type"), 0) + 1
                e = edge_json(u, v, k, d)
                yield {**e, "evidence": sorted(e["evidence"], key=place)}
        self.section("edges", each())

    def add_nodes(self, nodes: Iterable[tuple[str, dict]]) -> None:
        def each() -> Iterator[dict]:
            for n, d in nodes:
                self.entities[d.get("type")] = self.entities.get(d.get("type"), 0) + 1
                node = node_json(n, d)
                yield {**node, "mentions": sorted(node["mentions"], key=place)}
        self.section("nodes", each())

    def content_hash(self) -> str:
        if len(self.done) != len(self.SECTIONS):
            raise ValueError("content hash asked before every section was added")
        sha = self.sha.copy()
        sha.update(b"}")
        return "sha256:" + sha.hexdigest()

    def counts(self) -> dict[str, Any]:
        return {"articles": len(self.article_ids), "entities": self.entities,
                "entities_total": sum(self.entities.values()), "relations": self.relations,
                "relations_total": sum(self.relations.values())}


def content_of(g: nx.MultiDiGraph) -> StreamedContent:
    """The content of a networkx snapshot, fed in canonical order."""
    content = StreamedContent()
    content.add_articles(sorted(g.graph.get("articles", []), key=lambda a: a["id"]))
    content.add_edges(sorted(g.edges(keys=True, data=True), key=lambda e: e[2]))
    content.add_nodes(sorted(g.nodes(data=True), key=lambda n: n[0]))
    return content


def content_hash(g: nx.MultiDiGraph) -> str:
    """sha256:HEX over the canonical content (no time, store or selection in it): the SHA-256 of
    json.dumps(canonical(g), ensure_ascii=False, sort_keys=True, separators=(",", ":"))."""
    return content_of(g).content_hash()


def counts(g: nx.MultiDiGraph) -> dict[str, Any]:
    """Entities and relations by type (every schema type, zeros too), and the totals."""
    entities = dict.fromkeys(ENTITY_TYPES, 0)
    for _, d in g.nodes(data=True):
        entities[d.get("type")] = entities.get(d.get("type"), 0) + 1
    relations = dict.fromkeys(RELATION_TYPES, 0)
    for _, _, d in g.edges(data=True):
        relations[d.get("type")] = relations.get(d.get("type"), 0) + 1
    return {"articles": len(g.graph.get("articles", [])), "entities": entities,
            "entities_total": g.number_of_nodes(), "relations": relations, "relations_total": g.number_of_edges()}


def investgraph_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("investgraph")
    except PackageNotFoundError:
        return "unknown"


def manifest(g: nx.MultiDiGraph, selection: dict[str, Any], store_url: str,
             created_at: datetime | None = None) -> dict[str, Any]:
    """What a snapshot is: format, created_at (UTC), InvestGraph version, the store (any password
    redacted), the selection as given, counts by type, the article ids it rests on (sorted) and
    the content hash."""
    return manifest_of(content_of(g), selection, store_url, created_at)


def manifest_of(content: StreamedContent, selection: dict[str, Any], store_url: str,
                created_at: datetime | None = None) -> dict[str, Any]:
    """The manifest (see `manifest`) of content fed whole."""
    when = (created_at or datetime.now(UTC)).astimezone(UTC)
    return {"format": MANIFEST_FORMAT, "created_at": when.isoformat(timespec="seconds"),
            "investgraph_version": investgraph_version(), "store": redact_url(store_url),
            "selection": selection, "counts": content.counts(),
            "articles": content.article_ids, "content_hash": content.content_hash()}


class SnapshotError(ValueError):
    """A file that is not a snapshot InvestGraph can read: the message names it and says why."""


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a file `investgraph export` wrote: JSON (its "manifest" key), GraphML (the
    graph's `manifest` data), GEXF (the meta description), a CSV or neo4j-admin folder or zip
    (manifest.json), and the other formats of graph.formats (graph.formats.read_manifest)."""
    path = Path(path)
    try:
        if formats.handles(path):  # the formats of graph.formats: inside them, or beside
            if (found := formats.read_manifest(path)) is None:
                raise SnapshotError(f"{path}: no manifest in it")
            return found
        if path.is_dir():
            text = (path / "manifest.json").read_text(encoding="utf-8")
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                text = z.read("manifest.json").decode("utf-8")
        elif path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "manifest" not in data:
                raise SnapshotError(f"{path}: no manifest in it (exported before snapshots had one?)")
            return data["manifest"]
        elif path.suffix.lower() in (".graphml", ".gexf"):
            text = xml_manifest(path)
        else:
            raise SnapshotError(f"{path}: not a snapshot (expected .json, .graphml, .gexf, a CSV folder or .zip)")
        return json.loads(text)
    except (FileNotFoundError, KeyError) as err:
        raise SnapshotError(f"{path}: no manifest in it (exported before snapshots had one?)") from err
    except (OSError, ValueError, zipfile.BadZipFile, ElementTree.ParseError) as err:
        if isinstance(err, SnapshotError):
            raise
        raise SnapshotError(f"{path}: cannot read its manifest ({err})") from err


def xml_manifest(path: Path) -> str:
    """The manifest JSON text of a GraphML (graph data keyed `manifest`) or GEXF (meta description)."""
    root = ElementTree.parse(path).getroot()
    if path.suffix.lower() == ".gexf":
        found = next((el.text for el in root.iter() if el.tag.endswith("}description") or el.tag == "description"),
                     None)
    else:
        keys = {k.get("id") for k in root.iter() if k.tag.endswith("}key") and k.get("attr.name") == "manifest"
                and k.get("for") == "graph"}
        graph = next(el for el in root.iter() if el.tag.endswith("}graph"))
        found = next((d.text for d in graph if d.tag.endswith("}data") and d.get("key") in keys), None)
    if not found:
        raise KeyError("manifest")
    return found


def describe(m: dict[str, Any]) -> list[str]:
    """A manifest as lines for `investgraph snapshot info`."""
    c = m.get("counts", {})
    lines = [f"snapshot      {m.get('format', '?')}",
             f"created at    {m.get('created_at', '?')}",
             f"investgraph   {m.get('investgraph_version', '?')}",
             f"store         {m.get('store', '?')}",
             "selection     " + (", ".join(f"{k}={v}" for k, v in m.get("selection", {}).items()) or "the whole graph"),
             f"content hash  {m.get('content_hash', '?')}",
             f"articles      {c.get('articles', len(m.get('articles', [])))}",
             f"entities      {c.get('entities_total', '?')}"]
    lines += [f"  {t:12} {n}" for t, n in c.get("entities", {}).items()]
    lines.append(f"relations     {c.get('relations_total', '?')}")
    lines += [f"  {t:12} {n}" for t, n in c.get("relations", {}).items()]
    lines += [f"  article {a}" for a in m.get("articles", [])]
    return lines


__all__ = ["Selection", "SnapshotError", "content_hash", "counts", "describe", "manifest", "read_manifest",
           "resolve", "select", "selection_problem"]
