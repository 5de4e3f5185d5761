"""Export: a snapshot of the whole graph or of a selection, in every format `investgraph export`
writes, through the same code (graph.snapshot_stream.snapshot_parts, graph.export.export_parts_bytes):
the same selection (around entities with hops, projects, a region, entity and relation types,
minimum weight and confidence, a date range and --as-of), the same files, the same manifest.

The page answers from the store's counts; the file is made when the browser asks for it or for its
manifest (the whole graph read from the store a page at a time, a focused selection from what its
focus reaches), once for both. A whole-graph HTML page beyond its size (graph.formats.size_problem)
is refused here, from the counts. The sidebar's minimum confidence is the selection's unless set here.
"""
from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

import streamlit as st

from app.views.common import min_confidence, stats, store
from graph.export import EXPORT_FORMATS, export_parts_bytes
from graph.formats import FOLDER_FORMATS, SUFFIXES, TooLarge, size_problem
from graph.model import ENTITY_TYPES, RELATION_TYPES
from graph.snapshot import MAX_HOPS, Selection, resolve, selection_problem
from graph.snapshot_stream import snapshot_parts
from graph.store import DecisionError, Store

NOTES = {"graphml": "GraphML (Gephi, yEd, Cytoscape)", "gexf": "GEXF (Gephi)",
         "json": "JSON: nodes with mentions, edges with evidence (readable back: investgraph import)",
         "csv": "CSV tables in a zip (readable back: investgraph import)",
         "neo4j-admin": "CSV for neo4j-admin database import, in a zip",
         "cypher": "Cypher script that rebuilds the snapshot in Neo4j",
         "ftm": "FollowTheMoney entities (Aleph), JSON lines",
         "html": "Interactive HTML page, self-contained", "png": "PNG picture", "svg": "SVG picture"}
TAKES_ARTICLES = ("graphml", "gexf", "csv", "ftm")


def file_name(fmt: str) -> str:
    if fmt == "csv" or fmt in FOLDER_FORMATS:
        return f"investgraph-{fmt}.zip"
    return "investgraph" + SUFFIXES.get(fmt, f".{fmt}")


def names(text: str) -> tuple[str, ...]:
    """Names or ids, one a line (or separated by semicolons)."""
    return tuple(n.strip() for line in text.splitlines() for n in line.split(";") if n.strip())


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def chosen_selection() -> Selection:
    """The selection the page's widgets say, as `investgraph export`'s options would."""
    with st.expander("Selection (empty: the whole graph)", expanded=False):
        left, right = st.columns(2)
        around = names(left.text_area("Around (names or ids, one a line)", key="export-around", height=80))
        hops = left.slider("Hops", 1, MAX_HOPS, 1, key="export-hops")
        projects = names(right.text_area("Projects with their participants, people and places",
                                         key="export-projects", height=80))
        regions = names(right.text_input("Region (a place: what lies in it)", key="export-region"))
        types = left.multiselect("Entity types", ENTITY_TYPES, key="export-types")
        relations = right.multiselect("Relation types", RELATION_TYPES, key="export-relations")
        min_weight = int(left.number_input("Minimum weight (articles)", 1, 1000, 1, key="export-weight"))
        minimum = right.slider("Minimum confidence", 0.0, 1.0, min_confidence(), 0.05, key="export-confidence")
        first, last, known = st.columns(3)
        since = day(first.date_input("Articles since", None, key="export-since"))
        until = day(last.date_input("Articles until", None, key="export-until"))
        as_of = day(known.date_input("As known on (as-of)", None, key="export-as-of"))
    return Selection(around=around, hops=hops, projects=projects, regions=regions, types=tuple(types),
                     relations=tuple(relations), min_weight=min_weight, min_confidence=minimum or None,
                     since=since, until=until, as_of=as_of)


class Prepared:
    """The snapshot a selection names in one format and its manifest, made once, when the browser
    first asks for either (the download buttons' deferred data), by the CLI's code."""

    def __init__(self, source: Store, given: Selection, fmt: str, articles: bool | None) -> None:
        self.source, self.key = source, (given, fmt, articles)
        self.lock = threading.Lock()
        self.made: tuple[bytes, dict[str, Any]] | None = None

    def get(self) -> tuple[bytes, dict[str, Any]]:
        with self.lock:
            if self.made is None:
                given, fmt, articles = self.key
                parts = snapshot_parts(self.source, given)
                self.made = export_parts_bytes(parts, fmt, articles=articles), parts.manifest or {}
            return self.made

    def data(self) -> bytes:
        return self.get()[0]

    def manifest(self) -> str:
        return json.dumps(self.get()[1], ensure_ascii=False, indent=1) + "\n"


def prepared(given: Selection, fmt: str, articles: bool | None) -> Prepared:
    """This session's Prepared for what the page asks (a new one when the asking changed)."""
    held = st.session_state.get("export-prepared")
    if held is None or held.key != (given, fmt, articles) or held.source is not store():
        held = st.session_state["export-prepared"] = Prepared(store(), given, fmt, articles)
    return held


def main() -> None:
    st.title("Export")
    n = stats()
    st.write(f"The whole graph: {n['entities_total']} entities, {n['relations_total']} relations, "
             f"{n['articles']} articles. A snapshot is the whole graph or a selection, as "
             "`investgraph export` writes it. The explorer exports its current view.")
    fmt = st.radio("Format", EXPORT_FORMATS, format_func=NOTES.get, key="export-fmt")
    articles = (st.checkbox("Articles as nodes (MENTIONED_IN edges; FtM Article entities)",
                            value=fmt in ("graphml", "gexf"), key=f"export-articles-{fmt}")
                if fmt in TAKES_ARTICLES else None)
    given = chosen_selection()
    if problem := selection_problem(given):
        st.error(problem)
        return
    try:
        resolve(given, store())  # a name that names no node (or several) is said here, not in the download
    except DecisionError as err:
        st.error(str(err))
        return
    if given.is_whole() and (problem := size_problem(fmt, n["entities_total"], n["relations_total"])):
        st.error(problem)
        return
    st.caption("Selection: " + (", ".join(f"{k}={v}" for k, v in given.as_given().items()) or "the whole graph"))
    made = prepared(given, fmt, articles)
    if fmt == "html":  # a page has a size limit, known once the selection is read: said here, not as a failed download
        try:
            made.get()
        except TooLarge as err:
            st.error(str(err))
            return
    # on_click="ignore": a click must not rerun the page, or the rerun can revoke the deferred file
    # the browser is fetching. The file is made when the browser asks for it (or its manifest).
    left, right = st.columns(2)
    left.download_button(f"Download {file_name(fmt)}", made.data, file_name(fmt), key="export-download",
                         type="primary", on_click="ignore")
    right.download_button("Download its manifest.json", made.manifest, "manifest.json", key="export-manifest",
                          on_click="ignore")


main()
