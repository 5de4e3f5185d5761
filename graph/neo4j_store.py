"""The Neo4j store: the embedded store's interface and answers, kept in a Neo4j 5 server.

The graph in Neo4j:

    (:Article {id, source, doc, title, url, date, text, hash})
    (:Entity {id, type, name, kind, facts, name_keys})    facts: JSON text; name_keys: the search
                                                          keys of its name and of its mention texts
    (:Entity)-[:MENTIONED_IN {start, stop, text, sentence_start, sentence_stop}]->(:Article)
    (:Entity)-[:RELATION {id, type, role}]->(:Entity)
    (:Evidence {relation_id, article_id, start, stop, sentence, confidence})   a sentence that states a
                                                          relation, with the relation's confidence in its
                                                          article (absent for rules alone)
    (:MergeLog {entity_id, article_id, key, alias, rule})   why an alias is in the entity (Entity.merged_by)
    (:Said {entity_id, article_id, key, name, kind, facts}) what an article said of a node: the name, kind
                                                          and facts (JSON) its extraction gave
    (:Decision {seq, action, node, other, alias, name})     an analyst's merge or split (graph.store.place)

An entity's name, kind and facts are set from all of its :Said statements (graph.store.summary)
whenever one comes or goes, as in the embedded store: they do not depend on the order articles came in.
A mention keeps the key resolution gave it (MENTIONED_IN.key), so that a new decision can place
the articles it touches again. A relation's confidence is the highest of its evidence's, computed
when read (`max(v.confidence)`, which skips absent ones), as in the embedded store; evidence
written before confidences were kept simply has none.

The rules are the embedded store's: one `write(batch)` is one transaction (retried by the
driver on transient errors); articles are keyed by id and content hash, so the same article
twice changes nothing and a changed one replaces its mentions and evidence; an entity lives
while it is mentioned, a relation while it has evidence and both its ends live. Writes are
`UNWIND $rows ... MERGE`; relations `UNWIND ... CREATE` of the ids not stored yet. Search asks the full-text index `entity_names` for candidates and
leaves matching and ranking to graph.store, like the embedded store. Every driver error
becomes a StoreError naming the URL (never the password) and the cause.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any, TypeVar

import networkx as nx
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from .model import ENTITY_TYPES, RELATION_TYPES, Decision, EntityCard, EntityHit, Extraction, MentionRef
from .store import (Decisions, Neo4jTarget, Project, StoreError, WriteReport, assemble_card, assemble_projects,
                    assemble_snapshot, bounded, confidence_problem, extraction_of, has_word_prefix, matches,
                    merge_decision, new_decisions, place, query_terms, rank_hits, relation_rows, said_rows,
                    split_decision, statements_of, summary)
from .text import name_key

# The driver logs what it also raises; without a handler Python would print it on stderr.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

T = TypeVar("T")
Rows = list[dict[str, Any]]

ARTICLE_FIELDS = ("id", "source", "doc", "title", "url", "date")
EXTRACTION_PAGE = 200  # articles read per query while copying a graph out

SCHEMA = {  # name: the statement that creates it
    "article_id": "CREATE CONSTRAINT article_id IF NOT EXISTS FOR (a:Article) REQUIRE a.id IS UNIQUE",
    "entity_id": "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE",
    # an index, not a uniqueness constraint: MERGE between two known entities keeps ids unique,
    # and checking the constraint cost a third of the write time (bench/neo4j_load.py)
    "relation_id_index": "CREATE INDEX relation_id_index IF NOT EXISTS FOR ()-[r:RELATION]-() ON (r.id)",
    "evidence_key": "CREATE CONSTRAINT evidence_key IF NOT EXISTS FOR (v:Evidence) "
                    "REQUIRE (v.relation_id, v.article_id, v.start, v.stop) IS UNIQUE",
    "article_source": "CREATE INDEX article_source IF NOT EXISTS FOR (a:Article) ON (a.source)",
    "entity_type": "CREATE INDEX entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type)",
    "evidence_article": "CREATE INDEX evidence_article IF NOT EXISTS FOR (v:Evidence) ON (v.article_id)",
    "evidence_relation": "CREATE INDEX evidence_relation IF NOT EXISTS FOR (v:Evidence) ON (v.relation_id)",
    "merge_log_article": "CREATE INDEX merge_log_article IF NOT EXISTS FOR (l:MergeLog) ON (l.article_id)",
    "merge_log_entity": "CREATE INDEX merge_log_entity IF NOT EXISTS FOR (l:MergeLog) ON (l.entity_id)",
    "said_article": "CREATE INDEX said_article IF NOT EXISTS FOR (s:Said) ON (s.article_id)",
    "said_entity": "CREATE INDEX said_entity IF NOT EXISTS FOR (s:Said) ON (s.entity_id)",
    "decision_seq": "CREATE CONSTRAINT decision_seq IF NOT EXISTS FOR (d:Decision) REQUIRE d.seq IS UNIQUE",
    # name keys are lower-case lemmas split by spaces: whitespace tokens, prefix queries
    "entity_names": "CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (e:Entity) ON EACH [e.name_keys] "
                    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
}
# indexes no query uses, dropped where an older version made them: every relationship written
# updates each relationship property index (relation_type cost a third of relation writes)
OBSOLETE = {"relation_type": "DROP INDEX relation_type IF EXISTS"}
SCHEMA_NAMES = ("SHOW CONSTRAINTS YIELD name", "SHOW INDEXES YIELD name")

# --- writing ------------------------------------------------------------------------------

ARTICLE_HASHES = "UNWIND $ids AS id MATCH (a:Article {id: id}) RETURN a.id AS id, a.hash AS hash"
MERGE_ARTICLES = "UNWIND $rows AS row MERGE (a:Article {id: row.id}) SET a += row"
MERGE_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Entity {id: row.id}) ON CREATE SET e.type = row.type, e.name = row.name, e.kind = row.kind, e.facts = row.facts"""
CREATE_SAID = """
UNWIND $rows AS row
CREATE (:Said {entity_id: row.entity, article_id: row.article, key: row.key, name: row.name, kind: row.kind,
               facts: row.facts})"""
