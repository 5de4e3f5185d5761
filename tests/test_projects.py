"""Projects: money/number normalisation, each project kind, roles, places and facts."""
from __future__ import annotations

import pytest

from graph.model import Article, Entity, Evidence, Mention, Relation
from ingest.extract import analyse, extract, people_on_their_own_account, without_crossed_owners
from ingest.grammars.money import find_area_ha, find_jobs, parse_money
from ingest.resolve import resolve, written_name


@pytest.mark.parametrize("text, value, currency, qualifier", [
    ("1,2 млрд руб.", 1.2e9, "RUB", None),
    ("500 млн рублей", 5e8, "RUB", None),
    ("$10 млн", 1e7, "USD", None),
    ("свыше 3 млрд", 3e9, None, "more_than"),
    ("2,5 млрд рублей", 2.5e9, "RUB", None),
    ("около 1 500 000 рублей", 1.5e6, "RUB", "about"),
    ("15 млн долларов", 1.5e7, "USD", None),
    ("до 700 тыс. евро", 7e5, "EUR", "up_to"),
    ("1,5 трлн рублей", 1.5e12, "RUB", None),
])
def test_money_is_normalised(text, value, currency, qualifier):
    amount = parse_money(f"Объём инвестиций составит {text} в ближайшие годы.")
    assert amount is not None
    assert amount.value == pytest.approx(value)
    assert (amount.currency, amount.qualifier) == (currency, qualifier)
    assert amount.text.strip() == text.strip()


def test_bare_numbers_and_years_are_not_money():
    assert parse_money("в 2027 году на 3 площадках") is None


def test_jobs_and_area():
    assert [j.value for j in find_jobs("создадут 450 новых рабочих мест, а затем ещё 1,2 тыс. рабочих мест")] \
        == [450, 1200]
    assert [a.value for a in find_area_ha("на площади 120 га, корпус 35 тыс. кв. м")] == [120, 3.5]


def projects_of(text: str) -> dict[str, str]:
    """The projects found, by their names as written (a card name may add an owner or a place)."""
    ex = extract(Article(id="t", text=text))
    return {written_name(e): e.kind for e in ex.entities if e.type == "PROJECT"}


@pytest.mark.parametrize("text, name_part, kind", [
    ("В регионе появится индустриальный парк «Ключ» площадью 100 га.", "Ключ", "industrial_park"),
    ("Резидентом технопарка «Жигулевская долина» стала новая компания.", "Жигулевская долина", "technopark"),
    ("Рядом с городом построят бизнес-парк «Орбита» для офисов.", "Орбита", "business_park"),
    ("Агропарк «Зеленая долина» откроют весной.", "Зеленая долина", "agro_park"),
    ("Компания стала резидентом ОЭЗ «Алабуга» в Татарстане.", "Алабуга", "sez"),
    ("Инвестор зашел в особую экономическую зону «Титановая долина».", "Титановая долина", "sez"),
    ("Проект реализуют на территории опережающего развития «Хабаровск».", "Хабаровск", "tor"),
    ("Компания получила статус резидента свободного порта Владивосток.", "Владивосток", "free_port"),
    ("В области создадут машиностроительный кластер по выпуску клапанов.", "кластер", "cluster"),
    ("Новый завод по глубокой переработке сои построят в Амурской области.", "завод", "plant"),
    ("Контейнерный терминал на пограничном переходе Забайкальск откроют в 2026 году.", "терминал", "infrastructure"),
    ("Морской вокзал в Пионерском достроят к концу 2027 года.", "вокзал", "infrastructure"),
    ("Компания проложит продуктопровод «Север» до порта.", "Север", "infrastructure"),
    ("Инвестор возведёт в регионе бойню «Заря» мощностью 500 голов в час.", "Заря", "plant"),
])
def test_each_project_kind(nlp, text, name_part, kind):
    found = projects_of(text)
    matching = {n: k for n, k in found.items() if name_part.lower() in n.lower()}
    assert matching, f"no project with '{name_part}' in {found}"
    assert set(matching.values()) == {kind}


@pytest.mark.parametrize("text, name", [
    ("Компания «Вектор» построит под Тамбовом распределительный центр для торговых сетей.", "распределительный центр"),
    ("Ритейлер приступает к строительству логистического центра площадью 100 тыс. кв. м.", "логистический центр"),
    ("Завод строят на территории Моршанского индустриального парка.", "Моршанский индустриальный парк"),
    ("АО «Полимер» инвестирует 900 млн рублей в производство полиэтиленовых труб.", "производство полиэтиленовых труб"),
    ("Компания «Хлебник» расширит уже работающее производство сухарей.", "производство сухарей"),
    ("Место в кластере композитных материалов получили 12 компаний.", "кластер композитных материалов"),
    ("Через пункт пропуска «Верхний Ларс» прошли 500 грузовиков.", "пункт пропуска «Верхний Ларс»"),
    ("Власти одобрили жилищный проект «Северный квартал» в Самаре.", "жилищный проект «Северный квартал»"),
    ("Участники намерены создать в Приангарье индустриальный парк «Иркут».", "индустриальный парк «Иркут»"),
    ("Подрядчик готовит документацию для производственного и офисного комплекса парка.",
     "производственный и офисный комплекс"),
])
def test_projects_named_by_what_they_do_or_by_an_adjective_of_place(nlp, text, name):
    assert name in projects_of(text), projects_of(text)


def test_a_trade_and_a_capitalised_plant_are_still_not_projects(nlp):
    assert not any("производство" in n for n in projects_of("Объём производства сухарей вырос на 5%."))
    assert "Моршанский трубный завод" not in projects_of("Договор подписал Моршанский трубный завод.")


def test_a_deposit_is_where_a_project_stands_not_a_project(nlp):
    projects = projects_of("Компания возведёт горно-обогатительный комбинат «Север» на месторождении «Южное» "
                           "в Оймяконском районе.")
    assert not any(n.startswith("месторождение") for n in projects), projects
    assert any("комбинат «Север»" in n for n in projects), projects


def test_generic_talk_about_parks_is_not_a_project(nlp):
    assert projects_of("Индустриальные парки становятся важным инструментом привлечения инвестиций.") == {}


