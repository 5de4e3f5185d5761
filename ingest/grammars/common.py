"""Building blocks the grammars share: quoted names, territories in the genitive, place adjectives.

All are yargy rules or predicates; each grammar module composes them into its own rules.
"""
from __future__ import annotations

import os

from yargy import and_, not_, or_, rule
from yargy.predicates import custom, dictionary, eq, gram, in_, is_capitalized, is_upper
from yargy.predicates import type as token_type

from graph.text import name_key

from ..vocabulary import words

# «Хабаровские вести», «ОЭЗ „Ока-Парк“»: up to 12 tokens between the quotes, no sentence end
QUOTED = rule(
    eq("«"),
    not_(in_({"»", ".", "!", "?"})).repeatable(max=12),
    eq("»"),
)
STRAIGHT_QUOTED = rule(
    eq('"'),
    not_(in_({'"', ".", "!", "?"})).repeatable(max=12),
    eq('"'),
)
QUOTED_NAME = or_(QUOTED, STRAIGHT_QUOTED)

CAPITALISED = and_(is_capitalized(), not_(token_type("PUNCT")))
ABBREVIATION = and_(is_upper(), token_type("RU"))
LATIN_WORD = token_type("LATIN")

# "в", "и", "при" also parse as letters or abbreviations in the genitive: never part of a phrase
CONTENT = and_(not_(gram("PREP")), not_(gram("CONJ")), not_(gram("PRCL")))
GENT = and_(gram("gent"), CONTENT)
NOT_NAME = and_(not_(gram("Name")), not_(gram("Surn")), not_(gram("Patr")))

# Хабаровского края, Российской Федерации, Москвы, РФ, США, Ханты-Мансийского автономного округа
TERRITORY_NOUNS = words("territory_nouns")
# a named region: "Дальнего Востока", "Северного Кавказа", "Арктики" (and two joined: "… и Арктики")
GENITIVE_ENDING = custom(lambda w: w.lower().endswith(("ого", "его", "ой", "ей")))
REGION_NAME = or_(rule(and_(gram("ADJF"), GENT, CAPITALISED, GENITIVE_ENDING, NOT_NAME),
                       and_(gram("NOUN"), GENT, CAPITALISED, NOT_NAME)),
                  rule(and_(gram("NOUN"), GENT, CAPITALISED, gram("Geox"))))
TERRITORY = or_(
    rule(and_(gram("ADJF"), GENT, CAPITALISED),
         and_(gram("ADJF"), GENT).repeatable(max=2).optional(),
         and_(gram("NOUN"), GENT, dictionary(TERRITORY_NOUNS))),
    # "Республики Бурятия", "Республики Саха (Якутия)": a republic's name stays in the nominative
    rule(and_(dictionary({"республика"}), GENT, CAPITALISED), and_(CAPITALISED, NOT_NAME),
         rule(eq("("), CAPITALISED, eq(")")).optional()),
    rule(REGION_NAME, rule(eq("и"), REGION_NAME).optional()),
    rule(ABBREVIATION),
)


def place_adjective(word: str) -> bool:
    """российский, японский, краевой, областной: adjectives that name a place or level of government."""
    w = word.lower()
    return w.endswith(("ский", "ская", "ское", "ского", "ской", "скому", "ским", "ском", "ские", "ских",
                       "цкий", "цкого", "цкой", "цком")) or w.startswith(
        ("краев", "областн", "городск", "федеральн", "районн", "муниципальн", "региональн"))


# adjectives that make a body the article's region's own ("краевое правительство", "регионального
# Мининвеста"), each with the territory nouns of the regions it can name (ingest.mentions.anchor_relative_bodies)
RELATIVE_ADJECTIVES = {"краев": ("край",), "областн": ("область",), "республиканск": ("республика",),
                       "окружн": ("округ",), "региональн": ("край", "область", "республика")}


def relative_adjective(word: str) -> bool:
    """краевой, областного, региональное: an adjective that makes a body the article's region's."""
    return word.lower().startswith(tuple(RELATIVE_ADJECTIVES))


def names_place(adjective: str, name: str) -> bool:
    """"томский" names Томск, "калужский" Калуга, "тольяттинский" Тольятти, "британский"
    Британия: the adjective (a lemma) begins with the one-word name up to its last letter or
    final vowel."""
    key = name_key(name)
    if not adjective.endswith(("ий", "ый", "ой")) or " " in key or len(key) < 4:
        return False
    stem = key[:-1] if key[-1] in "аяоеиыь" else key
    common = len(os.path.commonprefix([adjective, key]))
    return common >= 4 and common >= len(stem) - 1


PLACE_ADJECTIVE = and_(gram("ADJF"), custom(place_adjective))
