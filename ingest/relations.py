"""Relations between the entities of one article, each with the sentence that states it.

WORKS_AT person → organisation or place, with the post in the nominative:
  - post + organisation/place + person: "губернатор Московской области Андрей Воробьев",
    "директор АНО «…», советник губернатора региона Руслан Заливацкий" (a chain of posts)
  - person + comma/dash + post + organisation/place: "Татьяна Скригонюк, заместитель
    начальника пресс-службы МЧС"
  A post that ends in "края", "области", "региона" with no place after it governs the
  article's region of that kind ("советник губернатора региона" → Хабаровский край).
PART_OF organisation → organisation: a unit with its owner at its end ("Департамент
  регионального развития Фонда Сколково") or right after it ("рабочего комитета «…»
  Китайской ассоциации …").
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from natasha import Doc

from graph.model import Entity, Evidence, Relation
from graph.text import lemma, name_key

from .mentions import Found, normal_form

UNIT_NOUNS = {"департамент", "управление", "отдел", "комитет", "служба", "пресс-служба", "филиал",
              "представительство", "подразделение", "дирекция", "комиссия", "совет", "отделение",
              "дочерний", "кафедра", "лаборатория", "цех", "президиум", "фракция", "бюро", "секретариат",
              "штаб", "аппарат", "канцелярия", "центр", "институт", "факультет", "департамент"}
REGION_WORDS = {"край": ("край",), "область": ("область",), "республика": ("республика",),
                "регион": ("край", "область", "республика", "округ"), "город": ("город",),
                "округ": ("округ",), "район": ("район",), "страна": ()}
LINK = re.compile(r"^\s*(,|—|–|-|\(|и)?\s*$")
GAP = re.compile(r"^\s*$")


@dataclass
class Post:
    start: int
    stop: int
    text: str
    role: str


@lru_cache(maxsize=1)
def position_parser():
    from .grammars.positions import parser
    return parser()


def find_posts(doc: Doc, mentions: list[Found]) -> list[Post]:
    """Posts in the text, cut where a mention starts (a post never contains a name)."""
    text = doc.text
    posts = []
    for match in position_parser().findall(text):
        start, stop = match.span.start, match.span.stop
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
            start -= 1
        for m in mentions:
            if start <= m.start < stop:
                stop = m.start
            if m.start <= start < m.stop:
                start = stop  # the post starts inside a name: not a post
        span = text[start:stop].rstrip(" ,")
        stop = start + len(span)
        if stop <= start:
            continue
        role = normal_form(doc, "POST", start, stop).lower()
        posts.append(Post(start, stop, span, role))
    return posts


def outermost(mentions: list[Found]) -> list[Found]:
    return [m for m in mentions if not any(o is not m and o.start <= m.start and m.stop <= o.stop
                                           and (o.start, o.stop) != (m.start, m.stop) for o in mentions)]


def between(text: str, a: int, b: int) -> str:
    return text[a:b] if a <= b else "\x00"


class Sentence:
    """The top-level mentions and posts of one sentence, in text order."""

    def __init__(self, text: str, start: int, stop: int, mentions: list[Found], posts: list[Post]):
        self.text, self.start, self.stop = text, start, stop
        self.items = sorted([m for m in outermost(mentions) if start <= m.start < stop] +
                            [p for p in posts if start <= p.start < stop], key=lambda x: x.start)


def region_of(word: str, entities: list[Entity], mention_counts: Counter) -> Entity | None:
    """The article's most-mentioned place of the kind a post names ("губернатора края")."""
    kinds = REGION_WORDS.get(lemma(word))
    if kinds is None:
        return None
    places = [e for e in entities if e.type == "LOC" and
              (not kinds or any(k in name_key(e.name).split() for k in kinds))]
    if not places:
        return None
    return max(places, key=lambda e: mention_counts[e.id])


def governed_target(items: list, i: int, text: str) -> tuple[Found | None, int]:
    """The organisation or place right after post items[i] (with "в Москве"-like tails skipped)."""
    post = items[i]
    if i + 1 < len(items) and isinstance(items[i + 1], Found) and items[i + 1].type in ("ORG", "LOC") \
            and GAP.match(between(text, post.stop, items[i + 1].start)):
        return items[i + 1], i + 1
    return None, i