def test_coordinated_and_repeated_names_are_separate_projects_of_one_kind(nlp):
    text = ("Резидентами ТОР «Белогорск», «Свободный» и «Приамурская» стали 12 компаний. "
            "В «Белогорске» уже работает маслоэкстракционный завод.")
    ex = extract(Article(id="t", text=text))
    projects = [e for e in ex.entities if e.type == "PROJECT" and e.kind == "tor"]
    assert sorted(e.name for e in projects) == ["ТОР «Белогорск»", "ТОР «Приамурская»", "ТОР «Свободный»"]
    belogorsk = next(e for e in projects if "Белогорск" in e.name)
    assert len(belogorsk.mentions) == 2  # «Белогорске» later is the same project


def test_roles_places_and_facts(nlp):
    text = ("Индустриальный парк «Северный луч» создадут в Сокольском районе Вологодской области. "
            "Управляющей компанией парка станет ООО «УК Северный луч». "
            "Инвестором первой очереди выступит АО «Тайга Металл», объём инвестиций составит 2,5 млрд рублей, "
            "будет создано 450 рабочих мест.")
    ex = extract(Article(id="t", text=text))
    names = {e.id: e.name for e in ex.entities}
    park = next(e for e in ex.entities if e.type == "PROJECT")
    rels = {(r.type, names[r.source], names[r.target], r.role) for r in ex.relations}
    assert ("LOCATED_IN", park.name, "Сокольский район", None) in rels
    assert ("INVOLVED_IN", "ООО «УК Северный луч»", park.name, "management_company") in rels
    assert ("INVOLVED_IN", "АО «Тайга Металл»", park.name, "investor") in rels
    assert park.facts["investment"]["amount"] == pytest.approx(2.5e9)
    assert park.facts["investment"]["currency"] == "RUB"
    assert park.facts["jobs"]["count"] == 450
    assert park.facts["stage"]["value"] == "planned"
    ev = park.facts["investment"]["evidence"]
    assert text[ev["start"]:ev["stop"]] == "2,5 млрд рублей"
    for r in ex.relations:  # every relation carries its sentence
        assert r.evidence and text[r.evidence[0].start:r.evidence[0].stop] == r.evidence[0].sentence


def test_listed_residents_are_all_residents(nlp):
    text = ("Строительство корпусов начнут ещё три резидента ОЭЗ «Томск»: «Элком+», "
            "«Субмикронные технологии» и НПП «Стелс».")
    ex = extract(Article(id="t", text=text))
    names = {e.id: e.name for e in ex.entities}
    residents = {names[r.source] for r in ex.relations if r.type == "INVOLVED_IN" and r.role == "resident"}
    assert {"Элком+", "Субмикронные технологии", "НПП «Стелс»"} <= {n.strip("«»") if n.startswith("«") else n
                                                                    for n in residents}


def located(text: str) -> set[tuple[str, str]]:
    """The rules' LOCATED_IN (the relation model's additions are judged by cross-validation and
    tests/test_learned.py)."""
    ex = analyse(Article(id="t", text=text)).extraction
    names = {e.id: e.name for e in ex.entities}
    return {(names[r.source], names[r.target]) for r in ex.relations if r.type == "LOCATED_IN"}


def test_a_news_outlet_is_never_a_party(nlp):
    text = ("Как пишет «БелПресса», компания «Северный металл» построит завод по выпуску труб в Твери. "
            "Об этом сообщает ТАСС. Инвестиции в проект составят 2 млрд рублей, передаёт «Интерфакс-Поволжье».")
    ex = extract(Article(id="t", text=text))
    names = {e.id: e.name for e in ex.entities}
    parties = {names[r.source] for r in ex.relations if r.type == "INVOLVED_IN"}
    assert "Северный металл" in parties
    assert not parties & {"БелПресса", "ТАСС", "Интерфакс-Поволжье"}
    assert {"БелПресса", "ТАСС"} <= set(names.values())  # still organisations, as the sources cited


@pytest.mark.parametrize("name, outlet", [("Fishnews", True), ("Kemerovo-news.net", True), ("ПримаНьюс", True),
                                          ("БелПресса", True), ("Новатэк", False), ("Ньюфаундленд Майнинг", False)])
def test_a_news_outlet_is_known_by_its_name(name, outlet):
    from ingest.parties import news_outlet
    assert news_outlet(name) is outlet


@pytest.mark.parametrize("text, party", [
    ("Совет по инвестициям Ростовской области одобрил строительство нового завода ТЕХНОНИКОЛЬ в Красном Сулине.",
     "ТЕХНОНИКОЛЬ"),
    ("Главгосэкспертиза одобрила проект зернового терминала компании «Северный металл» в морском порту Азов.",
     None)])
def test_a_council_or_a_state_expert_review_is_never_a_party(nlp, text, party):
    ex = extract(Article(id="t", text=text))
    names = {e.id: e.name for e in ex.entities}
    parties = {names[r.source] for r in ex.relations if r.type == "INVOLVED_IN"}
    assert party is None or party in parties
    assert not [p for p in parties if p.startswith(("Совет", "Главгосэкспертиза"))]


@pytest.mark.parametrize("text, name", [
    ("Агропромышленный парк появится у аэропорта Горно-Алтайска.", "Агропромышленный парк"),
    ("Элеватор на 200 тысяч тонн зерна построят в Бийске.", "Элеватор на 200 тысяч тонн зерна"),
    ("На Ямале построят три мусоросортировочных комплекса.", "три мусоросортировочных комплекса"),
    ("В Хабаровском крае появится деревообрабатывающее предприятие.", "деревообрабатывающее предприятие"),
    ("Компания приступила к строительству зернового элеватора.", "зерновой элеватор"),
    ("Инвестор построит в регионе крупную бойню.", "крупная бойня"),  # a narrow head is one thing
    ("В Курской области откроется новая птицефабрика.", "новая птицефабрика"),
    ("Участок отвели рядом с мебельным предприятием, которое откроют весной.", "мебельное предприятие"),
    # put into service; its size is no part of its name
    ("В технопарке ввели в эксплуатацию новый лабораторный корпус площадью 5 тыс. кв. м.", "новый лабораторный корпус"),
])
def test_an_unnamed_project_that_a_word_of_building_brings_about(nlp, text, name):
    assert name in projects_of(text)


@pytest.mark.parametrize("text", [
    "В регионе будут строить заводы.",  # a kind, not one
    "Компания построит новое производство.",  # a word of the moment says nothing of which
    "Завод построят к 2027 году.",  # a lone head is another mention
    "Производство стали выросло на 5%.",  # nothing is built
])
def test_talk_of_a_kind_is_no_project(nlp, text):
    assert not projects_of(text)


