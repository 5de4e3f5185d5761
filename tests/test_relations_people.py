"""WORKS_AT from posts (real natasha models): each test a short news sentence and the relation it states."""
from __future__ import annotations

import pytest

from graph.model import Article
from ingest.extract import extract


def works_at(text: str) -> set[tuple[str, str, str]]:
    ex = extract(Article(id="t", text=text))
    names = {e.id: e.name for e in ex.entities}
    return {(names[r.source], names[r.target], r.role) for r in ex.relations if r.type == "WORKS_AT"}


def people(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for person, target, _ in works_at(text):
        found.setdefault(person, set()).add(target)
    return found


def test_post_governs_a_region_in_the_genitive(nlp):
    rels = works_at("Встреча с губернатором Московской области Андреем Воробьевым прошла в пятницу.")
    assert any(p == "Андрей Воробьев" and t == "Московская область" and r == "губернатор" for p, t, r in rels)


def test_place_adjective_names_the_country(nlp):
    text = "Председатель КНР Ху Цзиньтао и российский президент Дмитрий Медведев открыли нефтепровод в Россию."
    assert ("Дмитрий Медведев", "Россия", "президент") in works_at(text)


def test_prepositional_tail_between_target_and_name(nlp):
    text = ("Полпред президента РФ в Северо-Кавказском федеральном округе Александр Хлопонин "
            "приехал в Грозный.")
    assert "Россия" in people(text).get("Александр Хлопонин", set())


def test_title_between_organisation_and_name(nlp):
    text = "На церемонии выступил председатель Совета муфтиев России шейх Равиль Гайнутдин."
    assert "Совет муфтиев России" in people(text).get("Равиль Гайнутдин", set())


def test_adjective_between_post_and_quoted_name(nlp):
    text = "Василий Шумов, лидер московского «Центра», выступит в клубе."
    assert "Центр" in people(text).get("Василий Шумов", set())


def test_head_of_state_without_place_governs_the_article_country(nlp):
    text = ("Италия выбирает новый парламент. Премьер-министр Сильвио Берлускони призвал сторонников "
            "прийти на участки. В Италии голосование продлится два дня.")
    assert "Италия" in people(text).get("Сильвио Берлускони", set())


def test_plural_post_is_nobodys_alone(nlp):
    text = "Следуя предложению Дмитрия Медведева, депутаты Законодательного собрания Приморского края проголосовали."
    assert "Дмитрий Медведев" not in people(text)


def test_name_after_post_takes_it_in_a_list(nlp):
    text = ("Подписи поставили руководитель ООО «Анжерский трубный завод» Игорь Долгов, "
            "гендиректор Кузбасской торгово-промышленной палаты Марина Петрова.")
    found = people(text)
    assert found.get("Игорь Долгов") == {"ООО «Анжерский трубный завод»"}
    assert "Кузбасская торгово-промышленная палата" in found.get("Марина Петрова", set())


def test_unit_of_a_named_party_is_the_target(nlp):
    text = "Между тем, лидер фракции КПРФ Владимир Беспалов опроверг эту информацию."
    assert ("Владимир Беспалов", "Фракция КПРФ", "лидер") in works_at(text)


@pytest.mark.parametrize("text, person, target", [
    ("Однако директор НАСА по космическим полётам Билл Герстенмайер высказался против.", "Билл Герстенмайер", "НАСА"),
    ("Как рассказал министр промышленности, торговли и инвестиций Бурятии Денис Гармаев, парк откроют в 2027 году.",
     "Денис Гармаев", "Республика Бурятия"),
])
def test_post_complements(nlp, text, person, target):
    found = people(text)
    assert person in found and any(target.split()[-1] in t for t in found[person])


def test_surnames_in_any_reading_join_their_full_name(nlp):
    from graph.model import Article
    from ingest.extract import extract
    text = ("Вратарь Йенс Леман пропустил гол. Тренер похвалил Йенса Лемана, хотя Леманом недовольны "
            "болельщики. Защитник Егор Свиридов тоже играл. Свиридова заменили во втором тайме. "
            "Барак Обама и Мишель Обама прибыли в Берлин; Обама выступил с речью.")
    people = {e.name: set(e.aliases) for e in extract(Article(id="t", text=text)).entities if e.type == "PERSON"}
    assert people["Йенс Леман"] >= {"Йенс Леман", "Йенса Лемана", "Леманом"}
    assert "Свиридова" in people["Егор Свиридов"]
    assert "Обама" in people["Барак Обама"] and "Обама" not in people["Мишель Обама"]
    assert set(people) == {"Йенс Леман", "Егор Свиридов", "Барак Обама", "Мишель Обама"}


def test_a_post_after_a_plural_post_in_the_genitive_starts_afresh(nlp):
    rels = works_at("На заседании кабинета министров глава правительства Венгрии Виктор Орбан выступил с речью.")
    assert ("Виктор Орбан", "Правительство Венгрии", "глава") in rels


def test_a_signature_line_names_the_post_after_the_person(nlp):
    rels = works_at("Пусть победит сильнейший!\n\nГеоргий Петров Президент ФИДЕ\n")
    assert ("Георгий Петров", "ФИДЕ", "президент") in rels
    assert works_at("Георгий Петров Президент ФИДЕ заявил журналистам о турнире.") == set()


def test_place_adjective_of_a_country_not_named_elsewhere_is_its_mention(nlp):
    text = "На саммит не приедет британский премьер Гордон Браун, сообщили организаторы."
    ex = extract(Article(id="t", text=text))
    country = next(e for e in ex.entities if e.type == "LOC")
    assert country.name == "Великобритания" and [m.text for m in country.mentions] == ["британский"]
    assert ("Гордон Браун", "Великобритания", "премьер") in works_at(text)
    # no person holds the post: the adjective stays an adjective
    assert not [e for e in extract(Article(id="t", text="Британский премьер не приедет.")).entities if e.type == "LOC"]


def test_abbreviation_after_an_owner_names_the_organisation_before_the_owner(nlp):
    text = ("По сведениям Всемирной продовольственной и сельскохозяйственной организации ООН (ФАО), цены выросли. "
            "Экономист ФАО Абдолреза Аббассиан не исключил их роста.")
    ex = extract(Article(id="t", text=text))
    by_alias = {a: e.name for e in ex.entities for a in e.aliases}
    assert by_alias["ФАО"] == by_alias["Всемирной продовольственной и сельскохозяйственной организации"]
    assert by_alias["ООН"] != by_alias["ФАО"]
    assert ("Абдолреза Аббассиан", by_alias["ФАО"], "экономист") in works_at(text)


def test_a_second_given_name_does_not_make_another_person(nlp):
    text = ("Премьер-министр Турции Реджеп Тайип Эрдоган прибыл в Киев. "
            "Встреча с Реджепом Эрдоганом продлилась час.")
    persons = [e for e in extract(Article(id="t", text=text)).entities if e.type == "PERSON"]
    assert len(persons) == 1 and persons[0].name == "Реджеп Тайип Эрдоган"


@pytest.mark.parametrize("text, person, target", [
    # a region after the post is the ministry's business: the ministry the article names
    ("Минвостокразвития России поддержало проект. Как заявил министр по развитию Дальнего Востока "
     "Александр Галушка, остров станет площадкой сотрудничества.", "Александр Галушка", "Минвостокразвития России"),
    # no place after the post: the ministry the article names
    ("Министерство финансов подготовило поправки. Министр финансов Антон Силуанов представил их в пятницу.",
     "Антон Силуанов", "Министерство финансов"),
    # a country after the post stays the target, never another country's ministry
    ("МИД России выразил протест. Министр иностранных дел Японии Сейдзи Маэхара прибыл в Москву.",
     "Сейдзи Маэхара", "Япония"),
])
def test_a_minister_works_at_the_ministry_the_article_names_unless_a_country_follows(nlp, text, person, target):
    assert people(text).get(person) == {target}


def test_ministries_by_their_abbreviations():
    from ingest.relations import built_from
    assert built_from("промторг", ["промышленность", "торговля"])
    assert built_from("востокразвития", ["развитие", "дальний", "восток"])
    assert built_from("сельхоз", ["сельский", "хозяйство"])
    assert not built_from("промторг", ["промышленность"]) and not built_from("фин", ["транспорт"])


def test_a_post_held_in_a_place_and_a_chain_of_posts(nlp):
    rels = works_at("Заседание провёл вице-премьер РФ, полпред в ДФО Юрий Трутнев.")
    assert {("Юрий Трутнев", "Дальневосточный федеральный округ", "полпред"),
            ("Юрий Трутнев", "Россия", "вице-премьер")} <= rels


def test_a_post_ending_with_a_body_is_the_one_body_of_that_kind_the_article_names(nlp):
    text = ("Документ опубликован на сайте правительства РФ. "
            "Постановление подписал председатель правительства Михаил Мишустин.")
    assert people(text).get("Михаил Мишустин") == {"Правительство России"}


def test_who_holds_the_post_of(nlp):
    text = "Губернатор провёл переговоры с Павлом Зарьковым, который занимает пост директора по инвестициям ГК «Содружество»."
    assert ("Павел Зарьков", "ГК «Содружество»", "директор по инвестициям") in works_at(text)


@pytest.mark.parametrize("text, person, region", [
    ("В Мурманской области открыли новый порт. Ленту перерезал губернатор Андрей Чибис.",
     "Андрей Чибис", "Мурманская область"),
    ("Новый цех в Липецкой области посетил врио губернатора Игорь Артамонов.", "Игорь Артамонов", "Липецкая область"),
])
def test_a_governor_with_no_place_after_the_post_governs_the_articles_region(nlp, text, person, region):
    assert people(text).get(person) == {region}


def test_a_companys_board_belongs_to_the_post_and_the_company_is_the_target(nlp):
    text = ("Соглашение подписали член совета директоров АФК «Система» Николай Михайлов "
            "и председатель правления ПАО «Совкомбанк» Дмитрий Гусев.")
    ex = extract(Article(id="t", text=text))
    assert {e.name for e in ex.entities if e.type == "ORG"} == {"АФК «Система»", "ПАО «Совкомбанк»"}
    assert {("Николай Михайлов", "АФК «Система»", "член совета директоров"),
            ("Дмитрий Гусев", "ПАО «Совкомбанк»", "председатель правления")} <= works_at(text)


def test_the_head_of_tatarstan_is_its_raiis(nlp):
    text = "В пятницу раис Татарстана Рустам Минниханов открыл в Зеленодольске завод."
    assert ("Рустам Минниханов", "Республика Татарстан", "раис") in works_at(text)


def test_a_federal_district_is_no_governors_region(nlp):
    text = ("Приволжский федеральный округ лидирует по числу соглашений. ПФО растёт. "
            "Завод открыл губернатор Роман Бусаргин. В Саратовской области рады.")
    assert people(text).get("Роман Бусаргин") == {"Саратовская область"}


def test_a_post_at_a_noun_standing_for_the_organisation_named_before_works_there(nlp):
    found = works_at("Концерн «Компенз» построит завод в Новгородской области. Соглашение подписали "
                     "губернатор Андрей Никитин и генеральный директор концерна Ильяс Ягофаров.")
    assert ("Ильяс Ягофаров", "Концерн «Компенз»") in {(person, target) for person, target, _ in found}
