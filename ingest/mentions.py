"""Mentions: natasha's NER spans, repaired, plus what the grammars find.

natasha's spans come first; then repairs for its known slips (a quoted name cut before
its closing quote, a person swallowed by the organisation before it, a Latin original in
brackets glued to a name); then grammar spans, which win over natasha's where they
cross. A span strictly inside another of a different type stays (a place inside
"мэрия Москвы"); a same-type span inside one stays only when it is the owner at its end
("Фонда Сколково" in "Департамента регионального развития Фонда Сколково").
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, TypeVar

from natasha import Doc
from natasha.extractors import adapt_match
from natasha.norm import normalize, syntax_normalize

from graph.text import lemma, morph, name_key

from .aliases import canonical
from .grammars import everywhere, findall_from
from .grammars.common import RELATIVE_ADJECTIVES, TERRITORY_NOUNS, relative_adjective
from .grammars.projects import MATERIALS  # «ЖБИ», «МДФ»: what a plant makes, no organisation
from .memory import Memory
from .pipeline import pipeline
from .vocabulary import data_file, words

T = TypeVar("T")

NER_TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
PRIORITY = {"natasha": 0, "repair": 1, "grammar": 2}


@dataclass
class Found:
    """A mention candidate before grouping: where, what type, its nominative name."""

    type: str
    start: int
    stop: int
    text: str
    normal: str
    origin: str = "natasha"
    first: str = ""
    middle: str = ""
    last: str = ""
    kind: str | None = None
    head: str = ""  # a project's head word: "завод" in "новый завод по переработке сои"
    label: str = ""  # a project's own name: «Хабаровск» in ТОР «Хабаровск»
    label_start: int = -1
    label_stop: int = -1
    bare: bool = False  # a project head alone ("особая экономическая зона"): only ever another mention
    sense: str = ""  # what tells an unnamed project from others of its kind in the article
    same_as: Found | None = None  # an alias written next to its main form: "(Joshua Wolf)"
    why: str = ""  # why same_as: the rule that tied this mention to it (the entity's merge log)
    facts: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """Curated lists (ingest/data/lexicon.json) as name keys: words that are never entities,
    type fixes, countries and parts of the world."""
    data = data_file("lexicon.json")
    return {
        "not_entities": {name_key(w) for w in data["not_entities"]},
        "types": {name_key(w): t for t, words in data["types"].items() for w in words},
        "countries": frozenset(name_key(c) for c in data["countries"]),
        "world_regions": frozenset(name_key(c) for c in data["world_regions"]),
    }


def span_tokens(doc: Doc, start: int, stop: int) -> list:
    """The tokens of doc that lie within [start, stop)."""
    starts = token_starts(doc)
    first = bisect_left(starts, start)
    return [t for t in doc.tokens[first:bisect_left(starts, stop, first)] if t.stop <= stop]


def token_starts(doc: Doc) -> list[int]:
    """Where each token starts, kept on the doc (computed again if its tokens change)."""
    if getattr(doc, "_token_starts", None) is None or len(doc._token_starts) != len(doc.tokens):
        doc._token_starts = [t.start for t in doc.tokens]
    return doc._token_starts


def normal_form(doc: Doc, etype: str, start: int, stop: int) -> str:
    """Nominative form of a span via natasha's syntax-aware normaliser."""
    tokens = span_tokens(doc, start, stop)
    if not tokens:
        return doc.text[start:stop]
    normal = normalized(rooted(tokens), syntax=True) or doc.text[start:stop]
    return as_written_where_due(etype, doc.text[start:stop], normal)


NORMALS: Memory[str] = Memory(10_000)  # normalised spans by what natasha's normalisers read (about 0.5 kB each)


def normalized(tokens: list, syntax: bool) -> str:
    """natasha's normal form of the tokens (syntax_normalize: the words the span's syntax heads
    in the nominative; normalize: every word), remembered by what it depends on — each token's
    text, tag and head within the span, and the spaces — since inflecting through pymorphy is
    slow and the same names come back in every article."""
    place = {t.id: i for i, t in enumerate(tokens)}
    first = tokens[0].start if tokens else 0
    key = (syntax, *((t.text, t.pos, tuple(sorted(t.feats.items())), place.get(t.head_id, -1),
                      t.start - first, t.stop - first) for t in tokens))
    method = syntax_normalize if syntax else normalize
    return NORMALS.recall(key, lambda: method(pipeline().morph_vocab, tokens))


# prepositions whose phrase keeps its case whatever the case of the name it ends
PREPOSITIONS = frozenset({"по", "при", "для", "в", "во", "на", "с", "со", "у", "под", "о", "об", "из", "от", "до"})


def phrases_as_written(written: str, normal: str) -> str:
    """A prepositional phrase in a name keeps its case: "Советом по земельным и имущественным
    отношениям" is "Совет по земельным и имущественным отношениям", where natasha's normaliser may
    put the phrase's words in the nominative too (the head, before it, still is)."""
    words, normals = written.split(" "), normal.split(" ")
    if len(words) != len(normals):
        return normal
    at = next((i for i, w in enumerate(words) if i > 0 and w.lower() in PREPOSITIONS), len(words))
    return " ".join(normals[:at] + words[at:])


