"""yargy grammars, one module per kind of fact, and how to run them.

All parsers share one tokenizer (one pymorphy dictionary and word cache), and run only on
windows of text around the trigger words of their grammar: yargy's Earley parser is pure
Python and its cost grows with the length of what it reads, while a project, post or
organisation always starts a few words before its trigger word and ends a sentence's
clause after it. Inside a window a match may only begin shortly before a trigger word
(`Lead`), so the parser predicts new matches at those tokens alone, and it fills its chart
with one token of lookahead (`earley.py`, one chart per parser: `lookahead_chart`).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from yargy import Parser
from yargy.parser import Match, prepare_resolved_matches, prepare_trees
from yargy.tokenizer import MorphTokenizer

from .earley import EarleyChart, released


@lru_cache(maxsize=1)
def tokenizer() -> MorphTokenizer:
    return MorphTokenizer()


def make_parser(rule) -> Parser:
    return Parser(rule, tokenizer=tokenizer())


@cache
def lookahead_chart(parser: Parser) -> EarleyChart:
    """The parser's chart with lookahead (its FIRST sets computed once)."""
    return EarleyChart(parser)


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
    # and words: a grammar whose matches begin at most this many words before their trigger word
    # (modifiers and the head's own adjectives) predicts nowhere further back; 0: `before` alone
    words_before: int = 0
    forms: frozenset[str] = field(init=False, repr=False, compare=False)  # every form of the lemmas

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


class Lead(NamedTuple):
    """Where a match may begin around one trigger word (offsets into the parsed text): at an
    adjective from `start` on ("особая экономическая зона", "первый заместитель"), or at any
    token of the word itself, from `word` to `last` (both parts of "премьер-министр")."""

    start: int
    word: int
    last: int

    def admits(self, token) -> bool:
        at = token.span.start
        return self.word <= at <= self.last or (self.start <= at < self.word and is_adjective(token))


def everywhere(text: str) -> tuple[Lead, ...]:
    """A lead admitting every token of the text: findall_from is then parser.findall."""
    return (Lead(0, 0, len(text)),)


def is_adjective(token) -> bool:
    return any("ADJF" in form.grams for form in getattr(token, "forms", ()))


@dataclass(frozen=True)
class Window:
    """A stretch of a sentence worth parsing (offsets into the sentence's text) and where in it
    matches may begin (offsets into the window)."""

    start: int
    stop: int
    leads: tuple[Lead, ...]


def windows(sent, trigger: Trigger) -> list[Window]:
    """Around each trigger word, cut at spaces; overlapping stretches joined."""
    text, before, after = sent.text, trigger.before, trigger.after
    spans: list[tuple[int, int, list[Lead]]] = []
    for i, token in enumerate(sent.tokens):
        if not trigger.fires(token.text):
            continue
        at, end = token.start - sent.start, token.stop - sent.start
        start = max(0, at - before)
        if start:
            space = text.find(" ", start, at)
            start = space + 1 if space != -1 else at
        if trigger.words_before:  # a word's start: no cutting at spaces
            start = max(start, sent.tokens[max(0, i - trigger.words_before)].start - sent.start)
        stop = min(len(text), end + after)
        if stop < len(text):
            space = text.rfind(" ", end, stop)
            stop = space if space != -1 else stop
        lead = Lead(start, at, end - 1)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(stop, spans[-1][1]), spans[-1][2] + [lead])
        else:
            spans.append((start, stop, [lead]))
    return [Window(start, stop, tuple(Lead(*(x - start for x in lead)) for lead in leads))
            for start, stop, leads in spans]


def findall_from(parser: Parser, text: str, leads: tuple[Lead, ...]) -> Iterator[Match]:
    """parser.findall(text) for the matches that begin where a lead admits: the grammar is
    predicted only at those tokens instead of at every token, which is most of the parser's
    work, and the chart is filled with lookahead."""
    chart = lookahead_chart(parser).fill(text, lambda token: any(lead.admits(token) for lead in leads))
    trees = sorted(prepare_trees(chart.matches(parser.rule)))
    released(chart)
    return prepare_resolved_matches(trees)


def sentence_matches(parser: Parser, doc, trigger: Trigger) -> Iterator[tuple[int, Match]]:
    """(offset of the parsed text, match) for each match in the windows around triggers."""
    for sent in doc.sents:
        for window in windows(sent, trigger):
            for match in findall_from(parser, sent.text[window.start:window.stop], window.leads):
                yield sent.start + window.start, match
