"""Posts people hold: "генеральный директор", "министр промышленности и торговли",
"первый заместитель прокурора края", "руководитель направления", "советник губернатора".

A post is optional adjectives, a post noun, and an optional lower-case genitive
complement (never a capitalised word: that is the organisation or place it governs).
"""
from __future__ import annotations

from yargy import Parser, and_, not_, or_, rule
from yargy.predicates import caseless, dictionary, eq, gram, is_capitalized

from ..vocabulary import words
from . import Trigger, make_parser
from .common import CONTENT, GENT

POSTS = words("posts")

MODIFIERS = and_(gram("ADJF"), not_(is_capitalized()))
CAP_MODIFIER = and_(gram("ADJF"), dictionary(words("post_modifiers")))
POST = and_(dictionary(POSTS), not_(caseless("после")))  # the preposition, not «посол» in the locative
LOWER_GENT = and_(GENT, not_(is_capitalized()), or_(gram("NOUN"), gram("ADJF")))
LOWER_DAT = and_(gram("datv"), CONTENT, not_(is_capitalized()), or_(gram("NOUN"), gram("ADJF")))
COMPLEMENT = or_(
    rule(  # "министра промышленности, торговли и инвестиций"
        LOWER_GENT.repeatable(max=4),
        rule(eq(","), and_(LOWER_GENT, not_(POST)).repeatable(max=2)).repeatable(max=3).optional(),
        rule(caseless("и"), LOWER_GENT.repeatable(max=3)).optional(),
    ),
    # "директор по инвестициям", "министр по делам разведки", "секретарь по вопросам прав человека"
    rule(caseless("по"), LOWER_DAT.repeatable(max=3), LOWER_GENT.repeatable(max=3).optional()),
)
POSITION = rule(
    or_(CAP_MODIFIER, MODIFIERS).repeatable(max=2).optional(),
    POST,
    COMPLEMENT.optional(),
    # "заместитель начальника", "помощник заместителя госсекретаря": the second post in the genitive
    # ("кабинета министров глава правительства" is two posts)
    rule(and_(POST, GENT), COMPLEMENT.optional()).optional(),
)


# a sentence can hold a post only with one of these words (checked before parsing)
TRIGGER = Trigger(frozenset(POSTS), before=40, after=100)  # two adjectives, a post, its complement


def parser() -> Parser:
    return make_parser(POSITION)
