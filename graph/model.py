"""The graph's vocabulary: what an Article, Mention, Entity, Relation and Evidence are.

Everything that crosses a package boundary is one of these plain dataclasses: ingest
produces them, the stores persist them and answer with the result types (EntityHit,
EntityCard, Project, WriteReport, ...), the app reads them back. The vocabularies
(entity types, relation types, involvement roles, project kinds) are declared once, in
graph/schema.json, and read here, so that one list is checked everywhere.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# entity types, relation types (with their source and target types), involvement roles and
# project kinds, with their labels and colours: see graph/schema.json
SCHEMA: dict[str, Any] = json.loads(resources.files("graph").joinpath("schema.json").read_text(encoding="utf-8"))
ENTITY_TYPES = tuple(SCHEMA["entity_types"])
RELATION_TYPES = tuple(SCHEMA["relation_types"])
INVOLVEMENT_ROLES = tuple(SCHEMA["involvement_roles"])
PROJECT_KINDS = tuple(SCHEMA["project_kinds"])
# kinds that are territories other projects sit in (parks, zones, ТОР, free ports)
ZONE_KINDS = tuple(k for k, v in SCHEMA["project_kinds"].items() if v["zone"])
# kinds companies settle in as residents: the zones and clusters (the resident role's `of`)
TERRITORY_KINDS = tuple(SCHEMA["involvement_roles"]["resident"]["of"])


def role_fits(role: str | None, kind: str | None) -> bool:
    """Whether a party can be in a project of this kind in this role: a resident is in a park,
    zone or cluster, not in a plant (the roles' `of` in graph/schema.json)."""
    spec = SCHEMA["involvement_roles"].get(role or "", {})
    return "of" not in spec or kind in spec["of"]


def labels(section: str) -> dict[str, str]:
    """name -> label for one section of the schema ("entity_types", "project_kinds", ...)."""
    return {name: spec["label"] for name, spec in SCHEMA[section].items()}


def colors(section: str) -> dict[str, str]:
    """name -> colour for the sections that have them (entity and relation types)."""
    return {name: spec["color"] for name, spec in SCHEMA[section].items() if "color" in spec}


@dataclass
class Article:
    """One news text as read from a file, a record or an upload."""

    id: str
    text: str
    title: str = ""
    url: str = ""
    date: str = ""  # ISO date (yyyy-mm-dd) when known
    source: str = ""  # the path (or upload name) it was read from
    doc: str = ""  # short name for the extraction contract: file stem or record id

    @property
    def content_hash(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Mention:
    """A span of an article's text that names an entity, and the sentence it stands in."""

    start: int
    stop: int
    text: str
    sentence_start: int = -1
    sentence_stop: int = -1


@dataclass(frozen=True)
class Evidence:
    """Why we believe a relation: the sentence of an article that states it."""

    article: str
    start: int  # sentence offsets into the article text
    stop: int
    sentence: str = ""


@dataclass
class Entity:
    """A person, organisation, place or project.

    Within one extraction `id` is local to the article; `key` is the cross-article
    identity the stores merge on (set by ingest.resolve).
    """

    id: str
    type: str
    name: str
    key: str = ""
    kind: str | None = None  # project kind, PROJECT only
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    # why each alias belongs to this entity: alias -> the resolution rule that put it here
    # ("same lemmas", "surname of Руслан Заливацкий", "abbreviation defined in the article", ...)
    merged_by: dict[str, str] = field(default_factory=dict)


@dataclass
class Relation:
    type: str
    source: str  # entity id (local in an extraction, key in a store)
    target: str
    role: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    # how sure extraction is, 0..1: the relation model's probability; None for relations made by rules alone
    confidence: float | None = None


@dataclass
class Extraction:
    """What ingest found in one article: the unit a store writes."""

    article: Article
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    # older versions this article supersedes (the same file before its text changed): a store
    # removes them in the transaction that writes this one, so that either both or neither happen
    replaces: list[str] = field(default_factory=list)

    def entity(self, entity_id: str) -> Entity:
        return next(e for e in self.entities if e.id == entity_id)


# --- what the stores answer -------------------------------------------------

@dataclass
class EntityHit:
    """A search result."""

    id: str
    type: str
    name: str
    mentions: int
    kind: str | None = None


@dataclass
class MentionRef:
    """A mention as stored: where it is and the sentence around it."""

    article: str
    start: int
    stop: int
    text: str
    sentence: str
    sentence_start: int
    title: str = ""
    url: str = ""
    date: str = ""


@dataclass
class Neighbour:
    """An entity one edge away, with the edge that connects them."""

    id: str
    type: str
    name: str
    relation: str
    role: str | None
    direction: str  # "out" (entity -> neighbour) or "in"
    weight: int
    confidence: float | None = None  # the relation's: the highest of its evidence's; None: rules alone


@dataclass
class EntityCard:
    id: str
    type: str
    name: str
    kind: str | None
    aliases: list[str]
    facts: dict[str, Any]
    mention_count: int
    articles: list[dict[str, str]]
    neighbours: list[Neighbour]
    mentions: list[MentionRef]
    # why its names are one node: [{"alias", "rule", "article"}]; article "" for an analyst's decision
    merge_log: list[dict[str, str]] = field(default_factory=list)
    # every fact every stored article stated of it, [{"fact", "value", "article", "date"}], oldest first;
    # `facts` holds the current value of each (graph.statements.current_facts)
    fact_history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class WriteReport:
    """What Store.write did with each article of a batch, by article id."""

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



MERGE, SPLIT = "merge", "split"


@dataclass(frozen=True)
class Decision:
    """An analyst's correction of resolution. The store keeps it and applies it to every later
    write, so re-ingesting articles, or ingesting new ones naming the same things, keeps it.

    merge: `other` (a node id) joins `node`; every mention that resolution keys `other` lands in `node`.
    split: the mentions of `node` whose text or name key is `alias` move to the new node `other`,
    named `name`, with the relations stated in the sentences they stand in.
    """

    action: str  # MERGE or SPLIT
    node: str
    other: str
    alias: str  # merge: the merged node's name; split: the name whose mentions move
    name: str  # the name of the node the mentions land in: merge: `node`'s; split: the new node's


def relation_key(type_: str, source: str, target: str, role: str | None) -> str:
    """A stable id for a relation: one edge per (type, source, target, role)."""
    raw = "\x1f".join((type_, source, target, role or ""))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]
