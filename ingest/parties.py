"""Who can be a party to a project, and in which role: what the gold's conventions and the
held-out errors say of organisations by their names alone.

Never a party: a news outlet or a press service (the news' source), the federal government and
parliament, a body that advises, reviews or supervises (a council, the state expert review). Never
a resident of a territory: a state body, a state development institution, an association or a
chamber (none is a company working there). Measured by 5-fold cross-validation over seeds 13/7/21
(INVOLVED_IN, parks-dev + seed): news outlets 0.539 -> 0.548; state bodies and development
institutions as residents 0.555 -> 0.566; the federal powers 0.577 -> 0.583; press services,
associations and chambers 0.583 -> 0.585; later, on partitions 13/1/2, the bodies that oversee
0.5997/0.581/0.585 -> 0.603/0.584/0.588.
"""
from __future__ import annotations

from graph.text import lemma, name_key
from graph.text import words as text_words

from .aliases import canonical
from .vocabulary import words

NEWS_OUTLET_WORDS = words("news_outlet_words")
STATE_BODIES = words("state_bodies")
DEVELOPMENT_INSTITUTIONS = words("development_institutions")
ASSOCIATIONS = words("associations")
FEDERAL_POWERS = words("federal_powers")
OVERSEEING_BODIES = words("overseeing_bodies")


def news_outlet(name: str) -> bool:
    """«ТАСС», «Интерфакс-Сибирь», «РИА «Восток-Медиа»», «БелПресса», «Fishnews»: a news outlet's name."""
    return any(w in NEWS_OUTLET_WORDS or w.endswith(("пресса", "медиа", "news", "ньюс"))
               for w in text_words(name.replace("-", " ")))


def press_service(name: str) -> bool:
    """«Пресс-служба правительства области»: it speaks for its organisation (the gold of investment
    news makes it a mention of the organisation)."""
    return name.lower().startswith(("пресс-служб", "пресс-центр"))


def federal_power(name: str) -> bool:
    """«Правительство РФ», «Госдума», «Совет Федерации»: the federal government or parliament, read
    through aliases.json's other names (the gold of parks-dev names them 14 times, never as a party);
    not a region's «Государственная дума Ставропольского края»."""
    return name_key(canonical("ORG", name) or name) in FEDERAL_POWERS


def overseeing_body(name: str) -> bool:
    """«Совет по инвестициям», «Наблюдательный совет свободного порта», «Главгосэкспертиза»: a body
    that advises on, reviews or supervises projects (its first or second word)."""
    return named_by(name, OVERSEEING_BODIES, first=2)


def never_party(name: str) -> bool:
    return news_outlet(name) or press_service(name) or federal_power(name) or overseeing_body(name)


def named_by(name: str, heads: frozenset[str], first: int | None = None) -> bool:
    """Whether one of the name's words before its quotes (the first `first` of them) is one of
    `heads`, as written or as its lemma («Минвостокразвития», which the lemmatiser reads as
    «минвостокразвитие»; «Советом», whose lemma is «совет»)."""
    return any(w.lower() in heads or lemma(w) in heads for w in words_before_quotes(name)[:first])


def words_before_quotes(name: str) -> list[str]:
    """The words that say what an organisation is: «ООО «Правительство»» is no government."""
    return text_words(name.split("«")[0])


def state_body(name: str) -> bool:
    """«Правительство России», «Областное правительство», «Минпромторг России»: a state body's
    name (its first or second word is a state body's head word); or a state development
    institution's («Корпорация развития Дальнего Востока», «КРДВ Хабаровск», «ОАО «ОЭЗ»»)."""
    if named_by(name, STATE_BODIES, first=2):
        return True
    written, key = f" {' '.join(text_words(name))} ", f" {name_key(name)} "
    return any(f" {phrase} " in written or f" {phrase} " in key for phrase in DEVELOPMENT_INSTITUTIONS)


def lender(name: str) -> bool:
    """«Сбербанк», «Банк ВТБ», «Россельхозбанк»: a bank, by a word of its name (a lender is an
    investor in any company's plant: GOLD-FORMAT.md, money)."""
    return any(w.endswith("банк") for w in name.lower().replace("-", " ").split())


def never_resident(name: str) -> bool:
    """A state body or development institution, an association or a chamber («Кузбасская
    торгово-промышленная палата»)."""
    return state_body(name) or named_by(name, ASSOCIATIONS)
