"""Store-agnostic analysis for the workbench: plain functions over the networkx MultiDiGraph
that `Store.snapshot()` and `Store.neighbourhood()` return.

Node attributes: type, name, kind, aliases, facts, mentions [{article, start, stop, text}],
mention_count. Edge attributes: type, role, weight, evidence [{article, start, stop,
sentence}], evidence_count. Graph attribute "articles": [{id, source, doc, title, url, date}].

Nothing here knows which store the graph came from, so both stores give the same answers.
"""
from __future__ import annotations

import difflib
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .model import EntityHit
from .text import fold

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


# --- hubs and neighbourhoods ----------------------------------------------------------------

def degrees(g: nx.MultiDiGraph) -> dict[str, int]:
    """Distinct neighbours per node (parallel edges counted once)."""
    return {n: len(set(g.successors(n)) | set(g.predecessors(n))) for n in g}


def hub_threshold(g: nx.MultiDiGraph, floor: int = 12) -> int:
    """A degree above which a node is a hub (Россия, Правительство РФ): the larger of `floor`
    and mean + 3 standard deviations."""
    ds = list(degrees(g).values())
    if len(ds) < 2:
        return floor
    return max(floor, int(statistics.mean(ds) + 3 * statistics.pstdev(ds)) + 1)


def hubs(g: nx.MultiDiGraph, threshold: int | None = None) -> list[str]:
    """Nodes with at least `threshold` distinct neighbours, highest degree first."""
    threshold = hub_threshold(g) if threshold is None else threshold
    ds = degrees(g)
    return sorted((n for n, k in ds.items() if k >= threshold), key=lambda n: (-ds[n], n))


def article_dates(g: nx.MultiDiGraph) -> dict[str, str]:
    return {a["id"]: a.get("date") or "" for a in g.graph.get("articles", [])}


def edge_in_dates(d: dict, dates: dict[str, str], date_from: str | None, date_to: str | None) -> bool:
    """Some evidence sentence of the edge comes from an article dated within [date_from, date_to]."""
    if not date_from and not date_to:
        return True
    for ev in d.get("evidence", []):
        day = dates.get(ev["article"], "")
        if day and (not date_from or day >= date_from) and (not date_to or day <= date_to):
            return True
    return False


def neighbourhood(g: nx.MultiDiGraph, seeds: Iterable[str], hops: int = 1, types: list[str] | None = None,
                  relations: list[str] | None = None, min_weight: int = 1, date_from: str | None = None,
                  date_to: str | None = None, hidden: Iterable[str] = (), max_nodes: int = 400) -> nx.MultiDiGraph:
    """The seeds and what lies within `hops` edges of them (either direction) through edges that
    pass the filters (relation types, weight, dates) to nodes that pass them (types, not hidden).
    Seeds always stay. Stops adding nodes at `max_nodes` (graph attr "truncated" says so)."""
    seeds = [s for s in seeds if s in g]
    hidden = set(hidden) - set(seeds)
    dates = article_dates(g) if (date_from or date_to) else {}

    def edge_ok(d: dict) -> bool:
        return ((not relations or d.get("type") in relations) and d.get("weight", 1) >= min_weight
                and edge_in_dates(d, dates, date_from, date_to))

    def node_ok(n: str) -> bool:
        return n not in hidden and (not types or g.nodes[n].get("type") in types)

    keep, frontier, truncated = set(seeds), list(seeds), False
    for _ in range(hops):
        nxt = []
        for n in frontier:
            for _, m, d in list(g.out_edges(n, data=True)) + [(n, u, d) for u, _, d in g.in_edges(n, data=True)]:
                if m in keep or not edge_ok(d) or not node_ok(m):
                    continue
                if len(keep) >= max_nodes:
                    truncated = True
                    break
                keep.add(m)
                nxt.append(m)
        frontier = nxt
        if not frontier:
            break
    sub = nx.MultiDiGraph()
    sub.graph.update(g.graph)
    sub.graph["truncated"] = truncated
    sub.add_nodes_from((n, g.nodes[n]) for n in keep)
    for u in keep:
        for _, v, k, d in g.out_edges(u, keys=True, data=True):
            if v in keep and edge_ok(d):
                sub.add_edge(u, v, key=k, **d)
    return sub


def articles_in(g: nx.MultiDiGraph) -> list[dict]:
    """The articles some node or edge of `g` cites: for exporting a view."""
    used = {m["article"] for _, d in g.nodes(data=True) for m in d.get("mentions", [])}
    used |= {e["article"] for _, _, d in g.edges(data=True) for e in d.get("evidence", [])}
    return [a for a in g.graph.get("articles", []) if a["id"] in used]


