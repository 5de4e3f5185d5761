"""Graph explorer: the neighbourhood (1–3 hops) of the chosen entities as an interactive network,
coloured and shaped by type, edges labelled by relation and role. Click a node to see it and
open its card; double-click (or the expand button) to expand it; Delete (or the remove button)
to remove it. Filters: entity types, relation types, dates, minimum weight, the sidebar's minimum
confidence (an edge's caption shows its confidence), hubs hidden. At most
400 nodes (the user may raise it to 2,000), nearest first, with a warning when the view is cut.
Around a node with more than 50 relations (a hub; the user may raise it to 5,000) only its
heaviest 50 of the relation types chosen are read, and the page says how many of how many.

The view comes from the store, one hop at a time (analytics.StoreAdjacency); a date filter reads
the evidence of the edges the walk meets, with their articles' dates, from the store too. «Export
this view» reads the whole graph, only when its file is made."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import networkx as nx
import streamlit as st
from st_link_analysis import EdgeStyle, Event, st_link_analysis
from st_link_analysis.component.layouts import LAYOUTS as LINK_LAYOUTS

from app.views.common import (
    TYPE_COLORS,
    TYPE_ICONS,
    confidence_label,
    date_range,
    entity_picker,
    hub_threshold,
    min_confidence,
    node_names,
    open_entity,
    role_label,
    selected_entity,
    store,
    whole,
)
from graph import analytics
from graph.export import FORMATS, export_bytes
from graph.model import ENTITY_TYPES, RELATION_TYPES, colors

SHAPES = {"PERSON": "ellipse", "ORG": "round-rectangle", "LOC": "diamond", "PROJECT": "hexagon"}
ICONS = {"PERSON": "person", "ORG": "business", "LOC": "place", "PROJECT": "factory"}
EDGE_COLORS = colors("relation_types")  # graph/schema.json
# How many nodes the network shows (bench/explorer_browser.py measures the component in Chromium)
MIN_NODES, DEFAULT_NODES, MAX_NODES = 10, 400, 2000
MAX_HELP = ("The nearest nodes are kept, those on heavier edges first. Large views take longer to lay out "
            "in the browser.")
# How many relations of one node the view reads (heaviest first): a hub has tens of thousands, which
# no view can show, and reading them all took seconds at a million relationships (docs/scaling.md)
MIN_PER_NODE, DEFAULT_PER_NODE, MAX_PER_NODE = 10, 50, 5000
PER_NODE_HELP = ("Around a node with more relations than this (a hub), only its heaviest ones are read "
                 "(those stated in the most articles), of the relation types and weight chosen.")


LAYOUTS = {  # the choices, as Cytoscape layout options (st-link-analysis' own, some tuned)
    "auto": {},
    "force-directed (cose)": LINK_LAYOUTS["cose"],
    "force-directed (fcose)": LINK_LAYOUTS["fcose"],
    "force-directed, draft (fcose)": {**LINK_LAYOUTS["fcose"], "quality": "draft", "animate": False},
    "concentric": LINK_LAYOUTS["concentric"], "grid": LINK_LAYOUTS["grid"], "circle": LINK_LAYOUTS["circle"],
    "tree (breadthfirst)": LINK_LAYOUTS["breadthfirst"]}
# Up to this many elements (nodes + edges) "auto" lays out with fcose at full quality, beyond in
# draft: in Chromium fcose takes ~1 s for 500 elements but ~14 s for 2,000, frozen meanwhile;
# its draft ~1.5 s (bench/explorer_browser.py, README).
AUTO_FULL_UP_TO = 600


def layout_for(elements: int, choice: str = "auto") -> dict:
    """The layout chosen, or for "auto" fcose, in draft quality for large views."""
    if LAYOUTS.get(choice):
        return LAYOUTS[choice]
    return LAYOUTS["force-directed (fcose)" if elements <= AUTO_FULL_UP_TO else "force-directed, draft (fcose)"]


def view_key(els: dict) -> str:
    """A digest of the nodes and edges shown."""
    ids = sorted(e["data"]["id"] for e in els["nodes"] + els["edges"])
    return hashlib.sha1("\x1f".join(ids).encode("utf-8")).hexdigest()[:12]


def layout_config(layout: dict, view: str) -> dict:
    """The component's options for a layout, with the view they lay out. The component runs a
    layout only when its options change; given new elements alone it sets them in place, new
    nodes piled at the origin. So the options change with every view, except right after the
    component's own expand, which places the new nodes around the expanded one."""
    return {**layout, "view": view}


