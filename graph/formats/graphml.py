"""GraphML written element by element: the text networkx's `generate_graphml` gives for the same
flat graph (graph.export.flat_graph with Gephi's styles), without the graph in memory.

networkx declares a `<key>` for each (attribute name, type, scope) in the order it first meets
them (the graph's data, then the nodes', then the edges') and writes the keys in reverse order
before the graph. So the writer reads the nodes and edges twice: once for the keys (it keeps only
them), once to write each element as networkx's ElementTree writer would (ASCII with character
references, two spaces of indentation a level; the lines joined by newlines).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any
from xml.etree.ElementTree import Element, tostring

NS_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}  # networkx's for these Python types

FlatNode = tuple[str, dict[str, Any]]
FlatEdge = tuple[str, str, str, dict[str, Any]]
Key = tuple[str, str, str]  # name, GraphML type, scope


def xml_type(value: Any) -> str:
    try:
        return XML_TYPES[type(value)]
    except KeyError as err:
        raise TypeError(f"GraphML does not support type {type(value)} as data values.") from err


def collect_keys(graph_data: dict[str, Any], nodes: Iterable[FlatNode], edges: Iterable[FlatEdge]) -> dict[Key, str]:
    """(name, type, scope) -> key id, in the order networkx assigns them."""
    keys: dict[Key, str] = {}
    for scope, items in (("graph", [graph_data]), ("node", (d for _, d in nodes)), ("edge", (d for *_, d in edges))):
        for d in items:
            for name, value in d.items():
                keys.setdefault((str(name), xml_type(value), scope), f"d{len(keys)}")
    return keys


def indent(elem: Element, level: int) -> None:
    """networkx's in-place pretty-printer (GraphMLWriter.indent)."""
    i = "\n" + level * "  "
    if len(elem):
        if not elem.text or not elem.text.strip():
            elem.text = i + "  "
        if not elem.tail or not elem.tail.strip():
            elem.tail = i
        child = elem
        for child in elem:
            indent(child, level + 1)
        if not child.tail or not child.tail.strip():
            child.tail = i
    elif level and (not elem.tail or not elem.tail.strip()):
        elem.tail = i


def text_of(elem: Element, level: int) -> str:
    """An element as it reads at `level` in the document (without what follows it), its lines
    joined by newlines as generate_graphml joins them."""
    indent(elem, level)
    elem.tail = None
    return "\n".join(tostring(elem).decode("ascii").splitlines())


def with_data(elem: Element, data: dict[str, Any], scope: str, keys: dict[Key, str]) -> Element:
    for name, value in data.items():
        child = Element("data", key=keys[(str(name), xml_type(value), scope)])
        child.text = str(value)
        elem.append(child)
    return elem


def open_tag(elem: Element) -> str:
    return tostring(elem).decode("ascii").removesuffix(" />") + ">"


def write(nodes: Callable[[], Iterable[FlatNode]], edges: Callable[[], Iterable[FlatEdge]],
          graph_data: dict[str, Any], out: IO[str]) -> None:
    """GraphML of the flat nodes and edges (each callable gives a new iterator) and the graph's
    data (the manifest), as generate_graphml writes a MultiDiGraph of them."""
    keys = collect_keys(graph_data, nodes(), edges())
    out.write(open_tag(Element("graphml", {"xmlns": NS_GRAPHML, "xmlns:xsi": NS_XSI,
                                           "xsi:schemaLocation": SCHEMA_LOCATION})))
    for (name, type_, scope), key in reversed(keys.items()):
        out.write("\n  " + text_of(Element("key", {"id": key, "for": scope, "attr.name": name, "attr.type": type_}), 1))
    graph = Element("graph", edgedefault="directed")
    children = 0

    def child(elem: Element) -> None:
        nonlocal children
        out.write(("" if children else "\n  " + open_tag(graph)) + "\n    " + text_of(elem, 2))
        children += 1

    for n, d in nodes():
        child(with_data(Element("node", id=str(n)), d, "node", keys))
    for u, v, k, d in edges():
        child(with_data(Element("edge", source=str(u), target=str(v), id=str(k)), d, "edge", keys))
    for data in with_data(Element("graph"), graph_data, "graph", keys):
        child(data)
    out.write("\n  </graph>\n</graphml>" if children else "\n  " + tostring(graph).decode("ascii") + "\n</graphml>")
