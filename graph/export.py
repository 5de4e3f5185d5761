"""Export a graph snapshot: GraphML and GEXF (Gephi), node-link JSON, CSV tables.

Every format starts from the same networkx MultiDiGraph (`Store.snapshot()` or a
neighbourhood), so the CLI and the app export through this one module.
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
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from . import formats
from .confidence import confident
from .formats.base import graph_parts
from .formats.gephi import styled

FORMATS = ("graphml", "gexf", "json", "csv")
EXPORT_FORMATS = FORMATS + formats.NAMES
ARTICLE, MENTIONED_IN = "ARTICLE", "MENTIONED_IN"
ARTICLES_BY_DEFAULT = {"graphml": True, "gexf": True, "csv": False, "json": False}


def with_articles(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with each article of the snapshot as a node and a MENTIONED_IN edge from each entity
    to each article that mentions it. An article id that is also an entity id gets "article:" first."""
    out = g.copy()
    ids = {}
    for a in g.graph.get("articles", []):
        node = a["id"] if a["id"] not in g else f"article:{a['id']}"
        ids[a["id"]] = node
        out.add_node(node, type=ARTICLE, name=a.get("title") or a["id"], kind="", aliases=[], facts={},
                     mention_count=0, url=a.get("url") or "", date=a.get("date") or "", source=a.get("source") or "")
    for n, d in g.nodes(data=True):
        counts: dict[str, int] = {}
        for m in d.get("mentions", []):
            counts[m["article"]] = counts.get(m["article"], 0) + 1
        for article, count in counts.items():
            if (node := ids.get(article)) is not None:
                out.add_edge(n, node, key=f"{MENTIONED_IN}:{n}@{article}", type=MENTIONED_IN, role="", weight=count,
                             evidence_count=0)
                out.nodes[node]["mention_count"] += count
    return out


def above_confidence(g: nx.MultiDiGraph, minimum: float | None) -> nx.MultiDiGraph:
    """The graph without the edges whose confidence is below `minimum` (a read-only view; the
    same graph for no minimum). Every node stays, and so do edges without a confidence."""
    if not minimum:
        return g
    return nx.subgraph_view(g, filter_edge=lambda u, v, k: confident(g.edges[u, v, k].get("confidence"), minimum))


def flat_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only scalar attributes, as GraphML and GEXF require."""
    flat = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        flat.add_node(n, type=d.get("type", ""), name=d.get("name", ""), kind=d.get("kind") or "",
                      aliases="; ".join(d.get("aliases", [])),
                      facts=json.dumps(d.get("facts", {}), ensure_ascii=False) if d.get("facts") else "",
                      mention_count=int(d.get("mention_count", len(d.get("mentions", [])))),
                      label=d.get("name", ""),
                      **{k: d[k] for k in ("url", "date", "source") if d.get("type") == ARTICLE})
    for u, v, k, d in g.edges(keys=True, data=True):
        flat.add_edge(u, v, key=k, type=d.get("type", ""), role=d.get("role") or "",
                      weight=int(d.get("weight", 1)),
                      evidence_count=int(d.get("evidence_count", len(d.get("evidence", [])))),
                      label=d.get("type", "") + (f" ({d['role']})" if d.get("role") else ""),
                      # GraphML and GEXF take no None: a relation made by rules alone has no attribute
                      **({"confidence": float(d["confidence"])} if d.get("confidence") is not None else {}))
    return flat


def to_json(g: nx.MultiDiGraph) -> dict:
    articles = [{k: a.get(k, "") for k in ("id", "source", "title", "url", "date")}
                for a in g.graph.get("articles", [])]
    nodes = []
    for n, d in g.nodes(data=True):
        node = {"id": n, "type": d.get("type"), "name": d.get("name"), "aliases": d.get("aliases", [])}
        if d.get("kind"):
            node["kind"] = d["kind"]
        if d.get("facts"):
            node["facts"] = d["facts"]
        node["mention_count"] = d.get("mention_count", len(d.get("mentions", [])))
        node["mentions"] = [{"article": m["article"], "start": m["start"], "stop": m["stop"],
                             **({"text": m["text"]} if "text" in m else {})} for m in d.get("mentions", [])]
        nodes.append(node)
    edges = []
    for u, v, k, d in g.edges(keys=True, data=True):
        edge = {"id": k, "source": u, "target": v, "type": d.get("type")}
        if d.get("role"):
            edge["role"] = d["role"]
        edge["weight"] = d.get("weight", 1)
        edge["confidence"] = d.get("confidence")
        edge["evidence"] = [{"article": e["article"], "start": e["start"], "stop": e["stop"],
                             "sentence": e.get("sentence", ""), "confidence": e.get("confidence")}
                            for e in d.get("evidence", [])]
        edges.append(edge)
    return {"articles": articles, "nodes": nodes, "edges": edges}


def csv_tables(g: nx.MultiDiGraph) -> dict[str, str]:
    """nodes.csv, edges.csv and articles.csv as text."""
    flat = flat_graph(g)
    tables = {}
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "type", "name", "kind", "aliases", "mention_count", "facts"])
    for n, d in flat.nodes(data=True):
        w.writerow([n, d["type"], d["name"], d["kind"], d["aliases"], d["mention_count"], d["facts"]])
    tables["nodes.csv"] = out.getvalue()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "source", "target", "type", "role", "weight", "evidence_count", "confidence"])
    for u, v, k, d in flat.edges(keys=True, data=True):
        w.writerow([k, u, v, d["type"], d["role"], d["weight"], d["evidence_count"], d.get("confidence", "")])
    tables["edges.csv"] = out.getvalue()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "source", "title", "url", "date"])
    for a in g.graph.get("articles", []):
        w.writerow([a.get(k, "") for k in ("id", "source", "title", "url", "date")])
    tables["articles.csv"] = out.getvalue()
    return tables


def evidence_tables(g: nx.MultiDiGraph) -> dict[str, str]:
    """mentions.csv and evidence.csv as text: what makes a CSV snapshot readable back."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["entity", "article", "start", "stop", "text"])
    for n, d in g.nodes(data=True):
        for m in d.get("mentions", []):
            w.writerow([n, m["article"], m["start"], m["stop"], m.get("text", "")])
    tables = {"mentions.csv": out.getvalue()}
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["relation", "article", "start", "stop", "sentence", "confidence"])
    for _, _, k, d in g.edges(keys=True, data=True):
        for e in d.get("evidence", []):
            c = e.get("confidence")
            w.writerow([k, e["article"], e["start"], e["stop"], e.get("sentence", ""), "" if c is None else c])
    tables["evidence.csv"] = out.getvalue()
    return tables