def as_written_where_due(etype: str, written: str, normal: str) -> str:
    """The normal form with what natasha's normalisers should have left as written: an abbreviation's
    capitals, and (not in a person's name: "Ли Со Ён") a prepositional phrase's case; and for a
    place, the noun its adjective agrees with in the nominative too (nominative_noun)."""
    if etype == "PERSON":
        return with_abbreviations(written, normal)
    normal = phrases_as_written(written, normal)
    if etype == "LOC":
        normal = nominative_place(nominative_noun(written, normal))
    return with_abbreviations(written, normal)


def nominative_place(normal: str) -> str:
    """A one-word place natasha's normaliser left as written in another case: "под Тверью",
    "в Люберцах", "Нидерландов" are Тверь, Люберцы, Нидерланды (the dictionary's place names)."""
    if " " in normal or not normal[:1].isupper() or not morph().word_is_known(normal.lower()):
        return normal
    parses = [p for p in morph().parse(normal) if "Geox" in p.tag and "NOUN" in p.tag]
    if not parses or any(p.tag.case == "nomn" for p in parses):
        return normal
    form = parses[0].inflect({"nomn"})
    return cased_as(form.word, normal) if form is not None else normal


def nominative_noun(written: str, normal: str) -> str:
    """"в Щетинском сельсовете", "на Южных Курилах": natasha's normaliser put the adjective in the
    nominative and left the noun as written ("Щетинский сельсовете", "Южные Курилах"); a noun in
    the case and number of the adjective as written agrees with it, and goes in the nominative too."""
    words, normals = written.split(" "), normal.split(" ")
    if len(words) < 2 or len(words) != len(normals) or normals[-1] != words[-1] or normals[0] == words[0]:
        return normal
    agreeing = {(p.tag.case, p.tag.number) for p in morph().parse(words[0]) if "ADJF" in p.tag}
    for parse in morph().parse(words[-1]):
        tag = parse.tag
        if "NOUN" in tag and "anim" not in tag and tag.case != "nomn" and (tag.case, tag.number) in agreeing \
                and (form := parse.inflect({"nomn"})) is not None:
            noun = form.word.capitalize() if words[-1][:1].isupper() else form.word
            return " ".join([*normals[:-1], noun])
    return normal


def with_abbreviations(written: str, normal: str) -> str:
    """"МИДа России" normalised is "МИД России", not "мид России"."""
    words, normals = written.split(" "), normal.split(" ")
    if len(words) != len(normals):
        return normal
    return " ".join(m.group(1) if (m := ABBREVIATION_CASE.fullmatch(w)) else n
                    for w, n in zip(words, normals, strict=False))


# an abbreviation with a case ending: its nominative is the capitals
ABBREVIATION_CASE = re.compile(r"([А-ЯЁ]{2,})[а-яё]{1,3}")


def rooted(tokens: list) -> list:
    """The tokens with the heads natasha's normaliser needs: it puts the words without a head
    in the span in the nominative (and all of them when there is none).
    - A parse in a circle within the span (центр → средств → разработки → исследований →
      центр): the first noun heads.
    - A second head word after "и" that agrees in case with the word before "и" ("центр
      доклинических исследований и разработки …" with "разработки" parsed as a conjunct of a
      word outside the span): it hangs on that word, so it keeps its case."""
    ids = {t.id for t in tokens}
    out = list(tokens)
    if not any(t.head_id not in ids for t in tokens):
        i = next((i for i, t in enumerate(tokens) if t.pos in ("NOUN", "PROPN")), 0)
        out[i] = copy(tokens[i])
        out[i].head_id = None
        return out
    roots = [i for i, t in enumerate(tokens) if t.head_id not in ids]
    for i in roots[1:]:
        token, before = tokens[i], tokens[i - 2] if i >= 2 else None
        if before is not None and tokens[i - 1].text.lower() in ("и", "или") and i - 2 not in roots \
                and token.feats.get("Case") and before.feats.get("Case") == token.feats.get("Case"):
            out[i] = copy(token)
            out[i].head_id = before.id
    return out


SMALL_WORDS = {"по", "и", "в", "во", "на", "для", "с", "со", "о", "об", "при", "от", "за", "к"}


def initials(name: str) -> str:
    words = re.findall(r"[\w]+", name.lower().replace("ё", "е"))
    return "".join(w[0] for w in words if w not in SMALL_WORDS)


def abbreviates(abbreviation: str, words: str) -> bool:
    """"мэз" for "Маслоэкстракционный завод": each word gives its first letter and maybe more
    of its letters, in order (the parts of a compound word)."""
    def fits(abbr: str, rest: list[str]) -> bool:
        if not rest:
            return not abbr
        if not abbr or abbr[0] != rest[0][0]:
            return False
        word = rest[0][1:]
        for taken in range(len(abbr)):  # letters beyond the first, taken from this word in order
            if fits(abbr[1 + taken:], rest[1:]):
                return True
            if 1 + taken >= len(abbr) or (at := word.find(abbr[1 + taken])) < 0:
                return False
            word = word[at + 1:]
        return False
    parts = [w for w in re.findall(r"\w+", words.lower().replace("ё", "е")) if w not in SMALL_WORDS]
    return bool(parts) and fits(abbreviation, parts)


