"""Organisation mentions from the grammar (real natasha models)."""
from __future__ import annotations

import pytest

from graph.model import Article, Extraction
from ingest.extract import extract, grammar_mentions
from ingest.pipeline import pipeline
from ingest.resolve import organisation_core


def extracted(text: str) -> Extraction:
    return extract(Article(id="t", text=text))


def named(text: str, etype: str) -> set[str]:
    """The names of the entities of one type extracted from `text`."""
    return {e.name for e in extracted(text).entities if e.type == etype}


def orgs(text: str) -> set[str]:
    doc = pipeline().analyse(text)
    return {f.text for f in grammar_mentions(doc)}


def test_no_conjunction_at_the_end(nlp):
    found = orgs("Он член Общественной палаты и российско-американской рабочей группы.")
    assert "Общественной палаты" in found
    assert not any(f.endswith(" и") for f in found)


def test_pri_tail_stops_before_a_name(nlp):
    found = orgs("Об этом сообщил официальный представитель Следственного комитета при прокуратуре Владимир Маркин.")
    assert "Следственного комитета при прокуратуре" in found


def test_pri_tail_with_po_phrase(nlp):
    found = orgs("Заседание Совета при Президенте РФ по развитию информационного общества прошло в Кремле.")
    assert "Совета при Президенте РФ по развитию информационного общества" in found


def test_media_noun_with_quoted_name(nlp):
    found = orgs("Владимир Королёв, фотограф независимого еженедельника «Пермский обозреватель», был арестован.")
    assert "независимого еженедельника «Пермский обозреватель»" in found


def test_unit_of_a_named_owner(nlp):
    assert "фракции КПРФ" in orgs("Лидер фракции КПРФ Владимир Беспалов опроверг эту информацию.")
    assert "московского отделения движения «Солидарность»" in orgs(
        "Задержан сопредседатель московского отделения движения «Солидарность» Михаил Вельмакин.")


def test_a_unit_named_after_a_macro_region(nlp):
    found = orgs("Соглашение подписали Корпорация развития Северного Кавказа и Фонд развития Дальнего "
                 "Востока и Арктики.")
    assert "Корпорация развития Северного Кавказа" in found
    assert "Фонд развития Дальнего Востока и Арктики" in found
    # a person after a body is not its territory
    assert not any("Маэхара" in f for f in orgs("Глава японского МИД Сэйдзи Маэхара прибыл в Москву."))


def test_names_with_a_domain_zone_are_one_organisation(nlp):
    ex = extracted("Проект поддержали ВЭБ.РФ и Дом.РФ, сообщили в РФ.")
    assert {(e.type, e.name) for e in ex.entities} == {("ORG", "ВЭБ.РФ"), ("ORG", "Дом.РФ"), ("LOC", "Россия")}


def test_a_domain_name_after_an_organisation_noun_is_the_whole_name(nlp):
    # the grammar's "корпорация развития X" would otherwise cut "ВЭБ" from its zone, leaving "РФ" a place
    found = entities_of("Сторонами стали правительство области и государственная корпорация развития ВЭБ.РФ.")
    assert ("ORG", "ВЭБ.РФ") in found
    assert not any(t == "LOC" for t, _ in found)


def entities_of(text: str) -> set[tuple[str, str]]:
    return {(e.type, e.name) for e in extracted(text).entities}


def test_an_abbreviation_of_the_initials_of_a_named_organisation_is_that_organisation(nlp):
    text = ("Наблюдатели Организации по безопасности и сотрудничеству в Европе приехали в Тбилиси. "
            "Доклад ОБСЕ выйдет в понедельник.")
    orgs = [e for e in extracted(text).entities if e.type == "ORG"]
    assert len(orgs) == 1 and "ОБСЕ" in orgs[0].aliases
    assert "initials" in orgs[0].merged_by["ОБСЕ"]


def test_an_abbreviation_of_the_initials_of_a_named_place_is_that_place(nlp):
    text = ("Гостями стали министр промышленности Чеченской Республики Адам Хакимов "
            "и министр ЧР по национальной политике Ахмед Дудаев.")
    places = [e for e in extracted(text).entities if e.type == "LOC"]
    assert [p.name for p in places] == ["Чеченская Республика"] and "ЧР" in places[0].aliases
    assert "initials" in places[0].merged_by["ЧР"]


