"""SQLite's insert rate for the synthetic graph in an article-centric layout: a prototype measured
against `bench/store_write.py` and `bench/surrogate_ids.py` (issue #16, docs/scaling.md, Writes).

The store's schema writes each mention, statement and evidence sentence as a row of its own, in
B-trees keyed by entity or relation: about ten random inserts per relationship, which is where its
write spends its time. Here what an article states is kept with the article, as one JSON payload
(its mentions, statements and evidence as offsets into its text, the nodes and relations by number),
and the graph has only what a page needs to find an article from a node or a relation:

- `entities` and `relations`, keyed by a 63-bit hash of their text ids (no text index, no lookup to
  number them), each with its count of articles (a node's mentions, a relation's weight), added per
  batch: one upsert per distinct node and relation of the batch, not per row;
- postings: `entity_articles (entity, article)` and `relation_articles (relation, article)`, WITHOUT
  ROWID, one row per distinct pair: what an entity page, an evidence list or a relation's deletion
  reads (an article's payload then gives the offsets);
- `statement_names` counted per batch as the store counts them, and with `--names` the search names
  of new nodes with the trigram index.

Like `--raw` it checks nothing and deletes nothing; unlike it the rows are built from the
extractions directly (graph.bounds.bounded and graph.decisions.assign as Store.write does, then
one pass), since building every row as a tuple is itself a cost the layout avoids. No reads are
implemented: it measures what such a write would cost, not a store.

    python bench/article_postings.py --relations 100000
    python bench/article_postings.py --relations 1000000 --names
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

from surrogate_ids import COUNT_STATEMENTS, INSERT_NAME, NAMES_SCHEMA, Timed, io_bytes  # as the other prototype

ROOT = Path(__file__).resolve().parents[1]

SCHEMA = """
CREATE TABLE articles (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, doc TEXT, title TEXT,
    url TEXT, date TEXT, text TEXT NOT NULL, hash TEXT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX articles_date ON articles(date);
CREATE TABLE entities (n INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
    kind TEXT, facts TEXT NOT NULL DEFAULT '{}', articles INTEGER NOT NULL);
CREATE TABLE relations (n INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, source INTEGER NOT NULL,
    target INTEGER NOT NULL, role TEXT, weight INTEGER NOT NULL);
CREATE TABLE entity_articles (entity INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (entity, article))
    WITHOUT ROWID;
CREATE TABLE relation_articles (relation INTEGER NOT NULL, article INTEGER NOT NULL,
    PRIMARY KEY (relation, article)) WITHOUT ROWID;
""" + NAMES_SCHEMA + """"""
# a node's relations heaviest first, as the pages read them (graph.embedded's relation_weights);
# --bare leaves them out: the layout's floor
END_INDEXES = """
CREATE INDEX relations_from ON relations(source, weight DESC);
CREATE INDEX relations_to ON relations(target, weight DESC);
"""
INSERT_ARTICLE = """INSERT INTO articles (id, source, doc, title, url, date, text, hash, payload)
                    VALUES (?,?,?,?,?,?,?,?,?)"""
ADD_ENTITY = """INSERT INTO entities VALUES (?,?,?,?,?,'{}',?)
                ON CONFLICT DO UPDATE SET articles = articles + excluded.articles"""
ADD_RELATION = """INSERT INTO relations VALUES (?,?,?,?,?,?,?)
                  ON CONFLICT DO UPDATE SET weight = weight + excluded.weight"""


def number(text_id: str) -> int:
    """A text id's 63-bit number (a hash: no lookup, the same in every process)."""
    return int.from_bytes(hashlib.blake2b(text_id.encode(), digest_size=8).digest(), "big") >> 1


def open_file(path: Path, cache_mib: int, bare: bool) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA if bare else SCHEMA + END_INDEXES)
    for pragma in ("PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY", "PRAGMA wal_autocheckpoint=100000",
                   f"PRAGMA cache_size=-{cache_mib * 1024}"):
        db.execute(pragma)
    return db


