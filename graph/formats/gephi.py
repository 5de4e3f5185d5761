"""Colours and sizes for Gephi in GraphML and GEXF exports, by type (graph/schema.json).

GEXF: each node's `viz:color` (its entity type's colour) and `viz:size` (grows with its
mentions), each edge's `viz:color` (its relation type's) and `viz:thickness` (its weight).
GraphML: the attributes Gephi's GraphML importer maps onto its own columns: `r`, `g`, `b` (ints)
and `size` on nodes, `r`, `g`, `b` on edges (`label` and `weight` are there already).
Article nodes and MENTIONED_IN edges are light grey.
"""
from __future__ import annotations

from typing import Any

import networkx as nx

from graph.model import SCHEMA

GREY = "#bbbbbb"


def rgb(color: str) -> tuple[int, int, int]:
    """#rrggbb as three ints."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def node_color(type_: str) -> str:
    return SCHEMA["entity_types"].get(type_, {}).get("color", GREY)


def edge_color(type_: str) -> str:
    return SCHEMA["relation_types"].get(type_, {}).get("color", GREY)


def node_size(mentions: int) -> float:
    return round(8 + 4 * min(max(mentions, 0), 400) ** 0.5, 2)


def gexf_viz(color: str, **extra: Any) -> dict[str, Any]:
    r, g, b = rgb(color)
    return {"color": {"r": r, "g": g, "b": b, "a": 1.0}, **extra}


def style_node(d: dict[str, Any], fmt: str) -> dict[str, Any]:
    """A flat node's attributes with Gephi's colour and size for `fmt`, changed in place."""
    color, size = node_color(d.get("type", "")), node_size(int(d.get("mention_count", 0)))
    if fmt == "gexf":
        d["viz"] = gexf_viz(color, size=size)
    else:
        d["r"], d["g"], d["b"] = rgb(color)
        d["size"] = size
    return d


def style_edge(d: dict[str, Any], fmt: str, type_key: str = "type") -> dict[str, Any]:
    """A flat edge's attributes with Gephi's colour (and GEXF's thickness), changed in place."""
    color = edge_color(d.get(type_key, ""))
    if fmt == "gexf":
        d["viz"] = gexf_viz(color, thickness=float(min(int(d.get("weight", 1)), 10)))
    else:
        d["r"], d["g"], d["b"] = rgb(color)
    return d


def styled(flat: nx.MultiDiGraph, fmt: str, type_key: str = "type") -> nx.MultiDiGraph:
    """`flat` (graph.export.flat_graph) with Gephi's colours and sizes for `fmt` ("graphml" or
    "gexf"), changed in place and returned; `type_key`: the edge attribute holding the relation
    type (GEXF's edges call it `relation`)."""
    for _, d in flat.nodes(data=True):
        style_node(d, fmt)
    for _, _, d in flat.edges(data=True):
        style_edge(d, fmt, type_key)
    return flat
