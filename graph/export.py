"""Export a graph snapshot: GraphML and GEXF (Gephi), node-link JSON, CSV tables.

Every format writes a snapshot's `Parts` (graph.formats.base: re-iterable articles, nodes and
edges, and the manifest) item by item: the parts of a networkx graph (`export(g, ...)`: a
selection, a neighbourhood) or the whole graph read from the store a page at a time
(graph.snapshot_stream, `export_parts`), so that exporting a large graph keeps its memory
bounded; the CLI and the app export through this one module. GraphML and GEXF are the text
networkx's writers give (graph.formats.graphml, graph.formats.gexf), JSON the text json.dumps
gives with indent=1.
GraphML and GEXF (and CSV on request) show articles as nodes too, type ARTICLE, with a
MENTIONED_IN edge from each entity to each article naming it (weight: its mentions there),
as the Neo4j store keeps them.
The JSON format is a contract (the resolution scorer reads it):
  {"articles": [{"id", "source", "title", "url", "date"}],
   "nodes": [{"id", "type", "name", "aliases", "kind"?, "mentions": [{"article", "start", "stop"}]}],
   "edges": [{"source", "target", "type", "role"?, "weight", "confidence",
              "evidence": [{"article", "start", "stop"}]}]}
An edge's `confidence` is the highest of its evidence's (0..1), null for a relation made by rules
alone; GraphML and GEXF give it as the edge attribute `confidence` (absent for rules alone), CSV
as the last column of edges.csv (empty for rules alone). `min_confidence` leaves out the edges
below it (never those without a confidence: rules are not filtered), in every format.

Beyond the contract's keys, JSON gives each mention its `text` and each evidence sentence its own
`confidence` (null for rules alone), so that `investgraph import` can rebuild the graph from it.

A snapshot (graph.snapshot) passes its `manifest`: JSON puts it under a top-level "manifest" key,
GraphML as the graph's `manifest` data (JSON text), GEXF as the meta description (JSON text), CSV
as manifest.json beside the tables, with two more tables that make CSV readable back:
mentions.csv (entity, article, start, stop, text) and evidence.csv (relation, article, start,
stop, sentence, confidence). Without a manifest every format is as before.

GraphML and GEXF carry Gephi's colours and sizes by type (graph.formats.gephi). The other formats
(`investgraph export --format neo4j-admin|cypher|ftm|html|png|svg`) live in graph.formats, one
module each; `export` and `export_bytes` hand them over (EXPORT_FORMATS lists all).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import networkx as nx

from . import formats
from .confidence import confident
from .formats import gexf, graphml
from .formats.base import (
    ARTICLE_FIELDS,
    Edge,
    Members,
    Node,
    Parts,
    atomic_file,
    graph_parts,
    members_bytes,
    write_members,
)
from .formats.base import manifest_text as manifest_text
from .formats.gephi import style_edge, style_node

FORMATS = ("graphml", "gexf", "json", "csv")
EXPORT_FORMATS = FORMATS + formats.NAMES
ARTICLE, MENTIONED_IN = "ARTICLE", "MENTIONED_IN"
ARTICLES_BY_DEFAULT = {"graphml": True, "gexf": True, "csv": False, "json": False}
STREAMED = ("json", "csv", "graphml", "gexf", "neo4j-admin", "cypher", "ftm")  # written as read


def above_confidence(g: nx.MultiDiGraph, minimum: float | None) -> nx.MultiDiGraph:
    """The graph without the edges whose confidence is below `minimum` (a read-only view; the
    same graph for no minimum). Every node stays, and so do edges without a confidence."""
    if not minimum:
        return g
    return nx.subgraph_view(g, filter_edge=lambda u, v, k: confident(g.edges[u, v, k].get("confidence"), minimum))


def flat_node(d: dict) -> dict:
    """A node's attributes as scalars, as GraphML, GEXF and CSV take them."""
    return dict(type=d.get("type", ""), name=d.get("name", ""), kind=d.get("kind") or "",
                aliases="; ".join(d.get("aliases", [])),
                facts=json.dumps(d.get("facts", {}), ensure_ascii=False) if d.get("facts") else "",
                mention_count=int(d.get("mention_count", len(d.get("mentions", [])))),
                label=d.get("name", ""),
                **{k: d[k] for k in ("url", "date", "source") if d.get("type") == ARTICLE})


