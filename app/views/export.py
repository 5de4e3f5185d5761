"""Export: the whole graph (or the explorer's current view, from its page) through the same code
as `investgraph export`: GraphML and GEXF for Gephi, JSON, CSV tables in a zip."""
from __future__ import annotations

import streamlit as st

from app.views.common import graph
from graph.export import FORMATS, export_bytes

NOTES = {"graphml": "GraphML (Gephi, yEd, Cytoscape)", "gexf": "GEXF (Gephi)",
         "json": "JSON: nodes with mentions, edges with evidence sentences",
         "csv": "CSV: nodes, edges and articles tables in a zip"}


def main() -> None:
    st.title("Export")
    g = graph()
    st.write(f"The whole graph: {g.number_of_nodes()} entities, {g.number_of_edges()} relations, "
             f"{len(g.graph.get('articles', []))} articles. The explorer exports its current view.")
    fmt = st.radio("Format", FORMATS, format_func=NOTES.get, key="export-fmt")
    name = f"investgraph.{'zip' if fmt == 'csv' else fmt}"
    # on_click="ignore": a click must not rerun the page, or the rerun can revoke the deferred file
    # the browser is fetching and leave the button disabled for good.
    st.download_button(f"Download {name}", lambda: export_bytes(g, fmt), name, key="export-download",
                       type="primary", on_click="ignore")


main()
