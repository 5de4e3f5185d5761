"""The embedded store's write path: a batch of extractions written with set-based statements.

This module owns how `EmbeddedStore.write` turns a batch into rows and what a write checks
afterwards, so that a write costs what it writes, not what the store already holds:

- a batch is cut into runs in which no article id comes twice (`runs`); per run, one lookup of
  the stored hashes, one delete per table of the old versions (through the article_id indexes),
  one `executemany` per table of the new rows, in key order;
- the write then settles only what it touched (`settle`): the nodes it named or whose articles
  went, the relations it wrote or whose evidence went. Those sets are staged in temporary tables
  (`temp.write_*`), and every check is an index probe per staged id: a node lives while it is
  mentioned, a relation while it has evidence and both ends live;
- a node's name, kind and facts (graph.statements.summary) come from the counts of the names and
  kinds its statements give, kept per node in `statement_names`: counted per batch when a write
  inserts statements (`count_statements`), by triggers on `statements` when any code deletes or
  changes them, and from its statements that give
  facts (the partial index `statements_facts`); so a node named in 30,000 articles is summarised
  from its few distinct names, not from 30,000 rows;
- search names (`names`: a node's name and the texts of its mentions) get the texts this write
  added; a node that lost mentions or changed its name has them recomputed whole.

The same steps are the embedded store's graph.base.Backend (delete_articles, insert, settle), which
removing an article and assigning articles again after a decision use: given only graph.base.Touched,
`settle` checks each node and relation it names, and recomputes those nodes' search names whole.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

from .assemble import relation_rows
from .base import Touched, sort_out
from .decisions import Decisions, assign
from .model import Extraction, WriteReport
from .statements import Statement, counted_summary, said_rows
from .text import name_key

# Tables, triggers and indexes the write path needs beyond graph.embedded.SCHEMA. A store file made
# before them gets them when opened, `statement_names` filled from its statements (BACKFILL).
SCHEMA = """
CREATE TABLE IF NOT EXISTS statement_names (
    entity_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (entity_id, name, kind)
) WITHOUT ROWID;
DROP TRIGGER IF EXISTS statement_names_add;  -- counted per batch (count_statements)
CREATE TRIGGER IF NOT EXISTS statement_names_remove AFTER DELETE ON statements BEGIN
    UPDATE statement_names SET n = n - 1
    WHERE entity_id = old.entity_id AND name = old.name AND kind = coalesce(old.kind, '');
    DELETE FROM statement_names
    WHERE entity_id = old.entity_id AND name = old.name AND kind = coalesce(old.kind, '') AND n <= 0;
