"""What every page of the workbench shares: the store and its answers, the whole graph for exports,
the sidebar search, entity links and highlighting.

The sidebar's «Minimum confidence» filters the relations every page lists or draws (entity,
explorer, projects, connections, an article's relations) and the exports: a relation below it
is hidden, one made by rules alone (no confidence) never is; pages show a relation's confidence
next to it ("0.82").

The app talks only to the store interface (graph.store, opened by graph.open) and to graph.analytics.
Every page answers from the store's indexes: search and similar names (Store.search,
Store.similar), an entity, the explorer's view, paths between two entities (analytics.StoreAdjacency,
one hop at a time), the sentences behind the relations shown (Store.evidence), an article's
highlights and relations (Store.article_content), the articles' counts (Store.article_counts) and
the projects table a page at a time (Store.projects_page). Only an explicit export reads the whole
graph (WholeGraph: its snapshot, loaded when the file is made). The version is the store's stats,
read once per run, plus a counter the ingest page bumps: an ingest makes every page see the new
graph on its next run.
"""
from __future__ import annotations

import gc
import html
import logging
import os
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import networkx as nx
import streamlit as st

from graph import analytics
from graph.model import ENTITY_TYPES, EntityHit, colors, labels
from graph.open import open_store
from graph.store import QueryError, Store, StoreError
from graph.urls import default_url, redact_url

log = logging.getLogger("investgraph.app")

# Material icons (bundled with Streamlit; render in markdown, titles and buttons, with no emoji font)
TYPE_ICONS = {"PERSON": ":material/person:", "ORG": ":material/business:", "LOC": ":material/place:",
              "PROJECT": ":material/factory:"}
# labels and colours are declared with the types in graph/schema.json
TYPE_COLORS = colors("entity_types")
TYPE_LABELS = labels("entity_types")
ROLE_LABELS = labels("involvement_roles")
KIND_LABELS = labels("project_kinds")
RELATION_LABELS = labels("relation_types")

PAGES = {  # page key -> file, relative to app/streamlit_app.py
    "projects": "views/projects.py", "entity": "views/entity.py", "explorer": "views/explorer.py",
    "connections": "views/connections.py", "articles": "views/articles.py", "ingest": "views/ingest.py",
    "export": "views/export.py", "changes": "views/changes.py",
}
CONFIDENCE_HELP = ("Hide relations whose confidence (the relation model's probability, 0–1) is below this, on "
                   "every page and in exports. Relations made by rules alone have none and always show.")


# --- the store ------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def store_at(url: str) -> Store:
    """The store at a URL, opened once per process and shared by every session."""
    return open_store(url)


def store() -> Store:
    """The store INVESTGRAPH_STORE (or NEO4J_URI, or the embedded default) names; a store that
    cannot be opened stops the page with one line (the URL shown without its password)."""
    try:
        return store_at(default_url())
    except StoreError as err:
        st.error(f"The graph store cannot be opened: {scrub(str(err))}")
        st.stop()


def scrub(text: str) -> str:
    """A message with any password this process knows of (NEO4J_PASSWORD, one in the store URL)
    replaced by ***: the stores already leave it out; this makes sure no page shows it."""
    secrets = [os.environ.get("NEO4J_PASSWORD", "")]
    try:
        secrets.append(unquote(urlsplit(default_url()).password or ""))
    except ValueError:
        pass
    for secret in filter(None, secrets):
        text = text.replace(secret, "***")
    return text


def problem(err: BaseException, where: str, place: Any = st) -> None:
    """Say on the page, in one line, that `where` failed and why, and log it server-side (with the
    traceback of anything but a StoreError); neither shows a password. A search the store refuses
    (QueryError) is a warning, anything else an error."""
    if isinstance(err, StoreError):
        log.warning("%s: %s", where, scrub(str(err)))
    else:
        log.error("%s: %s", where, scrub("".join(traceback.format_exception(err)).rstrip()))
    message = scrub(str(err)) if isinstance(err, StoreError) else f"{type(err).__name__}: {scrub(str(err))}"
    (place.warning if isinstance(err, QueryError) else place.error)(f"{where}: {message}")


