"""`investgraph export --format html`: a snapshot as one self-contained interactive page.

The page (static/snapshot.html) carries everything inline: Cytoscape.js (static/cytoscape.min.js,
the npm package's build, MIT), the graph as JSON, the manifest as JSON
(`<script id="investgraph-manifest">`) and a little script: nodes coloured and sized by type and
mentions (graph/schema.json), a legend, a search box, and a panel with a node's names and
articles or a relation's role, weight, confidence and evidence sentences. Its Content Security
Policy allows no network at all, so it opens the same anywhere, offline.

Entities only (no article nodes). Up to LAYOUT_LIMIT nodes are laid out force-directed (cose),
beyond that on a grid, which stays quick for thousands. Kept between passes: the articles.

A page is for looking at: it holds at most MAX_NODES entities and MAX_RELATIONS relations (a
browser lays out and draws every element; a page of a million relations would be hundreds of MB
of JSON no browser opens usably). A bigger snapshot is refused before anything is written
(`TooLarge`, `size_problem`: the counts of its manifest, or as counted while writing) with a message
naming the options that select a piece; GraphML or GEXF take the whole graph to Gephi.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from html import escape
from importlib import resources
from typing import IO, Any

from graph.model import SCHEMA, labels

from .base import Parts, TooLarge, evidence_articles, mention_articles, selection_text

LAYOUT_LIMIT = 400
MAX_NODES = 5_000
MAX_RELATIONS = 20_000
ARTICLES_SHOWN = 12  # per node
EVIDENCE_SHOWN = 5  # per relation
MARKERS = ("<!--MANIFEST-->", "<!--GRAPH-->", "<!--CYTOSCAPE-->")


def size_problem(entities: int, relations: int) -> str | None:
    """Why a snapshot of `entities` and `relations` cannot be an HTML page, or None."""
    if entities <= MAX_NODES and relations <= MAX_RELATIONS:
        return None
    return (f"an HTML page shows at most {MAX_NODES:,} entities and {MAX_RELATIONS:,} relations (a browser lays "
            f"out every one); this snapshot has {entities:,} entities and {relations:,} relations. Select a "
            "piece: --around NAME (--hops 1..3), --project NAME, --region NAME, --types, --relations, "
            "--min-weight, --since/--until; or export graphml or gexf for Gephi")


def check_size(manifest: dict[str, Any] | None, entities: int = 0, relations: int = 0) -> None:
    """TooLarge when the manifest's counts (or the counts so far) are beyond the page's limits."""
    counts = (manifest or {}).get("counts", {})
    found = size_problem(max(entities, int(counts.get("entities_total", 0))),
                         max(relations, int(counts.get("relations_total", 0))))
    if found:
        raise TooLarge(found)


def static(name: str) -> str:
    return resources.files("graph.formats").joinpath("static", name).read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no `</` to end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def node_size(mentions: int) -> float:
    return round(18 + 5 * min(mentions, 100) ** 0.5, 1)


def node_data(n: str, d: dict[str, Any], articles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    types = SCHEMA["entity_types"]
    kind = labels("project_kinds").get(d.get("kind") or "", d.get("kind") or "")
    shown = [articles[a] for a in mention_articles(d)[:ARTICLES_SHOWN] if a in articles]
    return {"id": n, "label": d.get("name") or n, "type": d.get("type"),
            "type_label": types.get(d.get("type"), {}).get("label", d.get("type")), "kind": kind,
            "color": types.get(d.get("type"), {}).get("color", "#999999"),
            "size": node_size(int(d.get("mention_count", len(d.get("mentions", []))))),
            "mentions": int(d.get("mention_count", len(d.get("mentions", [])))),
            "aliases": list(d.get("aliases", []))[:10],
            "articles": [{"title": a.get("title") or a["id"], "url": a.get("url") or "", "date": a.get("date") or ""}
                         for a in shown]}


def edge_data(u: str, v: str, k: str, d: dict[str, Any], articles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec = SCHEMA["relation_types"].get(d.get("type"), {})
    role = d.get("role") or ""
    evidence = [{"sentence": (e.get("sentence") or "")[:400], "url": articles.get(e["article"], {}).get("url") or "",
                 "date": articles.get(e["article"], {}).get("date") or ""}
                for e in d.get("evidence", [])[:EVIDENCE_SHOWN]]
    c = d.get("confidence")
    return {"id": f"e:{k}", "source": u, "target": v, "type": d.get("type"),
            "type_label": spec.get("label", d.get("type")), "color": spec.get("color", "#999999"),
            "role": labels("involvement_roles").get(role, role), "weight": int(d.get("weight", 1)),
            "confidence": None if c is None else float(c), "evidence": evidence,
            "articles": len(evidence_articles(d))}


def graph_json(parts: Parts, articles: dict[str, dict[str, Any]]) -> Iterator[str]:
    """The page's graph as JSON text, a node or an edge at a time."""
    present: set[str] = set()
    yield '{"nodes": ['
    for i, (n, d) in enumerate(parts.nodes()):
        check_size(None, entities=i + 1)
        present.add(str(d.get("type", "")))
        yield ("," if i else "") + script_json(node_data(n, d, articles))
    yield '], "edges": ['
    for i, (u, v, k, d) in enumerate(parts.edges()):
        check_size(None, relations=i + 1)
        yield ("," if i else "") + script_json(edge_data(u, v, k, d, articles))
    types = {t: {"label": s["label"], "color": s["color"]} for t, s in SCHEMA["entity_types"].items() if t in present}
    yield '], "types": ' + script_json(types) + ', "layout_limit": ' + str(LAYOUT_LIMIT) + "}"


def title_of(manifest: dict[str, Any] | None) -> str:
    return f"InvestGraph: {selection_text(manifest)}"


def pieces(parts: Parts) -> Iterable[str]:
    check_size(parts.manifest)
    page = static("snapshot.html").replace("<!--TITLE-->", escape(title_of(parts.manifest)))
    head, rest = page.split(MARKERS[0])
    yield head
    yield "" if parts.manifest is None else script_json(parts.manifest)
    middle, rest = rest.split(MARKERS[1])
    yield middle
    yield from graph_json(parts, {a["id"]: a for a in parts.articles()})
    middle, tail = rest.split(MARKERS[2])
    yield middle
    yield static("cytoscape.min.js")
    yield tail


def write(parts: Parts, out: IO[bytes]) -> None:
    for piece in pieces(parts):
        out.write(piece.encode("utf-8"))


def read_manifest(text: str) -> dict[str, Any] | None:
    """The manifest of a page this module wrote, or None."""
    start = text.find('<script type="application/json" id="investgraph-manifest">')
    if start < 0:
        return None
    body = text[text.index(">", start) + 1:text.index("</script>", start)]
    return json.loads(body) if body.strip() else None
