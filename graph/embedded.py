"""The embedded store: one SQLite file, no server, works right after `pip install`.

What it owns is its SQL: the schema, the queries graph.base names (QUERIES), and the write path
(graph.embedded_write: set-based statements, one transaction per batch); everything both stores
do alike is graph.base. WAL journaling lets the app read while an ingest writes. Entities are
keyed by `Entity.key` (set by ingest), relations by type+source+target+role. A repeated evidence
sentence keeps the highest confidence; a missing required value fails the batch, which is then
rolled back whole. Lists of ids reach SQL as one JSON parameter (json_each).

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from .assemble import Row
from .base import Backend, GraphStore, Touched, decisions_in
from .bounds import bounded
from .confidence import confidence_problem
from .decisions import Decisions
from .embedded_write import Changes, delete_articles, insert_articles, prepare, settle, write_batch
from .model import Decision, Extraction, WriteReport
from .search import FUZZY_CANDIDATES, trigram_query, trigrams
from .store import StoreError

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
DROP INDEX IF EXISTS names_key;  -- no query looks a search key up whole
CREATE TABLE IF NOT EXISTS relations (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, role TEXT
);
-- a relation's ends are found through relation_weights_from and _to (DERIVED), which hold the same
DROP INDEX IF EXISTS relations_source;
DROP INDEX IF EXISTS relations_target;
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
CREATE VIRTUAL TABLE IF NOT EXISTS names_grams USING fts5(key, content='names', content_rowid='rowid',
                                                        tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS names_grams_add AFTER INSERT ON names BEGIN
    INSERT INTO names_grams (rowid, key) VALUES (new.rowid, new.key);
END;
CREATE TRIGGER IF NOT EXISTS names_grams_remove AFTER DELETE ON names BEGIN
    INSERT INTO names_grams (names_grams, rowid, key) VALUES ('delete', old.rowid, old.key);
END;
CREATE TRIGGER IF NOT EXISTS names_grams_change AFTER UPDATE ON names BEGIN
    INSERT INTO names_grams (names_grams, rowid, key) VALUES ('delete', old.rowid, old.key);
    INSERT INTO names_grams (rowid, key) VALUES (new.rowid, new.key);
END;
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, node TEXT NOT NULL, other TEXT NOT NULL,
    alias TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (action, node, other, alias)
);
"""
# What the pages read instead of counting or aggregating at read time, kept by triggers as rows are
# written: each relation's weight (distinct articles of its evidence) beside its ends, indexed so
# that a node's heaviest relations are the first entries of an index; each node's number of
# relations; the numbers of articles, mentions, entities and relations by type (Store.stats). A
# store file made before them gets them, filled from its rows, when opened (DERIVED_BACKFILL).
DERIVED = """
CREATE TABLE IF NOT EXISTS relation_weights (
    relation_id TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    weight INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relation_weights_from ON relation_weights(source, weight DESC, relation_id, type, target);
CREATE INDEX IF NOT EXISTS relation_weights_to ON relation_weights(target, weight DESC, relation_id, type, source);
CREATE TRIGGER IF NOT EXISTS relation_weights_add AFTER INSERT ON evidence
WHEN NOT EXISTS (SELECT 1 FROM evidence WHERE relation_id = new.relation_id AND article_id = new.article_id
                 AND rowid != new.rowid) BEGIN
    INSERT INTO relation_weights SELECT id, type, source, target, 1 FROM relations WHERE id = new.relation_id
    ON CONFLICT DO UPDATE SET weight = weight + 1;
END;
CREATE TRIGGER IF NOT EXISTS relation_weights_remove AFTER DELETE ON evidence
WHEN NOT EXISTS (SELECT 1 FROM evidence WHERE relation_id = old.relation_id AND article_id = old.article_id) BEGIN
    UPDATE relation_weights SET weight = weight - 1 WHERE relation_id = old.relation_id;
    DELETE FROM relation_weights WHERE relation_id = old.relation_id AND weight <= 0;
END;
CREATE TRIGGER IF NOT EXISTS relation_weights_drop AFTER DELETE ON relations BEGIN
    DELETE FROM relation_weights WHERE relation_id = old.id;
END;
CREATE TABLE IF NOT EXISTS relation_counts (entity_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS relation_counts_add AFTER INSERT ON relations BEGIN
    INSERT INTO relation_counts VALUES (new.source, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO relation_counts SELECT new.target, 1 WHERE new.target != new.source
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS relation_counts_remove AFTER DELETE ON relations BEGIN
    UPDATE relation_counts SET n = n - 1 WHERE entity_id IN (old.source, old.target);
    DELETE FROM relation_counts WHERE entity_id IN (old.source, old.target) AND n <= 0;
END;
CREATE TABLE IF NOT EXISTS store_counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
""" + "".join(f"""
CREATE TRIGGER IF NOT EXISTS store_counts_{table}_add AFTER INSERT ON {table} BEGIN
    INSERT INTO store_counts VALUES ({key}, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS store_counts_{table}_remove AFTER DELETE ON {table} BEGIN
    UPDATE store_counts SET n = n - 1 WHERE key = {key.replace('new.', 'old.')};
END;""" for table, key in (("articles", "'articles'"), ("mentions", "'mentions'"),
                           ("entities", "'entity:' || new.type"), ("relations", "'relation:' || new.type")))
