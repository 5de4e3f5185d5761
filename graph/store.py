"""The store interface every backend implements, and `open_store(url)` that picks one.

URLs: a path or `sqlite:///path` opens the embedded store (the default, under
`$INVESTGRAPH_HOME`, default `./.investgraph/`); `neo4j://[USER@]HOST[:PORT][?database=DB]`
(also `bolt://`, `neo4j+s://`, `bolt+s://`) opens Neo4j. The Neo4j password comes from
`NEO4J_PASSWORD` and never appears in a store's `url`. Without a URL: `$INVESTGRAPH_STORE`,
else `$NEO4J_URI`, else the embedded default.

The app and the CLI talk only to this interface; both stores pass one contract suite,
and the helpers at the end (search matching and ranking, orderings, rebuilding an
article's extraction) are shared so that both give the same answers.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import networkx as nx

from .model import (MERGE, SPLIT, Article, Decision, Entity, EntityCard, EntityHit, Evidence, Extraction, Mention,
                    MentionRef, Neighbour, Relation, relation_key)
from .text import fold, name_key

DEFAULT_FILE = "graph.db"
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
NEO4J_DEFAULT_PORT = 7687
NEO4J_DEFAULT_USER = "neo4j"
NEO4J_DEFAULT_DATABASE = "neo4j"


class StoreError(Exception):
    """A store could not do what was asked; the message names the store and the cause."""


class DecisionError(StoreError):
    """A merge or split that cannot be done: the message names the nodes and the reason."""


class QueryError(StoreError):
    """A search a store refuses (too long to be a name): the message says why."""


MAX_QUERY_CHARS = 1000  # longer than any name: both stores refuse it before it reaches SQL or Lucene


@dataclass
class WriteReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Place:
    """A place a project lies in (its LOCATED_IN or PART_OF target of type LOC), with the names of
    the places that place lies in (PART_OF / LOCATED_IN upwards, through places): for filtering
    projects by region."""

    id: str
    name: str
    within: frozenset[str] = frozenset()
    # of the project's relation(s) to the place; None when a rule alone states one (no filter drops it)
    confidence: float | None = None


@dataclass(slots=True)
class Participant:
    """Something INVOLVED_IN a project in a role ("participant" when none is stated); for an
    organisation, the persons who WORK_AT it with their posts ("" when none is stated)."""

    id: str
    name: str
    type: str
    role: str
    people: tuple[tuple[str, str], ...] = ()
    confidence: float | None = None  # of its INVOLVED_IN relation; None: rules alone


@dataclass(slots=True)
class Project:
    """A project as the projects table shows it (Store.projects): its node, places, participants
    with their roles and key people, and the evidence sentences behind its relations."""

    id: str
    name: str
    kind: str  # "" when not known
    facts: dict[str, Any]
    places: list[Place]
    participants: list[Participant]  # by name, role, id
    evidence: int  # evidence sentences of every relation at the project (in or out)


class Store(Protocol):
    url: str

    def write(self, batch: list[Extraction]) -> WriteReport: ...
    def article_hash(self, article_id: str) -> str | None: ...
    def articles_from_source(self, source: str) -> list[dict]: ...
    def remove_article(self, article_id: str) -> None: ...
    def articles(self, limit: int | None = None) -> list[dict]: ...
    def article(self, article_id: str) -> dict | None: ...
    def stats(self) -> dict: ...
    def search(self, text: str, types: list[str] | None = None, limit: int = 20) -> list[EntityHit]: ...
    def entity(self, entity_id: str) -> EntityCard | None: ...
    def neighbourhood(self, ids: list[str], hops: int = 1, types: list[str] | None = None,
                      relations: list[str] | None = None, min_weight: int = 1) -> nx.MultiDiGraph: ...
    def snapshot(self) -> nx.MultiDiGraph: ...
    def projects(self) -> list[Project]: ...
    def extractions(self) -> Iterator[Extraction]: ...
    def decisions(self) -> list[Decision]: ...
    def merge(self, into: str, other: str) -> Decision: ...
    def split(self, node: str, alias: str) -> Decision: ...
    def record(self, decisions: list[Decision]) -> list[Decision]: ...
    def close(self) -> None: ...


def default_url() -> str:
    if url := os.environ.get("INVESTGRAPH_STORE") or os.environ.get("NEO4J_URI"):
        return url
    home = Path(os.environ.get("INVESTGRAPH_HOME", ".investgraph"))
    return str(home / DEFAULT_FILE)


def is_neo4j_url(url: str) -> bool:
    return url.split("://", 1)[0].lower() in NEO4J_SCHEMES if "://" in url else False


@dataclass(frozen=True)
class Neo4jTarget:
    """Where a Neo4j store connects: what the driver needs, and `url` to show (no password)."""

    uri: str  # scheme://host:port[?routing context], for the driver
    user: str
    password: str = field(repr=False)
    database: str
    url: str  # the store's name in messages: scheme://user@host:port[?database=DB]


def neo4j_target(url: str) -> Neo4jTarget:
    """Parse a Neo4j URL: user from the URL or $NEO4J_USER (default neo4j), database from
    `?database=` or $NEO4J_DATABASE (default neo4j), password from $NEO4J_PASSWORD (a password
    written in the URL is used only when that is unset, and never shown)."""
    try:
        parts = urlsplit(url)
        port = parts.port or NEO4J_DEFAULT_PORT
    except ValueError as err:
        raise StoreError(f"{redact_url(url)}: not a Neo4j URL ({err})") from err
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in NEO4J_SCHEMES or not host or parts.path not in ("", "/"):
        raise StoreError(f"{redact_url(url)}: not a Neo4j URL (expected neo4j://[USER@]HOST[:PORT][?database=DB])")
    query = dict(parse_qsl(parts.query))
    database = query.pop("database", "") or os.environ.get("NEO4J_DATABASE") or NEO4J_DEFAULT_DATABASE
    user = unquote(parts.username or "") or os.environ.get("NEO4J_USER") or NEO4J_DEFAULT_USER
    password = os.environ.get("NEO4J_PASSWORD") or unquote(parts.password or "")
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    rest = f"?{urlencode(query)}" if query else ""
    shown = {**query, **({"database": database} if database != NEO4J_DEFAULT_DATABASE else {})}
    return Neo4jTarget(uri=f"{scheme}://{netloc}{rest}", user=user, password=password, database=database,
                       url=f"{scheme}://{user}@{netloc}" + (f"?{urlencode(shown)}" if shown else ""))


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        return parts._replace(netloc=f"{user}:***@{netloc}").geturl()
    except ValueError:
        return "<unparsable URL>"


def open_store(url: str | None = None) -> Store:
    """Open the store a URL names (None: $INVESTGRAPH_STORE, $NEO4J_URI, else the embedded default)."""
    url = url or default_url()
    if is_neo4j_url(url):
        from .neo4j_store import Neo4jStore
        return Neo4jStore(neo4j_target(url))
    if "://" in url and not url.startswith("sqlite:///"):
        raise StoreError(f"{redact_url(url)}: unknown store URL (use a path, sqlite:///PATH or neo4j://HOST:7687)")
    from .embedded import EmbeddedStore
    path = Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url)
    if path.is_dir() or not path.suffix:
        path = path / DEFAULT_FILE
    return EmbeddedStore(path)


# --- helpers both stores share, so they give the same answers ---------------------

def stem(word: str) -> str:
    """A crude stem for words the dictionary does not know: "заливацкому" → "залива"."""
    return word[:max(4, len(word) - 4)] if len(word) > 4 else word


def query_terms(text: str) -> list[str]:
    """One search term per query word: the shorter of its lemma and its stem, so that
    case forms of unknown surnames ("Заливацкому", "Заливацким") still find the name. A query
    longer than MAX_QUERY_CHARS is a QueryError, and so is one with a word longer than a name may be
    (MAX_NAME_CHARS): no stored name has such a word, and Lucene refuses a prefix query on it."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"a search of {len(text):,} characters is refused: no name is longer than "
                         f"{MAX_QUERY_CHARS:,}")
    folded = fold(text).split()
    if (longest := max(map(len, folded), default=0)) > MAX_NAME_CHARS:
        raise QueryError(f"a search with a word of {longest:,} characters is refused: no name is longer than "
                         f"{MAX_NAME_CHARS:,}")
    terms = []
    for word, lem in zip(folded, name_key(text).split()):
        s = stem(word)
        terms.append(s if lem.startswith(s) or not word.startswith(lem) else lem)
    return [t for t in terms if t]