def test_a_named_place_inside_an_unnamed_project_stays_a_place_and_a_place_by_kind_alone_ends_it(nlp):
    ex = extract(Article(id="t", text="На Камчатке построят два терминала для приёма и переработки рыбы "
                                      "в Карагинском районе."))
    names = {e.id: e.name for e in ex.entities}
    project = next(e for e in ex.entities if e.type == "PROJECT")
    assert project.name == "два терминала для приёма и переработки рыбы в Карагинском районе"
    assert (project.name, "Карагинский район") in {(names[r.source], names[r.target]) for r in ex.relations
                                                   if r.type == "LOCATED_IN"}
    ex = extract(Article(id="t", text="Им предусмотрено строительство пяти новых горнолыжных курортов "
                                      "в южных регионах России."))
    assert {(e.type, e.name) for e in ex.entities} >= {("PROJECT", "пяти новых горнолыжных курортов"),
                                                        ("LOC", "Россия")}


def test_projects_listed_after_a_verb_of_building_stay_apart(nlp):
    names = projects_of("Инвестор построит девять свиноводческих комплексов, бойню и завод по выпуску комбикормов.")
    assert {"девять свиноводческих комплексов", "завод по выпуску комбикормов"} <= set(names)


def test_a_project_ends_where_a_person_named_after_it_begins(nlp):
    """The place's capitalised words ran on into the name: "завод в Красном Сулине Иван Петров"."""
    ex = extract(Article(id="t", text="Об этом сообщил директор завода в Красном Сулине Иван Петров."))
    names = {e.type: e.name for e in ex.entities}
    assert names["PROJECT"] == "завод в Красном Сулине"
    assert names["PERSON"] == "Иван Петров"
    # a person inside the project's quoted name is part of it
    quoted = projects_of("Компания построит технопарк «Иван Петров» в Твери.")
    assert quoted == {"технопарк «Иван Петров»": "technopark"}


def test_an_organisation_from_a_place_is_located_there_even_in_an_article_without_projects(nlp):
    assert ("Сеул Трейд", "Южная Корея") in located(
        "Компания «Сеул Трейд» из Южной Кореи вложит 5 млрд рублей в отрасль.")
    assert ("Северный металл", "Тверь") in located(
        "Ещё один резидент, компания «Северный металл» из Твери, построит в ОЭЗ завод.")
    # a place further on, after a verb, is no home
    assert not located("Компания «Сеул Трейд» вернулась из Южной Кореи с контрактом.")


def test_a_place_on_the_verb_places_its_subjects_and_objects(nlp):
    places = located("Весной на острове Попова появятся рыбоперерабатывающий завод и грузовой терминал.")
    assert {p for p, _ in places} >= {"рыбоперерабатывающий завод", "грузовой терминал"}
    assert all(place == "остров Попова" for _, place in places)
    places = located("Технопарк «Кристалл» разместится на территории города Саров и Дивеевского района.")
    assert {place for _, place in places} >= {"Дивеевский район"}
    assert any("Саров" in place for _, place in places)


def test_a_place_after_the_last_of_two_plants_places_both_but_not_the_rest_of_the_list(nlp):
    places = located("В планах — деревообрабатывающий комбинат в Лесосибирске, "
                     "а также кирпичный завод и цементная фабрика в Ачинском районе.")
    assert ("кирпичный завод", "Ачинский район") in places
    assert ("цементная фабрика в Ачинском районе", "Ачинский район") in places
    assert ("деревообрабатывающий комбинат в Лесосибирске", "Ачинский район") not in places


def test_listed_plants_of_one_kind_stay_apart_and_their_places_stay_as_written(nlp):
    found = projects_of("Среди проектов — молочный комбинат в Вологде и горно-обогатительные комбинаты "
                        "в Кольском районе.")
    assert {"молочный комбинат в Вологде", "горно-обогатительные комбинаты в Кольском районе"} <= set(found)


def test_a_zone_without_its_name_is_the_named_zone_of_the_article(nlp):
    text = ("В Тверской области создадут особую экономическую зону. Особая экономическая зона "
            "промышленного типа разместится в Конаковском районе. Резидентом ОЭЗ «Верхневолжье» "
            "станет ООО «Тверьстекло». Новая ОЭЗ в Тверской области займёт 300 гектаров.")
    ex = extract(Article(id="t", text=text))
    zones = [e for e in ex.entities if e.type == "PROJECT"]
    assert [z.name for z in zones] == ["ОЭЗ «Верхневолжье»"]
    assert len(zones[0].mentions) >= 3
    assert ("ОЭЗ «Верхневолжье»", "Конаковский район") in located(text)


def involved(text: str) -> set[tuple[str, str, str]]:
    """The rules' INVOLVED_IN (the relation model's additions are judged by cross-validation and
    tests/test_learned.py)."""
    ex = analyse(Article(id="t", text=text)).extraction
    names = {e.id: e.name for e in ex.entities}
    return {(names[r.source], names[r.target], r.role) for r in ex.relations if r.type == "INVOLVED_IN"}


def test_partners_named_together_after_the_cue_are_all_partners_of_every_listed_plant(nlp):
    rels = involved("В Новочеркасске появятся два новых производства: завод по выпуску кабеля и "
                    "предприятие по переработке пластика. Инвестором выступит ООО «Донской кабель», "
                    "а партнёрами проектов станут АО «Ростех» и Донская торгово-промышленная палата.")
    plants = {p for _, p, _ in rels}
    assert len(plants) == 2
    for plant in plants:
        assert ("ООО «Донской кабель»", plant, "investor") in rels
        assert ("АО «Ростех»", plant, "partner") in rels
        assert any(o.startswith("Донская торгово-промышленная палата") and p == plant and r == "partner"
                   for o, p, r in rels)


def test_a_verb_cue_belongs_to_its_subject_not_to_whoever_stands_near(nlp):
    rels = involved("Как сообщил директор АО «КРДВ Сахалин» Иван Петров, резиденты ТОР «Южная» уже "
                    "вложили в свои проекты 12 млрд рублей.")
    assert not any(o in ("АО «КРДВ Сахалин»", "Иван Петров") for o, _, _ in rels)
    rels = involved("Резидентом ОЭЗ «Липецк» станет ООО «Азот-3», которое намерено вложить в "
                    "производство 5 млрд рублей.")
    assert ("ООО «Азот-3»", "ОЭЗ «Липецк»", "resident") in rels