# the first and last article dates (Store.article_facets), read from an index: made when opened
INDEXES = "CREATE INDEX IF NOT EXISTS articles_date ON articles(date);"
# OR IGNORE: another process opening the same old file at the same moment may have filled them already
DERIVED_BACKFILL = """
INSERT OR IGNORE INTO relation_weights
    SELECT r.id, r.type, r.source, r.target, COUNT(DISTINCT e.article_id) FROM relations r
    JOIN evidence e ON e.relation_id = r.id GROUP BY r.id;
INSERT OR IGNORE INTO relation_counts SELECT n, COUNT(*) FROM (
    SELECT source n FROM relations UNION ALL SELECT target FROM relations WHERE target != source) GROUP BY n;
INSERT OR IGNORE INTO store_counts
    SELECT 'articles', COUNT(*) FROM articles UNION ALL SELECT 'mentions', COUNT(*) FROM mentions
    UNION ALL SELECT 'entity:' || type, COUNT(*) FROM entities GROUP BY type
    UNION ALL SELECT 'relation:' || type, COUNT(*) FROM relations GROUP BY type;
"""
# a node's `limit` heaviest relations of some types (NULL: any) and weight, from the indexes above
HEAVIEST = """SELECT relation_id, weight FROM relation_weights WHERE {end} = :id AND +weight >= :min_weight
              AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types)))
              ORDER BY weight DESC, relation_id LIMIT :limit"""
IDS = "SELECT value FROM json_each(:ids)"  # a list of ids, given as one JSON array
# The relations at the nodes of a JSON list (:ids), from relation_weights' indexes by source and by
# target: every stored relation has evidence, so a weight (a relation without any is dropped by the
# write that leaves it so), and relations keeps no index by its ends.
FROM_IDS = f"SELECT relation_id FROM relation_weights WHERE source IN ({IDS})"
TO_IDS = f"SELECT relation_id FROM relation_weights WHERE target IN ({IDS})"
AT_IDS = f"{FROM_IDS} UNION {TO_IDS}"
ARTICLE_FILTERS = """(:date_from IS NULL OR coalesce(date, '') = '' OR date >= :date_from)
    AND (:date_to IS NULL OR coalesce(date, '') = '' OR date <= :date_to)
    AND (:sources IS NULL OR source IN (SELECT value FROM json_each(:sources)))
    AND (:title IS NULL OR instr(unicode_lower(coalesce(title, '')), :title) > 0)"""
