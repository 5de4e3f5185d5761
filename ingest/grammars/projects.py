"""Investment projects: parks, zones, territories, ports, plants, named or pinned down by the text.

A project is a head that says what it is (индустриальный парк, технопарк, ОЭЗ, ТОР,
свободный порт, кластер, завод, терминал …) and something that makes it one thing:
  - a quoted name:            ТОР «Хабаровск», завод «Звезда», ОЭЗ «Технополис «Москва»
    (with coordinated names: ТОР «Белогорск», «Свободный» и «Приамурская»)
  - a place:                  индустриальный парк в Краснофлотском районе Хабаровска
  - what it makes:            завод по глубокой переработке сои
  - a plant-kind adjective:   алюминиевый завод, газохимический комплекс
Plural heads ("индустриальные парки") are generic talk, never a project, unless a place pins
them down ("горно-обогатительные комбинаты в Бодайбинском районе").
"""
from __future__ import annotations

import re

from yargy import Parser, and_, not_, or_, rule
from yargy.interpretation import fact
from yargy.predicates import (
    caseless,
    custom,
    dictionary,
    eq,
    gram,
    in_,
    in_caseless,
    is_capitalized,
    is_lower,
    is_upper,
    normalized,
)
from yargy.predicates import type as token_type
from yargy.rule import Rule

from .. import vocabulary
from . import Trigger, make_parser
from .organisations import LEGAL_FORMS as ORGANISATION_LEGAL_FORMS

Project = fact("Project", ["head", "name", "more", "what"])


def any_of(*items):
    """or_ over a mix of predicates and rules (yargy's or_ takes one kind at a time)."""
    return or_(*[item if isinstance(item, Rule) else rule(item) for item in items])


def in_caseless_set(values: set[str]):
    return in_caseless(values)


def words(*lemmas: str):
    return rule(*[normalized(w) for w in lemmas])


PLANT_HEADS = vocabulary.words("plant_heads")
INFRASTRUCTURE_HEADS = vocabulary.words("infrastructure_heads")


# heads that name a plant by what it makes, in the genitive: "завод мелющих шаров", "производство метанола"
PRODUCT_HEADS = vocabulary.words("product_heads")
# genitives that say whose, where, when or how big a plant is, not what it makes
# ("завод компании", "производство продукции", "завод полного цикла", "завод мирового уровня")
NOT_PRODUCTS = vocabulary.words("not_products")
# goods in general: what a plant makes only with a word saying which ("завод молочной продукции")
GOODS = vocabulary.words("goods")
LEGAL_FORMS = ORGANISATION_LEGAL_FORMS - {"ИП"}  # "ИП" after a head is an industrial park's
# what a plant makes, as an abbreviation: part of what it makes, never its owner
MATERIALS = vocabulary.words("material_abbreviations")
NOT_OWNERS = vocabulary.words("not_owners") | MATERIALS
# one-word park heads: a bare zone mention, parks listed together
PARK_COMPOUNDS = vocabulary.words("park_compounds")


# the first half of a zone's compound adjective: "промышленно-деловая", "туристско-рекреационная зона"
ZONE_COMPOUNDS = {"промышленно", "индустриально", "производственно", "туристско"}


DECLINED_ABBREVIATION = re.compile(r"([А-ЯЁ]{2,})[а-яё]{1,2}")


def declined_abbreviation(word: str) -> bool:
    """«УАЗа», «КАМАЗом»: a company's abbreviation with a case ending."""
    m = DECLINED_ABBREVIATION.fullmatch(word)
    return m is not None and m.group(1) not in NOT_OWNERS