def test_a_stations_word_belongs_to_its_name(nlp):
    found = entities_of("Склад появится в станице Грушевской, а завод построят у станции Ундол.")
    assert {("LOC", "станица Грушевская"), ("LOC", "станция Ундол")} <= found
    assert not any(name in ("Грушевская", "Грушевской", "Ундол") for _, name in found)


def test_places_named_inside_organisations_and_bulleted_lists(nlp):
    found = entities_of("Решение поддержал Совет Европы. Участники: Бахрейн • Барбадос • Бермуды.")
    assert ("LOC", "Европа") in found
    assert {("LOC", "Бахрейн"), ("LOC", "Барбадос")} <= found
    assert not any("•" in name for _, name in found)


def test_a_lone_surname_tagged_as_a_place_is_the_person(nlp):
    found = entities_of("Нападающий Егор Свиридов забил гол. Болельщики верят в Свиридова и в его будущее.")
    assert {n for t, n in found if t == "PERSON"} == {"Егор Свиридов"}
    assert not any(t == "LOC" and "Свиридов" in n for t, n in found)


@pytest.mark.parametrize("text, person", [
    ("Завод открыл министр Денис Мантуров. По словам Мантурова, выбор не случаен.", "Денис Мантуров"),
    ("Выступила заместитель председателя банка Ирина Макиева. По мнению Макиевой, проект жив.", "Ирина Макиева"),
    ("Соглашение подписал губернатор Игорь Руденя. По мнению Игоря Рудени, проект важен.", "Игорь Руденя"),
])
def test_a_surname_in_another_case_is_the_person_named_in_full(nlp, text, person):
    # surnames the dictionary does not know, declined: "Мантурова" of Мантуров, "Рудени" of Руденя
    assert {n for t, n in entities_of(text) if t == "PERSON"} == {person}


@pytest.mark.parametrize("text", [
    "Израильское правительство одобрило план. Правительство Израиля выделит деньги.",
    "Российская сборная вышла в финал. Сборная России сыграет в воскресенье.",
])
def test_a_body_named_by_its_places_adjective_or_by_the_place_is_one_organisation(nlp, text):
    assert len([e for e in extracted(text).entities if e.type == "ORG"]) == 1


def test_bodies_of_two_places_stay_two(nlp):
    found = entities_of("Китайское правительство и правительство Японии договорились о поставках.")
    assert {n for t, n in found if t == "ORG"} == {"Китайское правительство", "Правительство Японии"}


def test_an_organisation_noun_before_a_name_in_capitals_or_latin_is_not_part_of_the_name(nlp):
    ex = extracted("Корпорация ТЕХНОНИКОЛЬ построит завод. ТЕХНОНИКОЛЬ вложит 2 млрд рублей.")
    (org,) = [e for e in ex.entities if e.type == "ORG"]
    assert [m.text for m in org.mentions] == ["Корпорация ТЕХНОНИКОЛЬ", "ТЕХНОНИКОЛЬ"]  # the inner one is no mention
    assert organisation_core("компания Bosch") == "bosch"
    # a name in lower case or title case keeps its noun: "Банк России" is no "Россия"
    assert organisation_core("Банк России") == "банк россия"
    assert organisation_core("Корпорация Развитие") == "корпорация развитие"


@pytest.mark.parametrize("text, region", [
    ("Завод построят в Камчатском крае. На Камчатке уже есть два таких.", "Камчатский край"),
    ("Губернатор Белгородской области приехал в село. На Белгородчине появится парк.", "Белгородская область"),
])
def test_a_region_under_its_other_name_is_one_place(nlp, text, region):
    places = [e for e in extracted(text).entities if e.type == "LOC"]
    assert [e.name for e in places] == [region] and len(places[0].mentions) == 2


def test_a_publication_before_the_quoted_title_of_its_article(nlp):
    text = "О жаре минувшим летом читайте в статье Частного корреспондента «Жара продолжается»\n"
    entities = {(e.type, e.name) for e in extracted(text).entities}
    assert ("ORG", "Частный корреспондент") in entities
    assert not any("Жара" in name for _, name in entities)  # a title, not an organisation


def test_territorial_office_keeps_its_territory(nlp):
    found = orgs("Об этом сообщила заместитель начальника пресс-службы МЧС по Санкт-Петербургу и Ленобласти.")
    assert "пресс-службы МЧС по Санкт-Петербургу и Ленобласти" in found
    assert "Управление федеральной налоговой службы по Хабаровскому краю" in orgs(
        "Управление федеральной налоговой службы по Хабаровскому краю сообщило.")