def rank_hits(query: str, candidates: list[tuple[EntityHit, list[str]]], limit: int) -> list[EntityHit]:
    """Order candidates (hit, its name keys): exact name first, then more mentions, then name."""
    qkey, qfold = name_key(query), fold(query)

    def score(item: tuple[EntityHit, list[str]]) -> tuple:
        hit, keys = item
        exact = qkey in keys or qfold == fold(hit.name)
        starts = any(k.startswith(qkey) for k in keys)
        return (not exact, not starts, -hit.mentions, hit.name, hit.id)

    return [hit for hit, _ in sorted(candidates, key=score)[:limit]]


def matches(query_lemmas: list[str], keys: list[str]) -> bool:
    """Every query lemma starts some word of one of the entity's name keys."""
    for key in keys:
        words = key.split()
        if all(any(w.startswith(q) for w in words) for q in query_lemmas):
            return True
    return False


def has_word_prefix(key: str, term: str) -> bool:
    """Some word of a name key starts with term: which of its keys a search candidate brings."""
    return f" {term}" in f" {key}"


def neighbour_order(n: Neighbour) -> tuple:
    """How an entity card lists its neighbours: heaviest first, then relation, name; a total order."""
    return (-n.weight, n.relation, n.name, n.id, n.role or "", n.direction)