def headed_by(name: str, body: str) -> bool:
    """"мид россия", "японский мид": the body heads the name (first word, or second after its adjective)."""
    words = name.split()
    return words[0] == body or (len(words) == 2 and words[1] == body)


def one_headed_by(body: str, named: dict[str, T]) -> T | None:
    """Of things by name key, the one a body noun heads ("японский мид" for "мид"), if just one:
    the body of that kind the article names in full."""
    found = [thing for key, thing in named.items() if key != body and headed_by(key, body)]
    return found[0] if len(found) == 1 else None


def make_found(doc: Doc, etype: str, start: int, stop: int, origin: str) -> Found:
    text = doc.text[start:stop]
    return Found(etype, start, stop, text, normal_form(doc, etype, start, stop), origin=origin)


def natasha_mentions(doc: Doc) -> list[Found]:
    found = []
    for span in doc.spans:
        etype = NER_TYPES.get(span.type)
        if etype is None:
            continue
        normal = ""
        if etype == "LOC" and len(span.tokens) > 1:  # "Азиатско-Тихоокеанского регион": use the syntax
            normal = normalized(span.tokens, syntax=True)
        normal = normal or normalized(span.tokens, syntax=span.type == "ORG") or span.text  # as span.normalize
        found.append(Found(etype, span.start, span.stop, span.text, as_written_where_due(etype, span.text, normal)))
    return found


# --- repairs of natasha's spans ------------------------------------------------

CLOSING = {"«": "»", "„": "“", '"': '"'}


def close_quotes(doc: Doc, f: Found) -> Found:
    """«Хабаровские вести → «Хабаровские вести»: extend to the closing quote in the same sentence."""
    text = doc.text
    opened = [q for q in CLOSING if f.text.count(q) > f.text.count(CLOSING[q]) or
              (q == '"' and f.text.count('"') % 2 == 1)]
    if not opened:
        return f
    close = CLOSING[opened[0]]
    end = text.find(close, f.stop)
    limit = min([i for i in (text.find(".", f.stop), text.find("\n", f.stop)) if i != -1] or [len(text)])
    if end == -1 or end > limit or end - f.stop > 80:
        return f
    end += 1
    if text[f.start:end].count("(") > text[f.start:end].count(")") and text[end:end + 1] == ")":
        end += 1  # "Hengsheng Machinery («Хэншэн Машинери»)": the bracket closes too (split_brackets splits it)
    return make_found(doc, f.type, f.start, end, "repair")


BRACKETED = re.compile(r"\s*\(([^()]{2,80})\)$")


def split_brackets(doc: Doc, f: Found) -> list[Found]:
    """"Джошуа Вольфа (Joshua Wolf)" → the name, and "Joshua Wolf" as another form of it."""
    m = BRACKETED.search(f.text)
    if not m or m.start() == 0:
        return [f]
    main = make_found(doc, f.type, f.start, f.start + m.start(), "repair")
    inner_start = f.start + m.start(1)
    inner = make_found(doc, f.type, inner_start, inner_start + len(m.group(1)), "repair")
    if not (main.text.isupper() and inner.text.isupper()):  # "ООН (ФАО)": two abbreviations, two things
        inner.same_as = main
        inner.why = "written in brackets after the name"
    return [main, inner]


CAPITAL_WORD = re.compile(r"^[A-ZА-ЯЁ][a-zа-яё-]+$")


def split_trailing_person(doc: Doc, f: Found) -> list[Found]:
    """"ассоциации малых и средних предприятий Шан Шивэй": the last two capitalised words
    after a lower-case one are a person, not part of the organisation."""
    if f.type != "ORG":
        return [f]
    tokens = span_tokens(doc, f.start, f.stop)
    if len(tokens) < 4 or "»" in f.text:
        return [f]
    a, b, before = tokens[-2], tokens[-1], tokens[-3]
    if not (CAPITAL_WORD.match(a.text) and CAPITAL_WORD.match(b.text) and before.text.islower()):
        return [f]
    org = make_found(doc, "ORG", f.start, before.stop, "repair")
    person = make_found(doc, "PERSON", a.start, b.stop, "repair")
    return [org, person]


GEO_NOUN = re.compile(r"(?:^|\s)((?:остров|полуостров|бухт|залив|рек|озер|мыс|пролив|хребт|мор|архипелаг|долин"
                      r"|станци|станиц)"
                      r"[а-яё]{0,3}"
                      r"|гор(?:а|ы|е|у|ой))\s+$",
                      re.IGNORECASE)


