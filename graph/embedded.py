"""The embedded store: one SQLite file, no server, works right after `pip install`.

What it owns is its SQL: the schema, the queries graph.base names (QUERIES), and the write path;
everything both stores do alike is graph.base. WAL journaling lets the app read while an ingest
writes. Entities are keyed by `Entity.key` (set by ingest), relations by type+source+target+role.
A repeated evidence sentence keeps the highest confidence; a missing required value fails the
batch, which is then rolled back whole. Lists of ids reach SQL as one JSON parameter (json_each).

Each evidence row keeps the relation's confidence in its article (`evidence.confidence`, NULL for
rules alone). What each article said of each node is a row of `statements`, deleted with its
article. The analyst's merges and splits live in the table `decisions`; each mention keeps the
key resolution gave it (`mentions.entity_key`). `merge_log` holds, per node, article and
resolution key, the rule that put each alias into the entity (Entity.merged_by). A store file
made by an older version gets the columns it lacks when opened (ADDED_COLUMNS).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .assemble import Row, relation_rows
from .base import Backend, GraphStore, Touched, summaries
from .bounds import bounded
from .confidence import confidence_problem
from .decisions import Decisions, assign
from .model import Decision, Entity, Extraction, WriteReport
from .statements import said_rows
from .store import StoreError
from .text import name_key

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, source TEXT, doc TEXT, title TEXT, url TEXT, date TEXT,
    text TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, kind TEXT, facts TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS mentions (
    article_id TEXT NOT NULL, entity_id TEXT NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
    text TEXT NOT NULL, sentence_start INTEGER, sentence_stop INTEGER, entity_key TEXT,
    PRIMARY KEY (article_id, start, stop, entity_id)
);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS names (
    entity_id TEXT NOT NULL, alias TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (entity_id, alias)
);
CREATE INDEX IF NOT EXISTS names_key ON names(key);
CREATE TABLE IF NOT EXISTS relations (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, role TEXT
);
CREATE INDEX IF NOT EXISTS relations_source ON relations(source);
CREATE INDEX IF NOT EXISTS relations_target ON relations(target);
CREATE TABLE IF NOT EXISTS evidence (
    relation_id TEXT NOT NULL, article_id TEXT NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
    sentence TEXT NOT NULL, confidence REAL, PRIMARY KEY (relation_id, article_id, start, stop)
);
CREATE INDEX IF NOT EXISTS evidence_article ON evidence(article_id);
CREATE TABLE IF NOT EXISTS merge_log (
    entity_id TEXT NOT NULL, article_id TEXT NOT NULL, entity_key TEXT NOT NULL, alias TEXT NOT NULL,
    rule TEXT NOT NULL, PRIMARY KEY (entity_id, article_id, entity_key, alias)
);
CREATE INDEX IF NOT EXISTS merge_log_article ON merge_log(article_id);
CREATE TABLE IF NOT EXISTS statements (
    entity_id TEXT NOT NULL, article_id TEXT NOT NULL, entity_key TEXT NOT NULL, name TEXT NOT NULL, kind TEXT,
    facts TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (entity_id, article_id, entity_key)
);
CREATE INDEX IF NOT EXISTS statements_article ON statements(article_id);
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, node TEXT NOT NULL, other TEXT NOT NULL,
    alias TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (action, node, other, alias)
);
"""
IDS = "SELECT value FROM json_each(:ids)"  # a list of ids, given as one JSON array
QUERIES = {  # graph.base.QUERIES says what each answers
    "article_hash": "SELECT hash FROM articles WHERE id = :id",
    "articles": "SELECT id, source, doc, title, url, date FROM articles ORDER BY date DESC, id "
                "LIMIT coalesce(:limit, -1)",
    "articles_from_source": "SELECT id, doc FROM articles WHERE source = :source ORDER BY id",
    "article_ids": "SELECT id FROM articles ORDER BY id",
    "articles_in": f"SELECT id, source, doc, title, url, date, text, hash FROM articles WHERE id IN ({IDS})",
    "count_articles": "SELECT COUNT(*) n FROM articles",
    "count_mentions": "SELECT COUNT(*) n FROM mentions",
    "count_entities": "SELECT type, COUNT(*) n FROM entities GROUP BY type",
    "count_relations": "SELECT type, COUNT(*) n FROM relations GROUP BY type",
    "entities": f"""SELECT id, type, name, kind, facts, (SELECT COUNT(*) FROM mentions WHERE entity_id = e.id) mentions
                    FROM entities e WHERE id IN ({IDS}) ORDER BY id""",
    "edges_at": f"""SELECT r.id, r.type, r.source, r.target, r.role, COUNT(DISTINCT e.article_id) weight,
                           COUNT(*) evidence_count, MAX(e.confidence) confidence
                    FROM relations r JOIN evidence e ON e.relation_id = r.id
                    WHERE r.source IN ({IDS}) OR r.target IN ({IDS}) GROUP BY r.id ORDER BY r.id""",
    "mentions_of": """SELECT m.article_id article, a.title, a.url, a.date, m.start, m.stop, m.text, m.sentence_start,
                             m.sentence_stop, m.entity_key key
                      FROM mentions m JOIN articles a ON a.id = m.article_id WHERE m.entity_id = :id""",
    "merge_log_of": "SELECT article_id article, alias, rule FROM merge_log WHERE entity_id = :id",
    "statements_of": f"""SELECT s.entity_id entity, s.article_id article, a.date date, s.name, s.kind, s.facts
                         FROM statements s JOIN articles a ON a.id = s.article_id WHERE s.entity_id IN ({IDS})""",
    "decisions": "SELECT action, node, other, alias, name FROM decisions ORDER BY seq",
    "node_ids": "SELECT id FROM entities",
    "articles_touching": f"""SELECT article_id id FROM mentions WHERE entity_id IN ({IDS})
                             UNION SELECT e.article_id FROM evidence e JOIN relations r ON r.id = e.relation_id
                             WHERE r.source IN ({IDS}) OR r.target IN ({IDS})""",
    "all_articles": "SELECT id, source, doc, title, url, date FROM articles ORDER BY id",
    "all_mentions": "SELECT entity_id entity, article_id article, start, stop, text FROM mentions "
                    "ORDER BY article_id, start, stop",
    "all_entities": "SELECT id, type, name, kind, facts FROM entities ORDER BY id",
    "all_evidence": "SELECT relation_id relation, article_id article, start, stop, sentence, confidence FROM evidence "
                    "ORDER BY article_id, start, stop",
    "all_relations": "SELECT id, type, source, target, role FROM relations ORDER BY id",
    "mentions_in": f"""SELECT article_id article, entity_id entity, entity_key key, start, stop, text, sentence_start,
                              sentence_stop FROM mentions WHERE article_id IN ({IDS})""",
    "evidence_in": f"""SELECT e.article_id article, r.id relation, r.type, r.source, r.target, r.role, e.start, e.stop,
                              e.sentence, e.confidence
                       FROM evidence e JOIN relations r ON r.id = e.relation_id WHERE e.article_id IN ({IDS})""",
    "log_in": f"SELECT article_id article, entity_key key, alias, rule FROM merge_log WHERE article_id IN ({IDS})",
    "said_in": f"""SELECT article_id article, entity_id entity, entity_key key, name, kind, facts FROM statements
                   WHERE article_id IN ({IDS})""",
}
TABLES = {  # what Store.projects() reads (graph.assemble.assemble_projects says what each gives)
    "projects": "SELECT id, name, kind, facts FROM entities WHERE type = 'PROJECT'",
    "entity_names": "SELECT id, type, name FROM entities",
    "project_relations": "SELECT id, type, role, source, target FROM relations",
    "evidence_summary": """SELECT relation_id, COUNT(*) n, MAX(confidence) c FROM evidence GROUP BY relation_id
                           HAVING n > 1 OR c IS NOT NULL""",  # else one sentence, no confidence
}
NAME_KEYS = "SELECT entity_id, key FROM names WHERE instr(' ' || key, ' ' || ?) > 0"
# columns added since a store file may have been made: (table, column, its definition)
ADDED_COLUMNS = (("mentions", "entity_key", "TEXT"), ("evidence", "confidence", "REAL"))


