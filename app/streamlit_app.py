"""The InvestGraph workbench (Streamlit): search entities, open one, see its neighbours
and the sentences that mention it, read the article.

Run with `investgraph app`; the store comes from INVESTGRAPH_STORE (or the embedded
default). The app talks only to the store interface.
"""
from __future__ import annotations

import html

import streamlit as st

from graph.model import ENTITY_TYPES, MentionRef
from graph.store import Store, open_store

TYPE_ICONS = {"PERSON": "👤", "ORG": "🏢", "LOC": "📍", "PROJECT": "🏗️"}


@st.cache_resource
def get_store() -> Store:
    return open_store()


def highlight(sentence: str, start: int, stop: int) -> str:
    """The sentence as HTML with [start, stop) marked."""
    return (html.escape(sentence[:start]) + "<mark>" + html.escape(sentence[start:stop]) + "</mark>"
            + html.escape(sentence[stop:]))


def article_link(ref: MentionRef) -> str:
    return ref.url or f"?article={ref.article}"


def sidebar(store: Store) -> None:
    st.sidebar.title("InvestGraph")
    query = st.sidebar.text_input("Search entities", key="query", placeholder="Заливацкого, Минэкономразвития…")
    types = st.sidebar.multiselect("Types", ENTITY_TYPES, default=[], key="types")
    if query.strip():
        hits = store.search(query, types=types or None, limit=30)
        if not hits:
            st.sidebar.info(f"Nothing found for «{query}».")
        for hit in hits:
            label = f"{TYPE_ICONS.get(hit.type, '')} {hit.name} · {hit.type} · {hit.mentions}"
            if st.sidebar.button(label, key=f"hit-{hit.id}", use_container_width=True):
                open_entity(hit.id)
    stats = store.stats()
    st.sidebar.caption(f"{stats['articles']} articles · {stats['entities_total']} entities · "
                       f"{stats['relations_total']} relations")


def open_entity(entity_id: str) -> None:
    st.query_params.clear()
    st.query_params["entity"] = entity_id


def entity_page(store: Store, entity_id: str) -> None:
    card = store.entity(entity_id)
    if card is None:
        st.warning(f"No entity {entity_id}.")
        return
    st.header(f"{TYPE_ICONS.get(card.type, '')} {card.name}")
    st.caption(f"{card.type}{' · ' + card.kind if card.kind else ''} · {card.mention_count} mentions "
               f"in {len(card.articles)} articles")
    if card.aliases:
        st.write("**Also written as:** " + ", ".join(card.aliases))
    if card.facts:
        st.json(card.facts, expanded=False)

    st.subheader("Neighbours")
    if not card.neighbours:
        st.write("No relations yet.")
    for n in card.neighbours:
        arrow = "→" if n.direction == "out" else "←"
        role = f" ({n.role})" if n.role else ""
        cols = st.columns([3, 1])
        cols[0].write(f"{arrow} **{n.relation}**{role} {TYPE_ICONS.get(n.type, '')} {n.name} · weight {n.weight}")
        if cols[1].button("Open", key=f"nb-{n.id}-{n.relation}-{n.role}-{n.direction}"):
            open_entity(n.id)
            st.rerun()

    st.subheader("Mentions")
    for ref in card.mentions:
        start = ref.start - ref.sentence_start
        st.markdown(f"{highlight(ref.sentence, start, start + len(ref.text))}<br>"
                    f"<small><a href='{html.escape(article_link(ref))}' target='_self'>"
                    f"{html.escape(ref.title or ref.article)}</a> {html.escape(ref.date)}</small>",
                    unsafe_allow_html=True)


def article_page(store: Store, article_id: str) -> None:
    article = store.article(article_id)
    if article is None:
        st.warning(f"No article {article_id}.")
        return
    st.header(article["title"] or article_id)
    st.caption(" · ".join(x for x in (article["date"], article["url"], article["source"]) if x))
    st.text(article["text"])


def home(store: Store) -> None:
    st.header("InvestGraph")
    st.write("Search a person, organisation, place or project in the sidebar.")
    articles = store.articles(limit=50)
    if articles:
        st.subheader("Articles")
        for a in articles:
            st.markdown(f"- [{a['title'] or a['id']}](?article={a['id']}) {a['date']}")


def main() -> None:
    st.set_page_config(page_title="InvestGraph", page_icon="🕸️", layout="wide")
    store = get_store()
    sidebar(store)
    if entity_id := st.query_params.get("entity"):
        entity_page(store, entity_id)
    elif article_id := st.query_params.get("article"):
        article_page(store, article_id)
    else:
        home(store)


main()
