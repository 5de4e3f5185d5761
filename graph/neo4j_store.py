"""The Neo4j store: the Store interface and answers of graph.base, kept in a Neo4j 5 server.

What it owns is its Cypher: the schema, the queries graph.base names (QUERIES), and the write
path. The graph in Neo4j:

    (:Article {id, source, doc, title, url, date, text, hash})
    (:Entity {id, type, name, kind, facts, name_keys})    facts: JSON text; name_keys: the search
                                                          keys of its name and of its mention texts
    (:Entity)-[:MENTIONED_IN {start, stop, text, sentence_start, sentence_stop, key}]->(:Article)
    (:Entity)-[:RELATION {id, type, role, weight}]->(:Entity)   weight: the distinct articles of its
                                                          evidence, set at each write that touches it
    (:Evidence {relation_id, article_id, start, stop, sentence, confidence})   a sentence that states a
                                                          relation, with the relation's confidence in its
                                                          article (absent for rules alone)
    (:MergeLog {entity_id, article_id, key, alias, rule})   why an alias is in the entity (Entity.merged_by)
    (:Said {entity_id, article_id, key, name, kind, facts}) what an article said of a node
    (:Decision {seq, action, node, other, alias, name})     an analyst's merge or split

A transaction is retried by the driver on transient errors. Writes are `UNWIND $rows ... MERGE`;
relations `UNWIND ... CREATE` of the ids not stored yet. Search asks the full-text index
`entity_names` for candidates. Every driver error becomes a StoreError naming the URL (never the
password) and the cause.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from .assemble import relation_rows
from .base import Backend, GraphStore, Touched, decisions_in, sort_out
from .bounds import bounded
from .confidence import confidence_problem
from .decisions import Decisions, assign
from .model import Decision, Extraction, WriteReport
from .search import FUZZY_CANDIDATES, lucene_fuzzy
from .statements import Counted, Statement, counted_summary, said_rows
from .store import StoreError
from .text import name_key
from .urls import Neo4jTarget

# The driver logs what it also raises; without a handler Python would print it on stderr.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

T = TypeVar("T")
Rows = list[dict[str, Any]]

SCHEMA = {  # name: the statement that creates it
    "article_id": "CREATE CONSTRAINT article_id IF NOT EXISTS FOR (a:Article) REQUIRE a.id IS UNIQUE",
    "entity_id": "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE",
    # an index, not a uniqueness constraint: MERGE between two known entities keeps ids unique,
    # and checking the constraint cost a third of the write time (bench/neo4j_load.py)
    "relation_id_index": "CREATE INDEX relation_id_index IF NOT EXISTS FOR ()-[r:RELATION]-() ON (r.id)",
    "evidence_key": "CREATE CONSTRAINT evidence_key IF NOT EXISTS FOR (v:Evidence) "
                    "REQUIRE (v.relation_id, v.article_id, v.start, v.stop) IS UNIQUE",
    "article_source": "CREATE INDEX article_source IF NOT EXISTS FOR (a:Article) ON (a.source)",
    "article_date": "CREATE INDEX article_date IF NOT EXISTS FOR (a:Article) ON (a.date)",  # the first and last
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
OPTIONAL MATCH (old:Entity {id: row.id})
WITH row, old IS NULL AS fresh
MERGE (e:Entity {id: row.id})
ON CREATE SET e.type = row.type, e.name = row.name, e.kind = row.kind, e.facts = row.facts
WITH row.type AS type, fresh WHERE fresh
RETURN type, count(*) AS n"""
CREATE_SAID = """
UNWIND $rows AS row
CREATE (:Said {entity_id: row.entity, article_id: row.article, key: row.key, name: row.name, kind: row.kind,
               facts: row.facts})"""
SET_SUMMARY = "UNWIND $rows AS row MATCH (e:Entity {id: row.id}) SET e.name = row.name, e.kind = row.kind, " \
              "e.facts = row.facts"