def flat_edge(d: dict) -> dict:
    """An edge's attributes as scalars (no confidence for a relation made by rules alone)."""
    return dict(type=d.get("type", ""), role=d.get("role") or "", weight=int(d.get("weight", 1)),
                evidence_count=int(d.get("evidence_count", len(d.get("evidence", [])))),
                label=d.get("type", "") + (f" ({d['role']})" if d.get("role") else ""),
                # GraphML and GEXF take no None: a relation made by rules alone has no attribute
                **({"confidence": float(d["confidence"])} if d.get("confidence") is not None else {}))


def flat_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only scalar attributes, as GraphML and GEXF require."""
    return flat_of(graph_parts(g))


def flat_of(parts: Parts) -> nx.MultiDiGraph:
    """The parts as a networkx graph with only scalar attributes (what networkx's writers take)."""
    flat = nx.MultiDiGraph()
    for n, d in parts.nodes():
        flat.add_node(n, **flat_node(d))
    for u, v, k, d in parts.edges():
        flat.add_edge(u, v, key=k, **flat_edge(d))
    return flat


def article_json(a: dict) -> dict:
    return {k: a.get(k, "") for k in ("id", "source", "title", "url", "date")}


def node_json(n: str, d: dict) -> dict:
    """A node as the JSON format gives it."""
    node = {"id": n, "type": d.get("type"), "name": d.get("name"), "aliases": d.get("aliases", [])}
    if d.get("kind"):
        node["kind"] = d["kind"]
    if d.get("facts"):
        node["facts"] = d["facts"]
    node["mention_count"] = d.get("mention_count", len(d.get("mentions", [])))
    node["mentions"] = [{"article": m["article"], "start": m["start"], "stop": m["stop"],
                         **({"text": m["text"]} if "text" in m else {})} for m in d.get("mentions", [])]
    return node


def edge_json(u: str, v: str, k: str, d: dict) -> dict:
    """An edge as the JSON format gives it."""
    edge = {"id": k, "source": u, "target": v, "type": d.get("type")}
    if d.get("role"):
        edge["role"] = d["role"]
    edge["weight"] = d.get("weight", 1)
    edge["confidence"] = d.get("confidence")
    edge["evidence"] = [{"article": e["article"], "start": e["start"], "stop": e["stop"],
                         "sentence": e.get("sentence", ""), "confidence": e.get("confidence")}
                        for e in d.get("evidence", [])]
    return edge


def to_json(g: nx.MultiDiGraph) -> dict:
    return {"articles": [article_json(a) for a in g.graph.get("articles", [])],
            "nodes": [node_json(n, d) for n, d in g.nodes(data=True)],
            "edges": [edge_json(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)]}


def gexf_description(manifest: dict[str, Any]) -> str:
    """The manifest (JSON) as GEXF's meta description, where Gephi shows a graph's notes."""
    return f"<description>{escape(json.dumps(manifest, ensure_ascii=False))}</description>"


CSV_TABLES = ("nodes.csv", "edges.csv", "articles.csv")
MANIFEST_FILE = "manifest.json"
SNAPSHOT_FILES = CSV_TABLES + ("mentions.csv", "evidence.csv", MANIFEST_FILE)


def csv_as_folder(path: Path) -> bool:
    """CSV goes to a folder of three tables unless the path names a .zip."""
    return path.suffix.lower() != ".zip"


def output_problem(fmt: str, path: Path, force: bool = False) -> str | None:
    """Why `export(g, fmt, path)` must not write there, or None: a folder where a file goes, a
    file where CSV's folder goes, a CSV folder named like a file (new.csv: give a folder or a
    .zip), an existing file (or CSV table) without `force`. Devices (/dev/stdout) are written."""
    path = Path(path)
    if fmt in formats.NAMES:
        return formats.output_problem(fmt, path, force)
    if fmt == "csv" and csv_as_folder(path):
        if path.exists() and not path.is_dir():
            return f"{path} is a file; CSV export writes a folder of {', '.join(CSV_TABLES)} or a .zip"
        if not path.exists() and path.suffix:
            return (f"CSV export writes three tables ({', '.join(CSV_TABLES)}): give a folder or a name "
                    f"ending in .zip, not {path.name}")
        taken = [path / name for name in SNAPSHOT_FILES if (path / name).exists()]
        if taken and not force:
            return f"{taken[0]} exists; use --force to overwrite"
        return None
    if path.is_dir():
        return f"{path} is a folder; give a file name"
    if path.is_file() and not force:
        return f"{path} exists; use --force to overwrite"
    return None


def article_parts(parts: Parts) -> Parts:
    """The parts with each article as a node too (type ARTICLE, after the entities) and a
    MENTIONED_IN edge from each entity to each article that mentions it (weight: its mentions
    there), after the entity's own edges. An article id that is also an entity id gets "article:"
    first. Keeps per article its node id and mention count; edges must come grouped by source in
    node order (as networkx and graph.snapshot_stream give them)."""
    known: dict[str, Any] = {}

    def tally() -> tuple[dict[str, str], dict[str, int]]:
        if not known:
            ids = {a["id"]: a["id"] for a in parts.articles()}
            counts = dict.fromkeys(ids, 0)
            for n, d in parts.nodes():
                if n in ids:
                    ids[n] = f"article:{n}"
                for m in d.get("mentions", []):
                    if m["article"] in counts:
                        counts[m["article"]] += 1
            known.update(ids=ids, counts=counts)
        return known["ids"], known["counts"]

    def nodes() -> Iterator[Node]:
        ids, counts = tally()
        yield from parts.nodes()
        for a in parts.articles():
            yield ids[a["id"]], dict(type=ARTICLE, name=a.get("title") or a["id"], kind="", aliases=[], facts={},
                                     mention_count=counts[a["id"]], url=a.get("url") or "",
                                     date=a.get("date") or "", source=a.get("source") or "")

    def edges() -> Iterator[Edge]:
        ids, _ = tally()
        if parts.pages is None:
            yield from interleaved(parts.nodes(), parts.edges(), ids)
            return
        for nodes, edges in parts.pages():
            yield from interleaved(nodes, edges, ids)
    return Parts(articles=parts.articles, nodes=nodes, edges=edges, manifest=parts.manifest)


def interleaved(nodes: Iterable[Node], edges: Iterable[Edge], ids: dict[str, str]) -> Iterator[Edge]:
    """Each node's edges (`edges` grouped by source in node order), then its MENTIONED_IN edges."""
    rest = iter(edges)
    pending = next(rest, None)
    for n, d in nodes:
        while pending is not None and pending[0] == n:
            yield pending
            pending = next(rest, None)
        yield from mentioned_in(n, d, ids)
    if pending is not None:
        yield pending
        yield from rest


def mentioned_in(n: str, d: dict, ids: dict[str, str]) -> Iterator[Edge]:
    """The MENTIONED_IN edges of node `n` to the article nodes (`ids`: article id -> node id)."""
    counts: dict[str, int] = {}
    for m in d.get("mentions", []):
        counts[m["article"]] = counts.get(m["article"], 0) + 1
    for article, count in counts.items():
        if (node := ids.get(article)) is not None:
            yield n, node, f"{MENTIONED_IN}:{n}@{article}", dict(type=MENTIONED_IN, role="", weight=count,
                                                                   evidence_count=0)


def with_articles(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the graph with article nodes and MENTIONED_IN edges (article_parts)."""
    parts = article_parts(graph_parts(g))
    out = nx.MultiDiGraph()
    out.graph.update(g.graph)
    out.add_nodes_from(parts.nodes())
    out.add_edges_from(parts.edges())
    return out


def for_format(parts: Parts, fmt: str, articles: bool | None) -> Parts:
    """The parts to write: with article nodes when asked, or by default for the format (never for json)."""
    wanted = ARTICLES_BY_DEFAULT[fmt] if articles is None else articles
    return article_parts(parts) if wanted and fmt != "json" else parts


def json_lines(value: Any, depth: int) -> str:
    """json.dumps(value, indent=1) as it reads at `depth` inside an indent=1 document."""
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * depth)


def write_json(parts: Parts, out: IO[str]) -> None:
    """The JSON format, item by item: the text json.dumps(data, ensure_ascii=False, indent=1) gives."""
    out.write("{")
    sections: list[tuple[str, Iterable[Any]]] = [
        ("articles", (article_json(a) for a in parts.articles())),
        ("nodes", (node_json(n, d) for n, d in parts.nodes())),
        ("edges", (edge_json(u, v, k, d) for u, v, k, d in parts.edges()))]
    if parts.manifest is not None:
        out.write('\n "manifest": ' + json_lines(parts.manifest, 1) + ",")
    for i, (name, items) in enumerate(sections):
        out.write(("," if i else "") + f'\n "{name}": [')
        count = 0
        for item in items:
            out.write(("," if count else "") + "\n  " + json_lines(item, 2))
            count += 1
        out.write("\n ]" if count else "]")
    out.write("\n}")


def write_csv(parts: Parts, fmt_parts: Parts, members: Members) -> None:
    """The CSV tables of `fmt_parts` (with article nodes when asked); for a snapshot (a manifest)
    also the mentions and evidence of `parts` and manifest.json."""
    tables: list[tuple[str, list[str], Iterable[list[Any]]]] = [
        ("nodes.csv", ["id", "type", "name", "kind", "aliases", "mention_count", "facts"],
         ([n, f["type"], f["name"], f["kind"], f["aliases"], f["mention_count"], f["facts"]]
          for n, d in fmt_parts.nodes() for f in (flat_node(d),))),
        ("edges.csv", ["id", "source", "target", "type", "role", "weight", "evidence_count", "confidence"],
         ([k, u, v, f["type"], f["role"], f["weight"], f["evidence_count"], f.get("confidence", "")]
          for u, v, k, d in fmt_parts.edges() for f in (flat_edge(d),))),
        ("articles.csv", list(ARTICLE_FIELDS), ([a.get(k, "") for k in ARTICLE_FIELDS] for a in parts.articles()))]
    if parts.manifest is not None:
        tables += [("mentions.csv", ["entity", "article", "start", "stop", "text"],
                    ([n, m["article"], m["start"], m["stop"], m.get("text", "")]
                     for n, d in parts.nodes() for m in d.get("mentions", []))),
                   ("evidence.csv", ["relation", "article", "start", "stop", "sentence", "confidence"],
                    ([k, e["article"], e["start"], e["stop"], e.get("sentence", ""),
                      "" if e.get("confidence") is None else e["confidence"]]
                     for _, _, k, d in parts.edges() for e in d.get("evidence", [])))]
    for name, header, rows in tables:
        with members.text(name) as out:
            w = csv.writer(out)
            w.writerow(header)
            w.writerows(rows)
    if parts.manifest is not None:
        with members.text(MANIFEST_FILE) as out:
            out.write(manifest_text(parts.manifest))


def write_xml(parts: Parts, fmt: str, out: IO[bytes]) -> None:
    """GraphML or GEXF with Gephi's styles and the manifest (networkx's writers)."""
    if fmt == "graphml":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        graphml.write(lambda: ((n, style_node(flat_node(d), fmt)) for n, d in parts.nodes()),
                      lambda: ((u, v, k, style_edge(flat_edge(d), fmt)) for u, v, k, d in parts.edges()),
                      {} if parts.manifest is None else {"manifest": json.dumps(parts.manifest, ensure_ascii=False)},
                      text)
        text.flush()
        text.detach()
        return
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    gexf.write(lambda: ((n, style_node(flat_node(d), fmt)) for n, d in parts.nodes()),
               lambda: ((u, v, k, style_edge(gexf_edge(d), fmt, type_key="relation")) for u, v, k, d in parts.edges()),
               None if parts.manifest is None else gexf_description(parts.manifest), text)
    text.flush()
    text.detach()


def gexf_edge(d: dict) -> dict:
    flat = flat_edge(d)
    flat["relation"] = flat.pop("type")  # GEXF reserves an edge's `type` for directed/undirected/mutual
    return flat


def check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format '{fmt}' (use {', '.join(EXPORT_FORMATS)})")


def write_file(parts: Parts, fmt: str, out: IO[bytes], articles: bool | None) -> None:
    """One of graphml, gexf and json to a binary file."""
    if fmt == "json":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        write_json(parts, text)
        text.flush()
        text.detach()
        return
    write_xml(for_format(parts, fmt, articles), fmt, out)


def export_parts(parts: Parts, fmt: str, path: Path, articles: bool | None = None) -> list[Path]:
    """Write a snapshot's parts (a networkx graph's, graph.formats.base.graph_parts, or a store's
    read a page at a time, graph.snapshot_stream.store_parts) to `path`, the manifest in
    `parts.manifest`; see `export`."""
    check_format(fmt)
    path = Path(path)
    if fmt in formats.NAMES:
        return formats.write(fmt, parts, path, bool(articles))
    if fmt == "csv":
        return write_members(path, lambda members: write_csv(parts, for_format(parts, fmt, articles), members))
    with atomic_file(path) as out:
        write_file(parts, fmt, out, articles)
    return [path]


def export_parts_bytes(parts: Parts, fmt: str, articles: bool | None = None) -> bytes:
    """A snapshot's parts in one format as bytes (CSV and neo4j-admin as a zip); see `export_bytes`."""
    check_format(fmt)
    if fmt in formats.NAMES:
        return formats.to_bytes(fmt, parts, bool(articles))
    if fmt == "csv":
        return members_bytes(lambda members: write_csv(parts, for_format(parts, fmt, articles), members))
    out = io.BytesIO()
    write_file(parts, fmt, out, articles)
    return out.getvalue()


def export_bytes(g: nx.MultiDiGraph, fmt: str, articles: bool | None = None,
                 min_confidence: float | None = None, manifest: dict[str, Any] | None = None) -> bytes:
    """The graph in one format as bytes (CSV comes as a zip of its tables); `articles`: article
    nodes and MENTIONED_IN edges (None: the format's default, on for graphml and gexf);
    `min_confidence`: leave out the relations below it (above_confidence); `manifest`: a
    snapshot's, written into the file (see the module docstring)."""
    return export_parts_bytes(graph_parts(above_confidence(g, min_confidence), manifest), fmt, articles)


def export(g: nx.MultiDiGraph, fmt: str, path: Path, articles: bool | None = None,
           min_confidence: float | None = None, manifest: dict[str, Any] | None = None) -> list[Path]:
    """Write the graph to `path`; for CSV a folder (or a .zip) with nodes, edges and articles
    (and for a snapshot mentions, evidence and manifest.json). `articles`, `min_confidence` and
    `manifest` as for export_bytes. OSError if it cannot be written (see output_problem first)."""
    return export_parts(graph_parts(above_confidence(g, min_confidence), manifest), fmt, Path(path), articles)