STATEMENTS_OF = """
UNWIND $ids AS id MATCH (s:Said {entity_id: id}) MATCH (a:Article {id: s.article_id})
RETURN s.entity_id AS entity, s.article_id AS article, a.date AS date, s.name AS name, s.kind AS kind,
       s.facts AS facts"""
SET_SUMMARY = "UNWIND $rows AS row MATCH (e:Entity {id: row.id}) SET e.name = row.name, e.kind = row.kind, " \
              "e.facts = row.facts"
MERGE_MENTIONS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity}), (a:Article {id: row.article})
MERGE (e)-[m:MENTIONED_IN {start: row.start, stop: row.stop}]->(a)
ON CREATE SET m.text = row.text, m.sentence_start = row.sentence_start, m.sentence_stop = row.sentence_stop,
              m.key = row.key"""
# CREATE, not MERGE: MERGE locks both ends of every row and checks their relationships. Each entity
# is looked up once ($ids; a row [source, target, id, type, role] gives its ends as positions in
# $ids), and a seek in relation_id_index finds the relations already stored (the rows are distinct,
# see write_relations). The seek is a hint: planned from the statistics alone, the check sometimes
# became a scan of the whole index for every row, each write slower the more relations were stored.
CREATE_RELATIONS = """
WITH [x IN COLLECT { UNWIND $ids AS id OPTIONAL MATCH (e:Entity {id: id}) RETURN [e] AS x } | x[0]] AS nodes
UNWIND $rows AS row
WITH nodes[row[0]] AS s, nodes[row[1]] AS t, row[2] AS rid, row[3] AS type, row[4] AS role
WHERE s IS NOT NULL AND t IS NOT NULL
  AND NOT EXISTS { MATCH ()-[r:RELATION {id: rid}]->() USING INDEX SEEK r:RELATION(id) }
