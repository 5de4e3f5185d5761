"""What every page of the workbench shares: the store, the whole graph loading in the
background, the sidebar search, entity links and highlighting.

The sidebar's «Minimum confidence» filters the relations every page lists or draws (entity,
explorer, projects, connections, an article's relations) and the exports: a relation below it
is hidden, one made by rules alone (no confidence) never is; pages show a relation's confidence
next to it ("0.82").

The app talks only to the store interface (graph.store, opened by graph.open) and to graph.analytics. A page about
a few entities (an entity, the explorer's view, paths between two entities, an article) answers
from the store at once (analytics.StoreAdjacency), and so does the projects table
(Store.projects); what needs the whole graph (similar names, evidence sentences, highlights,
exports) comes from its snapshot, loaded once per graph version in a background thread shared
by every session (WholeGraph), and pages fill it in when it is there. The version is the
store's stats, read once per run, plus a counter the ingest page bumps: an ingest makes every
page see the new graph on its next run.
"""
from __future__ import annotations

import contextlib
import gc
import html
import json
import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterator
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
LOADING = "loading the whole graph"  # what a page says while a part of it waits for the snapshot
WAIT = 0.3  # seconds a page about a few entities waits for the whole graph before it answers from the store


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
    """Read the store's stats once per run (streamlit_app.py calls this before any page); a store
    that does not answer (a Neo4j server gone) stops the page with one line."""
    try:
        st.session_state["_stats"] = store().stats()
    except StoreError as err:
        problem(err, "The graph store does not answer")
        st.stop()


def stats() -> dict:
    if "_stats" not in st.session_state:
        begin_run()
    return st.session_state["_stats"]


def version() -> str:
    """A key that changes whenever the graph does: the stats, plus a counter the ingest page bumps."""
    return json.dumps(stats(), sort_keys=True) + f"#{st.session_state.get('graph_generation', 0)}"


def hub_threshold() -> int:
    return analytics.hub_threshold(stats())


@st.cache_resource(show_spinner=False, max_entries=2)
def _date_range(url: str, key: str) -> tuple[str, str]:
    dates = sorted(a["date"] for a in store_at(url).articles() if a.get("date"))
    return (dates[0], dates[-1]) if dates else ("", "")


def date_range() -> tuple[str, str]:
    """The first and last article dates ("" without dates), from the store, once per version."""
    store()
    return _date_range(default_url(), version())


# --- the whole graph, loading in the background ----------------------------------------------

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


INDEXES: dict[str, Callable[[nx.MultiDiGraph], Any]] = {"names": analytics.name_index,
                                                         "articles": analytics.article_index}