END;
CREATE TRIGGER IF NOT EXISTS statement_names_change AFTER UPDATE OF entity_id, name, kind ON statements BEGIN
    UPDATE statement_names SET n = n - 1
    WHERE entity_id = old.entity_id AND name = old.name AND kind = coalesce(old.kind, '');
    DELETE FROM statement_names
    WHERE entity_id = old.entity_id AND name = old.name AND kind = coalesce(old.kind, '') AND n <= 0;
    INSERT INTO statement_names VALUES (new.entity_id, new.name, coalesce(new.kind, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE INDEX IF NOT EXISTS statements_facts ON statements(entity_id) WHERE facts != '{}';
"""
# OR IGNORE: another process opening the same old file at the same moment may have filled it already
BACKFILL = """INSERT OR IGNORE INTO statement_names SELECT entity_id, name, coalesce(kind, ''), COUNT(*)
              FROM statements GROUP BY entity_id, name, coalesce(kind, '')"""
STAGES = ("write_gone", "write_entities", "write_suspects", "write_relations", "write_dropped", "write_whole")
TEMP = "".join(f"CREATE TEMP TABLE IF NOT EXISTS {t} (id TEXT PRIMARY KEY) WITHOUT ROWID;" for t in STAGES)

# what goes with an article: (table, its article column)
ARTICLE_TABLES = (("mentions", "article_id"), ("statements", "article_id"), ("evidence", "article_id"),
                  ("merge_log", "article_id"), ("articles", "id"))
# what goes with a node that lost its last mention
ENTITY_TABLES = ("names", "merge_log", "statements")

INSERT_ARTICLE = "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)"
INSERT_ENTITY = "INSERT INTO entities VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING"
INSERT_MENTION = """INSERT INTO mentions (article_id, entity_id, start, stop, text, sentence_start, sentence_stop,
                    entity_key) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"""
INSERT_LOG = "INSERT INTO merge_log VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING"
INSERT_STATEMENT = "INSERT INTO statements VALUES (?,?,?,?,?,?)"
INSERT_RELATION = "INSERT INTO relations (id, type, source, target, role) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING"
INSERT_EVIDENCE = """INSERT INTO evidence (relation_id, article_id, start, stop, sentence, confidence)
                     VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING"""
INSERT_NAME = "INSERT INTO names VALUES (?,?,?) ON CONFLICT DO NOTHING"
COUNT_STATEMENTS = "INSERT INTO statement_names VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n"

UNMENTIONED = """SELECT id FROM entities WHERE id IN (SELECT id FROM temp.write_suspects)
                 AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = entities.id)"""
# through relation_weights (graph.embedded: no index of relations by its ends): a relation without
# evidence has no weight, but then it is among the relations a write checks already
RELATIONS_AT_DROPPED = """SELECT relation_id FROM relation_weights WHERE source IN (SELECT id FROM temp.write_dropped)
                          UNION SELECT relation_id FROM relation_weights
                          WHERE target IN (SELECT id FROM temp.write_dropped)"""
UNSUPPORTED = """SELECT r.id FROM relations r WHERE r.id IN (SELECT id FROM temp.write_relations)
                 AND (NOT EXISTS (SELECT 1 FROM evidence e WHERE e.relation_id = r.id)
                      OR NOT EXISTS (SELECT 1 FROM entities s WHERE s.id = r.source)
                      OR NOT EXISTS (SELECT 1 FROM entities t WHERE t.id = r.target))"""
# each staged node as stored, with the counts of its statements' names and kinds (none: no statements)
SUMMARY_INPUT = """SELECT w.id, e.name, e.kind, e.facts, c.name, c.kind, c.n FROM temp.write_entities w
                   JOIN entities e ON e.id = w.id LEFT JOIN statement_names c ON c.entity_id = w.id"""
FACT_STATEMENTS = """SELECT s.entity_id, s.article_id, a.date, s.facts FROM statements s
                     JOIN articles a ON a.id = s.article_id
                     WHERE s.entity_id IN (SELECT id FROM temp.write_entities) AND s.facts != '{}'"""
SET_SUMMARY = "UPDATE entities SET name=?, kind=?, facts=? WHERE id=?"
# CROSS JOIN: the staged nodes first (without it the planner scans all of mentions_entity)
WHOLE_TEXTS = """SELECT DISTINCT m.entity_id, m.text FROM temp.write_whole w
                 CROSS JOIN mentions m ON m.entity_id = w.id"""
STALE_NAMES = """DELETE FROM names WHERE entity_id IN (SELECT id FROM temp.write_whole)
                 AND alias != (SELECT e.name FROM entities e WHERE e.id = names.entity_id)
                 AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = names.entity_id
                                 AND m.text = names.alias)"""


# This connection's settings. WAL (graph.embedded) with synchronous=NORMAL syncs the log at each
# checkpoint rather than at each commit: a killed process loses nothing committed (tests/test_faults.py),
# a power cut may lose the last commits but never corrupts the file, and a re-run ingest writes them
# again. Temporary tables live in memory. The log is copied into the file (checkpointed) once it
# holds CHECKPOINT_PAGES rather than SQLite's 1,000: a batch dirties more than that, so each commit
# was followed by a checkpoint, and a page dirtied by several batches was copied (and synced) each
# time. The log file grows to that size (400 MB of 4 KiB pages) while a writer works.
CHECKPOINT_PAGES = 100_000
CONNECTION = ("PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY", f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
# The page cache of a connection while it writes (SQLite's default is 2 MB): a batch dirties pages
# all over the indexes, and a page evicted before the commit is written twice. So it grows with the
# rows a batch writes (KiB per row), within CACHE_KIB: an ingest's memory does not grow with the store.
# A bulk load into a large store gains from a cache that holds the keyed indexes too (at 1M
# relationships they are ≈ 700 MB and are read back from the OS for each probe): the environment
# variable INVESTGRAPH_WRITE_CACHE_MIB lets the cache grow with the store file up to that many MiB
# (docs/scaling.md, Writes). SQLite takes the pages as they are used: the bound is the most it holds.
CACHE_KIB_PER_ROW = 8
CACHE_KIB = (8 * 1024, 256 * 1024)  # at least, at most (by batch)
FILE_CACHE_VARIABLE = "INVESTGRAPH_WRITE_CACHE_MIB"


def prepare(db: sqlite3.Connection) -> None:
    """Create what the write path needs in a store (filling `statement_names` when it is new) and
    in this connection (its temporary tables and settings)."""
    new = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'statement_names'").fetchone() is None
    with db:
        db.executescript(SCHEMA)
        if new:
            db.execute(BACKFILL)
    for pragma in CONNECTION:  # before the temporary tables: a new temp_store drops them
        db.execute(pragma)
    db.executescript(TEMP)


@dataclass
class Changes:
    """What a write changed, for `settle` to check: more than graph.base.Touched says, so that a
    batch checks only what may have changed."""

    entities: set[str] = field(default_factory=set)  # nodes named, or whose articles went: summarised
    suspects: set[str] = field(default_factory=set)  # nodes that may have no mention left
    relations: set[str] = field(default_factory=set)  # relations that may have no evidence left
    emptied: set[str] = field(default_factory=set)  # nodes that lost mentions: search names recomputed whole
    said: Counter[str] = field(default_factory=Counter)  # statements written, per node
    aliases: set[tuple[str, str]] = field(default_factory=set)  # (node, mention text) written

    @classmethod
    def of(cls, touched: Touched) -> Changes:
        """What graph.base's steps touched (removing an article, assigning articles again after a
        decision): every check for each of those nodes and relations."""
        return cls(entities=set(touched.entities), suspects=set(touched.entities), emptied=set(touched.entities),
                   relations=set(touched.relations))

    def touched(self) -> Touched:
        """As graph.base.Touched: the nodes and the relations that may have lost support."""
        return Touched(set(self.entities), set(self.relations))


def write_batch(db: sqlite3.Connection, batch: list[Extraction], decisions: Decisions) -> WriteReport:
    """Write a (bounded) batch inside the caller's transaction: each article's old versions go in
    the same transaction; an article stored with the same content hash is left as it is."""
    db.execute(f"PRAGMA cache_size=-{cache_kib(batch, file_kib(db))}")
    report, changes = WriteReport(), Changes()
    for run in runs(batch):
        fresh, gone = sort_out(run, stored_hashes(db, run), report)
        delete_articles(db, gone, changes)
        insert_articles(db, fresh, decisions, changes)
    settle(db, changes)
    return report


def file_kib(db: sqlite3.Connection) -> int:
    """The size of the store file (its pages), in KiB."""
    return int(db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0] // 1024)


def file_cache_kib() -> int:
    """How far the cache may grow with the store file: INVESTGRAPH_WRITE_CACHE_MIB, in KiB (0 if unset)."""
    value = os.environ.get(FILE_CACHE_VARIABLE, "0")
    try:
        return max(int(value), 0) * 1024
    except ValueError:
        raise ValueError(f"{FILE_CACHE_VARIABLE}={value!r}: expected a whole number of MiB") from None


def cache_kib(batch: list[Extraction], stored_kib: int = 0) -> int:
    """The page cache for writing a batch into a store file of `stored_kib`: CACHE_KIB_PER_ROW for each
    row the batch writes, within CACHE_KIB, or the file's size up to file_cache_kib() if larger."""
    rows = sum(len(ex.entities) + sum(len(e.mentions) for e in ex.entities) +
               sum(1 + len(r.evidence) for r in ex.relations) for ex in batch)
    by_batch = min(max(rows * CACHE_KIB_PER_ROW, CACHE_KIB[0]), CACHE_KIB[1])
    return max(by_batch, min(stored_kib, file_cache_kib()))