def test_names_listed_after_a_plural_zone_head_are_zones_of_that_kind(nlp):
    text = ("ТОР «Кангалассы» в Якутии работает с 2016 года. Сейчас в Якутии действуют две территории "
            "опережающего развития: помимо «Кангалассы», это «Южная Якутия».")
    ex = extract(Article(id="t", text=text))
    zones = {e.name: e for e in ex.entities if e.type == "PROJECT"}
    assert set(zones) == {"ТОР «Кангалассы»", "ТОР «Южная Якутия»"}
    assert len(zones["ТОР «Кангалассы»"].mentions) == 2
    # "пять резидентов ОЭЗ: «A», «B»" lists companies, not zones
    assert projects_of("К стройке приступят ещё два резидента ОЭЗ: «Элтех» и «Сибмаш».") == {}


def test_a_renamed_zone_is_one_project_under_its_new_name(nlp):
    text = ("Кабмин расширил ТОР «Надеждинская». Одновременно ТОР «Надеждинская» получила новое "
            "название — теперь это ТОР «Приморье». Резидентами ТОР «Приморье» стали 40 компаний.")
    ex = extract(Article(id="t", text=text))
    zones = [e for e in ex.entities if e.type == "PROJECT"]
    assert [z.name for z in zones] == ["ТОР «Приморье»"]
    assert {"ТОР «Надеждинская»", "ТОР «Приморье»"} <= set(zones[0].aliases)


def test_a_zone_word_before_a_renamed_zone_is_the_zone(nlp):
    # "территорий опережающего развития" stands for ТОР «Надеждинская», which stands for its new
    # name ТОР «Приморье»: an alias of an alias (this text once failed extraction, StopIteration)
    text = ("Механизм территорий опережающего развития призван стимулировать экономику. "
            "Одновременно ТОР «Надеждинская» получила новое название — теперь это ТОР «Приморье».")
    zones = [e for e in extract(Article(id="t", text=text)).entities if e.type == "PROJECT"]
    assert [z.name for z in zones] == ["ТОР «Приморье»"]
    assert {"территорий опережающего развития", "ТОР «Надеждинская»"} <= set(zones[0].aliases)


def test_aliases_in_a_ring_are_one_entity():
    from ingest.extract import to_entities
    from ingest.mentions import Found
    a = Found("ORG", 0, 3, "«А»", "А")
    b = Found("ORG", 10, 13, "«Б»", "Б")
    a.same_as, b.same_as = b, a
    entities, _ = to_entities([a, b], [(0, 20)], "«А» и… «Б»")
    assert [sorted(e.aliases) for e in entities] == [["«А»", "«Б»"]]


def test_a_project_named_after_a_place_is_there(nlp):
    assert ("конгрессный центр «Русский»", "остров Русский") in located(
        "На острове Русский продолжается стройка. Там построят конгрессный центр «Русский».")


def test_a_zone_called_by_its_place_adjective_is_the_zone_of_that_name(nlp):
    text = ("Калужская ОЭЗ привлекла нового инвестора. Резидентом ОЭЗ «Калуга» стала компания "
            "ООО «Ромашка». Новосибирский технопарк и технопарк «Академпарк» растут.")
    ex = extract(Article(id="t", text=text))
    projects = {e.name: e for e in ex.entities if e.type == "PROJECT"}
    assert "ОЭЗ «Калуга»" in projects and len(projects["ОЭЗ «Калуга»"].mentions) == 2
    assert not any(name.lower().startswith("калужск") for name in projects)
    # an adjective that is not the name of the named park leaves the projects apart
    assert not any("Новосибирск" in alias for alias in projects.get("технопарк «Академпарк»").aliases)


def test_place_adjectives_and_names():
    from ingest.grammars.common import names_place
    assert names_place("томский", "Томск") and names_place("калужский", "Калуга")
    assert names_place("тольяттинский", "Тольятти") and names_place("липецкий", "Липецк")
    assert names_place("британский", "Британия") and names_place("российский", "Россия")
    assert not names_place("новый", "Новосибирск") and not names_place("московский", "Моглино")
    assert not names_place("австрийский", "Австралия") and not names_place("иранский", "Ирак")
    assert not names_place("томск", "Томск")  # not an adjective


def test_hyphenated_adjectives_the_tagger_does_not_know_are_put_in_the_nominative(nlp):
    text = ("Стороны обсудили создание туристско-рекреационного комплекса на острове. "
            "Инвесторы из Азиатско-Тихоокеанского региона пришли в Северо-Кавказский федеральный округ.")
    names = {e.name for e in extract(Article(id="t", text=text)).entities}
    assert "туристско-рекреационный комплекс" in names
    assert "Азиатско-Тихоокеанский регион" in names


def test_lands_joined_to_a_zone_place_it_and_every_listed_place_counts(nlp):
    placed = located("Кабмин одобрил присоединение к ТОР «Приморье» земель во Владивостоке, на острове "
                     "Русский, что даст старт новым проектам.")
    assert {("ТОР «Приморье»", "Владивосток"), ("ТОР «Приморье»", "остров Русский")} <= placed


def test_lands_bought_by_a_resident_do_not_place_the_zone(nlp):
    placed = located("Резидент ОЭЗ «Алабуга» купил земли в Казани для нового склада.")
    assert ("ОЭЗ «Алабуга»", "Казань") not in placed


def test_who_builds_a_project_for_itself_is_its_investor(nlp):
    assert ("ООО «Амур»", "завод по переработке сои в Белогорске", "investor") in involved(
        "ООО «Амур» построит завод по переработке сои в Белогорске.")
    assert ("ГК «Содружество»", "Новый завод по глубокой переработке сои", "investor") in involved(
        "Новый завод по глубокой переработке сои появится в ТОР «Белогорск». ГК «Содружество» намерена "
        "приступить к возведению завода в Амурской области в следующем году.")
    # the builder of a contract is not: the subject must be the one who builds
    assert not any(who == "ООО «Амур»" for who, _, _ in involved(
        "Губернатор посетил ООО «Амур». Завод по переработке сои построит подрядчик."))


def test_a_named_projects_name_leaves_out_dashes_ordinals_and_words_of_the_moment(nlp):
    names = set(projects_of("Холдингу предложили на выбор две ТОР — «Белогорск» и «Приамурская». "
                            "Второй технопарк — «АлтайБиоТех» в Бийске — прошёл защиту."))
    assert {"ТОР «Белогорск»", "ТОР «Приамурская»", "технопарк «АлтайБиоТех»"} <= names