class WholeGraph:
    """The whole graph of one version of the store: its snapshot, loaded once (from `start()`)
    in a background thread with a connection of its own, and the indexes pages build over it,
    each built once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._started = False
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._graph: nx.MultiDiGraph | None = None
        self._error: str | None = None
        self._indexes: dict[str, Any] = {}
        self._index_locks: dict[str, threading.Lock] = {}

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

    def wait_for(self, seconds: float) -> bool:
        """Wait up to `seconds` for the load to end; whether it has."""
        return self._loaded.wait(seconds)

    @property
    def ready(self) -> bool:
        return self._loaded.is_set() and self._graph is not None

    @property
    def error(self) -> str | None:
        return self._error if self._loaded.is_set() else None

    def wait(self) -> nx.MultiDiGraph:
        """The snapshot, loading it if need be; StoreError if it cannot be loaded."""
        self.start()
        self._loaded.wait()
        if self._graph is None:
            raise StoreError(self._error or "the graph could not be loaded")
        return self._graph

    def has(self, what: str) -> bool:
        return what in self._indexes

    def index(self, what: str, build: Callable[[nx.MultiDiGraph], Any] | None = None) -> Any:
        """An index over the snapshot, built once: one of INDEXES, or what `build` makes of it."""
        g = self.wait()
        with self._lock:
            lock = self._index_locks.setdefault(what, threading.Lock())
        with lock:
            if what not in self._indexes:
                with gc_paused():  # everything an index allocates stays: collecting is pure overhead
                    self._indexes[what] = (build or INDEXES[what])(g)
        return self._indexes[what]


@st.cache_resource(show_spinner=False, max_entries=2)
def _whole_graph(url: str, key: str) -> WholeGraph:
    return WholeGraph(url)


def whole() -> WholeGraph:
    """The WholeGraph of the current version (not necessarily loading yet: `start()` it)."""
    store()
    return _whole_graph(default_url(), version())


def graph() -> nx.MultiDiGraph:
    """The whole graph, waiting for it to load; a graph that cannot be loaded stops the page."""
    wg = whole()
    try:
        if wg.ready:
            return wg.wait()
        with st.spinner(f"Loading the whole graph ({stats()['relations_total']:,} relations)…"):
            return wg.wait()
    except StoreError as err:
        st.error(f"The graph cannot be loaded: {scrub(str(err))}")
        st.stop()


def derived(what: str, build: Callable[[nx.MultiDiGraph], Any] | None = None) -> Any:
    """An index over the whole graph (one of INDEXES, or what `build` makes of the graph, cached
    under `what`), waiting for the graph if need be. Pages must not change what they get."""
    wg = whole()
    if wg.has(what):
        return wg.index(what, build)
    graph()
    with st.spinner("Indexing the graph…"):
        return wg.index(what, build)


def loaded_graph(wait: float = 0.0) -> nx.MultiDiGraph | None:
    """The whole graph if it has loaded, else None. With `wait`, start loading it and wait that
    many seconds first (pages give it WAIT: a small graph is there by then)."""
    wg = whole()
    if not wg.ready and wait > 0:
        wg.start().wait_for(wait)
    return wg.wait() if wg.ready else None


def adjacency(wait: float = 0.0) -> analytics.Adjacency:
    """What the walks read: the whole graph once it has loaded (waiting `wait` seconds for it),
    until then the store, while the whole graph loads."""
    g = loaded_graph(wait)
    if g is not None:
        return analytics.Adjacency(g)
    whole().start()
    return analytics.StoreAdjacency(store())


@st.fragment(run_every=1.0)
def _poll(what: str, url: str, key: str) -> None:
    wg = _whole_graph(url, key)
    if wg.ready:
        st.rerun()
    if wg.error:
        st.error(f"The graph cannot be loaded, so {what} cannot be shown: {scrub(wg.error)}")
    else:
        st.caption(f":material/hourglass_top: {what[0].upper() + what[1:]}: {LOADING}…")


def when_loaded(what: str) -> None:
    """Say that `what` comes with the whole graph, start loading it, and rerun the page once it
    has loaded."""
    whole().start()
    _poll(what, default_url(), version())


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


def evidence_html(evidence: list[dict], articles: dict[str, dict], limit: int = 3) -> str:
    parts = []
    for ev in evidence[:limit]:
        a = articles.get(ev["article"], {"id": ev["article"]})
        parts.append(f"<div style='margin:0 0 .3rem 1.2rem;font-size:.9em'>«{html.escape(ev.get('sentence', ''))}» "
                     f"<small>— {article_link(a)} {html.escape(a.get('date', ''))}</small></div>")
    if len(evidence) > limit:
        parts.append(f"<div style='margin-left:1.2rem'><small>… {len(evidence) - limit} more</small></div>")
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
    """Names of entities, from the whole graph if loaded, else the store."""
    g = loaded_graph()
    if g is None:
        g = store().neighbourhood(ids, hops=0)
    return {i: g.nodes[i]["name"] for i in ids if i in g}


@st.cache_resource(show_spinner=False, max_entries=512)
def _search(url: str, key: str, text: str, types: tuple[str, ...], limit: int) -> list[EntityHit]:
    return store_at(url).search(text, types=list(types) or None, limit=limit)


def find(text: str, types: list[str] | None = None, limit: int = 20) -> tuple[list[EntityHit], bool]:
    """The store's morphology-aware search (cached per graph version: the sidebar asks again on
    every run); when it finds nothing, names close to the query (typos), which needs the whole
    graph's names. Returns (hits, similar names?). A search the store refuses (QueryError: too
    long to be a name) or cannot answer, or a whole graph that cannot load, raises StoreError:
    callers say so in one line (`problem`) and the rest of the page goes on."""
    store()
    hits = _search(default_url(), version(), text.strip(), tuple(sorted(types or ())), limit)
    if hits:
        return hits, False
    wg = whole()
    if not wg.ready:
        with st.spinner("Loading the whole graph for similar names…"):
            wg.wait()
    with st.spinner("Indexing the graph…") if not wg.has("names") else contextlib.nullcontext():
        names = wg.index("names")
    return analytics.fuzzy_hits(wg.wait(), text, types, limit, names), True


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