def shown_url(s: Store) -> str:
    """The store's URL as pages may show it: never with a password."""
    return scrub(redact_url(s.url))


def begin_run() -> None:
    """Read the store's revision once per run (streamlit_app.py calls this before any page: no
    scan, a value that changes whenever the graph does); a store that does not answer (a Neo4j
    server gone) stops the page with one line."""
    try:
        st.session_state["_revision"] = store().revision()
    except StoreError as err:
        problem(err, "The graph store does not answer")
        st.stop()


def revision() -> str:
    if "_revision" not in st.session_state:
        begin_run()
    return st.session_state["_revision"]


@st.cache_resource(show_spinner=False, max_entries=4)
def _stats(url: str, revision: str) -> dict:
    return store_at(url).stats()


def stats() -> dict:
    """The store's counts, read once per revision of the graph for every session (counting a
    million relationships by type takes a second or more)."""
    try:
        return _stats(default_url(), revision())
    except StoreError as err:
        problem(err, "The graph store does not answer")
        st.stop()


def version() -> str:
    """A key that changes whenever the graph does: the store's revision, plus a counter the
    ingest page bumps."""
    return f"{revision()}#{st.session_state.get('graph_generation', 0)}"


def hub_threshold() -> int:
    return analytics.hub_threshold(stats())


@st.cache_resource(show_spinner=False, max_entries=2)
def _date_range(url: str, key: str) -> tuple[str, str]:
    facets = store_at(url).article_facets()
    return facets["first"], facets["last"]


def date_range() -> tuple[str, str]:
    """The first and last article dates ("" without dates), from the store, once per version."""
    store()
    return _date_range(default_url(), version())


# --- the store's answers, and the whole graph for exports -------------------------------------

_gc_lock = threading.Lock()
_gc_pauses = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a snapshot is built: its million new objects would
    trigger full collections over and over (a quarter of the load time on a 100k graph)."""
    global _gc_pauses
    with _gc_lock:
        _gc_pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if not _gc_pauses:
                gc.enable()


class WholeGraph:
    """The whole graph of one version of the store, for an explicit export of it (the Export
    page, the explorer's «Export this view»): its snapshot, loaded once (from `start()`, or when
    the file is made) in a background thread with a connection of its own. No page reads it to
    answer: they answer from the store's indexes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._started = False
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._graph: nx.MultiDiGraph | None = None
        self._error: str | None = None

    def start(self) -> WholeGraph:
        """Start loading, unless it is loading or loaded; a load that failed is tried again."""
        with self._lock:
            failed = self._loaded.is_set() and self._graph is None
            if not self._started or failed:
                self._started = True
                self._loaded.clear()
                self._error = None
                threading.Thread(target=self._load, name="investgraph-whole-graph", daemon=True).start()
        return self

    def _load(self) -> None:
        try:
            s = open_store(self.url)
            try:
                with gc_paused():
                    self._graph = s.snapshot()
            finally:
                s.close()
        except Exception as err:  # noqa: BLE001 - any failure is shown on the pages that wait
            self._error = f"{type(err).__name__}: {err}" if not isinstance(err, StoreError) else str(err)
        finally:
            self._loaded.set()

    @property
    def ready(self) -> bool:
        return self._loaded.is_set() and self._graph is not None

    def wait(self) -> nx.MultiDiGraph:
        """The snapshot, loading it if need be; StoreError if it cannot be loaded."""
        self.start()
        self._loaded.wait()
        if self._graph is None:
            raise StoreError(self._error or "the graph could not be loaded")
        return self._graph


@st.cache_resource(show_spinner=False, max_entries=2)
def _whole_graph(url: str, key: str) -> WholeGraph:
    return WholeGraph(url)