def test_this_resident_is_the_organisation_named_last_before(nlp):
    text = ("Составители рейтинга отметили проект датской компании Rockwool. Этот резидент ОЭЗ «Алабуга» "
            "расширил мощности.")
    assert ("Rockwool", "ОЭЗ «Алабуга»", "resident") in involved(text)
    assert not any(role == "resident" for _, _, role in involved(
        "Составители рейтинга отметили компанию Rockwool. Резидент ОЭЗ «Алабуга» расширил мощности."))


def test_what_we_do_in_a_quote_the_speakers_organisation_does(nlp):
    text = ("— Центральным элементом может стать российско-китайский технопарк на острове Большой Уссурийский, "
            "который мы начинаем на нем строить, — отметил директор АНО «Агентство инвестиций» Руслан Заливацкий.\n"
            "— Мы хотели бы принять участие в строительстве промышленного парка в Хабаровском крае, — подчеркнул "
            "председатель рабочего комитета «Один пояс, один путь» Шан Шивэй.\n"
            "— Технопарк «Юг» они начинают строить сами, — сказал представитель ООО «Рубин» Иван Петров.")
    found = involved(text)
    assert ("АНО «Агентство инвестиций»", "российско-китайский технопарк на острове Большой Уссурийский",
            "initiator") in found
    assert ("Рабочий комитет «Один пояс, один путь»", "промышленный парк в Хабаровском крае", "participant") in found
    assert not any(who == "ООО «Рубин»" for who, _, _ in found)  # "они", not "мы"


def test_a_quoted_name_after_a_rating_of_zones_names_the_rating(nlp):
    names = set(projects_of("ОЭЗ «Алабуга» вошла в международный рейтинг ОЭЗ «Глобальные свободные зоны года»."))
    assert "ОЭЗ «Алабуга»" in names and not any("Глобальные" in n for n in names)


def test_who_reports_and_who_carries_a_projects_name_are_not_its_parties(nlp):
    found = involved("Как рассказал министр промышленности Бурятии Денис Гармаев, соглашение о создании "
                     "промпарка в Улан-Удэ республика подписала с ООО «Структура».")
    assert not any(who == "Денис Гармаев" for who, _, _ in found)
    assert ("ООО «Структура»", "промпарк в Улан-Удэ", "partner") in found  # not "… Улан-Удэ республика"
    found = involved("Частный инвестор намерен построить научно-исследовательский институт «Технопарк «Родина».")
    assert not any(who.startswith("Научно-исследовательский институт") for who, _, _ in found)


def test_a_bare_head_is_the_named_project_of_the_place_the_text_just_named(nlp):
    text = ("Открыть первый — технопарк «Юг Алтая» в Рубцовске — планируют в мае. Второй технопарк — "
            "«АлтайБиоТех» в Бийске — прошёл защиту. Министр связывает это с примером Рубцовска. Там по "
            "инициативе местного завода возвели сельхозмашиностроительный технопарк.")
    ex = extract(Article(id="t", text=text))
    south = next(e for e in ex.entities if e.name == "технопарк «Юг Алтая»")
    assert "сельхозмашиностроительный технопарк" in south.aliases


def test_a_bare_plant_head_is_no_named_project_of_another_head(nlp):
    text = ("Компания построит логистический комплекс рядом с аэропортом «Северный». Крупный логистический "
            "комплекс появится в Заречном районе, неподалеку от аэропорта «Северный».")
    ex = extract(Article(id="t", text=text))
    airport = next(e for e in ex.entities if e.name == "аэропорт «Северный»")
    assert all("комплекс" not in m.text for m in airport.mentions), [m.text for m in airport.mentions]


def test_on_it_in_a_projects_relative_clause_is_the_place_named_before(nlp):
    placed = located("Центром может стать остров Большой Уссурийский и российско-китайский технопарк, "
                     "который мы начинаем на нем строить.")
    assert ("российско-китайский технопарк", "остров Большой Уссурийский") in placed


def test_a_named_projects_head_the_tagger_does_not_know_is_put_in_the_nominative(nlp):
    names = set(projects_of("Оператором мультимодального логистического хаба «Восточные ворота» станет "
                            "ООО «Приморская логистическая компания». Резиденты агропарка «Зелёная долина» рады."))
    assert {"мультимодальный логистический хаб «Восточные ворота»", "агропарк «Зелёная долина»"} <= names


def test_whose_words_are_reported_is_no_party(nlp):
    found = involved("Губернатор Сергей Дроздов посетил агропарк «Зелёная долина». По словам Дроздова, инвестор "
                     "получит налоговые льготы.")
    assert not any(who == "Сергей Дроздов" for who, _, _ in found)


def test_lands_joined_to_a_zone_named_by_its_bare_abbreviation(nlp):
    text = ("Кабмин расширит ТОР «Забайкалье». В состав ТОР войдут земли в Тунгокоченском муниципальном "
            "округе и непосредственно в Чите.")
    assert {("ТОР «Забайкалье»", "Тунгокоченский муниципальный округ"), ("ТОР «Забайкалье»", "Чита")} <= located(text)
    # two named zones of the kind: the bare abbreviation does not say which
    assert not any(place == "Чита" for _, place in located(
        "Кабмин расширит ТОР «Забайкалье» и ТОР «Хабаровск». В состав ТОР войдут земли в Чите."))


# General project forms of investment news: what a plant makes, zones, parks listed together,
# other heads. Invented sentences, one per form.
@pytest.mark.parametrize("text, name", [
    # a plant named by what it makes, in the genitive
    ("Весной холдинг откроет завод керамической плитки, инвестиции составят 2 млрд рублей.",
     "завод керамической плитки"),
    ("В области появится производство пластиковой тары.", "производство пластиковой тары"),
    ("Инвестор запустит производство картона «Упаковка Плюс» в Калуге.", "производство картона «Упаковка Плюс»"),
    # long genitive chains after "по выпуску"/"по производству" kept whole
    ("Инвестор построит завод по производству шариковых и роликовых подшипников качения.",
     "завод по производству шариковых и роликовых подшипников качения"),
    ("В городе откроется предприятие по выпуску стеклянной тары и алюминиевых банок.",
     "предприятие по выпуску стеклянной тары и алюминиевых банок"),
    # a purpose after "для", a place near a named place, a place before the head
    ("Инвестор построит терминал для перевалки угля на Сахалине.", "терминал для перевалки угля на Сахалине"),
    # what it serves, after "для"
    ("Порт построит терминал для навалочных грузов.", "терминал для навалочных грузов"),
    ("Холдинг откроет завод ингредиентов для молочной и масложировой промышленности.",
     "завод ингредиентов для молочной и масложировой промышленности"),
    ("Агропромышленный парк у аэропорта Северогорска откроют весной.",
     "Агропромышленный парк у аэропорта Северогорска"),
    ("Компания уже построила в Туле собственный завод по производству красок.",
     "собственный завод по производству красок"),
    # a park of what its residents make
    ("В области появится промышленный парк строительных материалов.", "промышленный парк строительных материалов"),
    # put into service
    ("Холдинг в этом году ввёл в работу автоматизированный склад готовой продукции.",
     "автоматизированный склад готовой продукции"),
])
def test_plants_named_by_what_they_make(nlp, text, name):
    assert name in projects_of(text)