def grammar():
    """The project grammar, built fresh: yargy's Parser rewrites the rules it is given in
    place, so rules must never be shared between two parsers."""
    SING = not_(gram("plur"))
    QUOTED = rule(eq("«"), not_(in_({"»", ".", "!", "?"})).repeatable(max=12), eq("»"))
    # head phrases by kind; the grammar interprets the head span, kind_of() maps it back
    KIND_HEADS = {
        "agro_park": any_of(dictionary({"агропарк", "агротехнопарк", "агропромпарк"}),
                         rule(dictionary({"агропромышленный", "агроиндустриальный"}), normalized("парк"))),
        "industrial_park": any_of(
            rule(dictionary({"индустриальный", "промышленный", "производственный", "индустриально-логистический"}),
                 and_(normalized("парк"), SING)),
            and_(normalized("промпарк"), SING), and_(normalized("индустрипарк"), SING), eq("ИП")),
        "technopark": any_of(and_(dictionary({"технопарк", "технополис", "наукоград", "иннограда"}), SING),
                          rule(in_caseless_set({"it", "ит", "ай-ти"}), eq("-"), normalized("парк")),
                          rule(normalized("научный"), normalized("парк"))),
        "business_park": rule(caseless("бизнес"), eq("-"), and_(normalized("парк"), SING)),
        "sez": any_of(eq("ОЭЗ"), eq("СЭЗ"), words("особый", "экономический", "зона")),
        # "промышленная зона", "промзона", "промышленно-деловая зона", "свободная индустриальная зона",
        # "экономическая зона": the adjective in the singular, else it is talk of zones in general
        "zone": any_of(rule(and_(normalized("свободный"), SING).optional(),
                            any_of(and_(dictionary({"промышленный", "индустриальный", "экономический"}), SING),
                                   rule(in_caseless_set(ZONE_COMPOUNDS), eq("-"), and_(gram("ADJF"), SING))),
                            normalized("зона")),
                       and_(normalized("промзона"), gram("sing"))),
        "tor": any_of(eq("ТОР"), eq("ТОСЭР"),
                   rule(normalized("территория"), normalized("опережающий"),
                        any_of(normalized("социально-экономический"),
                            rule(caseless("социально"), eq("-"), normalized("экономический"))).optional(),
                        normalized("развитие"))),
        "free_port": any_of(words("свободный", "порт"), eq("СПВ")),
        "cluster": and_(normalized("кластер"), SING),
        "plant": and_(dictionary(PLANT_HEADS), SING),
        "infrastructure": any_of(and_(dictionary(INFRASTRUCTURE_HEADS), SING),
                                 rule(and_(normalized("пункт"), SING), normalized("пропуск")),  # a border crossing
                                 rule(and_(normalized("канатный"), SING), normalized("дорога"))),
        "site": and_(dictionary({"площадка"}), SING),  # only with a name: see NAMED
        "other": and_(dictionary({"центр", "курорт", "кампус"}), SING),
    }


    HEAD = any_of(*KIND_HEADS.values())

    PLACE_WORDS = vocabulary.words("place_nouns")
    CAP = and_(is_capitalized(), not_(in_({"«", "»", "(", ")", ",", "."})))
    # a place word after the name only in an oblique case: not "… в Улан-Удэ республика"
    PLACE_TOKEN = or_(CAP, and_(dictionary(PLACE_WORDS),
                                or_(gram("loct"), gram("loc2"), gram("gent"), gram("datv"), gram("ablt"))),
                      eq("-"))
    # "в Краснофлотском районе Хабаровска", "на острове Большой Уссурийский"
    LOWER = and_(not_(is_capitalized()), or_(gram("NOUN"), gram("ADJF"), gram("PRTF"), gram("CONJ")),
                 not_(gram("VERB")), not_(gram("INFN")), not_(gram("PRED")), not_(gram("Apro")))
    IN_PLACE = or_(rule(in_({"в", "на", "во"}), and_(LOWER, not_(gram("CONJ"))).repeatable(max=2).optional(),
                        and_(CAP, not_(gram("PREP"))), PLACE_TOKEN.repeatable(max=4).optional()),
                   # "под Тулой", "у аэропорта Горно-Алтайска": near a named place, or a place word and its name
                   rule(in_({"под", "у", "близ", "возле", "около", "вблизи"}),
                        and_(dictionary(PLACE_WORDS), is_lower()).optional(),
                        and_(CAP, not_(gram("PREP"))), PLACE_TOKEN.repeatable(max=4).optional()))
    # "по глубокой переработке сои", "по выпуску эксцентриково-циклоидальных клапанов"
    # a word of what it makes; "и" joins two ("пленок и упаковочных изделий"), but never another
    # project's head ("по переработке сои и маслоэкстракционный завод")
    PO_WORD = or_(eq("и"), in_(MATERIALS),
                  and_(not_(is_capitalized()), not_(gram("VERB")), not_(gram("INFN")), not_(gram("PRED")),
                                not_(gram("PREP")), not_(gram("PRCL")), not_(gram("NUMR")), not_(gram("CONJ")),
                                not_(in_({",", ".", "«", "»", "(", ")", "—"})),
                                not_(dictionary(PLANT_HEADS | INFRASTRUCTURE_HEADS | {"предприятие"}))))
    GENT_ADJ = and_(gram("ADJF"), gram("gent"), not_(is_capitalized()))
    GENT_TYPE = rule(or_(rule(GENT_ADJ), rule(is_lower(), eq("-"), GENT_ADJ)).repeatable(max=2).optional(),
                     normalized("тип"))  # "технико-внедренческого типа", "туристско-рекреационного типа"
    # "завод мелющих шаров", "производство метанола", "завод по выпуску портальных и горизонтальных
    # фрезерных центров": what a plant makes, in the genitive; not whose or what size it is
    PRODUCT_ADJ = and_(or_(gram("ADJF"), gram("PRTF")), gram("gent"), is_lower(), not_(gram("Apro")))
    PRODUCT_ADJS = rule(PRODUCT_ADJ, rule(in_({"и", ","}).optional(), PRODUCT_ADJ).repeatable(max=3).optional())
    PRODUCT_NOUN = and_(gram("NOUN"), gram("gent"), is_lower(), not_(gram("VERB")), not_(gram("INFN")),
                        not_(gram("Abbr")), not_(gram("PREP")), not_(gram("CONJ")),
                        not_(dictionary(NOT_PRODUCTS | GOODS | PLANT_HEADS | INFRASTRUCTURE_HEADS | {"предприятие"})))
    # "листов ПВХ", "плит OSB"; "завод ЖБИ": a material's abbreviation after a word of it or alone
    PRODUCT_NP = or_(rule(PRODUCT_ADJS.optional(), PRODUCT_NOUN, in_(MATERIALS).optional()),
                     rule(PRODUCT_ADJS, and_(dictionary(GOODS), gram("gent"))), rule(in_(MATERIALS)))
    PRODUCT = rule(PRODUCT_NP, PRODUCT_NP.repeatable(max=2).optional(),
                   rule(eq("и"), PRODUCT_NP).optional())
    # "для хранения растительного сырья", "для перевалки угля": a purpose, as a verbal noun; or what
    # it serves: "терминал для навалочных грузов", "завод ингредиентов для молочной промышленности"
    PURPOSE = dictionary(vocabulary.words("purpose_nouns"))
    PO_PHRASE = or_(rule(or_(rule(caseless("по"), and_(LOWER, not_(gram("CONJ")))), rule(caseless("для"), PURPOSE)),
                         PO_WORD.repeatable(max=8).optional()),
                    rule(caseless("для"), PRODUCT))
    # capitalised only at the start of a sentence: extract checks that (else "Анжерский трубный завод")
    MODIFIER = and_(gram("ADJF"), not_(gram("Apro")), not_(gram("Poss")))  # not "Приангарье", read as "-ий"
    # a name without quotes after a head that takes one: "свободного порта Владивосток"
    PLAIN_NAME_HEAD = any_of(KIND_HEADS["free_port"], KIND_HEADS["sez"], KIND_HEADS["tor"], KIND_HEADS["zone"])
    COORDINATED = rule(in_({",", "и"}), QUOTED)

    NAMED = rule(MODIFIER.repeatable(max=2).optional(), HEAD.interpretation(Project.head),
                 in_({"—", "–"}).optional(),
                 or_(GENT_TYPE, rule(eq("("), in_({"ОЭЗ", "ТОР", "ТОСЭР"}), eq(")")),
                     rule(in_({"ППТ", "ТВТ", "ТРТ", "ПТ", "ПЛТ"}))).optional(),  # the zone's type: "ОЭЗ ППТ «Липецк»"
                 QUOTED.interpretation(Project.name),
                 COORDINATED.repeatable(max=6).optional().interpretation(Project.more))
    NAMED_PLAIN = rule(PLAIN_NAME_HEAD.interpretation(Project.head),
                       and_(is_capitalized(), gram("NOUN"), gram("nomn"),
                            not_(gram("Abbr"))).interpretation(Project.name))
    UNNAMED_HEAD = any_of(*[h for k, h in KIND_HEADS.items() if k != "site"])
    # whose it is, after a head with nothing of its own to name it: "комбикормовый завод ГК «Эфко»",
    # "производство компании «Рапира» в Калининградской области", "склад Nokian Tyres", "завод ТЕХНОНИКОЛЬ"
    OWNER_NOUN = and_(dictionary(vocabulary.words("owner_nouns")), gram("gent"))
    OWNER = or_(rule(OWNER_NOUN, in_(LEGAL_FORMS).optional(), QUOTED), rule(in_(LEGAL_FORMS), QUOTED),
                rule(OWNER_NOUN.optional(), and_(token_type("LATIN"), is_capitalized(), not_(in_(MATERIALS))),
                     and_(token_type("LATIN"), not_(is_lower())).repeatable(max=2).optional()),
                rule(OWNER_NOUN.optional(), and_(is_upper(), token_type("RU"), custom(lambda w: len(w) >= 3),
                                                 not_(in_(NOT_OWNERS)))),
                rule(OWNER_NOUN.optional(), custom(declined_abbreviation)))  # "индустриальный парк УАЗа"
    # a head pinned down by what it does, where it is or whose it is (one rule: the heads are predicted once)
    PINNED = rule(MODIFIER.repeatable(max=3).optional(), UNNAMED_HEAD.interpretation(Project.head),
                  or_(rule(PO_PHRASE, IN_PLACE.optional()), IN_PLACE,
                      rule(PRODUCT.interpretation(Project.what).optional(), OWNER,
                           or_(PO_PHRASE, IN_PLACE).optional())))
    # plants and terminals in the plural are one project when a place pins them down:
    # "горно-обогатительные комбинаты в Бодайбинском районе"
    PLURAL_HEAD = and_(dictionary(PLANT_HEADS | INFRASTRUCTURE_HEADS), gram("plur"))
    PINNED_PLURAL = rule(MODIFIER.repeatable(max=3).optional(), PLURAL_HEAD.interpretation(Project.head),
                         PO_PHRASE.optional(), IN_PLACE)
    # "алюминиевый завод", "томской ОЭЗ", "железногорского промпарка": a modifier makes it one thing;
    # two joined by "и" too: "объединённый производственный и офисный комплекс"
    ADJECTIVE_PLANT = rule(MODIFIER.repeatable(max=2), rule(eq("и"), MODIFIER).optional(), any_of(
        and_(dictionary({"завод", "фабрика", "комбинат", "комплекс", "терминал", "порт", "электростанция",
                         "кластер", "технопарк", "агропарк", "промпарк", "индустрипарк"}), SING),
        KIND_HEADS["sez"], KIND_HEADS["tor"], KIND_HEADS["industrial_park"]).interpretation(Project.head))
    # "распределительный центр", "новый логистический центр": a centre that stores and ships goods
    LOGISTICS = rule(MODIFIER.repeatable(max=2).optional(),
                     and_(dictionary({"логистический", "распределительный", "складской", "транспортно-логистический",
                                      "торгово-логистический", "оптово-распределительный", "мультимодальный"}), SING),
                     and_(dictionary({"центр", "хаб"}), SING).interpretation(Project.head))
    # "жилищный проект «Южный город»", "нефтегазового проекта «Сахалин-2»": a project by that very word,
    # with a word of what kind ("проект «Фейсбук»" alone is as often a company's)
    PROJECT_NAMED = rule(and_(MODIFIER, is_lower()).repeatable(max=2),
                         and_(normalized("проект"), SING).interpretation(Project.head),
                         QUOTED.interpretation(Project.name))
    # "предприятие по фракционированию плазмы крови"
    ENTERPRISE = rule(MODIFIER.repeatable(max=2).optional(),
                      and_(normalized("предприятие"), SING).interpretation(Project.head), PO_PHRASE)

    # "особая экономическая зона (промышленно-производственного типа)": only another mention
    # of a named zone of its kind in the article (projects.join_bare_heads drops it otherwise)
    BARE_ZONE = rule(any_of(KIND_HEADS["sez"], KIND_HEADS["tor"], KIND_HEADS["free_port"],
                            and_(dictionary(PARK_COMPOUNDS), SING),
                            rule(dictionary({"индустриальный", "промышленный"}), and_(normalized("парк"), SING))
                            ).interpretation(Project.head), GENT_TYPE.optional())
    # "завод монтажной пены", "производство гофрокартона «Упак»", "завод двигателей в Елабуге"
    MADE = rule(MODIFIER.repeatable(max=3).optional(),
                and_(dictionary(PRODUCT_HEADS), gram("sing")).interpretation(Project.head),
                PRODUCT.interpretation(Project.what),
                or_(QUOTED.interpretation(Project.name), rule(PO_PHRASE, IN_PLACE.optional()), IN_PLACE).optional())
    # "индустриальных парков «Ключ», «Импульс» и ГИП": each name listed after a plural head is one
    LIST_ITEM = or_(QUOTED, rule(and_(is_upper(), not_(in_({"ОЭЗ", "СЭЗ", "ТОР", "ТОСЭР", "СПВ", "ИП", "ТЛЦ", "ООО",
                                                             "АО", "ПАО", "ЗАО", "ОАО", "ГК", "УК", "РФ", "СЗ"})))))
    PLURAL_PARKS = any_of(rule(dictionary({"индустриальный", "промышленный", "производственный"}),
                               and_(normalized("парк"), gram("plur"))),
                          and_(dictionary(PARK_COMPOUNDS), gram("plur")))
    LISTED = rule(PLURAL_PARKS.interpretation(Project.head), QUOTED.interpretation(Project.name),
                  rule(in_({",", "и"}), LIST_ITEM).repeatable(max=6).interpretation(Project.more))
    PROJECT = or_(NAMED, NAMED_PLAIN, PINNED, PINNED_PLURAL, ADJECTIVE_PLANT, LOGISTICS, ENTERPRISE, MADE,
                  LISTED, PROJECT_NAMED, BARE_ZONE).interpretation(Project)
    return PROJECT


