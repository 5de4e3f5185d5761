"""What changed: what the store learnt in a chosen period — new projects, new participants
(INVOLVED_IN), new posts (WORKS_AT), changed roles and facts, the rest below — each with the
sentences that state it, their articles' dates and titles; the same as `investgraph diff --since`
(graph.diff.changes_since). And a project's timeline: its articles in date order with what each
said of it (graph.timeline).
"""
from __future__ import annotations

import html
from datetime import date, timedelta

import streamlit as st

from app.views.common import RELATION_LABELS, TYPE_LABELS, article_link, entity_link, store, version
from graph.diff import Cited, PeriodError, RelationChange, SnapshotDiff, changes_since
from graph.timeline import Moment, timeline

SHOWN = 3  # evidence sentences shown per change


def cited_html(cited: list[Cited]) -> str:
    """The evidence of a change: date, article link, the sentence."""
    rows = []
    for c in cited[:SHOWN]:
        link = article_link({"id": c.article, "title": c.title})
        sentence = f" — «{html.escape(c.text)}»" if c.text else ""
        rows.append(f"<li><code>{c.date or '—'}</code> {link}{sentence}</li>")
    more = f"<li>… {len(cited) - SHOWN} more</li>" if len(cited) > SHOWN else ""
    return f"<ul class='evidence'>{''.join(rows)}{more}</ul>"


def relation_line(r: RelationChange) -> str:
    role = f" <i>({html.escape(r.role)})</i>" if r.role else ""
    return (f"{entity_link(r.source, r.source_name)} — {RELATION_LABELS.get(r.type, r.type)}{role} → "
            f"{entity_link(r.target, r.target_name)}")


def section(title: str, lines: list[tuple[str, list[Cited]]], empty: str) -> None:
    st.subheader(f"{title} ({len(lines)})")
    if not lines:
        st.caption(empty)
    for line, cited in lines:
        st.markdown(f"{line}{cited_html(cited)}", unsafe_allow_html=True)


def show_changes(d: SnapshotDiff) -> None:
    projects = [e for e in d.new_entities if e.type == "PROJECT"]
    section("New projects", [(entity_link(e.id, e.name, e.type), e.evidence) for e in projects],
            "No new project in this period.")
    section("New participants", [(relation_line(r), r.evidence) for r in d.new_relations if r.type == "INVOLVED_IN"],
            "No new participant of a project in this period.")
    section("New posts", [(relation_line(r), r.evidence) for r in d.new_relations if r.type == "WORKS_AT"],
            "No new post in this period.")
    roles = [(f"{entity_link(c.source, c.source_name)} — {RELATION_LABELS.get(c.type, c.type)} → "
              f"{entity_link(c.target, c.target_name)}: {html.escape(', '.join(c.before) or '—')} → "
              f"{html.escape(', '.join(c.after) or '—')}", c.evidence) for c in d.changed_roles]
    section("Changed roles", roles, "No role changed in this period.")
    with st.expander(f"Everything else: {len(d.new_entities) - len(projects)} other new entities, "
                     f"{sum(r.type not in ('INVOLVED_IN', 'WORKS_AT') for r in d.new_relations)} other new "
                     f"relations, {len(d.changed_facts)} changed facts"):
        for e in d.new_entities:
            if e.type != "PROJECT":
                st.markdown(f"{TYPE_LABELS.get(e.type, e.type)}: {entity_link(e.id, e.name, e.type)}"
                            f"{cited_html(e.evidence)}", unsafe_allow_html=True)
        for r in d.new_relations:
            if r.type not in ("INVOLVED_IN", "WORKS_AT"):
                st.markdown(f"{relation_line(r)}{cited_html(r.evidence)}", unsafe_allow_html=True)
        for f in d.changed_facts:
            st.markdown(f"{entity_link(f.id, f.name)}: {html.escape(str(f.before))} → {html.escape(str(f.after))}",
                        unsafe_allow_html=True)


def period() -> str:
    """The first day of the period the page shows (default: a week ago)."""
    choice = st.radio("Period", ("This week", "This month", "Since a date"), horizontal=True, key="changes-period")
    today = date.today()
    if choice == "This week":
        return (today - timedelta(days=6)).isoformat()
    if choice == "This month":
        return (today - timedelta(days=29)).isoformat()
    return st.date_input("Since", today - timedelta(days=6), key="changes-since").isoformat()


def moment_html(m: Moment) -> str:
    items = []
    for s in m.stated:
        if s.what == "relation":
            role = f" ({html.escape(s.role)})" if s.role else ""
            arrow = "→" if s.direction == "out" else "←"
            items.append(f"<li>{RELATION_LABELS.get(s.relation, s.relation)}{role} {arrow} "
                         f"{entity_link(s.other, s.other_name)}: «{html.escape(s.text)}»</li>")
        elif s.what == "fact":
            items.append(f"<li>fact {html.escape(s.text)}</li>")
        else:
            items.append(f"<li>«{html.escape(s.text)}»</li>")
    title = article_link({"id": m.article, "title": m.title})
    return f"<p><code>{m.date or 'no date'}</code> {title}</p><ul class='timeline'>{''.join(items)}</ul>"


def show_timeline() -> None:
    st.header("A project's timeline")
    hits = []
    if query := st.text_input("Project", key="changes-project", placeholder="a project's name"):
        hits = store().search(query, types=["PROJECT"], limit=20)
        if not hits:
            st.caption(f"No project named like «{query}».")
    if hits:
        pick = st.selectbox("Which", hits, format_func=lambda h: f"{h.name} ({h.id})", key="changes-pick")
        moments = timeline(store(), pick.id)
        st.caption(f"{len(moments)} articles, earliest first.")
        for m in moments:
            st.markdown(moment_html(m), unsafe_allow_html=True)


@st.cache_data(show_spinner="Comparing the graph as known before and now…", max_entries=8)
def cached_changes(url: str, graph_version: str, since: str) -> SnapshotDiff:
    """changes_since, once per store, graph version and date."""
    return changes_since(store(), since)[0]


def main() -> None:
    st.title("What changed")
    since = period()
    st.caption(f"What the store learnt from {since} on: the graph as known the day before against the graph "
               "as known today (articles without a date are left out), as `investgraph diff --since` gives it.")
    try:
        changes = cached_changes(store().url, version(), since)
    except PeriodError as err:
        st.error(str(err))
    else:
        show_changes(changes)
    show_timeline()


main()
