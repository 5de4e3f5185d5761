"""`investgraph export --format png|svg`: a picture of a snapshot for reports, drawn with matplotlib
over a networkx layout (spring, seeded: the same snapshot gives the same picture).

Entities only: nodes coloured by type and sized by mentions, relations as lines coloured by type
(colours and labels from graph/schema.json), the names of the best-connected nodes (all of them for
a small selection), a legend of the types present and the selection as the title. In SVG each type's
nodes are one group, `<g id="nodes-TYPE">`, with one element per node; text stays text.
The manifest goes inside: PNG as the text chunk `investgraph-manifest`, SVG as the Dublin Core
description in its <metadata>.

A picture is for reading: it draws at most MAX_DRAWN nodes, the best connected (the most
relations, then the most mentioned), with the relations among them, and its title says how many of
the selection's nodes it shows. That also bounds the layout (networkx's force-directed layout is
quadratic; up to 500 nodes it runs on dense arrays in about a second). Choosing them keeps a count
of relations per node and the chosen nodes, not the selection's edges (picture_graph).
"""
from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

import networkx as nx

from graph.model import SCHEMA

from .base import Parts, selection_text

PNG_KEY = "investgraph-manifest"
LABELS_SHOWN = 30
ALL_LABELS_UP_TO = 40
MAX_DRAWN = 499  # networkx lays out fewer than 500 nodes with dense arrays, many times faster
DPI = 150


def picture_graph(parts: Parts) -> nx.Graph:
    """What the picture draws: the selection's nodes, or the MAX_DRAWN best connected (the most
    relations, loops aside; then the most mentioned; then by id), in the selection's order, with
    the relations among them as a plain graph (one line for the relations between two nodes).
    graph["relations"] counts all the selection's relations, graph["selected"] its nodes.

    Two passes over the edges and one over the nodes; kept between them: a count of relations per
    node and the chosen nodes, never the selection's edges."""
    degree: Counter[str] = Counter()
    relations = 0
    for u, v, _, _d in parts.edges():
        relations += 1
        if u != v:
            degree[u] += 1
            degree[v] += 1
    selected, chosen = 0, []

    def each() -> Iterator[tuple[int, str, str, str, int]]:
        nonlocal selected
        for i, (n, d) in enumerate(parts.nodes()):
            selected = i + 1
            yield i, n, d.get("type", ""), d.get("name") or n, int(d.get("mention_count", len(d.get("mentions", []))))
    chosen = heapq.nsmallest(MAX_DRAWN, each(), key=lambda c: (-degree[c[1]], -c[4], c[1]))
    g = nx.Graph(relations=relations, selected=selected)
    for _, n, type_, name, mentions in sorted(chosen):
        g.add_node(n, type=type_, name=name, mentions=mentions)
    for u, v, _, d in parts.edges():
        if u in g and v in g and u != v:
            g.add_edge(u, v, type=d.get("type", ""))
    return g


def layout(g: nx.Graph) -> dict[str, Any]:
    if g.number_of_nodes() == 0:
        return {}
    return nx.spring_layout(g, seed=7, iterations=100, k=3 / max(g.number_of_nodes(), 1) ** 0.5)


def labelled(g: nx.Graph) -> list[str]:
    """The nodes whose names are drawn: all of a small picture, else the best connected."""
    if g.number_of_nodes() <= ALL_LABELS_UP_TO:
        return list(g)
    return sorted(g, key=lambda n: (-g.degree(n), -g.nodes[n]["mentions"], n))[:LABELS_SHOWN]


def title_of(manifest: dict[str, Any] | None, g: nx.Graph) -> str:
    shown = g.number_of_nodes()
    nodes = f"{shown} узлов" if shown == g.graph["selected"] else f"показаны {shown} из {g.graph['selected']} узлов"
    return f"InvestGraph — {selection_text(manifest)} ({nodes}, {g.graph['relations']} связей)"


def figure(g: nx.Graph, manifest: dict[str, Any] | None):
    """The picture as a matplotlib Figure (no pyplot: no global state)."""
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    side = min(24.0, max(8.0, 4 + 0.35 * g.number_of_nodes() ** 0.5))
    fig = Figure(figsize=(side, side * 0.75), dpi=DPI)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.93))
    ax.set_axis_off()
    fig.suptitle(title_of(manifest, g), fontsize=11)
    pos = layout(g)
    rel_colors = {t: s["color"] for t, s in SCHEMA["relation_types"].items()}
    lines = [(pos[u], pos[v]) for u, v in g.edges()]
    if lines:
        ax.add_collection(LineCollection(lines, colors=[rel_colors.get(d["type"], "#999999")
                                                        for _, _, d in g.edges(data=True)],
                                         linewidths=0.8, alpha=0.5, zorder=1))
    for type_, spec in SCHEMA["entity_types"].items():
        nodes = [n for n in g if g.nodes[n]["type"] == type_]
        if not nodes:
            continue
        points = ax.scatter([pos[n][0] for n in nodes], [pos[n][1] for n in nodes],
                            s=[30 + 12 * min(g.nodes[n]["mentions"], 50) ** 0.5 for n in nodes],
                            c=spec["color"], edgecolors="white", linewidths=0.6, zorder=2, label=spec["label"])
        points.set_gid(f"nodes-{type_}")
    for n in labelled(g):
        ax.annotate(g.nodes[n]["name"], pos[n], fontsize=7, xytext=(0, -9), textcoords="offset points",
                    ha="center", va="top", zorder=3)
    if g.number_of_nodes():
        ax.legend(loc="upper left", fontsize=8, frameon=False, markerscale=0.8)
        ax.autoscale_view()
        ax.margins(0.06)
    else:
        ax.text(0.5, 0.5, "пустой снимок", ha="center", va="center", transform=ax.transAxes)
    return fig


def write(parts: Parts, out: IO[bytes], fmt: str) -> None:
    """The picture as PNG or SVG (`fmt`), the manifest inside."""
    from matplotlib import rc_context
    g = picture_graph(parts)
    manifest = json.dumps(parts.manifest, ensure_ascii=False) if parts.manifest is not None else None
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "investgraph", "font.family": "DejaVu Sans"}):
        fig = figure(g, parts.manifest)
        meta: dict[str, str | None]
        if fmt == "png":
            meta = {"Software": "InvestGraph", **({PNG_KEY: manifest} if manifest else {})}
        else:  # no Date: the same snapshot gives the same file
            meta = {"Creator": "InvestGraph", "Date": None, **({"Description": manifest} if manifest else {})}
        fig.savefig(out, format=fmt, metadata=meta)


def read_png_manifest(data: IO[bytes]) -> dict[str, Any] | None:
    from PIL import Image
    with Image.open(data) as image:
        text = getattr(image, "text", {}).get(PNG_KEY)
    return json.loads(text) if text else None


def read_svg_manifest(data: IO[bytes]) -> dict[str, Any] | None:
    from xml.etree import ElementTree
    root = ElementTree.parse(data).getroot()
    found = next((el.text for el in root.iter() if el.tag == "{http://purl.org/dc/elements/1.1/}description"), None)
    return json.loads(found) if found else None
