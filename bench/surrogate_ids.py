"""SQLite's own insert rate for the synthetic graph's rows in a schema keyed by integer surrogate ids:
a prototype measured against `bench/store_write.py --raw` (issue #16, docs/scaling.md, Writes).

The store's schema keys nodes and relations by their text ids (an entity id is its type and name,
≈ 50 bytes of UTF-8; a relation id 16 hex digits), and about ten of its B-trees are keyed by them in
random order, so that a batch dirties pages all over them. Here each article, node and relation gets
an INTEGER PRIMARY KEY beside its text id (one unique text index each, probed once per distinct id
of a batch), every other table refers to those integers, and the article-keyed uniqueness constraints
come first in the article's order (mentions, evidence and statements append), with a small index by
node or relation beside them. The derived tables and their triggers are those of graph.embedded
(relation weights, relation counts, store counts), on integers.

Like `--raw`, it inserts the rows a batch writes (graph.embedded_write.rows_of, the batch bounded
and assigned as Store.write does) with one `executemany` per table, the statements' counts and one
transaction per batch, without idempotency checks, deletions or summaries; the text ids become
integers in Python (a dict per batch from one query per table). `--names` adds the search names
(each mention's text, with the trigram index). No reads are implemented: it measures what the write
would cost, not a store.

    python bench/surrogate_ids.py --relations 100000
    python bench/surrogate_ids.py --relations 1000000 --names --page-size 1024 --checkpoint 400000
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRESS = 100_000  # relations between progress lines

# the statements' counts and the search names, keyed by node number (bench/article_postings.py too)
NAMES_SCHEMA = """
CREATE TABLE statement_names (entity INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (entity, name, kind)) WITHOUT ROWID;
CREATE TABLE names (entity INTEGER NOT NULL, alias TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (entity, alias));
CREATE VIRTUAL TABLE names_grams USING fts5(key, content='names', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER names_grams_add AFTER INSERT ON names BEGIN
    INSERT INTO names_grams (rowid, key) VALUES (new.rowid, new.key);
END;
"""
SCHEMA = """
CREATE TABLE articles (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, doc TEXT, title TEXT,
    url TEXT, date TEXT, text TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX articles_source ON articles(source);
CREATE INDEX articles_date ON articles(date);
CREATE TABLE entities (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, name TEXT NOT NULL,
    kind TEXT, facts TEXT NOT NULL DEFAULT '{}');
CREATE TABLE mentions (article INTEGER NOT NULL, entity INTEGER NOT NULL, start INTEGER NOT NULL,
    stop INTEGER NOT NULL, text TEXT NOT NULL, sentence_start INTEGER, sentence_stop INTEGER, entity_key TEXT,
    UNIQUE (article, start, stop, entity));
CREATE INDEX mentions_entity ON mentions(entity);
CREATE TABLE relations (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    source INTEGER NOT NULL, target INTEGER NOT NULL, role TEXT);
CREATE INDEX relations_source ON relations(source);
CREATE INDEX relations_target ON relations(target);
CREATE TABLE evidence (relation INTEGER NOT NULL, article INTEGER NOT NULL, start INTEGER NOT NULL,
    stop INTEGER NOT NULL, sentence TEXT NOT NULL, confidence REAL, UNIQUE (article, start, stop, relation));
CREATE INDEX evidence_relation ON evidence(relation, article);
CREATE TABLE statements (entity INTEGER NOT NULL, article INTEGER NOT NULL, entity_key TEXT NOT NULL,
    name TEXT NOT NULL, kind TEXT, facts TEXT NOT NULL DEFAULT '{}', UNIQUE (article, entity, entity_key));
CREATE INDEX statements_entity ON statements(entity);
""" + NAMES_SCHEMA + """
CREATE TABLE relation_weights (relation INTEGER PRIMARY KEY, type TEXT NOT NULL, source INTEGER NOT NULL,
    target INTEGER NOT NULL, weight INTEGER NOT NULL);
CREATE INDEX relation_weights_from ON relation_weights(source, weight DESC, relation, type, target);
CREATE INDEX relation_weights_to ON relation_weights(target, weight DESC, relation, type, source);
CREATE TRIGGER relation_weights_add AFTER INSERT ON evidence
WHEN NOT EXISTS (SELECT 1 FROM evidence WHERE relation = new.relation AND article = new.article
                 AND rowid != new.rowid) BEGIN
    INSERT INTO relation_weights SELECT n, type, source, target, 1 FROM relations WHERE n = new.relation
    ON CONFLICT DO UPDATE SET weight = weight + 1;
END;
CREATE TABLE relation_counts (entity INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TRIGGER relation_counts_add AFTER INSERT ON relations BEGIN
    INSERT INTO relation_counts VALUES (new.source, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO relation_counts SELECT new.target, 1 WHERE new.target != new.source
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TABLE store_counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
""" + "".join(f"""
CREATE TRIGGER store_counts_{table}_add AFTER INSERT ON {table} BEGIN
    INSERT INTO store_counts VALUES ({key}, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;""" for table, key in (("articles", "'articles'"), ("mentions", "'mentions'"),
                           ("entities", "'entity:' || new.type"), ("relations", "'relation:' || new.type")))

INSERT_ARTICLE = "INSERT INTO articles (id, source, doc, title, url, date, text, hash) VALUES (?,?,?,?,?,?,?,?)"
INSERT_ENTITY = "INSERT INTO entities (id, type, name, kind, facts) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING"
INSERT_MENTION = "INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"
INSERT_STATEMENT = "INSERT INTO statements VALUES (?,?,?,?,?,?)"
COUNT_STATEMENTS = "INSERT INTO statement_names VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n"
INSERT_RELATION = "INSERT INTO relations (id, type, source, target, role) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING"
INSERT_EVIDENCE = "INSERT INTO evidence VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING"
INSERT_NAME = "INSERT INTO names VALUES (?,?,?) ON CONFLICT DO NOTHING"


def open_file(path: Path, page_size: int, checkpoint: int, cache_mib: int) -> sqlite3.Connection:
    """A new store file in the prototype's schema, with the embedded store's connection settings."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA page_size={page_size}")
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    for pragma in ("PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY", f"PRAGMA wal_autocheckpoint={checkpoint}",
                   f"PRAGMA cache_size=-{cache_mib * 1024}"):
        db.execute(pragma)
    return db


def numbers(db: sqlite3.Connection, table: str, ids: set[str]) -> dict[str, int]:
    """The integer of each of `ids` stored in `table`."""
    return dict(db.execute(f"SELECT id, n FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                           (json.dumps(sorted(ids)),)))


def writer(db: sqlite3.Connection, names: bool):
    """The prototype's write of a batch: its rows, ids made integers, one transaction."""
    from graph.bounds import bounded
    from graph.decisions import Decisions, assign
    from graph.embedded_write import alias_key, rows_of

    def write(batch: list) -> None:
        rows = rows_of([assign(ex, Decisions()) for ex in bounded(batch)])
        db.execute("BEGIN")
        db.executemany(INSERT_ARTICLE, rows.articles)
        article = numbers(db, "articles", {r[0] for r in rows.articles})
        db.executemany(INSERT_ENTITY, sorted(rows.entities))
        node = numbers(db, "entities", {r[0] for r in rows.entities})
        db.executemany(INSERT_MENTION, sorted((article[m[0]], node[m[1]], *m[2:]) for m in rows.mentions))
        said = sorted((node[s[0]], article[s[1]], *s[2:]) for s in rows.statements)
        db.executemany(INSERT_STATEMENT, said)
        counts = Counter((s[0], s[3], s[4] or "") for s in said)
        db.executemany(COUNT_STATEMENTS, sorted((*key, n) for key, n in counts.items()))
        db.executemany(INSERT_RELATION, sorted((r[0], r[1], node[r[2]], node[r[3]], r[4]) for r in rows.relations))
        relation = numbers(db, "relations", {r[0] for r in rows.relations})
        db.executemany(INSERT_EVIDENCE, sorted((relation[v[0]], article[v[1]], *v[2:]) for v in rows.evidence))
        if names:
            db.executemany(INSERT_NAME, sorted({(node[m[1]], m[4], alias_key(m[4])) for m in rows.mentions}))
        db.execute("COMMIT")
    return write


def io_bytes() -> tuple[int, int]:
    """What this process has written and read through the OS so far (wchar, rchar), in bytes."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["wchar"]), int(fields["rchar"])


class Timed:
    """What app_pages.synthetic writes to: only the writes are timed; the load seen after each batch."""

    def __init__(self, write) -> None:
        self.write_batch, self.seconds, self.cpu, self.relations, self.loads = write, 0.0, 0.0, 0, []

    def write(self, batch: list) -> None:
        began, cpu = time.perf_counter(), time.process_time()
        self.write_batch(batch)
        self.seconds += time.perf_counter() - began
        self.cpu += time.process_time() - cpu
        self.loads.append(os.getloadavg()[0])
        before, self.relations = self.relations, self.relations + sum(len(ex.relations) for ex in batch)
        if self.relations // PROGRESS > before // PROGRESS:
            print(f"  {self.relations:>9,} relations: {self.relations / self.seconds:,.0f}/s "
                  f"(cpu {self.relations / self.cpu:,.0f}/s), load {self.loads[-1]:.1f}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--names", action="store_true", help="also the search names, with the trigram index")
    ap.add_argument("--page-size", type=int, default=4096)
    ap.add_argument("--checkpoint", type=int, default=100_000, help="checkpoint the log at this many pages")
    ap.add_argument("--cache-mib", type=int, default=256, help="the page cache (Store.write's largest by default)")
    args = ap.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from app_pages import synthetic
    with tempfile.TemporaryDirectory(prefix="investgraph-surrogate-") as tmp:
        db = open_file(Path(tmp) / "graph.db", args.page_size, args.checkpoint, args.cache_mib)
        written, read = io_bytes()
        timed = Timed(writer(db, args.names))
        synthetic(timed, args.relations)
        after = io_bytes()
        size = db.execute("PRAGMA page_count").fetchone()[0] * args.page_size
        stored = db.execute("SELECT COUNT(*) FROM relations").fetchone()[0]
        db.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"surrogate ids: {timed.relations:,} relations in {timed.seconds:.1f} s = "
          f"{timed.relations / timed.seconds:,.0f}/s (cpu {timed.cpu:.1f} s = {timed.relations / timed.cpu:,.0f}/s); "
          f"stored {stored:,} relations, file {size / 2**20:,.0f} MB; wrote {(after[0] - written) / 2**30:.2f} GiB, "
          f"read {(after[1] - read) / 2**30:.2f} GiB; peak RSS {rss:,.0f} MB; "
          f"load {min(timed.loads):.1f}–{max(timed.loads):.1f} [page size {args.page_size}, checkpoint "
          f"{args.checkpoint}, cache {args.cache_mib} MiB{', names' if args.names else ''}]", flush=True)


if __name__ == "__main__":
    main()