# what settling reads of each node touched: as it is, how many statements give each name and kind
# (counted in the server, so that a node named in thousands of articles sends a few rows), and its
# statements that give facts
ENTITY_STATE = """
UNWIND $ids AS id MATCH (e:Entity {id: id})
RETURN e.id AS id, e.name AS name, e.kind AS kind, e.facts AS facts, e.name_keys AS keys"""
SAID_COUNTS = """
UNWIND $ids AS id MATCH (s:Said {entity_id: id})
RETURN id, s.name AS name, coalesce(s.kind, '') AS kind, count(*) AS n"""
SAID_FACTS = """
UNWIND $ids AS id MATCH (s:Said {entity_id: id}) WHERE s.facts <> '{}'
MATCH (a:Article {id: s.article_id})
RETURN id, s.article_id AS article, a.date AS date, s.facts AS facts"""
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
CREATE (s)-[:RELATION {id: rid, type: type, role: role}]->(t)
RETURN type, count(*) AS n"""
MERGE_EVIDENCE = """
UNWIND $rows AS row
MERGE (v:Evidence {relation_id: row.relation, article_id: row.article, start: row.start, stop: row.stop})
ON CREATE SET v.sentence = row.sentence, v.confidence = row.confidence"""
CREATE_LOG = """
UNWIND $rows AS row
CREATE (:MergeLog {entity_id: row.entity, article_id: row.article, key: row.key, alias: row.alias, rule: row.rule})"""
CREATE_DECISIONS = """
OPTIONAL MATCH (d:Decision) WITH coalesce(max(d.seq), 0) AS last
UNWIND range(0, size($rows) - 1) AS i
CREATE (:Decision {seq: last + i + 1, action: $rows[i].action, node: $rows[i].node, other: $rows[i].other,
                   alias: $rows[i].alias, name: $rows[i].name})"""
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
WITH e, e.id AS id, e.type AS type, collect([r.id, r.type]) AS relations
DETACH DELETE e
RETURN id, type, relations"""
DELETE_RELATION_EVIDENCE = "UNWIND $ids AS id MATCH (v:Evidence {relation_id: id}) DELETE v"
DROP_RELATIONS_WITHOUT_EVIDENCE = """
UNWIND $ids AS id
MATCH ()-[r:RELATION {id: id}]->() USING INDEX SEEK r:RELATION(id)
WHERE NOT EXISTS { MATCH (:Evidence {relation_id: id}) }
WITH r, r.type AS type DELETE r
RETURN type, count(*) AS n"""
SET_RELATION_WEIGHTS = """
UNWIND $ids AS id
MATCH ()-[r:RELATION {id: id}]->() USING INDEX SEEK r:RELATION(id)
SET r.weight = COUNT { MATCH (v:Evidence {relation_id: id}) RETURN DISTINCT v.article_id }"""
# The number of entities and of relations of each type (Store.stats), kept at each write in one
# node (its properties entity_<TYPE>, relation_<TYPE>): counting a million relationships by their
# type property took seconds. A database without that node (new, or written by an older version)
# gets it, counted, at its next write (COUNTED_NOW); until then stats counts.
COUNTS_MARK = "InvestGraphCounts"
READ_COUNTS = f"MATCH (c:{COUNTS_MARK}) RETURN properties(c) AS counts"
COUNT_NOW = ("MATCH (e:Entity) RETURN 'entity_' + e.type AS key, count(*) AS n",
             "MATCH ()-[r:RELATION]->() RETURN 'relation_' + r.type AS key, count(*) AS n")
CREATE_COUNTS = f"CREATE (c:{COUNTS_MARK}) SET c = $counts"
COUNT_KEY = re.compile(r"(entity|relation)_[A-Z][A-Z_]*")  # what may be written into a query as a property
KEPT_COUNTS = {"count_entities": "entity_", "count_relations": "relation_"}  # the queries they answer
# A database written before relations kept their weight gets them when opened, once: the marker
# node (the counts' node) says it has them; a database without relations needs none.
WEIGHTS_MARK = COUNTS_MARK
WEIGHTS_KEPT = f"RETURN EXISTS {{ MATCH (:{WEIGHTS_MARK}) }} OR NOT EXISTS {{ MATCH ()-[:RELATION]->() }} AS kept"
BACKFILL_WEIGHTS = """
MATCH ()-[r:RELATION]->() WHERE r.weight IS NULL
CALL { WITH r SET r.weight = COUNT { MATCH (v:Evidence {relation_id: r.id}) RETURN DISTINCT v.article_id }
} IN TRANSACTIONS OF 10000 ROWS"""

ENTITY_ALIASES = """
UNWIND $ids AS id MATCH (e:Entity {id: id})
OPTIONAL MATCH (e)-[m:MENTIONED_IN]->()
RETURN e.id AS id, e.name AS name, collect(DISTINCT m.text) AS texts"""
SET_NAME_KEYS = "UNWIND $rows AS row MATCH (e:Entity {id: row.id}) SET e.name_keys = row.keys"

# --- reading: graph.base.QUERIES says what each answers ---------------------------------------

ARTICLE_FILTERS = """($date_from IS NULL OR coalesce(a.date, '') = '' OR a.date >= $date_from)
    AND ($date_to IS NULL OR coalesce(a.date, '') = '' OR a.date <= $date_to)
    AND ($sources IS NULL OR a.source IN $sources)
    AND ($title IS NULL OR toLower(coalesce(a.title, '')) CONTAINS $title)"""