def test_an_organisation_named_after_someone_keeps_the_name(nlp):
    text = "Своим мнением поделится Виктор Майклсон из Театра им. Йозефа Бойса."
    names = named(text, "ORG")
    assert names == {"Театр им. Йозефа Бойса"}


def test_a_body_named_bare_is_the_one_body_of_its_kind_named_in_full(nlp):

    def orgs_of(text: str) -> list[list[str]]:
        return [e.aliases for e in extracted(text).entities if e.type == "ORG"]

    one = orgs_of("Посол ранее возглавлял отдел в японском МИДе. Как сообщили в МИДе, визит отменён.")
    assert any({"японском МИДе", "МИДе"} <= set(aliases) for aliases in one)
    two = orgs_of("Глава МИД России встретился с главой МИД Японии. Как сообщили в МИДе, встреча прошла хорошо.")
    assert not any("МИДе" in aliases and len(aliases) > 1 for aliases in two)  # which one? neither


def test_a_body_takes_no_genitive_phrase_a_unit_does(nlp):
    found = orgs("Переезд Конституционного суда комплекса зданий Сената завершится летом.")
    assert not any("комплекса" in f for f in found)
    assert "Федеральной службы безопасности России" in orgs("Сотрудники Федеральной службы безопасности России задержали его.")


def test_a_plant_named_in_quotes_of_its_own_is_a_company_and_its_abbreviation_too(nlp):
    text = ("Оборудование для «Маслоэкстракционного завода «Амурский» привезут из Китая. "
            "Наладку на предприятии «Маслоэкстракционный завод «Амурский», которое является резидентом "
            "ТОР «Белогорск», проведут удалённо. Собственники МЭЗ «Амурский» не хотят терять время.")
    ex = extracted(text)
    by_name = {e.name: e for e in ex.entities}
    company = by_name["Маслоэкстракционный завод «Амурский»"]
    assert company.type == "ORG" and not any(e.type == "PROJECT" and "Амурский" in e.name for e in ex.entities)
    assert "МЭЗ «Амурский»" in company.aliases
    assert ("INVOLVED_IN", company.id, by_name["ТОР «Белогорск»"].id, "resident") in {
        (r.type, r.source, r.target, r.role) for r in ex.relations}


def test_letters_of_an_abbreviation_come_from_its_words_in_order():
    from ingest.mentions import abbreviates
    assert abbreviates("мэз", "Маслоэкстракционный завод") and abbreviates("гок", "горно-обогатительный комбинат")
    assert not abbreviates("мзз", "Маслоэкстракционный завод") and not abbreviates("з", "Маслоэкстракционный завод")


def test_coordinated_genitives_in_a_name_keep_their_case(nlp):
    text = ("В частности, Международный центр доклинических исследований и разработки лекарственных средств, "
            "который также является резидентом зоны, в 2012 году планирует заняться строительством.")
    assert ("ORG", "Международный центр доклинических исследований и разработки лекарственных средств") \
        in entities_of(text)


def test_research_and_production_enterprises_by_their_abbreviations(nlp):
    found = orgs("К стройке приступят резиденты ОЭЗ: НПП «СТЕЛС», НИИ «Полюс» и ОКБ «Факел».")
    assert {"НПП «СТЕЛС»", "НИИ «Полюс»", "ОКБ «Факел»"} <= found


def part_of(text: str) -> set[tuple[str, str]]:
    ex = extracted(text)
    names = {e.id: e.name for e in ex.entities}
    return {(names[r.source], names[r.target]) for r in ex.relations if r.type == "PART_OF"}


def test_a_company_that_belongs_to_a_group_is_part_of_it(nlp):
    assert ("Рубцовский завод запчастей", "ГК «Алмаз»") in part_of(
        "Там по инициативе Рубцовского завода запчастей (входит в ГК «Алмаз») возвели технопарк.")
    assert ("ООО «Лес»", "АО «Сибирь»") in part_of("ООО «Лес» — дочерняя компания АО «Сибирь» — построит завод.")
    assert part_of("ООО «Лес» и АО «Сибирь» построят завод.") == set()


def test_a_body_attached_to_another_is_part_of_it(nlp):
    assert ("Совет по земельным и имущественным отношениям", "Правительство Нижегородской области") in part_of(
        "Проект одобрил Совет по земельным и имущественным отношениям при правительстве Нижегородской области.")


