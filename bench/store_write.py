"""Relationships per second through `Store.write`, into the embedded store and into Neo4j, with
the peak memory of the writing process (and of the Neo4j server).

The graph is bench/app_pages.py's synthetic one, built the same way and written in the same
batches (500 articles of 10 relations each, every relation with an evidence sentence and both
ends mentioned): people WORK_AT organisations, organisations and people are INVOLVED_IN projects,
projects are LOCATED_IN regions, with hubs. Only the `Store.write` calls are timed, not building
the batches. Each store is written in a fresh process (its peak RSS is its own), into an empty
store; `--raw` also times SQLite's own insert rate for the same rows: the rows a batch writes
(graph.embedded_write.rows_of), inserted with one `executemany` per table (and the statements'
counts) and one transaction per batch into the same schema, with no idempotency checks, deletions
or summaries — the floor the embedded store's write can approach.

    python bench/store_write.py --relations 1000000                 # the embedded store
    INVESTGRAPH_WRITE_CACHE_MIB=1024 python bench/store_write.py --relations 1000000  # a bulk load's cache
    python bench/store_write.py --relations 100000 --raw            # and SQLite's own rate
    NEO4J_PASSWORD=... python bench/store_write.py --relations 100000 --neo4j neo4j://neo4j@127.0.0.1:7688 \
        --neo4j-home /tmp/bench --clear --no-embedded                  # Neo4j (its database is emptied)
    python bench/store_write.py --relations 50000 --code /path/to/older/checkout  # an older version's write
    python bench/store_write.py --relations 100000 --page-size 1024 --checkpoint 400000   # a new file's page size
    python bench/store_write.py --relations 100000 --drop mentions_entity,relation_weights_add  # what one costs

`relations/s` counts relations as written (10 per article, as app_pages counts them; a relation
stated in several articles counts each time); the stored graph is shown after (distinct
relations, mentions, evidence). `--neo4j-home` (scripts/neo4j's NEO4J_HOME_DIR) lets the bench
read the server's peak RSS from its pid file. Rates are printed every 100k relations, so that a
slowdown with the store's size shows. The bytes the writing process wrote and read (`/proc/self/io`:
wchar, rchar, what SQLite asked of the OS, cached or not) are printed too: unlike the rates, they do
not depend on the machine's load.

`--page-size`, `--checkpoint` and `--drop` are experiments on the embedded store (and `--raw`): the
page size of the new store file (SQLite's default is 4096), the log's checkpoint in pages
(graph.embedded_write.CHECKPOINT_PAGES), and indexes or triggers dropped after the store is opened
(the graph stored is then not the store's: only the cost of keeping them is measured). Not part of
the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRESS = 100_000  # relations between progress lines
BATCH = 500  # articles per Store.write, as app_pages builds its graph


class TimedWrites:
    """What app_pages.synthetic writes to: each batch goes to `write`, which alone is timed."""

    def __init__(self, write) -> None:
        self.write_batch, self.seconds, self.cpu, self.relations = write, 0.0, 0.0, 0

    def write(self, batch) -> None:
        began, cpu = time.perf_counter(), time.process_time()
        self.write_batch(batch)
        self.seconds += time.perf_counter() - began
        self.cpu += time.process_time() - cpu
        before, self.relations = self.relations, self.relations + sum(len(ex.relations) for ex in batch)
        if self.relations // PROGRESS > before // PROGRESS:
            print(f"  {self.relations:>9,} relations: {self.relations / self.seconds:,.0f}/s "
                  f"(cpu {self.relations / max(self.cpu, 1e-9):,.0f}/s), rss {peak_rss_mb():,.0f} MB, "
                  f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_peak_mb(neo4j_home: str | None) -> float | None:
    """The Neo4j server's peak RSS (VmHWM), from scripts/neo4j's pid file; None when unknown."""
    if not neo4j_home:
        return None
    try:
        pid = Path(neo4j_home, "run", "neo4j.pid").read_text().strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def io_bytes() -> tuple[int, int]:
    """What this process has written and read through the OS so far (wchar, rchar), in bytes."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["wchar"]), int(fields["rchar"])


def new_file(path: Path, page_size: int | None) -> None:
    """Make the store file with that page size (fixed when a file is first written), in WAL mode."""
    if page_size:
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA page_size={page_size}")
        db.execute("PRAGMA journal_mode=WAL")
        db.close()


def adjust(db: sqlite3.Connection, checkpoint: int | None, drop: list[str]) -> None:
    """Experiments on an opened store: another checkpoint in pages; indexes or triggers dropped."""
    if checkpoint is not None:
        db.execute(f"PRAGMA wal_autocheckpoint={checkpoint}")
    for name in drop:
        kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        if kind is None:
            raise SystemExit(f"--drop {name}: no such index or trigger")
        db.execute(f"DROP {kind[0].upper()} {name}")


def raw_writer(path: Path):
    """SQLite's own insert of the rows each batch writes, into the embedded store's schema."""
    from graph.bounds import bounded
    from graph.decisions import Decisions, assign
    from graph.embedded_write import (
        INSERT_ARTICLE,
        INSERT_ENTITY,
        INSERT_EVIDENCE,
        INSERT_MENTION,
        INSERT_RELATION,
        INSERT_STATEMENT,
        by_key,
        cache_kib,
        count_statements,
        file_kib,
        rows_of,
    )
    from graph.open import open_store
    db = open_store(str(path)).db
    statements = ((INSERT_ARTICLE, "articles", 1), (INSERT_ENTITY, "entities", 1), (INSERT_MENTION, "mentions", 4),
                  (INSERT_STATEMENT, "statements", 3), (INSERT_RELATION, "relations", 1),
                  (INSERT_EVIDENCE, "evidence", 4))

    def write(batch) -> None:
        batch = bounded(batch)
        db.execute(f"PRAGMA cache_size=-{cache_kib(batch, file_kib(db))}")  # the page cache Store.write gives itself
        rows = rows_of([assign(ex, Decisions()) for ex in batch])
        with db:
            for sql, table, width in statements:
                db.executemany(sql, by_key(getattr(rows, table), width))
            count_statements(db, rows.statements)
    return write, db