def article_ids(ex: Extraction) -> set[str]:
    """The articles whose rows writing `ex` may add or delete."""
    return {ex.article.id, *ex.replaces} | {ev.article for r in ex.relations for ev in r.evidence}


def runs(batch: list[Extraction]) -> Iterator[list[Extraction]]:
    """Consecutive runs of the batch in which no article comes twice (written, replaced or named by
    evidence): within a run the old versions can all go first and the new ones come in together,
    which is what writing them one by one would do."""
    run: list[Extraction] = []
    seen: set[str] = set()
    for ex in batch:
        ids = article_ids(ex)
        if ids & seen:
            yield run
            run, seen = [], set()
        run.append(ex)
        seen |= ids
    if run:
        yield run


def query(db: sqlite3.Connection, sql: str, params: tuple = ()) -> sqlite3.Cursor:
    """The rows of `sql` as plain tuples (the store's connection makes sqlite3.Row objects)."""
    cursor = db.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def stored(db: sqlite3.Connection, sql: str, ids: Iterable[str]) -> list[tuple]:
    """Rows of `sql`, whose `{ids}` is the set of `ids` (a JSON array read by json_each)."""
    return query(db, sql.format(ids="(SELECT value FROM json_each(?))"), (json.dumps(sorted(ids)),)).fetchall()


