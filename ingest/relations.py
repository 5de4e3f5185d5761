"""Relations between the entities of one article, each with the sentence that states it.

WORKS_AT person → organisation or place, with the post in the nominative:
  - post + organisation/place + person: "губернатор Московской области Андрей Воробьев",
    "директор АНО «…», советник губернатора региона Руслан Заливацкий" (a chain of posts)
  - person + comma/dash + post + organisation/place: "Татьяна Скригонюк, заместитель
    начальника пресс-службы МЧС"
  A post that ends in "края", "области", "региона" with no place after it governs the
  article's region of that kind ("советник губернатора региона" → Хабаровский край); one
  that ends in a body ("председатель правительства") the one such body the article names.
  A minister works at the ministry the article names ("министр по развитию Дальнего
  Востока" → Минвостокразвития), unless a country follows the post.
PART_OF organisation → organisation: a unit with its owner at its end ("Департамент
  регионального развития Фонда Сколково") or right after it ("рабочего комитета «…»
  Китайской ассоциации …"), a company in its group ("(входит в ГК «Алмаз»)"), a body attached to
  another ("Совет по … при правительстве области").
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeGuard

from natasha import Doc

from graph.model import Entity, Evidence, Relation
from graph.text import lemma, name_key

from .aliases import canonical
from .aliases import groups as alias_groups
from .grammars import sentence_matches
from .grammars.common import names_place, place_adjective
from .grammars.organisations import BODIES
from .grammars.positions import TRIGGER as POST_TRIGGER
from .mentions import (
    SMALL_WORDS,
    Found,
    initials,
    lexicon,
    make_found,
    normal_form,
    one_headed_by,
    outermost,
    span_tokens,
)
from .vocabulary import data_file, mapping, ordered, words

UNIT_NOUNS = words("unit_nouns")
REGION_WORDS = mapping("region_words")
LINK = re.compile(r"^\s*(,|—|–|-|\(|и)?\s*$")
GAP = re.compile(r"^\s*$")
COORDINATION = re.compile(r"^\s*(,|и)\s*$")
AFTER = re.compile(r"^\s*(,|—|–|-|\(|,\s*(который|которая)\s+(занимает|занимал|занимала|занял|заняла)\s+"
                   r"(пост|должность))\s*$")
PREPOSITION = re.compile(r"^\s*(в|во|на|от|по|при|из)\s*$", re.I)
# "Рубцовского завода запчастей (входит в ГК «Алмаз»)", "…, входящее в холдинг «…»", "— дочерняя компания"
MEMBER_OF = re.compile(r"\s*(\(\s*|,\s*|\s—\s*)(входит|входящ\w+|входил\w*|является дочерн\w+ (компанией|структурой)|"
                       r"дочерн\w+ (компания|структура|общество|предприятие))(\s+в\s+(состав\s+|структуру\s+)?)?\s*"
                       r"((группу|группы|холдинг|холдинга|структуру)\s+)?")
# a body attached to another: "Совет по земельным и имущественным отношениям при правительстве области"
ATTACHED = re.compile(r"\s+при\s+")
# a post and where it is held: "полпред в ДФО", "постпред при ООН"
POST_PREPOSITION = re.compile(r"^\s*(в|во|при)\s*$")
# titles and ranks written before a name: "председатель Совета муфтиев России шейх Равиль Гайнутдин"
TITLES = "(" + "|".join(ordered("titles")) + ")"
# "в России", "от штата Аризона" (with a name: only when the name is not a mention), "по космическим полётам"
TAIL = re.compile(r"^\s*((в|во|на|от|по|при)\s+[а-яё-]+(\s+(и\s+)?[а-яё-]+){0,3}\s+|,\s*)?"
                  rf"({TITLES}\s+)?$")
HEADS_OF_STATE = words("heads_of_state")
TIME_WORDS = words("time_words")
NAME_GAP = re.compile(rf"^\s*({TITLES}\s+)?$")
# posts a place adjective governs: "российский президент" (Россия), "британский премьер"
STATE_POSTS = words("state_posts")
NOT_PLACES = ordered("not_place_stems")


@dataclass
class Post:
    start: int
    stop: int
    text: str
    role: str
    plural: bool = False  # "депутаты", "руководители регионов": a group, not one person's post
    place: str = ""  # the lemma of a leading place adjective: "российский президент"
    place_span: tuple[int, int] | None = None  # where that adjective stands


@lru_cache(maxsize=1)
def position_parser():
    from .grammars.positions import parser
    return parser()


def describe(doc: Doc, start: int, stop: int) -> Post:
    """A post with its role in the nominative; a leading place adjective ("российский
    президент") names the target, so the role drops it."""
    tokens = span_tokens(doc, start, stop)
    while len(tokens) > 1 and tokens[-1].pos == "ADJ" and tokens[-1].text.islower():
        tokens.pop()  # "лидер [московского] «Центра»": the adjective belongs to the name after
        stop = tokens[-1].stop
    nouns = [t for t in tokens if t.pos in ("NOUN", "PROPN")]
    plural = bool(nouns) and nouns[0].feats.get("Number") == "Plur"
    place, place_span = "", None
    if len(tokens) > 1 and tokens[0].pos == "ADJ" and lemma(tokens[1].text) in STATE_POSTS \
            and place_adjective(tokens[0].text) and not tokens[0].text.lower().startswith(NOT_PLACES):
        place, place_span = lemma(tokens[0].text), (tokens[0].start, tokens[0].stop)
        start = tokens[1].start
    role = normal_form(doc, "POST", start, stop).lower()
    return Post(start, stop, doc.text[start:stop], role, plural, place, place_span)


def find_posts(doc: Doc, mentions: list[Found]) -> list[Post]:
    """Posts in the text, cut where a mention starts (a post never contains a name)."""
    text = doc.text
    posts = []
    for offset, match in sentence_matches(position_parser(), doc, POST_TRIGGER):
        start, stop = offset + match.span.start, offset + match.span.stop
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
        posts.append(describe(doc, start, stop))
    return posts


def between(text: str, a: int, b: int) -> str:
    return text[a:b] if a <= b else "\x00"


class Sentence:
    """The top-level mentions and posts of one sentence, in text order."""

    def __init__(self, text: str, start: int, stop: int, top_level: list[Found], posts: list[Post]):
        self.text, self.start, self.stop = text, start, stop
        self.items = sorted([m for m in top_level if start <= m.start < stop] +
                            [p for p in posts if start <= p.start < stop], key=lambda x: x.start)


def federal_district(name: str) -> bool:
    """«Дальневосточный федеральный округ», «ДФО»: a federal district (aliases.json's full names)."""
    return "федеральный" in name_key(canonical("LOC", name) or name).split()


def home_country(name: str) -> bool:
    """«Россия», «РФ», «Российская Федерация» (aliases.json)."""
    return canonical("LOC", name) == "Россия"


def region_of(word: str, entities: list[Entity], mention_counts: Counter) -> Entity | None:
    """The article's most-mentioned place of the kind a post names ("губернатора края"); a federal
    district is no governor's region, however often the article names it."""
    kinds = REGION_WORDS.get(lemma(word))
    if kinds is None:
        return None
    places = [e for e in entities if e.type == "LOC" and not federal_district(e.name)
              and (not kinds or any(k in name_key(e.name).split() for k in kinds))]
    if not places:
        return None
    return max(places, key=lambda e: mention_counts[e.id])


def body_of(role: str, entities: list[Entity]) -> Entity | None:
    """"председатель правительства": the one body of that kind the article names ("правительства
    РФ"), when the post ends with the body's noun."""
    words = role.split()
    body = lemma(words[-1]) if len(words) >= 2 else ""
    if body not in BODIES:
        return None
    return one_headed_by(body, {name_key(e.name): e for e in entities if e.type == "ORG"})


def ministry_of(role: str, after: str, entities: list[Entity]) -> Entity | None:
    """The article's ministry that a minister's post names: "заместитель министра
    промышленности и торговли (России)" → Минпромторг России or Министерство промышленности и
    торговли; "министр по развитию (Дальнего Востока)" → Минвостокразвития; "министр
    иностранных дел" → МИД. `after` is the place named right after the post."""
    words = role.split()
    at = next((i for i, w in enumerate(words) if lemma(w) == "министр"), None)
    if at is None or at + 1 == len(words):
        return None
    domain = " ".join(words[at + 1:])
    lemmas = [w for w in name_key(f"{domain} {after}").split() if w not in SMALL_WORDS]
    own = {w for w in name_key(domain).split() if w not in SMALL_WORDS}
    for e in (e for e in entities if e.type == "ORG"):
        for name in [e.name, *e.aliases]:
            key = name_key(name).split()
            first = name.split()[0] if name.split() else ""
            if key and key[0] == "министерство" and own <= set(key[1:]) \
                    or first.isupper() and first.lower() == "м" + initials(domain) \
                    or first.lower().startswith("мин") and built_from(first.lower()[3:], lemmas):
                return e
    return None


def built_from(rest: str, lemmas: list[str]) -> bool:
    """"промторг" from промышленность and торговля, "востокразвития" from развитие and восток:
    the rest of a "Мин…" word is pieces of the domain's words, each the start of a different one."""
    if not rest:
        return True
    for size in range(len(rest), 2, -1):
        piece = rest[:size]
        for w in lemmas:
            common = len(os.path.commonprefix([piece, w]))
            if common >= 3 and common >= size - 2 and built_from(rest[size:], [x for x in lemmas if x is not w]):
                return True
    return False


def heads_state(post: Post) -> bool:
    """"Премьер-министр", "бывший президент", "глава государства": a post that, with no place
    after it, governs the country the article is about."""
    words = name_key(post.role).split()
    if words[-2:] in (["глава", "государство"], ["глава", "страна"]):
        words = words[:-2] + ["президент"]
    if not words or post.place or any(w not in TIME_WORDS for w in words[:-1]):
        return False  # "британский премьер" names its own country; "музыкальный король" none
    return words[-1] in HEADS_OF_STATE


def main_country(entities: list[Entity], mention_counts: Counter) -> Entity | None:
    known = [e for e in entities if e.type == "LOC" and name_key(e.name) in lexicon()["countries"]]
    return max(known, key=lambda e: mention_counts[e.id]) if known else None


def place_named(adjective: str, entities: list[Entity]) -> Entity | None:
    """The article's place a place adjective names."""
    return next((e for e in entities if e.type == "LOC"
                 and any(names_place(adjective, name) for name in [e.name, *e.aliases])), None)


@lru_cache(maxsize=1)
def country_names() -> tuple[str, ...]:
    """Countries as the lexicon and the alias table write them ("Британия", "Америка")."""
    return tuple(data_file("lexicon.json")["countries"]) + tuple(n for names in alias_groups()["LOC"] for n in names)


def countries_of_posts(doc: Doc, mentions: list[Found], posts: list[Post]) -> list[Found]:
    """"британский премьер Гордон Браун": the adjective of a post held by the person named
    right after it is a mention of the country (Британия), the post's target."""
    starts = {m.start: m for m in mentions}
    out = []
    for post in posts:
        person = next((m for at, m in starts.items() if m.type == "PERSON" and post.stop <= at
                       and NAME_GAP.match(doc.text[post.stop:at])), None)
        country = next((c for c in country_names() if names_place(post.place, c)), None) if post.place else None
        if person is None or country is None:
            continue
        assert post.place_span is not None  # describe sets it with post.place
        if post.place_span[0] not in starts:
            found = make_found(doc, "LOC", *post.place_span, "post")
            found.normal = country
            out.append(found)
    return out


def is_tail(text: str, a: int, b: int) -> bool:
    """What may stand between a post's target and the person: "в России", "от штата Аризона",
    "по космическим полётам", a title ("шейх", "полковник")."""
    return bool(TAIL.match(between(text, a, b)))


def adjectives_only(doc: Doc, a: int, b: int) -> bool:
    """Only lower-case adjectives between a post and its target: "лидер московского «Центра»"."""
    gap = between(doc.text, a, b)
    if gap == "\x00":
        return False
    if not gap.strip("«\"„“ "):
        return True
    tokens = [t for t in span_tokens(doc, a, b) if t.text not in "«\"„“"]
    return 0 < len(tokens) <= 3 and all(t.pos == "ADJ" and t.text.islower() for t in tokens)


def is_found(item: Found | Post, *types: str) -> TypeGuard[Found]:
    """A mention (not a post) of one of the types."""
    return isinstance(item, Found) and item.type in types


def tail_items(items: list, j: int, text: str) -> int:
    """Skip places and organisations in a prepositional tail before items[j+1]:
    "Полпред президента РФ [в Северо-Кавказском федеральном округе] Александр Хлопонин"."""
    while j > 0 and isinstance(items[j], Found) and items[j].type in ("LOC", "ORG") \
            and isinstance(items[j - 1], Found) and items[j - 1].type in ("LOC", "ORG") \
            and PREPOSITION.match(between(text, items[j - 1].stop, items[j].start)):
        j -= 1
    return j


def governed_target(doc: Doc, items: list, i: int) -> Found | None:
    """The organisation or place right after post items[i] (lower-case adjectives may stand
    between: "солист ленинградского «Телевизора»")."""
    post = items[i]
    if i + 1 < len(items) and isinstance(items[i + 1], Found) and items[i + 1].type in ("ORG", "LOC") \
            and adjectives_only(doc, post.stop, items[i + 1].start):
        return items[i + 1]
    return None


def names_next(items: list, k: int, text: str) -> bool:
    """A name right after a post (and its target) takes the post: in "Игорь Долгов, гендиректор
    палаты Марина Петрова" the post is Петрова's, not Долгов's."""
    return k + 1 < len(items) and isinstance(items[k + 1], Found) and items[k + 1].type == "PERSON" \
        and NAME_GAP.match(between(text, items[k].stop, items[k + 1].start)) is not None


def signed(text: str, person: Found, post: Post, target: Found | None) -> bool:
    """A signature line: "Кирсан Илюмжинов Президент ФИДЕ" (name, capitalised post, its
    organisation, end of line)."""
    end = target.stop if target is not None else post.stop
    return GAP.match(between(text, person.stop, post.start)) is not None and "\n" not in text[person.stop:post.start] \
        and post.text[:1].isupper() and re.match(r"^[ \t.]*(\n|$)", text[end:]) is not None


def works_at(doc: Doc, sentence: Sentence, entity_of: dict[int, Entity], entities: list[Entity],
             mention_counts: Counter, article_id: str) -> list[Relation]:
    text = doc.text
    items = sentence.items
    evidence = Evidence(article_id, sentence.start, sentence.stop, sentence.text)
    relations = []

    def add(person: Found, post: Post, target: Found | None, shared: bool = False, behind: bool = False) -> None:
        if (post.plural and not shared) or (behind and not post.plural):
            return  # "депутаты" alone is no one's post; "гендиректор … X и Y" is X's only
        target_entity = entity_of.get(id(target)) if target is not None else None
        if target_entity is None and post.place:
            target_entity = place_named(post.place, entities)
        if target_entity is None:  # "министр финансов Алексей Кудрин": the ministry, if the article names it
            target_entity = ministry_of(post.role, "", entities) or body_of(post.role, entities)
        elif target is not None and target_entity.type == "LOC" \
                and name_key(target_entity.name) not in lexicon()["countries"]:
            # "министр по развитию Дальнего Востока": a place that is not a country is the
            # ministry's business, not its seat ("министр финансов России" works for Россия)
            target_entity = ministry_of(post.role, target.text, entities) or target_entity
        if target_entity is None and heads_state(post):
            target_entity = main_country(entities, mention_counts)
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
        first = True
        # coordinated names share the post before them: "вице-премьеры Виктор Зубарев и Наталья Рязанцева"
        behind = False
        shared = i + 1 < len(items) and is_found(items[i + 1], "PERSON") \
            and COORDINATION.match(between(text, item.stop, items[i + 1].start)) is not None
        while j > 0 and is_found(items[j], "PERSON") and COORDINATION.match(between(text, items[j].stop, end)):
            j, end, shared, behind = j - 1, items[j].start, True, True
        while j >= 0:
            if first and (t := tail_items(items, j, text)) < j:
                j, end = t, items[t + 1].start
            prev = items[j]
            chain_end = prev.stop
            # an owner right after the organisation: "комитета «…» Китайской ассоциации …"
            while is_found(prev, "ORG") and j > 0 and is_found(items[j - 1], "ORG") \
                    and GAP.match(between(text, items[j - 1].stop, prev.start)):
                j -= 1
                prev = items[j]
            if is_found(prev, "ORG", "LOC") and j > 0 and isinstance(post := items[j - 1], Post) \
                    and (adjectives_only(doc, post.stop, prev.start)
                         or POST_PREPOSITION.match(between(text, post.stop, prev.start))):
                gap = between(text, chain_end, end)
                if not (LINK.match(gap) or is_tail(text, chain_end, end) or (first and PREPOSITION.match(gap))):
                    break
                add(item, post, prev, shared, behind)
                end, j = post.start, j - 2
            elif isinstance(prev, Post) and (LINK.match(between(text, prev.stop, end))
                                             or (first and is_tail(text, prev.stop, end))):
                add(item, prev, None, shared, behind)
                end, j = prev.start, j - 1
            else:
                break
            first = False
        # posts after the person: "Руслан Заливацкий, советник губернатора", "… — политик и лидер партии"
        k = i + 1
        if k < len(items) and isinstance(post := items[k], Post):
            target = governed_target(doc, items, k)
            if AFTER.match(between(text, item.stop, post.start)):
                if not names_next(items, k + (target is not None), text):
                    add(item, post, target)
            elif signed(text, item, post, target):
                add(item, post, target)
    return relations


def part_of(doc: Doc, mentions: list[Found], entity_of: dict[int, Entity], sentences: list[tuple[int, int]],
            article_id: str) -> list[Relation]:
    text = doc.text
    relations = []
    orgs = [m for m in mentions if m.type == "ORG"]

    def unit(m: Found) -> bool:
        """A unit noun before the name, after any adjectives: "рабочего комитета «…»"."""
        head = m.text.split("«")[0].split()[:3]
        return any(lemma(w.strip("«»\"")) in UNIT_NOUNS for w in head)

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
            member = inner.start > outer.stop and MEMBER_OF.fullmatch(text[outer.stop:inner.start])
            attached = inner.start > outer.stop and ATTACHED.fullmatch(text[outer.stop:inner.start])
            linked = nested_owner or adjacent_owner or member or attached
            if linked and entity_of[id(outer)] is not entity_of[id(inner)]:
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


def find_relations(doc: Doc, article_id: str, mentions: list[Found], posts: list[Post],
                   entity_of: dict[int, Entity], entities: list[Entity]) -> list[Relation]:
    counts = Counter({e.id: len(e.mentions) for e in entities})
    relations = []
    sentences = [(s.start, s.stop) for s in doc.sents]
    top_level = outermost(mentions)
    for s in doc.sents:
        sentence = Sentence(s.text, s.start, s.stop, top_level, posts)
        relations += works_at(doc, sentence, entity_of, entities, counts, article_id)
    relations += part_of(doc, mentions, entity_of, sentences, article_id)
    return dedupe(relations)