def test_a_park_for_its_residents_is_not_named_by_them(nlp):
    assert not any("резидент" in name for name in projects_of("Власти создадут индустриальный парк для резидентов из "
                                                                "Китая, сообщил губернатор."))


@pytest.mark.parametrize("text, name, kind", [
    ("Резидентом промышленной зоны «Северная» стала компания.", "промышленная зона «Северная»", "industrial_park"),
    ("Новый склад построят в промзоне «Восток».", "промзона «Восток»", "industrial_park"),
    ("Резидентом промышленно-деловой зоны «Кварц» стал завод.", "промышленно-деловая зона «Кварц»",
     "industrial_park"),
    ("Компания вошла в индустриально-промышленную зону Заречье-3.", "индустриально-промышленная зона Заречье-3",
     "industrial_park"),
    ("В Узбекистане создана свободная индустриальная зона «Фергана».", "свободная индустриальная зона «Фергана»",
     "sez"),
    ("Весной заработает экономическая зона «Полярная».", "экономическая зона «Полярная»", "sez"),
    ("Компания стала резидентом ОЭЗ ППТ «Липецк».", "ОЭЗ ППТ «Липецк»", "sez"),
    ("Фирма займётся расширением туристско-рекреационной зоны «Лесная».", "туристско-рекреационная зона «Лесная»",
     "industrial_park"),
])
def test_zone_forms(nlp, text, name, kind):
    assert projects_of(text).get(name) == kind


def test_a_zone_of_a_named_type_is_its_zone(nlp):
    found = projects_of("Проект реализуют в особой экономической зоне туристско-рекреационного типа «Ледяная гора».")
    assert {n: k for n, k in found.items() if "Ледяная гора" in n} == {"ОЭЗ «Ледяная гора»": "sez"}


def test_parks_listed_after_a_plural_head_are_each_a_park(nlp):
    found = projects_of("Резидентами индустриальных парков «Восход», «Заря» и ТПК стали пять компаний.")
    assert found == {"индустриальный парк «Восход»": "industrial_park", "индустриальный парк «Заря»": "industrial_park",
                     "индустриальный парк ТПК": "industrial_park"}


@pytest.mark.parametrize("text, name, kind", [
    ("Весной откроется гондольная канатная дорога «Восточная».", "гондольная канатная дорога «Восточная»",
     "infrastructure"),
    ("Холдинг расширит свинокомплекс «Луговой» в Курской области.", "свинокомплекс «Луговой»", "plant"),
    ("Сеть построит распределительный центр в Подольске.", "распределительный центр в Подольске", "infrastructure"),
])
def test_other_heads_of_investment_news(nlp, text, name, kind):
    assert projects_of(text).get(name) == kind


@pytest.mark.parametrize("text, name, owner", [
    ("Инвестор возведёт в регионе комбикормовый завод ГК «Зерновая база» мощностью 300 тыс. тонн.",
     "комбикормовый завод ГК «Зерновая база»", "ГК «Зерновая база»"),
    ("В Тверской области заработает новое производство компании «Северный металл».",
     "новое производство компании «Северный металл»", "Северный металл"),
    ("Рядом с действующим заводом ТЕХНОСТАЛЬ в Красном Луче отвели участок.",
     "действующий завод ТЕХНОСТАЛЬ в Красном Луче", "ТЕХНОСТАЛЬ"),
    # an abbreviation with a case ending
    ("Резидентом индустриального парка КАМАЗа стала новая компания.", "индустриальный парк КАМАЗ", "КАМАЗ"),
])
def test_a_plant_named_by_whose_it_is_keeps_its_owner_an_organisation(nlp, text, name, owner):
    ex = extract(Article(id="t", text=text))
    names = {e.name: e.type for e in ex.entities}
    assert names.get(name) == "PROJECT" and names.get(owner) == "ORG"


@pytest.mark.parametrize("text", [
    "Производство продукции на заводе компании выросло на 5%, а объём производства молока снизился.",
    "Компания займется производством пластиковой тары.",
    "Премию получили сотрудники завода компании, а завод полного цикла заработает в мае.",
])
def test_a_head_with_a_genitive_of_whose_or_how_much_is_not_a_project(nlp, text):
    assert projects_of(text) == {}


def test_a_plants_size_does_not_name_it(nlp):
    text = ("Компания «Вектор» заложила завод по выпуску автокомпонентов. Строительство завершат к концу года, "
            "а ввести предприятие площадью 20 тыс. кв. метров в эксплуатацию намерены в 2027 году.")
    assert not any("площадью" in name for name in projects_of(text))


def test_a_quoted_name_after_what_a_plant_makes_is_the_company_that_makes_it(nlp):
    text = ("В области запущены завод устройств заземления «Громов» и производство гофрокартона «ТрансКарт». "
            "Рядом заработает завод «Звезда».")
    ex = extract(Article(id="t", text=text))
    assert {e.name for e in ex.entities if e.type == "ORG"} == {"Громов", "ТрансКарт"}
    assert {e.name for e in ex.entities if e.type == "PROJECT"} >= {"завод устройств заземления «Громов»",
                                                                       "производство гофрокартона «ТрансКарт»"}


@pytest.mark.parametrize("text, apart", [
    ("Первым она назвала завод средств защиты растений, который готовит к открытию ООО «Август». "
     "Корпорация «ТехноНиколь» намерена сдать свой завод монтажной пены. Работу на новом заводе получат 42 человека.",
     {"завод средств защиты растений", "завод монтажной пены"}),
    ("Кирпичный завод — не единственный проект площадки: в июне намерены приступить к строительству бетонного завода.",
     {"Кирпичный завод", "бетонный завод"}),
])
def test_unnamed_plants_that_make_different_things_are_different_projects(nlp, text, apart):
    assert apart <= set(projects_of(text))