def kind_of(head_text: str) -> str:
    """The kind a matched head phrase names. (Plain lemma tests: building yargy parsers
    from the shared head rules would change the rules themselves.)"""
    from graph.text import lemma
    words = [lemma(w) for w in re.findall(r"[\w]+", head_text.lower())]
    joined = " ".join(words)
    if any(w.startswith("агро") for w in words):
        return "agro_park"
    if {"оэз", "сэз"} & set(words) or "экономический зона" in joined:
        return "sez"
    if {"тор", "тосэр"} & set(words) or "опережа" in joined:
        return "tor"
    if "зона" in words and "свободный" in words:  # "свободная индустриальная зона"
        return "sez"
    if "зона" in words or any(w.startswith("промзон") for w in words):
        return "industrial_park"
    if "спв" in words or ("свободный" in words and "порт" in words):
        return "free_port"
    if "бизнес" in words:
        return "business_park"
    if {"технопарк", "технополис", "наукоград", "it", "ит"} & set(words) or "научный парк" in joined:
        return "technopark"
    if ({"парк", "парка", "ип"} & set(words) or re.search(r"\bпарк(и|ов|ам|ами|ах)\b", head_text.lower())
            or any(w.startswith(("промпарк", "индустрипарк")) for w in words)):
        return "industrial_park"
    if "кластер" in words:
        return "cluster"
    if "площадка" in words:
        return "site"
    if {"распределительный", "логистический", "складской", "канатный"} & set(words) \
            or any(w.endswith("логистический") for w in words):
        return "infrastructure"
    if "пропуск" in words:  # "пункт пропуска"
        return "infrastructure"
    if PLANT_HEADS & set(words) or "предприятие" in words:
        return "plant"
    if INFRASTRUCTURE_HEADS & set(words):
        return "infrastructure"
    return "other"


# a sentence can hold a project only with one of these (checked before parsing)
COMPOUND_HEADS = vocabulary.ordered("compound_heads")
TRIGGER = Trigger(
    frozenset({"парк", "зона", "территория", "порт", "кластер", "площадка", "центр", "курорт", "кампус", "пункт",
               "проект", "предприятие", "канатный"} | PLANT_HEADS | INFRASTRUCTURE_HEADS),
    exact=frozenset({"ОЭЗ", "СЭЗ", "ТОР", "ТОСЭР", "СПВ", "ИП", "ТЛЦ"}),
    # "промышленно-деловая зона": a zone's compound adjective opens the match
    prefixes=COMPOUND_HEADS + tuple(f"{w}-" for w in sorted(ZONE_COMPOUNDS)), after=140,
    # up to three modifiers, then a head's own adjectives: "новая особая экономическая зона"; a match
    # begins no further back (the same projects in parks-dev and factru-dev, 8% fewer parser states)
    words_before=5)


def parser() -> Parser:
    return make_parser(grammar())