def snapshot_tables(g: nx.MultiDiGraph, fmt_g: nx.MultiDiGraph, manifest: dict[str, Any] | None) -> dict[str, str]:
    """The CSV files: nodes, edges and articles of `fmt_g` (with article nodes when asked); for a
    snapshot also mentions and evidence of `g` and manifest.json."""
    tables = csv_tables(fmt_g)
    if manifest is not None:
        tables.update(evidence_tables(g))
        tables[MANIFEST_FILE] = manifest_text(manifest)
    return tables


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"


def with_gexf_manifest(xml: str, manifest: dict[str, Any]) -> str:
    """GEXF text with the manifest (JSON) as its meta description, where Gephi shows a graph's notes."""
    description = f"<description>{escape(json.dumps(manifest, ensure_ascii=False))}</description>"
    if "</meta>" in xml:
        return xml.replace("</meta>", f"{description}</meta>", 1)
    head, sep, rest = xml.partition("<graph ")
    return f"{head}<meta>{description}</meta>{sep}{rest}"


def for_format(g: nx.MultiDiGraph, fmt: str, articles: bool | None) -> nx.MultiDiGraph:
    """The graph to write: with article nodes when asked, or by default for the format (never for json)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}' (use {', '.join(FORMATS)})")
    wanted = ARTICLES_BY_DEFAULT[fmt] if articles is None else articles
    return with_articles(g) if wanted and fmt != "json" else g


def export_bytes(g: nx.MultiDiGraph, fmt: str, articles: bool | None = None,
                 min_confidence: float | None = None, manifest: dict[str, Any] | None = None) -> bytes:
    """The graph in one format as bytes (CSV comes as a zip of three tables); `articles`: article
    nodes and MENTIONED_IN edges (None: the format's default, on for graphml and gexf);
    `min_confidence`: leave out the relations below it (above_confidence); `manifest`: a
    snapshot's, written into the file (see the module docstring)."""
    g = above_confidence(g, min_confidence)
    if fmt in formats.NAMES:
        return formats.to_bytes(fmt, graph_parts(g, manifest), bool(articles))
    fg = for_format(g, fmt, articles)
    if fmt == "graphml":
        flat = styled(flat_graph(fg), fmt)
        if manifest is not None:
            flat.graph["manifest"] = json.dumps(manifest, ensure_ascii=False)
        return "\n".join(nx.generate_graphml(flat)).encode("utf-8")
    if fmt == "gexf":
        flat = flat_graph(fg)
        for _, _, d in flat.edges(data=True):
            d["relation"] = d.pop("type")  # GEXF reserves an edge's `type` for directed/undirected/mutual
        styled(flat, fmt, type_key="relation")
        xml = "\n".join(nx.generate_gexf(flat))
        return (xml if manifest is None else with_gexf_manifest(xml, manifest)).encode("utf-8")
    if fmt == "json":
        data = to_json(g) if manifest is None else {"manifest": manifest, **to_json(g)}
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "csv":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in snapshot_tables(g, fg, manifest).items():
                z.writestr(name, text)
        return buf.getvalue()
    raise ValueError(f"unknown export format '{fmt}' (use {', '.join(FORMATS)})")


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


def write_atomically(path: Path, data: bytes) -> None:
    """A regular file is written beside itself and renamed into place: a failed write (disk full)
    leaves no half-written export, and an old file stays whole. Anything else (a device) directly."""
    if path.exists() and not path.is_file():
        path.write_bytes(data)
        return
    part = path.with_name(f".{path.name}.part")
    try:
        part.write_bytes(data)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


def export(g: nx.MultiDiGraph, fmt: str, path: Path, articles: bool | None = None,
           min_confidence: float | None = None, manifest: dict[str, Any] | None = None) -> list[Path]:
    """Write the graph to `path`; for CSV a folder (or a .zip) with nodes, edges and articles
    (and for a snapshot mentions, evidence and manifest.json). `articles`, `min_confidence` and
    `manifest` as for export_bytes. OSError if it cannot be written (see output_problem first)."""
    path = Path(path)
    g = above_confidence(g, min_confidence)
    if fmt in formats.NAMES:
        return formats.write(fmt, graph_parts(g, manifest), path, bool(articles))
    if fmt == "csv" and csv_as_folder(path):
        path.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in snapshot_tables(g, for_format(g, fmt, articles), manifest).items():
            write_atomically(path / name, text.encode("utf-8"))
            written.append(path / name)
        return written
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, export_bytes(g, fmt, articles, manifest=manifest))  # g is filtered already
    return [path]