def test_an_unnamed_plant_pinned_by_its_place_is_the_plant_named_before_it(nlp):
    text = ("Компания «Амур» построит завод по глубокой переработке сои. "
            "Завод в Амурской области заработает в 2027 году.")
    plants = [e for e in extract(Article(id="t", text=text)).entities if e.type == "PROJECT"]
    assert len(plants) == 1 and len(plants[0].mentions) == 2


def test_a_plant_named_only_by_its_head_goes_with_the_product_named_last(nlp):
    text = ("ООО «Август» строит завод средств защиты растений. Корпорация «ТехноНиколь» открывает завод "
            "монтажной пены. Работу на новом заводе получат 42 человека.")
    plants = {written_name(e): e for e in extract(Article(id="t", text=text)).entities if e.type == "PROJECT"}
    assert {m.text for m in plants["завод монтажной пены"].mentions} == {"завод монтажной пены", "новом заводе"}


def test_a_free_port_without_its_name_is_the_free_port_named_in_the_article(nlp):
    projects = projects_of("Власти предложат расширить свободный порт Владивосток. Режим свободного порта уже "
                           "действует в Ванинском районе, и наблюдательный совет свободного порта это одобрил.")
    assert projects == {"свободный порт Владивосток": "free_port"}


def test_a_plant_whose_product_was_named_before_is_not_the_other_plant_standing_between(nlp):
    text = ("В городе построят цинковый завод и завод мелющих шаров. Первым проектом станет цинковый "
            "электролизный завод. Уфалейский завод станет вторым в России. Новый завод мелющих шаров "
            "будет выпускать 246 тысяч тонн продукции.")
    plants = {frozenset(m.text for m in e.mentions) for e in extract(Article(id="t", text=text)).entities
              if e.type == "PROJECT"}
    assert plants == {frozenset({"цинковый завод", "цинковый электролизный завод", "Уфалейский завод"}),
                      frozenset({"завод мелющих шаров", "Новый завод мелющих шаров"})}, plants


def test_a_plant_pinned_down_by_its_owner_is_no_other_named_plant_of_its_head(nlp):
    text = ("В порту останутся два терминала: терминал «Сталькома» на 9 млн тонн и зерновой терминал "
            "ГК «Колос» на 6 млн тонн. Рядом заработал завод «Кварц». Строительство завода ООО «Кварц» "
            "обошлось в 2 млрд рублей.")
    projects = {e.name: [m.text for m in e.mentions] for e in extract(Article(id="t", text=text)).entities
                if e.type == "PROJECT"}
    assert "зерновой терминал ГК «Колос»" in projects and len(projects["терминал «Сталькома»"]) == 1, projects
    assert [name for name in projects if "Кварц" in name] == ["завод «Кварц»"], projects


def test_a_head_with_a_word_that_points_back_is_the_project_of_that_head_named_before(nlp):
    projects = projects_of("Холдинг построит деревообрабатывающий завод. Немецкая компания изготовит "
                           "оборудование для будущего завода. Рядом откроют логистический комплекс.")
    assert projects == {"деревообрабатывающий завод": "plant", "логистический комплекс": "infrastructure"}


def test_what_a_project_becomes_is_no_project_of_its_own(nlp):
    projects = projects_of("Рефрижераторный терминал «Ударник» по сути станет новым рыбным портом.")
    assert projects == {"Рефрижераторный терминал «Ударник»": "infrastructure"}, projects


def test_a_quoted_name_in_the_genitive_is_whose_plant_it_is(nlp):
    text = ("В Тосненском районе построят высокотехнологичный завод «Стройпласта». "
            "Контейнерный терминал «Сухого порта» откроют в следующем году. "
            "Рядом заработает завод «Звезда».")
    ex = extract(Article(id="t", text=text))
    assert {e.name for e in ex.entities if e.type == "ORG"} == {"Стройпласт"}
    assert ("Стройпласт", "высокотехнологичный завод «Стройпласта»", "investor") in involved(text)


def test_a_state_body_putting_money_into_a_plant_is_its_partner_not_its_investor(nlp):
    ex = extract(Article(id="t", text="Правительство Ярославской области вложит 300 млн рублей в строительство "
                                      "фармацевтического завода в Переславском районе."))
    names = {e.id: e.name for e in ex.entities}
    roles = {(names[r.source], r.role) for r in ex.relations if r.type == "INVOLVED_IN"}
    assert roles == {("Правительство Ярославской области", "partner")}


@pytest.mark.parametrize("name", ["Минвостокразвития России", "Минприроды", "Минцифры России", "Минпромторг России"])
def test_a_ministry_whose_lemma_is_not_its_written_name_is_a_state_body(name):
    from ingest.parties import never_resident, state_body
    assert state_body(name) and never_resident(name)


@pytest.mark.parametrize("text, written, card", [
    # its owner: the organisation investing in it
    ("В Хабаровском крае откроется новое деревообрабатывающее предприятие. Его построит компания «Вектор».",
     "новое деревообрабатывающее предприятие", "новое деревообрабатывающее предприятие (Вектор)"),
    # no owner: its place, as the article writes it
    ("В Хабаровском крае построят деревообрабатывающее предприятие.",
     "деревообрабатывающее предприятие", "деревообрабатывающее предприятие в Хабаровском крае"),
])
def test_a_project_named_only_by_what_it_is_is_known_by_its_owner_or_its_place(nlp, text, written, card):
    projects = {written_name(e): e for e in extract(Article(id="t", text=text)).entities if e.type == "PROJECT"}
    e = projects[written]
    assert e.name == card and written in e.aliases
    # the card name ties it to no project of another article: it is keyed within its article
    keyed = {written_name(x): x.key for x in resolve(extract(Article(id="t", text=text))).entities}
    assert "@" in keyed[written]


def test_a_project_with_a_name_of_its_own_keeps_it(nlp):
    text = "Компания «Вектор» построит индустриальный парк «Ключ» и завод в Ельце."
    names = {e.name for e in extract(Article(id="t", text=text)).entities if e.type == "PROJECT"}
    assert "индустриальный парк «Ключ»" in names and not any("(" in n for n in names), names