class EmbeddedStore(GraphStore):
    """The Store interface on one SQLite file; `graph.open.open_store(path)` makes one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=OFF")
            self.db.executescript(SCHEMA)
            self._add_columns()
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"{self.url}: cannot open the embedded store ({err})") from err

    def close(self) -> None:
        self.db.close()

    def _add_columns(self) -> None:
        """Bring a store file made by an older version up to the schema: add the columns it lacks
        (empty: NULL), keeping every row."""
        for table, column, definition in ADDED_COLUMNS:
            if column not in {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}:
                with self.db:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    # --- graph.base: transactions and the backend -------------------------------------

    def _read(self, work: Callable[[Backend], T]) -> T:
        try:
            return work(self)
        except sqlite3.Error as err:
            raise StoreError(f"{self.url}: reading failed ({err})") from err

    def _write(self, work: Callable[[Backend], T], action: str) -> T:
        try:
            with self.db:
                return work(self)
        except sqlite3.Error as err:
            raise StoreError(f"{self.url}: {action} ({err})") from err

    def rows(self, query: str, **params: Any) -> Iterable[Row]:
        return self.db.execute(QUERIES[query], {k: json.dumps(v) if isinstance(v, list) else v
                                                for k, v in params.items()})

    def table(self, name: str) -> Iterable[Sequence[Any]]:
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples
        return cursor.execute(TABLES[name])

    def name_keys(self, term: str) -> Iterable[tuple[str, Sequence[str]]]:
        keys: dict[str, list[str]] = {}
        for r in self.db.execute(NAME_KEYS, (term,)):
            keys.setdefault(r["entity_id"], []).append(r["key"])
        return keys.items()

    def add_decisions(self, decisions: list[Decision]) -> None:
        self.db.executemany("INSERT INTO decisions (action, node, other, alias, name) VALUES (?,?,?,?,?)",
                            [(d.action, d.node, d.other, d.alias, d.name) for d in decisions])

    def delete_articles(self, ids: list[str]) -> Touched:
        return Touched(set().union(*(self._delete_article(i) for i in ids)))

    def insert(self, batch: list[Extraction], decisions: Decisions) -> Touched:
        return Touched(set().union(*(self._insert(ex, decisions) for ex in batch)))

    def settle(self, touched: Touched) -> None:
        self._settle(touched.entities)

    # --- writing ----------------------------------------------------------------

    def write(self, batch: list[Extraction]) -> WriteReport:
        """Write a batch of extractions in one transaction; idempotent per article. An article's old
        versions (`Extraction.replaces`) go in the same transaction: it counts as replaced."""
        report = WriteReport()
        batch = bounded(batch)
        if problem := confidence_problem(batch):
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, none of them was "
                             f"stored ({problem})")
        try:
            with self.db:
                decisions, touched = Decisions(self.decisions()), set()
                for ex in batch:
                    old = self.article_hash(ex.article.id)
                    if old == ex.article.content_hash:
                        report.unchanged.append(ex.article.id)
                        continue
                    superseded = [i for i in ex.replaces if i != ex.article.id and self.article_hash(i) is not None]
                    for article_id in superseded:
                        touched |= self._delete_article(article_id)
                    if old is not None:
                        touched |= self._delete_article(ex.article.id)
                    (report.replaced if old is not None or superseded else report.added).append(ex.article.id)
                    touched |= self._insert(ex, decisions)
                self._settle(touched)
        except sqlite3.Error as err:
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, "
                             f"none of them was stored ({err})") from err
        return report

    def _insert(self, ex: Extraction, decisions: Decisions) -> set[str]:
        """Write one article and what it states (inside a transaction); return the nodes it names."""
        ex, origin = assign(ex, decisions)
        a = ex.article
        self.db.execute("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)",
                        (a.id, a.source, a.doc, a.title, a.url, a.date, a.text, a.content_hash))
        for e in ex.entities:
            self._upsert_entity(e)
            self.db.executemany(
                """INSERT INTO mentions (article_id, entity_id, start, stop, text, sentence_start, sentence_stop,
                   entity_key) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING""",
                [(a.id, e.key, m.start, m.stop, m.text, m.sentence_start, m.sentence_stop, origin[e.id])
                 for m in e.mentions])
            self.db.executemany("INSERT INTO merge_log VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING",
                                [(e.key, a.id, origin[e.id], alias, rule) for alias, rule in e.merged_by.items()])
        self.db.executemany("INSERT INTO statements VALUES (:entity, :article, :key, :name, :kind, :facts)",
                            said_rows(ex, origin))
        relations, evidence = relation_rows([ex])
        self.db.executemany("INSERT INTO relations (id, type, source, target, role) "
                            "VALUES (:id, :type, :source, :target, :role) ON CONFLICT DO NOTHING", relations)
        self.db.executemany("INSERT INTO evidence (relation_id, article_id, start, stop, sentence, confidence) "
                            "VALUES (:relation, :article, :start, :stop, :sentence, :confidence) "
                            "ON CONFLICT DO NOTHING", evidence)
        return {e.key for e in ex.entities}

    def _upsert_entity(self, e: Entity) -> None:
        """The node, if new; its name, kind and facts are set from its statements (_summarise)."""
        self.db.execute("INSERT INTO entities VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING",
                        (e.key, e.type, e.name, e.kind, json.dumps(e.facts, ensure_ascii=False)))

    def _summarise(self, ids: list[str]) -> None:
        """Set each node's name, kind and facts from all of its statements (graph.base.summaries)."""
        self.db.executemany("UPDATE entities SET name = :name, kind = :kind, facts = :facts WHERE id = :id",
                            summaries(self, ids))

    def _settle(self, touched: set[str]) -> None:
        """After articles came or went: drop what lost its support, then set the names, kinds, facts
        and search names of the nodes touched that remain."""
        self._drop_orphans()
        ids = sorted(touched)
        self._summarise(ids)
        for entity_id in ids:
            self._refresh_names(entity_id)

    def _refresh_names(self, entity_id: str) -> None:
        """Search names of an entity: its name and every mention text still stored."""
        row = self.db.execute("SELECT name FROM entities WHERE id=?", (entity_id,)).fetchone()
        if row is None:
            return
        aliases = {row["name"]} | {r["text"] for r in self.db.execute(
            "SELECT DISTINCT text FROM mentions WHERE entity_id=?", (entity_id,))}
        self.db.execute("DELETE FROM names WHERE entity_id=?", (entity_id,))
        self.db.executemany("INSERT INTO names VALUES (?,?,?)", [(entity_id, a, name_key(a)) for a in aliases])

    def _delete_article(self, article_id: str) -> set[str]:
        """Delete an article with all it states (inside a transaction); return the nodes it named."""
        touched = {r["entity_id"] for r in self.db.execute(
            "SELECT entity_id FROM mentions WHERE article_id=? UNION SELECT entity_id FROM statements "
            "WHERE article_id=?", (article_id, article_id))}
        self.db.execute("DELETE FROM mentions WHERE article_id=?", (article_id,))
        self.db.execute("DELETE FROM statements WHERE article_id=?", (article_id,))
        self.db.execute("DELETE FROM evidence WHERE article_id=?", (article_id,))
        self.db.execute("DELETE FROM merge_log WHERE article_id=?", (article_id,))
        self.db.execute("DELETE FROM articles WHERE id=?", (article_id,))
        return touched

    def _drop_orphans(self) -> None:
        """An entity lives while it is mentioned; a relation while it has evidence and both its ends live."""
        self.db.execute("DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM mentions)")
        self.db.execute("""DELETE FROM relations WHERE id NOT IN (SELECT relation_id FROM evidence)
                           OR source NOT IN (SELECT id FROM entities) OR target NOT IN (SELECT id FROM entities)""")
        self.db.execute("DELETE FROM evidence WHERE relation_id NOT IN (SELECT id FROM relations)")
        self.db.execute("DELETE FROM names WHERE entity_id NOT IN (SELECT id FROM entities)")
        self.db.execute("DELETE FROM merge_log WHERE entity_id NOT IN (SELECT id FROM entities)")
        self.db.execute("DELETE FROM statements WHERE entity_id NOT IN (SELECT id FROM entities)")
