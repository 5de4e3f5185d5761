"""Export: the whole graph (or the explorer's current view, from its page) through the same code
as `investgraph export`: GraphML and GEXF for Gephi, JSON, CSV tables in a zip. The page answers
from the store's counts; the file is built from the whole graph when it is downloaded, without the
relations below the sidebar's minimum confidence (as `investgraph export --min-confidence`)."""
from __future__ import annotations

import streamlit as st

from app.views.common import min_confidence, stats, whole
from graph.export import FORMATS, export_bytes

NOTES = {"graphml": "GraphML (Gephi, yEd, Cytoscape)", "gexf": "GEXF (Gephi)",
         "json": "JSON: nodes with mentions, edges with evidence sentences",
         "csv": "CSV: nodes, edges and articles tables in a zip"}


def main() -> None:
    st.title("Export")
    n = stats()
    st.write(f"The whole graph: {n['entities_total']} entities, {n['relations_total']} relations, "
             f"{n['articles']} articles. The explorer exports its current view.")
    fmt = st.radio("Format", FORMATS, format_func=NOTES.get, key="export-fmt")
    name = f"investgraph.{'zip' if fmt == 'csv' else fmt}"
    minimum = min_confidence()
    if minimum:
        st.caption(f"Relations of confidence below {minimum:.2f} are left out (sidebar); those made by rules "
                   "alone are kept.")
    wg = whole().start()  # the file needs the whole graph: start loading it now
    # on_click="ignore": a click must not rerun the page, or the rerun can revoke the deferred file
    # the browser is fetching and leave the button disabled for good. The file is made (waiting for
    # the whole graph if need be) when the browser asks for it.
    st.download_button(f"Download {name}", lambda: export_bytes(wg.wait(), fmt, min_confidence=minimum), name,
                       key="export-download", type="primary", on_click="ignore")


main()