ARTICLE_COLUMNS = "a.id AS id, a.source AS source, a.doc AS doc, a.title AS title, a.url AS url, a.date AS date"
# The tail of a query that has matched relations r: each once, with its weight (distinct articles of
# its evidence), evidence count and best confidence, in id order (Store.edges_at, Store.edges_between).
WEIGHED_EDGES = """
        WITH DISTINCT r
        MATCH (v:Evidence {relation_id: r.id})
        WITH r, count(DISTINCT v.article_id) AS weight, count(v) AS evidence_count, max(v.confidence) AS confidence
        RETURN r.id AS id, r.type AS type, startNode(r).id AS source, endNode(r).id AS target, r.role AS role,
               weight, evidence_count, confidence
        ORDER BY id"""

QUERIES = {
    "article_hash": "MATCH (a:Article {id: $id}) RETURN a.hash AS hash",
    "articles": f"MATCH (a:Article) RETURN {ARTICLE_COLUMNS} ORDER BY a.date DESC, a.id "
                "LIMIT coalesce($limit, 9223372036854775807)",
    "articles_from_source": "MATCH (a:Article {source: $source}) RETURN a.id AS id, a.doc AS doc ORDER BY a.id",
    "article_ids": "MATCH (a:Article) RETURN a.id AS id ORDER BY id",
    "articles_in": f"UNWIND $ids AS id MATCH (a:Article {{id: id}}) RETURN {ARTICLE_COLUMNS}, a.text AS text, "
                   "a.hash AS hash",
    "count_articles": "MATCH (a:Article) RETURN count(a) AS n",
    "count_mentions": "MATCH ()-[m:MENTIONED_IN]->() RETURN count(m) AS n",
    "count_entities": "MATCH (e:Entity) RETURN e.type AS type, count(*) AS n",
    "count_relations": "MATCH ()-[r:RELATION]->() RETURN r.type AS type, count(*) AS n",
    "entities": """
        UNWIND $ids AS id MATCH (e:Entity {id: id})
        RETURN e.id AS id, e.type AS type, e.name AS name, e.kind AS kind, e.facts AS facts,
               COUNT { (e)-[:MENTIONED_IN]->() } AS mentions""",
    "edges_at": """
        UNWIND $ids AS id
        MATCH (:Entity {id: id})-[r:RELATION]-()""" + WEIGHED_EDGES,
    "mentions_of": """
        MATCH (:Entity {id: $id})-[m:MENTIONED_IN]->(a:Article)
        RETURN a.id AS article, a.title AS title, a.url AS url, a.date AS date, m.start AS start, m.stop AS stop,
               m.text AS text, m.sentence_start AS sentence_start, m.sentence_stop AS sentence_stop, m.key AS key""",
    "merge_log_of": "MATCH (l:MergeLog {entity_id: $id}) RETURN l.article_id AS article, l.alias AS alias, "
                    "l.rule AS rule",
    "statements_of": """
        UNWIND $ids AS id MATCH (s:Said {entity_id: id}) MATCH (a:Article {id: s.article_id})
        RETURN s.entity_id AS entity, s.article_id AS article, a.date AS date, s.name AS name, s.kind AS kind,
               s.facts AS facts""",
    "decisions": """
        MATCH (d:Decision)
        RETURN d.action AS action, d.node AS node, d.other AS other, d.alias AS alias, d.name AS name ORDER BY d.seq""",
    "node_ids": "MATCH (e:Entity) RETURN e.id AS id",
    "articles_touching": """
        UNWIND $ids AS id
        MATCH (:Entity {id: id})-[:MENTIONED_IN]->(a:Article) RETURN a.id AS id
        UNION
        UNWIND $ids AS id
        MATCH (:Entity {id: id})-[r:RELATION]-() MATCH (v:Evidence {relation_id: r.id}) RETURN v.article_id AS id""",
    "all_articles": f"MATCH (a:Article) RETURN {ARTICLE_COLUMNS} ORDER BY a.id",
    "all_mentions": """
        MATCH (e:Entity)-[m:MENTIONED_IN]->(a:Article)
        RETURN e.id AS entity, a.id AS article, m.start AS start, m.stop AS stop, m.text AS text
        ORDER BY article, start, stop""",
    "all_entities": "MATCH (e:Entity) RETURN e.id AS id, e.type AS type, e.name AS name, e.kind AS kind, "
                    "e.facts AS facts ORDER BY id",
    "all_evidence": """
        MATCH (v:Evidence)
        RETURN v.relation_id AS relation, v.article_id AS article, v.start AS start, v.stop AS stop,
               v.sentence AS sentence, v.confidence AS confidence
        ORDER BY article, start, stop""",
    "all_relations": """
        MATCH (s:Entity)-[r:RELATION]->(t:Entity)
        RETURN r.id AS id, r.type AS type, s.id AS source, t.id AS target, r.role AS role ORDER BY id""",
    "article_page": f"MATCH (a:Article) WHERE a.id > $after RETURN {ARTICLE_COLUMNS} ORDER BY a.id LIMIT $limit",
    "entity_page": "MATCH (e:Entity) WHERE e.id > $after RETURN e.id AS id, e.type AS type, e.name AS name, "
                   "e.kind AS kind, e.facts AS facts ORDER BY e.id LIMIT $limit",
    "relation_page": """
        MATCH (s:Entity)-[r:RELATION]->(t:Entity) WHERE r.id > $after
        RETURN r.id AS id, r.type AS type, s.id AS source, t.id AS target, r.role AS role ORDER BY id LIMIT $limit""",
    "mentions_of_entities": """
        UNWIND $ids AS id MATCH (e:Entity {id: id})-[m:MENTIONED_IN]->(a:Article)
        RETURN e.id AS entity, a.id AS article, m.start AS start, m.stop AS stop, m.text AS text
        ORDER BY entity, article, start, stop""",
    "relations_by_source": """
        UNWIND $ids AS id MATCH (s:Entity {id: id})-[r:RELATION]->(t:Entity)
        RETURN r.id AS id, r.type AS type, s.id AS source, t.id AS target, r.role AS role ORDER BY id""",
    "evidence_in_order": """
        UNWIND $ids AS id MATCH (v:Evidence {relation_id: id})
        RETURN v.relation_id AS relation, v.article_id AS article, v.start AS start, v.stop AS stop,
               v.sentence AS sentence, v.confidence AS confidence
        ORDER BY relation, article, start, stop""",
    "mentions_in": """
        UNWIND $ids AS id MATCH (e:Entity)-[m:MENTIONED_IN]->(:Article {id: id})
        RETURN id AS article, e.id AS entity, m.key AS key, m.start AS start, m.stop AS stop, m.text AS text,
               m.sentence_start AS sentence_start, m.sentence_stop AS sentence_stop""",
    "evidence_in": """
        UNWIND $ids AS id MATCH (v:Evidence {article_id: id})
        MATCH (s:Entity)-[r:RELATION {id: v.relation_id}]->(t:Entity)
        RETURN id AS article, r.id AS relation, r.type AS type, s.id AS source, t.id AS target, r.role AS role,
               v.start AS start, v.stop AS stop, v.sentence AS sentence, v.confidence AS confidence""",
    "log_in": """
        UNWIND $ids AS id MATCH (l:MergeLog {article_id: id})
        RETURN id AS article, l.key AS key, l.alias AS alias, l.rule AS rule""",
    "said_in": """
        UNWIND $ids AS id MATCH (s:Said {article_id: id})
        RETURN id AS article, s.entity_id AS entity, s.key AS key, s.name AS name, s.kind AS kind, s.facts AS facts""",
    "evidence_of": """
        UNWIND $ids AS id MATCH (v:Evidence {relation_id: id}) MATCH (a:Article {id: v.article_id})
        RETURN id AS relation, v.article_id AS article, v.start AS start, v.stop AS stop, v.sentence AS sentence,
               v.confidence AS confidence, a.title AS title, a.date AS date""",
    "relation_confidence": """
        UNWIND $ids AS id MATCH (v:Evidence {relation_id: id}) RETURN id, max(v.confidence) AS confidence""",
    "article_counts": """
        UNWIND $ids AS id MATCH (a:Article {id: id})
        RETURN id AS article, COUNT { MATCH (e:Entity)-[:MENTIONED_IN]->(a) RETURN DISTINCT e } AS entities,
               COUNT { MATCH (v:Evidence {article_id: id}) } AS relations""",
    "articles_page": f"""
        MATCH (a:Article) WHERE {ARTICLE_FILTERS}
        RETURN {ARTICLE_COLUMNS} ORDER BY coalesce(a.date, '') DESC, coalesce(a.title, ''), a.id
        SKIP $offset LIMIT $limit""",
    "articles_count": f"MATCH (a:Article) WHERE {ARTICLE_FILTERS} RETURN count(a) AS n",
    "article_sources": "MATCH (a:Article) WHERE a.source IS NOT NULL RETURN DISTINCT a.source AS source "
                       "ORDER BY source",
    "article_dates": """
        RETURN head(COLLECT { MATCH (a:Article) WHERE a.date > '' RETURN a.date ORDER BY a.date LIMIT 1 }) AS first,
               head(COLLECT { MATCH (a:Article) WHERE a.date > '' RETURN a.date ORDER BY a.date DESC LIMIT 1 })
               AS last""",
    "degrees": """
        UNWIND $ids AS id MATCH (e:Entity {id: id})
        CALL { WITH e MATCH (e)-[:RELATION]-(m) WITH DISTINCT m LIMIT coalesce($cap, 9223372036854775807)
               RETURN count(m) AS degree }
        WITH id, degree WHERE degree > 0 RETURN id, degree""",
    "edges_between": """
        UNWIND $ids AS id
        MATCH (:Entity {id: id})-[r:RELATION]-(o:Entity) WHERE o.id IN $others""" + WEIGHED_EDGES,
    "relation_counts": """
        UNWIND $ids AS id MATCH (e:Entity {id: id}) WITH id, COUNT { (e)-[:RELATION]-() } AS n WHERE n > 0
        RETURN id, n""",
    "heaviest_at": """
        MATCH (n:Entity {id: $id})
        CALL { WITH n MATCH (n)-[r:RELATION]-() WHERE r.weight >= $min_weight AND ($types IS NULL OR r.type IN $types)
               RETURN DISTINCT r ORDER BY r.weight DESC, r.id LIMIT $limit }
        MATCH (v:Evidence {relation_id: r.id})
        WITH r, count(v) AS evidence_count, max(v.confidence) AS confidence
        RETURN r.id AS id, r.type AS type, startNode(r).id AS source, endNode(r).id AS target, r.role AS role,
               r.weight AS weight, evidence_count, confidence ORDER BY weight DESC, id""",
    "project_page": """
        MATCH (p:Entity {type: 'PROJECT'})
        RETURN p.id AS id, p.name AS name, p.kind AS kind, p.facts AS facts ORDER BY id SKIP $offset LIMIT $limit""",
    "relations_at": """
        UNWIND $ids AS id MATCH (:Entity {id: id})-[r:RELATION]-() WITH DISTINCT r
        RETURN r.id AS id, r.type AS type, r.role AS role, startNode(r).id AS source, endNode(r).id AS target""",
    "evidence_summary_of": """
        UNWIND $ids AS id MATCH (v:Evidence {relation_id: id}) RETURN id AS relation, count(*) AS n,
        max(v.confidence) AS c""",
}
# what Store.projects() reads (graph.assemble.assemble_projects says what each gives), each as one
# list in one record: the driver reads that several times faster than a record per row
TABLES = {
    "projects": "MATCH (p:Entity {type: 'PROJECT'}) RETURN collect([p.id, p.name, p.kind, p.facts])",
    "entity_names": "MATCH (e:Entity) RETURN collect([e.id, e.type, e.name])",
    "project_relations": """
        MATCH (s:Entity)-[r:RELATION]->(t:Entity)
        WHERE s.type = 'PROJECT' OR t.type = 'PROJECT' OR (r.type = 'WORKS_AT' AND s.type = 'PERSON')
           OR (r.type IN ['LOCATED_IN', 'PART_OF'] AND s.type = 'LOC' AND t.type = 'LOC')
        RETURN collect([r.id, r.type, r.role, s.id, t.id])""",
    "evidence_summary": """
        MATCH (v:Evidence) WITH v.relation_id AS relation, count(*) AS n, max(v.confidence) AS c
        WHERE n > 1 OR c IS NOT NULL RETURN collect([relation, n, c])""",
}
NAME_KEYS = """
CALL db.index.fulltext.queryNodes('entity_names', $query) YIELD node RETURN node.id AS id, node.name_keys AS keys"""
SIMILAR_KEYS = NAME_KEYS + f" LIMIT {FUZZY_CANDIDATES}"  # the closest first (Lucene's score)
SOME_NAME_KEYS = NAME_KEYS + " LIMIT $limit"