CREATE (s)-[:RELATION {id: rid, type: type, role: role}]->(t)"""
MERGE_EVIDENCE = """
UNWIND $rows AS row
MERGE (v:Evidence {relation_id: row.relation, article_id: row.article, start: row.start, stop: row.stop})
ON CREATE SET v.sentence = row.sentence, v.confidence = row.confidence"""
CREATE_LOG = """
UNWIND $rows AS row
CREATE (:MergeLog {entity_id: row.entity, article_id: row.article, key: row.key, alias: row.alias, rule: row.rule})"""
DECISIONS = """
MATCH (d:Decision) RETURN d.action AS action, d.node AS node, d.other AS other, d.alias AS alias, d.name AS name
ORDER BY d.seq"""
CREATE_DECISIONS = """
OPTIONAL MATCH (d:Decision) WITH coalesce(max(d.seq), 0) AS last
UNWIND range(0, size($rows) - 1) AS i
CREATE (:Decision {seq: last + i + 1, action: $rows[i].action, node: $rows[i].node, other: $rows[i].other,
                   alias: $rows[i].alias, name: $rows[i].name})"""
ARTICLES_TOUCHING = """
UNWIND $ids AS id
MATCH (:Entity {id: id})-[:MENTIONED_IN]->(a:Article) RETURN a.id AS id
UNION
UNWIND $ids AS id
MATCH (:Entity {id: id})-[r:RELATION]-() MATCH (v:Evidence {relation_id: r.id}) RETURN v.article_id AS id"""
NODE_IDS = "MATCH (e:Entity) RETURN e.id AS id"

ENTITIES_OF_ARTICLES = """
UNWIND $ids AS id MATCH (e:Entity)-[:MENTIONED_IN]->(:Article {id: id}) RETURN DISTINCT e.id AS id"""
DELETE_ARTICLES = "UNWIND $ids AS id MATCH (a:Article {id: id}) DETACH DELETE a"
DELETE_ARTICLE_LOG = "UNWIND $ids AS id MATCH (l:MergeLog {article_id: id}) DELETE l"
DELETE_ENTITY_LOG = "UNWIND $ids AS id MATCH (l:MergeLog {entity_id: id}) DELETE l"
DELETE_ARTICLE_SAID = """
UNWIND $ids AS id MATCH (s:Said {article_id: id}) WITH s, s.entity_id AS entity DELETE s RETURN DISTINCT entity"""
DELETE_ENTITY_SAID = "UNWIND $ids AS id MATCH (s:Said {entity_id: id}) DELETE s"
DELETE_ARTICLE_EVIDENCE = """
UNWIND $ids AS id MATCH (v:Evidence {article_id: id})
WITH v, v.relation_id AS relation DELETE v RETURN DISTINCT relation"""
DROP_UNMENTIONED_ENTITIES = """
UNWIND $ids AS id
MATCH (e:Entity {id: id}) WHERE NOT (e)-[:MENTIONED_IN]->()
OPTIONAL MATCH (e)-[r:RELATION]-()
WITH e, e.id AS id, collect(r.id) AS relations
DETACH DELETE e
RETURN id, relations"""
DELETE_RELATION_EVIDENCE = "UNWIND $ids AS id MATCH (v:Evidence {relation_id: id}) DELETE v"
DROP_RELATIONS_WITHOUT_EVIDENCE = """
UNWIND $ids AS id
MATCH ()-[r:RELATION {id: id}]->() USING INDEX SEEK r:RELATION(id)
WHERE NOT EXISTS { MATCH (:Evidence {relation_id: id}) }
DELETE r"""
ENTITY_ALIASES = """
UNWIND $ids AS id MATCH (e:Entity {id: id})
OPTIONAL MATCH (e)-[m:MENTIONED_IN]->()
RETURN e.id AS id, e.name AS name, collect(DISTINCT m.text) AS texts"""
SET_NAME_KEYS = "UNWIND $rows AS row MATCH (e:Entity {id: row.id}) SET e.name_keys = row.keys"

# --- reading ------------------------------------------------------------------------------

ARTICLE_COLUMNS = ", ".join(f"a.{f} AS {f}" for f in ARTICLE_FIELDS)
ARTICLE = "MATCH (a:Article {id: $id}) RETURN a {.*} AS article"
ARTICLES = f"MATCH (a:Article) RETURN {ARTICLE_COLUMNS} ORDER BY a.date DESC, a.id"
ARTICLES_BY_ID = f"MATCH (a:Article) RETURN {ARTICLE_COLUMNS} ORDER BY a.id"
ARTICLES_FROM_SOURCE = "MATCH (a:Article {source: $source}) RETURN a.id AS id, a.doc AS doc ORDER BY a.id"
ARTICLE_HASH = "MATCH (a:Article {id: $id}) RETURN a.hash AS hash"
COUNT_ARTICLES = "MATCH (a:Article) RETURN count(a) AS n"
COUNT_MENTIONS = "MATCH ()-[m:MENTIONED_IN]->() RETURN count(m) AS n"
COUNT_ENTITIES = "MATCH (e:Entity) RETURN e.type AS type, count(*) AS n"
COUNT_RELATIONS = "MATCH ()-[r:RELATION]->() RETURN r.type AS type, count(*) AS n"
SEARCH = """
CALL db.index.fulltext.queryNodes('entity_names', $query) YIELD node
RETURN node.id AS id, node.type AS type, node.name AS name, node.kind AS kind, node.name_keys AS keys,
       COUNT { (node)-[:MENTIONED_IN]->() } AS mentions"""
ENTITY_ROWS = """
UNWIND $ids AS id MATCH (e:Entity {id: id})
RETURN e.id AS id, e.type AS type, e.name AS name, e.kind AS kind, e.facts AS facts,
       COUNT { (e)-[:MENTIONED_IN]->() } AS mentions"""
EDGES_OF = """
UNWIND $ids AS id
MATCH (:Entity {id: id})-[r:RELATION]-()
WITH DISTINCT r
MATCH (v:Evidence {relation_id: r.id})
WITH r, count(DISTINCT v.article_id) AS weight, count(v) AS evidence_count, max(v.confidence) AS confidence
RETURN r.id AS id, r.type AS type, startNode(r).id AS source, endNode(r).id AS target, r.role AS role,
       weight, evidence_count, confidence
ORDER BY id"""
MENTIONS_OF = """
MATCH (:Entity {id: $id})-[m:MENTIONED_IN]->(a:Article)
RETURN a.id AS article, a.text AS text, a.title AS title, a.url AS url, a.date AS date,
       collect(m {.start, .stop, .text, .sentence_start, .sentence_stop, .key}) AS mentions"""
LOG_OF = "MATCH (l:MergeLog {entity_id: $id}) RETURN l.article_id AS article, l.alias AS alias, l.rule AS rule"
ALL_MENTIONS = """
MATCH (e:Entity)-[m:MENTIONED_IN]->(a:Article)
RETURN e.id AS entity, a.id AS article, m.start AS start, m.stop AS stop, m.text AS text
ORDER BY article, start, stop"""
ALL_ENTITIES = "MATCH (e:Entity) RETURN e.id AS id, e.type AS type, e.name AS name, e.kind AS kind, " \
               "e.facts AS facts ORDER BY id"
ALL_EVIDENCE = """
MATCH (v:Evidence)
RETURN v.relation_id AS relation, v.article_id AS article, v.start AS start, v.stop AS stop,
       v.sentence AS sentence, v.confidence AS confidence
