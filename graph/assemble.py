"""Rows to answers, and extractions to rows: the shapes both stores share.

A store reads rows (mappings by column name) with its own queries; these functions make the
answers of the Store interface from them (entity cards, subgraphs, snapshots, the projects
table) and, for writing, the relation and evidence rows of a batch and the Extraction that
writes a stored article again. Both stores build them here, so both give the same answers.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import networkx as nx

from .confidence import loosest_confidence, top_confidence
from .decisions import merge_log
from .model import (
    Article,
    Decision,
    Entity,
    EntityCard,
    Evidence,
    Extraction,
    Mention,
    MentionRef,
    Neighbour,
    Participant,
    Place,
    Project,
    Relation,
    relation_key,
)
from .statements import fact_history, statements_of

Row = Mapping[str, Any]  # a row a store's query gives: column -> value


def neighbour_order(n: Neighbour) -> tuple:
    """How an entity card lists its neighbours: heaviest first, then relation, name; a total order."""
    return (-n.weight, n.relation, n.name, n.id, n.role or "", n.direction)


def mention_ref(m: Row, article_text: str) -> MentionRef:
    """A stored mention {article, title, url, date, start, stop, text, sentence_start,
    sentence_stop} with the sentence it stands in (the mention itself when none was kept)."""
    s0, s1 = m["sentence_start"], m["sentence_stop"]
    if s0 is None or s0 < 0:
        s0, s1 = m["start"], m["stop"]
    return MentionRef(m["article"], m["start"], m["stop"], m["text"], article_text[s0:s1], s0, m["title"] or "",
                      m["url"] or "", m["date"] or "")


def assemble_subgraph(nodes: Iterable[Row], edges: Iterable[Row]) -> nx.MultiDiGraph:
    """A piece of the graph from a store's rows: nodes (id, type, name, kind, mentions) and edges
    (id, type, source, target, role, weight, evidence_count, confidence); an edge whose ends are
    not both among the nodes is left out."""
    g = nx.MultiDiGraph()
    for r in nodes:
        g.add_node(r["id"], type=r["type"], name=r["name"], kind=r["kind"] or "", mention_count=r["mentions"])
    for e in edges:
        if e["source"] in g and e["target"] in g:
            g.add_edge(e["source"], e["target"], key=e["id"], type=e["type"], role=e["role"] or "",
                       weight=e["weight"], evidence_count=e["evidence_count"], confidence=e["confidence"])
    return g


def relation_rows(batch: Iterable[Extraction]) -> tuple[list[dict], list[dict]]:
    """What a batch of assigned extractions (graph.decisions.assign) writes of its relations: relation rows
    {id, type, source, target, role}, keyed by node, and evidence rows {relation, article, start,
    stop, sentence, confidence}, each once: a sentence stating a relation twice (two relations of an
    extraction that land on one) keeps its first text and the highest confidence, in any order."""
    relations: list[dict] = []
    evidence: dict[tuple, dict] = {}
    for ex in batch:
        keys = {e.id: e.key for e in ex.entities}
        for r in ex.relations:
            source, target = keys[r.source], keys[r.target]
            rid = relation_key(r.type, source, target, r.role)
            relations.append({"id": rid, "type": r.type, "source": source, "target": target, "role": r.role})
            confidence = None if r.confidence is None else float(r.confidence)
            for ev in r.evidence:
                row = evidence.setdefault((rid, ev.article, ev.start, ev.stop), {
                    "relation": rid, "article": ev.article, "start": ev.start, "stop": ev.stop,
                    "sentence": ev.sentence, "confidence": confidence})
                row["confidence"] = top_confidence((row["confidence"], confidence))
    return relations, list(evidence.values())


def extraction_of(article: Row, entities: Mapping[str, Row], mentions: Iterable[Row], evidence: Iterable[Row],
                  log: Iterable[Row] = (), said: Iterable[Row] = ()) -> Extraction:
    """Rebuild what a store holds about one article as the Extraction that would write it again.

    `article`: the stored article with its text; `entities`: node id -> {type, name, kind, facts (JSON)}
    for every node mentioned in it or at an end of one of its relations; `mentions`: {entity (the
    node), key (what resolution gave it), start, stop, text, sentence_start, sentence_stop};
    `evidence`: {relation, type, source, target, role, start, stop, sentence, confidence}; `log`: {key,
    alias, rule}; `said`: the article's statements {entity, key, name, kind, facts (JSON)} (said_rows),
    which give each entity its name, kind and facts as the article stated them (a key without one
    takes its node's). There is one entity per resolution key, as ingest gave them: the store's
    decisions assign them to their nodes again when this is written."""
    mentions = sorted(mentions, key=lambda m: (m["start"], m["stop"], m["entity"]))
    nodes_of: dict[str, list[str]] = {}  # resolution key -> the nodes holding its mentions
    keys_in: dict[str, list[str]] = {}  # node -> the resolution keys of its mentions
    for m in mentions:
        key = m["key"] or m["entity"]
        if m["entity"] not in (nodes := nodes_of.setdefault(key, [])):
            nodes.append(m["entity"])
        if key not in (keys := keys_in.setdefault(m["entity"], [])):
            keys.append(key)
    home = {key: key if key in nodes else min(nodes) for key, nodes in nodes_of.items()}
    for node in entities:  # a relation's end not mentioned here: itself
        if node not in keys_in and node not in home:
            home[node] = node
    by_key: dict[str, list[Mention]] = {key: [] for key in home}
    for m in mentions:
        by_key[m["key"] or m["entity"]].append(Mention(m["start"], m["stop"], m["text"], m["sentence_start"],
                                                           m["sentence_stop"]))
    merged_by: dict[str, dict[str, str]] = {key: {} for key in home}
    for row in sorted(log, key=lambda r: (r["key"], r["alias"])):
        merged_by.setdefault(row["key"], {})[row["alias"]] = row["rule"]

    def entity_of(node: str) -> str:
        keys = keys_in.get(node, [])
        return node if node in keys or not keys else min(keys)

    # one Relation per stored relation and confidence: sentences of one article can state a relation
    # with different confidences (two of its extraction's relations landing on one), and each keeps its own
    relations: dict[tuple[str, float | None], Relation] = {}
    for ev in sorted(evidence, key=lambda ev: (ev["relation"], ev["start"], ev["stop"])):
        confidence = ev["confidence"]
        rel = relations.setdefault((ev["relation"], confidence), Relation(
            ev["type"], entity_of(ev["source"]), entity_of(ev["target"]), ev["role"], confidence=confidence))
        rel.evidence.append(Evidence(article["id"], ev["start"], ev["stop"], ev["sentence"]))
    stated: dict[str, Row] = {}  # key -> its statement in its home node, else in any node
    for row in sorted(said, key=lambda r: (r["key"], r["entity"])):
        if row["entity"] == home.get(row["key"]) or row["key"] not in stated:
            stated[row["key"]] = row
    fields = ("id", "text", "title", "url", "date", "source", "doc")

    def entity(key: str, node: str) -> Entity:
        own = stated.get(key, entities[node])
        return Entity(key, entities[node]["type"], own["name"], key=key, kind=own["kind"], mentions=by_key[key],
                      facts=json.loads(own["facts"] or "{}"), merged_by=merged_by.get(key, {}))

    return Extraction(Article(**{f: article[f] for f in fields}),
                      entities=[entity(key, node) for key, node in sorted(home.items()) if node in entities],
                      relations=list(relations.values()))


def assemble_card(row: Any, mentions: list[MentionRef], edges: list[Any], others: dict[str, Any],
                  log: Iterable[Any] = (), keys: Iterable[Any] = (), decisions: Sequence[Decision] = (),
                  said: Iterable[Any] = ()) -> EntityCard:
    """An entity card from a store's rows: its row, its mentions, its edges (with weight), the rows
    of the entities at their other ends, its merge log rows, its mentions' resolution keys, the
    store's decisions and its statements (rows for statements_of). Both stores build cards here; an
    edge row gives id, type, source, target, role, weight and confidence (the highest of its evidence's)."""
    aliases = sorted({m.text for m in mentions} - {row["name"]})
    articles = {m.article: {"id": m.article, "title": m.title, "url": m.url, "date": m.date} for m in mentions}
    neighbours = []
    for r in edges:
        out = r["source"] == row["id"]
        if other := others.get(r["target"] if out else r["source"]):
            neighbours.append(Neighbour(other["id"], other["type"], other["name"], r["type"], r["role"],
                                        "out" if out else "in", r["weight"], r["confidence"]))
    neighbours.sort(key=neighbour_order)
    listed = sorted(articles.values(), key=lambda a: (a["date"], a["id"]))
    return EntityCard(row["id"], row["type"], row["name"], row["kind"], aliases, json.loads(row["facts"]),
                      len(mentions), listed, neighbours, mentions,
                      merge_log(row["id"], listed, log, keys, list(decisions)),
                      fact_history(statements_of(said).get(row["id"], [])))


def assemble_snapshot(articles: list[dict], mentions: Iterable[Any], entities: Iterable[Any],
                      evidence: Iterable[Any], relations: Iterable[Any]) -> nx.MultiDiGraph:
    """The whole graph from a store's rows, ordered by the store: articles; mentions
    (entity, article, start, stop, text); entities (id, type, name, kind, facts); evidence
    (relation, article, start, stop, sentence, confidence); relations (id, source, target, type,
    role). An edge's confidence is the highest of its evidence's (None: rules alone). Both stores
    build their snapshot here."""
    g = nx.MultiDiGraph()
    g.graph["articles"] = articles
    by_entity: dict[str, list[dict]] = {}
    for r in mentions:
        by_entity.setdefault(r["entity"], []).append(
            {"article": r["article"], "start": r["start"], "stop": r["stop"], "text": r["text"]})
    for r in entities:
        ms = by_entity.get(r["id"], [])
        g.add_node(r["id"], type=r["type"], name=r["name"], kind=r["kind"] or "",
                   aliases=sorted({m["text"] for m in ms} - {r["name"]}),
                   facts=json.loads(r["facts"]), mentions=ms, mention_count=len(ms))
    by_relation: dict[str, list[dict]] = {}
    for r in evidence:
        by_relation.setdefault(r["relation"], []).append(
            {"article": r["article"], "start": r["start"], "stop": r["stop"], "sentence": r["sentence"],
             "confidence": r["confidence"]})
    for r in relations:
        ev = by_relation.get(r["id"], [])
        g.add_edge(r["source"], r["target"], key=r["id"], type=r["type"], role=r["role"] or "",
                   weight=len({e["article"] for e in ev}), evidence=ev, evidence_count=len(ev),
                   confidence=top_confidence(e["confidence"] for e in ev))
    return g


# --- the projects table ----------------------------------------------------------------------

PLACE_RELATIONS = ("LOCATED_IN", "PART_OF")  # a project's places, a place's regions


def assemble_projects(projects: Iterable[Sequence], entities: Iterable[Sequence], relations: Iterable[Sequence],
                      evidence: Iterable[Sequence]) -> list[Project]:
    """What `Store.projects()` answers, from a store's rows (sequences, in any order): `projects`
    (id, name, kind, facts as JSON) of the PROJECT nodes; `entities` (id, type, name) of every
    node; `relations` (id, type, role, source, target): every relation, or at least those at a
    project, WORKS_AT from a person and PART_OF / LOCATED_IN between places; `evidence`
    (relation, how many sentences, the highest of their confidences) for at least the relations
    at a project with more than one sentence or with a confidence (a relation not listed has one
    sentence and no confidence: both stores drop a relation without evidence). Names,
    types and counts are plain lookups here rather than joins in the store: on 100k relations
    that is several times faster in SQLite. Both stores build the answer here, in project id
    order."""
    table = ProjectTable({i: (type_, name) for i, type_, name in entities}, evidence,
                         {i: (name, kind, facts) for i, name, kind, facts in sorted(projects, key=itemgetter(0))})
    for row in relations:
        table.add(*row)
    return [table.project(pid) for pid in table.found]


class ProjectTable:
    """The projects table being read from a store's relation rows (assemble_projects)."""

    def __init__(self, info: dict[str, tuple[str, str]], evidence: Iterable[Sequence],
                 found: dict[str, tuple[str, str | None, str | None]]) -> None:
        self.info, self.found = info, found  # node -> (type, name); project -> (name, kind, facts)
        self.counts: dict[str, int] = {}
        self.scores: dict[str, float | None] = {}
        for rid, n, confidence in evidence:
            self.counts[rid], self.scores[rid] = n, confidence
        self.total = dict.fromkeys(found, 0)
        self.places: dict[str, dict[str, list[float | None]]] = {}  # project -> place -> its relations' confidences
        self.parts: dict[str, dict[tuple[str, str], float | None]] = {}  # project -> (participant, role) -> conf.
        self.staff: dict[str, set[tuple[str, str]]] = {}
        self.up: dict[str, set[str]] = {}
        self.regions: dict[str, frozenset[str]] = {}
        self.people: dict[str, tuple[tuple[str, str], ...]] = {}

    def add(self, rid: str, type_: str, role: str | None, source: str, target: str) -> None:
        """Take in one relation row."""
        info, total = self.info, self.total
        if source in total or target in total:
            if source not in info or target not in info:  # an end written or removed since the entities were read
                return
            n = self.counts.get(rid, 1)
            if source in total:
                total[source] += n
            if target in total:
                total[target] += n
        if type_ == "INVOLVED_IN":
            if target in self.found and source in info:
                involved, part = self.parts.setdefault(target, {}), (source, role or "participant")
                involved[part] = loosest_confidence([involved[part], self.scores.get(rid)]) if part in involved \
                    else self.scores.get(rid)
        elif type_ == "WORKS_AT":
            if (s := info.get(source)) is not None and s[0] == "PERSON":
                self.staff.setdefault(target, set()).add((s[1], role or ""))
        elif type_ in PLACE_RELATIONS and (t := info.get(target)) is not None and t[0] == "LOC":
            if source in self.found:
                self.places.setdefault(source, {}).setdefault(target, []).append(self.scores.get(rid))
            elif (s := info.get(source)) is not None and s[0] == "LOC":
                self.up.setdefault(source, set()).add(target)

    def within(self, place: str) -> frozenset[str]:
        """The names of the places a place lies in, through places (not itself)."""
        if place not in self.regions:
            seen, todo = set(), [place]
            while todo:
                for region in self.up.get(todo.pop(), ()):
                    if region not in seen and region != place:
                        seen.add(region)
                        todo.append(region)
            self.regions[place] = frozenset(self.info[r][1] for r in seen)
        return self.regions[place]

    def participants(self, pid: str) -> list[Participant]:
        """The project's participants by name, role and id; an organisation with its people."""
        out, involved = [], self.parts.get(pid, {})
        for pname, role, i in sorted((self.info[i][1], role, i) for i, role in involved):
            type_ = self.info[i][0]
            if type_ == "ORG" and i not in self.people:
                self.people[i] = tuple(sorted(self.staff.get(i, ())))
            out.append(Participant(i, pname, type_, role, self.people[i] if type_ == "ORG" else (),
                                   involved[(i, role)]))
        return out

    def project(self, pid: str) -> Project:
        """One row of Store.projects()."""
        name, kind, facts = self.found[pid]
        at = self.places.get(pid, {})
        located = [Place(i, pname, self.within(i), loosest_confidence(at[i]))
                   for pname, i in sorted((self.info[i][1], i) for i in at)]
        return Project(pid, name, kind or "", json.loads(facts or "{}"), located, self.participants(pid),
                       self.total[pid])