# --- confidence: a relation's is the highest of its evidence's ----------------------------------
#
# Each evidence row (a sentence of an article stating a relation) keeps the confidence the
# relation had in that article's extraction (Relation.confidence). A relation's confidence is
# the highest of its evidence rows', None when none has one (rules alone). It is computed when
# read, never stored on the relation, so replacing or removing an article recomputes it, and
# the order articles came in does not matter.

def top_confidence(values: Iterable[float | None]) -> float | None:
    """The highest of the confidences that are not None; None when none is given."""
    scored = [v for v in values if v is not None]
    return max(scored) if scored else None


def loosest_confidence(values: Iterable[float | None]) -> float | None:
    """Of several relations, the confidence that passes the most filters: None (a rule's, never
    filtered out) if any is None, else the highest."""
    values = list(values)
    return None if any(v is None for v in values) else top_confidence(values)


def confident(confidence: float | None, minimum: float | None) -> bool:
    """Whether a relation with this confidence passes a minimum: one without a confidence (made by
    rules alone) always does, and so does everything when there is no minimum (None or 0)."""
    return not minimum or confidence is None or confidence >= minimum


def confidence_problem(batch: Iterable[Extraction]) -> str | None:
    """Why a batch cannot be written, as to confidences (one that is not a number within 0..1),
    or None."""
    for ex in batch:
        for r in ex.relations:
            c = r.confidence
            if c is not None and (isinstance(c, bool) or not isinstance(c, (int, float)) or math.isnan(c)
                                  or not 0.0 <= c <= 1.0):
                return (f"relation {r.type} {r.source} -> {r.target} in article {ex.article.id} has "
                        f"confidence {c!r}, not a number within 0..1")
    return None


# --- what a name may be: the same in both stores ------------------------------------------------
#
# Both stores call `bounded(batch)` first thing in `write`, so that what they keep of a name is the
# same, whatever wrote the batch (ingest, `load` from another store, a test): Neo4j indexes entity
# ids and name keys and refuses a value of more than a few kB ("property value is too large to
# index"), which stopped the batch for good, while SQLite kept it whole.