def stored_hashes(db: sqlite3.Connection, run: list[Extraction]) -> dict[str, str]:
    """The content hash of every stored article the run writes or replaces."""
    return dict(stored(db, "SELECT id, hash FROM articles WHERE id IN {ids}",
                       {i for ex in run for i in (ex.article.id, *ex.replaces)}))


def stage(db: sqlite3.Connection, table: str, ids: Iterable[str]) -> None:
    """Fill a temporary table of ids (STAGES) with `ids`."""
    db.execute(f"DELETE FROM temp.{table}")
    db.executemany(f"INSERT OR IGNORE INTO temp.{table} VALUES (?)", ((i,) for i in sorted(ids)))


def column(db: sqlite3.Connection, sql: str) -> set[str]:
    """The first column of the rows of `sql`, as a set."""
    return {r[0] for r in query(db, sql)}


def delete_articles(db: sqlite3.Connection, ids: list[str], changes: Changes) -> None:
    """Delete stored articles with all they state; note the nodes and relations that lost support."""
    if not ids:
        return
    stage(db, "write_gone", ids)
    gone = "(SELECT id FROM temp.write_gone)"
    emptied = column(db, f"SELECT entity_id FROM mentions WHERE article_id IN {gone} "
                         f"UNION SELECT entity_id FROM statements WHERE article_id IN {gone}")
    changes.relations |= column(db, f"SELECT relation_id FROM evidence WHERE article_id IN {gone}")
    for nodes in (changes.emptied, changes.entities, changes.suspects):
        nodes |= emptied
    for table, article in ARTICLE_TABLES:
        db.execute(f"DELETE FROM {table} WHERE {article} IN {gone}")