def test_an_organisation_is_named_without_the_kind_written_before_it(nlp):
    found = entities_of("Как рассказал изданию «Толк» министр, инвесторы стали активнее. "
                        "Строительство вела компания «Амур». Банк «Открытие» выдал кредит. "
                        "Компания «Альянс-НН» построит склад.")
    assert {("ORG", "Толк"), ("ORG", "Амур"), ("ORG", "Альянс-НН")} <= found
    assert not any(name.lower().startswith(("издание", "компания")) for _, name in found)


def test_a_unit_named_by_a_list_of_genitives(nlp):
    found = orgs("Встреча, в которой участвовали представители ГК «Титан» и Ассоциации кластеров, "
                 "технопарков и ОЭЗ России, прошла в Омске. Министерство промышленности, торговли и "
                 "инвестиций Бурятии сообщило об этом.")
    assert {"Ассоциации кластеров, технопарков и ОЭЗ России",
            "Министерство промышленности, торговли и инвестиций Бурятии"} <= found


def test_regions_listed_by_their_adjectives_share_the_noun_of_the_last(nlp):
    text = ("Элеваторы появятся в Кемеровской, Иркутской и Тюменской областях, а также в Красноярском "
            "и Забайкальском краях. Комплексы разместятся в Карагинском и Соболевском районах.")
    places = named(text, "LOC")
    assert places == {"Кемеровская область", "Иркутская область", "Тюменская область", "Красноярский край",
                      "Забайкальский край", "Карагинский район", "Соболевский район"}


def test_a_lone_adjective_opening_a_sentence_is_not_a_place(nlp):
    found = entities_of("Зона включает две площадки. Южная расположена в Академгородке. "
                        "Северная занимает 77 га.")
    assert ("LOC", "Академгородок") in found
    assert not any(name in ("Северная", "Южная") for _, name in found)


def test_a_regional_body_in_one_word_is_the_body_of_the_articles_region(nlp):
    assert {("ORG", "Администрация Омской области"), ("ORG", "Правительство Омской области")} <= entities_of(
        "В Омской области обладминистрация и облправительство заявили о новом парке.")
    assert ("ORG", "Областное правительство") in entities_of("Как рассказал зампред облправительства Андрей Шпиленко, место выбрано.")


def test_an_enterprise_named_by_what_it_makes_and_a_territory_kind_alone(nlp):
    found = entities_of("Рыбокомбинат «Островной» получит статус резидента. Промпарк построят в ЗАТО Железногорск.")
    assert ("ORG", "Рыбокомбинат «Островной»") in found
    assert not any(name in ("Рыбокомбинат", "ЗАТО") for _, name in found)


def test_an_abbreviation_with_a_case_ending_is_named_in_capitals(nlp):
    found = entities_of("Представитель японского МИДа заявил протест. Глава МИДа России ответил.")
    assert ("ORG", "МИД России") in found and ("ORG", "Японский МИД") in found
    assert not any(name == "Мид" for _, name in found)


def test_a_name_with_its_russian_form_in_brackets_and_that_form_written_later(nlp):
    text = ("Партнёром стала китайская компания Hengsheng Machinery («Хэншэн Машинери»), которая поставит "
            "краны. Позже Хэншэн Машинери вложит деньги.")
    orgs = [e for e in extracted(text).entities if e.type == "ORG"]
    assert [o.name for o in orgs] == ["Hengsheng Machinery"]
    assert {"«Хэншэн Машинери»", "Хэншэн Машинери"} <= set(orgs[0].aliases)


def test_the_place_of_a_dateline_is_a_place_and_an_agency_stays_one(nlp):
    text = ("В Приангарье построят завод\n\nОМСК, 28 августа. /корр./. Компания «Север» построит завод.\n\n"
            "ТАСС, 29 июня. Губернатор назвал сроки.\n\nНАЛЬЧИК. В регионе открыли технопарк.")
    found = entities_of(text)
    assert {("LOC", "Омск"), ("LOC", "Нальчик")} <= found
    assert ("ORG", "ТАСС") in found
    assert not any(t == "ORG" and n.upper() in ("ОМСК", "НАЛЬЧИК") for t, n in found)


def test_russia_named_only_inside_organisations_names_is_no_place_of_the_article(nlp):
    inside = extracted("Минпромторг России поддержал строительство завода в Липецкой области.")
    places = {e.name for e in inside.entities if e.type == "LOC"}
    assert "Липецкая область" in places and "Россия" not in places
    said = extracted("Минпромторг России поддержал проект. Завод станет крупнейшим в России.")
    assert "Россия" in {e.name for e in said.entities if e.type == "LOC"}


