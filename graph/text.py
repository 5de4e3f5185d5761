"""Name keys: the one place that decides when two surface forms are the same name.

`name_key("Заливацкого")` == `name_key("заливацкий")`: lower case, ё→е, quotes and
punctuation dropped, each word lemmatised with pymorphy3. Ingest merges mentions on
these keys and the stores search on them, so both must agree.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3

WORD = re.compile(r"[\w-]+", re.UNICODE)


@lru_cache(maxsize=1)
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of one lower-case word (ё spelled е)."""
    word = word.lower().replace("ё", "е")
    if not word.isalpha() and "-" not in word:
        return word
    try:
        return morph().parse(word)[0].normal_form.replace("ё", "е")
    except ValueError:  # pymorphy3 asks unicodedata for each letter's name: some letters have none ("𗀀")
        return word


def words(text: str) -> list[str]:
    return WORD.findall((text or "").lower().replace("ё", "е"))


def name_key(text: str) -> str:
    """Lemmatised, lower-case, punctuation-free form of a name: the merge and search key."""
    return " ".join(lemma(w) for w in words(text))


def fold(text: str) -> str:
    """Lower case, ё→е, single spaces, no quotes: for fuzzy comparisons."""
    return " ".join(words(text))


# a name's quoted label: индустриальный парк «Северный луч», компания "Амур"
QUOTED = re.compile(r"«(.+)»|\"(.+)\"")
# a card's addition in brackets at the end of a name ("комбикормовый завод (ГК «Эфко»)": whose it is)
CARD_ADDITION = re.compile(r"\s+\((?:[^()]|\([^()]*\))*\)$")


def quoted_label(name: str) -> str | None:
    """The label a name quotes ("Северный луч" of «индустриальный парк «Северный луч»»), if any."""
    m = QUOTED.search(name)
    return (m.group(1) or m.group(2)) if m else None


def own_label(name: str) -> str:
    """What a name calls its thing by itself: the quoted label ("индустриальный парк «Северный
    луч»": Северный луч), not a card's addition in brackets ("завод (ООО «Северный луч»)": завод)."""
    own = CARD_ADDITION.sub("", name)
    label = quoted_label(own)
    return own if label is None else label
