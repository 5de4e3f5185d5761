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


# An element to write: (tag, attributes, text, children), serialised as ElementTree serialises it
# (ASCII, character references, empty elements short) and indented as networkx indents.
El = tuple[str, dict[str, str], str | None, list[Any]]


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(text: str) -> str:
    return (escape_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def markup(el: El, level: int) -> str:
    tag, attrs, text, children = el
    head = "<" + tag + "".join(f' {k}="{escape_attribute(v)}"' for k, v in attrs.items())
    if children:
        pad = "\n" + "  " * (level + 1)
        return (head + ">" + "".join(pad + markup(c, level + 1) for c in children)
                + "\n" + "  " * level + "</" + tag + ">")
    return head + ">" + escape_text(text) + "</" + tag + ">" if text else head + " />"


def text_of(el: El, level: int) -> str:
    """An element as it reads at `level` in the document, its lines joined by newlines as
    generate_graphml (and generate_gexf) join the document's."""
    return "\n".join(markup(el, level).encode("ascii", "xmlcharrefreplace").decode("ascii").splitlines())


def open_tag(el: El) -> str:
    return text_of((el[0], el[1], None, []), 0).removesuffix(" />") + ">"


def with_data(tag: str, attrs: dict[str, str], data: dict[str, Any], scope: str, keys: dict[Key, str]) -> El:
    return (tag, attrs, None, [("data", {"key": keys[(str(name), xml_type(value), scope)]}, str(value), [])
                               for name, value in data.items()])


def write(nodes: Callable[[], Iterable[FlatNode]], edges: Callable[[], Iterable[FlatEdge]],
          graph_data: dict[str, Any], out: IO[str]) -> None:
    """GraphML of the flat nodes and edges (each callable gives a new iterator) and the graph's
    data (the manifest), as generate_graphml writes a MultiDiGraph of them."""
    keys = collect_keys(graph_data, nodes(), edges())
    out.write(open_tag(("graphml", {"xmlns": NS_GRAPHML, "xmlns:xsi": NS_XSI, "xsi:schemaLocation": SCHEMA_LOCATION},
                        None, [])))
    for (name, type_, scope), key in reversed(keys.items()):
        out.write("\n  " + text_of(("key", {"id": key, "for": scope, "attr.name": name, "attr.type": type_}, None, []),
                                    1))
    graph: El = ("graph", {"edgedefault": "directed"}, None, [])
    children = 0

    def child(el: El) -> None:
        nonlocal children
        out.write(("" if children else "\n  " + open_tag(graph)) + "\n    " + text_of(el, 2))
        children += 1

    for n, d in nodes():
        child(with_data("node", {"id": str(n)}, d, "node", keys))
    for u, v, k, d in edges():
        child(with_data("edge", {"source": str(u), "target": str(v), "id": str(k)}, d, "edge", keys))
    for data in with_data("graph", {}, graph_data, "graph", keys)[3]:
        child(data)
    out.write("\n  </graph>\n</graphml>" if children else "\n  " + text_of(graph, 1) + "\n</graphml>")
