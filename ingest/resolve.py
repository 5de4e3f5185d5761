"""Resolution: which node of the graph each extracted entity is, across articles.

An entity's key is its type plus a normalised core of its name, built so that the forms
one thing takes in different articles meet:
  - persons: surname and first-name initial ("Руслан Заливацкий", "Р. Заливацкий",
    "Заливацкий Руслан" → PERSON:заливацкий|р); namesakes with other first names stay apart;
  - organisations: known variants from the curated alias table, else the name without
    legal form, organisation noun or quotes ("ООО «Тайга Металл»", "Тайга Металл");
  - places: known variants (РФ, Россия), else the name without a leading geographic noun
    ("остров Большой Уссурийский", "Большой Уссурийский");
  - projects: kind and own name ("ТОР «Белогорск»", "территория опережающего развития
    «Белогорск»" → PROJECT:tor:белогорск), else the whole name.
The stores merge on keys; they never see natasha.
"""
from __future__ import annotations

import hashlib
import re

from graph.model import Entity, Extraction
from graph.text import QUOTED, lemma, morph, name_key, quoted_label

from .aliases import canonical
from .grammars.common import place_adjective
from .grammars.organisations import LEGAL_FORMS, ORG_NOUNS
from .mentions import RELATIVE_BODY
from .vocabulary import words

PINNED = re.compile(r"\s(в|во|на|по|для|под|у)\s")
GEO_NOUNS = words("geo_nouns")
LEGAL = {name_key(f) for f in LEGAL_FORMS}


def person_key(entity: Entity) -> str:
    words = name_key(entity.name).split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    surname, first = words[-1], words[0]
    if is_first_name(surname) and not is_first_name(first):  # "Заливацкий Руслан"
        surname, first = first, surname
    return f"{surname}|{first[:1]}"


def is_first_name(word: str) -> bool:
    return any("Name" in p.tag for p in morph().parse(word)[:2])


def organisation_core(name: str) -> str:
    """The name key of an organisation without legal form, organisation noun or quotes."""
    if known := canonical("ORG", name):
        return name_key(known)
    m = QUOTED.search(name)
    words = name_key(name).split()
    if m and words and (words[0] in LEGAL or lemma(words[0]) in ORG_NOUNS or kind_before_name(name[:m.start()])):
        inside = m.group(1) or m.group(2)  # "компания «Амур»" → амур
        if "«" in inside:  # "ООО «Группа компаний «Русагро»»" → русагро, as "ГК «Русагро»"
            return organisation_core(inside + "»" * (inside.count("«") - inside.count("»")))
        return name_key(inside)
    while words and words[0] in LEGAL:
        words = words[1:]
    written = name.split()
    if len(words) == 2 and len(written) == 2 and lemma(words[0]) in ORG_NOUNS and written_as_name(written[1]):
        return words[1]  # "корпорация ТЕХНОНИКОЛЬ", "компания Bosch"
    return " ".join(words)


def written_as_name(word: str) -> bool:
    """A word only a name is written as: in capitals ("ТЕХНОНИКОЛЬ") or in Latin letters ("Bosch")."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 3 and (all(c.isupper() for c in letters) or all("a" <= c.lower() <= "z" for c in letters))


def kind_before_name(lead: str) -> bool:
    """"турецкий промышленный холдинг ": adjectives and then the noun of what the organisation is."""
    words = name_key(lead).split()
    return len(words) > 1 and (words[-1] in LEGAL or words[-1] in ORG_NOUNS) and all(
        any(p.tag.POS in ("ADJF", "PRTF") for p in morph().parse(w)) for w in words[:-1])


def organisation_key(entity: Entity) -> str:
    return organisation_core(entity.name)


def place_core(name: str) -> str:
    """The name key of a place without a leading geographic noun ("остров Большой Уссурийский",
    "Большой Уссурийский"), or of its known variant (РФ → Россия)."""
    if known := canonical("LOC", name):
        return name_key(known)
    words = name_key(name).split()
    if len(words) > 1 and words[0] in GEO_NOUNS:
        words = words[1:]
    return " ".join(words)


def place_key(entity: Entity) -> str:
    return place_core(entity.name)


def project_key(entity: Entity) -> str:
    name = written_name(entity)
    label = quoted_label(name)
    if label is not None:
        return f"{entity.kind or 'other'}:{name_key(label)}"
    return name_key(name)


# why the name a project is written with is its alias: its card adds whose or where it is
# (extract.known_by_owner_or_place)
CARD_NAME = "its name as written; the card adds whose or where it is"


def written_name(entity: Entity) -> str:
    """The name as the text writes it: a project's card name may add its owner or place."""
    return next((a for a, why in entity.merged_by.items() if why == CARD_NAME), entity.name)


def unnamed_project(name: str) -> bool:
    """A project name that says what it is but not which one: "алюминиевый завод", "действующий
    промпарк" (not "свободный порт Владивосток", "завод в Ельце", "томская ОЭЗ")."""
    if quoted_label(name) is not None:
        return False
    words = name.split()
    named = any(w[:1].isupper() for w in words[1:])
    return not (named or PINNED.search(name) or (bool(words) and place_adjective(words[0])))


KEYS = {"PERSON": person_key, "ORG": organisation_key, "LOC": place_key, "PROJECT": project_key}


def entity_key(entity: Entity) -> str:
    core = KEYS.get(entity.type, lambda e: name_key(e.name))(entity) or name_key(entity.name)
    return f"{entity.type}:{core}"


def local(entity: Entity) -> bool:
    """Names that say what a thing is but not which one, so that two articles using them may
    mean two things: a regional body the article did not tie to its region ("областная
    администрация"), an unnamed project pinned by nothing but a common adjective
    ("алюминиевый завод", "действующий промпарк"; not "томская ОЭЗ")."""
    if entity.type == "ORG":
        return bool(RELATIVE_BODY.match(entity.name))
    if entity.type == "PROJECT":
        return unnamed_project(written_name(entity))
    return False


def resolve(extraction: Extraction) -> Extraction:
    """Give every entity its cross-article key (in place) and return the extraction. A name
    that does not tell which thing it is (`local`) keys the entity within its article only."""
    scope = hashlib.sha1(extraction.article.id.encode("utf-8")).hexdigest()[:10]
    for entity in extraction.entities:
        entity.key = entity_key(entity) + (f"@{scope}" if local(entity) else "")
    return extraction