def with_geo_noun(doc: Doc, f: Found) -> Found:
    """"острове Шикотан", "бухте Воевода", "станице Грушевской": the natural feature's or the
    station's word belongs to the place's name."""
    if f.type != "LOC":
        return f
    m = GEO_NOUN.search(doc.text[max(0, f.start - 20):f.start])
    if not m or not m.group(1)[0].islower():
        return f
    start = f.start - (len(doc.text[max(0, f.start - 20):f.start]) - m.start(1))
    g = make_found(doc, "LOC", start, f.stop, "repair")
    written, *name = g.text.split()
    first = morph().parse(name[0])[0] if len(name) == 1 else None
    if first is not None and first.tag.POS == "ADJF" and "Poss" not in first.tag:
        # "станице Грушевской": an adjective name agrees with its noun in the nominative
        noun = lemma(written.lower())
        g.normal = f"{noun} {agreeing(name[0], noun) or name[0]}"
    return g


def agreeing(adjective: str, noun: str) -> str | None:
    """The adjective in the nominative singular of the noun's gender, cased as written
    ("Грушевской" with станица: Грушевская), if it is one."""
    parse = next((p for p in morph().parse(adjective) if p.tag.POS == "ADJF"), None)
    gender = morph().parse(noun)[0].tag.gender
    inflected = parse.inflect({"sing", "nomn", gender}) if parse is not None and gender else None
    return cased_as(inflected.word, adjective) if inflected is not None else None


DOMAIN = re.compile(r"^\.?(РФ|рф|ру|ru|com|онлайн)\b")
WITH_DOMAIN = re.compile(r"\w\.(РФ|рф|ру|ru|com|онлайн)$")


def with_domain(doc: Doc, f: Found) -> Found:
    """"ВЭБ.РФ", "Дом.РФ": a name with a domain zone is one organisation."""
    m = DOMAIN.match(doc.text[f.stop:f.stop + 8])
    if f.type != "ORG" or m is None or (not f.text.endswith(".") and not m.group(0).startswith(".")):
        return f
    g = make_found(doc, "ORG", f.start, f.stop + m.end(), "repair")
    g.normal = doc.text[g.start:g.stop]
    return g


BULLET = re.compile(r"\s*[•·▪●|]\s*")


def whole_domain_names(found: list[Found], grammar_spans: list[Found]) -> tuple[list[Found], list[Found]]:
    """"ВЭБ.РФ" (natasha's span, made whole by `with_domain`) is one organisation: the "РФ" inside
    it is no place, and the grammar's "корпорация развития ВЭБ" that would cut it is no name."""
    domains = [f for f in found if f.type == "ORG" and WITH_DOMAIN.search(f.text)]
    return ([f for f in found if not (f.type == "LOC" and any(inside(f, d) for d in domains))],
            [g for g in grammar_spans if not any(g.start < d.start < g.stop < d.stop for d in domains)])


def split_bullets(doc: Doc, f: Found) -> list[Found]:
    """"Бахрейн • Барбадос • Бермуды": a bulleted list natasha read as one name."""
    parts, start = [], f.start
    for m in BULLET.finditer(f.text):
        parts.append((start, f.start + m.start()))
        start = f.start + m.end()
    if not parts:
        return [f]
    parts.append((start, f.stop))
    return [make_found(doc, f.type, a, b, "repair") for a, b in parts if b > a]


# "Театр им. Йозефа Бойса", "музей имени А. С. Пушкина", "… имени Станиславского и Немировича-Данченко"
NAMED_AFTER = re.compile(r"^\s*(?:им\.|имени)\s+(?:[А-ЯЁ]\.\s*){0,2}[А-ЯЁ][\w-]+(?:\s+(?:и\s+)?[А-ЯЁ][\w-]+){0,2}")


def with_namesake(doc: Doc, f: Found) -> Found:
    """An organisation named after someone: the name after "им."/"имени" is part of it."""
    if f.type != "ORG":
        return f
    start = f.stop - 3 if f.text.endswith("им.") else f.stop
    m = NAMED_AFTER.match(doc.text[start:start + 80])
    if m is None or start <= f.start:
        return f
    named = make_found(doc, "ORG", f.start, start + m.end(), "repair")
    named.normal = f"{normal_form(doc, 'ORG', f.start, start).rstrip()} {m.group().strip()}"  # the namesake as written
    return named


# "совета директоров АФК «Система»", "правления «Узагротехсаноатхолдинга»": a company's board
GOVERNING_BODY = re.compile(r"^(?:совет\w* (?:директоров|акционеров)|наблюдательн\w+ совет\w*|правлени\w+)"
                            r"\s+(?=[«\"A-ZА-ЯЁ])", re.IGNORECASE)


def without_governing_body(doc: Doc, f: Found) -> Found:
    """"председатель совета директоров РРПК": the board belongs to the post ("председатель совета
    директоров"), the organisation is the company named after it."""
    m = GOVERNING_BODY.match(f.text) if f.type == "ORG" else None
    return make_found(doc, "ORG", f.start + m.end(), f.stop, "repair") if m else f


