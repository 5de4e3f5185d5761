"""Extraction: one Article in, one Extraction (entities with mentions, relations with evidence) out.

Steps, each a small function: natasha analyses the text; NER spans become Found
mentions with a nominative name; mentions of one thing in the article are grouped
into one Entity; relation finders add relations with their evidence sentence.
"""
from __future__ import annotations

import gc
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from natasha import Doc

from graph.confidence import confident
from graph.model import TERRITORY_KINDS, Article, Entity, Extraction, Mention, Relation, role_fits
from graph.text import lemma, morph, name_key

from .aliases import canonical
from .candidates import Candidate, relation_candidates
from .facts import project_facts
from .grammars import Lead, everywhere, findall_from, windows
from .grammars.common import names_place
from .grammars.organisations import BODIES, LEGAL_FORMS, UNITS
from .grammars.organisations import TRIGGER as ORG_TRIGGER
from .involvement import BUILD_NOUNS, BUILD_VERBS, ROLE_WORDS, SPEECH_VERBS, START_VERBS, project_relations
from .learned import RelationModel, decide, shipped_model
from .mentions import (
    Found,
    abbreviates,
    common_noun,
    find_mentions,
    initials,
    inside,
    lexicon,
    make_found,
    one_headed_by,
    outermost,
)
from .parties import lender, never_party, never_resident, press_service, state_body
from .pipeline import pipeline
from .project_spans import SpanCandidate, as_found, span_candidates
from .projects import project_mentions
from .relations import countries_of_posts, dedupe, federal_district, find_posts, find_relations, home_country
from .resolve import CARD_NAME, organisation_core, place_core, unnamed_project
from .vocabulary import words

OWNED_NOUNS = BODIES | UNITS | {"пресс-служба", "пресс"}


@lru_cache(maxsize=1)
def organisation_parser():
    from .grammars.organisations import parser
    return parser()


def word_bounds(text: str, start: int, stop: int) -> tuple[int, int]:
    """Widen a span to whole words: yargy splits "пресс-служба" at the hyphen."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
        start -= 1
    while stop < len(text) and text[stop].isalnum():
        stop += 1
    return start, stop


def organisation_spans(text: str, offset: int = 0, leads: tuple[Lead, ...] | None = None,
                       depth: int = 0) -> list[tuple[int, int]]:
    """Organisation spans (beginning where the leads admit, if given); inside "пресс-служба
    правительства Хабаровского края" also the owner at its end ("правительства Хабаровского края")."""
    parser = organisation_parser()
    spans = []
    for match in findall_from(parser, text, everywhere(text) if leads is None else leads):
        start, stop = word_bounds(text, match.span.start, match.span.stop)
        spans.append((offset + start, offset + stop))
        if depth == 0 and len(match.tokens) > 2 and lemma(match.tokens[0].value) in OWNED_NOUNS:
            rest = match.tokens[1].span.start
            spans += [(s, e) for s, e in organisation_spans(text[rest:stop], offset + rest, depth=1)
                      if e == offset + stop]
    return spans


def grammar_mentions(doc: Doc) -> list[Found]:
    spans = [span for sent in doc.sents for window in windows(sent, ORG_TRIGGER)
             for span in organisation_spans(sent.text[window.start:window.stop], sent.start + window.start,
                                            window.leads)]
    spans += [m.span() for m in SITE.finditer(doc.text)]
    organisations = [make_found(doc, "ORG", start, stop, "grammar") for start, stop in spans]
    return organisations + project_mentions(doc)


# news sites named by their address: "сообщает NEWSru.com", "пишет baltinfo.ru"
SITE = re.compile(r"(?<![\w@/.])(?:www\.)?[A-Za-zА-Яа-яЁё0-9][\w-]*(?:\.[\w-]+)*"
                  r"\.(?:ru|com|рф|org|net|info|su|ua|by|kz)\b(?!\.\w|/)")


# --- grouping mentions into entities ---------------------------------------------

def person_key(f: Found) -> tuple[str, str]:
    """(surname lemma, first-name initial) of a person mention; either may be empty."""
    last = name_key(f.last) if f.last else ""
    first = name_key(f.first)[:1] if f.first else ""
    words = name_key(f.normal).split()
    if not last and (not f.first or len(words) > 1):  # natasha could not split the name: use its last word
        last = words[-1] if words else ""
    return last, first


# a Russian surname's case endings and what they may stand for in the nominative, for surnames
# the dictionary does not know ("Мантурова" of Мантуров, "Макиевой" of Макиева, "Рудени" of Руденя)
SURNAME_ENDINGS = (
    (re.compile(r"(?<=[ое]в|ин|ын)(а|у|ым|е)$"), ""), (re.compile(r"(?<=[ое]в|ин|ын)(ой|ою)$"), "а"),
    (re.compile(r"(?<=[сц]к)(ого|ому|им|ом)$"), "ий"), (re.compile(r"(?<=[сц]к)(ой|ую)$"), "ая"),
    (re.compile(r"(?<=[бвгджзклмнпрстфхцчшщ])(и|е|ю|ей)$"), "я"),
)