QUERIES = {  # graph.base.QUERIES says what each answers
    "article_hash": "SELECT hash FROM articles WHERE id = :id",
    "articles": "SELECT id, source, doc, title, url, date FROM articles ORDER BY date DESC, id "
                "LIMIT coalesce(:limit, -1)",
    "articles_from_source": "SELECT id, doc FROM articles WHERE source = :source ORDER BY id",
    "article_ids": "SELECT id FROM articles ORDER BY id",
    "articles_in": f"SELECT id, source, doc, title, url, date, text, hash FROM articles WHERE id IN ({IDS})",
    "count_articles": "SELECT coalesce(max(n), 0) n FROM store_counts WHERE key = 'articles'",
    "count_mentions": "SELECT coalesce(max(n), 0) n FROM store_counts WHERE key = 'mentions'",
    "count_entities": "SELECT substr(key, 8) type, n FROM store_counts WHERE key LIKE 'entity:%' AND n > 0",
    "count_relations": "SELECT substr(key, 10) type, n FROM store_counts WHERE key LIKE 'relation:%' AND n > 0",
    "edges_between": f"""SELECT r.id, r.type, r.source, r.target, r.role, COUNT(DISTINCT e.article_id) weight,
                                COUNT(*) evidence_count, MAX(e.confidence) confidence
                         FROM relations r JOIN evidence e ON e.relation_id = r.id
                         WHERE r.id IN ({FROM_IDS} AND target IN (SELECT value FROM json_each(:others))
                                        UNION {TO_IDS} AND source IN (SELECT value FROM json_each(:others)))
                         GROUP BY r.id ORDER BY r.id""",
    "relation_counts": f"SELECT entity_id id, n FROM relation_counts WHERE entity_id IN ({IDS})",
    "heaviest_at": f"""SELECT r.id, r.type, r.source, r.target, r.role, h.weight,
                              (SELECT COUNT(*) FROM evidence e WHERE e.relation_id = r.id) evidence_count,
                              (SELECT MAX(confidence) FROM evidence e WHERE e.relation_id = r.id) confidence
                       FROM (SELECT * FROM ({HEAVIEST.format(end='source')})
                             UNION SELECT * FROM ({HEAVIEST.format(end='target')})
                             ORDER BY weight DESC, relation_id LIMIT :limit) h
                       JOIN relations r ON r.id = h.relation_id ORDER BY h.weight DESC, r.id""",
    "entities": f"""SELECT id, type, name, kind, facts, (SELECT COUNT(*) FROM mentions WHERE entity_id = e.id) mentions
                    FROM entities e WHERE id IN ({IDS}) ORDER BY id""",
    "edges_at": f"""SELECT r.id, r.type, r.source, r.target, r.role, COUNT(DISTINCT e.article_id) weight,
                           COUNT(*) evidence_count, MAX(e.confidence) confidence
                    FROM relations r JOIN evidence e ON e.relation_id = r.id
                    WHERE r.id IN ({AT_IDS}) GROUP BY r.id ORDER BY r.id""",
    "mentions_of": """SELECT m.article_id article, a.title, a.url, a.date, m.start, m.stop, m.text, m.sentence_start,
                             m.sentence_stop, m.entity_key key
                      FROM mentions m JOIN articles a ON a.id = m.article_id WHERE m.entity_id = :id""",
    "merge_log_of": "SELECT article_id article, alias, rule FROM merge_log WHERE entity_id = :id",
    "statements_of": f"""SELECT s.entity_id entity, s.article_id article, a.date date, s.name, s.kind, s.facts
                         FROM statements s JOIN articles a ON a.id = s.article_id WHERE s.entity_id IN ({IDS})""",
    "decisions": "SELECT action, node, other, alias, name FROM decisions ORDER BY seq",
    "node_ids": "SELECT id FROM entities",
    "articles_touching": f"""SELECT article_id id FROM mentions WHERE entity_id IN ({IDS})
                             UNION SELECT article_id FROM evidence WHERE relation_id IN ({AT_IDS})""",
    "all_articles": "SELECT id, source, doc, title, url, date FROM articles ORDER BY id",
    "all_mentions": "SELECT entity_id entity, article_id article, start, stop, text FROM mentions "
                    "ORDER BY article_id, start, stop",
    "all_entities": "SELECT id, type, name, kind, facts FROM entities ORDER BY id",
    "all_evidence": "SELECT relation_id relation, article_id article, start, stop, sentence, confidence FROM evidence "
                    "ORDER BY article_id, start, stop",
    "all_relations": "SELECT id, type, source, target, role FROM relations ORDER BY id",
    "article_page": "SELECT id, source, doc, title, url, date FROM articles WHERE id > :after ORDER BY id LIMIT :limit",
    "entity_page": "SELECT id, type, name, kind, facts FROM entities WHERE id > :after ORDER BY id LIMIT :limit",
    "relation_page": "SELECT id, type, source, target, role FROM relations WHERE id > :after ORDER BY id LIMIT :limit",
    "mentions_of_entities": f"""SELECT entity_id entity, article_id article, start, stop, text FROM mentions
                                WHERE entity_id IN ({IDS}) ORDER BY entity_id, article_id, start, stop""",
    "relations_by_source": f"SELECT id, type, source, target, role FROM relations WHERE id IN ({FROM_IDS}) "
                           "ORDER BY id",
    "evidence_in_order": f"""SELECT relation_id relation, article_id article, start, stop, sentence, confidence
                             FROM evidence WHERE relation_id IN ({IDS}) ORDER BY relation_id, article_id, start, stop
                          """,
    "mentions_in": f"""SELECT article_id article, entity_id entity, entity_key key, start, stop, text, sentence_start,
                              sentence_stop FROM mentions WHERE article_id IN ({IDS})""",
    "evidence_in": f"""SELECT e.article_id article, r.id relation, r.type, r.source, r.target, r.role, e.start, e.stop,
                              e.sentence, e.confidence
                       FROM evidence e JOIN relations r ON r.id = e.relation_id WHERE e.article_id IN ({IDS})""",
    "log_in": f"SELECT article_id article, entity_key key, alias, rule FROM merge_log WHERE article_id IN ({IDS})",
    "said_in": f"""SELECT article_id article, entity_id entity, entity_key key, name, kind, facts FROM statements
                   WHERE article_id IN ({IDS})""",
    "evidence_of": f"""SELECT e.relation_id relation, e.article_id article, e.start, e.stop, e.sentence, e.confidence,
                              a.title, a.date
                       FROM evidence e JOIN articles a ON a.id = e.article_id WHERE e.relation_id IN ({IDS})""",
    "relation_confidence": f"""SELECT relation_id id, MAX(confidence) confidence FROM evidence
                               WHERE relation_id IN ({IDS}) GROUP BY relation_id""",
    "article_counts": """SELECT value article,
                                 (SELECT COUNT(DISTINCT entity_id) FROM mentions WHERE article_id = value) entities,
                                 (SELECT COUNT(*) FROM evidence WHERE article_id = value) relations
                          FROM json_each(:ids) WHERE value IN (SELECT id FROM articles)""",
    "articles_page": f"""SELECT id, source, doc, title, url, date FROM articles WHERE {ARTICLE_FILTERS}
                          ORDER BY coalesce(date, '') DESC, coalesce(title, ''), id LIMIT :limit OFFSET :offset""",
    "articles_count": f"SELECT COUNT(*) n FROM articles WHERE {ARTICLE_FILTERS}",
    "article_sources": "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY source",
    "article_dates": "SELECT (SELECT MIN(date) FROM articles WHERE date > '') first, "
                     "(SELECT MAX(date) FROM articles WHERE date > '') last",  # from articles_date
    "degrees": """SELECT id, degree FROM (
                      SELECT value id, (SELECT COUNT(*) FROM (SELECT DISTINCT other FROM (
                          SELECT target other FROM relation_weights WHERE source = value
                          UNION ALL SELECT source FROM relation_weights WHERE target = value)
                          LIMIT coalesce(:cap, -1))) degree
                      FROM json_each(:ids)) WHERE degree > 0""",  # from the covering indexes of relation_weights
    "project_page": "SELECT id, name, kind, facts FROM entities WHERE type = 'PROJECT' ORDER BY id "
                    "LIMIT :limit OFFSET :offset",
    "relations_at": f"SELECT id, type, role, source, target FROM relations WHERE id IN ({AT_IDS})",
    "evidence_summary_of": f"""SELECT relation_id relation, COUNT(*) n, MAX(confidence) c FROM evidence
                               WHERE relation_id IN ({IDS}) GROUP BY relation_id""",
}
TABLES = {  # what Store.projects() reads (graph.assemble.assemble_projects says what each gives)
    "projects": "SELECT id, name, kind, facts FROM entities WHERE type = 'PROJECT'",
    "entity_names": "SELECT id, type, name FROM entities",
    "project_relations": "SELECT id, type, role, source, target FROM relations",
    "evidence_summary": """SELECT relation_id, COUNT(*) n, MAX(confidence) c FROM evidence GROUP BY relation_id
                           HAVING n > 1 OR c IS NOT NULL""",  # else one sentence, no confidence
}
# search keys by the trigram index: holding every term (of 3 letters or more: a shorter one scans
# them), or close to the words of a misspelt query (graph.search.trigram_query)
NAME_KEYS = """SELECT entity_id, key FROM names WHERE rowid IN (
    SELECT rowid FROM names_grams WHERE names_grams MATCH :query LIMIT :limit)"""