# --- the projects table ---------------------------------------------------------------------

PROJECT_COLUMNS = ["project", "kind", "place", "participant", "participant_type", "role", "key_people",
                   "investment", "jobs", "area", "stage", "years", "evidence", "project_id", "participant_id"]


def _names(g: nx.MultiDiGraph, ids: Iterable[str]) -> str:
    return "; ".join(sorted({g.nodes[i]["name"] for i in ids}))


def projects_table(g: nx.MultiDiGraph) -> list[dict]:
    """One row per (project, participant, role); a project without participants has one row
    with them empty. Place: LOCATED_IN targets; key people: persons who WORK_AT a participant
    organisation (with their posts); facts formatted; evidence: sentences behind the project's
    relations."""
    rows = []
    for p, d in g.nodes(data=True):
        if d.get("type") != "PROJECT":
            continue
        places, participants, evidence = set(), [], 0
        for _, t, e in g.out_edges(p, data=True):
            evidence += e.get("evidence_count", 0)
            if e["type"] in ("LOCATED_IN", "PART_OF") and g.nodes[t]["type"] == "LOC":
                places.add(t)
        for s, _, e in g.in_edges(p, data=True):
            evidence += e.get("evidence_count", 0)
            if e["type"] == "INVOLVED_IN":
                participants.append((s, e.get("role") or "participant"))
        facts = d.get("facts") or {}
        base = {"project": d["name"], "kind": d.get("kind") or "", "place": _names(g, places),
                "investment": format_fact("investment", facts["investment"]) if "investment" in facts else "",
                "jobs": format_fact("jobs", facts["jobs"]) if "jobs" in facts else "",
                "area": format_fact("area_ha", facts["area_ha"]) if "area_ha" in facts else "",
                "stage": format_fact("stage", facts["stage"]) if "stage" in facts else "",
                "years": format_fact("years", facts["years"]) if "years" in facts else "",
                "evidence": evidence, "project_id": p}
        if not participants:
            rows.append({**base, "participant": "", "participant_type": "", "role": "", "key_people": "",
                         "participant_id": ""})
        for s, role in sorted(set(participants), key=lambda x: (g.nodes[x[0]]["name"], x[1])):
            people = []
            if g.nodes[s]["type"] == "ORG":
                for person, _, e in g.in_edges(s, data=True):
                    if e["type"] == "WORKS_AT" and g.nodes[person]["type"] == "PERSON":
                        post = f" ({e['role']})" if e.get("role") else ""
                        people.append(g.nodes[person]["name"] + post)
            rows.append({**base, "participant": g.nodes[s]["name"], "participant_type": g.nodes[s]["type"],
                         "role": role, "key_people": "; ".join(sorted(set(people))), "participant_id": s})
    rows.sort(key=lambda r: (r["project"].casefold(), r["participant"].casefold(), r["role"]))
    return [{c: r[c] for c in PROJECT_COLUMNS} for r in rows]


def region_of(g: nx.MultiDiGraph, place: str, seen: frozenset = frozenset()) -> list[str]:
    """The places a place lies in (PART_OF / LOCATED_IN upwards), itself first."""
    out = [place]
    for _, t, e in g.out_edges(place, data=True):
        if e["type"] in ("PART_OF", "LOCATED_IN") and t not in seen and g.nodes[t]["type"] == "LOC":
            out += region_of(g, t, seen | {place})
    return out


# --- paths and interlocks -----------------------------------------------------------------------

def edges_between(g: nx.MultiDiGraph, a: str, b: str) -> list[dict]:
    """Every edge joining a and b in either direction, with its evidence."""
    out = []
    for u, v in ((a, b), (b, a)):
        for k, d in (g.get_edge_data(u, v) or {}).items():
            out.append({"source": u, "target": v, "key": k, "type": d["type"], "role": d.get("role") or "",
                        "weight": d.get("weight", 1), "evidence": d.get("evidence", [])})
    return sorted(out, key=lambda e: (-e["weight"], e["type"], e["role"]))