def without_governing_bodies(doc: Doc, found: list[Found],
                             grammar_spans: list[Found]) -> tuple[list[Found], list[Found]]:
    """natasha's and the grammar's spans without a board before the company; the grammar's
    company is dropped where natasha's span holds it whole ("АФК" in "АФК «Система»")."""
    found = [without_governing_body(doc, f) for f in found]
    kept = []
    for f in grammar_spans:
        g = without_governing_body(doc, f)
        if g is f or not any(inside(g, n) for n in found):
            kept.append(g)
    return found, kept


def repair(doc: Doc, found: list[Found]) -> list[Found]:
    out = []
    for f in found:
        for part in split_bullets(doc, f):
            named = with_namesake(doc, close_quotes(doc, with_geo_noun(doc, with_domain(doc, part))))
            for g in split_trailing_person(doc, named):
                out.extend(split_brackets(doc, g))
    return out


# --- bodies named relative to the article's region -------------------------------------

RELATIVE_BODY = re.compile(rf"^({'|'.join(RELATIVE_ADJECTIVES)})\w*\s+(.+)$", re.IGNORECASE)


def genitive(name: str) -> str:
    """"Хабаровский край" → "Хабаровского края"; words after the first noun stay as written
    ("Республика Татарстан" → "Республики Татарстан")."""
    from graph.text import morph
    out, inflecting = [], True
    for word in name.split():
        form = morph().parse(word)[0] if inflecting else None
        if form is not None and {"ADJF", "NOUN"} & {form.tag.POS}:
            g = form.inflect({"gent"})
            new = g.word if g else word
            out.append(new.capitalize() if word[:1].isupper() else new)
            inflecting = form.tag.POS != "NOUN"
        else:
            out.append(word)
    return " ".join(out)


def anchor_relative_bodies(found: list[Found]) -> None:
    """"краевое правительство" is the government of the article's край: name it so
    ("правительство Хабаровского края"), so it groups and resolves with the full form."""
    places = [f for f in found if f.type == "LOC"]
    for f in found:
        m = RELATIVE_BODY.match(f.normal) if f.type == "ORG" else None
        if not m:
            continue
        kinds = RELATIVE_ADJECTIVES[m.group(1).lower()]
        names = (canonical("LOC", p.normal) or p.normal for p in places)  # "Приморье": Приморский край
        regions = [n for n in names if set(kinds) & set(name_key(n).split())]
        if not regions:
            continue
        counts = Counter(regions)
        region = max(counts, key=lambda n: (counts[n], n))
        f.normal = f"{m.group(2)} {genitive(region)}"


# --- the lexicon -----------------------------------------------------------------

def generic(f: Found, text: str) -> bool:
    """No name at all: a bare number, or a lone common noun for a kind of institution
    ("Университет", "Госпиталь", "Бюро"; not "Правительство", which names the one in context)."""
    if f.type not in ("ORG", "LOC") or " " in f.text.strip() or f.text.startswith(("«", '"')) \
            or text[max(0, f.start - 1):f.start] in ("«", '"'):  # «Центра» is a name
        return False
    if f.text.isdigit():
        return True
    if f.text.isupper() or not f.text[:1].isupper():
        return False
    return lemma(f.text) in GENERIC_NOUNS


GENERIC_NOUNS = words("generic_nouns")


def apply_lexicon(found: list[Found], text: str) -> list[Found]:
    lex = lexicon()
    out = []
    for f in found:
        key = name_key(f.normal)
        if key in lex["not_entities"] or name_key(f.text) in lex["not_entities"] or generic(f, text) \
                or f.text in MATERIALS:
            continue
        if (t := lex["types"].get(key)) and f.origin != "grammar":
            f.type = t
        elif f.type == "ORG" and canonical("LOC", f.normal):  # "Российской Федерации" is a place
            f.type = "LOC"
        out.append(f)
    return out


# --- combining -------------------------------------------------------------------

def outermost(mentions: list[Found]) -> list[Found]:
    """Mentions not inside another one (mentions of the same span are all kept), in their order."""
    nested, reach, span, reach_before_span = set(), -1, None, -1
    for m in sorted(mentions, key=lambda m: (m.start, -m.stop)):  # containers before what they contain
        if (m.start, m.stop) != span:
            span, reach_before_span = (m.start, m.stop), reach
        if reach_before_span >= m.stop:
            nested.add(id(m))
        reach = max(reach, m.stop)
    return [m for m in mentions if id(m) not in nested]


class Span(Protocol):
    """Anything with a start and a stop in the text: a mention, a point, a post."""

    @property
    def start(self) -> int: ...

    @property
    def stop(self) -> int: ...


def inside(a: Span, b: Span) -> bool:
    """a lies within b (and is not b)."""
    return b.start <= a.start and a.stop <= b.stop and (a.start, a.stop) != (b.start, b.stop)


def crosses(a: Found, b: Found) -> bool:
    return a.start < b.stop and b.start < a.stop and not inside(a, b) and not inside(b, a)


def may_nest(inner: Found, outer: Found) -> bool:
    if inner.type != outer.type:
        return True
    # the owner at the end: "… Фонда Сколково"; not the body itself after the adjective that makes
    # it the region's ("регионального Мининвеста": anchor_relative_bodies)
    before = outer.text[:inner.start - outer.start].split()
    return inner.stop == outer.stop and not (len(before) == 1 and relative_adjective(before[0]))