def clear_neo4j(store) -> None:
    """Empty the database: relationships first, then nodes (a hub's DETACH DELETE in one inner
    transaction can exceed the server's transaction memory)."""
    with store.driver.session(database=store.target.database) as session:
        session.run("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        session.run("MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def child(kind: str, url: str, args: argparse.Namespace) -> dict:
    """Write the synthetic graph into one store in this process; what it took, as a dict."""
    from app_pages import synthetic

    from graph.open import open_store
    relations, drop = args.relations, [n for n in (args.drop or "").split(",") if n]
    if kind != "neo4j":
        new_file(Path(url), args.page_size)
    written, read = io_bytes()
    if kind == "raw":
        write, db = raw_writer(Path(url))
        adjust(db, args.checkpoint, drop)
        timed = TimedWrites(write)
        synthetic(timed, relations, batch=args.batch or BATCH)
        stats = {"relations_total": db.execute("SELECT COUNT(*) FROM relations").fetchone()[0]}
    else:
        store = open_store(url)
        if kind == "neo4j" and args.clear:
            clear_neo4j(store)
        if kind == "embedded":
            adjust(store.db, args.checkpoint, drop)
        timed = TimedWrites(store.write)
        synthetic(timed, relations, batch=args.batch or BATCH)
        stats = store.stats()
        store.close()
    after = io_bytes()
    return {"written_gib": (after[0] - written) / 2**30, "read_gib": (after[1] - read) / 2**30,
            "page_size": args.page_size, "checkpoint": args.checkpoint, "drop": args.drop, "batch": args.batch,
            "store": kind, "relations": timed.relations, "seconds": timed.seconds, "cpu": timed.cpu,
            "rate": timed.relations / timed.seconds, "stored_relations": stats["relations_total"],
            "mentions": stats.get("mentions"), "articles": stats.get("articles"), "rss_mb": peak_rss_mb(),
            "server_rss_mb": server_peak_mb(args.neo4j_home) if kind == "neo4j" else None,
            "load": os.getloadavg()[0]}


def run_child(args: argparse.Namespace, kind: str, url: str) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--url", url, "--relations", str(args.relations),
               "--code", str(args.code)] + (["--clear"] if args.clear else []) + \
              (["--neo4j-home", args.neo4j_home] if args.neo4j_home else []) + \
              [f"--{name.replace('_', '-')}={value}" for name in ("page_size", "checkpoint", "drop", "batch")
               if (value := getattr(args, name)) is not None]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def show(r: dict) -> None:
    server = f", server peak RSS {r['server_rss_mb']:,.0f} MB" if r.get("server_rss_mb") else ""
    stored = "" if r["mentions"] is None else \
        f"; stored {r['articles']:,} articles, {r['stored_relations']:,} relations, {r['mentions']:,} mentions"
    print(f"{r['store']:>8}: {r['relations']:,} relations in {r['seconds']:.1f} s = {r['rate']:,.0f}/s "
          f"(cpu {r['cpu']:.1f} s = {r['relations'] / r['cpu']:,.0f}/s); peak RSS {r['rss_mb']:,.0f} MB"
          f"{server}{stored}; wrote {r['written_gib']:.2f} GiB, read {r['read_gib']:.2f} GiB; load {r['load']:.1f}"
          f"{experiment(r)}", flush=True)


def experiment(r: dict) -> str:
    """The experiment's settings, if any, as the end of a result line."""
    parts = [f"{name} {r[name]}" for name in ("page_size", "checkpoint", "drop", "batch") if r.get(name) is not None]
    return f" [{', '.join(parts)}]" if parts else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--neo4j", help="a Neo4j URL to write to as well (its database must be empty, or --clear)")
    ap.add_argument("--neo4j-home", help="scripts/neo4j's NEO4J_HOME_DIR, to read the server's peak RSS")
    ap.add_argument("--clear", action="store_true", help="empty the Neo4j database first")
    ap.add_argument("--raw", action="store_true", help="also SQLite's own insert rate for the same rows")
    ap.add_argument("--no-embedded", action="store_true", help="skip the embedded store")
    ap.add_argument("--code", type=Path, default=ROOT,
                    help="the checkout whose graph package (and bench/app_pages.py) is measured")
    ap.add_argument("--page-size", type=int, help="the page size of the new store file (experiment)")
    ap.add_argument("--checkpoint", type=int, help="checkpoint the log at this many pages (experiment)")
    ap.add_argument("--drop", help="indexes or triggers to drop after opening, comma-separated (experiment)")
    ap.add_argument("--batch", type=int, help=f"articles per write (default {BATCH}; experiment)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path[:0] = [str(args.code), str(args.code / "bench")]  # its app_pages puts its checkout first too
    if args.child:
        print(json.dumps(child(args.child, args.url, args)))
        return
    print(f"{args.relations:,} relations, code from {args.code}, {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="investgraph-write-") as tmp:
        runs = [] if args.no_embedded else [("embedded", str(Path(tmp) / "graph.db"))]
        runs += [("raw", str(Path(tmp) / "raw.db"))] if args.raw else []
        runs += [("neo4j", args.neo4j)] if args.neo4j else []
        for kind, url in runs:
            show(run_child(args, kind, url))


if __name__ == "__main__":
    main()