ORDER BY article, start, stop"""
ALL_RELATIONS = """
MATCH (s:Entity)-[r:RELATION]->(t:Entity)
RETURN r.id AS id, r.type AS type, s.id AS source, t.id AS target, r.role AS role ORDER BY id"""
ARTICLE_IDS = "MATCH (a:Article) RETURN a.id AS id ORDER BY id"
ARTICLES_WITH_TEXT = "UNWIND $ids AS id MATCH (a:Article {id: id}) RETURN a {.*} AS article"
MENTIONS_IN = """
UNWIND $ids AS id MATCH (e:Entity)-[m:MENTIONED_IN]->(:Article {id: id})
RETURN id AS article, e.id AS entity, m.key AS key, m.start AS start, m.stop AS stop, m.text AS text,
       m.sentence_start AS sentence_start, m.sentence_stop AS sentence_stop"""
SAID_IN = """
UNWIND $ids AS id MATCH (s:Said {article_id: id})
RETURN id AS article, s.entity_id AS entity, s.key AS key, s.name AS name, s.kind AS kind, s.facts AS facts"""
LOG_IN = """
UNWIND $ids AS id MATCH (l:MergeLog {article_id: id})
RETURN id AS article, l.key AS key, l.alias AS alias, l.rule AS rule"""
EVIDENCE_IN = """
UNWIND $ids AS id MATCH (v:Evidence {article_id: id})
MATCH (s:Entity)-[r:RELATION {id: v.relation_id}]->(t:Entity)
RETURN id AS article, r.id AS relation, r.type AS type, s.id AS source, t.id AS target, r.role AS role,
       v.start AS start, v.stop AS stop, v.sentence AS sentence, v.confidence AS confidence"""

# what Store.projects() reads (graph.store.assemble_projects says what each gives), each as one
# list in one record: the driver reads that several times faster than a record per row
PROJECTS = "MATCH (p:Entity {type: 'PROJECT'}) RETURN collect([p.id, p.name, p.kind, p.facts])"
ENTITY_NAMES = "MATCH (e:Entity) RETURN collect([e.id, e.type, e.name])"
PROJECT_RELATIONS = """
MATCH (s:Entity)-[r:RELATION]->(t:Entity)
WHERE s.type = 'PROJECT' OR t.type = 'PROJECT' OR (r.type = 'WORKS_AT' AND s.type = 'PERSON')
   OR (r.type IN ['LOCATED_IN', 'PART_OF'] AND s.type = 'LOC' AND t.type = 'LOC')
