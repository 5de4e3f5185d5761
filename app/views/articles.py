"""Articles: the list with date and source filters; one article with its entities highlighted by
type and the relations extracted from it."""
from __future__ import annotations

import html

import networkx as nx
import pandas as pd
import streamlit as st

from app.views.common import (
    RELATION_LABELS,
    TYPE_COLORS,
    WAIT,
    confidence_html,
    derived,
    entity_link,
    highlight,
    loaded_graph,
    min_confidence,
    role_label,
    store,
    when_loaded,
)
from graph import analytics
from graph.confidence import confident


def article_view(article_id: str) -> None:
    """One article from the store at once; its entities highlighted and its relations once the
    whole graph has loaded."""
    article = store().article(article_id)
    if article is None:
        st.warning(f"No article {article_id}.")
        return
    g = loaded_graph(WAIT)
    index = derived("articles") if g is not None else None
    ms = analytics.article_mentions(g, index, article_id) if index else []
    rs = analytics.article_relations(g, index, article_id) if index else []
    shown = [r for r in rs if confident(r["confidence"], min_confidence())]
    if st.button("All articles", icon=":material/arrow_back:", key="art-back"):
        st.query_params.clear()
        st.session_state.pop("art-table", None)  # or the list's selection would reopen the article
        st.rerun()
    st.title(article["title"] or article_id)
    meta = [x for x in (article.get("date"), article.get("source")) if x]
    st.caption(" · ".join(meta))
    if article.get("url"):
        st.markdown(f"<a href='{html.escape(article['url'])}' target='_blank'>{html.escape(article['url'])} ↗</a>",
                    unsafe_allow_html=True)
    if index is None:
        when_loaded("highlighted entities and the relations stated here")
    st.markdown(" ".join(f"<span style='background:{c}33;border-bottom:2px solid {c};padding:0 4px'>"
                         f"{t}</span>" for t, c in TYPE_COLORS.items()), unsafe_allow_html=True)
    left, right = st.columns([3, 2])
    with left:
        text = highlight(article["text"], [(m["start"], m["stop"], m["type"]) for m in ms])
        st.markdown(f"<div style='white-space:pre-wrap;line-height:1.6'>{text}</div>", unsafe_allow_html=True)
    if g is not None:
        with right:
            relations_panel(g, rs, shown, ms)


def relations_panel(g: nx.MultiDiGraph, rs: list[dict], shown: list[dict], ms: list[dict]) -> None:
    """The relations stated in the article (those above the minimum confidence) and its entities."""
    st.subheader("Relations")
    if not rs:
        st.caption("No relations extracted from this article.")
    elif len(shown) < len(rs):
        st.caption(f"{len(rs) - len(shown)} relation(s) below the minimum confidence hidden (sidebar).")
    for r in shown:
        role = f" ({html.escape(role_label(r['role']))})" if r["role"] else ""
        st.markdown(f"{entity_link(r['source'], r['source_name'], g.nodes[r['source']]['type'])} → "
                    f"<b>{RELATION_LABELS.get(r['type'], r['type'])}{role}</b>{confidence_html(r['confidence'])} → "
                    f"{entity_link(r['target'], r['target_name'], g.nodes[r['target']]['type'])}"
                    f"<div style='margin:0 0 .5rem 1rem;font-size:.85em;color:#555'>"
                    f"«{html.escape(r['sentence'])}»</div>", unsafe_allow_html=True)
    st.subheader("Entities")
    seen: dict[str, list] = {}
    for m in ms:
        seen.setdefault(m["entity"], [m["type"], m["name"], 0])[2] += 1
    for eid, (t, name, n) in sorted(seen.items(), key=lambda x: (x[1][0], -x[1][2], x[1][1])):
        st.markdown(f"{entity_link(eid, name, t)} <small>×{n}</small>", unsafe_allow_html=True)


def article_list() -> None:
    """The articles from the store at once; how many entities and relations each has once the
    whole graph has loaded."""
    st.title("Articles")
    df = pd.DataFrame(store().articles(), columns=["id", "source", "doc", "title", "url", "date"])
    if df.empty:
        st.info("No articles yet: ingest some news on the Ingest page.")
        return
    df = df.fillna("")
    counted = loaded_graph(WAIT) is not None
    if counted:
        counts = analytics.article_counts(derived("articles"))
        df["entities"] = df["id"].map(lambda i: counts.get(i, (0, 0))[0])
        df["relations"] = df["id"].map(lambda i: counts.get(i, (0, 0))[1])
    c1, c2, c3 = st.columns([2, 2, 2])
    dates = sorted(d for d in df["date"] if d)
    d_from = c1.text_input("From date (yyyy-mm-dd)", value=dates[0] if dates else "", key="art-from")
    d_to = c2.text_input("To date (yyyy-mm-dd)", value=dates[-1] if dates else "", key="art-to")
    sources = c3.multiselect("Source", sorted(set(df["source"])), key="art-source")
    text = st.text_input("Title contains", key="art-title")
    view = df
    if d_from:
        view = view[(view["date"] >= d_from) | (view["date"] == "")]
    if d_to:
        view = view[(view["date"] <= d_to) | (view["date"] == "")]
    if sources:
        view = view[view["source"].isin(sources)]
    if text.strip():
        view = view[view["title"].str.contains(text.strip(), case=False, regex=False)]
    view = view.sort_values(["date", "title"], ascending=[False, True])
    st.caption(f"{len(view)} of {len(df)} articles")
    if not counted:
        when_loaded("the number of entities and relations per article")
    columns = ["date", "title", "source"] + (["entities", "relations"] if counted else [])
    event = st.dataframe(view[columns], hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="art-table")
    picked = event.selection.rows if event and hasattr(event, "selection") else []
    if picked:
        st.query_params["article"] = view.iloc[picked[0]]["id"]
        st.rerun()


def main() -> None:
    if article_id := st.query_params.get("article"):
        article_view(article_id)
    else:
        article_list()


main()