@lru_cache(maxsize=50_000)
def surname_forms(word: str) -> frozenset[str]:
    """What a surname may be in the nominative: "Лемана" is Леман or Лемана, "Свиридова"
    Свиридов or Свиридова; two spellings of one surname share a form."""
    from graph.text import morph
    low = word.lower().replace("ё", "е")
    declined = {ending.sub(nominative, low) for ending, nominative in SURNAME_ENDINGS if ending.search(low)}
    return frozenset({low, lemma(low)} | declined | {p.normal_form.replace("ё", "е") for p in morph().parse(low)[:4]})


def person_forms(f: Found) -> frozenset[str]:
    return surname_forms(f.last or (f.normal.split() or [""])[-1])


def surnames_mistyped(found: list[Found]) -> None:
    """"Свиридове" tagged a place, "Рейган" an organisation, in an article about Егор Свиридов or
    Рональд Рейган: a one-word name that is the surname of a person named in full is that person."""
    surnames = frozenset().union(*(person_forms(f) for f in found
                                   if f.type == "PERSON" and all(person_key(f))))
    for f in found:
        if f.type in ("LOC", "ORG") and f.origin == "natasha" and " " not in f.text.strip() \
                and not canonical(f.type, f.normal) and name_key(f.normal) not in lexicon()["countries"] \
                and surname_forms(f.text) & surnames:
            f.type, f.last, f.first = "PERSON", f.normal, ""


def organisations_mistyped(found: list[Found]) -> None:
    """"Хэншэн Машинери" tagged a person in an article that wrote "Hengsheng Machinery («Хэншэн
    Машинери»)": a person or place written as an organisation's name in the article is that
    organisation."""
    names = {name_key(f.text): f for f in found if f.type == "ORG" and f.text.startswith("«")}
    for f in found:
        org = names.get(name_key(f.text)) if f.type in ("PERSON", "LOC") and f.origin == "natasha" else None
        while org is not None and org.same_as is not None:  # the name it is an alias of
            org = org.same_as
        if org is not None and org is not f:
            f.type, f.same_as, f.why = "ORG", org, f"written as the organisation's name «{f.text}»"


# what follows a dateline's place: ", 28 августа", ". /корр./", " (Ярославская область)", ". В …"
DATELINE_TAIL = re.compile(r"\s*(?:,\s*\d|,\s*/|\(|\.\s*/|\.\s+[А-ЯЁ])")


def datelines_mistyped(text: str, found: list[Found]) -> None:
    """"ИРКУТСК, 28 августа." tagged an organisation: a capitalised word opening a line before a
    date or a source is the dateline's place, named "Иркутск", when the dictionary knows it as one
    ("ТАСС, 29 июня" stays the agency)."""
    for f in found:
        if f.origin != "natasha" or not f.text.isupper() or len(f.text) < 3:
            continue
        if text[text.rfind("\n", 0, f.start) + 1:f.start].strip() or not DATELINE_TAIL.match(text, f.stop):
            continue
        if any("Geox" in p.tag for p in morph().parse(f.text.split()[-1].lower())):
            f.type, f.normal, f.why = "LOC", f.text.title(), "the place of a dateline"


def group_persons(found: list[Found]) -> list[list[Found]]:
    """Full names form groups (one first initial, one surname in any of its readings); a
    surname alone joins the full name with that surname, the most mentioned one when
    several share it (else the first named); a first name alone joins the one full
    name that has it."""
    groups: list[list[Found]] = []
    partial: list[Found] = []
    for f in found:
        last, first = person_key(f)
        if not (last and first):
            partial.append(f)
            continue
        forms = person_forms(f)
        home = next((g for g in groups if person_key(g[0])[1] == first and forms & person_forms(g[0])), None)
        if home is None:
            groups.append([f])
        else:
            home.append(f)
    full = list(groups)
    for f in partial:
        home = partial_home(f, full)
        if home is not None:
            home.append(f)
        else:  # surnames alone with nothing to join group among themselves
            same = next((g for g in groups if g not in full and person_forms(f) & person_forms(g[0])), None)
            if same is None:
                groups.append([f])
            else:
                same.append(f)
    return groups


def partial_home(f: Found, full: list[list[Found]]) -> list[Found] | None:
    last, first = person_key(f)
    word = name_key(f.first or f.last or f.normal)
    if last:
        same = [g for g in full if person_forms(f) & person_forms(g[0])]
    else:  # a first name alone ("Егора"), or a surname natasha read as a first name ("Свиридов", "Макиевой")
        same = [g for g in full if word and word in {w for h in g for w in name_key(h.normal).split()}] or \
            [g for g in full if " " not in f.text.strip() and surname_forms(f.text.strip()) & person_forms(g[0])]
    if len(same) <= 1:
        return same[0] if same else None
    counts = sorted((len(g) for g in same), reverse=True)
    if counts[0] > counts[1]:
        return max(same, key=len)
    before = [g for g in same if any(h.start < f.start for h in g)]  # else the one the story began with
    return min(before, key=lambda g: min(h.start for h in g)) if before else None


def group_others(found: list[Found]) -> list[list[Found]]:
    """Same type and same lemmatised name (or known variants of one name: РФ, Россия)."""
    groups: dict[tuple[str, str], list[Found]] = defaultdict(list)
    for f in found:
        groups[group_key(f)].append(f)
    join_bare_bodies(groups)
    join_bodies_of_place_adjectives(groups)
    join_first_words_of_latin_names(groups)
    return list(groups.values())