def combine(found: list[Found]) -> list[Found]:
    """Keep the best non-crossing set: grammar before repairs before natasha, longer first."""
    order = sorted(found, key=lambda f: (-PRIORITY[f.origin], -(f.stop - f.start), f.start))
    kept: list[Found] = []
    for f in order:
        if any((k.start, k.stop) == (f.start, f.stop) for k in kept):
            continue
        if any(crosses(f, k) for k in kept):
            continue
        if any(inside(f, k) and not may_nest(f, k) for k in kept):
            continue
        if any(inside(k, f) and not may_nest(k, f) for k in kept):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, -f.stop))


def name_parts(found: list[Found]) -> None:
    """First, middle and last name of each person mention (natasha's names grammar)."""
    for f in found:
        if f.type == "PERSON" and (parts := person_name(f.normal)) is not None:
            f.first, f.middle, f.last = parts


@lru_cache(maxsize=50_000)
def person_name(name: str) -> tuple[str, str, str] | None:
    """(first, middle, last) of a person's name, "" for a part it lacks; None if natasha's names
    grammar does not read it as a name (its first match, as NamesExtractor.find, through our chart)."""
    matches = findall_from(pipeline().names_extractor.parser, name, everywhere(name))
    match = next((adapt_match(m) for m in matches), None)
    if match is None:
        return None
    first, middle, last = (getattr(match.fact, k, None) or "" for k in ("first", "middle", "last"))
    rest = name[match.stop:].strip()
    if first and last and not middle and CAPITAL_WORD.match(rest):
        middle, last = last, rest  # "Реджеп Тайип Эрдоган": natasha stops at the second given name
    return first, middle, last


BARE_NAME = re.compile(r"«([A-ZА-ЯЁ][^«»:.!?]{1,40})»")
LISTED = re.compile(r"(:|,|\bи)\s*$")


def listed_quoted_names(doc: Doc, found: list[Found]) -> list[Found]:
    """«Элком+», «Субмикронные технологии» in a list ("резидентов ОЭЗ: «Элком+», …"): a quoted
    name of up to four words, not inside another mention, right after a colon, comma or "и"."""
    out = []
    for m in BARE_NAME.finditer(doc.text):
        if len(m.group(1).split()) > 4 or not LISTED.search(doc.text[max(0, m.start() - 4):m.start()]):
            continue
        if any(f.start <= m.start() < f.stop or m.start() <= f.start < m.end() for f in found):
            continue
        out.append(make_found(doc, "ORG", m.start(), m.end(), "natasha"))
    return out


TRAILING_ZONE = re.compile(r"\s+(ОЭЗ|ТОР|ТОСЭР|СЭЗ)$")


def common_phrase(doc: Doc, f: Found) -> bool:
    """"Лабораторно-исследовательский корпус" opening a sentence: capitalised only because it
    comes first, every later word in lower case: a phrase, not a name."""
    words = f.text.split()
    if f.origin == "natasha" and f.type == "LOC" and len(words) == 1 and lone_adjective(words[0]):
        before = doc.text[:f.start].rstrip(" «\"")
        return not before or before[-1] in ".!?\n"  # "Северная занимает 77 га": the north site
    if f.origin != "natasha" or f.type != "LOC" or len(words) < 2 \
            or any(w[:1].isupper() or not w.isalpha() and "-" not in w for w in words[1:]):
        return False
    before = doc.text[:f.start].rstrip(" «\"")
    return not before or before[-1] in ".!?\n:—"


# "облправительства", "крайадминистрация": a regional body in one word
REGIONAL_BODY = re.compile(r"\b(обл|край)(правительств|администраци|дум|прокуратур|суд)\w*", re.IGNORECASE)
REGIONAL_ADJECTIVE = {("обл", "neut"): "областное", ("обл", "femn"): "областная", ("обл", "masc"): "областной",
                      ("край", "neut"): "краевое", ("край", "femn"): "краевая", ("край", "masc"): "краевой"}
BODY_OF_STEM = {"правительств": ("правительство", "neut"), "администраци": ("администрация", "femn"),
                "дум": ("дума", "femn"), "прокуратур": ("прокуратура", "femn"), "суд": ("суд", "masc")}


def regional_bodies(doc: Doc) -> list[Found]:
    """"зампред облправительства" → an organisation named "областное правительство", which
    anchor_relative_bodies ties to the article's область when it names one."""
    out = []
    for m in REGIONAL_BODY.finditer(doc.text):
        body, gender = BODY_OF_STEM[m.group(2).lower()]
        f = Found("ORG", m.start(), m.end(), m.group(0), f"{REGIONAL_ADJECTIVE[m.group(1).lower(), gender]} {body}",
                  origin="grammar")
        out.append(f)
    return out