RETURN collect([r.id, r.type, r.role, s.id, t.id])"""
EVIDENCE_SUMMARY = """
MATCH (v:Evidence) WITH v.relation_id AS relation, count(*) AS n, max(v.confidence) AS c
WHERE n > 1 OR c IS NOT NULL RETURN collect([relation, n, c])"""


def rows(tx: ManagedTransaction, query: str, /, **params: Any) -> Rows:
    return tx.run(query, params).data()


def lucene_prefix(term: str) -> str:
    """A Lucene prefix query for one search term, its special characters escaped."""
    return re.sub(r"([^\w])", r"\\\1", term) + "*"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def innermost(err: BaseException) -> str:
    """The message of the deepest cause (e.g. "Connection refused" under "Unable to retrieve routing")."""
    seen, message = set(), str(err)
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, BaseExceptionGroup):  # e.g. one failure per routing address: the first
            err = err.exceptions[0]
            continue
        message = str(err) or message
        err = err.__cause__ or err.__context__
    return message


def article_row(props: dict[str, Any]) -> dict[str, Any]:
    """An article's properties in the embedded store's column order."""
    return {f: props.get(f) for f in (*ARTICLE_FIELDS, "text", "hash")}


class Neo4jStore:
    """The Store protocol on a Neo4j server; `open_store("neo4j://...")` makes one."""

    def __init__(self, target: Neo4jTarget) -> None:
        self.target = target
        self.url = target.url
        self.database = target.database
        auth = (target.user, target.password) if target.password else None
        try:
            self.driver = GraphDatabase.driver(
                target.uri, auth=auth, user_agent="investgraph", connection_timeout=10,
                max_transaction_retry_time=15, notifications_min_severity="OFF")
        except (DriverError, ValueError) as err:
            raise StoreError(f"{self.url}: cannot open the Neo4j store ({one_line(err)})") from err
        try:
            self.driver.verify_connectivity()
            self._ensure_schema()
        except (Neo4jError, DriverError) as err:
            self.driver.close()
            raise self._error("cannot open the Neo4j store", err) from err

    def close(self) -> None:
        self.driver.close()

    # --- plumbing ---------------------------------------------------------------------------

    def _error(self, action: str, err: Exception) -> StoreError:
        """One line: the URL, what failed and why; the password never appears."""
        if isinstance(err, AuthError):
            how = "the password comes from NEO4J_PASSWORD" if self.target.password else "NEO4J_PASSWORD is not set"
            cause = f"authentication failed for user '{self.target.user}': wrong user or password ({how})"
        elif isinstance(err, Neo4jError) and err.code == "Neo.ClientError.Database.DatabaseNotFound":
            cause = f"database '{self.database}' does not exist"
        elif isinstance(err, (ServiceUnavailable, SessionExpired)):
            cause = f"the server is unreachable ({innermost(err)})"
        elif isinstance(err, Neo4jError):
            cause = f"{err.message} ({err.code})"
        else:
            cause = innermost(err)
        message = one_line(f"{self.url}: {action}: {cause}")
        if self.target.password:
            message = message.replace(self.target.password, "***")
        return StoreError(message)

    def _ensure_schema(self) -> None:
        """Create the constraints and indexes a database lacks, and wait until they are online."""
        with self.driver.session(database=self.database) as session:
            present = {r["name"] for query in SCHEMA_NAMES for r in session.run(query)}
            for name in present & set(OBSOLETE):
                session.run(OBSOLETE[name]).consume()
            missing = [statement for name, statement in SCHEMA.items() if name not in present]
            for statement in missing:
                session.run(statement).consume()
            if missing:
                session.run("CALL db.awaitIndexes(300)").consume()

    def _read(self, work: Callable[[ManagedTransaction], T]) -> T:
        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_read(work)
        except (Neo4jError, DriverError) as err:
            raise self._error("reading failed", err) from err

    def _write(self, work: Callable[[ManagedTransaction], T], action: str) -> T:
        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(work)
        except (Neo4jError, DriverError) as err:
            raise self._error(action, err) from err

    def _rows(self, query: str, /, **params: Any) -> Rows:
        return self._read(lambda tx: rows(tx, query, **params))

    # --- writing ----------------------------------------------------------------------------

    def article_hash(self, article_id: str) -> str | None:
        found = self._rows(ARTICLE_HASH, id=article_id)
        return found[0]["hash"] if found else None

    def articles_from_source(self, source: str) -> list[dict]:
        return self._rows(ARTICLES_FROM_SOURCE, source=source)

    def write(self, batch: list[Extraction]) -> WriteReport:
        """Write a batch of extractions in one transaction; idempotent per article."""
        batch = bounded(batch)
        if problem := confidence_problem(batch):
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, none of them was "
                             f"stored ({problem})")
        return self._write(lambda tx: write_batch(tx, batch),
                           f"writing a batch of {len(batch)} articles failed, none of them was stored")

    def remove_article(self, article_id: str) -> None:
        def work(tx: ManagedTransaction) -> None:
            settle(tx, *delete_articles(tx, [article_id]))
        self._write(work, f"removing article {article_id} failed")

    # --- the analyst's decisions ------------------------------------------------------------

    def decisions(self) -> list[Decision]:
        return self._read(decisions_in)

    def merge(self, into: str, other: str) -> Decision:
        """Merge node `other` into node `into`, now and in every later write."""
        decision = merge_decision(self.entity(into), self.entity(other), into, other)
        self.record([decision])
        return decision

    def split(self, node: str, alias: str) -> Decision:
        """Move the mentions of `node` named `alias`, and the relations they carry, to a new node."""
        taken = {r["id"] for r in self._rows(NODE_IDS)} | {d.other for d in self.decisions()}
        decision = split_decision(self.entity(node), node, alias, taken)
        self.record([decision])
        return decision

    def record(self, decisions: list[Decision]) -> list[Decision]:
        """Keep the decisions not kept yet and place the articles they touch again, in one
        transaction; return the new ones."""
        return self._write(lambda tx: record_decisions(tx, decisions),
                           f"recording {len(decisions)} decisions failed, none was kept")

    # --- reading ----------------------------------------------------------------------------

    def articles(self, limit: int | None = None) -> list[dict]:
        if limit:
            return self._rows(ARTICLES + " LIMIT $limit", limit=int(limit))
        return self._rows(ARTICLES)

    def article(self, article_id: str) -> dict | None:
        found = self._rows(ARTICLE, id=article_id)
        return article_row(found[0]["article"]) if found else None

    def stats(self) -> dict:
        def work(tx: ManagedTransaction) -> dict:
            entities = Counter({t: 0 for t in ENTITY_TYPES})
            entities.update({r["type"]: r["n"] for r in rows(tx, COUNT_ENTITIES)})
            relations = Counter({t: 0 for t in RELATION_TYPES})
            relations.update({r["type"]: r["n"] for r in rows(tx, COUNT_RELATIONS)})
            return {
                "articles": rows(tx, COUNT_ARTICLES)[0]["n"],
                "mentions": rows(tx, COUNT_MENTIONS)[0]["n"],
                "entities": dict(entities), "entities_total": sum(entities.values()),
                "relations": dict(relations), "relations_total": sum(relations.values()),
            }
        return self._read(work)

    def search(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]:
        terms = query_terms(text)
        if not terms:
            return []
        candidates = []
        for r in self._rows(SEARCH, query=lucene_prefix(terms[0])):
            keys = [k for k in r["keys"] or [] if has_word_prefix(k, terms[0])]
            if not keys or not matches(terms, keys) or (types and r["type"] not in types):
                continue
            candidates.append((EntityHit(r["id"], r["type"], r["name"], r["mentions"], r["kind"]), keys))
        return rank_hits(text, candidates, limit)

    def entity(self, entity_id: str) -> EntityCard | None:
        return self._read(lambda tx: entity_card(tx, entity_id))

    def neighbourhood(self, ids: list[str], hops: int = 1, types: list[str] | None = None,
                      relations: list[str] | None = None, min_weight: int = 1) -> nx.MultiDiGraph:
        """Entities within `hops` edges of `ids`, with the edges among them that pass the filters."""
        def work(tx: ManagedTransaction) -> nx.MultiDiGraph:
            seen, frontier = set(ids), set(ids)
            edges: dict[str, dict] = {}
            for _ in range(hops):
                if not frontier:
                    break
                nxt = set()
                for r in rows(tx, EDGES_OF, ids=sorted(frontier)):
                    if (relations and r["type"] not in relations) or r["weight"] < min_weight:
                        continue
                    edges[r["id"]] = r
                    nxt |= {r["source"], r["target"]} - seen
                info = entity_rows(tx, nxt)
                nxt = {i for i in nxt if not types or info[i]["type"] in types}
                seen |= nxt
                frontier = nxt
            kept = [e for e in edges.values() if e["source"] in seen and e["target"] in seen]
            return subgraph(tx, seen, kept)
        return self._read(work)

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole graph with everything export needs: aliases, mentions, evidence, articles."""
        return self._read(snapshot)

    def projects(self) -> list[Project]:
        """Every project with its places, participants (roles, key people) and evidence count: the
        projects table without the whole graph."""
        def work(tx: ManagedTransaction) -> list[Project]:
            return assemble_projects(*(tx.run(q).single()[0] for q in (PROJECTS, ENTITY_NAMES, PROJECT_RELATIONS,
                                                                       EVIDENCE_SUMMARY)))
        return self._read(work)

    def extractions(self) -> Iterator[Extraction]:
        """Every stored article, by id, as the Extraction that writes it again (for copying a graph)."""
        ids = [r["id"] for r in self._rows(ARTICLE_IDS)]
        for start in range(0, len(ids), EXTRACTION_PAGE):
            yield from self._read(lambda tx: extractions_of(tx, ids[start:start + EXTRACTION_PAGE]))