CYRILLIC_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)?")  # what the dictionary can tell an adjective of
LATIN_KEY = re.compile(r"[a-z][a-z0-9&.,'’-]*(?: [a-z0-9&.,'’-]+)*")


def join_first_words_of_latin_names(groups: dict[tuple[str, str], list[Found]]) -> None:
    """"Cadila" in an article that names "Cadila Pharmaceuticals Ltd": a company written in Latin
    letters and named by its first word is the one company of that first word the article names in
    full, if there is just one. So is a body named by its adjective alone ("Худрук Большого" in an
    article about the Большой театр); a noun is a name of its own ("Газпром", "Газпром нефть")."""
    orgs = [key for etype, key in groups if etype == "ORG"]
    latin = [key for key in orgs if LATIN_KEY.fullmatch(key)]
    join_first_words(groups, [k for k in latin if " " not in k], latin, "the first word of a name in Latin letters")
    adjectives = [k for k in orgs if CYRILLIC_WORD.fullmatch(k) and morph().parse(k)[0].tag.POS == "ADJF"]
    join_first_words(groups, adjectives, [k for k in orgs if " " in k], "a name's adjective alone")


def join_first_words(groups: dict[tuple[str, str], list[Found]], short: list[str], named: list[str],
                     why: str) -> None:
    """Each organisation of a `short` key goes with the one `named` key it is the first word of."""
    for key in short:
        full = [k for k in named if k.startswith(key + " ")]
        if len(full) == 1 and ("ORG", key) in groups:
            whole = groups[("ORG", full[0])][0]
            for f in groups[("ORG", key)]:
                f.why = f"{why}; the article names it in full: «{whole.text}»"
            groups[("ORG", full[0])] += groups.pop(("ORG", key))


def join_bodies_of_place_adjectives(groups: dict[tuple[str, str], list[Found]]) -> None:
    """"Израильское правительство" and "правительство Израиля", "российская сборная" and
    "сборная России": one organisation, named by the adjective of its place or by the place."""
    orgs = {key: key.split() for etype, key in groups if etype == "ORG"}
    for key, parts in orgs.items():
        if len(parts) != 2 or not parts[0].endswith(("ский", "цкий")):
            continue
        adjective, body = parts
        full = [k for k, w in orgs.items() if len(w) == 2 and w[0] == body and names_place(adjective, w[1])]
        if len(full) == 1 and ("ORG", key) in groups:
            named = groups[("ORG", full[0])][0]
            for f in groups[("ORG", key)]:
                f.why = f"the place's adjective; the article names the place: «{named.text}»"
            groups[("ORG", full[0])] += groups.pop(("ORG", key))


def join_bare_bodies(groups: dict[tuple[str, str], list[Found]]) -> None:
    """"МИДа" in an article about "японский МИД": a body named bare is the one body of that
    kind the article names in full, if there is just one."""
    for (etype, key) in list(groups):
        if etype != "ORG" or " " in key or key not in BODIES:
            continue
        full = one_headed_by(key, {k[1]: k for k in groups if k[0] == "ORG"})
        if full is not None:
            named = groups[full][0]
            for f in groups[(etype, key)]:
                f.why = f"the body named bare; the article names one: «{named.text}»"
            groups[full] += groups.pop((etype, key))


def group_key(f: Found) -> tuple[str, str]:
    if f.type == "PROJECT":  # by its own name, else by kind and head word ("завод")
        if f.label:
            return f.type, name_key(f.label)
        head = f.head if f.kind in ('plant', 'infrastructure', 'other') else ''
        return f.type, f"{f.kind}:{head}:{f.sense}"
    if f.type == "ORG":  # "движение «Архнадзор»" and "Архнадзор", "ООО «Амур»" and "Амур"
        return f.type, organisation_core(f.normal) or name_key(f.normal)
    if f.type == "LOC":  # "остров Большой Уссурийский" and "Большой Уссурийский"
        return f.type, place_core(f.normal) or place_core(f.text)
    name = canonical(f.type, f.normal) or canonical(f.type, f.text) or f.normal
    return f.type, name_key(name)


LONG_ZONE = re.compile(r"^(территори\w* опережающего (социально-экономического )?развития|"
                       r"особ\w+ экономическ\w+ зон\w*)( [а-яё-]+ типа)? (?=«)", re.I)


DASHED_LABEL = re.compile(r"\s*[—–]\s*(?=«)")


PASSING_WORDS = words("passing_words")


def without_passing_words(name: str) -> str:
    """"Второй технопарк «АлтайБиоТех»", "новый индустриальный парк «Ключ»": an ordinal or a word of
    the moment before a named project is not part of its name."""
    words = name.split(" ")
    while len(words) > 2 and not words[0].startswith("«") and (
            lemma(words[0]) in PASSING_WORDS or "Anum" in morph().parse(words[0].lower())[0].tag):
        words = words[1:]
    return " ".join(words)


def short_zone_name(name: str) -> str:
    """The name analysts write: "ТОР «Белогорск»", "ОЭЗ «Иннополис»"."""
    m = LONG_ZONE.match(name)
    if not m:
        return name
    return ("ТОР " if m.group(1).lower().startswith("территор") else "ОЭЗ ") + name[m.end():]