class Rows:
    """What a run of placed extractions writes, table by table, in the order the rows came: where a
    key comes twice, the first row is the one kept (ON CONFLICT DO NOTHING)."""

    def __init__(self) -> None:
        self.articles: list[tuple] = []
        self.entities: list[tuple] = []
        self.mentions: list[tuple] = []
        self.log: list[tuple] = []
        self.statements: list[tuple] = []
        self.relations: list[tuple] = []
        self.evidence: list[tuple] = []


def as_json(facts: dict) -> str:
    """Facts as stored: JSON, non-ASCII as it is."""
    return json.dumps(facts, ensure_ascii=False) if facts else "{}"


def rows_of(placed: list[tuple[Extraction, dict[str, str]]]) -> Rows:
    rows = Rows()
    for ex, origin in placed:
        a = ex.article
        rows.articles.append((a.id, a.source, a.doc, a.title, a.url, a.date, a.text, a.content_hash))
        for e in ex.entities:
            key, node = origin[e.id], e.key
            rows.entities.append((node, e.type, e.name, e.kind, as_json(e.facts)))
            rows.mentions += [(a.id, node, m.start, m.stop, m.text, m.sentence_start, m.sentence_stop, key)
                              for m in e.mentions]
            if e.merged_by:
                rows.log += [(node, a.id, key, alias, rule) for alias, rule in e.merged_by.items()]
        rows.statements += [(s["entity"], s["article"], s["key"], s["name"], s["kind"], s["facts"])
                            for s in said_rows(ex, origin)]
    relations, evidence = relation_rows([ex for ex, _ in placed])
    rows.relations = [(r["id"], r["type"], r["source"], r["target"], r["role"]) for r in relations]
    rows.evidence = [(v["relation"], v["article"], v["start"], v["stop"], v["sentence"], v["confidence"])
                     for v in evidence]
    return rows


KEYS = {width: itemgetter(*range(width)) for width in range(2, 5)} | {1: itemgetter(0)}


def by_key(rows: list[tuple], width: int) -> list[tuple]:
    """Rows in the order of their first `width` columns (their key), the first of equal keys first:
    index inserts go from one key to the next."""
    return sorted(rows, key=KEYS[width])


def insert_articles(db: sqlite3.Connection, batch: list[Extraction], decisions: Decisions,
                    changes: Changes) -> None:
    """Write new articles with all they state, each entity placed by the decisions; note what was written."""
    if not batch:
        return
    rows = rows_of([assign(ex, decisions) for ex in batch])
    nodes = {r[0] for r in rows.entities}
    for sql, data, width in ((INSERT_ARTICLE, rows.articles, 1), (INSERT_ENTITY, rows.entities, 1),
                             (INSERT_MENTION, rows.mentions, 4), (INSERT_LOG, rows.log, 4),
                             (INSERT_STATEMENT, rows.statements, 3), (INSERT_RELATION, rows.relations, 1),
                             (INSERT_EVIDENCE, rows.evidence, 4)):
        db.executemany(sql, by_key(data, width))
    count_statements(db, rows.statements)
    mentioned = {m[1] for m in rows.mentions}
    changes.entities |= nodes
    changes.suspects |= nodes - mentioned
    changes.relations |= {r[0] for r in rows.relations} - {v[0] for v in rows.evidence}
    changes.aliases |= {(m[1], m[4]) for m in rows.mentions}
    changes.said.update(s[0] for s in rows.statements)


def count_statements(db: sqlite3.Connection, statements: list[tuple]) -> None:
    """Add the statements just inserted to `statement_names`, one upsert per (node, name, kind): a
    trigger per row did the same, one statement at a time."""
    counts = Counter((s[0], s[3], s[4] or "") for s in statements)
    db.executemany(COUNT_STATEMENTS, sorted((*key, n) for key, n in counts.items()))


