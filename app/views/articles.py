"""Articles: the list with date and source filters; one article with its entities highlighted by
type and the relations extracted from it."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from app.views.common import (
    RELATION_LABELS,
    TYPE_COLORS,
    confidence_html,
    entity_link,
    highlight,
    min_confidence,
    role_label,
    store,
)
from graph.confidence import confident

PAGE_ROWS = 200  # articles listed per page of the list, each with its counts from the store


def article_view(article_id: str) -> None:
    """One article from the store, its entities highlighted and the relations stated in it
    (Store.article_content: the article's own rows)."""
    article = store().article(article_id)
    if article is None:
        st.warning(f"No article {article_id}.")
        return
    content = store().article_content(article_id)
    ms, rs = content["mentions"], content["relations"]
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
    st.markdown(" ".join(f"<span style='background:{c}33;border-bottom:2px solid {c};padding:0 4px'>"
                         f"{t}</span>" for t, c in TYPE_COLORS.items()), unsafe_allow_html=True)
    left, right = st.columns([3, 2])
    with left:
        text = highlight(article["text"], [(m["start"], m["stop"], m["type"]) for m in ms])
        st.markdown(f"<div style='white-space:pre-wrap;line-height:1.6'>{text}</div>", unsafe_allow_html=True)
    with right:
        relations_panel(rs, shown, ms)


def relations_panel(rs: list[dict], shown: list[dict], ms: list[dict]) -> None:
    """The relations stated in the article (those above the minimum confidence) and its entities."""
    st.subheader("Relations")
    if not rs:
        st.caption("No relations extracted from this article.")
    elif len(shown) < len(rs):
        st.caption(f"{len(rs) - len(shown)} relation(s) below the minimum confidence hidden (sidebar).")
    for r in shown:
        role = f" ({html.escape(role_label(r['role']))})" if r["role"] else ""
        st.markdown(f"{entity_link(r['source'], r['source_name'], r['source_type'])} → "
                    f"<b>{RELATION_LABELS.get(r['type'], r['type'])}{role}</b>{confidence_html(r['confidence'])} → "
                    f"{entity_link(r['target'], r['target_name'], r['target_type'])}"
                    f"<div style='margin:0 0 .5rem 1rem;font-size:.85em;color:#555'>"
                    f"«{html.escape(r['sentence'])}»</div>", unsafe_allow_html=True)
    st.subheader("Entities")
    seen: dict[str, list] = {}
    for m in ms:
        seen.setdefault(m["entity"], [m["type"], m["name"], 0])[2] += 1
    for eid, (t, name, n) in sorted(seen.items(), key=lambda x: (x[1][0], -x[1][2], x[1][1])):
        st.markdown(f"{entity_link(eid, name, t)} <small>×{n}</small>", unsafe_allow_html=True)


def filters() -> dict:
    """The date, source and title filters, as Store.articles_page takes them."""
    facets = store().article_facets()
    c1, c2, c3 = st.columns([2, 2, 2])
    d_from = c1.text_input("From date (yyyy-mm-dd)", value=facets["first"], key="art-from")
    d_to = c2.text_input("To date (yyyy-mm-dd)", value=facets["last"], key="art-to")
    sources = c3.multiselect("Source", facets["sources"], key="art-source")
    title = st.text_input("Title contains", key="art-title")
    return {"date_from": d_from.strip() or None, "date_to": d_to.strip() or None, "sources": sources or None,
            "title": title.strip() or None}


def article_list() -> None:
    """The articles the filters keep, read from the store a page of PAGE_ROWS at a time
    (Store.articles_page), each with how many entities and relations it has (Store.article_counts)."""
    st.title("Articles")
    chosen = filters()
    page = int(st.session_state.get("art-page", 1))
    found, total = store().articles_page((page - 1) * PAGE_ROWS, PAGE_ROWS, **chosen)
    if not total and not store().articles_page(0, 0)[1]:
        st.info("No articles yet: ingest some news on the Ingest page.")
        return
    pages = max(1, -(-total // PAGE_ROWS))
    if page > pages:  # the filters left fewer pages than the one asked for
        st.session_state["art-page"] = page = 1
        found, total = store().articles_page(0, PAGE_ROWS, **chosen)
    if pages > 1:
        st.number_input(f"Page (of {pages:,})", 1, pages, key="art-page")
    rows = pd.DataFrame(found, columns=["id", "source", "doc", "title", "url", "date"]).fillna("")
    counts = store().article_counts(rows["id"])
    rows["entities"] = rows["id"].map(lambda i: counts.get(i, (0, 0))[0])
    rows["relations"] = rows["id"].map(lambda i: counts.get(i, (0, 0))[1])
    first = (page - 1) * PAGE_ROWS
    st.caption(f"{total:,} articles" + (f" · {first + 1:,}–{first + len(rows):,} shown" if pages > 1 else ""))
    event = st.dataframe(rows[["date", "title", "source", "entities", "relations"]], hide_index=True,
                         width="stretch", on_select="rerun", selection_mode="single-row", key="art-table")
    picked = event.selection.rows if event and hasattr(event, "selection") else []
    if picked:
        st.query_params["article"] = rows.iloc[picked[0]]["id"]
        st.rerun()


def main() -> None:
    if article_id := st.query_params.get("article"):
        article_view(article_id)
    else:
        article_list()


main()