# --- one write transaction --------------------------------------------------------------------

def segments(batch: list[Extraction]) -> Iterator[list[Extraction]]:
    """Consecutive runs of the batch in which no article is written (or has evidence) twice: within
    one run the old versions can all go first and the new ones come in together, which is what
    writing them one by one would do."""
    run: list[Extraction] = []
    touched: set[str] = set()
    for ex in batch:
        if ex.article.id in touched:
            yield run
            run, touched = [], set()
        run.append(ex)
        touched |= {ex.article.id, *ex.replaces} | {ev.article for r in ex.relations for ev in r.evidence}
    if run:
        yield run


def write_batch(tx: ManagedTransaction, batch: list[Extraction]) -> WriteReport:
    report = WriteReport()
    decisions = Decisions(decisions_in(tx))
    entities: set[str] = set()
    relations: set[str] = set()
    for run in segments(batch):
        ids = [i for ex in run for i in (ex.article.id, *ex.replaces)]
        stored = {r["id"]: r["hash"] for r in rows(tx, ARTICLE_HASHES, ids=ids)}
        fresh, replaced = [], []
        for ex in run:
            old = stored.get(ex.article.id)
            if old == ex.article.content_hash:
                report.unchanged.append(ex.article.id)
                continue
            superseded = [i for i in ex.replaces if i != ex.article.id and i in stored]
            (report.replaced if old is not None or superseded else report.added).append(ex.article.id)
            replaced += superseded + ([ex.article.id] if old is not None else [])
            fresh.append(ex)
        gone_entities, gone_relations = delete_articles(tx, replaced)
        new_entities, new_relations = insert(tx, fresh, decisions)
        entities |= gone_entities | new_entities
        relations |= gone_relations | new_relations
    settle(tx, entities, relations)
    return report


def delete_articles(tx: ManagedTransaction, ids: list[str]) -> tuple[set[str], set[str]]:
    """Delete articles with their mentions and evidence; return the entities and relations touched."""
    if not ids:
        return set(), set()
    entities = {r["id"] for r in rows(tx, ENTITIES_OF_ARTICLES, ids=ids)}
    tx.run(DELETE_ARTICLES, ids=ids).consume()
    tx.run(DELETE_ARTICLE_LOG, ids=ids).consume()
    entities |= {r["entity"] for r in rows(tx, DELETE_ARTICLE_SAID, ids=ids)}
    relations = {r["relation"] for r in rows(tx, DELETE_ARTICLE_EVIDENCE, ids=ids)}
    return entities, relations


