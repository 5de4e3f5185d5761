"""`investgraph export --format neo4j-admin`: a snapshot as CSV files for `neo4j-admin database
import full`, which builds an InvestGraph Neo4j database (graph.formats.neo4j_model) offline, far
faster than writing through Bolt; then every investgraph command can use it.

A folder (or a .zip of it) with:

    nodes-article.csv   nodes-entity.csv   nodes-evidence.csv   nodes-said.csv
    rels-mentioned_in.csv   rels-relation.csv
    neo4j-admin-import.args   the options and files, one a line (read as @neo4j-admin-import.args)
    manifest.json

Headers use the import tool's syntax: `id:ID(Article)` and `id:ID(Entity)` (two id spaces, kept
as the `id` property), `:START_ID(Entity)`, `:END_ID(Article)`, `:LABEL`, `:TYPE`, and typed
properties (`start:long`, `confidence:double`, `name_keys:string[]`). Every string is quoted
(inner quotes doubled), so an empty string stays one, and an absent value is an empty field (no
property). Strings may hold line breaks, hence `--multiline-fields=true`; arrays are split on
U+001F, which no name holds.

Import it into a stopped database of a Neo4j 5 server (the database must not exist or be empty),
then start the server; investgraph creates the store's indexes when it first opens the database:

    cd snapshot-folder
    neo4j-admin database import full neo4j @neo4j-admin-import.args

(the database name first: the file options take every word after them).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from . import neo4j_model as model
from .base import MANIFEST_FILE, Members, Parts, manifest_text, scalar

ARRAY_DELIMITER = "\x1f"
ARGS_FILE = "neo4j-admin-import.args"

# file -> (label or type, [(property, column header)]); the label or type goes in its own column
NODE_FILES = {
    "nodes-article.csv": ("Article", [("id", "id:ID(Article)"), ("source", "source"), ("doc", "doc"),
                                      ("title", "title"), ("url", "url"), ("date", "date"), ("text", "text"),
                                      ("hash", "hash")]),
    "nodes-entity.csv": ("Entity", [("id", "id:ID(Entity)"), ("type", "type"), ("name", "name"), ("kind", "kind"),
                                    ("facts", "facts"), ("name_keys", "name_keys:string[]")]),
    "nodes-evidence.csv": ("Evidence", [("relation_id", "relation_id"), ("article_id", "article_id"),
                                        ("start", "start:long"), ("stop", "stop:long"), ("sentence", "sentence"),
                                        ("confidence", "confidence:double")]),
    "nodes-said.csv": ("Said", [("entity_id", "entity_id"), ("article_id", "article_id"), ("key", "key"),
                                ("name", "name"), ("kind", "kind"), ("facts", "facts")]),
}
RELATIONSHIP_FILES = {
    "rels-mentioned_in.csv": ("MENTIONED_IN", [("entity", ":START_ID(Entity)"), ("article", ":END_ID(Article)"),
                                               ("start", "start:long"), ("stop", "stop:long"), ("text", "text"),
                                               ("key", "key"), ("sentence_start", "sentence_start:long"),
                                               ("sentence_stop", "sentence_stop:long")]),
    "rels-relation.csv": ("RELATION", [("source", ":START_ID(Entity)"), ("target", ":END_ID(Entity)"),
                                       ("id", "id"), ("type", "type"), ("role", "role")]),
}
OPTIONS = ["--multiline-fields=true", f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}", "--id-type=string"]


def field(value: Any) -> str:
    """One CSV field as the import tool reads it: None empty, a number bare, a string quoted."""
    if (written := scalar(value, "")) is not None:
        return written
    if isinstance(value, (list, tuple)):
        value = ARRAY_DELIMITER.join(str(v) for v in value)
    return '"' + str(value).replace('"', '""') + '"'


def write_table(out: IO[str], label: str, columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]],
                column: str) -> None:
    """The header, then one line per row; `column` (":LABEL" or ":TYPE") carries `label`."""
    out.write(",".join([header for _, header in columns] + [column]) + "\n")
    tail = "," + field(label) + "\n"
    for row in rows:
        out.write(",".join(field(row[name]) for name, _ in columns) + tail)


def import_args() -> str:
    """The options and files of `neo4j-admin database import full`, one a line (picocli @file)."""
    lines = OPTIONS + [f"--nodes={name}" for name in NODE_FILES] + [f"--relationships={name}"
                                                                    for name in RELATIONSHIP_FILES]
    return "\n".join(lines) + "\n"


def write(parts: Parts, members: Members) -> None:
    """Every file of the format into `members` (a folder or a zip)."""
    content = model.ArticleContent.of(parts)
    rows = {"nodes-article.csv": model.article_rows(parts, content), "nodes-entity.csv": model.entity_rows(parts),
            "nodes-evidence.csv": model.all_evidence_rows(parts), "nodes-said.csv": model.said_rows(parts, content),
            "rels-mentioned_in.csv": model.all_mention_rows(parts), "rels-relation.csv": model.relation_rows(parts)}
    try:
        for files, column in ((NODE_FILES, ":LABEL"), (RELATIONSHIP_FILES, ":TYPE")):
            for name, (label, columns) in files.items():
                with members.text(name) as out:
                    write_table(out, label, columns, rows[name], column)
    finally:
        content.close()
    with members.text(ARGS_FILE) as out:
        out.write(import_args())
    if parts.manifest is not None:
        with members.text(MANIFEST_FILE) as out:
            out.write(manifest_text(parts.manifest))
