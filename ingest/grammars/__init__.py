"""yargy grammars, one module per kind of fact, and how to run them.

All parsers share one tokenizer (one pymorphy dictionary and word cache), and run only on
windows of text around the trigger words of their grammar: yargy's Earley parser is pure
Python and its cost grows with the length of what it reads, while a project, post or
organisation always starts a few words before its trigger word and ends a sentence's
clause after it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from yargy import Parser
from yargy.tokenizer import MorphTokenizer


@lru_cache(maxsize=1)
def tokenizer() -> MorphTokenizer:
    return MorphTokenizer()


def make_parser(rule) -> Parser:
    return Parser(rule, tokenizer=tokenizer())


BEFORE, AFTER = 60, 180  # characters read around a trigger word


@dataclass(frozen=True)
class Trigger:
    """The words a grammar cannot match without: every form of some lemmas, a few tokens
    taken as written (ОЭЗ, ООО), and prefixes of compounds the dictionary lacks (промпарк…)."""

    lemmas: frozenset[str]
    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    before: int = BEFORE  # characters a match may start before the trigger word
    after: int = AFTER  # and end after it

    def __post_init__(self) -> None:
        object.__setattr__(self, "forms", all_forms(self.lemmas))

    def fires(self, word: str) -> bool:
        low = word.lower().replace("ё", "е")
        if word in self.exact or low in self.forms or (self.prefixes and low.startswith(self.prefixes)):
            return True
        return "-" in low and any(part in self.forms for part in low.split("-"))  # "генерал-майор", "экс-премьер"


def all_forms(lemmas: frozenset[str]) -> frozenset[str]:
    """Every inflected form of the lemmas (pymorphy3 lexemes), lower case, ё as е."""
    from graph.text import morph
    forms = set()
    for word in lemmas:
        forms.add(word)
        for parse in morph().parse(word)[:3]:
            if parse.normal_form.replace("ё", "е") == word:
                forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
    return frozenset(forms)


def windows(sent, trigger: Trigger) -> list[tuple[int, int]]:
    """The stretches of a sentence worth parsing (offsets into its text): around each trigger
    word, cut at spaces, overlapping stretches joined."""
    text, before, after = sent.text, trigger.before, trigger.after
    spans: list[tuple[int, int]] = []
    for token in sent.tokens:
        if not trigger.fires(token.text):
            continue
        at, end = token.start - sent.start, token.stop - sent.start
        start = max(0, at - before)
        if start:
            space = text.find(" ", start, at)
            start = space + 1 if space != -1 else at
        stop = min(len(text), end + after)
        if stop < len(text):
            space = text.rfind(" ", end, stop)
            stop = space if space != -1 else stop
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(stop, spans[-1][1]))
        else:
            spans.append((start, stop))
    return spans


def sentence_matches(parser: Parser, doc, trigger: Trigger) -> Iterator[tuple[int, object]]:
    """(offset of the parsed text, match) for each match in the windows around triggers."""
    for sent in doc.sents:
        for start, stop in windows(sent, trigger):
            for match in parser.findall(sent.text[start:stop]):
                yield sent.start + start, match
