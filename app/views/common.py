"""What every page of the workbench shares: the store, the cached snapshot and its indexes,
the sidebar search, entity links and highlighting.

The app talks only to the store interface (graph.store) and to graph.analytics over the
snapshot. The snapshot is cached per store and per the store's stats, so an ingest (which
changes the stats) makes every page see the new graph on its next run.
"""
from __future__ import annotations

import html
import json
import os
from urllib.parse import quote, unquote, urlsplit

import networkx as nx
import streamlit as st

from graph import analytics
from graph.model import ENTITY_TYPES
from graph.store import Store, StoreError, default_url, open_store, redact_url

# Material icons (bundled with Streamlit; render in markdown, titles and buttons, with no emoji font)
TYPE_ICONS = {"PERSON": ":material/person:", "ORG": ":material/business:", "LOC": ":material/place:",
              "PROJECT": ":material/factory:"}
TYPE_COLORS = {"PERSON": "#e4572e", "ORG": "#2e86ab", "LOC": "#59a14f", "PROJECT": "#f3a712"}
TYPE_LABELS = {"PERSON": "Персона", "ORG": "Организация", "LOC": "Место", "PROJECT": "Проект"}
ROLE_LABELS = {"initiator": "инициатор", "developer": "девелопер", "management_company": "управляющая компания",
               "investor": "инвестор", "resident": "резидент", "operator": "оператор", "partner": "партнёр",
               "participant": "участник"}
KIND_LABELS = {"industrial_park": "индустриальный парк", "technopark": "технопарк", "business_park": "бизнес-парк",
               "agro_park": "агропарк", "sez": "ОЭЗ", "tor": "ТОР", "free_port": "свободный порт",
               "cluster": "кластер", "plant": "завод", "infrastructure": "инфраструктура", "other": "другое"}
RELATION_LABELS = {"WORKS_AT": "работает в", "INVOLVED_IN": "участвует в", "LOCATED_IN": "находится в",
                   "PART_OF": "входит в"}

PAGES = {  # page key -> file, relative to app/streamlit_app.py
    "projects": "views/projects.py", "entity": "views/entity.py", "explorer": "views/explorer.py",
    "connections": "views/connections.py", "articles": "views/articles.py", "ingest": "views/ingest.py",
    "export": "views/export.py",
}


# --- the store and the cached graph -------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


def store() -> Store:
    """The store INVESTGRAPH_STORE (or NEO4J_URI, or the embedded default) names; a store that
    cannot be opened stops the page with one line (the URL shown without its password)."""
    try:
        return _store(default_url())
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


def shown_url(s: Store) -> str:
    """The store's URL as pages may show it: never with a password."""
    return scrub(redact_url(s.url))


def version(s: Store) -> str:
    """A key that changes whenever the graph does: the stats, plus a counter the ingest page bumps."""
    return json.dumps(s.stats(), sort_keys=True) + f"#{st.session_state.get('graph_generation', 0)}"


@st.cache_resource(show_spinner="Loading the graph…", max_entries=2)
def _snapshot(url: str, key: str) -> nx.MultiDiGraph:
    # cache_resource, not cache_data: every page reads the same (never mutated) graph object
    # instead of unpickling a copy on each run, which costs seconds on a 100k-edge graph.
    return _store(url).snapshot()


def graph() -> nx.MultiDiGraph:
    s = store()
    return _snapshot(default_url(), version(s))


@st.cache_resource(show_spinner=False, max_entries=2)
def _derived(url: str, key: str, what: str):
    g = _snapshot(url, key)
    if what == "names":
        return analytics.name_index(g)
    if what == "projects":
        return analytics.projects_table(g)
    if what == "articles":
        return analytics.article_index(g)
    if what == "dates":
        return analytics.article_dates(g)
    if what == "hub_threshold":
        return analytics.hub_threshold(g)
    if what == "degrees":
        return analytics.degrees(g)
    raise ValueError(what)


def derived(what: str):
    """An index over the snapshot, cached with it: names, projects, articles, dates, hub_threshold, degrees."""
    s = store()
    return _derived(default_url(), version(s), what)


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


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "")


def open_entity(entity_id: str) -> None:
    st.session_state["entity"] = entity_id
    st.switch_page(PAGES["entity"], query_params={"entity": entity_id})


def selected_entity() -> str | None:
    """The entity a page is about: ?entity=ID, else the last one opened in this session."""
    return st.query_params.get("entity") or st.session_state.get("entity")


def entity_picker(label: str, key: str, default: str | None = None, types: list[str] | None = None) -> str | None:
    """A text box that searches (morphology-aware, then fuzzy) and a select box of the hits."""
    s, g = store(), graph()
    query = st.text_input(label, key=f"{key}-q", value=g.nodes[default]["name"] if default in g else "")
    if not query.strip():
        return None
    hits, _ = analytics.search(s, g, query, types=types, limit=20, index=derived("names"))
    if not hits:
        st.caption(f"Nothing found for «{query}».")
        return None
    ids = [h.id for h in hits]
    names = {h.id: f"{h.name} · {h.type} · {h.mentions}" for h in hits}
    return st.selectbox(f"{label}: match", ids, format_func=names.get, key=f"{key}-pick", label_visibility="collapsed")


# --- the sidebar ----------------------------------------------------------------------------

def sidebar() -> None:
    s = store()
    sb = st.sidebar
    sb.title("InvestGraph")
    query = sb.text_input("Search entities", key="query", placeholder="Заливацкого, Минэкономразвития…")
    types = sb.multiselect("Types", ENTITY_TYPES, default=[], key="types",
                           format_func=lambda t: TYPE_LABELS[t])
    if query.strip():
        hits, fuzzy = analytics.search(s, graph(), query, types=types or None, limit=30, index=derived("names"))
        if not hits:
            sb.info(f"Nothing found for «{query}».")
        elif fuzzy:
            sb.caption("No exact match; similar names:")
        for hit in hits:
            label = f"{TYPE_ICONS.get(hit.type, '')} {hit.name} · {hit.type} · {hit.mentions}"
            if sb.button(label, key=f"hit-{hit.id}", width="stretch"):
                open_entity(hit.id)
    stats = s.stats()
    sb.caption(f"{stats['articles']} articles · {stats['entities_total']} entities · "
               f"{stats['relations_total']} relations")
    sb.caption(f"Store: `{shown_url(s)}`")