def test_a_press_service_speaks_for_its_body_and_is_no_organisation_of_its_own(nlp):
    ex = extracted("Как сообщила пресс-служба правительства Амурской области, завод построят к 2027 году. "
                   "Правительство Амурской области выделит участок.")
    names = {e.name for e in ex.entities if e.type == "ORG"}
    assert "Правительство Амурской области" in names
    assert not any(n.lower().startswith("пресс-служб") for n in names)
    assert not [r for r in ex.relations if r.type == "PART_OF"]


def test_a_prepositional_phrase_in_a_name_keeps_its_case(nlp):
    from ingest.mentions import phrases_as_written
    assert phrases_as_written("Советом по земельным отношениям", "Совет по земельные отношения") == \
        "Совет по земельным отношениям"
    ex = extracted("Как заявили наблюдатели от Организацию по безопасности и сотрудничеству в Европе, "
                   "прошедшие в Грузии президентские выборы соответствовали международным стандартам.")
    assert "Организация по безопасности и сотрудничеству в Европе" in {e.name for e in ex.entities}


@pytest.mark.parametrize("text, place", [
    ("Предприятие зарегистрировано в Щетинском сельсовете.", "Щетинский сельсовет"),
    ("Рыбный завод построят на Южных Курилах.", "Южные Курилы"),
])
def test_a_place_named_with_an_adjective_is_all_in_the_nominative(nlp, text, place):
    assert place in named(text, "LOC")


def test_a_noun_that_does_not_agree_with_the_adjective_keeps_its_case():
    from ingest.mentions import nominative_noun
    assert nominative_noun("Щетинском сельсовете", "Щетинский сельсовете") == "Щетинский сельсовет"
    assert nominative_noun("улице Ленина", "улица Ленина") == "улица Ленина"  # a genitive on its own


@pytest.mark.parametrize("text, name", [
    ("Заняться строительством намерена китайская компания Dandong TICI Flowers Co. Ltd. Договор подписан.",
     "Dandong TICI Flowers Co. Ltd"),
    ("Проект обсудили с президентом южнокорейской компании Korea Trading & Industries Co., Ltd. в Приморье.",
     "Korea Trading & Industries Co., Ltd"),
    ("Возводить завод будет турецкая компания Ozgur Trade and Industrial Co из Анкары.",
     "Ozgur Trade and Industrial Co"),
])
def test_a_company_written_in_latin_letters_runs_to_its_legal_form(nlp, text, name):
    assert name in named(text, "ORG")


@pytest.mark.parametrize("text, org, country", [
    # the adjective in the organisation's mention
    ("Проект обсудили губернатор и генеральный секретарь турецкого промышленного холдинга «Йылдызлар Ятырым» "
     "Илькай Унал. Такого отношения инвесторы не встречали даже у себя в Турции.", "Йылдызлар Ятырым", "Турция"),
    # the adjective before it, after the noun of what it is
    ("Заняться строительством намерена китайская компания Dandong TICI Flowers Co. Ltd. Представители "
     "бизнеса из КНР приехали в район.", "Dandong", "Китай"),
    # a country the alias table does not know by other names
    ("Датская компания Rockwool построит завод. В Дании у неё три завода.", "Rockwool", "Дания"),
])
def test_a_foreign_country_s_adjective_places_the_organisation_in_that_country_when_the_article_names_it(
        nlp, text, org, country):
    ex = extracted(text)
    name = {e.id: e.name for e in ex.entities}
    assert any(r.type == "LOCATED_IN" and org in name[r.source] and name[r.target] == country for r in ex.relations), \
        [(r.type, name[r.source], name[r.target]) for r in ex.relations]


def test_a_country_s_adjective_places_no_organisation_in_a_country_the_article_does_not_name(nlp):
    ex = extracted("Немецкая компания Siempelkamp поставит оборудование, а российская компания «Рапира» построит "
                   "завод в России.")
    name = {e.id: e.name for e in ex.entities}
    assert not [(name[r.source], name[r.target]) for r in ex.relations
                if r.type == "LOCATED_IN" and name[r.source] in ("Siempelkamp", "Рапира")]


def test_a_one_word_place_the_normaliser_left_in_another_case_is_in_the_nominative():
    from ingest.mentions import nominative_place
    assert [nominative_place(w) for w in ("Тверью", "Люберцах", "Нидерландов", "Академгородка")] == \
        ["Тверь", "Люберцы", "Нидерланды", "Академгородок"]
    # a nominative stays, and a word the dictionary does not know is not guessed at
    assert [nominative_place(w) for w in ("Казань", "Кемерово", "Минькине")] == ["Казань", "Кемерово", "Минькине"]


