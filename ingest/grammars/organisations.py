"""Organisation names natasha misses or cuts short.

- legal form or organisation noun + quoted name: АНО «Агентство … Хабаровского края»,
  ООО «Тайга Металл», СИ «Хабаровские вести», компания «Амур», движение «Солидарность»
- a body named with its territory: правительство Хабаровского края, мэрия Москвы,
  Правительство России, министерство промышленности и торговли Хабаровского края,
  правительство Республики Бурятия, кабинет министров Республики Татарстан
- a body with a place adjective: японское правительство, краевое правительство
- a unit named by its function: Департамент регионального развития Фонда Сколково,
  Министерство по развитию Дальнего Востока
- a territorial office: пресс-служба МЧС по Санкт-Петербургу и Ленобласти
"""
from __future__ import annotations

from yargy import Parser, and_, not_, or_, rule
from yargy.predicates import caseless, custom, dictionary, eq, gram, in_caseless, is_capitalized

from ..vocabulary import words
from . import Trigger, make_parser
from .common import (
    ABBREVIATION,
    CAPITALISED,
    CONTENT,
    GENT,
    LATIN_WORD,
    NOT_NAME,
    PLACE_ADJECTIVE,
    QUOTED_NAME,
    TERRITORY,
    TERRITORY_NOUNS,
    relative_adjective,
)

LEGAL_FORMS = words("legal_forms")

# nouns that, followed by a quoted name, make an organisation
ORG_NOUNS = words("org_nouns")

# bodies that are named with their territory or a place adjective
BODIES = words("bodies")

# units named by what they do: a noun + genitive phrase or по + dative phrase
UNITS = words("units")

LEGAL = rule(in_caseless(LEGAL_FORMS), QUOTED_NAME)
NOUN_QUOTED = rule(and_(gram("ADJF"), not_(is_capitalized())).repeatable(max=2).optional(),
                   dictionary(ORG_NOUNS), QUOTED_NAME)

# lower-case genitive words after a unit noun: "промышленности и торговли", "регионального развития"
GENT_WORD = and_(GENT, not_(is_capitalized()), or_(gram("NOUN"), gram("ADJF")))
# a list of them: "кластеров, технопарков и ОЭЗ", "промышленности, торговли и инвестиций"
GENT_ITEM = or_(rule(GENT_WORD.repeatable(max=3)), rule(ABBREVIATION))
GENT_PHRASE = rule(GENT_WORD.repeatable(max=4),
                   rule(eq(","), GENT_ITEM).repeatable(max=3).optional(),
                   rule(caseless("и"), GENT_ITEM).optional())
DAT_WORD = and_(gram("datv"), CONTENT, not_(is_capitalized()), or_(gram("NOUN"), gram("ADJF")))
# "российско-японскому": a compound adjective, written with a hyphen
HYPHENED = rule(and_(CONTENT, not_(is_capitalized())), eq("-"), and_(gram("ADJF"), gram("datv")))
PO_PHRASE = rule(caseless("по"),
                 or_(rule(or_(DAT_WORD, gram("ADJF"))), HYPHENED).repeatable(max=4),
                 GENT_WORD.repeatable(max=2).optional(),
                 rule(caseless("и"), DAT_WORD.repeatable(max=3), GENT_WORD.repeatable(max=2).optional()).optional(),
                 TERRITORY.repeatable(max=2).optional())
# bodies a place adjective names on its own: "японское правительство", "краевое министерство …"
ADJ_BODIES = words("adjective_bodies")

# a regional ministry or inspectorate in one word the dictionary lacks: «Мининвест», «Минпромэнерго»
BODY_PREFIXES = tuple(sorted(words("body_prefixes")))
PREFIXED_BODY = custom(lambda w: w.lower().startswith(BODY_PREFIXES))
BODY = or_(dictionary(BODIES), and_(is_capitalized(), PREFIXED_BODY))
# "кабинет министров Республики …"; "Агентство Дальнего Востока по привлечению инвестиций", but not a
# government's or an administration's: "… правительства Республики Карелия по вопросам экономики" is the post's
GOVERNMENTS = {"правительство", "администрация", "мэрия", "губернаторство", "кабинет"}
GOV_TERRITORY = or_(rule(BODY, caseless("министров").optional(), TERRITORY),
                    rule(dictionary(BODIES - GOVERNMENTS), TERRITORY, PO_PHRASE))