# a company written in Latin letters up to its legal form: "Dandong TICI Flowers Co. Ltd", "Korea Trading &
# Industries Co., Ltd.", "Ozgur Trade and Industrial Co" (NER takes such names whole only now and then); at
# most eight words before the legal form, so that a long run of capitals is read in linear time
LATIN_COMPANY = re.compile(r"\b[A-Z][\w'’.-]*(?:(?:\s+|\s*&\s*)(?:[A-Z0-9][\w'’.-]*|and|of|&)){0,7}?,?\s+"
                           r"(?:Co\.?,?\s*Ltd|Co|Ltd|LLC|Inc|GmbH|AG|Limited|Corp|Corporation|PLC|Pte)\b", re.ASCII)


def latin_companies(doc: Doc) -> list[Found]:
    return [Found("ORG", m.start(), m.end(), m.group(0), m.group(0), origin="grammar")
            for m in LATIN_COMPANY.finditer(doc.text)]


def common_noun(word: str) -> bool:
    """A noun in every reading and no name («Земля», «Власти», «Агропромпарки»): no reading is a
    place's, a person's, an organisation's or an abbreviation, and it is no name the project knows
    (aliases.json, the lexicon's places and typed names: «Еврокомиссия»)."""
    key = name_key(word)
    return all(p.tag.POS == "NOUN" and not NAME_GRAMMEMES & set(p.tag.grammemes) for p in morph().parse(word)) \
        and not canonical("LOC", word) and not canonical("ORG", word) and key not in known_places() \
        and key not in lexicon()["types"]


NAME_GRAMMEMES = {"Geox", "Name", "Surn", "Patr", "Abbr", "Orgn", "Trad"}


def lone_adjective(word: str) -> bool:
    """A word that is an adjective in every reading and never a place's own name."""
    parses = morph().parse(word)
    return all(p.tag.POS in ("ADJF", "ADJS") and "Geox" not in p.tag for p in parses)


def trim_trailing_zone(doc: Doc, f: Found) -> Found:
    """"Республике Татарстан ОЭЗ": the zone after a place is not part of its name."""
    m = TRAILING_ZONE.search(f.text) if f.type == "LOC" else None
    return make_found(doc, "LOC", f.start, f.start + m.start(), "repair") if m else f


# "читайте в статье Частного корреспондента «Синдром второй лиги»": a publication, then a title
PUBLISHED = re.compile(r"\b(?:статье|статьях|материале|материалах|колонке|публикации|интервью|репортаже)\s+"
                       r"([A-ZА-ЯЁ][\w.-]*(?:\s+[\w.-]+){0,3}?)\s+«([^«»\n]{1,100})»")


def publications(doc: Doc) -> tuple[list[Found], list[tuple[int, int]]]:
    """The publications named before the quoted title of one of their pieces, and where the
    titles stand (a title is no organisation: «Жара продолжается»)."""
    matches = list(PUBLISHED.finditer(doc.text))
    return ([make_found(doc, "ORG", *m.span(1), "grammar") for m in matches],
            [(m.start(2) - 1, m.end(2) + 1) for m in matches])


def find_mentions(doc: Doc, grammar_spans: list[Found]) -> list[Found]:
    found = repair(doc, [trim_trailing_zone(doc, f) for f in natasha_mentions(doc) if not common_phrase(doc, f)])
    published, titles = publications(doc)
    found, grammar_spans = without_governing_bodies(doc, found, grammar_spans)
    found, grammar_spans = whole_domain_names(found, grammar_spans)
    found = combine(apply_lexicon(found + grammar_spans + published + regional_bodies(doc) + latin_companies(doc),
                                  doc.text))
    found = [f for f in found if not any(a <= f.start and f.stop <= b for a, b in titles)]
    found = drop_inside_labels(combine(found + listed_quoted_names(doc, found)))
    found += companies_after_products(doc, found)
    found = sorted(found + places_inside_organisations(doc, found), key=lambda f: (f.start, -f.stop))
    anchor_relative_bodies(found)
    name_parts(found)
    for f in found:
        f.normal = with_shared_noun(doc.text, f)
    return found


# "в Кемеровской, Иркутской и Омской областях": the adjectives before the last share its noun
SHARED_NOUN = re.compile(r"(?:\s*,\s*[А-ЯЁ][а-яё-]+)*\s*,?\s+(?:и|или)\s+[А-ЯЁ][а-яё-]+\s+([а-яё]+)\b")


def with_shared_noun(text: str, f: Found) -> str:
    """The name of a territory written as an adjective and its noun, in the singular: "Кемеровской"
    in "в Кемеровской, Иркутской и Омской областях" is Кемеровская область (the adjectives before
    the last share its noun), "Омской областях" Омская область, "Красноярском" in "в Красноярском
    и Забайкальском краях" Красноярский край."""
    words = f.text.split()
    if f.type != "LOC" or len(words) > 2:
        return f.normal
    m = SHARED_NOUN.match(text, f.stop) if len(words) == 1 else None
    written = words[1] if len(words) == 2 else m.group(1) if m else ""
    noun = lemma(written)
    if noun not in TERRITORY_NOUNS:
        return f.normal
    adjective = agreeing(words[0], noun)
    return f.normal if adjective is None else f"{adjective} {cased_as(noun, written)}"