def settle(db: sqlite3.Connection, changes: Changes) -> None:
    """After articles came or went: drop what lost its support among what was touched, then set
    the names, kinds, facts and search names of the touched nodes that remain."""
    dropped = drop_unsupported(db, changes)
    stage(db, "write_entities", changes.entities - dropped)
    names = summarise(db, changes.said)
    whole = (changes.emptied | names.renamed) - dropped
    named = {(node, name) for node, name in names.of.items() if node in names.fresh or node in whole}
    refresh_names(db, named | {(e, t) for e, t in changes.aliases if e in names.of}, whole)


def drop_unsupported(db: sqlite3.Connection, changes: Changes) -> set[str]:
    """Delete the suspect nodes nobody mentions any more, with what hangs on them, and the touched
    relations (or those at a deleted node) without evidence or without an end; return the nodes deleted."""
    stage(db, "write_suspects", changes.suspects)
    dropped = column(db, UNMENTIONED)
    relations = set(changes.relations)
    if dropped:
        stage(db, "write_dropped", dropped)
        relations |= column(db, RELATIONS_AT_DROPPED)
        db.execute("DELETE FROM entities WHERE id IN (SELECT id FROM temp.write_dropped)")
        for table in ENTITY_TABLES:
            db.execute(f"DELETE FROM {table} WHERE entity_id IN (SELECT id FROM temp.write_dropped)")
    if relations:
        stage(db, "write_relations", relations)
        if unsupported := column(db, UNSUPPORTED):
            stage(db, "write_relations", unsupported)
            db.execute("DELETE FROM relations WHERE id IN (SELECT id FROM temp.write_relations)")
            db.execute("DELETE FROM evidence WHERE relation_id IN (SELECT id FROM temp.write_relations)")
    return dropped


@dataclass
class Names:
    """The name of each summarised node; the nodes whose name changed, and those all of whose
    statements this write made (new nodes among them): their names go into the search names."""

    of: dict[str, str] = field(default_factory=dict)
    renamed: set[str] = field(default_factory=set)
    fresh: set[str] = field(default_factory=set)


def summarise(db: sqlite3.Connection, said: Counter[str]) -> Names:
    """Set the name, kind and facts of each staged node (temp.write_entities) from its statements
    (graph.statements.summary), where they changed; a node without statements (stored before they were
    kept) keeps its own. `said`: how many statements this write made per node."""
    facts: dict[str, list[Statement]] = {}
    for node, article, date, given in query(db, FACT_STATEMENTS):
        facts.setdefault(node, []).append(Statement(article, date or "", "", None, json.loads(given)))
    names, updates = Names(), []
    for node, rows in groupby(query(db, SUMMARY_INPUT), key=itemgetter(0)):
        first, *more = rows
        names.of[node] = first[1]
        if first[6] is None:  # no statements
            continue
        counts = [r[4:] for r in (first, *more)]
        name, kind, current = counted_summary(counts, facts.get(node, []))
        new = (name, kind, as_json(current))
        if sum(c[2] for c in counts) == said.get(node):
            names.fresh.add(node)
        if new != first[1:4]:
            updates.append((*new, node))
            names.of[node] = new[0]
            if new[0] != first[1]:
                names.renamed.add(node)
    db.executemany(SET_SUMMARY, updates)
    return names


@lru_cache(maxsize=20_000)
def alias_key(text: str) -> str:
    return name_key(text)


def refresh_names(db: sqlite3.Connection, pairs: set[tuple[str, str]], whole: set[str]) -> None:
    """Search names (a node's name and its mention texts): add `pairs` (node, alias); for the nodes
    in `whole`, add every mention text and delete the aliases that are neither their name nor a
    mention's text any more."""
    if whole:
        stage(db, "write_whole", whole)
        pairs = pairs | set(query(db, WHOLE_TEXTS).fetchall())
    db.executemany(INSERT_NAME, sorted((node, alias, alias_key(alias)) for node, alias in pairs))
    if whole:
        db.execute(STALE_NAMES)