def insert(tx: ManagedTransaction, batch: list[Extraction], decisions: Decisions) -> tuple[set[str], set[str]]:
    """Write new articles with their entities, mentions, relations, evidence and merge log, each
    entity placed by the decisions; return the entities and relations written."""
    if not batch:
        return set(), set()
    placed = [place(ex, decisions) for ex in batch]
    batch = [ex for ex, _ in placed]
    articles = [{**{f: getattr(ex.article, f) for f in ("id", "source", "doc", "title", "url", "date", "text")},
                 "hash": ex.article.content_hash} for ex in batch]
    mentions = [{"article": ex.article.id, "entity": e.key, "key": origin[e.id], "start": m.start, "stop": m.stop,
                 "text": m.text, "sentence_start": m.sentence_start, "sentence_stop": m.sentence_stop}
                for ex, origin in placed for e in ex.entities for m in e.mentions]
    log = list({(e.key, ex.article.id, origin[e.id], alias): {"entity": e.key, "article": ex.article.id,
                                                              "key": origin[e.id], "alias": alias, "rule": rule}
                for ex, origin in reversed(placed) for e in reversed(ex.entities)
                for alias, rule in e.merged_by.items()}.values())
    said = [row for ex, origin in placed for row in said_rows(ex, origin)]
    relations, evidence = relation_rows(batch)
    entities = entity_rows_to_write(batch)
    for query, data in ((MERGE_ARTICLES, articles), (MERGE_ENTITIES, entities), (MERGE_MENTIONS, mentions)):
        if data:
            tx.run(query, rows=data).consume()
    write_relations(tx, relations)
    for query, data in ((MERGE_EVIDENCE, evidence), (CREATE_LOG, log), (CREATE_SAID, said)):
        if data:
            tx.run(query, rows=data).consume()
    return {e["id"] for e in entities}, {r["id"] for r in relations}


def write_relations(tx: ManagedTransaction, relations: Rows) -> None:
    """Relations {id, type, source, target, role} between stored entities, each once: the first
    row of an id, and nothing for an id already stored."""
    # in key order: the entity lookups, the checks and the index inserts go from one key to the next
    distinct = sorted({r["id"]: r for r in reversed(relations)}.values(), key=lambda r: r["id"])
    if not distinct:
        return
    ends = sorted({r["source"] for r in distinct} | {r["target"] for r in distinct})
    at = {key: i for i, key in enumerate(ends)}
    rows = [[at[r["source"]], at[r["target"]], r["id"], r["type"], r["role"]] for r in distinct]
    tx.run(CREATE_RELATIONS, ids=ends, rows=rows).consume()


def entity_rows_to_write(batch: list[Extraction]) -> Rows:
    """Each node once, for MERGE_ENTITIES to create if new: its name, kind and facts are set from
    its statements when the write settles (summarise)."""
    out: dict[str, dict] = {}
    for e in (e for ex in batch for e in ex.entities):
        out.setdefault(e.key, {"id": e.key, "type": e.type, "name": e.name, "kind": e.kind,
                               "facts": json.dumps(e.facts, ensure_ascii=False)})
    return list(out.values())


def summarise(tx: ManagedTransaction, ids: list[str]) -> None:
    """Set each node's name, kind and facts from all of its statements (graph.store.summary); a
    node without any (stored before statements were kept) stays as it is."""
    found = statements_of(rows(tx, STATEMENTS_OF, ids=ids))
    data = []
    for node, said in sorted(found.items()):
        name, kind, facts = summary(said)
        data.append({"id": node, "name": name, "kind": kind, "facts": json.dumps(facts, ensure_ascii=False)})
    if data:
        tx.run(SET_SUMMARY, rows=data).consume()


def settle(tx: ManagedTransaction, entities: set[str], relations: set[str]) -> None:
    """Drop what the write left without support, then refresh the search keys of the entities touched."""
    if not entities and not relations:
        return
    dropped = rows(tx, DROP_UNMENTIONED_ENTITIES, ids=sorted(entities))
    if dropped:
        tx.run(DELETE_ENTITY_LOG, ids=[r["id"] for r in dropped]).consume()
        tx.run(DELETE_ENTITY_SAID, ids=[r["id"] for r in dropped]).consume()
    gone = {rid for r in dropped for rid in r["relations"]}
    if gone:
        tx.run(DELETE_RELATION_EVIDENCE, ids=sorted(gone)).consume()
    if relations - gone:
        tx.run(DROP_RELATIONS_WITHOUT_EVIDENCE, ids=sorted(relations - gone)).consume()
    summarise(tx, sorted(entities - {r["id"] for r in dropped}))
    names = rows(tx, ENTITY_ALIASES, ids=sorted(entities))
    keys = [{"id": r["id"], "keys": sorted({name_key(a) for a in {r["name"], *r["texts"]}})} for r in names]
    if keys:
        tx.run(SET_NAME_KEYS, rows=keys).consume()


# --- reads that take several queries ------------------------------------------------------------