def cased_as(word: str, written: str) -> str:
    """The word with each hyphened part capitalised where the written form's is: "Кабардино-Балкарская",
    "Федерация"."""
    return "-".join(p[:1].upper() + p[1:] if w[:1].isupper() else p
                    for p, w in zip(word.split("-"), written.split("-"), strict=False))


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """One-word countries and parts of the world (lexicon), as name keys."""
    lex = lexicon()
    return frozenset(k for k in lex["countries"] | lex["world_regions"] if " " not in k)


def places_inside_organisations(doc: Doc, found: list[Found]) -> list[Found]:
    """"Совета Европы", "Организация по безопасности и сотрудничеству в Европе": a country or
    part of the world named inside an organisation's name is a place mention too."""
    taken = {(f.start, f.stop) for f in found}
    out = []
    # not inside our grammar's long descriptive names ("Корпорация развития Дальнего Востока и Арктики")
    for org in (f for f in found if f.type == "ORG" and (f.origin != "grammar" or len(f.text.split()) <= 3)):
        for m in re.finditer(r"(?<=\s)[А-ЯЁ][а-яё-]+", org.text):
            start, stop = org.start + m.start(), org.start + m.end()
            if (start, stop) not in taken and name_key(m.group()) in known_places():
                out.append(make_found(doc, "LOC", start, stop, "repair"))
                taken.add((start, stop))
    return out


def companies_after_products(doc: Doc, found: list[Found]) -> list[Found]:
    """«завод устройств заземления и молниезащиты «Хаккель»», «производство гофрокартона
    «ТрансПак»»: the company a plant's quoted name after what it makes names (`label_after_product`),
    a mention of its own inside the project's where no organisation is found there already."""
    out = []
    for p in found:
        if p.type != "PROJECT" or not label_after_product(p) or any(
                f.type == "ORG" and f.start < p.label_stop and p.label_start < f.stop for f in found):
            continue
        closing = doc.text.rfind("»", p.label_start, p.label_stop)
        out.append(make_found(doc, "ORG", p.label_start + 1, closing, "repair"))
    return out


HEAD_WORD = re.compile(r"[\w-]+")


def head_stop(text: str, start: int, stop: int, head: str) -> int | None:
    """Where the first word between start and stop whose lemma is `head` ends ("зерновом
    терминале| ГК «Эфко»"), if there is one."""
    return next((m.end() for m in HEAD_WORD.finditer(text, start, stop) if lemma(m.group().lower()) == head), None)


def label_after_product(p: Found) -> bool:
    """A plant's quoted name after what it makes («завод устройств заземления «Хаккель»») is the
    company making it; right after the head («завод «Звезда»») it is the plant's own."""
    if p.kind not in ("plant", "infrastructure") or not p.label or p.label_start <= p.start \
            or not p.text[p.label_start - p.start:].startswith("«"):
        return False
    after = head_stop(p.text, 0, p.label_start - p.start, p.head)
    between = p.text[after:p.label_start - p.start].split() if after is not None else []
    return bool(between) and between[0].islower()


def company_label(p: Found) -> bool:
    """Whether a project's quoted name names the company whose it is: in the genitive
    («завод «Карматеха»», `owners_label`) or after what the plant makes."""
    return p.kind in ("plant", "infrastructure") and bool(p.label) and (owners_label(p.label) or label_after_product(p))


def owners_label(label: str) -> bool:
    """«Карматеха», «Металлоинвеста»: a quoted name in the genitive after a plant's head words
    says whose plant it is; a plant's own name stays in the nominative («завод «Звезда»»)."""
    first = label.strip("«»\"„“ ").split()[:1]
    if not first or not first[0][:1].isupper():
        return False
    tag = morph().parse(first[0])[0].tag  # a noun: «терминал «Сухого порта»» is the port's own
    return tag.POS == "NOUN" and {"gent", "sing"} <= set(tag.grammemes) and not {"femn", "plur"} & set(tag.grammemes)


def drop_inside_labels(found: list[Found]) -> list[Found]:
    """A place or company inside a project's own name («Хабаровск» in ТОР «Хабаровск») is
    part of that name, not a mention of its own; nor is a "place" among an unnamed
    project's head words ("Газохимический комплекс"). A company whose plant it is
    («завод «Карматеха»», «производство гофрокартона «ТрансПак»»: `company_label`) stays a
    mention, named in the nominative."""
    projects = [p for p in found if p.type == "PROJECT" and p.label_start >= 0]
    owners = [p for p in projects if company_label(p)]
    labels = [(p.label_start, p.label_stop, bool(p.label)) for p in projects if all(p is not o for o in owners)]
    kept = [f for f in found if f.type == "PROJECT" or not any(
        a <= f.start and f.stop <= b and (named or f.type == "LOC") for a, b, named in labels)]
    for f in kept:
        if f.type == "ORG" and " " not in f.text and any(o.label_start <= f.start and f.stop <= o.label_stop
                                                          for o in owners):
            f.normal = cased_as(morph().parse(f.text)[0].normal_form, f.text)
    return kept
