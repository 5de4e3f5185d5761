"""A snapshot as the rows of the InvestGraph Neo4j store (graph.neo4j_store's model), for the
formats that build such a database without the store: `neo4j-admin` (CSV for `neo4j-admin
database import full`) and `cypher` (a script). Either gives the database `investgraph import
SNAPSHOT --store neo4j://…` would write into an empty one, so every investgraph command reads it:

    (:Article {id, source, doc, title, url, date, text, hash})   text: a stand-in, as import writes it
                                                   (spaces, with the evidence sentences and mention
                                                   texts at their offsets: a snapshot carries no texts)
    (:Entity {id, type, name, kind, facts, name_keys})
    (:Entity)-[:MENTIONED_IN {start, stop, text, key, sentence_start, sentence_stop}]->(:Article)
    (:Entity)-[:RELATION {id, type, role}]->(:Entity)
    (:Evidence {relation_id, article_id, start, stop, sentence, confidence})
    (:Said {entity_id, article_id, key, name, kind, facts})   one per node and article that names
                                                   it or states one of its relations

Empty kinds and roles are absent (null), as the store writes them. Merge logs and decisions are not
in a snapshot, so not here either. Rows are dicts of property values (None: absent).

Memory: entities, mentions, relations and evidence are rows of one node or edge each; articles
and Said rows need what every node and edge says of an article, gathered first (`ArticleContent`:
per article the offsets and texts of its mentions and evidence sentences and the nodes it names;
per node its name, kind and facts), into a temporary SQLite file, so that memory stays bounded.
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.model import Article
from graph.snapshot_io import stand_in_text
from graph.text import name_key

from .base import Parts

Row = dict[str, Any]


def facts_json(d: dict[str, Any]) -> str:
    return json.dumps(d.get("facts") or {}, ensure_ascii=False)


def entity_row(node: str, d: dict[str, Any]) -> Row:
    texts = {m.get("text") or "" for m in d.get("mentions", [])} - {""}
    return {"id": node, "type": d.get("type"), "name": d.get("name"), "kind": d.get("kind") or None,
            "facts": facts_json(d), "name_keys": sorted({name_key(a) for a in {d.get("name") or "", *texts}})}


def mention_rows(node: str, d: dict[str, Any]) -> Iterator[Row]:
    for m in d.get("mentions", []):
        yield {"entity": node, "article": m["article"], "start": int(m["start"]), "stop": int(m["stop"]),
               "text": m.get("text") or "", "key": node, "sentence_start": -1, "sentence_stop": -1}


def relation_row(u: str, v: str, key: str, d: dict[str, Any]) -> Row:
    return {"source": u, "target": v, "id": key, "type": d.get("type"), "role": d.get("role") or None}


def evidence_rows(key: str, d: dict[str, Any]) -> Iterator[Row]:
    for e in d.get("evidence", []):
        c = e.get("confidence")
        yield {"relation_id": key, "article_id": e["article"], "start": int(e["start"]), "stop": int(e["stop"]),
               "sentence": e.get("sentence") or "", "confidence": None if c is None else float(c)}


class ArticleContent:
    """What the nodes and edges of a snapshot say of each article: the pieces of its stand-in
    text and the nodes it names or states a relation of; and each node's statement. Kept in a
    temporary SQLite file, not in memory: at a million relationships it is the whole graph's
    text (1.3 GB resident when it was dicts)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="investgraph-content-")
        self.db = sqlite3.connect(Path(self._dir.name) / "content.db")
        self.db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE pieces (article TEXT, start INTEGER, stop INTEGER, text TEXT);
            CREATE TABLE named (article TEXT, node TEXT, UNIQUE (article, node));
            CREATE TABLE said (node TEXT PRIMARY KEY, name TEXT, kind TEXT, facts TEXT);""")

    @classmethod
    def of(cls, parts: Parts) -> ArticleContent:
        out = cls()
        for n, d in parts.nodes():
            out.db.execute("INSERT OR REPLACE INTO said VALUES (?, ?, ?, ?)",
                           (n, str(d.get("name") or n), d.get("kind") or None, facts_json(d)))
            mentions = d.get("mentions", [])
            out.add([(m["article"], m["start"], m["stop"], m.get("text") or "") for m in mentions],
                    [(m["article"], n) for m in mentions])
        for u, v, _, d in parts.edges():
            evidence = d.get("evidence", [])
            out.add([(e["article"], e["start"], e["stop"], e.get("sentence") or "") for e in evidence],
                    [(e["article"], x) for e in evidence for x in (u, v)])
        out.db.executescript("CREATE INDEX pieces_by_article ON pieces (article);")
        return out

    def add(self, pieces: list[tuple[str, int, int, str]], named: list[tuple[str, str]]) -> None:
        self.db.executemany("INSERT INTO pieces VALUES (?, ?, ?, ?)", pieces)
        self.db.executemany("INSERT OR IGNORE INTO named VALUES (?, ?)", named)

    def pieces(self, article: str) -> list[tuple[int, int, str]]:
        """The article's pieces in the order the snapshot gave them."""
        return self.db.execute("SELECT start, stop, text FROM pieces WHERE article = ? ORDER BY rowid",
                               (article,)).fetchall()

    def named(self, article: str) -> list[tuple[str, str, str | None, str]]:
        """node, name, kind, facts of each node the article names, in the order first given."""
        return self.db.execute("""SELECT n.node, s.name, s.kind, s.facts FROM named n JOIN said s ON s.node = n.node
                                  WHERE n.article = ? ORDER BY n.rowid""", (article,)).fetchall()

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()


def article_rows(parts: Parts, content: ArticleContent) -> Iterator[Row]:
    for a in parts.articles():
        text = stand_in_text(content.pieces(a["id"]))
        yield {"id": a["id"], "source": a.get("source") or "", "doc": "", "title": a.get("title") or "",
               "url": a.get("url") or "", "date": a.get("date") or "", "text": text,
               "hash": Article(id=a["id"], text=text).content_hash}


def said_rows(parts: Parts, content: ArticleContent) -> Iterator[Row]:
    for a in parts.articles():
        for node, name, kind, facts in content.named(a["id"]):
            yield {"entity_id": node, "article_id": a["id"], "key": node, "name": name, "kind": kind, "facts": facts}


def entity_rows(parts: Parts) -> Iterator[Row]:
    for n, d in parts.nodes():
        yield entity_row(n, d)


def all_mention_rows(parts: Parts) -> Iterator[Row]:
    for n, d in parts.nodes():
        yield from mention_rows(n, d)


def relation_rows(parts: Parts) -> Iterator[Row]:
    for u, v, k, d in parts.edges():
        yield relation_row(u, v, k, d)


def all_evidence_rows(parts: Parts) -> Iterator[Row]:
    for _, _, k, d in parts.edges():
        yield from evidence_rows(k, d)
