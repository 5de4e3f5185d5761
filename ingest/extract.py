"""Extraction: one Article in, one Extraction (entities with mentions, relations with evidence) out.

Steps, each a small function: natasha analyses the text; NER spans become Found
mentions with a nominative name; mentions of one thing in the article are grouped
into one Entity; relation finders add relations with their evidence sentence.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from natasha import Doc

from graph.model import Article, Entity, Evidence, Extraction, Mention, Relation
from graph.text import lemma, name_key

from .pipeline import pipeline

NER_TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


@dataclass
class Found:
    """A mention candidate before grouping: where, what type, its nominative name."""

    type: str
    start: int
    stop: int
    text: str
    normal: str
    first: str = ""
    middle: str = ""
    last: str = ""
    kind: str | None = None
    facts: dict = field(default_factory=dict)


def ner_mentions(doc: Doc) -> list[Found]:
    nlp = pipeline()
    found = []
    for span in doc.spans:
        etype = NER_TYPES.get(span.type)
        if etype is None:
            continue
        span.normalize(nlp.morph_vocab)
        item = Found(etype, span.start, span.stop, span.text, span.normal or span.text)
        if etype == "PERSON":
            span.extract_fact(nlp.names_extractor)
            if span.fact is not None:
                parts = span.fact.as_dict
                item.first = parts.get("first", "") or ""
                item.middle = parts.get("middle", "") or ""
                item.last = parts.get("last", "") or ""
        found.append(item)
    return found


# --- grouping mentions into entities ---------------------------------------------

def person_key(f: Found) -> tuple[str, str]:
    """(surname lemma, first-name initial) of a person mention; either may be empty."""
    last = name_key(f.last) if f.last else ""
    first = name_key(f.first)[:1] if f.first else ""
    if not last and not f.first:  # natasha could not split the name: use its last word
        words = name_key(f.normal).split()
        last = words[-1] if words else ""
    return last, first


def group_persons(found: list[Found]) -> list[list[Found]]:
    """Full names form groups; a surname alone joins the one full name with that surname."""
    groups: dict[tuple[str, str], list[Found]] = defaultdict(list)
    partial: list[Found] = []
    for f in found:
        last, first = person_key(f)
        if last and first:
            groups[(last, first)].append(f)
        else:
            partial.append(f)
    for f in partial:
        last, first = person_key(f)
        same = [k for k in groups if (last and k[0] == last) or (not last and first and k[1] == first
                                                                   and name_key(f.first) in name_key(groups[k][0].normal).split())]
        if len(same) == 1:
            groups[same[0]].append(f)
        else:
            groups[(last, first or "?")].append(f)
    return list(groups.values())


def group_others(found: list[Found]) -> list[list[Found]]:
    groups: dict[tuple[str, str], list[Found]] = defaultdict(list)
    for f in found:
        groups[(f.type, name_key(f.normal))].append(f)
    return list(groups.values())


def best_name(group: list[Found]) -> str:
    if group[0].type == "PERSON":
        return max((f.normal for f in group), key=lambda n: (len(n.split()), len(n)))
    counts = Counter(f.normal for f in group)
    return max(counts, key=lambda n: (counts[n], len(n)))


def sentence_of(sentences: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    for start, stop in sentences:
        if start <= offset < stop:
            return start, stop
    return -1, -1


def to_entities(found: list[Found], sentences: list[tuple[int, int]]) -> list[Entity]:
    persons = [f for f in found if f.type == "PERSON"]
    others = [f for f in found if f.type != "PERSON"]
    groups = group_persons(persons) + group_others(others)
    groups.sort(key=lambda g: min(f.start for f in g))
    entities = []
    for n, group in enumerate(groups, 1):
        group.sort(key=lambda f: f.start)
        facts: dict = {}
        for f in group:
            facts.update(f.facts)
        entities.append(Entity(
            id=f"T{n}", type=group[0].type, name=best_name(group),
            kind=next((f.kind for f in group if f.kind), None),
            aliases=sorted({f.text for f in group}),
            mentions=[Mention(f.start, f.stop, f.text, *sentence_of(sentences, f.start)) for f in group],
            facts=facts,
        ))
    return entities


def drop_overlaps(found: list[Found]) -> list[Found]:
    """Where mentions overlap keep the longest (earlier wins on ties)."""
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (-(f.stop - f.start), f.start)):
        if all(f.stop <= k.start or f.start >= k.stop for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


# --- relations -------------------------------------------------------------------

def sentence_evidence(doc: Doc, article_id: str, offset: int) -> Evidence:
    for sent in doc.sents:
        if sent.start <= offset < sent.stop:
            return Evidence(article_id, sent.start, sent.stop, sent.text)
    return Evidence(article_id, 0, len(doc.text), doc.text)


def find_relations(doc: Doc, article: Article, entities: list[Entity]) -> list[Relation]:
    """Relation finders come with the grammar modules (people, projects); none yet."""
    return []


# --- the whole step ---------------------------------------------------------------

def extract(article: Article) -> Extraction:
    doc = pipeline().analyse(article.text)
    found = drop_overlaps(ner_mentions(doc))
    entities = to_entities(found, [(s.start, s.stop) for s in doc.sents])
    relations = find_relations(doc, article, entities)
    return Extraction(article=article, entities=entities, relations=relations)


def as_contract(extraction: Extraction) -> dict:
    """The `investgraph extract --format jsonl` record (a stable contract: extend, never rename)."""
    entities = []
    for e in extraction.entities:
        item = {"id": e.id, "type": e.type, "name": e.name}
        if e.kind:
            item["kind"] = e.kind
        item["aliases"] = e.aliases
        item["mentions"] = [{"start": m.start, "stop": m.stop, "text": m.text} for m in e.mentions]
        if e.facts:
            item["facts"] = e.facts
        entities.append(item)
    relations = []
    for r in extraction.relations:
        item = {"type": r.type, "source": r.source, "target": r.target}
        if r.role:
            item["role"] = r.role
        ev = r.evidence[0] if r.evidence else None
        item["evidence"] = {"start": ev.start, "stop": ev.stop, "sentence": ev.sentence} if ev else None
        relations.append(item)
    return {"doc": extraction.article.doc or extraction.article.id, "article": extraction.article.id,
            "entities": entities, "relations": relations}


__all__ = ["extract", "as_contract", "Found", "lemma"]