def paths(g: nx.MultiDiGraph, a: str, b: str, max_hops: int = 3, limit: int = 10,
          avoid: Iterable[str] = ()) -> list[list[dict]]:
    """Shortest connections between a and b, up to `max_hops` edges each, shortest first (at most
    `limit`), avoiding the `avoid` nodes (hubs). Each path is a list of hops {source, target,
    edges: [{type, role, source, target, evidence}]}."""
    if a not in g or b not in g or a == b:
        return []
    avoid = set(avoid) - {a, b}
    simple = nx.Graph()
    simple.add_nodes_from(n for n in g if n not in avoid)
    simple.add_edges_from((u, v) for u, v in g.edges() if u not in avoid and v not in avoid and u != v)
    out = []
    try:
        for path in nx.shortest_simple_paths(simple, a, b):
            if len(path) - 1 > max_hops or len(out) >= limit:
                break
            out.append([{"source": u, "target": v, "edges": edges_between(g, u, v)} for u, v in zip(path, path[1:])])
    except nx.NetworkXNoPath:
        pass
    return out


def interlocks(g: nx.MultiDiGraph, node: str, limit: int = 30, via_types: tuple[str, ...] = ("ORG", "PROJECT", "PERSON"),
               avoid: Iterable[str] = ()) -> list[dict]:
    """Entities of the same type as `node` that share neighbours with it (a person's colleagues on
    boards and projects, an organisation's partners in projects and shared people), ranked by
    how many they share. Places are not interlocks (sharing a region says little), nor hubs."""
    if node not in g:
        return []
    kind = g.nodes[node]["type"]
    avoid = set(avoid)

    def neighbours(n: str) -> set[str]:
        return (set(g.successors(n)) | set(g.predecessors(n))) - {n}

    shared: dict[str, set[str]] = defaultdict(set)
    for via in neighbours(node):
        if via in avoid or g.nodes[via]["type"] not in via_types:
            continue
        for other in neighbours(via):
            if other != node and g.nodes[other]["type"] == kind:
                shared[other].add(via)
    rows = []
    for other, vias in shared.items():
        d = g.nodes[other]
        rows.append({"id": other, "name": d["name"], "type": d["type"], "shared": len(vias),
                     "via": "; ".join(sorted(g.nodes[v]["name"] for v in vias)), "via_ids": sorted(vias)})
    rows.sort(key=lambda r: (-r["shared"], r["name"]))
    return rows[:limit]


# --- an entity's relations, an article's content ----------------------------------------------

def relations_of(g: nx.MultiDiGraph, node: str) -> list[dict]:
    """Every edge at `node`: {other, other_name, other_type, type, role, direction, weight, evidence}."""
    out = []
    if node not in g:
        return out
    for _, v, k, d in g.out_edges(node, keys=True, data=True):
        out.append({"other": v, "direction": "out", "key": k, **_edge_row(g, v, d)})
    for u, _, k, d in g.in_edges(node, keys=True, data=True):
        out.append({"other": u, "direction": "in", "key": k, **_edge_row(g, u, d)})
    return sorted(out, key=lambda r: (r["type"], -r["weight"], r["other_name"]))


def _edge_row(g, other, d) -> dict:
    od = g.nodes[other]
    return {"other_name": od["name"], "other_type": od["type"], "type": d["type"], "role": d.get("role") or "",
            "weight": d.get("weight", 1), "evidence": d.get("evidence", [])}


def article_index(g: nx.MultiDiGraph) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Per article: its mentions {entity, type, name, start, stop, text} and the relations whose
    evidence comes from it {source, target, type, role, start, stop, sentence}."""
    mentions: dict[str, list[dict]] = defaultdict(list)
    for n, d in g.nodes(data=True):
        for m in d.get("mentions", []):
            mentions[m["article"]].append({"entity": n, "type": d["type"], "name": d["name"], "start": m["start"],
                                           "stop": m["stop"], "text": m.get("text", "")})
    relations: dict[str, list[dict]] = defaultdict(list)
    for u, v, d in g.edges(data=True):
        for ev in d.get("evidence", []):
            relations[ev["article"]].append({"source": u, "source_name": g.nodes[u]["name"], "target": v,
                                             "target_name": g.nodes[v]["name"], "type": d["type"],
                                             "role": d.get("role") or "", "start": ev["start"], "stop": ev["stop"],
                                             "sentence": ev.get("sentence", "")})
    for rows in mentions.values():
        rows.sort(key=lambda m: (m["start"], m["stop"]))
    for rows in relations.values():
        rows.sort(key=lambda r: (r["start"], r["type"]))
    return dict(mentions), dict(relations)


def mark_spans(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """Cut text into (piece, label) with non-overlapping spans (start, stop, label) labelled and the
    rest None; an overlapping span is dropped (the earlier, longer one wins)."""
    pieces, pos = [], 0
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


def type_counts(g: nx.MultiDiGraph) -> Counter:
    return Counter(d.get("type") for _, d in g.nodes(data=True))