def whole() -> WholeGraph:
    """The WholeGraph of the current version, for exports (not loading until `start()`ed or waited for)."""
    store()
    return _whole_graph(default_url(), version())


def adjacency() -> analytics.StoreAdjacency:
    """What the walks read: the store, one hop at a time."""
    return analytics.StoreAdjacency(store())


def with_evidence(rows: list[dict], limit: int) -> dict[str, dict]:
    """Put on each row (a relation: its id under "key", or the edges of a path's hops) the first
    `limit` sentences that state it, read from the store for those relations only; the articles
    they come from, by id (id, title, date), for the links."""
    edges = [e for r in rows for e in (r.get("edges") or [r])]
    found = store().evidence([e["key"] for e in edges], limit=limit)
    for e in edges:
        e["evidence"] = found.get(e["key"], [])
    return {ev["article"]: {"id": ev["article"], "title": ev.get("title") or "", "date": ev.get("date") or ""}
            for evs in found.values() for ev in evs}


# --- links and text -------------------------------------------------------------------------

def entity_href(entity_id: str) -> str:
    return f"entity?entity={quote(entity_id, safe='')}"


def article_href(article_id: str) -> str:
    return f"articles?article={quote(article_id, safe='')}"


def entity_link(entity_id: str, name: str, entity_type: str = "") -> str:
    """An HTML link opening the entity's page."""
    dot = f"<span style='color:{TYPE_COLORS[entity_type]}'>●</span> " if entity_type in TYPE_COLORS else ""
    return f"{dot}<a href='{entity_href(entity_id)}' target='_self'>{html.escape(name)}</a>"


def article_link(article: dict) -> str:
    title = article.get("title") or article.get("id", "")
    return f"<a href='{article_href(article['id'])}' target='_self'>{html.escape(title)}</a>"


def evidence_html(evidence: list[dict], articles: dict[str, dict], limit: int = 3, total: int | None = None) -> str:
    """The first `limit` sentences stating a relation, each with its article; "… n more" for the
    rest of `total` (the relation's evidence count; by default those given)."""
    parts = []
    for ev in evidence[:limit]:
        a = articles.get(ev["article"], {"id": ev["article"]})
        parts.append(f"<div style='margin:0 0 .3rem 1.2rem;font-size:.9em'>«{html.escape(ev.get('sentence', ''))}» "
                     f"<small>— {article_link(a)} {html.escape(a.get('date') or '')}</small></div>")
    more = (len(evidence) if total is None else total) - min(limit, len(evidence))
    if more > 0:
        parts.append(f"<div style='margin-left:1.2rem'><small>… {more} more</small></div>")
    return "".join(parts)


def highlight(text: str, spans: list[tuple[int, int, str | None]]) -> str:
    """Text as HTML with the spans (start, stop, entity type or None) marked, coloured by type."""
    out = []
    for piece, label in analytics.mark_spans(text, [(a, b, t or "") for a, b, t in spans]):
        if label is None:
            out.append(html.escape(piece))
        else:
            color = TYPE_COLORS.get(label, "#ffd54f")
            out.append(f"<mark style='background:{color}33;border-bottom:2px solid {color};"
                       f"padding:0 2px' title='{label}'>{html.escape(piece)}</mark>")
    return "".join(out)


def min_confidence() -> float:
    """The sidebar's minimum confidence (0: every relation shown)."""
    return float(st.session_state.get("min_confidence", 0.0))


def confidence_label(confidence: float | None) -> str:
    """A relation's confidence as pages show it: "0.82"; "" for one made by rules alone."""
    return "" if confidence is None else f"{confidence:.2f}"


def confidence_html(confidence: float | None) -> str:
    """The confidence after a relation, small and with what it is on hover; "" for rules alone."""
    if confidence is None:
        return ""
    return f" <small title='confidence of the relation model'>· {confidence_label(confidence)}</small>"


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "")


