"""Entity page: the card (type, aliases, project kind and facts), roles held, projects involved
in, other relations — each with its confidence and evidence, those below the sidebar's minimum
confidence hidden — the articles on a timeline, and every sentence that mentions the entity,
highlighted, with a link to its article."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from app.views.common import (
    KIND_LABELS,
    RELATION_LABELS,
    TYPE_ICONS,
    TYPE_LABELS,
    article_link,
    confidence_html,
    entity_link,
    evidence_html,
    highlight,
    min_confidence,
    role_label,
    selected_entity,
    store,
    with_evidence,
)
from graph import analytics
from graph.confidence import confident
from graph.model import EntityCard


def relation_list(title: str, rows: list[dict], articles: dict[str, dict]) -> None:
    if not rows:
        return
    st.subheader(title)
    for r in rows:
        arrow = "→" if r["direction"] == "out" else "←"
        role = f" <b>({html.escape(role_label(r['role']))})</b>" if r["role"] else ""
        st.markdown(f"{arrow} {RELATION_LABELS.get(r['type'], r['type'])}{role} "
                    f"{entity_link(r['other'], r['other_name'], r['other_type'])}{confidence_html(r['confidence'])} "
                    f"<small>· {r['weight']} article(s)</small>"
                    + evidence_html(r["evidence"], articles, total=r["evidence_count"]),
                    unsafe_allow_html=True)


def header(card: EntityCard) -> None:
    """Name, type, kind, counts, aliases and the buttons to the explorer and connections."""
    st.title(f"{TYPE_ICONS.get(card.type, '')} {card.name}")
    kind = f" · {KIND_LABELS.get(card.kind, card.kind)}" if card.kind else ""
    st.caption(f"{TYPE_LABELS.get(card.type, card.type)}{kind} · {card.mention_count} mentions in "
               f"{len(card.articles)} articles")
    if card.aliases:
        st.markdown("**Also written as:** " + ", ".join(card.aliases))
    cols = st.columns([1, 1, 1])
    if cols[0].button("Explore the graph around it", icon=":material/hub:"):
        st.session_state["explorer_seeds"] = [card.id]
        st.switch_page("views/explorer.py", query_params={"entity": card.id})
    if cols[1].button("Connections", icon=":material/route:"):
        st.switch_page("views/connections.py", query_params={"entity": card.id})


def facts(card: EntityCard, articles: dict[str, dict]) -> None:
    if not card.facts:
        return
    st.subheader("Facts")
    for r in analytics.fact_rows(card.facts):
        ev = r["evidence"]
        src = ""
        if ev:
            a = articles.get(ev["article"], {"id": ev["article"]})
            src = f" <small>— «{html.escape(ev.get('text', ''))}», {article_link(a)}</small>"
        st.markdown(f"**{html.escape(r['label'])}:** {html.escape(r['value'])}{src}", unsafe_allow_html=True)


RELATION_SECTIONS = (  # title, relation types, direction (None: either)
    ("Roles held", ("WORKS_AT",), "out"), ("People", ("WORKS_AT",), "in"),
    ("Projects involved in", ("INVOLVED_IN",), "out"), ("Participants", ("INVOLVED_IN",), "in"),
    ("Places and parts", ("LOCATED_IN", "PART_OF"), None))


EVIDENCE_SHOWN = 3  # sentences under each relation


def relations(source: analytics.Adjacency, entity_id: str, articles: dict[str, dict]) -> None:
    """The entity's relations by kind, those below the sidebar's minimum confidence hidden, each
    with its first sentences (read from the store for the relations shown)."""
    every = analytics.relations_of(source, entity_id)
    minimum = min_confidence()
    rels = [r for r in every if confident(r["confidence"], minimum)]
    articles.update(with_evidence(rels, EVIDENCE_SHOWN))
    for title, types, direction in RELATION_SECTIONS:
        relation_list(title, [r for r in rels if r["type"] in types and direction in (None, r["direction"])],
                      articles)
    if len(rels) < len(every):
        st.caption(f"{len(every) - len(rels)} relation(s) below the minimum confidence {minimum:.2f} hidden "
                   "(sidebar).")
    elif not rels:
        st.caption("No relations yet.")


def timeline(card: EntityCard) -> None:
    st.subheader("Timeline")
    per_article: dict[str, dict] = {}
    for m in card.mentions:
        per_article.setdefault(m.article, {"date": m.date or "—", "title": m.title or m.article, "mentions": 0})
        per_article[m.article]["mentions"] += 1
    table = pd.DataFrame(sorted(per_article.values(), key=lambda r: r["date"]))
    if not table.empty:
        dated = table[table["date"] != "—"]
        if len(dated) > 1:
            st.bar_chart(dated.groupby("date")["mentions"].sum(), height=160)
        st.dataframe(table, hide_index=True, width="stretch")


def mentions(card: EntityCard, articles: dict[str, dict]) -> None:
    st.subheader("Mentions")
    for ref in card.mentions:
        start = ref.start - ref.sentence_start
        a = articles.get(ref.article, {"id": ref.article, "title": ref.title})
        st.markdown(f"{highlight(ref.sentence, [(start, start + len(ref.text), card.type)])}<br>"
                    f"<small>{article_link(a)} {html.escape(ref.date)}"
                    + (f" · <a href='{html.escape(ref.url)}' target='_blank'>source ↗</a>" if ref.url else "")
                    + "</small>", unsafe_allow_html=True)


def main() -> None:
    entity_id = selected_entity()
    if not entity_id:
        st.title("Entity")
        st.info("Search a person, organisation, place or project in the sidebar to open its page.")
        return
    s = store()  # the card, the relations and their sentences: all from the store
    card = s.entity(entity_id)
    if card is None:
        st.warning(f"No entity {entity_id}.")
        return
    st.session_state["entity"] = entity_id
    articles = {a["id"]: a for a in card.articles}
    header(card)
    facts(card, articles)
    relations(analytics.StoreAdjacency(s), entity_id, articles)
    timeline(card)
    mentions(card, articles)


main()