class TypeStyle:
    """A node style by type: colour, shape, icon, caption (st_link_analysis takes any object with dump())."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def dump(self) -> dict:
        return {"selector": f"node[label='{self.kind}']",
                "style": {"background-color": TYPE_COLORS[self.kind], "shape": SHAPES[self.kind],
                          "label": "data(name)", "background-image": f"./icons/{ICONS[self.kind]}.svg",
                          "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 140,
                          "width": "mapData(mentions, 1, 40, 26, 60)", "height": "mapData(mentions, 1, 40, 26, 60)"}}


class SeedStyle:
    def dump(self) -> dict:
        return {"selector": "node[seed = 1]", "style": {"border-width": 4, "border-color": "#222"}}


def elements(sub) -> dict:
    nodes = [{"data": {"id": n, "label": d["type"], "name": d["name"], "type": d["type"],
                       "kind": d.get("kind") or "", "mentions": d.get("mention_count", 0),
                       "seed": 1 if n in st.session_state.get("explorer_seeds", []) else 0}}
             for n, d in sub.nodes(data=True)]
    edges = []
    for u, v, k, d in sub.edges(keys=True, data=True):
        role, score = role_label(d.get("role")), confidence_label(d.get("confidence"))
        edges.append({"data": {"id": f"e:{k}", "source": u, "target": v, "label": d["type"],
                               "caption": d["type"] + (f" ({role})" if role else "") + (f" {score}" if score else ""),
                               "role": d.get("role") or "", "weight": d.get("weight", 1), "confidence": score}})
    return {"nodes": nodes, "edges": edges}


@dataclass
class Filters:
    """What the sidebar's explorer filters ask for."""

    hops: int
    types: list[str]
    relations: list[str]
    min_weight: int
    hub_threshold: int | None
    max_nodes: int
    layout: str
    per_node: int = DEFAULT_PER_NODE
    date_from: str | None = None
    date_to: str | None = None


def pick_seeds() -> list[str]:
    """The entities the view starts from: those picked so far (still in the graph), else the one opened."""
    seeds: list[str] = list(st.session_state.get("explorer_seeds", []))
    start = selected_entity()
    if not seeds and start:
        seeds = [start]
    seeds = [s for s in seeds if s in node_names(seeds)]  # entities gone from the graph drop out
    with st.expander("Entities to start from", expanded=not seeds):
        add = entity_picker("Add an entity", "explorer-add")
        if add and st.button("Add", key="explorer-add-btn") and add not in seeds:
            seeds.append(add)
    st.session_state["explorer_seeds"] = seeds
    return seeds


def sidebar_filters() -> Filters:
    first, last = date_range()
    threshold = hub_threshold()
    with st.sidebar.expander("Explorer filters", expanded=True):
        hops = st.slider("Hops", 1, 3, 2, key="explorer-hops")
        types = st.multiselect("Entity types", ENTITY_TYPES, default=list(ENTITY_TYPES), key="explorer-types")
        relations = st.multiselect("Relations", RELATION_TYPES, default=list(RELATION_TYPES), key="explorer-rels")
        min_weight = st.number_input("Minimum weight (articles)", 1, 100, 1, key="explorer-weight")
        hide_hubs = st.checkbox(f"Hide hubs (≥ {threshold} neighbours)", value=True, key="explorer-hubs")
        max_nodes = st.number_input("Show at most (nodes)", MIN_NODES, MAX_NODES, DEFAULT_NODES, step=50,
                                    key="explorer-max", help=MAX_HELP)
        per_node = st.number_input("Relations per node (heaviest first)", MIN_PER_NODE, MAX_PER_NODE,
                                   DEFAULT_PER_NODE, step=50, key="explorer-per-node", help=PER_NODE_HELP)
        layout = st.selectbox("Layout", list(LAYOUTS), key="explorer-layout")
        chosen = None
        if first:
            lo, hi = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            chosen = st.date_input("Evidence dated", (lo, hi), min_value=lo, max_value=hi, key="explorer-dates")
    filters = Filters(hops, types, relations, int(min_weight), threshold if hide_hubs else None, int(max_nodes),
                      layout, int(per_node))
    if chosen and isinstance(chosen, (tuple, list)) and len(chosen) == 2:
        if (chosen[0].isoformat(), chosen[1].isoformat()) != (first, last):
            filters.date_from, filters.date_to = chosen[0].isoformat(), chosen[1].isoformat()
    return filters


def view(seeds: list[str], f: Filters, removed: set[str]) -> nx.MultiDiGraph:
    """The neighbourhood shown, from the store, at most `per_node` relations of each node; with a
    date filter the edges met carry their evidence and its dates."""
    source = analytics.StoreAdjacency(store(), evidence=bool(f.date_from or f.date_to), per_node=f.per_node,
                                      relations=f.relations or None, min_weight=f.min_weight,
                                      degree_cap=f.hub_threshold)
    return analytics.neighbourhood(source, seeds, hops=f.hops, types=f.types or None, relations=f.relations or None,
                                   min_weight=f.min_weight, date_from=f.date_from, date_to=f.date_to, hidden=removed,
                                   hub_threshold=f.hub_threshold, max_nodes=f.max_nodes,
                                   min_confidence=min_confidence())