# the region's own: "регионального Мининвеста", "областного минпромторга" (ingest.mentions.anchor_relative_bodies)
ADJ_BODY = or_(rule(PLACE_ADJECTIVE, dictionary(ADJ_BODIES), or_(GENT_PHRASE, TERRITORY).optional()),
               rule(and_(gram("ADJF"), custom(relative_adjective)), PREFIXED_BODY))

# "при Президенте РФ по развитию информационного общества": never a person's name
PRI_WORD = and_(CONTENT, NOT_NAME, or_(gram("NOUN"), gram("ADJF")))
PRI_TAIL = rule(caseless("при"), PRI_WORD.repeatable(max=3), TERRITORY.optional(), PO_PHRASE.optional())

UNIT = dictionary(UNITS)
# a territorial office: "… МЧС по Санкт-Петербургу и Ленобласти", "… по Хабаровскому краю"
DAT_PLACE = or_(rule(and_(gram("ADJF"), gram("datv"), CAPITALISED),
                     and_(gram("NOUN"), gram("datv"), dictionary(TERRITORY_NOUNS))),
                rule(rule(CAPITALISED, eq("-")).optional(), and_(gram("NOUN"), gram("datv"), CAPITALISED, NOT_NAME)))
BY_TERRITORY = rule(caseless("по"), DAT_PLACE, rule(caseless("и"), DAT_PLACE).optional())
# the owner after a unit: Фонда Сколково, Хабаровского края
OWNER = or_(TERRITORY, rule(and_(gram("NOUN"), GENT, is_capitalized(), NOT_NAME),
                            and_(is_capitalized(), NOT_NAME).repeatable(max=2).optional()))
CAPITAL_UNIT = rule(and_(UNIT, is_capitalized()), or_(GENT_PHRASE, PO_PHRASE, PRI_TAIL), OWNER.optional(),
                    BY_TERRITORY.optional())
UNIT_WITH_OWNER = rule(UNIT, or_(GENT_PHRASE, PO_PHRASE), OWNER, BY_TERRITORY.optional())

# "Следственного комитета при прокуратуре", "совета при Президенте РФ"
# "Федеральной миграционной службы России", "Верховного народного собрания КНДР"
NAMED_BODY = rule(and_(gram("ADJF"), is_capitalized()),
                  and_(gram("ADJF"), not_(is_capitalized())).repeatable(max=3).optional(),
                  or_(rule(UNIT, or_(GENT_PHRASE, PO_PHRASE).optional()), rule(BODY, PO_PHRASE.optional())),
                  PRI_TAIL.optional(), OWNER.optional())

# a unit inside a named organisation: "фракции КПРФ", "отдела корпоративных серверов и сетей HP",
# "московского отделения движения «Солидарность»", "президиума Экспертного совета …"
SUB_UNITS = words("sub_units")
NAMED_OWNER = or_(rule(ABBREVIATION), LATIN_WORD.repeatable(max=3), rule(dictionary(ORG_NOUNS), QUOTED_NAME),
                  QUOTED_NAME)
SUB_UNIT = rule(and_(gram("ADJF"), not_(is_capitalized())).repeatable(max=2).optional(),
                and_(dictionary(SUB_UNITS), not_(is_capitalized())), GENT_PHRASE.optional(), NAMED_OWNER,
                BY_TERRITORY.optional())

ORGANISATION = or_(LEGAL, NOUN_QUOTED, GOV_TERRITORY, ADJ_BODY, NAMED_BODY, SUB_UNIT,
                   CAPITAL_UNIT, UNIT_WITH_OWNER)


# a sentence can hold an organisation only with one of these (checked before parsing):
# every rule needs a legal form before a quoted name, or a body, unit or organisation noun
TRIGGER = Trigger(frozenset(BODIES | UNITS | ORG_NOUNS | SUB_UNITS | {f.lower() for f in LEGAL_FORMS}),
                  prefixes=BODY_PREFIXES, after=140)


def parser() -> Parser:
    return make_parser(ORGANISATION)
