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
from yargy.predicates import caseless, dictionary, eq, gram, in_, in_caseless, is_capitalized, normalized
from yargy.rule import Rule

from . import Trigger, make_parser

Project = fact("Project", ["head", "name", "more"])


def any_of(*items):
    """or_ over a mix of predicates and rules (yargy's or_ takes one kind at a time)."""
    return or_(*[item if isinstance(item, Rule) else rule(item) for item in items])


def in_caseless_set(values: set[str]):
    return in_caseless(values)


def words(*lemmas: str):
    return rule(*[normalized(w) for w in lemmas])


def hyphenated(first: str, second: str):
    """yargy splits "бизнес-парк" into three tokens."""
    return rule(caseless(first), eq("-"), normalized(second))


PLANT_HEADS = {"завод", "фабрика", "комбинат", "производство", "комплекс", "линия", "цех", "электростанция",
               "шахта", "рудник", "разрез", "месторождение", "теплица", "ферма", "верфь", "элеватор"}
INFRASTRUCTURE_HEADS = {"порт", "терминал", "мост", "хаб", "подстанция", "газопровод", "нефтепровод",
                        "трубопровод", "аэропорт", "космодром", "причал", "магистраль", "тоннель", "автодорога",
                        "тлц", "логистический"}


def grammar():
    """The project grammar, built fresh: yargy's Parser rewrites the rules it is given in
    place, so rules must never be shared between two parsers."""
    SING = not_(gram("plur"))
    QUOTED = rule(eq("«"), not_(in_({"»", ".", "!", "?"})).repeatable(max=12), eq("»"))
    # head phrases by kind; the grammar interprets the head span, kind_of() maps it back
    KIND_HEADS = {
        "agro_park": any_of(dictionary({"агропарк", "агротехнопарк"}),
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
        "tor": any_of(eq("ТОР"), eq("ТОСЭР"),
                   rule(normalized("территория"), normalized("опережающий"),
                        any_of(normalized("социально-экономический"),
                            rule(caseless("социально"), eq("-"), normalized("экономический"))).optional(),
                        normalized("развитие"))),
        "free_port": any_of(words("свободный", "порт"), eq("СПВ")),
        "cluster": and_(normalized("кластер"), SING),
        "plant": and_(dictionary({"завод", "фабрика", "комбинат", "производство", "комплекс", "линия", "цех", "электростанция", "шахта", "рудник", "разрез",
                                  "месторождение", "теплица", "ферма", "верфь", "элеватор"}), SING),
        "infrastructure": and_(dictionary(INFRASTRUCTURE_HEADS), SING),
        "site": and_(dictionary({"площадка"}), SING),  # only with a name: see NAMED
        "other": and_(dictionary({"центр", "курорт", "кампус"}), SING),
    }


    HEAD = any_of(*KIND_HEADS.values())

    PLACE_WORDS = {"район", "область", "край", "остров", "бухта", "город", "поселок", "посёлок", "село",
                   "территория", "республика", "округ", "зато", "пригород", "окрестность", "побережье",
                   "полуостров", "станица", "деревня", "долина", "аэропорт", "порт", "микрорайон"}
    CAP = and_(is_capitalized(), not_(in_({"«", "»", "(", ")", ",", "."})))
    # a place word after the name only in an oblique case: not "… в Улан-Удэ республика"
    PLACE_TOKEN = or_(CAP, and_(dictionary(PLACE_WORDS), or_(gram("loct"), gram("loc2"), gram("gent"), gram("datv"), gram("ablt"))),
                      eq("-"))
    # "в Краснофлотском районе Хабаровска", "на острове Большой Уссурийский"
    LOWER = and_(not_(is_capitalized()), or_(gram("NOUN"), gram("ADJF"), gram("PRTF"), gram("CONJ")),
                 not_(gram("VERB")), not_(gram("INFN")), not_(gram("PRED")), not_(gram("Apro")))
    IN_PLACE = rule(in_({"в", "на", "во"}), and_(LOWER, not_(gram("CONJ"))).repeatable(max=2).optional(),
                    and_(CAP, not_(gram("PREP"))), PLACE_TOKEN.repeatable(max=4).optional())
    # "по глубокой переработке сои", "по выпуску эксцентриково-циклоидальных клапанов"
    PO_WORD = and_(not_(is_capitalized()), not_(gram("VERB")), not_(gram("INFN")), not_(gram("PRED")),
                   not_(gram("PREP")), not_(gram("PRCL")), not_(gram("NUMR")), not_(in_({",", ".", "«", "»", "(", ")", "—"})),
                   or_(not_(gram("CONJ")), eq("и")))
    PO_PHRASE = rule(caseless("по"), and_(LOWER, not_(gram("CONJ"))), PO_WORD.repeatable(max=6).optional())
    GENT_TYPE = rule(and_(gram("ADJF"), gram("gent"), not_(is_capitalized())).repeatable(max=2).optional(),
                     normalized("тип"))  # "технико-внедренческого типа"
    # capitalised only at the start of a sentence: extract checks that (else "Анжерский трубный завод")
    MODIFIER = and_(gram("ADJF"), not_(gram("Apro")))
    # a name without quotes after a head that takes one: "свободного порта Владивосток"
    PLAIN_NAME_HEAD = any_of(KIND_HEADS["free_port"], KIND_HEADS["sez"], KIND_HEADS["tor"])
    COORDINATED = rule(in_({",", "и"}), QUOTED)

    NAMED = rule(MODIFIER.repeatable(max=2).optional(), HEAD.interpretation(Project.head),
                 in_({"—", "–"}).optional(),
                 or_(GENT_TYPE, rule(eq("("), in_({"ОЭЗ", "ТОР", "ТОСЭР"}), eq(")"))).optional(),
                 QUOTED.interpretation(Project.name),
                 COORDINATED.repeatable(max=6).optional().interpretation(Project.more))
    NAMED_PLAIN = rule(PLAIN_NAME_HEAD.interpretation(Project.head),
                       and_(is_capitalized(), gram("NOUN"), gram("nomn"), not_(gram("Abbr"))).interpretation(Project.name))
    UNNAMED_HEAD = any_of(*[h for k, h in KIND_HEADS.items() if k != "site"])
    PINNED = rule(MODIFIER.repeatable(max=3).optional(), UNNAMED_HEAD.interpretation(Project.head),
                  or_(rule(PO_PHRASE, IN_PLACE.optional()), IN_PLACE))
    # plants and terminals in the plural are one project when a place pins them down:
    # "горно-обогатительные комбинаты в Бодайбинском районе"
    PLURAL_HEAD = and_(dictionary(PLANT_HEADS | INFRASTRUCTURE_HEADS), gram("plur"))
    PINNED_PLURAL = rule(MODIFIER.repeatable(max=3).optional(), PLURAL_HEAD.interpretation(Project.head),
                         PO_PHRASE.optional(), IN_PLACE)
    # "алюминиевый завод", "томской ОЭЗ", "железногорского промпарка": a modifier makes it one thing
    ADJECTIVE_PLANT = rule(MODIFIER.repeatable(max=2), any_of(
        and_(dictionary({"завод", "фабрика", "комбинат", "комплекс", "терминал", "порт", "электростанция",
                         "кластер", "технопарк", "агропарк", "промпарк", "индустрипарк"}), SING),
        KIND_HEADS["sez"], KIND_HEADS["tor"], KIND_HEADS["industrial_park"]).interpretation(Project.head))
    # "предприятие по фракционированию плазмы крови"
    ENTERPRISE = rule(MODIFIER.repeatable(max=2).optional(),
                      and_(normalized("предприятие"), SING).interpretation(Project.head), PO_PHRASE)

    # "особая экономическая зона (промышленно-производственного типа)": only another mention
    # of a named zone of its kind in the article (projects.join_bare_heads drops it otherwise)
    BARE_ZONE = rule(any_of(KIND_HEADS["sez"], KIND_HEADS["tor"], KIND_HEADS["free_port"],
                            and_(dictionary({"технопарк", "промпарк", "индустрипарк", "агропарк"}), SING),
                            rule(dictionary({"индустриальный", "промышленный"}), and_(normalized("парк"), SING))
                            ).interpretation(Project.head), GENT_TYPE.optional())
    PROJECT = or_(NAMED, NAMED_PLAIN, PINNED, PINNED_PLURAL, ADJECTIVE_PLANT, ENTERPRISE,
                  BARE_ZONE).interpretation(Project)
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
    if "спв" in words or ("свободный" in words and "порт" in words):
        return "free_port"
    if "бизнес" in words:
        return "business_park"
    if {"технопарк", "технополис", "наукоград", "it", "ит"} & set(words) or "научный парк" in joined:
        return "technopark"
    if {"парк", "парка", "ип"} & set(words) or any(w.startswith(("промпарк", "индустрипарк")) for w in words):
        return "industrial_park"
    if "кластер" in words:
        return "cluster"
    if "площадка" in words:
        return "site"
    if PLANT_HEADS & set(words) or "предприятие" in words:
        return "plant"
    if INFRASTRUCTURE_HEADS & set(words):
        return "infrastructure"
    return "other"


# a sentence can hold a project only with one of these (checked before parsing)
COMPOUND_HEADS = ("промпарк", "индустрипарк", "технопарк", "агропарк", "агротехнопарк", "бизнес-парк", "it-парк",
                  "ит-парк", "технополис", "наукоград", "иннограда")
TRIGGER = Trigger(
    frozenset({"парк", "зона", "территория", "порт", "кластер", "площадка", "центр", "курорт", "кампус",
               "предприятие"} | PLANT_HEADS | INFRASTRUCTURE_HEADS),
    exact=frozenset({"ОЭЗ", "СЭЗ", "ТОР", "ТОСЭР", "СПВ", "ИП", "ТЛЦ"}),
    prefixes=COMPOUND_HEADS, after=140)


def parser() -> Parser:
    return make_parser(grammar())