def partial_notes(sub: nx.MultiDiGraph) -> None:
    """Say which nodes were read only through their heaviest relations, and how many they have."""
    for n, (shown, total) in sorted(sub.graph.get("partial", {}).items()):
        st.info(f"«{sub.nodes[n]['name']}»: showing {shown:,} of its {total:,} relations, the heaviest "
                "(stated in the most articles) — narrow by relation type or minimum weight, or raise "
                "«Relations per node» in the sidebar.", icon=":material/filter_alt:")


def seed_chips(sub: nx.MultiDiGraph, seeds: list[str], removed: set[str]) -> None:
    """A button per seed that drops it, and one that restores the removed nodes."""
    chips = st.columns(min(len(seeds), 6) + 1)
    for i, s in enumerate(seeds[:6]):
        if chips[i].button(sub.nodes[s]["name"][:30], icon=":material/close:", key=f"explorer-drop-{s}"):
            st.session_state["explorer_seeds"] = [x for x in seeds if x != s]
            st.rerun()
    if removed and chips[-1].button("Restore removed", key="explorer-restore"):
        st.session_state["explorer_removed"] = []
        st.rerun()


def network(sub: nx.MultiDiGraph, f: Filters) -> dict | None:
    """The network component showing the view; what the user did in it (None: nothing)."""
    node_styles = [TypeStyle(t) for t in ENTITY_TYPES] + [SeedStyle()]
    edge_styles = [EdgeStyle(r, color=EDGE_COLORS[r], caption="caption", directed=True, labeled=None)
                   for r in RELATION_TYPES]
    els = elements(sub)
    if not st.session_state.pop("explorer_expanded", False):
        st.session_state["explorer_view"] = view_key(els)
    chosen = layout_for(len(els["nodes"]) + len(els["edges"]), f.layout)
    return st_link_analysis(els, layout=layout_config(chosen, st.session_state["explorer_view"]),
                            node_styles=node_styles, edge_styles=edge_styles, height=620,
                            key=f"explorer-graph-{f.hops}", node_actions=["expand", "remove"],
                            events=[Event("select", "tap", "node")])


def on_event(result: dict | None, seeds: list[str], removed: set[str]) -> None:
    """Expand, remove or select, once per event of the component."""
    if not result or result.get("timestamp") == st.session_state.get("explorer_last_event"):
        return
    st.session_state["explorer_last_event"] = result.get("timestamp")
    action, data = result.get("action"), result.get("data") or {}
    if action == "expand":
        st.session_state["explorer_seeds"] = seeds + [n for n in data.get("node_ids", []) if n not in seeds]
        st.session_state["explorer_expanded"] = True  # the component places what comes in
        st.rerun()
    elif action == "remove":
        st.session_state["explorer_removed"] = sorted(removed | set(data.get("node_ids", [])) - set(seeds))
        st.rerun()
    elif action == "select":
        st.session_state["explorer_selected"] = data.get("target_id")


def selected(sub: nx.MultiDiGraph, seeds: list[str]) -> None:
    """The node picked in the network, with buttons to open its card and to expand it."""
    picked = st.session_state.get("explorer_selected")
    if picked is None or picked not in sub:
        return
    d = sub.nodes[picked]
    c1, c2, c3 = st.columns([3, 1, 1])
    c1.markdown(f"Selected: {TYPE_ICONS.get(d['type'], '')} **{d['name']}** · {d['type']} · "
                f"{d.get('mention_count', 0)} mentions")
    if c2.button("Open card", key="explorer-open"):
        open_entity(picked)
    if picked not in seeds and c3.button("Expand", key="explorer-expand"):
        st.session_state["explorer_seeds"] = seeds + [picked]
        st.rerun()


def export_view(sub: nx.MultiDiGraph) -> None:
    with st.expander("Export this view"):
        fmt = st.selectbox("Format", FORMATS, key="explorer-fmt")
        wg = whole()  # the view's mentions and evidence come from the whole graph, when the file is made
        st.download_button(f"Download {fmt}", lambda: export_bytes(analytics.restrict(wg.wait(), sub), fmt),
                           f"investgraph-view.{'zip' if fmt == 'csv' else fmt}", key="explorer-export",
                           on_click="ignore")


def main() -> None:
    st.title("Graph explorer")
    seeds = pick_seeds()
    if not seeds:
        st.info("Pick an entity above, or open one from the sidebar search and press «Explore».")
        return
    f = sidebar_filters()
    removed = set(st.session_state.get("explorer_removed", []))
    sub = view(seeds, f, removed)
    st.caption(f"{sub.number_of_nodes()} nodes · {sub.number_of_edges()} edges"
               + (f" · {len(removed)} removed" if removed else ""))
    if sub.graph.get("truncated"):
        st.warning(f"Only the nearest {f.max_nodes} nodes are shown, nearer and more strongly linked ones "
                   "first: narrow the filters, or raise «Show at most» in the sidebar.", icon=":material/filter_alt:")
    partial_notes(sub)
    seed_chips(sub, seeds, removed)
    on_event(network(sub, f), seeds, removed)
    selected(sub, seeds)
    export_view(sub)


main()