def entity_rows(tx: ManagedTransaction, ids: set[str] | list[str]) -> dict[str, dict]:
    return {r["id"]: r for r in rows(tx, ENTITY_ROWS, ids=sorted(ids))} if ids else {}


def mention_refs(tx: ManagedTransaction, entity_id: str) -> tuple[list[MentionRef], Rows]:
    """An entity's mentions, and the resolution key of each: {article, key, start, text}."""
    refs, keys = [], []
    for a in rows(tx, MENTIONS_OF, id=entity_id):
        for m in a["mentions"]:
            s0, s1 = m["sentence_start"], m["sentence_stop"]
            if s0 is None or s0 < 0:
                s0, s1 = m["start"], m["stop"]
            refs.append(MentionRef(a["article"], m["start"], m["stop"], m["text"], a["text"][s0:s1], s0,
                                   a["title"] or "", a["url"] or "", a["date"] or ""))
            keys.append({"article": a["article"], "key": m["key"], "start": m["start"], "text": m["text"]})
    return sorted(refs, key=lambda m: (m.date, m.article, m.start, m.stop)), keys


def entity_card(tx: ManagedTransaction, entity_id: str) -> EntityCard | None:
    row = entity_rows(tx, [entity_id]).get(entity_id)
    if row is None:
        return None
    edges = rows(tx, EDGES_OF, ids=[entity_id])
    others = entity_rows(tx, {r["target"] if r["source"] == entity_id else r["source"] for r in edges})
    refs, keys = mention_refs(tx, entity_id)
    return assemble_card(row, refs, edges, others, rows(tx, LOG_OF, id=entity_id), keys, decisions_in(tx),
                         rows(tx, STATEMENTS_OF, ids=[entity_id]))


def subgraph(tx: ManagedTransaction, ids: set[str], edges: Rows) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for i, r in entity_rows(tx, ids).items():
        g.add_node(i, type=r["type"], name=r["name"], kind=r["kind"] or "", mention_count=r["mentions"])
    for e in edges:
        if e["source"] in g and e["target"] in g:
            g.add_edge(e["source"], e["target"], key=e["id"], type=e["type"], role=e["role"] or "",
                       weight=e["weight"], evidence_count=e["evidence_count"], confidence=e["confidence"])
    return g


def snapshot(tx: ManagedTransaction) -> nx.MultiDiGraph:
    return assemble_snapshot(rows(tx, ARTICLES_BY_ID), rows(tx, ALL_MENTIONS), rows(tx, ALL_ENTITIES),
                             rows(tx, ALL_EVIDENCE), rows(tx, ALL_RELATIONS))


def extractions_of(tx: ManagedTransaction, ids: list[str]) -> list[Extraction]:
    articles = {r["article"]["id"]: r["article"] for r in rows(tx, ARTICLES_WITH_TEXT, ids=ids)}
    mentions, evidence, log, said = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for r in rows(tx, MENTIONS_IN, ids=ids):
        mentions[r["article"]].append(r)
    for r in rows(tx, LOG_IN, ids=ids):
        log[r["article"]].append(r)
    for r in rows(tx, SAID_IN, ids=ids):
        said[r["article"]].append(r)
    for r in rows(tx, EVIDENCE_IN, ids=ids):
        evidence[r["article"]].append(r)
    needed = {m["entity"] for ms in mentions.values() for m in ms}
    needed |= {e[k] for evs in evidence.values() for e in evs for k in ("source", "target")}
    info = entity_rows(tx, needed)
    out = []
    for article_id in ids:
        if (article := articles.get(article_id)) is None:  # removed since the listing
            continue
        ms, evs = mentions[article_id], evidence[article_id]
        own = {m["entity"] for m in ms} | {e[k] for e in evs for k in ("source", "target")}
        out.append(extraction_of(article_row(article), {i: info[i] for i in own}, ms, evs, log[article_id],
                                 said[article_id]))
    return out


# --- the analyst's decisions ------------------------------------------------------------------------

def decisions_in(tx: ManagedTransaction) -> list[Decision]:
    return [Decision(**r) for r in rows(tx, DECISIONS)]


def record_decisions(tx: ManagedTransaction, decisions: list[Decision]) -> list[Decision]:
    """Keep the decisions not kept yet, then write the articles they touch again so that the
    decisions place them."""
    new = new_decisions(decisions_in(tx), decisions)
    if not new:
        return []
    tx.run(CREATE_DECISIONS, rows=[asdict(d) for d in new]).consume()
    touched = sorted({r["id"] for r in rows(tx, ARTICLES_TOUCHING, ids=sorted({n for d in new
                                                                              for n in (d.node, d.other)}))})
    extractions = [ex for start in range(0, len(touched), EXTRACTION_PAGE)
                   for ex in extractions_of(tx, touched[start:start + EXTRACTION_PAGE])]
    gone_entities, gone_relations = delete_articles(tx, touched)
    new_entities, new_relations = insert(tx, extractions, Decisions(decisions_in(tx)))
    settle(tx, gone_entities | new_entities, gone_relations | new_relations)
    return new