def open_entity(entity_id: str) -> None:
    st.session_state["entity"] = entity_id
    st.switch_page(PAGES["entity"], query_params={"entity": entity_id})


def selected_entity() -> str | None:
    """The entity a page is about: ?entity=ID, else the last one opened in this session."""
    return st.query_params.get("entity") or st.session_state.get("entity")


def node_names(ids: list[str]) -> dict[str, str]:
    """Names of entities, from the store."""
    g = store().neighbourhood(ids, hops=0)
    return {i: g.nodes[i]["name"] for i in ids if i in g}


@st.cache_resource(show_spinner=False, max_entries=512)
def _search(url: str, key: str, text: str, types: tuple[str, ...], limit: int) -> tuple[list[EntityHit], bool]:
    s = store_at(url)
    hits = s.search(text, types=list(types) or None, limit=limit)
    return (hits, False) if hits else (s.similar(text, types=list(types) or None, limit=limit), True)


def find(text: str, types: list[str] | None = None, limit: int = 20) -> tuple[list[EntityHit], bool]:
    """The store's morphology-aware search; when it finds nothing, names close to the query
    (typos), from the store's index too (Store.similar). Cached per graph version: the sidebar
    asks again on every run. Returns (hits, similar names?). A search the store refuses
    (QueryError: too long to be a name) or cannot answer raises StoreError: callers say so in
    one line (`problem`) and the rest of the page goes on."""
    store()
    return _search(default_url(), version(), text.strip(), tuple(sorted(types or ())), limit)


def entity_picker(label: str, key: str, default: str | None = None, types: list[str] | None = None) -> str | None:
    """A text box that searches (morphology-aware, then fuzzy) and a select box of the hits; with
    a default entity, its name in the box and the entity picked until the box is changed."""
    name = node_names([default]).get(default, "") if default else ""
    query = st.text_input(label, key=f"{key}-q", value=name)
    if not query.strip():
        return None
    if default and name and query == name:
        hits = [EntityHit(default, "", name, 0)]
    else:
        try:
            hits, _ = find(query, types=types, limit=20)
        except StoreError as err:
            problem(err, "The search failed")
            return None
    if not hits:
        st.caption(f"Nothing found for «{query}».")
        return None
    ids = [h.id for h in hits]
    labels = {h.id: f"{h.name} · {h.type} · {h.mentions}" if h.type else h.name for h in hits}
    return st.selectbox(f"{label}: match", ids, index=ids.index(default) if default in ids else 0,
                        format_func=lambda i: labels[i], key=f"{key}-pick", label_visibility="collapsed")


# --- the sidebar ----------------------------------------------------------------------------

def sidebar() -> None:
    s = store()
    sb = st.sidebar
    sb.title("InvestGraph")
    query = sb.text_input("Search entities", key="query", placeholder="Заливацкого, Минэкономразвития…")
    types = sb.multiselect("Types", ENTITY_TYPES, default=[], key="types",
                           format_func=lambda t: TYPE_LABELS[t])
    hits: list[EntityHit] | None = None
    if query.strip():
        with sb:
            try:
                hits, fuzzy = find(query, types=types or None, limit=30)
            except StoreError as err:
                problem(err, "The search failed", sb)
    if hits is not None:
        if not hits:
            sb.info(f"Nothing found for «{query}».")
        elif fuzzy:
            sb.caption("No exact match; similar names:")
        for hit in hits:
            label = f"{TYPE_ICONS.get(hit.type, '')} {hit.name} · {hit.type} · {hit.mentions}"
            if sb.button(label, key=f"hit-{hit.id}", width="stretch"):
                open_entity(hit.id)
    sb.slider("Minimum confidence", 0.0, 1.0, 0.0, 0.05, key="min_confidence", format="%.2f",
              help=CONFIDENCE_HELP)
    n = stats()
    sb.caption(f"{n['articles']} articles · {n['entities_total']} entities · {n['relations_total']} relations")
    sb.caption(f"Store: `{shown_url(s)}`")