def test_a_card_names_an_owner_only_the_model_is_sure_of_and_only_one():
    from graph.model import Entity, Evidence, Mention, Relation
    from ingest.extract import known_by_owner_or_place
    text = "Компании «Альфа» и «Бета» построят в Ельце цинковый завод."
    plant = Entity("P", "PROJECT", "цинковый завод", kind="plant", aliases=["цинковый завод"])
    alpha, beta = Entity("A", "ORG", "Альфа"), Entity("B", "ORG", "Бета")
    elets = Entity("L", "LOC", "Елец", mentions=[Mention(text.index("Ельце"), text.index("Ельце") + 5, "Ельце")])
    ev = [Evidence("t", 0, len(text), text)]

    def card(alpha_sure: float, beta_sure: float) -> str:
        relations = [Relation("INVOLVED_IN", "A", "P", "investor", ev, confidence=alpha_sure),
                     Relation("INVOLVED_IN", "B", "P", "investor", ev, confidence=beta_sure),
                     Relation("LOCATED_IN", "P", "L", None, ev, confidence=0.9)]
        return next(e.name for e in known_by_owner_or_place([plant, alpha, beta, elets], relations, text)
                    if e.id == "P")

    assert card(0.8, 0.3) == "цинковый завод (Альфа)"
    assert card(0.4, 0.3) == "цинковый завод в Ельце"  # no owner the model is even about: its place
    assert card(0.7, 0.7) == "цинковый завод в Ельце"  # two as sure: which would be a guess


def test_a_plant_named_for_its_company_has_no_other_company_as_party(nlp):
    # the model paired «Эфко» with the terminal «Металлоинвеста» named beside its own
    ex = extract(Article(id="t", text="ГК «Эфко» построит в порту Тамань зерновой терминал, а «Металлоинвест» — "
                                      "терминал «Металлоинвеста» для металлогрузов."))
    names = {e.id: e.name for e in ex.entities}
    parties = {names[r.source] for r in ex.relations
               if r.type == "INVOLVED_IN" and names[r.target] == "терминал «Металлоинвеста»"}
    assert parties == {"Металлоинвест"}


def test_a_bank_or_a_state_body_may_be_party_to_a_plant_named_for_its_company():
    text = "Сбербанк и правительство края дадут деньги на завод «Хаккель», в проект войдёт и «ТрансПак»."

    def entity(id_: str, type_: str, written: str, kind: str | None = None) -> Entity:
        start = text.index(written)
        return Entity(id=id_, type=type_, name=written, kind=kind,
                      mentions=[Mention(start=start, stop=start + len(written), text=written)])
    entities = [entity("bank", "ORG", "Сбербанк"), entity("region", "ORG", "правительство края"),
                entity("plant", "PROJECT", "завод «Хаккель»", "plant"), entity("owner", "ORG", "Хаккель"),
                entity("other", "ORG", "ТрансПак")]
    evidence = [Evidence(article="t", start=0, stop=len(text), sentence=text)]
    relations = [Relation("INVOLVED_IN", source, "plant", role, evidence) for source, role in
                 (("bank", "investor"), ("region", "partner"), ("owner", "investor"), ("other", "investor"))]
    kept = {r.source for r in without_crossed_owners(entities, relations)}
    assert kept == {"bank", "region", "owner"}


@pytest.mark.parametrize("text, place", [
    ("В Приморье, в Дальневосточном федеральном округе, построят рыбоперерабатывающий завод.", "Приморский край"),
    ("Индустриальный парк «Восход» в Курской области станет крупнейшим в Центральном федеральном округе.",
     "Курская область"),
    ("Крупнейший в ДФО логистический центр построят под Хабаровском.", "Хабаровск"),
    ("В Тульской области построят крупнейший в России завод по выпуску стекла.", "Тульская область"),
])
def test_a_project_placed_in_a_region_or_town_is_not_placed_in_the_country_or_its_district(nlp, text, place):
    ex = extract(Article(id="t", text=text))
    names = {e.id: e.name for e in ex.entities}
    assert {names[r.target] for r in ex.relations if r.type == "LOCATED_IN"} == {place}


@pytest.mark.parametrize("text, project", [
    ("В Тверской области построят завод ЖБИ.", "завод ЖБИ"),
    ("Компания «Лесплит» запустила производство плит МДФ в Вологде.", "производство плит МДФ в Вологде"),
    ("В области заработало производство листов ПВХ компании «Карматех».",
     "производство листов ПВХ компании «Карматех»"),
])
def test_a_material_written_as_an_abbreviation_is_what_a_plant_makes_not_its_owner(nlp, text, project):
    ex = extract(Article(id="t", text=text))
    assert project in {written_name(e) for e in ex.entities if e.type == "PROJECT"}
    assert not {"ЖБИ", "МДФ", "ПВХ"} & {e.name for e in ex.entities if e.type == "ORG"}


def test_the_next_item_of_a_list_of_projects_is_built_as_the_first_was(nlp):
    ex = extract(Article(id="t", text="Заработали завод «Хаккель» и производство листов компании «Карматех»."))
    assert {written_name(e) for e in ex.entities if e.type == "PROJECT"} == {
        "завод «Хаккель»", "производство листов компании «Карматех»"}


def test_a_capitalised_plant_after_a_colon_is_a_company_name(nlp):
    ex = extract(Article(id="t", text="Без них трудно представить нашу промышленность: Кировский завод, "
                                      "Невский завод и «Силовые машины»."))
    assert "Кировский завод" in {e.name for e in ex.entities if e.type == "ORG"}
    assert not [e for e in ex.entities if e.type == "PROJECT"]


def test_a_person_is_a_party_only_where_the_model_is_at_least_even_about_it():
    text = "Иван Петров вложит свои деньги в завод, Олег Сидоров его откроет."
    entities = [Entity(id=i, type=t, name=n) for i, t, n in
                (("investor", "PERSON", "Иван Петров"), ("opener", "PERSON", "Олег Сидоров"),
                 ("plant", "PROJECT", "завод"), ("company", "ORG", "Альфа"))]
    evidence = [Evidence(article="t", start=0, stop=len(text), sentence=text)]
    relations = [Relation("INVOLVED_IN", source, "plant", "investor", evidence, confidence) for source, confidence in
                 (("investor", 0.8), ("opener", 0.15), ("company", 0.15))]
    kept = {r.source for r in people_on_their_own_account(entities, relations)}
    assert kept == {"investor", "company"}
