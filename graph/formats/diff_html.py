"""`investgraph diff … --html FILE`: what changed between two snapshots (graph.diff.SnapshotDiff)
as one self-contained HTML page: a summary line, then new and removed entities, new and removed
relations, changed roles and changed facts, each with its evidence (the sentence, the article's
date, title and link). No script, no network; text is escaped.
"""
from __future__ import annotations

import json
from html import escape
from typing import Any

from graph.diff import Cited, SnapshotDiff
from graph.model import SCHEMA

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; padding: 0 16px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.item { margin: 10px 0; } .what { font-weight: 600; } .muted { color: #777; }
.new { color: #1b7f3b; } .removed { color: #b3261e; } .changed { color: #8a5a00; }
blockquote { margin: 4px 0 4px 18px; padding-left: 8px; border-left: 3px solid #ddd; }
.type { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 12px; }
"""
SECTIONS = (("new_entities", "Новые сущности", "new", "+"),
            ("removed_entities", "Исчезнувшие сущности", "removed", "−"),
            ("new_relations", "Новые связи", "new", "+"),
            ("removed_relations", "Исчезнувшие связи", "removed", "−"),
            ("changed_roles", "Изменившиеся роли", "changed", "~"),
            ("changed_facts", "Изменившиеся факты", "changed", "~"))


def badge(type_: str) -> str:
    color = SCHEMA["entity_types"].get(type_, SCHEMA["relation_types"].get(type_, {})).get("color", "#888888")
    return f'<span class="type" style="background:{escape(color)}">{escape(type_)}</span>'


def cited(c: Cited) -> str:
    where = escape(c.url or c.article)
    title = escape(c.title or c.url or c.article)
    link = f'<a href="{where}">{title}</a>' if c.url.startswith(("http://", "https://")) else title
    quote = f"<blockquote>«{escape(c.text)}»</blockquote>" if c.text else ""
    return f'<div class="muted">{escape(c.date or "без даты")} · {link}</div>{quote}'


def headline(section: str, item: Any) -> str:
    if section.endswith("entities"):
        return f"{badge(item.type)} {escape(item.name)} <span class=muted>{escape(item.id)}</span>"
    if section == "changed_facts":
        return (f"{escape(item.name)}: <code>{escape(json.dumps(item.before, ensure_ascii=False))}</code> → "
                f"<code>{escape(json.dumps(item.after, ensure_ascii=False))}</code>")
    arrow = f"{escape(item.source_name)} —{badge(item.type)}→ {escape(item.target_name)}"
    if section == "changed_roles":
        return f"{arrow}: {escape(', '.join(item.before) or '—')} → {escape(', '.join(item.after) or '—')}"
    return arrow + (f" ({escape(item.role)})" if item.role else "")


def section_html(changes: SnapshotDiff, section: str, title: str, css: str, sign: str) -> str:
    items = getattr(changes, section)
    if not items:
        return ""
    body = "".join(f'<div class="item"><span class="what {css}">{sign}</span> {headline(section, item)}'
                   f'{"".join(cited(c) for c in getattr(item, "evidence", []))}</div>' for item in items)
    return f"<h2>{escape(title)} ({len(items)})</h2>{body}"


def render(changes: SnapshotDiff, before: str, after: str) -> str:
    """The page: `before` and `after` name the two sides (files, or the store and a date)."""
    counts = ", ".join(f"{title.lower()}: {len(getattr(changes, s))}" for s, title, _, _ in SECTIONS)
    sections = "".join(section_html(changes, *spec) for spec in SECTIONS) or "<p>Ничего не изменилось.</p>"
    return ("<!DOCTYPE html><html lang=ru><head><meta charset=utf-8>"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>InvestGraph: что изменилось</title><style>{STYLE}</style></head><body>"
            f"<h1>Что изменилось</h1><p class=muted>с {escape(before)} по {escape(after)}</p><p>{escape(counts)}</p>"
            f"{sections}</body></html>\n")
