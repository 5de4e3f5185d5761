"""Money, jobs and areas as written in Russian news, normalised to numbers.

    parse_money("2,5 млрд рублей")  → Amount(2.5e9, "RUB")
    parse_money("$10 млн")          → Amount(1e7, "USD")
    parse_money("свыше 3 млрд")     → Amount(3e9, None, qualifier="more_than")

Numbers keep Russian conventions: a comma is the decimal mark, spaces (also
non-breaking) group thousands. Patterns are regular expressions: amounts are a closed,
regular language, and one readable pattern beats a grammar of digits here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
SCALE = {
    "трлн": 1e12, "триллион": 1e12, "млрд": 1e9, "миллиард": 1e9, "млн": 1e6, "миллион": 1e6,
    "тыс": 1e3, "тысяч": 1e3, "тысяча": 1e3,
}
SCALE_WORD = r"(?P<scale>трлн|триллион\w*|млрд|миллиард\w*|млн|миллион\w*|тыс|тысяч\w*)\.?"
CURRENCY_WORD = (r"(?P<currency>руб(?:лей|ля|ль)?\.?|₽|долл(?:аров|ара|ар)?\.?|\$|usd|евро|€|eur|"
                 r"юан(?:ей|я|ь)|cny)")
QUALIFIER = r"(?P<qualifier>свыше|более|больше|около|порядка|почти|до|не менее|не более|примерно|более чем)"
MONEY = re.compile(
    rf"(?:{QUALIFIER}\s+)?(?P<prefix>\$|€)?\s?(?P<number>{NUMBER})\s*(?:{SCALE_WORD})?\s*(?:{CURRENCY_WORD})?",
    re.IGNORECASE)
QUALIFIERS = {"свыше": "more_than", "более": "more_than", "больше": "more_than", "более чем": "more_than",
              "не менее": "at_least", "около": "about", "порядка": "about", "примерно": "about", "почти": "almost",
              "до": "up_to", "не более": "up_to"}
JOBS = re.compile(rf"(?P<number>{NUMBER})\s*(?:{SCALE_WORD})?\s+(?:[а-яё-]+\s+){{0,2}}рабочих\s+мест", re.IGNORECASE)
AREA = re.compile(rf"(?P<number>{NUMBER})\s*(?:{SCALE_WORD})?\s*(?P<unit>га\b|гектар\w*|кв\.\s?м\b|кв\.\s?км\b|"
                  r"квадратных\s+(?:метр|километр)\w*)", re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str | None = None
    qualifier: str | None = None
    start: int = 0
    stop: int = 0
    text: str = ""


def to_number(raw: str) -> float:
    return float(re.sub(r"[ \u00a0\u202f]", "", raw).replace(",", "."))


def scale_of(word: str | None) -> float:
    if not word:
        return 1.0
    word = word.lower().rstrip(".")
    for stem, factor in SCALE.items():
        if word.startswith(stem):
            return factor
    return 1.0


def currency_of(word: str | None) -> str | None:
    if not word:
        return None
    w = word.lower()
    if w.startswith(("руб", "₽")):
        return "RUB"
    if w.startswith(("долл", "$", "usd")):
        return "USD"
    if w.startswith(("евро", "€", "eur")):
        return "EUR"
    if w.startswith(("юан", "cny")):
        return "CNY"
    return None


def find_money(text: str) -> list[Amount]:
    """Amounts of money: a number with a scale word or a currency (a bare number is not money)."""
    found = []
    for m in MONEY.finditer(text):
        currency = currency_of(m.group("prefix") or m.group("currency"))
        if not (m.group("scale") or currency):
            continue
        value = to_number(m.group("number")) * scale_of(m.group("scale"))
        qualifier = QUALIFIERS.get((m.group("qualifier") or "").lower())
        start, stop = m.start(), m.end()
        while stop > start and text[stop - 1] == " ":
            stop -= 1
        while start < stop and text[start] == " ":
            start += 1
        found.append(Amount(value, currency, qualifier, start, stop, text[start:stop]))
    return found


def parse_money(text: str) -> Amount | None:
    found = find_money(text)
    return found[0] if found else None


def find_jobs(text: str) -> list[Amount]:
    return [Amount(to_number(m.group("number")) * scale_of(m.group("scale")), None, None, m.start(), m.end(),
                   m.group(0)) for m in JOBS.finditer(text)]


def find_area_ha(text: str) -> list[Amount]:
    """Areas in hectares (square metres and kilometres converted)."""
    found = []
    for m in AREA.finditer(text):
        value = to_number(m.group("number")) * scale_of(m.group("scale"))
        unit = m.group("unit").lower()
        if "км" in unit or "километр" in unit:
            value *= 100
        elif "м" in unit or "метр" in unit:
            value /= 10_000
        found.append(Amount(value, "ha", None, m.start(), m.end(), m.group(0)))
    return found