def lucene_prefix(term: str) -> str:
    """A Lucene prefix query for one search term, its special characters escaped."""
    return re.sub(r"([^\w])", r"\\\1", term) + "*"


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def innermost(err: BaseException) -> str:
    """The message of the deepest cause (e.g. "Connection refused" under "Unable to retrieve routing")."""
    seen, message = set(), str(err)
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, BaseExceptionGroup):  # e.g. one failure per routing address: the first
            cause = cause.exceptions[0]
            continue
        message = str(cause) or message
        cause = cause.__cause__ or cause.__context__
    return message


class Neo4jStore(GraphStore):
    """The Store interface on a Neo4j server; `graph.open.open_store("neo4j://...")` makes one."""

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

    def revision(self) -> str:
        """The bookmark of a read: the last transaction committed to the database."""
        try:
            with self.driver.session(database=self.database) as session:
                session.execute_read(lambda tx: tx.run("RETURN 1").consume())
                return " ".join(sorted(session.last_bookmarks().raw_values))
        except (Neo4jError, DriverError) as err:
            raise self._error("reading failed", err) from err

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
            if not session.run(WEIGHTS_KEPT).single(strict=True)["kept"]:
                session.run(BACKFILL_WEIGHTS).consume()
                session.execute_write(lambda tx: keep_counts(tx, Counter()))

    def _session(self, work: Callable[[Neo4jTx], T], action: str, write: bool) -> T:
        try:
            with self.driver.session(database=self.database) as session:
                run = session.execute_write if write else session.execute_read
                return run(lambda tx: work(Neo4jTx(tx)))
        except (Neo4jError, DriverError) as err:
            raise self._error(action, err) from err

    def _read(self, work: Callable[[Backend], T]) -> T:
        return self._session(work, "reading failed", write=False)

    def _write(self, work: Callable[[Backend], T], action: str) -> T:
        return self._session(work, action, write=True)

    def write(self, batch: list[Extraction]) -> WriteReport:
        """Write a batch of extractions in one transaction; idempotent per article."""
        batch = bounded(batch)
        if problem := confidence_problem(batch):
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, none of them was "
                             f"stored ({problem})")
        return self._session(lambda q: q.write(batch), f"writing a batch of {len(batch)} articles failed, none of "
                                                       "them was stored", write=True)


