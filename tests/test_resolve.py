"""Cross-article keys: variants of one thing meet, different things stay apart."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from graph.model import Entity
from ingest.aliases import canonical
from ingest.resolve import entity_key


def key(etype: str, name: str, kind: str | None = None) -> str:
    return entity_key(Entity(id="x", type=etype, name=name, kind=kind))


@pytest.mark.parametrize("a, b", [
    ("Руслан Заливацкий", "Р. Заливацкий"),
    ("Руслан Заливацкий", "Заливацкий Руслан"),
    ("Андрей Воробьев", "А. Воробьев"),
])
def test_person_forms_meet(a, b):
    assert key("PERSON", a) == key("PERSON", b)


def test_namesakes_with_other_first_names_stay_apart():
    assert key("PERSON", "Руслан Заливацкий") != key("PERSON", "Игорь Заливацкий")


@pytest.mark.parametrize("a, b", [
    ("ООО «Тайга Металл»", "Тайга Металл"),
    ("компания «Амур»", "Амур"),
    ("Минэкономразвития", "Министерство экономического развития РФ"),
    ("Правительство РФ", "Правительство России"),
    ("турецкий промышленный холдинг «Йылдыз»", "Йылдыз"),
    ("ООО «Группа компаний «Русагро»", "Русагро"),  # the name in quotes inside quotes
    ("ООО «ГК «Русагро»»", "ГК «Русагро»"),
])
def test_organisation_variants_meet(a, b):
    assert key("ORG", a) == key("ORG", b)


def test_a_place_before_an_organisation_noun_still_tells_organisations_apart():
    assert key("ORG", "Правительство Калужской области") != key("ORG", "Правительство Тульской области")
    assert key("ORG", "Новосибирский завод «Сибсельмаш»") != key("ORG", "Новосибирский завод")


@pytest.mark.parametrize("a, b", [("РФ", "Россия"), ("Российская Федерация", "Россия"), ("Подмосковье", "Московская область"),
                                  ("КНР", "Китай"), ("остров Большой Уссурийский", "Большой Уссурийский"),
                                  ("Приангарье", "Иркутская область"), ("КБР", "Кабардино-Балкарская Республика"),
                                  ("Бурятия", "Республика Бурятия"), ("СФО", "Сибирский федеральный округ")])
def test_place_variants_meet(a, b):
    assert key("LOC", a) == key("LOC", b)


def test_project_name_variants_meet_and_kinds_keep_apart():
    assert key("PROJECT", "ТОР «Белогорск»", "tor") == key("PROJECT", "территория опережающего развития «Белогорск»", "tor")
    assert key("PROJECT", "индустриальный парк «Ключ»", "industrial_park") == \
        key("PROJECT", "парк «Ключ»", "industrial_park")
    assert key("PROJECT", "завод «Ключ»", "plant") != key("PROJECT", "парк «Ключ»", "industrial_park")


def test_alias_table_is_unambiguous():
    """Every variant names one canonical thing, and canonical names map to themselves."""
    raw = json.loads(resources.files("ingest").joinpath("data/aliases.json").read_text(encoding="utf-8"))
    seen: dict[tuple[str, str], str] = {}
    for etype, groups in raw.items():
        if etype.startswith("_"):
            continue
        for names in groups:
            assert canonical(etype, names[0]) == names[0]
            for name in names:
                k = (etype, name.lower())
                assert seen.setdefault(k, names[0]) == names[0], f"{name} is in two groups"


def test_each_alias_says_why_it_joined_its_entity(nlp):
    from graph.model import Article
    from ingest.extract import extract
    text = ("Директор агентства Руслан Заливацкий выступил в Хабаровске. По словам Р. Заливацкого, "
            "Корпорация развития Дальнего Востока (КРДВ) поддержит проект. Заливацкий добавил, что "
            "КРДВ уже работает в РФ, и Россия заинтересована.")
    ex = extract(Article(id="t", text=text))
    by_name = {e.name: e for e in ex.entities}
    person = by_name["Руслан Заливацкий"].merged_by
    assert "initial" in person["Р. Заливацкого"] and "surname alone" in person["Заливацкий"]
    krdv = next(e for n, e in by_name.items() if n.startswith("Корпорация развития Дальнего Востока"))
    assert "КРДВ" in krdv.merged_by and krdv.merged_by["КРДВ"] != "the name (any case form)"
    assert "alias table" in by_name["Россия"].merged_by["РФ"]
    for e in ex.entities:  # every alias has its reason
        assert set(e.merged_by) == set(e.aliases)


def resolved_keys(article_id: str, *entities: tuple[str, str, str | None]) -> list[str]:
    from graph.model import Article, Extraction
    from ingest.resolve import resolve
    ex = Extraction(article=Article(id=article_id, text=""),
                    entities=[Entity(id=f"T{i}", type=t, name=n, kind=k) for i, (t, n, k) in enumerate(entities)],
                    relations=[])
    return [e.key for e in resolve(ex).entities]


def test_names_that_do_not_say_which_thing_stay_within_their_article():
    local = [("ORG", "областная администрация", None), ("PROJECT", "алюминиевый завод", "plant"),
             ("PROJECT", "действующий промпарк", "industrial_park")]
    assert set(resolved_keys("a1", *local)).isdisjoint(resolved_keys("a2", *local))
    assert resolved_keys("a1", *local) == resolved_keys("a1", *local)  # re-ingest: the same keys


def test_names_that_say_which_thing_meet_across_articles():
    shared = [("ORG", "Администрация Томской области", None), ("PROJECT", "томская ОЭЗ", "sez"),
              ("PROJECT", "свободный порт Владивосток", "free_port"), ("PROJECT", "ТОР «Белогорск»", "tor"),
              ("PROJECT", "завод по глубокой переработке сои", "plant")]
    assert resolved_keys("a1", *shared) == resolved_keys("a2", *shared)
