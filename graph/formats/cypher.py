"""`investgraph export --format cypher`: a Cypher script that rebuilds a snapshot in an empty Neo4j 5
database as the InvestGraph Neo4j store (graph.formats.neo4j_model), and `run_script`, which runs
such a script through the Python driver (`investgraph import FILE.cypher --store neo4j://…`).

The script is plain Cypher, one statement per line, each ending in `;`, with `//` comment lines:
`cypher-shell -f snapshot.cypher` runs it, so does Neo4j Browser, and so does any client that sends
its lines one by one. The first comment lines carry the manifest (`// manifest: {JSON}`). Then
the store's constraints and indexes (`IF NOT EXISTS`, as graph.neo4j_store creates them), and
the rows as literal lists, `ROWS_PER_STATEMENT` a statement:

    UNWIND [{id: "…", …}, …] AS row CREATE (a:Article) SET a = row;
    UNWIND [{…}, …] AS row MATCH (s:Entity {id: row.s}) MATCH (t:Article {id: row.t})
      CREATE (s)-[r:MENTIONED_IN]->(t) SET r = row.p;

Strings are written as JSON string literals, which are Cypher string literals too (`\\n`, `\\"`,
`\\\\`, `\\uXXXX`), so no statement spans lines. Each statement is its own transaction: a script
that fails part way leaves what ran before; empty the database and run it again.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from graph.neo4j_store import SCHEMA

from . import neo4j_model as model
from .base import Parts, scalar

ROWS_PER_STATEMENT = 500
MANIFEST_PREFIX = "// manifest: "
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

CREATE_NODES = "UNWIND {rows} AS row CREATE (n:{label}) SET n = row;"
CREATE_RELATIONSHIPS = ("UNWIND {rows} AS row MATCH (s:{start} {{id: row.s}}) MATCH (t:{end} {{id: row.t}}) "
                        "CREATE (s)-[r:{type}]->(t) SET r = row.p;")


def literal(value: Any) -> str:
    """A Cypher literal: null, true/false, numbers, strings (JSON escapes), lists and maps."""
    if (written := scalar(value, "null")) is not None:
        return written
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def key(name: str) -> str:
    return name if IDENTIFIER.match(name) else "`" + name.replace("`", "``") + "`"


def chunks(rows: Iterable[dict[str, Any]], size: int = ROWS_PER_STATEMENT) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def node_statements(label: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for chunk in chunks(rows):
        yield CREATE_NODES.format(rows=literal(chunk), label=label)


def relationship_statements(type_: str, start: str, end: str, rows: Iterable[dict[str, Any]],
                            ends: tuple[str, str]) -> Iterator[str]:
    """Rows whose `ends` keys name the start and end node ids; the rest are the properties."""
    for chunk in chunks(rows):
        shaped = [{"s": r[ends[0]], "t": r[ends[1]], "p": {k: v for k, v in r.items() if k not in ends}}
                  for r in chunk]
        yield CREATE_RELATIONSHIPS.format(rows=literal(shaped), start=start, end=end, type=type_)


def statements(parts: Parts) -> Iterator[str]:
    """Every statement of the script, in the order they must run."""
    yield from (statement + ";" for statement in SCHEMA.values())
    yield "CALL db.awaitIndexes(300);"
    content = model.ArticleContent.of(parts)
    try:
        yield from node_statements("Article", model.article_rows(parts, content))
        yield from node_statements("Entity", model.entity_rows(parts))
        yield from relationship_statements("MENTIONED_IN", "Entity", "Article", model.all_mention_rows(parts),
                                           ("entity", "article"))
        yield from relationship_statements("RELATION", "Entity", "Entity", model.relation_rows(parts),
                                           ("source", "target"))
        yield from node_statements("Evidence", model.all_evidence_rows(parts))
        yield from node_statements("Said", model.said_rows(parts, content))
    finally:
        content.close()


def write(parts: Parts, out: IO[bytes]) -> None:
    """The script, UTF-8."""
    head = ["// InvestGraph snapshot as a Cypher script: run it in an empty Neo4j 5 database",
            "// (cypher-shell -f FILE, or investgraph import FILE --store neo4j://...)."]
    if parts.manifest is not None:
        head.append(MANIFEST_PREFIX + json.dumps(parts.manifest, ensure_ascii=False))
    out.write(("\n".join(head) + "\n").encode("utf-8"))
    for statement in statements(parts):
        out.write((statement + "\n").encode("utf-8"))


def read_manifest(text_lines: Iterable[str]) -> dict[str, Any] | None:
    """The manifest from a script's first comment lines, or None."""
    for line in text_lines:
        if not line.startswith("//"):
            return None
        if line.startswith(MANIFEST_PREFIX):
            return json.loads(line[len(MANIFEST_PREFIX):])
    return None


def script_statements(lines: Iterable[str]) -> Iterator[str]:
    """The statements of a script this module wrote: each non-comment line, less its `;`."""
    for line in lines:
        line = line.strip()
        if line and not line.startswith("//"):
            yield line.removesuffix(";")


def run_script(run: Callable[[str], None], lines: Iterable[str],
               progress: Callable[[int], None] | None = None) -> int:
    """Run each statement of a script through `run` (e.g. one driver transaction each), in order;
    return how many ran."""
    count = 0
    for statement in script_statements(lines):
        run(statement)
        count += 1
        if progress:
            progress(count)
    return count


def run_in_store(store: Any, path: Path, progress: Callable[[int], None] | None = None) -> int:
    """Run a script this module wrote in the Neo4j store `store` (graph.store.open_store of a
    neo4j:// URL), one transaction per statement; it must hold no graph yet. Return the statements
    run. StoreError (one line, naming the store) when the store is not Neo4j, holds a graph, or a
    statement fails (those before it stay)."""
    from neo4j.exceptions import DriverError, Neo4jError

    from graph.store import StoreError
    driver = getattr(store, "driver", None)
    if driver is None:
        raise StoreError(f"{store.url}: a Cypher script runs only in Neo4j; give --store neo4j://USER@HOST:7687 "
                         "(or import the snapshot's JSON or CSV into this store)")
    held = store.stats()
    if held["articles"] or held["entities_total"]:
        raise StoreError(f"{store.url}: holds a graph ({held['articles']} articles, {held['entities_total']} "
                         "entities); a Cypher snapshot rebuilds into an empty database: empty it, or import the "
                         "snapshot's JSON or CSV, which merges into a graph")
    done = 0

    def counted(n: int) -> None:
        nonlocal done
        done = n
        if progress:
            progress(n)
    try:
        with driver.session(database=store.database) as session, path.open(encoding="utf-8") as lines:
            run_script(lambda statement: session.execute_write(lambda tx: tx.run(statement).consume()), lines,
                       counted)
    except (Neo4jError, DriverError) as err:
        cause = " ".join((getattr(err, "message", None) or str(err)).split())
        raise StoreError(f"{store.url}: running {path} failed after {done} statements: {cause}") from err
    return done