class Neo4jTx:
    """The Neo4j store's queries and write steps inside one transaction (graph.base.Backend). The
    write steps note, for settling, the nodes whose articles went (`emptied`) and the mention texts
    written per node (`texts`): a node that only gained mentions gets their search keys added."""

    def __init__(self, tx: ManagedTransaction) -> None:
        self.tx = tx
        self.emptied: set[str] = set()
        self.texts: dict[str, set[str]] = {}
        # entities and relations made (+) and deleted (-), by type, for keep_counts: update and
        # subtract, as + and - of Counters drop what is not positive
        self.delta: Counter[str] = Counter()

    def data(self, query: str, /, **params: Any) -> Rows:
        return self.tx.run(query, params).data()

    def run(self, query: str, /, **params: Any) -> None:
        self.tx.run(query, params).consume()

    def rows(self, query: str, **params: Any) -> Rows:
        if query in KEPT_COUNTS and (kept := self.tx.run(READ_COUNTS).single()) is not None:
            prefix = KEPT_COUNTS[query]
            return [{"type": k.removeprefix(prefix), "n": n} for k, n in sorted(kept["counts"].items())
                    if k.startswith(prefix) and n]
        return self.data(QUERIES[query], **params)

    def table(self, name: str) -> Iterable[Sequence[Any]]:
        return self.tx.run(TABLES[name]).single(strict=True)[0]

    def name_keys(self, terms: list[str], limit: int) -> Iterable[tuple[str, Sequence[str]]]:
        query = " AND ".join(lucene_prefix(word) for t in terms for word in t.split())
        return [(r["id"], r["keys"] or []) for r in self.data(SOME_NAME_KEYS, query=query, limit=limit)]

    def similar_keys(self, words: list[tuple[str, ...]]) -> Iterable[tuple[str, Sequence[str]]]:
        return [(r["id"], r["keys"] or []) for r in self.data(SIMILAR_KEYS, query=lucene_fuzzy(words))]

    def add_decisions(self, decisions: list[Decision]) -> None:
        self.run(CREATE_DECISIONS, rows=[asdict(d) for d in decisions])

    def write(self, batch: list[Extraction]) -> WriteReport:
        """Write a checked batch (Neo4jStore.write), a run of it (segments) at a time, then settle."""
        report, decisions, touched = WriteReport(), Decisions(decisions_in(self)), Touched()
        for run in segments(batch):
            ids = [i for ex in run for i in (ex.article.id, *ex.replaces)]
            stored = {r["id"]: r["hash"] for r in self.data(ARTICLE_HASHES, ids=ids)}
            fresh, replaced = sort_out(run, stored, report)
            touched |= self.delete_articles(replaced)
            touched |= self.insert(fresh, decisions)
        self.settle(touched)
        return report

    def delete_articles(self, ids: list[str]) -> Touched:
        """Delete articles with their mentions, evidence, statements and merge log."""
        if not ids:
            return Touched()
        entities = {r["id"] for r in self.data(ENTITIES_OF_ARTICLES, ids=ids)}
        self.run(DELETE_ARTICLES, ids=ids)
        self.run(DELETE_ARTICLE_LOG, ids=ids)
        entities |= {r["entity"] for r in self.data(DELETE_ARTICLE_SAID, ids=ids)}
        self.emptied |= entities
        return Touched(entities, {r["relation"] for r in self.data(DELETE_ARTICLE_EVIDENCE, ids=ids)})

    def insert(self, batch: list[Extraction], decisions: Decisions) -> Touched:
        """Write new articles with their entities, mentions, relations, evidence, statements and
        merge log, each entity assigned by the decisions."""
        if not batch:
            return Touched()
        assigned = [assign(ex, decisions) for ex in batch]
        batch = [ex for ex, _ in assigned]
        articles = [{**{f: getattr(ex.article, f) for f in ("id", "source", "doc", "title", "url", "date", "text")},
                     "hash": ex.article.content_hash} for ex in batch]
        mentions = [{"article": ex.article.id, "entity": e.key, "key": origin[e.id], "start": m.start, "stop": m.stop,
                     "text": m.text, "sentence_start": m.sentence_start, "sentence_stop": m.sentence_stop}
                    for ex, origin in assigned for e in ex.entities for m in e.mentions]
        log = list({(e.key, ex.article.id, origin[e.id], alias): {"entity": e.key, "article": ex.article.id,
                                                                  "key": origin[e.id], "alias": alias, "rule": rule}
                    for ex, origin in reversed(assigned) for e in reversed(ex.entities)
                    for alias, rule in e.merged_by.items()}.values())
        said = [row for ex, origin in assigned for row in said_rows(ex, origin)]
        relations, evidence = relation_rows(batch)
        entities = entity_rows_to_write(batch)
        if articles:
            self.run(MERGE_ARTICLES, rows=articles)
        if entities:
            self.delta.update(counted(self.data(MERGE_ENTITIES, rows=entities), "entity"))
        if mentions:
            self.run(MERGE_MENTIONS, rows=mentions)
        self.delta.update(write_relations(self.tx, relations))
        for query, data in ((MERGE_EVIDENCE, evidence), (CREATE_LOG, log), (CREATE_SAID, said)):
            if data:
                self.run(query, rows=data)
        for e in (e for ex in batch for e in ex.entities):
            self.texts.setdefault(e.key, set()).update(m.text for m in e.mentions)
        return Touched({e["id"] for e in entities}, {r["id"] for r in relations})

    def settle(self, touched: Touched) -> None:
        """Drop what the write left without support, then set the names, kinds, facts and search
        keys of the entities touched that remain."""
        if not touched.entities and not touched.relations:
            return
        dropped = self.drop_unsupported(touched)
        state = {r["id"]: r for r in self.data(ENTITY_STATE, ids=sorted(touched.entities - dropped))}
        renamed = self.summarise(state)
        self.refresh_keys(state, renamed)
        keep_counts(self.tx, self.delta)
        self.delta = Counter()

    def drop_unsupported(self, touched: Touched) -> set[str]:
        """Delete the touched entities nobody mentions, with their merge log, statements and relations,
        and the touched relations left without evidence; return the entities deleted."""
        dropped = self.data(DROP_UNMENTIONED_ENTITIES, ids=sorted(touched.entities))
        if dropped:
            self.run(DELETE_ENTITY_LOG, ids=[r["id"] for r in dropped])
            self.run(DELETE_ENTITY_SAID, ids=[r["id"] for r in dropped])
        gone = {rid: kind for r in dropped for rid, kind in r["relations"] if rid is not None}
        self.delta.subtract(f"entity_{r['type']}" for r in dropped)
        self.delta.subtract(f"relation_{kind}" for kind in gone.values())
        if gone:
            self.run(DELETE_RELATION_EVIDENCE, ids=sorted(gone))
        if touched.relations - set(gone):
            without = self.data(DROP_RELATIONS_WITHOUT_EVIDENCE, ids=sorted(touched.relations - set(gone)))
            self.delta.update(counted(without, "relation", -1))
            self.run(SET_RELATION_WEIGHTS, ids=sorted(touched.relations - set(gone)))
        return {r["id"] for r in dropped}

    def summarise(self, state: dict[str, dict]) -> set[str]:
        """Set the name, kind and facts of the nodes in `state` from their statements
        (graph.statements.counted_summary) where they changed (a node without statements keeps its
        own); return the nodes whose name changed, their new names in `state`."""
        counts: dict[str, list[Counted]] = {}
        for r in self.data(SAID_COUNTS, ids=sorted(state)):
            counts.setdefault(r["id"], []).append((r["name"], r["kind"], r["n"]))
        facts: dict[str, list[Statement]] = {}
        for r in self.data(SAID_FACTS, ids=sorted(counts)):
            facts.setdefault(r["id"], []).append(Statement(r["article"], r["date"] or "", "", None,
                                                           json.loads(r["facts"])))
        rows, renamed = [], set()
        for node, counted in sorted(counts.items()):
            name, kind, current = counted_summary(counted, facts.get(node, []))
            row = {"id": node, "name": name, "kind": kind, "facts": json.dumps(current, ensure_ascii=False)}
            was = state[node]
            if (name, kind, row["facts"]) != (was["name"], was["kind"], was["facts"]):
                rows.append(row)
                if name != was["name"]:
                    renamed.add(node)
                    was["name"] = name
        if rows:
            self.run(SET_SUMMARY, rows=rows)
        return renamed

    def refresh_keys(self, state: dict[str, dict], renamed: set[str]) -> None:
        """Search keys (of a node's name and its mention texts): a node that only gained mentions
        gets theirs added; one that lost mentions, changed its name or has none yet gets them anew."""
        whole = {n for n, r in state.items() if n in self.emptied or n in renamed or r["keys"] is None
                 or n not in self.texts}
        rows = [{"id": r["id"], "keys": sorted({name_key(a) for a in {r["name"], *r["texts"]}})}
                for r in self.data(ENTITY_ALIASES, ids=sorted(whole))] if whole else []
        for node, r in state.items():
            if node not in whole and (keys := set(r["keys"]) | {name_key(t) for t in self.texts[node]}) != \
                    set(r["keys"]):
                rows.append({"id": node, "keys": sorted(keys)})
        if rows:
            self.run(SET_NAME_KEYS, rows=rows)


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