MAX_NAME_CHARS = 300  # a name, an alias or a mention's text; longer ones are cut at a word, with "…"
MAX_KEY_CHARS = 300  # an entity id; a longer one keeps its start and a hash of the whole, so it stays unique
NOT_IN_NAMES = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def bound_name(text: str) -> str:
    """A name as both stores keep it: no control or invisible formatting characters (NUL, ESC, C1,
    soft hyphen, zero-width and bidirectional marks), whitespace runs (newlines, tabs) one space, and
    at most MAX_NAME_CHARS characters: a longer one is cut at the last space before the limit (at the
    limit when there is none) and ends in "…"."""
    text = " ".join(NOT_IN_NAMES.sub("", text).split())
    if len(text) <= MAX_NAME_CHARS:
        return text
    cut = text[:MAX_NAME_CHARS - 1]
    if " " in cut[MAX_NAME_CHARS // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def bound_key(key: str) -> str:
    """An entity id both stores can index: a key of more than MAX_KEY_CHARS characters becomes its
    start and a hash of the whole ("ORG:…#1f2e…"), so that two long keys stay two ids."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return f"{key[:MAX_KEY_CHARS - len(digest) - 2]}…#{digest}"


def bounded(batch: Iterable[Extraction]) -> list[Extraction]:
    """The batch as a store writes it: every entity's name, key, mention texts and merge-log
    aliases bounded (bound_name, bound_key); offsets, relations and articles as they are. An
    extraction whose names are all within bounds is passed on unchanged."""
    return [bounded_extraction(ex) for ex in batch]


def bounded_extraction(ex: Extraction) -> Extraction:
    entities = [bounded_entity(e) for e in ex.entities]
    if all(new is old for new, old in zip(entities, ex.entities)):
        return ex
    return replace(ex, entities=entities)


def bounded_entity(e: Entity) -> Entity:
    name, key = bound_name(e.name), bound_key(e.key)
    mentions = [m if bound_name(m.text) == m.text else replace(m, text=bound_name(m.text)) for m in e.mentions]
    merged_by = {bound_name(alias): rule for alias, rule in e.merged_by.items()}
    aliases = [bound_name(a) for a in e.aliases]
    if (name, key, merged_by, aliases) == (e.name, e.key, e.merged_by, e.aliases) and \
            all(new is old for new, old in zip(mentions, e.mentions)):
        return e
    return replace(e, name=name, key=key, mentions=mentions, merged_by=merged_by, aliases=aliases)


def relation_rows(batch: Iterable[Extraction]) -> tuple[list[dict], list[dict]]:
    """What a batch of placed extractions (graph.store.place) writes of its relations: relation rows
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


def extraction_of(article: dict, entities: dict[str, dict], mentions: Iterable[dict],
                  evidence: Iterable[dict], log: Iterable[dict] = (), said: Iterable[dict] = ()) -> Extraction:
    """Rebuild what a store holds about one article as the Extraction that would write it again.

    `article`: the stored article with its text; `entities`: node id -> {type, name, kind, facts (JSON)}
    for every node mentioned in it or at an end of one of its relations; `mentions`: {entity (the
    node), key (what resolution gave it), start, stop, text, sentence_start, sentence_stop};
    `evidence`: {relation, type, source, target, role, start, stop, sentence, confidence}; `log`: {key,
    alias, rule}; `said`: the article's statements {entity, key, name, kind, facts (JSON)} (said_rows),
    which give each entity its name, kind and facts as the article stated them (a key without one
    takes its node's). There is one entity per resolution key, as ingest gave them: the store's
    decisions place them in their nodes again when this is written."""
    mentions = sorted(mentions, key=lambda m: (m["start"], m["stop"], m["entity"]))
    nodes_of: dict[str, list[str]] = {}  # resolution key -> the nodes holding its mentions
    keys_in: dict[str, list[str]] = {}  # node -> the resolution keys of its mentions
    for m in mentions:
        key = m.get("key") or m["entity"]
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
        by_key[m.get("key") or m["entity"]].append(Mention(m["start"], m["stop"], m["text"], m["sentence_start"],
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
        confidence = ev.get("confidence")
        rel = relations.setdefault((ev["relation"], confidence), Relation(
            ev["type"], entity_of(ev["source"]), entity_of(ev["target"]), ev["role"], confidence=confidence))
        rel.evidence.append(Evidence(article["id"], ev["start"], ev["stop"], ev["sentence"]))
    stated: dict[str, dict] = {}  # key -> its statement in its home node, else in any node
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


@dataclass
class CopyReport:
    articles: int = 0
    decisions: int = 0
    written: WriteReport = field(default_factory=WriteReport)


def copy_store(source: Store, target: Store, batch_size: int = 100) -> CopyReport:
    """Copy the analyst's decisions of `source`, then every article with its mentions, entities,
    relations, evidence and merge log into `target`; one target transaction per `batch_size` articles."""
    report, batch = CopyReport(), []
    report.decisions = len(target.record(source.decisions()))

    def flush() -> None:
        written = target.write(batch)
        for name in ("added", "replaced", "unchanged"):
            getattr(report.written, name).extend(getattr(written, name))
        report.articles += len(batch)
        batch.clear()

    for extraction in source.extractions():
        batch.append(extraction)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report


# --- what a node is called and what it states: a function of the set of articles ----------------
#
# Each article's extraction says, of every node it names, a name, maybe a kind, and facts. Both
# stores keep that per (node, article, resolution key) as a statement (`said_rows`), delete it with
# its article, and set a node's name, kind and facts from all its statements (`summary`) whenever one
# is added or removed: so they do not depend on the order articles came in, nor on batch sizes.
#   name:  the best of the names the articles gave: fewest initials ("Игорь Кречетов" over
#          "И. Кречетов"), then fewest words with no nominative reading ("Вологда" over "Вологдой"),
#          then the most articles giving it, then the most words, then the smallest string;
#   kind:  the one most statements give, ties to the smallest;
#   facts: per fact, the latest dated statement's value (undated ones count as the oldest; ties to the
#          greatest article id); a list (years) is the union of every statement's. Every statement
#          stays stored, and `fact_history` lists them.

INITIAL = re.compile(r"^\w\.?$")
NAME_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@dataclass(frozen=True)
class Statement:
    """What one article said of a node: the name, kind and facts its extraction gave, and its date."""

    article: str
    date: str
    name: str
    kind: str | None
    facts: dict[str, Any]


def not_nominative(name: str) -> int:
    """How many Cyrillic words of a name have no nominative reading ("Вологдой": 1, "Вологда": 0)."""
    from .text import morph
    count = 0
    for word in NAME_WORD.findall(name):
        parses = morph().parse(word.lower())
        if not any("nomn" in p.tag or "Fixd" in p.tag for p in parses):
            count += 1
    return count


def name_rank(name: str, articles: int) -> tuple:
    """How good a name is for a node that `articles` statements call so: smaller is better."""
    words = name.split()
    initials = sum(1 for w in words if INITIAL.match(w))
    return (initials, not_nominative(name), -articles, -len(words), name)


def best_name(statements: Sequence[Statement]) -> str:
    """The name a node goes by: the best-ranked (name_rank) of the names its statements give."""
    counts: dict[str, int] = {}
    for s in statements:
        if s.name:
            counts[s.name] = counts.get(s.name, 0) + 1
    return min(counts, key=lambda n: name_rank(n, counts[n])) if counts else ""


def best_kind(statements: Sequence[Statement]) -> str | None:
    """The kind most statements give (ties: the smallest), None when none gives one."""
    counts: dict[str, int] = {}
    for s in statements:
        if s.kind:
            counts[s.kind] = counts.get(s.kind, 0) + 1
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def statement_order(s: Statement) -> tuple[str, str]:
    """Which statement is later: by date (undated ones first), then by article id."""
    return (s.date or "", s.article)


def current_facts(statements: Sequence[Statement]) -> dict[str, Any]:
    """Each fact's current value, by fact name: the latest statement's (statement_order); a list
    is the sorted union of every statement's."""
    facts: dict[str, Any] = {}
    for s in sorted(statements, key=statement_order):
        for name, value in s.facts.items():
            if isinstance(value, list) and isinstance(facts.get(name, []), list):
                merged = facts.get(name, []) + [v for v in value if v not in facts.get(name, [])]
                facts[name] = sorted(merged, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
            else:
                facts[name] = value
    return dict(sorted(facts.items()))


def fact_history(statements: Sequence[Statement]) -> list[dict[str, Any]]:
    """Every fact every statement gave: {fact, value, article, date}, by fact, then oldest first."""
    history = [{"fact": name, "value": value, "article": s.article, "date": s.date}
               for s in statements for name, value in s.facts.items()]
    return sorted(history, key=lambda h: (h["fact"], h["date"], h["article"]))


def summary(statements: Sequence[Statement]) -> tuple[str, str | None, dict[str, Any]]:
    """A node's name, kind and facts from all its statements, in any order."""
    return best_name(statements), best_kind(statements), current_facts(statements)


def statements_of(rows: Iterable[Any]) -> dict[str, list[Statement]]:
    """Statements by node, from a store's rows (entity, article, date, name, kind, facts as JSON)."""
    out: dict[str, list[Statement]] = {}
    for r in rows:
        out.setdefault(r["entity"], []).append(
            Statement(r["article"], r["date"] or "", r["name"], r["kind"], json.loads(r["facts"] or "{}")))
    return out


def said_rows(ex: Extraction, origin: dict[str, str]) -> list[dict[str, Any]]:
    """What a placed extraction (graph.store.place) states of each node, once per (node, resolution
    key): {entity, article, key, name, kind, facts (JSON)}. Two entities of the article landing on
    one node under one key are one statement: the first's name, the first kind given, facts merged
    (the later entity's winning), as the extraction lists them."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for e in ex.entities:
        row = out.setdefault((e.key, origin[e.id]), {"entity": e.key, "article": ex.article.id, "key": origin[e.id],
                                                     "name": e.name, "kind": e.kind, "facts": {}})
        row["kind"] = row["kind"] or e.kind
        row["facts"] = {**row["facts"], **e.facts}
    return [{**row, "facts": json.dumps(row["facts"], ensure_ascii=False)} for row in out.values()]


# --- the analyst's decisions: where each entity of an extraction lands ------------------------

def same_name(text: str, alias: str) -> bool:
    """A mention's text is the alias: the same words, or the same name key ("Игоря Заливацкого")."""
    return fold(text) == fold(alias) or name_key(text) == name_key(alias)


class Decisions:
    """The decisions in force, as lookups: which node a resolution key lands in, and which of an
    entity's mentions a split moves elsewhere."""

    def __init__(self, decisions: Iterable[Decision] = ()) -> None:
        self.all = list(decisions)
        self.into = {d.other: d.node for d in self.all if d.action == MERGE}
        self.splits: dict[str, list[Decision]] = {}
        for d in self.all:
            if d.action == SPLIT:
                self.splits.setdefault(d.node, []).append(d)
        self.names = {d.node if d.action == MERGE else d.other: d.name for d in self.all}

    def __bool__(self) -> bool:
        return bool(self.all)

    def node_of(self, key: str) -> str:
        """The node a key lands in after the merges (a merge into a merged node follows on)."""
        seen = {key}
        while (nxt := self.into.get(key)) is not None and nxt not in seen:
            seen.add(nxt)
            key = nxt
        return key

    def place(self, key: str, mentions: list[Mention]) -> dict[str, list[Mention]]:
        """The nodes an entity's mentions land in, its home node (after merges) first. A split
        moves the mentions named like its alias on to the split's node, whose own decisions apply
        in turn; a node already reached never takes mentions back (a merge undoing a split)."""
        start = self.node_of(key)
        parts, queue = {start: list(mentions)}, [start]
        while queue:
            node = queue.pop(0)
            for d in self.splits.get(node, ()):
                target = self.node_of(d.other)
                moved = [m for m in parts[node] if same_name(m.text, d.alias)]
                if not moved or target in parts:
                    continue
                parts[node] = [m for m in parts[node] if not same_name(m.text, d.alias)]
                parts[target] = moved
                queue.append(target)
        return parts


@dataclass
class Part:
    """One part of an extracted entity placed in a node."""

    id: str  # its entity id in the placed extraction
    node: str
    mentions: list[Mention]


def place(ex: Extraction, decisions: Decisions) -> tuple[Extraction, dict[str, str]]:
    """The extraction as a store writes it: each entity keyed by the node it lands in (an entity a
    split divides becomes one entity per part), each relation between the parts its evidence
    sentences name, a relation between two entities a decision made one dropped. Also returns, for each placed entity,
    the key resolution gave it (stored with its mentions, so that the decisions can be applied again)."""
    if not decisions:
        return ex, {e.id: e.key for e in ex.entities}
    entities: list[Entity] = []
    origin: dict[str, str] = {}
    parts_of: dict[str, list[Part]] = {}
    for e in ex.entities:
        placed = decisions.place(e.key, e.mentions)
        parts = [Part(e.id if n == 0 else f"{e.id}\x1f{n}", node, ms) for n, (node, ms) in enumerate(placed.items())]
        main = parts[0] if parts[0].mentions or not e.mentions else parts[1]
        parts = [main] + [p for p in parts if p is not main and p.mentions]
        parts_of[e.id] = parts
        aliases = {alias: next((p for p in parts if any(same_name(m.text, alias) for m in p.mentions)), main)
                   for alias in e.merged_by}
        for p in parts:
            name = e.name if p.node == e.key else decisions.names.get(p.node, e.name)
            entities.append(Entity(p.id, e.type, name, key=p.node, kind=e.kind, mentions=p.mentions,
                                   facts=dict(e.facts) if p is main else {},
                                   merged_by={a: r for a, r in e.merged_by.items() if aliases[a] is p}))
            origin[p.id] = e.key
    nodes, keys = {e.id: e.key for e in entities}, {e.id: e.key for e in ex.entities}
    relations = []
    for r in ex.relations:
        by_ends: dict[tuple[str, str], Relation] = {}
        for ev in r.evidence or [None]:
            ends = (part_for(parts_of[r.source], ev), part_for(parts_of[r.target], ev))
            if nodes[ends[0]] == nodes[ends[1]] and keys[r.source] != keys[r.target]:
                continue  # two things a decision made one: no relation to itself
            rel = by_ends.setdefault(ends, Relation(r.type, *ends, role=r.role, confidence=r.confidence))
            if ev is not None:
                rel.evidence.append(ev)
        relations += by_ends.values()
    return Extraction(ex.article, entities, relations), origin


def part_for(parts: list[Part], ev: Evidence | None) -> str:
    """The part of an entity a relation's evidence sentence is about: the main part if one of its
    mentions stands in the sentence, else the first part that has one there, else the main part."""
    if len(parts) > 1 and ev is not None:
        for p in parts:
            if any(ev.start <= m.start < ev.stop for m in p.mentions):
                return p.id
    return parts[0].id


def split_node_id(node: str, alias: str, taken: Iterable[str]) -> str:
    """The id of the node a split makes: the node's id and the alias's name key, unique."""
    base = f"{node}~{name_key(alias) or fold(alias)}"
    taken, n, candidate = set(taken), 1, base
    while candidate in taken:
        n += 1
        candidate = f"{base}#{n}"
    return candidate


def merge_decision(into: EntityCard | None, other: EntityCard | None, into_id: str, other_id: str) -> Decision:
    """The decision `merge(into, other)` records, once both nodes are found and may merge."""
    for card, ref in ((into, into_id), (other, other_id)):
        if card is None:
            raise DecisionError(f"cannot merge: no node '{ref}'")
    if into.id == other.id:
        raise DecisionError(f"cannot merge {into.id} into itself")
    if into.type != other.type:
        raise DecisionError(f"cannot merge {other.type} {other.id} into {into.type} {into.id}: "
                            "they are not the same type")
    return Decision(MERGE, into.id, other.id, other.name, into.name)


def split_decision(card: EntityCard | None, node_id: str, alias: str, taken: Iterable[str]) -> Decision:
    """The decision `split(node, alias)` records: the mentions named like `alias` must be some of
    the node's mentions, but not all of them."""
    if card is None:
        raise DecisionError(f"cannot split: no node '{node_id}'")
    moved = [m for m in card.mentions if same_name(m.text, alias)]
    names = ", ".join(sorted({m.text for m in card.mentions}))
    if not moved:
        raise DecisionError(f"cannot split {card.id}: none of its mentions is '{alias}' (its mentions: {names})")
    if len(moved) == len(card.mentions):
        raise DecisionError(f"cannot split {card.id}: every one of its mentions is '{alias}', nothing would stay")
    name = next((m.text for m in moved if fold(m.text) == fold(alias)), alias.strip())
    return Decision(SPLIT, card.id, split_node_id(card.id, alias, taken), alias.strip(), name)


def new_decisions(recorded: list[Decision], decisions: Iterable[Decision]) -> list[Decision]:
    """The decisions not recorded yet, in order, each once."""
    seen = {(d.action, d.node, d.other, d.alias) for d in recorded}
    out = []
    for d in decisions:
        if (d.action, d.node, d.other, d.alias) not in seen:
            seen.add((d.action, d.node, d.other, d.alias))
            out.append(d)
    return out


def find_node(store: Store, ref: str) -> str:
    """The node a command names: a node id, else the one entity whose name is `ref` in any case
    form, else the only search hit. Anything else is a DecisionError listing the candidates."""
    if store.entity(ref) is not None:
        return ref
    hits = store.search(ref, limit=10)
    exact = [h for h in hits if fold(h.name) == fold(ref) or name_key(h.name) == name_key(ref)]
    pick = exact or hits
    if len(pick) == 1:
        return pick[0].id
    if not pick:
        raise DecisionError(f"no node matches '{ref}'")
    listed = "; ".join(f"{h.name} [{h.type}] {h.id}" for h in pick)
    raise DecisionError(f"'{ref}' names {len(pick)} nodes, give one of their ids: {listed}")


# --- entity cards ----------------------------------------------------------------------------

def merge_log(node: str, articles: list[dict], rows: Iterable[Any], keys: Iterable[Any],
              decisions: list[Decision]) -> list[dict[str, str]]:
    """Why a node's names are one node: the analyst's decisions about it; per article, the rules
    that joined names within it (`rows`: article, alias, rule); and how each article's entity came
    to this node (`keys`: article, key, start, text of its mentions): by the same key as the other
    articles' (said only when there are others), or by hand."""
    entries = []
    for d in decisions:
        if d.action == MERGE and d.node == node:
            entries.append({"alias": d.alias, "rule": f"merged by hand ({d.other})", "article": ""})
        elif d.action == SPLIT and d.other == node:
            entries.append({"alias": d.alias, "rule": f"split by hand from {d.node}", "article": ""})
        elif d.action == SPLIT and d.node == node:
            entries.append({"alias": d.alias, "rule": f"split by hand into {d.other}", "article": ""})
    split_here = any(d.action == SPLIT and d.other == node for d in decisions)
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for k in keys:
        place_ = (k["article"], k["key"] or node)
        first[place_] = min(first.get(place_, (k["start"], k["text"])), (k["start"], k["text"]))
    logged = [{"alias": r["alias"], "rule": r["rule"], "article": r["article"]} for r in rows]
    for (article, key), (_, text) in first.items():
        if key != node:
            logged.append({"alias": text, "rule": f"{'split' if split_here else 'merged'} by hand (key {key})",
                           "article": article})
        elif len(articles) > 1:
            logged.append({"alias": text, "rule": f"same key {key} across articles", "article": article})
    order = {a["id"]: n for n, a in enumerate(articles)}
    logged.sort(key=lambda e: (order.get(e["article"], len(order)), e["article"], e["alias"], e["rule"]))
    return entries + logged


def assemble_card(row: Any, mentions: list[MentionRef], edges: list[Any], others: dict[str, Any],
                  log: Iterable[Any] = (), keys: Iterable[Any] = (), decisions: list[Decision] = (),
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
    info = {i: (type_, name) for i, type_, name in entities}
    counts: dict[str, int] = {}
    scores: dict[str, float | None] = {}
    for rid, n, confidence in evidence:
        counts[rid], scores[rid] = n, confidence
    found = {i: (name, kind, facts) for i, name, kind, facts in sorted(projects)}
    total = dict.fromkeys(found, 0)
    places: dict[str, dict[str, list[float | None]]] = {}  # project -> place -> its relations' confidences
    parts: dict[str, dict[tuple[str, str], float | None]] = {}  # project -> (participant, role) -> confidence
    staff: dict[str, set[tuple[str, str]]] = {}
    up: dict[str, set[str]] = {}
    for rid, type_, role, source, target in relations:
        if source in total or target in total:
            if source not in info or target not in info:  # an end written or removed since the entities were read
                continue
            n = counts.get(rid, 1)
            if source in total:
                total[source] += n
            if target in total:
                total[target] += n
        if type_ == "INVOLVED_IN":
            if target in found and source in info:
                involved, part = parts.setdefault(target, {}), (source, role or "participant")
                involved[part] = loosest_confidence([involved[part], scores.get(rid)]) if part in involved \
                    else scores.get(rid)
        elif type_ == "WORKS_AT":
            if (s := info.get(source)) is not None and s[0] == "PERSON":
                staff.setdefault(target, set()).add((s[1], role or ""))
        elif type_ in PLACE_RELATIONS and (t := info.get(target)) is not None and t[0] == "LOC":
            if source in found:
                places.setdefault(source, {}).setdefault(target, []).append(scores.get(rid))
            elif (s := info.get(source)) is not None and s[0] == "LOC":
                up.setdefault(source, set()).add(target)
    regions: dict[str, frozenset[str]] = {}

    def within(place: str) -> frozenset[str]:
        """The names of the places a place lies in, through places (not itself)."""
        if place not in regions:
            seen, todo = set(), [place]
            while todo:
                for region in up.get(todo.pop(), ()):
                    if region not in seen and region != place:
                        seen.add(region)
                        todo.append(region)
            regions[place] = frozenset(info[r][1] for r in seen)
        return regions[place]

    people: dict[str, tuple[tuple[str, str], ...]] = {}
    out = []
    for pid, (name, kind, facts) in found.items():
        participants = []
        involved = parts.get(pid, {})
        for pname, role, i in sorted((info[i][1], role, i) for i, role in involved):
            type_ = info[i][0]
            if type_ == "ORG" and i not in people:
                people[i] = tuple(sorted(staff.get(i, ())))
            participants.append(Participant(i, pname, type_, role, people[i] if type_ == "ORG" else (),
                                            involved[(i, role)]))
        at = places.get(pid, {})
        located = [Place(i, pname, within(i), loosest_confidence(at[i])) for pname, i in sorted((info[i][1], i)
                                                                                                 for i in at)]
        out.append(Project(pid, name, kind or "", json.loads(facts or "{}"), located, participants, total[pid]))
    return out
