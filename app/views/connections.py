"""Connections: the shortest paths between two entities (each hop with the sentences that state
it, with its confidence; along relations that pass the sidebar's minimum confidence), and the
interlocks of one entity (who shares the most organisations, projects or people
with it). Both walk the store from the entities chosen; the sentences of the paths found are read
from the store for their relations."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from app.views.common import (
    RELATION_LABELS,
    adjacency,
    confidence_html,
    entity_link,
    entity_picker,
    evidence_html,
    hub_threshold,
    min_confidence,
    open_entity,
    role_label,
    selected_entity,
    with_evidence,
)
from graph import analytics


def hop_html(adj: analytics.Adjacency, hop: dict, articles: dict) -> str:
    a, b = hop["source"], hop["target"]
    na, nb = adj.node(a), adj.node(b)
    parts = []
    for e in hop["edges"]:
        forward = e["source"] == a
        role = f" ({html.escape(role_label(e['role']))})" if e["role"] else ""
        arrow = "→" if forward else "←"
        parts.append(f"<div>{entity_link(a, na['name'], na['type'])} {arrow} "
                     f"<b>{RELATION_LABELS.get(e['type'], e['type'])}{role}</b>{confidence_html(e['confidence'])} "
                     f"{arrow} {entity_link(b, nb['name'], nb['type'])}</div>"
                     + evidence_html(e["evidence"], articles, limit=2, total=e["evidence_count"]))
    return "".join(parts)


def paths_tab(adj: analytics.Adjacency, threshold: int) -> None:
    c1, c2, c3 = st.columns([3, 3, 2])
    with c1:
        a = entity_picker("From", "conn-a", default=selected_entity())
    with c2:
        b = entity_picker("To", "conn-b", default=st.query_params.get("to"))  # connections?entity=A&to=B
    with c3:
        max_hops = st.slider("Up to hops", 1, 6, 3, key="conn-hops")
        avoid_hubs = st.checkbox(f"Not through hubs (≥ {threshold} neighbours)", value=True, key="conn-hubs")
    if not (a and b):
        return
    minimum = min_confidence()
    found = analytics.paths(adj, a, b, max_hops=max_hops, limit=10, hub_threshold=threshold if avoid_hubs else None,
                            min_confidence=minimum)
    if not found:
        st.info(f"No path of at most {max_hops} hops between {adj.node(a)['name']} and {adj.node(b)['name']}"
                + (" (hubs avoided)" if avoid_hubs else "")
                + (f" through relations of confidence {minimum:.2f} or more." if minimum else "."))
        return
    articles = with_evidence([hop for path in found for hop in path], 2)
    for i, path in enumerate(found, 1):
        names = [adj.node(path[0]["source"])["name"]] + [adj.node(h["target"])["name"] for h in path]
        with st.expander(f"Path {i} · {len(path)} hop(s): " + " — ".join(names), expanded=i <= 3):
            for hop in path:
                st.markdown(hop_html(adj, hop, articles), unsafe_allow_html=True)


def interlocks_tab(adj: analytics.Adjacency, threshold: int) -> None:
    node = entity_picker("Interlocks of", "conn-i", default=selected_entity())
    if not node:
        return
    rows = analytics.interlocks(adj, node, hub_threshold=threshold)
    if not rows:
        d = adj.node(node)
        st.info(f"{d['name']} shares no organisation, project or person with another {d['type']}.")
        return
    df = pd.DataFrame(rows)[["name", "type", "shared", "via"]]
    df.columns = ["Entity", "Type", "Shared connections", "Through"]
    event = st.dataframe(df, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="conn-i-table")
    picked = event.selection.rows if event and hasattr(event, "selection") else []
    if picked and st.button(f"Open {rows[picked[0]]['name']}", key="conn-i-open"):
        open_entity(rows[picked[0]]["id"])


def main() -> None:
    st.title("Connections")
    adj, threshold = adjacency(), hub_threshold()
    tab_paths, tab_interlocks = st.tabs(["Paths between two entities", "Interlocks"])
    with tab_paths:
        paths_tab(adj, threshold)
    with tab_interlocks:
        interlocks_tab(adj, threshold)


main()
