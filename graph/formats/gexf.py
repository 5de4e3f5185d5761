"""GEXF written element by element: the text networkx's `generate_gexf` gives for the same flat
graph (graph.export.flat_graph, edges' `type` as `relation`, Gephi's `viz`), without the graph in
memory, and the manifest as the meta description (graph.export.gexf_description).

networkx numbers the attributes (one counter for nodes and edges) in the order it first meets
them, nodes first, and lists the edges' before the nodes'; edges are numbered 0, 1, … and carry
their key as `networkx_key`. So the writer reads the nodes and edges twice: once for the
attribute declarations (it keeps only them), once to write each element.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import IO, Any

import networkx as nx

from .graphml import El, FlatEdge, FlatNode, open_tag, text_of

NS_GEXF = "http://www.gexf.net/1.2draft"
NS_VIZ = "http://www.gexf.net/1.2draft/viz"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd"
XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
NODE_TAGS = ("label", "viz")  # what a node's element holds rather than its attvalues
EDGE_TAGS = ("label", "weight", "type", "viz")


def node_values(n: str, d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in NODE_TAGS}


def edge_values(k: str, d: dict[str, Any]) -> dict[str, Any]:
    return {**{name: v for name, v in d.items() if name not in EDGE_TAGS}, "networkx_key": k}


def collect_attributes(nodes: Iterable[FlatNode], edges: Iterable[FlatEdge]) -> dict[str, dict[str, tuple[str, str]]]:
    """class -> title -> (id, type), numbered as networkx numbers them."""
    found: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
    count = 0
    for cls, values in (("node", (node_values(n, d) for n, d in nodes)),
                        ("edge", (edge_values(k, d) for _, _, k, d in edges))):
        for data in values:
            for title, v in data.items():
                if title not in found[cls]:
                    if type(v) not in XML_TYPES:
                        raise TypeError(f"attribute value type is not allowed: {type(v)}")
                    found[cls][title] = (str(count), XML_TYPES[type(v)])
                    count += 1
    return found


def value_text(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    text = str(v)
    return {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(text, text) if isinstance(v, float) else text


def viz_children(viz: dict[str, Any] | None) -> list[El]:
    if not viz:
        return []
    out: list[El] = []
    if (color := viz.get("color")) is not None:
        out.append(("viz:color", {"r": str(color.get("r")), "g": str(color.get("g")), "b": str(color.get("b")),
                                  "a": str(color.get("a", 1.0))}, None, []))
    out += [(f"viz:{name}", {"value": str(viz[name])}, None, []) for name in ("size", "thickness")
            if viz.get(name) is not None]
    return out


def values_children(data: dict[str, Any], ids: dict[str, tuple[str, str]]) -> list[El]:
    if not data:
        return []
    return [("attvalues", {}, None, [("attvalue", {"for": ids[title][0], "value": value_text(v)}, None, [])
                                     for title, v in data.items()])]


def header(description: str | None) -> str:
    """The gexf element's opening and its meta, as networkx writes them (with the manifest)."""
    meta: El = ("meta", {"lastmodifieddate": time.strftime("%Y-%m-%d")}, None,
                [("creator", {}, f"NetworkX {nx.__version__}", [])])
    text = text_of(meta, 1)
    if description is not None:
        text = text.replace("</meta>", f"{description}</meta>", 1)
    return (f'<gexf xmlns:viz="{NS_VIZ}" xmlns="{NS_GEXF}" xmlns:xsi="{NS_XSI}" '
            f'xsi:schemaLocation="{SCHEMA_LOCATION}" version="1.2">\n  {text}')


def write(nodes: Callable[[], Iterable[FlatNode]], edges: Callable[[], Iterable[FlatEdge]],
          description: str | None, out: IO[str]) -> None:
    """GEXF of flat nodes and edges (a new iterator each call; edges with `relation` and `viz`,
    nodes with `label` and `viz`) with `description` (an escaped <description> element) in the
    meta. A graph without nodes goes through networkx's own writer."""
    attributes = collect_attributes(nodes(), edges())
    if not attributes["node"]:
        empty = "\n".join(nx.generate_gexf(nx.MultiDiGraph()))
        out.write(empty if description is None else empty.replace("</meta>", f"{description}</meta>", 1))
        return
    out.write(header(description) + "\n  "
              + open_tag(("graph", {"defaultedgetype": "directed", "mode": "static", "name": ""}, None, [])))
    for cls in ("edge", "node"):
        if attributes[cls]:
            out.write("\n    " + text_of(("attributes", {"mode": "static", "class": cls}, None,
                                          [("attribute", {"id": id_, "title": title, "type": type_}, None, [])
                                           for title, (id_, type_) in attributes[cls].items()]), 2))
    out.write("\n    <nodes>")
    for n, d in nodes():
        out.write("\n      " + text_of(("node", {"id": str(n), "label": str(d.get("label", n))}, None,
                                        viz_children(d.get("viz"))
                                        + values_children(node_values(n, d), attributes["node"])), 3))
    out.write("\n    </nodes>")
    count = 0
    for u, v, k, d in edges():
        attrs: dict[str, str] = {"source": str(u), "target": str(v), "id": str(count),
                                 **{name: str(d[name]) for name in ("label", "weight", "type") if name in d}}
        out.write(("\n    <edges>" if not count else "") + "\n      "
                  + text_of(("edge", attrs, None, viz_children(d.get("viz"))
                             + values_children(edge_values(k, d), attributes["edge"])), 3))
        count += 1
    out.write("\n    </edges>" if count else "\n    <edges />")
    out.write("\n  </graph>\n</gexf>")