def keep_counts(tx: ManagedTransaction, delta: Counter[str]) -> None:
    """Add a write's new and deleted entities and relations (entity_<TYPE>, relation_<TYPE>) to
    the counts kept; where none are kept yet, count them all (this write's included)."""
    kept = tx.run(READ_COUNTS).single()
    changed = {k: n for k, n in delta.items() if n}
    if kept is not None and not changed:
        return
    if kept is None or not all(COUNT_KEY.fullmatch(k) for k in changed):  # a type no query may name: count
        tx.run(f"MATCH (c:{COUNTS_MARK}) DELETE c").consume()
        tx.run(CREATE_COUNTS, counts={r["key"]: r["n"] for q in COUNT_NOW for r in tx.run(q)}).consume()
        return
    # the lock first: a write waiting for another one's counts reads them after it commits
    sets = ", ".join(f"c.{k} = coalesce(c.{k}, 0) + $delta.{k}" for k in sorted(changed))
    tx.run(f"MATCH (c:{COUNTS_MARK}) SET c._lock = true SET {sets} REMOVE c._lock", delta=changed).consume()


def counted(rows: Rows, prefix: str, sign: int = 1) -> Counter[str]:
    """Rows {type, n} as signed counts keyed prefix_<type>."""
    return Counter({f"{prefix}_{r['type']}": sign * r["n"] for r in rows})