def best_name(group: list[Found]) -> str:
    if known := canonical(group[0].type, group[0].normal) or canonical(group[0].type, group[0].text):
        return known
    if group[0].type == "PERSON":
        # the fullest name, best as written in the nominative ("Йенс Леман", not "Йенс Лемана")
        counts = Counter(f.normal for f in group)
        written = {f.normal for f in group if f.text == f.normal}
        return max(counts, key=lambda n: (len(n.split()), n in written, counts[n], len(n)))
    if group[0].type == "PROJECT":
        counts = (Counter(f.normal for f in group if f.label and f.same_as is None)
                  or Counter(f.normal for f in group if f.label) or Counter(f.normal for f in group))
        if any(f.label for f in group):  # "ТОР «Хабаровск»" over "территория опережающего развития «Хабаровск»"
            name = short_zone_name(min(counts, key=lambda n: (-counts[n], len(n))))
            return without_passing_words(DASHED_LABEL.sub(" ", name))  # "две ТОР — «Белогорск»": ТОР «Белогорск»
        return max(counts, key=len)
    counts = Counter(f.normal for f in group if f.same_as is None) or Counter(f.normal for f in group)
    if group[0].type != "ORG":
        return max(counts, key=lambda n: (counts[n], len(n)))
    # the name as written with its legal form ("ООО «Тайга Металл»") over "компания «Тайга Металл»"
    named: Counter[str] = Counter()
    for n, k in counts.items():
        named[without_descriptor(n)] += k
    name = max(named, key=lambda n: ((n.split() or [""])[0] in LEGAL_FORMS, named[n], len(n)))
    # a name as a card writes it: "Правительство Хабаровского края" (a Latin brand keeps its case: "fDi")
    return name[:1].upper() + name[1:] if re.match(r"[а-яё]", name) else name


# what kind of organisation a name is, written before it in lower case: "издание «Толк»" is Толк
DESCRIPTORS = words("descriptors")
# the kind in lower case, or capitalised as the first word of a sentence ("Компания «Альянс-НН» построит")
DESCRIBED = re.compile(r"^([А-ЯЁа-яё][а-яё-]+ )?([А-ЯЁа-яё][а-яё-]+) «([^«»]+)»$")


def without_descriptor(name: str) -> str:
    """"издание «Толк»" → Толк, "научно-исследовательское объединение «Сибур-Томскнефтехим»" →
    Сибур-Томскнефтехим: the organisation's own name, without the lower-case kind before it."""
    m = DESCRIBED.match(name)
    if m and lemma(m.group(2).lower()) in DESCRIPTORS and (m.group(1) is None or m.group(2).islower()):
        return m.group(3)
    return name


