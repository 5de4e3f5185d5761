"""The embedded store: one SQLite file, no server, works right after `pip install`.

WAL journaling lets the app read while an ingest writes; each `write(batch)` is one
transaction. Articles are keyed by id and content hash, so writing the same article
twice changes nothing and a changed article replaces its old mentions and evidence.
Entities are keyed by `Entity.key` (set by ingest), relations by type+source+target+role.
A repeated mention, relation or evidence sentence is written once (the first; a repeated
evidence sentence keeps the highest confidence); a missing required value fails the batch,
which is then rolled back whole.

Each evidence row keeps the relation's confidence in its article (`evidence.confidence`, NULL
for rules alone); a relation's confidence is the highest of its evidence rows', computed when
read (graph.store.top_confidence). A store file made before confidences were kept gets the
column when opened (ADDED_COLUMNS); its relations have none until their articles are written again.

What each article said of each node (the name, kind and facts its extraction gave) is a row of
`statements`, deleted with its article; a node's name, kind and facts are set from all of its rows
(graph.store.summary) whenever one of them comes or goes, so they do not depend on the order
articles arrived in.

The analyst's merges and splits live in the table `decisions` and place every later write
(graph.store.place); each mention keeps the key resolution gave it, so that a new decision
can place the articles it touches again. `merge_log` holds, per node, article and resolution
key, the rule that put each alias into the entity (Entity.merged_by).
"""
from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from .embedded_write import Touched, delete_articles, insert_articles, prepare, settle, write_batch
from .model import ENTITY_TYPES, RELATION_TYPES, Decision, EntityCard, EntityHit, Extraction, MentionRef
from .store import (Decisions, Project, StoreError, WriteReport, assemble_card, assemble_projects, assemble_snapshot,
                    bounded, confidence_problem, extraction_of, matches, merge_decision, new_decisions,
                    query_terms, rank_hits, split_decision)

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
CREATE INDEX IF NOT EXISTS names_key ON names(key);
CREATE TABLE IF NOT EXISTS relations (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, role TEXT
);
CREATE INDEX IF NOT EXISTS relations_source ON relations(source);
CREATE INDEX IF NOT EXISTS relations_target ON relations(target);
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
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, node TEXT NOT NULL, other TEXT NOT NULL,
    alias TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (action, node, other, alias)
);
"""
# what Store.projects() reads (graph.store.assemble_projects says what each gives)
PROJECTS = "SELECT id, name, kind, facts FROM entities WHERE type = 'PROJECT'"
ENTITY_NAMES = "SELECT id, type, name FROM entities"
RELATIONS = "SELECT id, type, role, source, target FROM relations"
EVIDENCE_SUMMARY = """SELECT relation_id, COUNT(*) n, MAX(confidence) c FROM evidence GROUP BY relation_id
                      HAVING n > 1 OR c IS NOT NULL"""  # else one sentence, no confidence
# a node's statements with their articles' dates (graph.store.statements_of reads them)
STATEMENTS_OF = """SELECT s.entity_id entity, s.article_id article, a.date date, s.name, s.kind, s.facts
                   FROM statements s JOIN articles a ON a.id = s.article_id WHERE s.entity_id IN ({marks})"""
# columns added since a store file may have been made: (table, column, its definition)
ADDED_COLUMNS = (("mentions", "entity_key", "TEXT"), ("evidence", "confidence", "REAL"))


class EmbeddedStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=OFF")
            self.db.executescript(SCHEMA)
            self._add_columns()
            prepare(self.db)
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"{self.url}: cannot open the embedded store ({err})") from err

    def close(self) -> None:
        self.db.close()

    def _add_columns(self) -> None:
        """Bring a store file made by an older version up to the schema: add the columns it lacks
        (empty: NULL), keeping every row."""
        for table, column, definition in ADDED_COLUMNS:
            if column not in {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}:
                with self.db:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    # --- writing ----------------------------------------------------------------

    def article_hash(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT hash FROM articles WHERE id=?", (article_id,)).fetchone()
        return row["hash"] if row else None

    def articles_from_source(self, source: str) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT id, doc FROM articles WHERE source=? ORDER BY id", (source,))]

    def write(self, batch: list[Extraction]) -> WriteReport:
        """Write a batch of extractions in one transaction; idempotent per article. An article's old
        versions (`Extraction.replaces`) go in the same transaction: it counts as replaced. The rows
        go in with set-based statements (graph.embedded_write)."""
        batch = bounded(batch)
        if problem := confidence_problem(batch):
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, none of them was "
                             f"stored ({problem})")
        try:
            with self.db:
                return write_batch(self.db, batch, Decisions(self.decisions()))
        except sqlite3.Error as err:
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, "
                             f"none of them was stored ({err})") from err

    def _insert(self, ex: Extraction, decisions: Decisions) -> set[str]:
        """Write one article and what it states (inside a transaction); return the nodes it names."""
        touched = Touched()
        insert_articles(self.db, [ex], decisions, touched)
        return touched.entities

    def _statements(self, ids: list[str]) -> list[sqlite3.Row]:
        if not ids:
            return []
        return self.db.execute(STATEMENTS_OF.format(marks=",".join("?" * len(ids))), ids).fetchall()

    def _settle(self, touched: set[str]) -> None:
        """After articles came or went one by one: drop what lost its support anywhere in the store,
        then set the names, kinds, facts and search names of the nodes touched that remain."""
        settle(self.db, Touched.anywhere(touched), everywhere=True)

    def _delete_article(self, article_id: str) -> set[str]:
        """Delete an article with all it states (inside a transaction); return the nodes it named."""
        touched = Touched()
        delete_articles(self.db, [article_id], touched)
        return touched.entities

    def remove_article(self, article_id: str) -> None:
        with self.db:
            self._settle(self._delete_article(article_id))

    # --- reading ----------------------------------------------------------------

    def articles(self, limit: int | None = None) -> list[dict]:
        sql = "SELECT id, source, doc, title, url, date FROM articles ORDER BY date DESC, id"
        rows = self.db.execute(sql + (f" LIMIT {int(limit)}" if limit else ""))
        return [dict(r) for r in rows]

    def article(self, article_id: str) -> dict | None:
        row = self.db.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        return dict(row) if row else None

    def stats(self) -> dict:
        entities = Counter({t: 0 for t in ENTITY_TYPES})
        entities.update({r["type"]: r["n"] for r in self.db.execute(
            "SELECT type, COUNT(*) n FROM entities GROUP BY type")})
        relations = Counter({t: 0 for t in RELATION_TYPES})
        relations.update({r["type"]: r["n"] for r in self.db.execute(
            "SELECT type, COUNT(*) n FROM relations GROUP BY type")})
        return {
            "articles": self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
            "mentions": self.db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0],
            "entities": dict(entities), "entities_total": sum(entities.values()),
            "relations": dict(relations), "relations_total": sum(relations.values()),
        }

    def _mention_counts(self, ids: list[str]) -> dict[str, int]:
        marks = ",".join("?" * len(ids))
        return {r["entity_id"]: r["n"] for r in self.db.execute(
            f"SELECT entity_id, COUNT(*) n FROM mentions WHERE entity_id IN ({marks}) GROUP BY entity_id", ids)}

    def search(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]:
        terms = query_terms(text)
        if not terms:
            return []
        pattern = "% " + terms[0].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute("SELECT entity_id, key FROM names WHERE (' ' || key) LIKE ? ESCAPE '\\'",
                               (pattern,)).fetchall()
        keys: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            keys[r["entity_id"]].append(r["key"])
        ids = [i for i, ks in keys.items() if matches(terms, ks)]
        if not ids:
            return []
        counts = self._mention_counts(ids)
        marks = ",".join("?" * len(ids))
        candidates = []
        for r in self.db.execute(f"SELECT id, type, name, kind FROM entities WHERE id IN ({marks})", ids):
            if types and r["type"] not in types:
                continue
            hit = EntityHit(r["id"], r["type"], r["name"], counts.get(r["id"], 0), r["kind"])
            candidates.append((hit, keys[r["id"]]))
        return rank_hits(text, candidates, limit)

    def _edges_of(self, ids: list[str]) -> list[sqlite3.Row]:
        marks = ",".join("?" * len(ids))
        return self.db.execute(
            f"""SELECT r.id, r.type, r.source, r.target, r.role,
                       COUNT(DISTINCT e.article_id) weight, COUNT(*) evidence_count, MAX(e.confidence) confidence
                FROM relations r JOIN evidence e ON e.relation_id = r.id
                WHERE r.source IN ({marks}) OR r.target IN ({marks})
                GROUP BY r.id""", ids + ids).fetchall()

    def entity(self, entity_id: str) -> EntityCard | None:
        row = self.db.execute("SELECT * FROM entities WHERE id=?", (entity_id,)).fetchone()
        if row is None:
            return None
        edges = self._edges_of([entity_id])
        others = self._entity_rows(list({r["target"] if r["source"] == entity_id else r["source"] for r in edges}))
        log = self.db.execute("SELECT article_id article, alias, rule FROM merge_log WHERE entity_id=?", (entity_id,))
        keys = self.db.execute("SELECT article_id article, entity_key key, start, text FROM mentions "
                               "WHERE entity_id=?", (entity_id,))
        return assemble_card(row, self._mention_refs(entity_id), edges, others, log, keys, self.decisions(),
                             self._statements([entity_id]))

    def _entity_rows(self, ids: list[str]) -> dict[str, sqlite3.Row]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["id"]: r for r in self.db.execute(f"SELECT * FROM entities WHERE id IN ({marks})", ids)}

    def _mention_refs(self, entity_id: str) -> list[MentionRef]:
        refs = []
        for r in self.db.execute(
                """SELECT m.*, a.text article_text, a.title, a.url, a.date FROM mentions m
                   JOIN articles a ON a.id = m.article_id WHERE m.entity_id=?
                   ORDER BY a.date, m.article_id, m.start, m.stop""", (entity_id,)):
            s0, s1 = r["sentence_start"], r["sentence_stop"]
            if s0 is None or s0 < 0:
                s0, s1 = r["start"], r["stop"]
            refs.append(MentionRef(r["article_id"], r["start"], r["stop"], r["text"],
                                   r["article_text"][s0:s1], s0, r["title"] or "", r["url"] or "", r["date"] or ""))
        return refs

    def neighbourhood(self, ids: list[str], hops: int = 1, types: list[str] | None = None,
                      relations: list[str] | None = None, min_weight: int = 1) -> nx.MultiDiGraph:
        """Entities within `hops` edges of `ids`, with the edges among them that pass the filters."""
        seen, frontier = set(ids), set(ids)
        edges: dict[str, sqlite3.Row] = {}
        for _ in range(hops):
            if not frontier:
                break
            nxt = set()
            for r in self._edges_of(list(frontier)):
                if (relations and r["type"] not in relations) or r["weight"] < min_weight:
                    continue
                edges[r["id"]] = r
                nxt |= {r["source"], r["target"]} - seen
            info = self._entity_rows(list(nxt))
            nxt = {i for i in nxt if not types or info[i]["type"] in types}
            seen |= nxt
            frontier = nxt
        return self._graph(list(seen), [e for e in edges.values() if e["source"] in seen and e["target"] in seen])

    def _graph(self, ids: list[str], edges: list[sqlite3.Row]) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        info = self._entity_rows(ids)
        counts = self._mention_counts(ids) if ids else {}
        for i in ids:
            if (r := info.get(i)) is None:  # an id that names no entity
                continue
            g.add_node(i, type=r["type"], name=r["name"], kind=r["kind"] or "", mention_count=counts.get(i, 0))
        for e in edges:
            if e["source"] in g and e["target"] in g:
                g.add_edge(e["source"], e["target"], key=e["id"], type=e["type"], role=e["role"] or "",
                           weight=e["weight"], evidence_count=e["evidence_count"], confidence=e["confidence"])
        return g

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole graph with everything export needs: aliases, mentions, evidence, articles."""
        q = self.db.execute
        return assemble_snapshot(
            [dict(r) for r in q("SELECT id, source, doc, title, url, date FROM articles ORDER BY id")],
            q("SELECT entity_id AS entity, article_id AS article, start, stop, text FROM mentions "
              "ORDER BY article_id, start, stop"),
            q("SELECT * FROM entities ORDER BY id"),
            q("SELECT relation_id AS relation, article_id AS article, start, stop, sentence, confidence "
              "FROM evidence ORDER BY article_id, start, stop"),
            q("SELECT * FROM relations ORDER BY id"))

    def projects(self) -> list[Project]:
        """Every project with its places, participants (roles, key people) and evidence count: the
        projects table without the whole graph."""
        def q(sql: str) -> sqlite3.Cursor:
            cursor = self.db.cursor()
            cursor.row_factory = None  # plain tuples
            return cursor.execute(sql)
        return assemble_projects(q(PROJECTS), q(ENTITY_NAMES), q(RELATIONS), q(EVIDENCE_SUMMARY))

    def extractions(self) -> Iterator[Extraction]:
        """Every stored article, by id, as the Extraction that writes it again (for copying a graph)."""
        ids = [r["id"] for r in self.db.execute("SELECT id FROM articles ORDER BY id")]
        for article_id in ids:
            if (ex := self._extraction(article_id)) is not None:  # None: removed since the listing
                yield ex

    def _extraction(self, article_id: str) -> Extraction | None:
        article = self.article(article_id)
        if article is None:
            return None
        mentions = [dict(r) for r in self.db.execute(
            """SELECT entity_id entity, entity_key key, start, stop, text, sentence_start, sentence_stop
               FROM mentions WHERE article_id=?""", (article_id,))]
        evidence = [dict(r) for r in self.db.execute(
            """SELECT r.id relation, r.type, r.source, r.target, r.role, e.start, e.stop, e.sentence, e.confidence
               FROM evidence e JOIN relations r ON r.id = e.relation_id WHERE e.article_id=?""", (article_id,))]
        log = [dict(r) for r in self.db.execute(
            "SELECT entity_key key, alias, rule FROM merge_log WHERE article_id=?", (article_id,))]
        said = [dict(r) for r in self.db.execute(
            "SELECT entity_id entity, entity_key key, name, kind, facts FROM statements WHERE article_id=?",
            (article_id,))]
        ids_needed = {m["entity"] for m in mentions} | {e[k] for e in evidence for k in ("source", "target")}
        entities = {i: dict(r) for i, r in self._entity_rows(sorted(ids_needed)).items()}
        return extraction_of(article, entities, mentions, evidence, log, said)

    # --- the analyst's decisions -------------------------------------------------------

    def decisions(self) -> list[Decision]:
        return [Decision(r["action"], r["node"], r["other"], r["alias"], r["name"])
                for r in self.db.execute("SELECT * FROM decisions ORDER BY seq")]

    def merge(self, into: str, other: str) -> Decision:
        """Merge node `other` into node `into`, now and in every later write."""
        decision = merge_decision(self.entity(into), self.entity(other), into, other)
        self.record([decision])
        return decision

    def split(self, node: str, alias: str) -> Decision:
        """Move the mentions of `node` named `alias`, and the relations they carry, to a new node."""
        decision = split_decision(self.entity(node), node, alias, self._node_ids())
        self.record([decision])
        return decision

    def _node_ids(self) -> set[str]:
        return {r["id"] for r in self.db.execute("SELECT id FROM entities")} | \
            {d.other for d in self.decisions()}

    def record(self, decisions: list[Decision]) -> list[Decision]:
        """Keep the decisions not kept yet and place the articles they touch again, in one
        transaction; return the new ones."""
        try:
            with self.db:
                new = new_decisions(self.decisions(), decisions)
                if not new:
                    return []
                self.db.executemany("INSERT INTO decisions (action, node, other, alias, name) VALUES (?,?,?,?,?)",
                                    [(d.action, d.node, d.other, d.alias, d.name) for d in new])
                self._place_again(self._articles_touching({n for d in new for n in (d.node, d.other)}))
                return new
        except sqlite3.Error as err:
            raise StoreError(f"{self.url}: recording {len(decisions)} decisions failed, none was kept ({err})") from err

    def _articles_touching(self, nodes: set[str]) -> list[str]:
        marks = ",".join("?" * len(nodes))
        return [r["id"] for r in self.db.execute(
            f"""SELECT article_id id FROM mentions WHERE entity_id IN ({marks})
                UNION SELECT e.article_id FROM evidence e JOIN relations r ON r.id = e.relation_id
                WHERE r.source IN ({marks}) OR r.target IN ({marks}) ORDER BY id""", [*nodes, *nodes, *nodes])]

    def _place_again(self, article_ids: list[str]) -> None:
        """Write articles again as they are, so that the decisions place them (inside a transaction)."""
        extractions = [ex for i in article_ids if (ex := self._extraction(i)) is not None]
        decisions, touched = Decisions(self.decisions()), set()
        for ex in extractions:
            touched |= self._delete_article(ex.article.id)
        for ex in extractions:
            touched |= self._insert(ex, decisions)
        self._settle(touched)