def writer(db: sqlite3.Connection, names: bool):
    from graph.bounds import bounded
    from graph.decisions import Decisions, assign
    from graph.embedded_write import alias_key
    next_article = [1]

    def write(batch: list) -> None:
        articles, entities, relations = [], {}, {}
        entity_articles, relation_articles, said = set(), set(), Counter()
        for ex, _ in (assign(ex, Decisions()) for ex in bounded(batch)):
            a, n = ex.article, next_article[0]
            next_article[0] += 1
            local = {e.id: number(e.key) for e in ex.entities}
            mentions, statements, evidence = [], [], []
            for e in ex.entities:
                node = local[e.id]
                entities.setdefault(node, [node, e.key, e.type, e.name, e.kind, 0])[5] += 1
                entity_articles.add((node, n))
                said[(node, e.name, e.kind or "")] += 1
                statements.append((node, e.name, e.kind))
                mentions += [(node, m.start, m.stop, m.sentence_start, m.sentence_stop) for m in e.mentions]
            for r in ex.relations:
                source, target = local[r.source], local[r.target]
                key = f"{r.type}|{source}|{target}|{r.role or ''}"
                rel = number(key)
                relations.setdefault(rel, [rel, key, r.type, source, target, r.role, 0])[6] += 1
                relation_articles.add((rel, n))
                evidence += [(rel, v.start, v.stop, r.confidence) for v in r.evidence]
            payload = json.dumps({"m": mentions, "s": statements, "r": evidence}, ensure_ascii=False,
                                 separators=(",", ":"))
            articles.append((a.id, a.source, a.doc, a.title, a.url, a.date, a.text, a.content_hash, payload))
        db.execute("BEGIN")
        db.executemany(INSERT_ARTICLE, articles)
        new = {row[0] for row in db.execute("SELECT value FROM json_each(?) "
                                            "WHERE NOT EXISTS (SELECT 1 FROM entities WHERE n = value)",
                                            (json.dumps(sorted(entities)),))} if names else set()
        db.executemany(ADD_ENTITY, sorted(entities.values()))
        db.executemany(ADD_RELATION, sorted(relations.values()))
        db.executemany("INSERT INTO entity_articles VALUES (?,?)", sorted(entity_articles))
        db.executemany("INSERT INTO relation_articles VALUES (?,?)", sorted(relation_articles))
        db.executemany(COUNT_STATEMENTS, sorted((*key, c) for key, c in said.items()))
        if names:
            db.executemany(INSERT_NAME, sorted((n, entities[n][3], alias_key(entities[n][3])) for n in new))
        db.execute("COMMIT")
    return write


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--names", action="store_true", help="also the search names of new nodes, with the trigram index")
    ap.add_argument("--bare", action="store_true", help="without the index of relations by their ends")
    ap.add_argument("--cache-mib", type=int, default=256, help="the page cache (Store.write's largest by default)")
    ap.add_argument("--batch", type=int, default=500, help="articles per write (app_pages' batches: 500)")
    args = ap.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from app_pages import synthetic
    with tempfile.TemporaryDirectory(prefix="investgraph-postings-") as tmp:
        db = open_file(Path(tmp) / "graph.db", args.cache_mib, args.bare)
        written, read = io_bytes()
        timed = Timed(writer(db, args.names))
        synthetic(timed, args.relations, batch=args.batch)
        after = io_bytes()
        size = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
        stored = db.execute("SELECT COUNT(*), SUM(weight) FROM relations").fetchone()
        db.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"article postings: {timed.relations:,} relations in {timed.seconds:.1f} s = "
          f"{timed.relations / timed.seconds:,.0f}/s (cpu {timed.cpu:.1f} s = {timed.relations / timed.cpu:,.0f}/s); "
          f"stored {stored[0]:,} relations of weight {stored[1]:,}, file {size / 2**20:,.0f} MB; "
          f"wrote {(after[0] - written) / 2**30:.2f} GiB, read {(after[1] - read) / 2**30:.2f} GiB; "
          f"peak RSS {rss:,.0f} MB; load {min(timed.loads):.1f}–{max(timed.loads):.1f}"
          f"{' [names]' if args.names else ''}{' [bare]' if args.bare else ''}"
          f"{f' [batch {args.batch}]' if args.batch != 500 else ''}", flush=True)


if __name__ == "__main__":
    main()