def test_a_latin_company_named_by_its_first_word_is_the_one_named_in_full():
    ex = extracted("Индийская компания Cadila Pharmaceuticals Ltd. построит завод в Переславском районе. "
                   "Cadila вложит в проект 2 млрд рублей.")
    cadila = [e for e in ex.entities if e.type == "ORG" and "Cadila" in e.name]
    assert len(cadila) == 1 and {"Cadila", "Cadila Pharmaceuticals Ltd"} <= set(cadila[0].aliases), cadila


def test_a_body_named_by_its_adjective_alone_is_the_one_named_in_full_but_a_noun_is_a_name_of_its_own():
    ex = extracted("Худрук Большого покинул пост.\n\nХудожественный руководитель балета Большого театра "
                   "Иван Петров объявил об уходе.")
    theatre = [e for e in ex.entities if e.type == "ORG"]
    assert [e.name for e in theatre] == ["Большой театр"] and "Большого" in theatre[0].aliases, theatre
    ex = extracted("Глава Газпрома встретился с руководством «Газпром нефти».")
    assert len([e for e in ex.entities if e.type == "ORG"]) == 2


def test_an_abbreviation_right_after_a_full_name_is_its_other_name_but_after_a_unit_its_owner():
    ex = extracted("Международная федерация хоккея ИИХФ выделит грант. Президент ИИХФ Иван Петров заявил об этом.")
    assert [e.name for e in ex.entities if e.type == "ORG"] == ["Международная федерация хоккея"]
    ex = extracted("Он был первым секретарём Свердловского обкома КПСС. Позже он вышел из КПСС.")
    assert "КПСС" in {e.name for e in ex.entities if e.type == "ORG"}




@pytest.mark.parametrize("text, body", [
    ("Проект одобрил Минпромэнерго Дагестана.", "Минпромэнерго Дагестана"),
    ("Стройку проверил Госстройнадзор Рязанской области.", "Госстройнадзор Рязанской области"),
    # the region's own body, named by the article's region
    ("В Московской области построят завод. Подписи поставили представители регионального Мининвеста и "
     "компании «Рус Биофарм».", "Мининвест Московской области"),
    ("В Омской области создан кластер. Об этом сообщили в пресс-службе регионального минпромторга.",
     "Минпромторг Омской области"),
    ("В Калужской области построят завод. Соглашение подписали региональное правительство и компания «Альфа».",
     "Правительство Калужской области"),
])
def test_a_regional_ministry_in_one_word_is_named_with_its_region(nlp, text, body):
    organisations = named(text, "ORG")
    assert body in organisations
    assert not {"Мининвест", "Минпромэнерго", "Госстройнадзор", "Региональное правительство"} & organisations


def test_a_common_noun_opening_a_sentence_is_no_place(nlp):
    assert named("Под контейнерный терминал выделили землю в Сысертском районе\n\n"
                 "Земля под транспортно-логистический центр «Екатеринбург» передана в аренду.", "LOC") == {
        "Сысертский район"}


@pytest.mark.parametrize("text, body", [
    # a republic's name stays in the nominative
    ("Соглашение подписали компания «Альфа» и правительство Республики Бурятия.",
     "Правительство Республики Бурятия"),
    ("Соглашение подписали компания «Альфа» и Правительство Республики Саха (Якутия).",
     "Правительство Республики Саха (Якутия)"),
    ("Цифры на совещании в кабинете министров Республики Татарстан привёл Иван Петров.",
     "Кабинет министров Республики Татарстан"),
    # with its remit after the territory
    ("Об этом сообщили в Агентстве Дальнего Востока по привлечению инвестиций и поддержке экспорта.",
     "Агентство Дальнего Востока по привлечению инвестиций и поддержке экспорта"),
    ("Заседание провёл Консультативный совет по российско-японскому сотрудничеству.",
     "Консультативный совет по российско-японскому сотрудничеству"),
])
def test_a_body_named_with_its_territory_is_one_organisation(nlp, text, body):
    assert body in named(text, "ORG")


def test_a_posts_remit_after_a_government_is_no_part_of_its_name(nlp):
    assert "Правительство Республики Карелия" in named(
        "Об этом рассказал заместитель премьер-министра правительства Республики Карелия по вопросам "
        "экономики Иван Петров.", "ORG")