def sentence_of(sentences: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    for start, stop in sentences:
        if start <= offset < stop:
            return start, stop
    return -1, -1


ABBREVIATION = re.compile(r"^\s*\(\s*([A-ZА-ЯЁ][A-ZА-ЯЁа-яёa-z0-9+-]{1,11})\s*\)")


# an abbreviation written right after an organisation's full name, without brackets
APPOSED = re.compile(r"[А-ЯЁ]{2,6}")
# "обкома КПСС", "отдела ООН": after a unit the abbreviation is its owner, not its other name
UNITS_BEFORE_OWNERS = words("unit_nouns") | words("sub_units")


def link_abbreviations(found: list[Found], text: str) -> None:
    """"Корпорация развития Дальнего Востока (КРДВ)": the abbreviation in brackets (or right after
    the name: "Международная федерация футбола ФИФА"), and every later mention written the same
    way, is the organisation or place before it; after an owner's abbreviation ("организации ООН
    (ФАО)") it is the organisation before the owner."""
    full_of: dict[str, Found] = {}
    for i, f in enumerate(found):
        if f.type in ("ORG", "LOC") and f.same_as is None and (m := ABBREVIATION.match(text[f.stop:f.stop + 16])):
            abbreviation = m.group(1)
            if abbreviation.isupper() and len(abbreviation) < len(f.text):
                full_of.setdefault(abbreviation, f)
            elif abbreviation.isupper() and f.text.isupper() and abbreviation != f.text and i > 0 \
                    and found[i - 1].type == "ORG" and not text[found[i - 1].stop:f.start].strip():
                full_of.setdefault(abbreviation, found[i - 1])
        elif f.type == "ORG" and APPOSED.fullmatch(f.text) and f.text not in LEGAL_FORMS and i > 0 \
                and found[i - 1].type == "ORG" and len(found[i - 1].text.split()) >= 2 \
                and text[found[i - 1].stop:f.start] == " " \
                and not {lemma(w.lower()) for w in found[i - 1].text.split()} & UNITS_BEFORE_OWNERS:
            full_of.setdefault(f.text, found[i - 1])  # "Международная федерация футбола ФИФА"
    for f in found:
        full = full_of.get(f.text.strip("«»\""))
        if full is not None and f is not full and f.same_as is None and f.type in ("ORG", "LOC"):
            f.same_as = full
            f.type = full.type
            f.why = f"abbreviation given in brackets after «{full.text}»"
    link_initials(found)


def split_label(name: str) -> tuple[str, str]:
    """The words before a quoted name and the quoted name: "МЭЗ «Амурский»" → МЭЗ, «Амурский»."""
    words, quote, label = name.partition("«")
    return words.strip(), quote + label


def link_initials(found: list[Found]) -> None:
    """"ОБСЕ" in an article that names the Организация по безопасности и сотрудничеству в
    Европе, "РПЦ" and Русская православная церковь, "МЭЗ «Амурский»" and Маслоэкстракционный
    завод «Амурский», "ЧР" and Чеченская Республика: an abbreviation made of the initials of one
    organisation or place named in full in the article (with the same quoted name, if any) is it."""
    full = [f for f in found if f.type in ("ORG", "LOC") and f.same_as is None and len(f.normal.split()) >= 2]
    for f in found:
        word, label = split_label(f.text.strip("«»\"") if f.text.count("«") < 2 else f.text)
        if f.type not in ("ORG", "LOC") or f.same_as is not None or not re.fullmatch(r"[А-ЯЁ]{2,6}", word) \
                or canonical(f.type, word):
            continue
        named = {name_key(g.normal): g for g in full if g is not f and any(
            len(words.split()) >= 2 and name_key(quoted) == name_key(label)
            and (initials(words) == word.lower() or label and abbreviates(word.lower(), words))
            for words, quoted in (split_label(g.normal), split_label(g.text)))}
        if len(named) == 1:
            target = next(iter(named.values()))
            f.same_as, f.type = target, target.type
            f.why = f"abbreviation of «{target.text}»: the initials of its words"


def merge_reason(f: Found, name: str) -> str:
    """Why a mention belongs to the entity called `name` (shown in the entity's merge log)."""
    if f.why:
        return f.why
    if name_key(f.normal) == name_key(name):
        return "the name (any case form)"
    if canonical(f.type, f.normal) or canonical(f.type, f.text):
        return "known variant of the name (alias table ingest/data/aliases.json)"
    if f.type == "PERSON":
        if not f.first:
            return "surname alone; one person with that surname in the article"
        if len(f.first.rstrip(".")) == 1:
            return "initial and surname of the full name"
        return "same surname and first name"
    if f.type == "ORG":
        return "same name without legal form, organisation noun or quotes"
    if f.type == "PROJECT" and f.label:
        return "same own name"
    if f.type == "PROJECT":
        return "same kind and head word"
    return "same name"


def merge_log(group: list[Found], name: str) -> dict[str, str]:
    log: dict[str, str] = {}
    for f in group:
        log.setdefault(f.text, merge_reason(f, name))
    return log


def main_form(alias: Found, aliases: set[int]) -> Found:
    """The mention an alias stands for, through aliases of aliases ("территорий опережающего
    развития" -> ТОР «Надеждинская», itself the old name of ТОР «Приморье»): the first on the way
    that is no one's alias; where the way comes round to itself, the ring's first mention in the text."""
    way = [alias]
    f = alias.same_as
    while f is not None and id(f) in aliases and all(f is not g for g in way):
        way.append(f)
        f = f.same_as
    if f is None or id(f) not in aliases:
        return f if f is not None else alias
    ring = way[next(i for i, g in enumerate(way) if g is f):]
    return min(ring, key=lambda g: (g.start, g.stop))


def to_entities(found: list[Found], sentences: list[tuple[int, int]],
                text: str = "") -> tuple[list[Entity], dict[int, Entity]]:
    """Group mentions into entities; also returns which entity each Found (by id()) became."""
    present = {id(f) for f in found}
    for f in found:
        if f.same_as is not None and id(f.same_as) not in present:  # its main form lost to a longer span
            f.same_as = None
    link_abbreviations(found, text)
    aliases = [f for f in found if f.same_as is not None and any(f.same_as is g for g in found)]
    main = [f for f in found if not any(f is a for a in aliases)]
    groups = group_persons([f for f in main if f.type == "PERSON"]) + \
        group_others([f for f in main if f.type != "PERSON"])
    group_of = {id(f): g for g in groups for f in g}
    alias_ids = {id(a) for a in aliases}
    for alias in aliases:
        home = main_form(alias, alias_ids)
        if id(home) not in group_of:  # a ring of aliases is an entity of its own
            group_of[id(home)] = []
            groups.append(group_of[id(home)])
        group_of[id(home)].append(alias)
    groups.sort(key=lambda g: min(f.start for f in g))
    entities, entity_of = [], {}
    for n, group in enumerate(groups, 1):
        group.sort(key=lambda f: f.start)
        facts: dict = {}
        for f in group:
            facts.update(f.facts)
        name = best_name(group)
        entities.append(Entity(
            id=f"T{n}", type=group[0].type, name=name,
            kind=next((f.kind for f in group if f.kind), None),
            aliases=sorted({f.text for f in group}),
            # not "ТЕХНОНИКОЛЬ" inside its own "Корпорация ТЕХНОНИКОЛЬ"
            mentions=[Mention(f.start, f.stop, f.text, *sentence_of(sentences, f.start)) for f in outermost(group)],
            facts=facts,
            merged_by=merge_log(group, name),
        ))
        for f in group:
            entity_of[id(f)] = entities[-1]
    return entities, entity_of


# --- relations -------------------------------------------------------------------

# --- the whole step ---------------------------------------------------------------

@dataclass
class Analysis:
    """An article read by the rules: entities, the rules' relations, and the relation
    candidates the model decides on."""

    extraction: Extraction
    candidates: list[Candidate]
    project_candidates: list[SpanCandidate]


def cue_words() -> frozenset[str]:
    return frozenset(ROLE_WORDS) | BUILD_VERBS | BUILD_NOUNS | START_VERBS | SPEECH_VERBS


def analyse(article: Article, model: RelationModel | None = None, project_spans: bool = False) -> Analysis:
    """Entities, the rules' relations, and the relation candidates. With `project_spans` (or a
    model that has a project-phrase scorer) also the project phrases the grammar missed, which
    the model may add as projects."""
    doc = pipeline().analyse(article.text)
    found = find_mentions(doc, grammar_mentions(doc))
    spans = span_candidates(doc, found) if project_spans or (model is not None and model.projects) else []
    if model is not None and model.projects:
        found += [as_found(doc, c) for c in model.projects_taken(spans)]
    posts = find_posts(doc, found)
    found = sorted(found + countries_of_posts(doc, found, posts), key=lambda f: (f.start, -f.stop))
    surnames_mistyped(found)
    organisations_mistyped(found)
    datelines_mistyped(doc.text, found)
    entities, entity_of = to_entities(found, [(s.start, s.stop) for s in doc.sents], doc.text)
    project_facts(doc, article.id, found, entity_of)
    relations = dedupe(find_relations(doc, article.id, found, posts, entity_of, entities)
                       + project_relations(doc, article.id, found, entity_of))
    candidates = relation_candidates(doc, entities, relations, cue_words(), posts)
    return Analysis(Extraction(article=article, entities=entities, relations=relations), candidates, spans)


def residents_of_the_territory(entities: list[Entity], relations: list[Relation]) -> list[Relation]:
    """"Building inside a territory" (the gold's convention): in an article about one territory (a
    park, zone, ТОР, cluster), a party investing in a plant is also the territory's resident. The
    investment's sentence is the evidence. (5-fold CV over seeds 13/7/21: INVOLVED_IN 0.566 -> 0.577;
    simulated with any territory named in the plant's sentence instead: no gain.)"""
    territories = [e for e in entities if e.type == "PROJECT" and e.kind in TERRITORY_KINDS]
    if len(territories) != 1:
        return []
    territory = territories[0].id
    kinds = {e.id: e.kind for e in entities}
    involved = {r.source for r in relations if r.type == "INVOLVED_IN" and r.target == territory}
    added = []
    for r in relations:
        if (r.type == "INVOLVED_IN" and r.role == "investor" and kinds.get(r.target) not in TERRITORY_KINDS
                and r.source not in involved):
            involved.add(r.source)
            added.append(Relation("INVOLVED_IN", r.source, territory, "resident", r.evidence, r.confidence))
    return added


def decided(analysis: Analysis, model: RelationModel | None) -> Extraction:
    """The extraction with the model's relations added to the rules' and its confidence on
    each relation of the types it was trained on (without a model, the rules' alone), and the
    residents of the article's one territory; each INVOLVED_IN in a role its project's kind admits
    (graph.model.role_fits), with a party that can be one in that role (a state body a partner, not
    an investor); no other company a party to a plant named for its own, a person a party only where
    the model is at least even about it; no project placed in the country or a federal district beside
    a region or town; a press service merged into its body; no place named only by a sentence's first
    common noun, nor Russia named only inside organisations' names. What follows the model changes no
    training example: `make train` is unchanged."""
    rules = analysis.extraction
    relations = rules.relations
    if model is not None:
        relations = decide(analysis.candidates, model, rules.relations, rules.article.id, rules.article.text)
    relations = relations + residents_of_the_territory(rules.entities, relations)
    orgs = [e for e in rules.entities if e.type == "ORG"]
    never = {e.id for e in orgs if never_party(e.name)}  # ingest/parties.py: who can be a party, in which role
    bodies = {e.id for e in orgs if never_resident(e.name)}
    # a sentence of residency makes its companies residents of the territory, not of the plants it
    # names (5-fold CV over seeds 13/7/21: INVOLVED_IN 0.502 -> 0.509)
    kinds = {e.id: e.kind for e in rules.entities}
    fitting = [r for r in relations if r.type != "INVOLVED_IN"
               or (role_fits(r.role, kinds.get(r.target)) and r.source not in never
                   and not (r.role == "resident" and r.source in bodies))]
    # a state body or development institution puts in public money, grants or land: a partner, not an
    # investor (GOLD-FORMAT.md, money roles; the gold has 39 of their INVOLVED_IN, no investor among them)
    states = {e.id for e in orgs if state_body(e.name)}
    fitting = dedupe([replace(r, role="partner", evidence=list(r.evidence))
                      if r.type == "INVOLVED_IN" and r.role == "investor" and r.source in states else r
                      for r in fitting])
    fitting = without_crossed_owners(rules.entities, fitting)
    fitting = people_on_their_own_account(rules.entities, fitting)
    fitting = without_frames_of_placed(rules.entities, fitting)
    entities, fitting = press_services_merged(rules.entities, fitting)
    entities, fitting = without_common_nouns_as_places(entities, fitting, rules.article.text)
    entities = known_by_owner_or_place(entities, fitting, rules.article.text)
    return Extraction(article=rules.article, entities=without_home_country(entities, fitting), relations=fitting)


def named_owners(entities: list[Entity]) -> dict[str, set[str]]:
    """The plants and pieces of infrastructure named for their company («завод «Хаккель»», «терминал
    «Металлоинвеста»»): each with the organisations named inside one of its mentions."""
    orgs = [e for e in entities if e.type == "ORG"]
    owners: dict[str, set[str]] = {}
    for p in entities:
        if p.type != "PROJECT" or p.kind not in ("plant", "infrastructure"):
            continue
        named = {o.id for o in orgs for m in o.mentions for pm in p.mentions if inside(m, pm)}
        if named:
            owners[p.id] = named
    return owners


def without_crossed_owners(entities: list[Entity], relations: list[Relation]) -> list[Relation]:
    """A plant named for its company is that company's: another company the model makes a party to
    it crossed a listing («заработали завод «Хаккель», производство гофрокартона «ТрансПак»…»). A
    state body (a partner by its money) and a bank (a lender is an investor) may be parties to any
    plant (GOLD-FORMAT.md, money). 5-fold CV, five partitions: INVOLVED_IN mean 0.624 -> 0.631."""
    owners = named_owners(entities)
    others = {e.id for e in entities if e.type == "ORG" and not state_body(e.name) and not lender(e.name)}
    return [r for r in relations if not (r.type == "INVOLVED_IN" and r.target in owners
                                         and r.source in others - owners[r.target])]


def without_frames_of_placed(entities: list[Entity], relations: list[Relation]) -> list[Relation]:
    """The country and its federal districts frame the news («крупнейший в ЦФО», «первый в России»): a
    project the article places in a region or a town is not also LOCATED_IN them: the gold places 3
    projects in Russia and 1 in a district. 5-fold CV, five partitions: 25 relations dropped, all
    false; LOCATED_IN mean 0.7035 -> 0.710."""
    frames = {e.id for e in entities if e.type == "LOC" and (federal_district(e.name) or home_country(e.name))}
    projects = {e.id for e in entities if e.type == "PROJECT"}
    placed = {r.source for r in relations if r.type == "LOCATED_IN" and r.target not in frames}
    return [r for r in relations if not (r.type == "LOCATED_IN" and r.target in frames
                                         and r.source in placed & projects)]


def people_on_their_own_account(entities: list[Entity], relations: list[Relation]) -> list[Relation]:
    """People act for their organisation: a person is a party to a project only on their own account
    (GOLD-FORMAT.md), which the model says of a person only when it is at least even about it
    (CARD_CONFIDENCE). On the five partitions' predictions it made people parties 6 times, each
    below 0.2 and each wrong; the gold has 2 such pairs, neither found."""
    people = {e.id for e in entities if e.type == "PERSON"}
    return [r for r in relations if not (r.type == "INVOLVED_IN" and r.source in people
                                         and not confident(r.confidence, CARD_CONFIDENCE))]


def without_common_nouns_as_places(entities: list[Entity], relations: list[Relation],
                                   text: str) -> tuple[list[Entity], list[Relation]]:
    """A sentence's first word is capitalised whatever it is, and natasha takes some for places:
    «Земля под транспортно-логистический центр …», «Власти края …», «Агропромпарки появятся …». A
    place named only so, by a common noun (mentions.common_noun), is no place, nor are its relations.
    After the model, so that what it learnt from the other places stays as it was: made in extraction
    the same step moved LOCATED_IN by −0.005 on the five partitions' means (the boosters re-split)."""
    def sentence_initial(m: Mention) -> bool:
        before = text[:m.start].rstrip(" «\"")
        return not before or before[-1] in ".!?\n"

    gone = {e.id for e in entities if e.type == "LOC" and e.mentions
            and all(" " not in m.text and sentence_initial(m) and common_noun(m.text) for m in e.mentions)}
    return ([e for e in entities if e.id not in gone],
            [r for r in relations if r.source not in gone and r.target not in gone])


# the roles of the party a project is known by: its owner ("комбикормовый завод ГК «…»")
OWNING_ROLES = frozenset({"investor", "operator", "developer", "initiator", "management_company"})
# a card names an owner or a place only from a relation the model is at least even about: below it, 9
# of 17 owners were wrong on held-out articles (and named no gold project the better)
CARD_CONFIDENCE = 0.5
IN_PLACE = re.compile(r"(?:^|\s)(в|во|на)\s$", re.IGNORECASE)


def sure(r: Relation) -> float:
    return r.confidence if r.confidence is not None else 1.0


def known_by_owner_or_place(entities: list[Entity], relations: list[Relation], text: str) -> list[Entity]:
    """A project the article names only by what it is ("комбикормовый завод") is known in its card
    by its owner, the organisation most surely investing in, running or building it (at CARD_CONFIDENCE)
    ("комбикормовый завод (ГК «Агропромкомплектация»)"), or where it has none by its place as the
    article writes it ("деревообрабатывающее предприятие в Хабаровском крае"): as the gold names
    such projects (GOLD-FORMAT.md), and so that a list of projects tells them apart. The name as
    written stays an alias; the cross-article key stays the article's own (resolve.local)."""
    by_id = {e.id: e for e in entities}

    def surest(rs: list[Relation]) -> Relation | None:
        """The one relation surer than the others (none where two are as sure: which would be a guess)."""
        ranked = sorted((r for r in rs if confident(r.confidence, CARD_CONFIDENCE)), key=sure, reverse=True)
        if not ranked or (len(ranked) > 1 and sure(ranked[1]) == sure(ranked[0])):
            return None
        return ranked[0]

    out = []
    for e in entities:
        card = None
        if e.type == "PROJECT" and unnamed_project(e.name):
            owner = surest([r for r in relations if r.type == "INVOLVED_IN" and r.target == e.id
                            and r.role in OWNING_ROLES and by_id[r.source].type == "ORG"])
            place = surest([r for r in relations if r.type == "LOCATED_IN" and r.source == e.id])
            if owner is not None:
                card = f"{e.name} ({by_id[owner.source].name})"
            elif place is not None and (written := as_written_in(by_id[place.target], place, text)):
                card = f"{e.name} {written}"
        if card is None:
            out.append(e)
            continue
        out.append(replace(e, name=card, aliases=list(dict.fromkeys([*e.aliases, e.name])),
                           merged_by={**e.merged_by, e.name: CARD_NAME}))
    return out


def as_written_in(place: Entity, relation: Relation, text: str) -> str | None:
    """The place with the preposition the article puts it in with ("в Хабаровском крае"), from
    the relation's evidence sentences first; a place it goes to is not where it is ("пришли в
    Северо-Кавказский федеральный округ")."""
    spans = [(ev.start, ev.stop) for ev in relation.evidence] + [(0, len(text))]
    for start, stop in spans:
        for m in place.mentions:
            if start <= m.start < stop and (found := IN_PLACE.search(text[max(0, m.start - 4):m.start])) \
                    and locative(m.text):
                return f"{found.group(1).lower()} {m.text}"
    return None


def locative(words: str) -> bool:
    """Whether the last word of a place can be in the prepositional case ("крае", "Ельце", "Сочи")."""
    last = words.split()[-1] if words.split() else ""
    return any(p.tag.case in ("loct", "loc2") for p in morph().parse(last))


def press_services_merged(entities: list[Entity], relations: list[Relation]) -> tuple[list[Entity], list[Relation]]:
    """A press service part of a body («пресс-служба правительства Амурской области») speaks for it:
    its mentions are the body's and its relations too (the gold of investment news has no press
    service of its own, GOLD-FORMAT.md). After the model has decided, so that training is unchanged."""
    by_id = {e.id: e for e in entities}
    into = {r.source: r.target for r in relations
            if r.type == "PART_OF" and by_id[r.source].type == "ORG" and press_service(by_id[r.source].name)
            and not press_service(by_id[r.target].name)}
    if not into:
        return entities, relations
    merged = []
    for e in entities:
        if e.id in into:
            continue
        # the press service's mentions that do not hold one of the body's already ("пресс-служба
        # правительства края" holds "правительства края" where the grammar found the owner)
        own = [m for p, body in into.items() if body == e.id for m in by_id[p].mentions
               if not any(m.start <= b.start and b.stop <= m.stop for b in e.mentions)]
        if own:
            texts = [m.text for m in own if m.text not in e.aliases]
            e = replace(e, mentions=sorted(e.mentions + own, key=lambda m: (m.start, m.stop)),
                        aliases=e.aliases + list(dict.fromkeys(texts)),
                        merged_by={**e.merged_by, **{t: "press service of the body" for t in texts}})
        merged.append(e)
    moved = [replace(r, source=into.get(r.source, r.source), target=into.get(r.target, r.target),
                     evidence=list(r.evidence)) for r in relations]
    return merged, dedupe(moved)


def without_home_country(entities: list[Entity], relations: list[Relation]) -> list[Entity]:
    """Russia named only inside organisations' names («Минпромторг России», «Правительство РФ»)
    and in no relation is no place the article talks about: the gold of
    investment news has a place inside an organisation's name as no place of its own (GOLD-FORMAT.md).
    factRuEval's gold has such places (a country in «Совет Европы»), but the home country only where
    a post governs it ("премьер-министр России": a relation), so other places stay."""
    related = {r.source for r in relations} | {r.target for r in relations}
    names = [m for e in entities if e.type == "ORG" for m in e.mentions]

    def named_inside(m: Mention) -> bool:
        return any(inside(m, name) for name in names)

    return [e for e in entities if not (
        e.type == "LOC" and e.id not in related and home_country(e.name)
        and e.mentions and all(named_inside(m) for m in e.mentions))]


def extract(article: Article) -> Extraction:
    model = shipped_model()
    return decided(analyse(article, model), model)


@cache
def ready() -> None:
    """Load natasha, the grammars and the relation model (each cached per process) by extracting a
    short text, then take everything loaded out of the garbage collector's sight (gc.freeze): the
    models are some 200,000 objects that live as long as the process, and each full collection
    walked them all (on a first pass over parks-dev, 0.8 s of 5.6 s went to collecting; 0.35 s
    frozen). Once per process, before its first article, so that its time limit is the article's."""
    extract(Article(id="warm-up", text="Губернатор Калужской области Владислав Шапша открыл завод."))
    gc.freeze()


def as_contract(extraction: Extraction) -> dict[str, Any]:
    """The `investgraph extract --format jsonl` record (a stable contract: extend, never rename)."""
    entities = []
    for e in extraction.entities:
        item: dict[str, Any] = {"id": e.id, "type": e.type, "name": e.name}
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
        if r.confidence is not None:
            item["confidence"] = r.confidence
        ev = r.evidence[0] if r.evidence else None
        item["evidence"] = {"start": ev.start, "stop": ev.stop, "sentence": ev.sentence} if ev else None
        relations.append(item)
    return {"doc": extraction.article.doc or extraction.article.id, "article": extraction.article.id,
            "entities": entities, "relations": relations}