NAME_KEYS_SHORT = "SELECT entity_id, key FROM names WHERE instr(' ' || key, ' ' || :query) > 0 LIMIT :limit"
SIMILAR_KEYS = f"""SELECT entity_id, key FROM names WHERE rowid IN (
    SELECT rowid FROM names_grams WHERE names_grams MATCH :query ORDER BY rank LIMIT {FUZZY_CANDIDATES})"""
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
            self.db.create_function("unicode_lower", 1, str.lower, deterministic=True)  # SQLite's lower(): ASCII
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=OFF")
            indexed = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'names_grams'").fetchone()
            self.db.executescript(SCHEMA)
            if indexed is None:  # a store file made before the trigram index: index its search keys
                with self.db:
                    self.db.execute("INSERT INTO names_grams (names_grams) VALUES ('rebuild')")
            self._add_columns()
            self._derive()
            self.db.executescript(INDEXES)
            prepare(self.db)
            self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.names_grams_vocab "
                            "USING fts5vocab(main, names_grams, row)")  # how many names hold each trigram
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"{self.url}: cannot open the embedded store ({err})") from err

    def close(self) -> None:
        self.db.close()

    def revision(self) -> str:
        """The data version (changed by other connections' commits) and this connection's changes."""
        try:
            return f"{self.db.execute('PRAGMA data_version').fetchone()[0]}.{self.db.total_changes}"
        except sqlite3.Error as err:
            raise StoreError(f"{self.url}: reading failed ({err})") from err

    def _add_columns(self) -> None:
        """Bring a store file made by an older version up to the schema: add the columns it lacks
        (empty: NULL), keeping every row."""
        for table, column, definition in ADDED_COLUMNS:
            if column not in {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}:
                with self.db:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    def _derive(self) -> None:
        """Create the weights and counts the triggers keep (DERIVED), filled from the rows of a
        store file made before them, in one transaction."""
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'store_counts'").fetchone() is None:
            self.db.executescript(f"BEGIN IMMEDIATE; {DERIVED}; {DERIVED_BACKFILL} COMMIT;")

    # --- graph.base: transactions and the backend -------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction for the block: in WAL mode every read inside sees the file as it
        was at the first, whatever other connections commit meanwhile (a write on this connection
        inside the block commits it and ends the snapshot)."""
        if self.db.in_transaction:
            yield
            return
        try:
            self.db.execute("BEGIN")
        except sqlite3.Error as err:
            raise StoreError(f"{self.url}: reading failed ({err})") from err
        try:
            yield
        finally:
            self.db.rollback()

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

    def name_keys(self, terms: list[str], limit: int) -> Iterable[tuple[str, Sequence[str]]]:
        indexed = [t for t in terms if len(t) >= 3]  # the trigram index finds terms of 3 letters or more
        if not indexed:
            return self._keys(NAME_KEYS_SHORT, query=terms[0], limit=limit)
        return self._keys(NAME_KEYS, query=" AND ".join('"' + t.replace('"', '""') + '"' for t in indexed),
                          limit=limit)

    def similar_keys(self, words: list[tuple[str, ...]]) -> Iterable[tuple[str, Sequence[str]]]:
        grams = sorted({g for forms in words for w in forms for g in trigrams(w)})
        docs = {r["term"]: r["doc"] for r in self.db.execute(
            f"SELECT term, doc FROM temp.names_grams_vocab WHERE term IN ({','.join('?' * len(grams))})", grams)}
        query = trigram_query(words, docs)
        return self._keys(SIMILAR_KEYS, query=query) if query else []

    def _keys(self, sql: str, **params: Any) -> Iterable[tuple[str, Sequence[str]]]:
        keys: dict[str, list[str]] = {}
        for r in self.db.execute(sql, params):
            keys.setdefault(r["entity_id"], []).append(r["key"])
        return keys.items()

    def add_decisions(self, decisions: list[Decision]) -> None:
        self.db.executemany("INSERT INTO decisions (action, node, other, alias, name) VALUES (?,?,?,?,?)",
                            [(d.action, d.node, d.other, d.alias, d.name) for d in decisions])

    def delete_articles(self, ids: list[str]) -> Touched:
        changes = Changes()
        delete_articles(self.db, ids, changes)
        return changes.touched()

    def insert(self, batch: list[Extraction], decisions: Decisions) -> Touched:
        changes = Changes()
        insert_articles(self.db, batch, decisions, changes)
        return changes.touched()

    def settle(self, touched: Touched) -> None:
        settle(self.db, Changes.of(touched))

    # --- writing ----------------------------------------------------------------

    def write(self, batch: list[Extraction]) -> WriteReport:
        """Write a batch of extractions in one transaction; idempotent per article. An article's old
        versions (`Extraction.replaces`) go in the same transaction: it counts as replaced. The rows
        go in with set-based statements (graph.embedded_write)."""
        batch = bounded(batch)
        if problem := confidence_problem(batch):
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, none of them was "
                             f"stored ({problem})")
        return self._write(lambda q: write_batch(self.db, batch, Decisions(decisions_in(q))),
                           f"writing a batch of {len(batch)} articles failed, none of them was stored")