def write_relations(tx: ManagedTransaction, relations: Rows) -> Counter[str]:
    """Relations {id, type, source, target, role} between stored entities, each once: the first
    row of an id, and nothing for an id already stored; how many of each type it created."""
    # in key order: the entity lookups, the checks and the index inserts go from one key to the next
    distinct = sorted({r["id"]: r for r in reversed(relations)}.values(), key=lambda r: r["id"])
    if not distinct:
        return Counter()
    ends = sorted({r["source"] for r in distinct} | {r["target"] for r in distinct})
    at = {key: i for i, key in enumerate(ends)}
    rows = [[at[r["source"]], at[r["target"]], r["id"], r["type"], r["role"]] for r in distinct]
    return counted(tx.run(CREATE_RELATIONS, ids=ends, rows=rows).data(), "relation")


def entity_rows_to_write(batch: list[Extraction]) -> Rows:
    """Each node once, for MERGE_ENTITIES to create if new: its name, kind and facts are set from
    its statements when the write settles."""
    out: dict[str, dict] = {}
    for e in (e for ex in batch for e in ex.entities):
        out.setdefault(e.key, {"id": e.key, "type": e.type, "name": e.name, "kind": e.kind,
                               "facts": json.dumps(e.facts, ensure_ascii=False)})
    return list(out.values())
