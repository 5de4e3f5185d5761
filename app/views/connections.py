"""Connections: the shortest paths between two entities (each hop with the sentences that state
it), and the interlocks of one entity (who shares the most organisations, projects or people
with it)."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from app.views.common import (RELATION_LABELS, derived, entity_link, entity_picker, evidence_html, graph, open_entity,
                              role_label, selected_entity)
from graph import analytics


def hop_html(g, hop: dict, articles: dict) -> str:
    a, b = hop["source"], hop["target"]
    parts = []
    for e in hop["edges"]:
        forward = e["source"] == a
        role = f" ({html.escape(role_label(e['role']))})" if e["role"] else ""
        arrow = "→" if forward else "←"
        parts.append(f"<div>{entity_link(a, g.nodes[a]['name'], g.nodes[a]['type'])} {arrow} "
                     f"<b>{RELATION_LABELS.get(e['type'], e['type'])}{role}</b> {arrow} "
                     f"{entity_link(b, g.nodes[b]['name'], g.nodes[b]['type'])}</div>"
                     + evidence_html(e["evidence"], articles, limit=2))
    return "".join(parts)


def main() -> None:
    st.title("Connections")
    g = graph()
    articles = {a["id"]: a for a in g.graph.get("articles", [])}
    threshold = derived("hub_threshold")
    tab_paths, tab_interlocks = st.tabs(["Paths between two entities", "Interlocks"])
    with tab_paths:
        c1, c2, c3 = st.columns([3, 3, 2])
        with c1:
            a = entity_picker("From", "conn-a", default=selected_entity())
        with c2:
            b = entity_picker("To", "conn-b")
        with c3:
            max_hops = st.slider("Up to hops", 1, 6, 3, key="conn-hops")
            avoid_hubs = st.checkbox("Not through hubs", value=True, key="conn-hubs")
        if a and b:
            avoid = analytics.hubs(g, threshold) if avoid_hubs else []
            found = analytics.paths(g, a, b, max_hops=max_hops, limit=10, avoid=avoid)
            if not found:
                st.info(f"No path of at most {max_hops} hops between {g.nodes[a]['name']} and {g.nodes[b]['name']}"
                        + (" (hubs avoided)." if avoid_hubs else "."))
            for i, path in enumerate(found, 1):
                names = [g.nodes[path[0]["source"]]["name"]] + [g.nodes[h["target"]]["name"] for h in path]
                with st.expander(f"Path {i} · {len(path)} hop(s): " + " — ".join(names), expanded=i <= 3):
                    for hop in path:
                        st.markdown(hop_html(g, hop, articles), unsafe_allow_html=True)
    with tab_interlocks:
        node = entity_picker("Interlocks of", "conn-i", default=selected_entity())
        if node:
            rows = analytics.interlocks(g, node, avoid=analytics.hubs(g, threshold))
            if not rows:
                st.info(f"{g.nodes[node]['name']} shares no organisation, project or person with another "
                        f"{g.nodes[node]['type']}.")
            else:
                df = pd.DataFrame(rows)[["name", "type", "shared", "via"]]
                df.columns = ["Entity", "Type", "Shared connections", "Through"]
                event = st.dataframe(df, hide_index=True, width="stretch", on_select="rerun",
                                     selection_mode="single-row", key="conn-i-table")
                picked = event.selection.rows if event and hasattr(event, "selection") else []
                if picked and st.button(f"Open {rows[picked[0]]['name']}", key="conn-i-open"):
                    open_entity(rows[picked[0]]["id"])


main()
