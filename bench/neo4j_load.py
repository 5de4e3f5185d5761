"""Relationships per second into Neo4j: batched `UNWIND $rows ...` transactions versus one
transaction per relationship, on the same synthetic graph (100k relations by default).

Both variants run the store's own relation writer (graph.neo4j_store.write_relations: CREATE of
the ids not stored yet) through `session.execute_write`, into a database holding only the
synthetic entities; `--merge` also times the `MERGE` statement the store used before. The per-row
variant is timed on a sample (2,000 rows by default) and extrapolated to the whole graph;
the output says so. Each variant runs in several rounds after a warm-up pass; the best counts, the median is shown.
Not part of the test suite:

    scripts/neo4j start
    NEO4J_PASSWORD=investgraph-test .venv/bin/python bench/neo4j_load.py --clear
    scripts/neo4j stop

The database must be empty, or --clear given: the bench deletes everything in it before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from neo4j import ManagedTransaction

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.model import ENTITY_TYPES, INVOLVEMENT_ROLES, RELATION_TYPES, relation_key  # noqa: E402
from graph.neo4j_store import MERGE_ENTITIES, Neo4jStore, write_relations  # noqa: E402
from graph.urls import neo4j_target  # noqa: E402

Rows = list[dict]
Writer = Callable[[ManagedTransaction, Rows], None]
# what the store ran before write_relations: MERGE locks both ends of each row
MERGE_RELATIONS = """
UNWIND $rows AS row
MATCH (s:Entity {id: row.source}), (t:Entity {id: row.target})
MERGE (s)-[r:RELATION {id: row.id}]->(t) ON CREATE SET r.type = row.type, r.role = row.role"""
CLEAR = "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
CLEAR_RELATIONS = "MATCH ()-[r:RELATION]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS"


def synthetic_graph(n_entities: int, n_relations: int, seed: int = 7) -> tuple[Rows, Rows]:
    """Entities of every type and distinct relations between random pairs of them."""
    rnd = random.Random(seed)
    entities = [{"id": f"{t}:bench {i}", "type": t, "name": f"Bench {t.lower()} {i}", "kind": None,
                 "facts": json.dumps({"n": i})}
                for i, t in ((i, ENTITY_TYPES[i % len(ENTITY_TYPES)]) for i in range(n_entities))]
    relations: dict[str, dict] = {}
    while len(relations) < n_relations:
        source, target = rnd.sample(entities, 2)
        type_ = rnd.choice(RELATION_TYPES)
        role = rnd.choice(INVOLVEMENT_ROLES) if type_ == "INVOLVED_IN" else None
        rid = relation_key(type_, source["id"], target["id"], role)
        relations[rid] = {"id": rid, "type": type_, "source": source["id"], "target": target["id"], "role": role}
    return entities, list(relations.values())


def batches(rows: Rows, size: int) -> list[Rows]:
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def write_each(store: Neo4jStore, write: Writer, chunks: list[Rows]) -> float:
    """Seconds to write each chunk in its own transaction."""
    started = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for chunk in chunks:
            session.execute_write(write, chunk)
    return time.perf_counter() - started


def statement(query: str) -> Writer:
    def write(tx: ManagedTransaction, rows: Rows) -> None:
        tx.run(query, rows=rows).consume()
    return write


def run(store: Neo4jStore, statement: str) -> None:
    with store.driver.session(database=store.database) as session:
        session.run(statement).consume()


def count_relations(store: Neo4jStore) -> int:
    records, _, _ = store.driver.execute_query("MATCH ()-[r:RELATION]->() RETURN count(r) AS n",
                                               database_=store.database)
    return records[0]["n"]


def load() -> str:
    """The 1-minute load average: other work on the machine slows both variants."""
    return f"{os.getloadavg()[0]:.1f}"


def rust_packing() -> str:
    try:
        import neo4j._rust  # noqa: F401  (installed by neo4j-rust-ext)
        return "yes"
    except ImportError:
        return "no (pip install neo4j-rust-ext)"


def timed(label: str, work: Callable[[], float], rows: int) -> float:
    seconds = work()
    print(f"  {label:<44} {rows:>7} relationships in {seconds:7.2f}s = {rows / seconds:>9,.0f}/s")
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("INVESTGRAPH_NEO4J_URL") or os.environ.get("NEO4J_URI")
                        or "neo4j://neo4j@127.0.0.1:7687")
    parser.add_argument("--relations", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per UNWIND transaction")
    parser.add_argument("--sample", type=int, default=2_000, help="rows timed one transaction each")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the best counts")
    parser.add_argument("--clear", action="store_true", help="empty a database that is not empty")
    parser.add_argument("--merge", action="store_true", help="also time the MERGE statement used before")
    args = parser.parse_args()

    store = Neo4jStore(neo4j_target(args.url))
    try:
        records, _, _ = store.driver.execute_query("RETURN EXISTS { MATCH (n) } AS used", database_=store.database)
        if records[0]["used"] and not args.clear:
            sys.exit(f"{store.url} is not empty; the bench deletes everything in it: pass --clear to allow that")
        run(store, CLEAR)

        entities, relations = synthetic_graph(args.entities, args.relations)
        sample = relations[:args.sample]
        print(f"Neo4j at {store.url}, {os.cpu_count()} CPU cores, load average {load()} before; "
              f"driver packing in Rust: {rust_packing()}")
        print(f"{len(entities):,} entities, {len(relations):,} relationships "
              "(:RELATION, CREATE of the ids not stored yet, between matched entities)")
        seconds = write_each(store, statement(MERGE_ENTITIES), batches(entities, args.batch))
        print(f"  entities, batched: {len(entities):,} in {seconds:.2f}s")

        # A fresh JVM runs up to twice as slow until its JIT has compiled the write path, which takes
        # about one pass over the graph: warm the server up with an untimed pass of each shape, then
        # time each variant in every round from no relationships.
        write_each(store, write_relations, batches(relations, args.batch))
        run(store, CLEAR_RELATIONS)
        write_each(store, write_relations, batches(relations[-30_500:-30_000], 1))
        run(store, CLEAR_RELATIONS)
        all_batched: list[float] = []
        all_per_row: list[float] = []
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}:")
            batched = timed(f"batched, UNWIND {args.batch:,} rows per transaction",
                            lambda: write_each(store, write_relations, batches(relations, args.batch)),
                            len(relations))
            assert count_relations(store) == len(relations)
            write_each(store, write_relations, batches(relations[:args.batch], args.batch))  # again: no change
            assert count_relations(store) == len(relations)
            run(store, CLEAR_RELATIONS)
            if args.merge:
                timed(f"batched MERGE (before), {args.batch:,} rows per transaction",
                      lambda: write_each(store, statement(MERGE_RELATIONS), batches(relations, args.batch)),
                      len(relations))
                run(store, CLEAR_RELATIONS)
            per_row = timed(f"one transaction per row (sample of {len(sample):,})",
                            lambda: write_each(store, write_relations, batches(sample, 1)), len(sample))
            assert count_relations(store) == len(sample)
            run(store, CLEAR_RELATIONS)
            all_batched.append(batched)
            all_per_row.append(per_row)

        best_batched, best_per_row = max(all_batched), max(all_per_row)

        print(f"per-row extrapolated to all {len(relations):,} relationships: {len(relations) / best_per_row:,.0f}s "
              f"(timed on a sample of {len(sample):,} rows, not on all)")
        ratio = best_batched / best_per_row
        verdict = "meets" if ratio >= 20 and best_batched >= 20_000 else "MISSES"
        print(f"best of {args.rounds} rounds: batched {best_batched:,.0f}/s, per-row {best_per_row:,.0f}/s, "
              f"batched / per-row = {ratio:.1f}x ({verdict} the target: >= 20x and >= 20,000/s); "
              f"load average {load()} after")
        print(f"median of the rounds: batched {statistics.median(all_batched):,.0f}/s, "
              f"per-row {statistics.median(all_per_row):,.0f}/s")
    finally:
        run(store, CLEAR)
        store.close()


if __name__ == "__main__":
    main()