def works_at(doc: Doc, sentence: Sentence, entity_of: dict[int, Entity], entities: list[Entity],
             mention_counts: Counter, article_id: str) -> list[Relation]:
    text = doc.text
    items = sentence.items
    evidence = Evidence(article_id, sentence.start, sentence.stop, sentence.text)
    relations = []

    def add(person: Found, post: Post, target: Found | None) -> None:
        target_entity = entity_of.get(id(target)) if target is not None else None
        if target_entity is None:
            last = post.text.split()[-1] if post.text.split() else ""
            target_entity = region_of(last, entities, mention_counts)
        if target_entity is not None:
            relations.append(Relation("WORKS_AT", entity_of[id(person)].id, target_entity.id,
                                      post.role, [evidence]))

    for i, item in enumerate(items):
        if not isinstance(item, Found) or item.type != "PERSON":
            continue
        # posts before the person: walk back over "post [target]" groups joined by commas or "и"
        j, end = i - 1, item.start
        while j >= 0:
            prev = items[j]
            chain_end = prev.stop
            # an owner right after the organisation: "комитета «…» Китайской ассоциации …"
            while isinstance(prev, Found) and j > 0 and isinstance(items[j - 1], Found) and prev.type == "ORG" \
                    and items[j - 1].type == "ORG" and GAP.match(between(text, items[j - 1].stop, prev.start)):
                j -= 1
                prev = items[j]
            if isinstance(prev, Found) and prev.type in ("ORG", "LOC") and j > 0 and isinstance(items[j - 1], Post) \
                    and GAP.match(between(text, items[j - 1].stop, prev.start)):
                post, target = items[j - 1], prev
                # "в России" after the governed place: "Посол Японии в России"
                gap = between(text, chain_end, end)
                if not (GAP.match(gap) or LINK.match(gap) or re.match(r"^\s*в\s+\S+\s*$", gap)):
                    break
                add(item, post, target)
                end, j = post.start, j - 2
            elif isinstance(prev, Post) and (GAP.match(between(text, prev.stop, end)) or LINK.match(between(text, prev.stop, end))):
                add(item, prev, None)
                end, j = prev.start, j - 1
            else:
                break
        # posts after the person: "Руслан Заливацкий, советник губернатора"
        k = i + 1
        if k < len(items) and isinstance(items[k], Post) and re.match(r"^\s*(,|—|–|-)\s*$", between(text, item.stop, items[k].start)):
            target, _ = governed_target(items, k, text)
            add(item, items[k], target)
    return relations


def part_of(doc: Doc, mentions: list[Found], entity_of: dict[int, Entity], sentences: list[tuple[int, int]],
            article_id: str) -> list[Relation]:
    text = doc.text
    relations = []
    orgs = [m for m in mentions if m.type == "ORG"]

    def unit(m: Found) -> bool:
        return lemma(m.text.split()[0].strip("«»\"")) in UNIT_NOUNS if m.text.split() else False

    def evidence(m: Found) -> Evidence:
        for s0, s1 in sentences:
            if s0 <= m.start < s1:
                return Evidence(article_id, s0, s1, text[s0:s1])
        return Evidence(article_id, m.start, m.stop, m.text)

    for outer in orgs:
        for inner in orgs:
            if inner is outer or id(inner) not in entity_of or id(outer) not in entity_of:
                continue
            nested_owner = outer.start < inner.start and inner.stop == outer.stop
            adjacent_owner = inner.start > outer.stop and GAP.match(text[outer.stop:inner.start]) and unit(outer)
            if (nested_owner or adjacent_owner) and entity_of[id(outer)] is not entity_of[id(inner)]:
                relations.append(Relation("PART_OF", entity_of[id(outer)].id, entity_of[id(inner)].id, None,
                                          [evidence(outer)]))
    return relations


def dedupe(relations: list[Relation]) -> list[Relation]:
    """One relation per (type, source, target, role); evidence sentences merged."""
    seen: dict[tuple, Relation] = {}
    for r in relations:
        key = (r.type, r.source, r.target, r.role)
        if key in seen:
            for ev in r.evidence:
                if ev not in seen[key].evidence:
                    seen[key].evidence.append(ev)
        else:
            seen[key] = r
    return [r for r in seen.values() if r.source != r.target]


def find_relations(doc: Doc, article_id: str, mentions: list[Found], entity_of: dict[int, Entity],
                   entities: list[Entity]) -> list[Relation]:
    posts = find_posts(doc, mentions)
    counts = Counter({e.id: len(e.mentions) for e in entities})
    relations = []
    sentences = [(s.start, s.stop) for s in doc.sents]
    for s in doc.sents:
        sentence = Sentence(s.text, s.start, s.stop, mentions, posts)
        relations += works_at(doc, sentence, entity_of, entities, counts, article_id)
    relations += part_of(doc, mentions, entity_of, sentences, article_id)
    return dedupe(relations)
